"""functions/notifier with the SQS batch shape Lambda delivers (tests/events), on in-process moto."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from chalicelib.core.auth import Role
from chalicelib.directory.service import Staff

EVENTS = Path(__file__).resolve().parents[1] / "events"


class Context:
    function_name = "kumo-notifier"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:kumo-notifier"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _sample() -> dict[str, Any]:
    return json.loads((EVENTS / "notify_department_notice.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture
def directory(aws_mock: None) -> None:
    from chalicelib.local import demo

    demo_staff = [s for s in demo.STAFF if s.department_id == "somu"]
    from chalicelib.core.auth import Role  # noqa: F401 - roles come with the demo records
    from chalicelib.directory import service
    from chalicelib.directory.service import Staff

    for department in demo.DEPARTMENTS:
        service.save_department(department)
    for person in demo_staff:
        service.save_staff(Staff(person.staff_id, person.display_name, person.email, person.department_id, person.role))


def _inbox(staff_id: str) -> list[Any]:
    from chalicelib.core.auth import Principal, Role
    from chalicelib.notifications import service

    return service.inbox(Principal(staff_id, "", "", "somu", Role.MEMBER))


def _handler() -> Any:
    from functions.notifier import app

    return app.handler


def test_a_batch_becomes_notifications_for_the_right_people(directory: None) -> None:
    result = _handler()(_sample(), Context())
    assert result == {"batchItemFailures": []}
    texts = [n.kind for n in _inbox("yamada.k")]
    assert sorted(texts) == ["department_notice", "welcome"]
    assert _inbox("tanaka.h") == [], "the author is not notified of their own notice"


def test_a_redelivered_batch_creates_nothing_new(directory: None) -> None:
    handler = _handler()
    handler(_sample(), Context())
    handler(_sample(), Context())  # SQS delivers at least once
    assert len(_inbox("yamada.k")) == 2


def test_a_bad_record_is_reported_alone(directory: None) -> None:
    event = _sample()
    broken = copy.deepcopy(event["Records"][0])
    broken["messageId"] = "broken-1"
    body = json.loads(broken["body"])
    body["detail"] = {"event_id": "e-broken"}  # no department id
    broken["body"] = json.dumps(body)
    event["Records"].append(broken)
    result = _handler()(event, Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken-1"}]}
    assert len(_inbox("yamada.k")) == 2


def _event(source: str, detail_type: str, detail: dict[str, Any], message_id: str = "m-1") -> dict[str, Any]:
    body = {
        "version": "0",
        "id": f"ev-{message_id}",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-11-26T02:00:00Z",
        "region": "ap-northeast-1",
        "resources": [],
        "detail": detail,
    }
    record = copy.deepcopy(_sample()["Records"][0])
    record.update(messageId=message_id, body=json.dumps(body, ensure_ascii=False))
    return {"Records": [record]}


def test_a_quarantined_file_is_told_to_its_owner_in_their_language(directory: None) -> None:
    from chalicelib.core.i18n import gettext_for
    from chalicelib.notifications import texts

    detail = {
        "file_id": "fi_abc",
        "version": 1,
        "name": "見積書一式.zip",
        "space_id": "dept:somu",
        "folder_id": "fo_123",
        "owner_id": "yamada.k",
        "current": True,
        "scanner": "local",
        "status": "infected",
        "reason": "EICAR test file in 添付/readme.com",
        "quarantine_key": "quarantine/spaces/dept:somu/fi_abc/v00000001",
        "event_id": "e-quarantined",
    }
    result = _handler()(_event("kumo.scanning", "FileQuarantined", detail), Context())
    assert result == {"batchItemFailures": []}
    [notice] = _inbox("yamada.k")
    assert notice.kind == "file_quarantined" and notice.link == "/files/fo_123"
    japanese = texts.render(notice.kind, notice.params, gettext_for("ja"))
    english = texts.render(notice.kind, notice.params, gettext_for("en"))
    assert "見積書一式.zip" in japanese and "EICAR test file" in japanese and japanese != english
    assert english.startswith("見積書一式.zip was quarantined by the virus check")
    assert _inbox("tanaka.h") == [], "only the file's owner"


def test_a_cleared_file_tells_nobody(directory: None) -> None:
    detail = {
        "file_id": "fi_ok",
        "version": 1,
        "name": "報告書.txt",
        "space_id": "dept:somu",
        "folder_id": "fo_1",
        "owner_id": "yamada.k",
        "current": True,
        "scanner": "local",
        "s3_key": "k",
        "event_id": "e-clean",
    }
    handler = _handler()
    assert handler(_event("kumo.scanning", "FileCleared", detail), Context()) == {"batchItemFailures": []}
    assert _inbox("yamada.k") == []
    # Delivered again (a failed invocation returns its whole batch): the replayed result is 0,
    # which Powertools on its own gives back as None; the record must not fail on it.
    assert handler(_event("kumo.scanning", "FileCleared", detail), Context()) == {"batchItemFailures": []}


def _partner_uploaded(owner: str) -> dict[str, Any]:
    from chalicelib.core.event_catalogue import PartnerUploaded

    detail = PartnerUploaded(
        link_id="ln_1",
        owner_id=owner,
        notify=True,
        file_id="fi_1",
        version=1,
        s3_key="spaces/dept:somu/fi_1/v00000001",
        space_id="dept:somu",
        folder_id="fo_1",
        name="回答書.txt",
        uploader_name="山田建設 鈴木",
        uploader_email="",
    )
    wire = detail.event(event_id=f"e-upload-{owner}", occurred_at="2026-11-26T02:00:00+00:00").wire_detail()
    return _event("kumo.sharing", "PartnerUploaded", wire)


def test_the_notifier_sends_no_mail_itself_but_queues_one_job_per_mail(directory: None) -> None:
    """The inbox does not wait for SES: the mail goes from the mail queue (functions/mailer)."""
    from tests.support import mailer

    assert _handler()(_partner_uploaded("yamada.k"), Context()) == {"batchItemFailures": []}
    assert len(_inbox("yamada.k")) == 1
    assert mailer.waiting() == 1
    assert _mails_to() == ["yamada.k@pref.example.lg.jp"]
    assert mailer.waiting() == 0


def test_a_mailer_failing_after_the_mail_was_sent_does_not_send_it_again(
    directory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed mail job comes back from the queue, so the retry runs it all again: the mail
    (which cannot be taken back) is claimed per event and address before it is sent."""
    from botocore.exceptions import ClientError

    from chalicelib.sharing import mail
    from tests.support import mailer

    sent: list[str] = []
    real_send = mail.send

    def send_then_fail(to: str, subject: str, body: str, **headers: str | None) -> None:
        real_send(to, subject, body, **headers)
        sent.append(to)
        if len(sent) == 1:
            raise TimeoutError("the response was lost after SES accepted the mail")

    monkeypatch.setattr(mail, "send", send_then_fail)
    handler = _handler()
    assert handler(_partner_uploaded("yamada.k"), Context()) == {"batchItemFailures": []}
    with pytest.raises(BatchProcessingError):  # the mailer's first attempt fails (its only record did)
        mailer.deliver()
    assert mailer.deliver() == 1, "the retry takes the job off the queue"
    assert len(sent) == 1 and len(_inbox("yamada.k")) == 1

    def refused(to: str, subject: str, body: str, **headers: str | None) -> None:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendRawEmail")

    monkeypatch.setattr(mail, "send", refused)  # nothing was sent: the claim is given back for the retry
    assert handler(_partner_uploaded("tanaka.h"), Context()) == {"batchItemFailures": []}
    with pytest.raises(BatchProcessingError):
        mailer.deliver()
    monkeypatch.setattr(mail, "send", send_then_fail)
    assert mailer.deliver() == 1
    assert sent == ["yamada.k@pref.example.lg.jp", "tanaka.h@pref.example.lg.jp"]


def test_a_notifier_cut_short_after_queueing_its_mails_mails_each_person_once(
    directory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The jobs go on the queue before the event's claim: a run that dies in between queues them
    again on the retry, and the mailer's claim sends each mail once."""
    from chalicelib.notifications import transactions
    from tests.support import mailer

    real_write_each = transactions.write_each

    def crash(writes: Any) -> Any:
        raise TimeoutError("the function timed out before its transaction")

    monkeypatch.setattr(transactions, "write_each", crash)
    handler = _handler()
    with pytest.raises(TimeoutError):
        handler(_partner_uploaded("yamada.k"), Context())
    assert _inbox("yamada.k") == [] and mailer.waiting() == 1, "its mail was handed over, nothing written"
    monkeypatch.setattr(transactions, "write_each", real_write_each)
    assert handler(_partner_uploaded("yamada.k"), Context()) == {"batchItemFailures": []}
    assert handler(_partner_uploaded("yamada.k"), Context()) == {"batchItemFailures": []}, "and delivered once more"
    assert mailer.waiting() == 3
    assert len(_inbox("yamada.k")) == 1
    assert _mails_to() == ["yamada.k@pref.example.lg.jp"], "three jobs of the same mail, one mail"


def test_a_malformed_mail_job_fails_alone(directory: None) -> None:
    from datetime import UTC, datetime

    from chalicelib.notifications import mail_queue
    from chalicelib.notifications.service import Delivery
    from functions.mailer import app
    from tests.support.mailer import context as mailer_context

    good = mail_queue.body(
        [Delivery("yamada.k", "welcome", "e-1", datetime(2026, 11, 26, tzinfo=UTC), {"name": "山田"})]
    )
    records = [
        {"messageId": "bad", "body": '{"mails": [{"kind": "welcome"}]}'},
        {"messageId": "good", "body": good},
    ]
    assert app.handler({"Records": records}, mailer_context()) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert _mails_to() == ["yamada.k@pref.example.lg.jp"]


def _card_assigned(assignees: list[str], event_id: str = "e-assigned") -> dict[str, Any]:
    from chalicelib.core.project_events import CardAssigned

    detail = CardAssigned(
        project_id="pj_1",
        project_name="窓口改善",
        board_id="b_1",
        card_id="c_1",
        title="様式の見直し",
        assignee_ids=assignees,
        assigned_by="sato.m",
        assigned_by_name="佐藤",
    )
    wire = detail.event(event_id=event_id, occurred_at="2026-11-26T02:00:00+00:00").wire_detail()
    return _event("kumo.projects", "CardAssigned", wire)


def _mails_to() -> list[str]:
    """Who got a mail, once the mailer sent what the notifier queued (tests/support/mailer.py)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.local import outbox
    from tests.support import mailer

    mailer.deliver()
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    return [outbox.sent_mail(m)["destinations"]["ToAddresses"][0] for m in backend.sent_messages]


def _digest_lines(staff_id: str) -> list[Any]:
    from chalicelib.notifications.storage import DigestRecord, bind_prefs

    bind_prefs()
    return list(DigestRecord.query(staff_id, DigestRecord.item.startswith("queued#")))


def test_a_redelivered_event_writes_queues_and_mails_nothing_twice(directory: None) -> None:
    """The inbox items, the digest lines and the event's claim go in one transaction; the mails
    are claimed one by one: delivered again, the event adds nothing anywhere."""
    from chalicelib.core.auth import Principal, Role
    from chalicelib.notifications import preferences

    me = Principal("yamada.k", "", "", "somu", Role.MEMBER)
    preferences.change(me, preferences.PreferencesIn({"card_assigned": "digest"}))
    handler = _handler()
    for _ in range(3):  # SQS delivers at least once
        assert handler(_card_assigned(["yamada.k", "tanaka.h"]), Context()) == {"batchItemFailures": []}
    assert [n.kind for n in _inbox("yamada.k")] == ["card_assigned"]
    assert [n.kind for n in _inbox("tanaka.h")] == ["card_assigned"]
    assert len(_digest_lines("yamada.k")) == 1, "the digest lists it once"
    assert _digest_lines("tanaka.h") == []
    assert _mails_to() == ["tanaka.h@pref.example.lg.jp"], "mailed once, and only to who chose mail"


def test_an_event_cut_short_between_its_transactions_is_written_whole_once_by_the_retry(
    directory: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notice to 150 people takes two transactions (at most 100 writes each), the event's claim
    in the second: a run that dies before it leaves the first written, and the retry writes the
    rest without writing the first twice."""
    from chalicelib.core import idempotency
    from chalicelib.directory import service

    for n in range(150):
        service.save_staff(Staff(f"member{n:03d}", f"職員{n}", f"m{n}@pref.example.lg.jp", "somu", Role.MEMBER))
    real_claim = idempotency.claim_write

    def crash(key: str) -> dict[str, Any]:
        raise TimeoutError("the function timed out between two transactions")

    monkeypatch.setattr(idempotency, "claim_write", crash)
    handler = _handler()
    with pytest.raises(BatchProcessingError):
        handler(_sample(), Context())
    first = sum(len(_inbox(f"member{n:03d}")) for n in range(150))
    assert 0 < first < 150, "the first transaction was written, not the second"

    monkeypatch.setattr(idempotency, "claim_write", real_claim)
    assert handler(_sample(), Context()) == {"batchItemFailures": []}
    assert handler(_sample(), Context()) == {"batchItemFailures": []}, "and once more: already handled"
    counts = {len([x for x in _inbox(f"member{n:03d}") if x.kind == "department_notice"]) for n in range(150)}
    assert counts == {1}, "every member has the notice exactly once"


def test_the_coordinator_of_two_units_a_survey_is_sent_to_hears_of_it_once(directory: None) -> None:
    """One event reaches them twice (once per 所属); one transaction may not write one item twice."""
    from dataclasses import replace

    from chalicelib.core.auth import Post
    from chalicelib.core.event_catalogue import SurveyIssued
    from chalicelib.directory import org, service
    from chalicelib.directory.placement import Placement

    org.save_units(
        [
            org.OrgUnit("zaisei", "財政課", "Finance", org.UnitKind.SHOZOKU, "somu"),
            org.OrgUnit("jinji", "人事課", "Personnel", org.UnitKind.SHOZOKU, "somu"),
        ]
    )
    both = Staff("kenmu.k", "兼務 一郎", "kenmu.k@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(
        replace(both, unit_id="zaisei", post=Post.COORDINATOR, concurrent=(Placement("jinji", post=Post.COORDINATOR),))
    )
    detail = SurveyIssued(
        survey_id="sv_1",
        number="財政第1号",
        title="予算要求の照会",
        issuer_unit_id="somu",
        target_unit_ids=["zaisei", "jinji"],
        deadline="2026-12-10T08:00:00+00:00",
    )
    wire = detail.event(event_id="e-issued", occurred_at="2026-11-26T02:00:00+00:00").wire_detail()
    assert _handler()(_event("kumo.surveys", "SurveyIssued", wire), Context()) == {"batchItemFailures": []}
    assert [n.kind for n in _inbox("kenmu.k")] == ["survey_issued"]
    assert _mails_to() == ["kenmu.k@pref.example.lg.jp"]


@pytest.mark.parametrize("limit", [50, 3])
def test_the_inbox_page_says_how_many_are_unread_whether_or_not_it_holds_them_all(aws_mock: None, limit: int) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.core.auth import Principal
    from chalicelib.notifications import service

    start = datetime(2026, 12, 1, tzinfo=UTC)
    service.deliver(
        [
            service.Delivery("sato.m", "welcome", f"e{i}", start + timedelta(minutes=i), {"name": "佐藤"})
            for i in range(5)
        ]
    )
    reader = Principal("sato.m", "佐藤", "", "somu", Role.MEMBER)
    oldest = service.inbox(reader)[-1]
    service.mark_read(reader, oldest.notification_id)  # read: the oldest, beyond a page of 3

    items, unread = service.inbox_with_unread(reader, limit=limit)
    assert len(items) == min(limit, 5)
    assert unread == 4, "the count covers the whole inbox, not only the page shown"
    assert unread == service.unread_count(reader)
