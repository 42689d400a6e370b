"""The notifier's SQS batch handled as one (notifications/fanout.py): shared reads and writes,
each event still failing, retried and written exactly once on its own."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from chalicelib.core.auth import Role
from chalicelib.directory.service import Staff
from tests.unit.test_notifier import Context, _handler, _inbox, _mails_to, directory  # noqa: F401 - fixture


def _uploaded(owner: str, n: int) -> dict[str, Any]:
    """One SQS record: a partner uploaded into a link of `owner`'s (routes to the owner, no reads)."""
    from chalicelib.core.event_catalogue import PartnerUploaded

    detail = PartnerUploaded(
        link_id=f"ln_{n}",
        owner_id=owner,
        notify=True,
        file_id=f"fi_{n}",
        version=1,
        s3_key=f"spaces/dept:somu/fi_{n}/v00000001",
        space_id="dept:somu",
        folder_id="fo_1",
        name=f"見積書{n}.xlsx",
        uploader_name="山田建設 鈴木",
        uploader_email="",
    )
    body = {
        "version": "0",
        "id": f"ev-{n}",
        "detail-type": "PartnerUploaded",
        "source": "kumo.sharing",
        "account": "123456789012",
        "time": "2026-11-26T02:00:00Z",
        "region": "ap-northeast-1",
        "resources": [],
        "detail": detail.event(event_id=f"e-batch-{n}", occurred_at="2026-11-26T02:00:00+00:00").wire_detail(),
    }
    return {
        "messageId": f"m-{n}",
        "receiptHandle": f"r-{n}",
        "body": json.dumps(body, ensure_ascii=False),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:kumo-notify",
        "awsRegion": "ap-northeast-1",
    }


@pytest.fixture
def owners(directory: None) -> list[str]:  # noqa: F811
    from chalicelib.directory import service

    people = [f"owner{n}" for n in range(10)]
    for person in people:
        service.save_staff(Staff(person, f"職員 {person}", f"{person}@pref.example.lg.jp", "somu", Role.MEMBER))
    return people


def _calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    from botocore.client import BaseClient

    seen: Counter[str] = Counter()
    real = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        seen[f"{client.meta.service_model.service_name}.{operation}"] += 1
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    return seen


def test_a_batch_of_ten_events_shares_its_reads_and_writes(owners: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import mailer

    calls = _calls(monkeypatch)
    batch = {"Records": [_uploaded(owner, n) for n, owner in enumerate(owners)]}
    assert _handler()(batch, Context()) == {"batchItemFailures": []}
    # mutes and settings read in one call; the ten mail jobs handed over in one call; the inbox items
    # with the events' claims in one transaction; one counter write. One event at a time it was 6 or
    # 7 calls each, mail included.
    assert calls.pop("sqs.GetQueueUrl") == 1, "the mail queue's address, read once per container"
    notifier = dict(calls)
    assert notifier == {
        "dynamodb.BatchGetItem": 1,
        "sqs.SendMessageBatch": 1,
        "dynamodb.TransactWriteItems": 1,
        "dynamodb.UpdateItem": 1,
    }, notifier
    for owner in owners:
        assert [n.kind for n in _inbox(owner)] == ["partner_upload"]
    calls.clear()
    assert mailer.deliver() == 1, "the batch's ten mails in one job"
    # The mailer: the ten people read at once, each mail claimed right before it goes, one counter write.
    dynamodb = {k: v for k, v in calls.items() if k.startswith("dynamodb.")}
    assert dynamodb == {"dynamodb.BatchGetItem": 1, "dynamodb.PutItem": 10, "dynamodb.UpdateItem": 1}, dynamodb
    assert calls["sesv2.SendEmail"] + calls["ses.SendRawEmail"] == 10
    assert sorted(_mails_to()) == sorted(f"{o}@pref.example.lg.jp" for o in owners)


def test_each_event_of_a_batch_fails_and_is_retried_alone(owners: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed record, a mail SES refuses, a redelivered event and a second copy of one event
    in the same batch: only the malformed one is reported; the refused mail alone is tried again
    (its inbox item is not held back); each is written and mailed once."""
    from botocore.exceptions import ClientError

    from chalicelib.sharing import mail
    from tests.support import mailer

    handler = _handler()
    assert handler({"Records": [_uploaded(owners[0], 0)]}, Context()) == {"batchItemFailures": []}
    broken = _uploaded(owners[1], 1)
    body = json.loads(broken["body"])
    body["detail"].pop("owner_id")
    broken.update(messageId="m-broken", body=json.dumps(body, ensure_ascii=False))
    twice = _uploaded(owners[3], 3)
    copy_of = copy.deepcopy(twice) | {"messageId": "m-3-again"}
    real_send = mail.send_partner_upload

    def refuse_for_owner2(to: str, **kwargs: Any) -> None:
        if to.startswith("owner2@"):
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": "no"}}, "SendRawEmail")
        real_send(to, **kwargs)

    monkeypatch.setattr(mail, "send_partner_upload", refuse_for_owner2)
    batch = {"Records": [_uploaded(owners[0], 0), broken, _uploaded(owners[2], 2), twice, copy_of]}
    result = handler(batch, Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-broken"}]}
    assert [n.kind for n in _inbox(owners[2])] == ["partner_upload"], "the inbox does not wait for the mail"
    assert [n.kind for n in _inbox(owners[3])] == ["partner_upload"]
    mailer.deliver()
    assert mailer.waiting() == 1, "the refused mail is back on the queue"

    monkeypatch.setattr(mail, "send_partner_upload", real_send)
    assert handler({"Records": [_uploaded(owners[2], 2), twice]}, Context()) == {"batchItemFailures": []}
    for owner in (owners[0], owners[2], owners[3]):
        assert len(_inbox(owner)) == 1, owner
    assert sorted(_mails_to()) == sorted(f"{owners[n]}@pref.example.lg.jp" for n in (0, 2, 3)), "each mailed once"


def test_the_events_of_a_batch_read_a_departments_people_once(
    directory: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three 照会 reminders to one 所属 in one batch: its 部局 and the people placed elsewhere are
    read once; a person made its 取りまとめ担当 after the batch is found by the next one."""
    from dataclasses import replace

    from chalicelib.core.auth import Post
    from chalicelib.directory import org, service

    org.save_units([org.OrgUnit("zaisei", "財政課", "Finance", org.UnitKind.SHOZOKU, "somu")])
    first = Staff("torimatome.a", "取纏 一郎", "a@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(replace(first, unit_id="zaisei", post=Post.COORDINATOR))
    calls = _calls(monkeypatch)
    with service.reads_cached():
        found = [service.coordinators_of_units(["zaisei"])["zaisei"] for _ in range(3)]
    assert [[s.staff_id for s in people] for people in found] == [["torimatome.a"]] * 3
    assert calls["dynamodb.Query"] == 2, "the 部局 and the people placed elsewhere, once each"

    second = Staff("torimatome.b", "取纏 次郎", "b@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(replace(second, unit_id="zaisei", post=Post.COORDINATOR))
    with service.reads_cached():
        again = service.coordinators_of_units(["zaisei"])["zaisei"]
    assert sorted(s.staff_id for s in again) == ["torimatome.a", "torimatome.b"]


def test_mutes_and_settings_of_many_people_are_read_across_both_tables_a_hundred_keys_a_call(
    aws_mock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """core/storage.batch_get_across: 150 settings and 30 mutes in two calls; a key with no item
    is left out; keys DynamoDB hands back unprocessed are asked again."""
    from datetime import UTC, datetime

    from botocore.client import BaseClient

    from chalicelib.core.storage import batch_get_across
    from chalicelib.notifications.storage import MuteRecord, PreferenceRecord, bind_mutes, bind_prefs

    bind_mutes()
    bind_prefs()
    for n in range(0, 150, 2):
        PreferenceRecord(f"p{n:03d}", choices={"welcome": "off"}).save()
    for n in range(0, 30, 3):
        MuteRecord(f"p{n:03d}", f"share:ln_{n}", muted_at=datetime.now(UTC)).save()
    real = BaseClient._make_api_call
    sizes: list[int] = []

    def first_call_hands_one_key_back(client: Any, operation: str, params: Any) -> Any:
        answer = real(client, operation, params)
        if operation == "BatchGetItem":
            sizes.append(sum(len(t["Keys"]) for t in params["RequestItems"].values()))
            if len(sizes) == 1:
                table, request = next(iter(params["RequestItems"].items()))
                key = request["Keys"][0]
                answer["Responses"][table] = [i for i in answer["Responses"].get(table, []) if not _same_key(i, key)]
                answer["UnprocessedKeys"] = {table: {"Keys": [key]}}
        return answer

    monkeypatch.setattr(BaseClient, "_make_api_call", first_call_hands_one_key_back)
    found = batch_get_across(
        {
            MuteRecord: [(f"p{n:03d}", f"share:ln_{n}") for n in range(30)],
            PreferenceRecord: [f"p{n:03d}" for n in range(150)],
        }
    )
    assert sorted(r.staff_id for r in found[PreferenceRecord]) == [f"p{n:03d}" for n in range(0, 150, 2)]
    assert sorted((r.staff_id, r.subject) for r in found[MuteRecord]) == [
        (f"p{n:03d}", f"share:ln_{n}") for n in range(0, 30, 3)
    ]
    assert sizes == [100, 1, 80], "a hundred keys a call, the one handed back asked again"


def _same_key(item: dict[str, Any], key: dict[str, Any]) -> bool:
    return all(item.get(name) == value for name, value in key.items())


def test_mail_jobs_hold_up_to_25_mails_and_stay_far_below_sqs_size_limit() -> None:
    from datetime import UTC, datetime

    from chalicelib.notifications import mail_queue
    from chalicelib.notifications.service import Delivery

    when = datetime(2026, 11, 26, tzinfo=UTC)
    mails = [(n // 10, Delivery(f"p{n}", "welcome", f"e-{n // 10}", when, {"name": "山田"})) for n in range(60)]
    jobs = mail_queue._pack(mails)
    assert [len(mail_queue.parse(text)) for _, text in jobs] == [25, 25, 10]
    assert [sorted(events) for events, _ in jobs] == [[0, 1, 2], [2, 3, 4], [5]], "each job knows its events"
    long = [(n, Delivery(f"p{n}", "department_notice", f"e-{n}", when, {"title": "長" * 20_000})) for n in range(8)]
    sizes = [len(text.encode()) for _, text in mail_queue._pack(long)]
    assert len(sizes) > 1 and max(sizes) <= mail_queue.JOB_BYTES
    assert [d.staff_id for _, text in mail_queue._pack(long) for d in mail_queue.parse(text)] == [
        f"p{n}" for n in range(8)
    ], "every mail once, in order"
