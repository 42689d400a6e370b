"""The scheduler's housekeeping, on in-process moto: what it deletes, keeps and announces."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.core.auth import Principal, Role

OWNER = Principal("yamada.k", "山田 健一", "yamada.k@pref.example.lg.jp", "somu", Role.MEMBER)


@pytest.fixture
def world(aws_mock: None) -> None:
    from chalicelib.directory import service as directory
    from chalicelib.directory.service import Staff
    from chalicelib.local import demo

    for department in demo.DEPARTMENTS:
        directory.save_department(department)
    directory.save_staff(Staff(OWNER.staff_id, OWNER.display_name, OWNER.email, "somu", Role.MEMBER))


def _stored_file(name: str, data: bytes) -> str:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.files import upload_complete, upload_start

    ticket = upload_start.start(OWNER, "dept:somu", name, len(data), "text/plain")
    aws.client("s3").put_object(Bucket=settings().files_bucket, Key=ticket.key, Body=data)
    return upload_complete.complete(OWNER, ticket.upload_id).file_id


def _notify_messages() -> list[dict[str, object]]:
    from chalicelib.core import aws

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="kumo-notify")["QueueUrl"]
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        found += [json.loads(m["Body"]) for m in batch]


def test_the_trash_is_emptied_after_thirty_days_and_the_space_freed(world: None) -> None:
    from chalicelib.files import entries, spaces, trash
    from chalicelib.maintenance import sweep

    old = _stored_file("古い.txt", b"x" * 100)
    recent = _stored_file("新しい.txt", b"y" * 50)
    trash.trash(OWNER, old)
    trash.trash(OWNER, recent)
    assert spaces.space("dept:somu").used_bytes == 150
    report = sweep.run(at=datetime.now(UTC) + timedelta(days=trash.TRASH_DAYS, hours=1))
    assert report.counts.get("trash_purged") == 2  # both are older than 30 days by then
    assert spaces.space("dept:somu").used_bytes == 0
    with pytest.raises(Exception, match="does not exist"):
        entries.get_entry(old)

    kept = _stored_file("まだ.txt", b"z")
    trash.trash(OWNER, kept)
    sweep.run()
    assert entries.get_entry(kept).status == "trashed", "younger than 30 days: still restorable"


def test_an_abandoned_multipart_upload_is_aborted(world: None) -> None:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.files import open_uploads, upload_start
    from chalicelib.maintenance import sweep

    ticket = upload_start.start(OWNER, "dept:somu", "大きい.bin", 100 * 1024**2, "application/octet-stream")
    assert ticket.method == "multipart"
    s3 = aws.client("s3")
    assert s3.list_multipart_uploads(Bucket=settings().files_bucket).get("Uploads")
    report = sweep.run(at=datetime.now(UTC) + open_uploads.UPLOAD_VALID + timedelta(minutes=1))
    assert report.counts["uploads_expired"] == 1
    assert not s3.list_multipart_uploads(Bucket=settings().files_bucket).get("Uploads")


def test_owners_hear_once_that_a_link_expires_within_a_day(world: None) -> None:
    from chalicelib.maintenance import sweep
    from chalicelib.sharing import link_creation

    file_id = _stored_file("共有.txt", b"s")
    link_creation.create(OWNER, file_id, "download", {"expires_in_days": 0.5})
    link_creation.create(OWNER, file_id, "download", {"expires_in_days": 5})
    _notify_messages()  # drop the creation events
    sweep.run()
    sweep.run()
    expiring = [m for m in _notify_messages() if m.get("detail-type") == "ShareLinkExpiringSoon"]
    assert len(expiring) == 1
