"""The personal iCal feed: the document read back by the icalendar parser, and the secret URL
(stored only as its SHA-256, reset and stopped at once, counted per hour) on in-process moto."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import NotFound, TooManyRequests
from chalicelib.projects import feeds, ical
from chalicelib.projects.tasks import MyItem, Task

STAMP = datetime(2027, 1, 10, 3, 0, tzinfo=UTC)
TRICKY = "打合せ, 資料; 第2版\n(差替え)\\再確認"


def _task(card_id: str, title: str, due: str | None, *, items: tuple[MyItem, ...] = ()) -> Task:
    return Task("P_1", "窓口DX検討", "B_1", card_id, title, due, False, True, items)


def _document(tasks: list[Task]) -> Calendar:
    body = ical.calendar(
        tasks,
        name="Kumo 自分のタスク",
        calendar_uid="tasks-1@kumo",
        base_url="https://kumo.example.lg.jp/",
        stamp=STAMP,
        translate=lambda s: s,
    )
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(body)


def test_each_task_with_a_due_date_is_an_all_day_event_with_the_cards_uid() -> None:
    cal = _document(
        [_task("C_a", "説明会資料", "2027-01-11"), _task("C_b", "予算要求", "2027-02-01"), _task("C_c", "x", None)]
    )

    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}

    assert set(events) == {"C_a@kumo", "C_b@kumo"}  # no due date: not in the calendar
    first = events["C_a@kumo"]
    assert first.decoded("DTSTART") == date(2027, 1, 11) and type(first.decoded("DTSTART")) is date  # all day
    assert first.decoded("DTEND") == date(2027, 1, 12)
    assert first["DTSTART"].params.get("VALUE") == "DATE"
    assert first.decoded("DTSTAMP") == STAMP
    assert str(first["SUMMARY"]) == "説明会資料"
    assert str(first["TRANSP"]) == "TRANSPARENT"
    link = "https://kumo.example.lg.jp/projects/P_1/boards/B_1?card=C_a"
    assert str(first["URL"]) == link
    assert str(first["DESCRIPTION"]).splitlines() == ["Project: 窓口DX検討", link]
    assert str(cal["X-WR-CALNAME"]) == "Kumo 自分のタスク" and str(cal["X-WR-TIMEZONE"]) == "Asia/Tokyo"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_the_same_card_keeps_its_uid_in_every_fetch() -> None:
    before = _document([_task("C_a", "旧題", "2027-01-11")])
    after = _document([_task("C_a", "新題", "2027-01-12")])

    assert [str(e["UID"]) for e in before.walk("VEVENT")] == [str(e["UID"]) for e in after.walk("VEVENT")]


def test_commas_semicolons_newlines_and_backslashes_in_a_title_survive_the_round_trip() -> None:
    body = ical.calendar(
        [_task("C_a", TRICKY, "2027-01-11", items=(MyItem("k", "確認; 押印, 回付", False),))],
        name="n",
        calendar_uid="u",
        base_url="https://k",
        stamp=STAMP,
        translate=lambda s: s,
    )

    assert b"SUMMARY:\xe6\x89\x93\xe5\x90\x88\xe3\x81\x9b\\, " in body  # escaped on the wire (RFC 5545 3.3.11)
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded in octets
    event = next(iter(Calendar.from_ical(body).walk("VEVENT")))
    assert str(event["SUMMARY"]) == TRICKY
    assert "- 確認; 押印, 回付" in str(event["DESCRIPTION"]).splitlines()


def _person(staff_id: str) -> Principal:
    return Principal(staff_id, "山田 健一", f"{staff_id}@pref.example.lg.jp", "somu", Role.MEMBER)


def _stored_values() -> list[str]:
    from chalicelib.core.aws import client

    table = "kumo-project_feeds"
    items = client("dynamodb").scan(TableName=table)["Items"]
    return [str(v) for item in items for attr in item.values() for v in attr.values()]


def test_the_secret_is_256_random_bits_and_only_its_sha256_is_stored(aws_mock: Any) -> None:
    issued = feeds.reset(_person("yamada.k"))

    assert len(issued.secret) == 43  # token_urlsafe(32)
    assert issued.url.endswith(f"/calendar/{issued.secret}.ics")
    stored = _stored_values()
    assert hashlib.sha256(issued.secret.encode()).hexdigest() in stored
    assert not any(issued.secret in value for value in stored)
    assert feeds.open_feed(issued.secret).staff_id == "yamada.k"
    assert feeds.status(_person("yamada.k")).active


def test_a_reset_stops_the_old_secret_at_once_and_a_guess_opens_nothing(aws_mock: Any) -> None:
    me = _person("yamada.k")
    old = feeds.reset(me).secret
    new = feeds.reset(me).secret

    with pytest.raises(NotFound):
        feeds.open_feed(old)
    assert feeds.open_feed(new).staff_id == "yamada.k"
    for guess in (new[:-1] + ("A" if new[-1] != "A" else "B"), "x" * 43, "", "../" + new):
        with pytest.raises(NotFound):
            feeds.open_feed(guess)
    other = feeds.reset(_person("fujita.e")).secret
    assert feeds.open_feed(other).staff_id == "fujita.e" and feeds.open_feed(new).staff_id == "yamada.k"

    feeds.stop(me)
    with pytest.raises(NotFound):
        feeds.open_feed(new)
    assert not feeds.status(me).active


def test_fetches_are_counted_per_hour_and_a_flood_gets_429(aws_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "FETCHES_PER_HOUR", 3)
    secret = feeds.reset(_person("yamada.k")).secret
    for _ in range(3):
        feeds.open_feed(secret)

    with pytest.raises(TooManyRequests):
        feeds.open_feed(secret)
    later = datetime.now(UTC) + timedelta(hours=1)
    monkeypatch.setattr(feeds, "now", lambda: later)
    assert feeds.open_feed(secret).staff_id == "yamada.k"  # a new hour, a new budget
    assert feeds.status(_person("yamada.k")).fetched_at == later
