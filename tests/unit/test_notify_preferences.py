"""Each person's notification settings (notifications/kinds.py, preferences.py), quiet hours with
祝日 (quiet.py), the daily digest's grouping and once-only sending (digest.py) and the signed
unsubscribe link (unsubscribe.py)."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from chalicelib.notifications import kinds, quiet
from chalicelib.notifications.kinds import Choice, Route

JST = timezone(timedelta(hours=9))
MEMBER = "fujita.e"
ROUTING = Path(__file__).resolve().parents[2] / "chalicelib" / "notifications"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


# --- the catalogue and the resolution ------------------------------------------------------------


def test_every_kind_the_routing_can_make_is_on_the_settings_page_with_a_text() -> None:
    from chalicelib.notifications import texts

    made: set[str] = set()
    for name in ("routing.py", "survey_routing.py", "project_routing.py"):
        for node in ast.walk(ast.parse((ROUTING / name).read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in texts.TEXTS:
                made.add(node.value)
    # f"consent_{outcome}_you" / _owner: built from parts, so named here.
    made |= {"consent_given_you", "consent_refused_you", "consent_given_owner", "consent_refused_owner"}
    assert set(kinds.BY_KEY) == set(texts.TEXTS)
    assert made <= set(kinds.BY_KEY)
    assert {k.group for k in kinds.KINDS} == set(kinds.GROUPS)


def test_defaults_are_what_kumo_mailed_before() -> None:
    resolved = {k.key: kinds.resolve(k.key, None, quiet=False) for k in kinds.KINDS}
    assert resolved["card_assigned"] is Route.MAIL_NOW and resolved["survey_issued"] is Route.MAIL_NOW
    assert resolved["partner_upload"] is Route.MAIL_NOW
    assert resolved["project_added"] is Route.INBOX and resolved["share_accessed"] is Route.INBOX


@pytest.mark.parametrize("choice", list(Choice))
def test_a_person_s_choice_applies_but_mandatory_kinds_stay_mailed(choice: Choice) -> None:
    expected = {Choice.INBOX: Route.INBOX, Choice.MAIL: Route.MAIL_NOW, Choice.DIGEST: Route.DIGEST}
    assert kinds.resolve("card_assigned", choice, quiet=False) is expected.get(choice, Route.NOTHING)
    for mandatory in ("survey_reminder", "survey_overdue", "consent_requested", "file_quarantined"):
        assert kinds.resolve(mandatory, choice, quiet=False) is Route.MAIL_NOW, mandatory
        assert kinds.BY_KEY[mandatory].choices == (Choice.MAIL,)


def test_quiet_hours_hold_mail_for_the_digest_but_leave_inbox_only_alone() -> None:
    assert kinds.resolve("card_assigned", None, quiet=True) is Route.DIGEST
    assert kinds.resolve("survey_reminder", None, quiet=True) is Route.DIGEST  # held, still mailed
    assert kinds.resolve("project_added", None, quiet=True) is Route.INBOX
    assert kinds.resolve("card_assigned", Choice.OFF, quiet=True) is Route.NOTHING
    assert kinds.resolve("no_such_kind", Choice.MAIL, quiet=False) is Route.INBOX


# --- quiet hours and working days ------------------------------------------------------------------


def test_quiet_hours_across_a_weekend_and_seijin_no_hi() -> None:
    # Friday 2027-01-08, then Sat, Sun, and Monday 2027-01-11 is 成人の日: back on Tuesday the 12th.
    assert not quiet.is_quiet(at("2027-01-08T19:59"))
    assert quiet.is_quiet(at("2027-01-08T20:00"))
    assert quiet.is_quiet(at("2027-01-09T12:00")) and quiet.is_quiet(at("2027-01-10T12:00"))
    assert quiet.is_quiet(at("2027-01-11T12:00")), "成人の日 is a holiday (jpholiday)"
    assert quiet.is_quiet(at("2027-01-12T06:59"))
    assert not quiet.is_quiet(at("2027-01-12T07:00"))
    friday_night = at("2027-01-08T21:00")
    assert quiet.digest_day(friday_night) == date(2027, 1, 12)
    assert quiet.digest_day(at("2027-01-12T08:29")) == date(2027, 1, 12)
    assert quiet.digest_day(at("2027-01-12T08:30")) == date(2027, 1, 13)
    assert quiet.digest_due(at("2027-01-11T09:00")) is None
    assert quiet.digest_due(at("2027-01-12T08:29")) is None
    assert quiet.digest_due(at("2027-01-12T08:30")) == date(2027, 1, 12)
    # UTC input: 2027-01-11T23:30Z is Tuesday 08:30 in Japan.
    assert quiet.digest_due(datetime(2027, 1, 11, 23, 30, tzinfo=UTC)) == date(2027, 1, 12)


# --- the unsubscribe link ---------------------------------------------------------------------------


def test_the_unsubscribe_signature_refuses_tampering_and_other_kinds() -> None:
    from chalicelib.notifications import unsubscribe

    good = unsubscribe.token(MEMBER, "card_assigned")
    assert unsubscribe.verify(good) == (MEMBER, "card_assigned")
    staff, kind, signature = good.split(".")
    other_kind = unsubscribe.token(MEMBER, "comment_mentioned").split(".")[1]
    other_person = unsubscribe.token("yamada.k", "card_assigned").split(".")[0]
    for bad in (
        f"{staff}.{other_kind}.{signature}",
        f"{other_person}.{kind}.{signature}",
        f"{staff}.{kind}.{signature[:-2]}AA",
        "nonsense",
        f"{staff}.{kind}",
    ):
        with pytest.raises(unsubscribe.BadLink):
            unsubscribe.verify(bad)


def test_the_key_is_required_outside_local(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config

    for name in config.REQUIRED_OUTSIDE_LOCAL:
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("KUMO_STAGE", "prod")
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    monkeypatch.setenv("KUMO_BASE_URL", "https://kumo.example.lg.jp")
    monkeypatch.delenv("KUMO_MAIL_LINK_SECRET_ARN")
    with pytest.raises(config.SettingsError, match="KUMO_MAIL_LINK_SECRET_ARN"):
        config.from_environ(dict(__import__("os").environ))


# --- settings stored, unsubscribe applied (in-process moto) ----------------------------------------


@pytest.fixture
def people(aws_mock: None) -> None:
    from tests.unit.test_project_notifications import demo_project

    demo_project()


def _me(staff_id: str = MEMBER) -> Any:
    from tests.unit.test_project_notifications import me

    return me(staff_id)


def test_a_change_is_stored_and_a_mandatory_kind_is_refused(people: None) -> None:
    from chalicelib.core.errors import BadRequest
    from chalicelib.notifications import preferences

    assert preferences.mine(_me()).choice("card_assigned") is Choice.MAIL
    preferences.change(_me(), preferences.PreferencesIn({"card_assigned": "digest"}, quiet_hours=False))
    stored = preferences.mine(_me())
    assert stored.choice("card_assigned") is Choice.DIGEST and stored.quiet_hours is False
    assert preferences.mine(_me("yamada.k")).choice("card_assigned") is Choice.MAIL, "each person their own"
    for refused in ({"survey_reminder": "off"}, {"no_such": "mail"}, {"card_assigned": "loud"}):
        with pytest.raises(BadRequest):
            preferences.change(_me(), preferences.PreferencesIn(refused))


def test_an_unsubscribe_link_moves_only_its_kind_to_the_inbox(people: None) -> None:
    from chalicelib.core.errors import BadRequest, NotFound
    from chalicelib.notifications import preferences, unsubscribe

    preferences.change(_me(), preferences.PreferencesIn({"comment_mentioned": "digest"}))
    preferences.unsubscribe_from(unsubscribe.token(MEMBER, "card_assigned"))
    after = preferences.mine(_me())
    assert after.choice("card_assigned") is Choice.INBOX
    assert after.choice("comment_mentioned") is Choice.DIGEST and after.choice("card_due_soon") is Choice.MAIL
    with pytest.raises(NotFound):
        preferences.unsubscribe_from(unsubscribe.token(MEMBER, "card_assigned")[:-3] + "xyz")
    with pytest.raises(BadRequest):
        preferences.unsubscribe_from(unsubscribe.token(MEMBER, "survey_reminder"))


# --- the digest ------------------------------------------------------------------------------------


def _delivery(kind: str, n: int, when: datetime, **params: Any) -> Any:
    from chalicelib.notifications.service import Delivery

    return Delivery(MEMBER, kind, f"evt_{kind}_{n}", when, params=params, link=f"/x/{kind}/{n}")


def _sent_mail() -> list[tuple[str, str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.local import outbox

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    sent = [outbox.sent_mail(m) for m in backend.sent_messages]
    return [(m["destinations"]["ToAddresses"][0], m["subject"], m["body"]) for m in sent]


def test_the_digest_groups_by_kind_and_is_sent_once(people: None) -> None:
    from chalicelib.notifications import digest

    monday_night = at("2027-01-08T21:00")  # Friday night: due Tuesday 12th (11th is 成人の日)
    card = {"by": "山田 健一", "project": "窓口DX検討"}
    for n, title in enumerate(["資料A", "資料B", "資料C"]):
        assert digest.enqueue(_delivery("card_assigned", n, monday_night, title=title, **card), monday_night)
    assert not digest.enqueue(_delivery("card_assigned", 0, monday_night, title="資料A", **card), monday_night)
    digest.enqueue(_delivery("project_added", 9, monday_night, **card), monday_night)

    assert digest.send_due(at("2027-01-11T09:00")) == 0, "no digest on a holiday"
    assert digest.send_due(at("2027-01-12T08:30")) == 1
    assert digest.send_due(at("2027-01-12T08:31")) == 0, "a second run sends nothing"
    assert digest.send_due(at("2027-01-13T08:30")) == 0, "nothing waits: nothing sent"
    ((to, subject, body),) = _sent_mail()
    assert to == f"{MEMBER}@pref.example.lg.jp" and "（4）" in subject
    assigned, added = body.index("資料A"), body.index("/x/project_added/9")
    assert body.index("資料A") < body.index("資料B") < body.index("資料C") < added
    assert body.count("/unsubscribe/") == 2, "one link per kind"
    assert assigned > 0


def test_a_digest_another_run_reserved_is_not_sent_again(people: None) -> None:
    """Two sweeps at once: the one that loses the conditional put sends nothing (the race itself
    runs against the local stack's DynamoDB in tests/integration/test_notify_settings.py; in-process
    moto does not apply a conditional put atomically across threads)."""
    from chalicelib.core.storage import save_if_absent
    from chalicelib.notifications import digest
    from chalicelib.notifications.storage import DigestRecord

    when = at("2027-01-12T07:00")
    for n in range(3):
        digest.enqueue(_delivery("card_assigned", n, when, title=f"カード{n}", by="山田", project="P"), when)
    assert save_if_absent(DigestRecord(MEMBER, "sent#2027-01-12", created_at=when), DigestRecord.item)
    assert digest.send_due(at("2027-01-12T09:00")) == 0
    assert _sent_mail() == []
    assert digest.send_due(at("2027-01-13T09:00")) == 1, "still waiting: the next day's digest lists them"
    assert "カード2" in _sent_mail()[0][2]


def test_a_notice_listed_by_a_digest_that_crashed_after_sending_is_not_listed_again(people: None) -> None:
    from chalicelib.notifications import digest
    from chalicelib.notifications.storage import DigestRecord

    when = at("2027-01-12T07:00")
    digest.enqueue(_delivery("card_assigned", 1, when, title="一度だけ", by="山田", project="P"), when)
    digest.enqueue(_delivery("card_assigned", 2, when, title="新しい方", by="山田", project="P"), when)
    (left,) = [r for r in DigestRecord.query(MEMBER) if r.item.endswith("evt_card_assigned_1")]
    left.update(actions=[DigestRecord.items.set(20270112)])  # claimed by a digest whose run died after SES
    assert digest.send_due(at("2027-01-13T09:00")) == 1
    body = _sent_mail()[0][2]
    assert "新しい方" in body and "一度だけ" not in body


def test_a_person_s_settings_route_an_event(people: None) -> None:
    from chalicelib.core.project_events import CardAssigned
    from chalicelib.notifications import email, preferences, routing

    preferences.change(_me(), preferences.PreferencesIn({"card_assigned": "digest"}))
    event = (
        CardAssigned(
            project_id="p_1",
            project_name="窓口DX検討",
            board_id="brd_1",
            card_id="C_1",
            title="申請書様式の棚卸し",
            assignee_ids=[MEMBER, "ogata.r"],
            assigned_by="yamada.k",
            assigned_by_name="山田 健一",
        )
        .event()
        .as_delivered()
    )
    planned = {p.delivery.staff_id: p.route for p in email.plan(routing.deliveries_for(event))}
    assert planned == {MEMBER: Route.DIGEST, "ogata.r": Route.MAIL_NOW}


# --- the digest's time, per person ------------------------------------------------------------------


def test_a_digest_time_is_one_of_those_offered(people: None) -> None:
    from datetime import time

    from chalicelib.core.errors import BadRequest
    from chalicelib.notifications import preferences

    assert preferences.mine(_me()).digest_at == time(8, 30), "the default"
    preferences.change(_me(), preferences.PreferencesIn({}, digest_at="17:00"))
    assert preferences.mine(_me()).digest_at == time(17, 0)
    for refused in ("09:10", "25:00", "noon"):
        with pytest.raises(BadRequest):
            preferences.change(_me(), preferences.PreferencesIn({}, digest_at=refused))
    assert preferences.mine(_me()).digest_at == time(17, 0), "a refused time changes nothing"
    preferences.change(_me(), preferences.PreferencesIn({"card_assigned": "digest"}))
    assert preferences.mine(_me()).digest_at == time(17, 0), "changing a kind keeps the time"


def test_each_person_s_digest_comes_at_their_time_once(people: None) -> None:
    from chalicelib.notifications import digest, email, preferences

    noon, early = MEMBER, "ogata.r"
    preferences.change(_me(noon), preferences.PreferencesIn({"card_assigned": "digest"}, digest_at="12:00"))
    preferences.change(_me(early), preferences.PreferencesIn({"card_assigned": "digest"}, digest_at="07:30"))
    tuesday_ten = at("2027-01-12T10:00")
    notice = _delivery("card_assigned", 1, tuesday_ten, title="午前の依頼", by="山田", project="P")
    deliveries = [notice, replace(notice, staff_id=early)]
    email.send_planned(email.plan(deliveries, tuesday_ten), tuesday_ten)

    assert digest.send_due(at("2027-01-12T11:45")) == 0, "before noon: not yet; 07:30 has passed for today"
    assert digest.send_due(at("2027-01-12T12:00")) == 1
    assert digest.send_due(at("2027-01-12T12:15")) == 0, "once a day"
    assert [to for to, _, _ in _sent_mail()] == [f"{noon}@pref.example.lg.jp"]
    assert digest.send_due(at("2027-01-13T07:15")) == 0
    assert digest.send_due(at("2027-01-13T07:30")) == 1, "arrived after 07:30: the next working day's"
    assert [to for to, _, _ in _sent_mail()][-1] == f"{early}@pref.example.lg.jp"
    assert quiet.digest_day(tuesday_ten, quiet.DIGEST_AT) == date(2027, 1, 13)


# --- raw mail: List-Unsubscribe (RFC 8058) -----------------------------------------------------------


def _raw_mail() -> list[dict[str, Any]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.local import outbox

    return [outbox.sent_mail(m) for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"].sent_messages]


def test_a_japanese_subject_and_body_survive_the_raw_message() -> None:
    import email
    import email.policy

    from chalicelib.sharing import mail

    subject = "【Kumo】照会「令和8年度 会議室の利用状況調査」が届きました（期限 12月24日 17:00）"
    link = "https://kumo.example.lg.jp/unsubscribe/" + "x" * 120
    raw = mail.compose("ogata.r@pref.example.lg.jp", subject, "緒方 様\n\n本文\n", unsubscribe=link)
    assert raw.isascii(), "7-bit: encoded words and base64"
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == subject and parsed.get_content() == "緒方 様\r\n\r\n本文\r\n"
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in b"\r\n" + raw, "one line, never encoded words"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with pytest.raises(ValueError):
        mail.compose("a@b.example", "件名\r\nBcc: c@d.example", "本文")
    with pytest.raises(ValueError):
        mail.compose("a@b.example", "件名", "本文", unsubscribe=link + "\r\nBcc: c@d.example")
    assert b"List-Unsubscribe" not in mail.compose("a@b.example", "確認コード", "123456"), "no subscription"


def test_a_notice_mail_carries_its_one_click_link_but_a_mandatory_one_none(people: None) -> None:
    from chalicelib.notifications import email, preferences, unsubscribe

    when = at("2027-01-12T10:00")
    mentioned = _delivery("comment_mentioned", 1, when, by="山田", project="P", card="カード")
    reminder = _delivery("survey_reminder", 2, when, number="人事第1号", title="調査", deadline="1/20")
    email.send_planned(email.plan([mentioned, reminder], when), when)
    by_kind = {("/x/comment_mentioned/1" in m["body"]): m for m in _raw_mail()}
    link = unsubscribe.link(MEMBER, "comment_mentioned")
    assert by_kind[True]["headers"] == {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert link in by_kind[True]["body"], "the same link in the body, for a reader without the header"
    assert by_kind[False]["headers"] == {}, "a 督促 cannot be stopped: no one-click that would be refused"
    preferences.unsubscribe_from(unsubscribe.token(MEMBER, "comment_mentioned"))
    assert preferences.mine(_me()).choice("comment_mentioned") is Choice.INBOX


def test_the_digest_s_one_click_stops_the_digest(people: None) -> None:
    from chalicelib.notifications import digest, kinds, preferences, unsubscribe

    preferences.change(_me(), preferences.PreferencesIn({"card_assigned": "digest", "project_added": "digest"}))
    when = at("2027-01-12T07:00")
    digest.enqueue(_delivery("card_assigned", 1, when, title="棚卸し", by="山田", project="P"), when)
    assert digest.send_due(at("2027-01-12T08:30")) == 1
    (sent,) = _raw_mail()
    assert sent["headers"]["List-Unsubscribe"] == f"<{unsubscribe.link(MEMBER, kinds.DIGEST_MAIL.key)}>"
    token = sent["headers"]["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    assert preferences.unsubscribe_from(token) is kinds.DIGEST_MAIL
    after = preferences.mine(_me())
    assert after.choice("card_assigned") is Choice.INBOX and after.choice("project_added") is Choice.INBOX
    assert after.choice("comment_mentioned") is Choice.MAIL, "only what went to the digest changes"
