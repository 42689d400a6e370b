"""The scan state machine on in-process moto: verdicts, quarantine, events, idempotency."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.event_catalogue import PartnerUploaded
from chalicelib.scanning.engine import EICAR

EVENTS = Path(__file__).resolve().parents[1] / "events"
SPACE = "dept:somu"
OWNER = "yamada.k"


def _s3() -> Any:
    from chalicelib.core import aws

    return aws.client("s3")


def _bucket() -> str:
    from chalicelib.core.config import settings

    return settings().files_bucket


def _key(file_id: str, version: int) -> str:
    return f"spaces/{SPACE}/{file_id}/v{version:08d}"


def _store(file_id: str, versions: dict[int, tuple[bytes, str | None]]) -> None:
    """A file whose versions hold these bytes and scan states (the newest is current), as uploads file it."""
    from chalicelib.files.storage import FileRecord, VersionRecord, bind

    bind()
    when = datetime.now(UTC)
    for version, (data, scan) in versions.items():
        _s3().put_object(Bucket=_bucket(), Key=_key(file_id, version), Body=data)
        VersionRecord(
            file_id,
            f"{version:08d}",
            s3_key=_key(file_id, version),
            size=len(data),
            content_type="application/octet-stream",
            uploaded_by=OWNER,
            uploaded_at=when,
            scan_status=scan,
        ).save()
    current = max(versions)
    FileRecord(
        file_id,
        kind="file",
        name=f"{file_id}.bin",
        name_key=f"{file_id}.bin",
        parent_id=SPACE,
        space_id=SPACE,
        owner_id=OWNER,
        visibility="department",
        size=len(versions[current][0]),
        content_type="application/octet-stream",
        version=current,
        status="active",
        scan_status=versions[current][1],
        created_at=when,
        updated_at=when,
    ).save()


def _uploaded(file_id: str, version: int = 1) -> dict[str, Any]:
    """The PartnerUploaded event as the bus delivers it (what the local scanner acts on)."""
    detail = PartnerUploaded(
        link_id="ln_1",
        owner_id=OWNER,
        notify=True,
        file_id=file_id,
        version=version,
        s3_key=_key(file_id, version),
        space_id=SPACE,
        folder_id=SPACE,
        name=f"{file_id}.bin",
        uploader_name="",
        uploader_email="",
    )
    event = detail.event(event_id=f"ev-{file_id}-{version}").as_delivered()
    event["id"] = f"eb-{file_id}-{version}"
    return event


def _guardduty(file_id: str, status: str, version: int = 1, bucket: str | None = None) -> dict[str, Any]:
    event = json.loads((EVENTS / "scan_guardduty_result.json").read_text(encoding="utf-8"))
    event["detail"]["s3ObjectDetails"].update(objectKey=_key(file_id, version), bucketName=bucket or _bucket())
    event["detail"]["scanResultDetails"]["scanResultStatus"] = status
    return event  # type: ignore[no-any-return]


def _status(file_id: str, version: int = 1) -> tuple[str | None, str | None]:
    from chalicelib.files import entries, versions

    return entries.get_entry(file_id).scan_status, versions.version_record(file_id, version).scan_status


def _exists(key: str) -> bool:
    return bool(_s3().list_object_versions(Bucket=_bucket(), Prefix=key).get("Versions"))


@pytest.fixture
def published(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], str]]:
    """Every domain event put on the bus: (detail-type, detail, event id)."""
    from chalicelib.core import events

    seen: list[tuple[str, dict[str, Any], str]] = []
    real = events.publish

    def publish(batch: Any, **kw: Any) -> None:
        seen.extend((e.name, e.detail.fields(), e.event_id) for e in batch if e.source == "kumo.scanning")
        real(batch, **kw)

    monkeypatch.setattr(events, "publish", publish)
    return seen


def _handle(event: dict[str, Any], scanner: Any = None) -> str:
    from chalicelib.scanning import service

    return service.handle(event, scanner)


# --- pending -> clean / quarantined ------------------------------------------------------------------


def test_eicar_upload_is_infected_and_moved_to_quarantine(published: list[Any]) -> None:
    from chalicelib.core.auth import Principal, Role
    from chalicelib.core.errors import Conflict
    from chalicelib.files import version_actions

    _store("fi_eicar", {1: (EICAR, "pending")})
    assert _handle(_uploaded("fi_eicar")) == "quarantined"
    assert _status("fi_eicar") == ("infected", "infected")
    assert not _exists(_key("fi_eicar", 1)), "no version of the original object is left"
    quarantined = _s3().get_object(Bucket=_bucket(), Key=f"quarantine/{_key('fi_eicar', 1)}")["Body"].read()
    assert quarantined == EICAR
    tags = {
        t["Key"]: t["Value"]
        for t in _s3().get_object_tagging(Bucket=_bucket(), Key=f"quarantine/{_key('fi_eicar', 1)}")["TagSet"]
    }
    assert tags == {"kumo-scan": "required", "kumo-scan-status": "infected", "kumo-scan-reason": "EICAR test file"}
    ((name, detail, _),) = published
    assert name == "FileQuarantined"
    assert detail["status"] == "infected" and detail["reason"] == "EICAR test file"
    assert detail["owner_id"] == OWNER and detail["current"] is True and detail["scanner"] == "local"
    with pytest.raises(Conflict):  # still listed, never served
        version_actions.download_url(Principal(OWNER, "", "", "somu", Role.MEMBER), "fi_eicar")


def test_clean_upload_becomes_downloadable(published: list[Any]) -> None:
    from chalicelib.core.auth import Principal, Role
    from chalicelib.files import version_actions

    _store("fi_clean", {1: ("見積書の本文".encode(), "pending")})
    assert _handle(_uploaded("fi_clean")) == "cleared"
    assert _status("fi_clean") == ("clean", "clean")
    assert _exists(_key("fi_clean", 1))
    assert version_actions.download_url(Principal(OWNER, "", "", "somu", Role.MEMBER), "fi_clean").startswith("http")
    assert [(n, d["s3_key"]) for n, d, _ in published] == [("FileCleared", _key("fi_clean", 1))]


def test_password_protected_zip_is_unscannable_and_quarantined(published: list[Any]) -> None:
    from tests.unit.test_scanning_engine import _encrypted_zip

    _store("fi_locked", {1: (_encrypted_zip("契約書.pdf", b"%PDF-1.7", b"pw"), "pending")})
    assert _handle(_uploaded("fi_locked")) == "quarantined"
    assert _status("fi_locked") == ("unscannable", "unscannable")
    assert "password-protected" in published[0][1]["reason"]
    assert not _exists(_key("fi_locked", 1))


def test_zip_is_read_in_ranges_from_the_bucket(published: list[Any]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.bin", bytes(3 * 1024 * 1024))
        z.writestr("nested/eicar.txt", EICAR)
    _store("fi_zip", {1: (out.getvalue(), "pending")})
    assert _handle(_uploaded("fi_zip")) == "quarantined"
    assert "nested/eicar.txt" in published[0][1]["reason"]


def test_too_large_is_unscannable_without_reading_it(published: list[Any]) -> None:
    from chalicelib.scanning.local import LocalScanner

    _store("fi_big", {1: (b"x" * 2048, "pending")})
    assert _handle(_uploaded("fi_big"), LocalScanner(max_bytes=1024)) == "quarantined"
    assert _status("fi_big") == ("unscannable", "unscannable")
    assert published[0][1]["reason"].startswith("too large to scan")


# --- idempotency, old versions, deleted files, staff uploads ------------------------------------------


def test_a_redelivered_result_changes_nothing(published: list[Any]) -> None:
    _store("fi_twice", {1: (EICAR, "pending")})
    assert _handle(_uploaded("fi_twice")) == "quarantined"
    assert _handle(_uploaded("fi_twice")) == "already_decided"
    assert _status("fi_twice") == ("infected", "infected")
    first, again = published
    assert first == again, "announced again with the same event id and detail: consumers drop the duplicate"


def test_a_result_for_an_old_version_updates_that_version_only(published: list[Any]) -> None:
    _store("fi_old", {1: (EICAR, "pending"), 2: (b"the staff's own new version", None)})
    assert _handle(_uploaded("fi_old", 1)) == "quarantined"
    assert _status("fi_old", 1) == (None, "infected")
    assert _status("fi_old", 2) == (None, None)
    assert _exists(_key("fi_old", 2))
    assert published[0][1]["current"] is False


def test_a_result_for_a_deleted_file_is_a_no_op(published: list[Any]) -> None:
    _s3().put_object(Bucket=_bucket(), Key=_key("fi_gone", 1), Body=EICAR)  # bytes left, records purged
    assert _handle(_uploaded("fi_gone")) == "gone"
    assert _handle(_guardduty("fi_gone", "THREATS_FOUND"), _guardduty_scanner()) == "gone"
    assert published == []
    assert not _exists(f"quarantine/{_key('fi_gone', 1)}")


def test_staff_uploads_are_not_scanned(published: list[Any]) -> None:
    _store("fi_staff", {1: (EICAR, None)})
    assert _handle(_uploaded("fi_staff")) == "not_required"
    assert _handle(_guardduty("fi_staff", "THREATS_FOUND"), _guardduty_scanner()) == "not_required"
    assert _status("fi_staff") == (None, None) and _exists(_key("fi_staff", 1)) and published == []


def test_a_move_interrupted_before_it_was_recorded_is_finished(published: list[Any]) -> None:
    from chalicelib.scanning import objects
    from chalicelib.scanning.port import Verdict

    _store("fi_crash", {1: (b"harmless bytes", "pending")})
    objects.quarantine(_key("fi_crash", 1), Verdict.unscannable("corrupt archive: truncated"))  # then a crash
    assert _handle(_uploaded("fi_crash")) == "quarantined"
    assert _status("fi_crash") == ("unscannable", "unscannable")
    assert published[0][1]["reason"] == "corrupt archive: truncated"  # as the tag kept it


# --- the GuardDuty adapter through the same state machine -------------------------------------------


def _guardduty_scanner() -> Any:
    from chalicelib.scanning.guardduty import GuardDutyScanner

    return GuardDutyScanner()


GUARDDUTY_RESULTS = {
    "NO_THREATS_FOUND": "clean",
    "THREATS_FOUND": "infected",
    "UNSUPPORTED": "unscannable",
    "ACCESS_DENIED": "unscannable",
    "FAILED": "unscannable",
    "SOMETHING_NEW": "unscannable",
}


def test_guardduty_results_drive_the_same_transitions(published: list[Any]) -> None:
    for n, (result, status) in enumerate(GUARDDUTY_RESULTS.items()):
        file_id = f"fi_gd{n}"
        _store(file_id, {1: (b"whatever GuardDuty saw", "pending")})
        assert _handle(_guardduty(file_id, result), _guardduty_scanner()) == (
            "cleared" if status == "clean" else "quarantined"
        )
        assert _status(file_id) == (status, status), result
        assert _exists(_key(file_id, 1)) is (status == "clean"), result
        assert published[-1][1]["scanner"] == "guardduty"


def test_the_adapter_is_chosen_by_settings(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config
    from chalicelib.scanning import service

    assert service.configured_scanner().name == "local"
    monkeypatch.setenv("KUMO_SCANNER", "guardduty")
    config.reset()
    assert service.configured_scanner().name == "guardduty"
    _store("fi_wait", {1: (EICAR, "pending")})
    assert service.handle(_uploaded("fi_wait")) == "waiting", "in AWS, GuardDuty's result decides"
    assert _status("fi_wait") == ("pending", "pending")
    monkeypatch.setenv("KUMO_SCANNER", "clamav")
    config.reset()
    with pytest.raises(ValueError, match="KUMO_SCANNER"):
        config.settings()


def test_a_guardduty_result_that_came_before_the_upload_was_recorded_is_not_lost(published: list[Any]) -> None:
    """The browser writes straight to the version key, so GuardDuty may scan it (tag it, and send a
    result that finds no version yet) before /complete records it: PartnerUploaded reads the tag."""
    scanner = _guardduty_scanner()
    assert _handle(_guardduty("fi_early", "THREATS_FOUND"), scanner) == "gone", "not recorded yet"
    _store("fi_early", {1: (b"MZ...", "pending")})
    _s3().put_object_tagging(
        Bucket=_bucket(),
        Key=_key("fi_early", 1),
        Tagging={
            "TagSet": [
                {"Key": "kumo-scan", "Value": "required"},
                {"Key": "GuardDutyMalwareScanStatus", "Value": "THREATS_FOUND"},
            ]
        },
    )
    assert _handle(_uploaded("fi_early"), scanner) == "quarantined"
    assert _status("fi_early") == ("infected", "infected")

    _store("fi_later", {1: (b"fine", "pending")})
    assert _handle(_uploaded("fi_later"), scanner) == "waiting", "no tag yet: GuardDuty's event will decide"
    assert _status("fi_later") == ("pending", "pending")
    assert _handle(_guardduty("fi_later", "NO_THREATS_FOUND"), scanner) == "cleared"


def test_guardduty_results_for_other_buckets_or_keys_are_ignored(published: list[Any]) -> None:
    _store("fi_elsewhere", {1: (b"x", "pending")})
    scanner = _guardduty_scanner()
    assert _handle(_guardduty("fi_elsewhere", "THREATS_FOUND", bucket="someone-elses-bucket"), scanner) == "ignored"
    other_key = _guardduty("fi_elsewhere", "THREATS_FOUND")
    other_key["detail"]["s3ObjectDetails"]["objectKey"] = "uploads/up_123"
    assert _handle(other_key, scanner) == "ignored"
    assert _status("fi_elsewhere") == ("pending", "pending") and published == []


# --- functions/scanner: the Lambda handler with Lambda's SQS batch ---------------------------------------


class Context:
    function_name = "kumo-scanner"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:kumo-scanner"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def _batch() -> dict[str, Any]:
    return json.loads((EVENTS / "scan_partner_uploaded.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _handler() -> Callable[..., Any]:
    from functions.scanner import app

    app._idempotent_handle.cache_clear()
    return app.handler  # type: ignore[no-any-return]


def test_handler_scans_a_batch_and_reports_a_bad_record_alone(published: list[Any]) -> None:
    body = json.loads(_batch()["Records"][0]["body"])
    file_id, space = body["detail"]["file_id"], body["detail"]["space_id"]
    from chalicelib.files.storage import FileRecord, VersionRecord, bind

    bind()
    key = body["detail"]["s3_key"]
    _s3().put_object(Bucket=_bucket(), Key=key, Body=_zip_with_eicar())
    when = datetime.now(UTC)
    VersionRecord(
        file_id,
        "00000001",
        s3_key=key,
        size=1,
        content_type="application/zip",
        uploaded_by="sakamoto.j",
        uploaded_at=when,
        scan_status="pending",
    ).save()
    FileRecord(
        file_id,
        kind="file",
        name=body["detail"]["name"],
        name_key="平面図.zip",
        parent_id="fo_x",
        space_id=space,
        owner_id="sakamoto.j",
        visibility="department",
        size=1,
        content_type="application/zip",
        version=1,
        status="active",
        scan_status="pending",
        created_at=when,
        updated_at=when,
    ).save()
    event = _batch()
    broken = copy.deepcopy(event["Records"][0])
    broken["messageId"] = "broken-1"
    broken_body = json.loads(broken["body"])
    broken_body["detail"].update(event_id="ev-broken", s3_key="uploads/not-a-version")
    broken["body"] = json.dumps(broken_body)
    event["Records"].append(broken)
    handler = _handler()
    assert handler(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "broken-1"}]}
    assert _status(file_id) == ("infected", "infected")
    assert handler(_batch(), Context()) == {"batchItemFailures": []}  # SQS delivers at least once
    assert len(published) == 1, "the redelivery was recognised by its event id"


def _zip_with_eicar() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("図面/平面図.txt", EICAR)
    return out.getvalue()
