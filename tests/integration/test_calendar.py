"""自分のタスク, the calendars and the personal iCal feed through real HTTP on the local stack:
a card assigned with a due date shows in /api/my/tasks, /my/tasks, /my/calendar and the .ics
feed; a checklist item assigned to someone makes the card theirs too; a reset kills the old URL
at once; a member who leaves drops out of the feed; a guessed secret is 404."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from icalendar import Calendar

from tests.conftest import translated
from tests.integration.test_projects import (
    MEMBER,
    OWNER,
    STRANGER,
    Signed,
    _api,
    add_card,
    board_path,
    load,
    start_project,
)
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
JST = timezone(timedelta(hours=9))


def _today() -> date:
    return datetime.now(JST).date()


def _change(
    session: requests.Session, stack: RunningStack, project: dict[str, Any], card: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    path = f"{board_path(project)}/cards/{card['id']}"
    current = _api(session, stack, "GET", path).json()
    changed = _api(session, stack, "PUT", path, json={"version": current["version"], **changes})
    assert changed.status_code == 200, changed.text
    return dict(changed.json())


def _cell(html: str, day: date) -> str:
    """The calendar cell of `day` as the page shows it."""
    found = re.search(rf'<td [^>]*data-date="{day.isoformat()}"[^>]*>(.*?)</td>', html, re.S)
    assert found, f"no cell for {day}"
    return found.group(0)


def _fetch(stack: RunningStack, url: str) -> requests.Response:
    """What a calendar app does: a plain GET of the URL, no cookie, no sign-in."""
    path = url[url.index("/calendar/") :]
    return requests.get(f"{stack.base_url}{path}", timeout=60)


def _events(feed: requests.Response) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}


def _my_tasks(session: requests.Session, stack: RunningStack) -> dict[str, dict[str, Any]]:
    got = _api(session, stack, "GET", "/api/my/tasks")
    assert got.status_code == 200, got.text
    return {t["card_id"]: t for t in got.json()["items"]}


def test_an_assigned_card_shows_in_my_tasks_my_calendar_and_my_feed(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    list_id = load(owner, stack, project)["lists"][0]["id"]
    due = _today() + timedelta(days=3)
    title = f"説明会, 資料; 第2版 {uuid.uuid4().hex[:4]}"
    card = add_card(owner, stack, project, list_id, title)
    _change(owner, stack, project, card, assignees=[MEMBER], due=due.isoformat())
    link = f"/projects/{project['id']}/boards/{project['boards'][0]['id']}?card={card['id']}"

    mine = _my_tasks(member, stack)[card["id"]]
    assert mine["due"] == due.isoformat() and mine["assigned"] and mine["url"] == link
    assert mine["group"] in {"this_week", "later"}

    page = _api(member, stack, "GET", "/my/tasks")
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert f'href="{link}"' in page.text and "説明会, 資料; 第2版" in page.text

    month = f"{due.year:04d}-{due.month:02d}"
    calendar = _api(member, stack, "GET", f"/my/calendar?month={month}")
    assert calendar.status_code == 200
    assert "<caption>" in calendar.text
    if due.month == _today().month:
        assert 'aria-current="date"' in _cell(calendar.text, _today())
    assert f'href="{link}"' in _cell(calendar.text, due)
    as_json = _api(member, stack, "GET", f"/api/my/calendar?month={month}").json()
    days = {d["date"]: d for week in as_json["weeks"] for d in week}
    assert [e["card_id"] for e in days[due.isoformat()]["items"]] == [card["id"]]

    made = _api(member, stack, "POST", "/api/my/calendar/feed")
    assert made.status_code == 201, made.text
    feed = _fetch(stack, made.json()["url"])
    assert feed.status_code == 200, feed.text
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in feed.headers["Cache-Control"]
    event = _events(feed)[f"{card['id']}@kumo"]
    assert str(event["SUMMARY"]) == title and event.decoded("DTSTART") == due
    assert project["name"] in str(event["DESCRIPTION"]) and link in str(event["DESCRIPTION"])


def test_a_checklist_item_assigned_to_me_makes_the_card_mine_until_it_is_ticked(
    stack: RunningStack, signed_in: Signed
) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    list_id = load(owner, stack, project)["lists"][0]["id"]
    due = _today() + timedelta(days=10)
    card = add_card(owner, stack, project, list_id, "議会答弁資料の取りまとめ")
    detail = _change(
        owner,
        stack,
        project,
        card,
        due=due.isoformat(),
        checklist=[{"text": "原案作成", "assignee": OWNER}, {"text": "課長レク日程調整", "assignee": MEMBER}],
    )

    mine = _my_tasks(member, stack)[card["id"]]
    assert not mine["assigned"] and [i["text"] for i in mine["items"]] == ["課長レク日程調整"]
    assert card["id"] in _my_tasks(owner, stack)
    page = _api(member, stack, "GET", "/my/tasks").text
    assert "課長レク日程調整" in page and translated("Checklist items only") in page

    ticked = [{**c, "done": c["assignee"] == MEMBER} for c in detail["checklist"]]
    _change(owner, stack, project, card, checklist=ticked)
    assert card["id"] not in _my_tasks(member, stack)  # nothing left for them on it
    _change(owner, stack, project, card, checklist=[{"text": "原案作成", "assignee": OWNER}])
    assert card["id"] not in _my_tasks(member, stack) and card["id"] in _my_tasks(owner, stack)


def _reset_on_the_page(session: requests.Session, stack: RunningStack) -> str:
    page = _api(session, stack, "GET", "/my/calendar/feed")
    made = _api(
        session, stack, "POST", "/my/calendar/feed", data={"csrf_token": csrf_from(page.text), "action": "reset"}
    )
    assert made.status_code == 200, made.text
    found = re.search(r'value="(http[^"]+/calendar/[^"]+\.ics)"', made.text)
    assert found, "the new address is shown on the page"
    return found.group(1)


def test_a_reset_kills_the_old_url_and_a_member_who_leaves_drops_out_of_the_feed(
    stack: RunningStack, signed_in: Signed
) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    list_id = load(owner, stack, project)["lists"][0]["id"]
    card = add_card(owner, stack, project, list_id, "庁内説明会の会場予約")
    _change(owner, stack, project, card, assignees=[MEMBER], due=(_today() + timedelta(days=1)).isoformat())

    old = _reset_on_the_page(member, stack)
    assert f"{card['id']}@kumo" in _events(_fetch(stack, old))
    new = _reset_on_the_page(member, stack)
    assert new != old
    assert _fetch(stack, old).status_code == 404
    assert f"{card['id']}@kumo" in _events(_fetch(stack, new))
    assert "feed-active" in _api(member, stack, "GET", "/my/calendar/feed").text

    left = _api(member, stack, "DELETE", f"/api/projects/{project['id']}/members/{MEMBER}")
    assert left.status_code == 200, left.text
    feed = _fetch(stack, new)
    assert feed.status_code == 200 and f"{card['id']}@kumo" not in _events(feed)
    assert card["id"] not in _my_tasks(member, stack)
    assert card["id"] not in _api(member, stack, "GET", "/my/tasks").text


def test_a_guessed_or_malformed_secret_is_404_and_opens_nothing(stack: RunningStack, signed_in: Signed) -> None:
    _api(signed_in(OWNER), stack, "POST", "/api/my/calendar/feed")
    for path in (
        f"/calendar/{secrets.token_urlsafe(32)}.ics",
        f"/calendar/{secrets.token_urlsafe(32)}",
        "/calendar/short.ics",
        "/calendar/%2e%2e%2fapi%2fmy%2ftasks.ics",
    ):
        got = requests.get(f"{stack.base_url}{path}", timeout=60)
        assert got.status_code == 404, path
        assert "BEGIN:VCALENDAR" not in got.text


def test_a_boards_calendar_is_for_everyone_who_may_see_the_project(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, stranger = signed_in(OWNER), signed_in(STRANGER)
    board_id = project["boards"][0]["id"]
    list_id = load(owner, stack, project)["lists"][0]["id"]
    due = date(2027, 1, 11)  # 成人の日
    card = add_card(owner, stack, project, list_id, "成人式の広報")
    _change(owner, stack, project, card, due=due.isoformat())
    path = f"/projects/{project['id']}/calendar?board={board_id}&month=2027-01"

    page = _api(owner, stack, "GET", path)
    assert page.status_code == 200
    cell = _cell(page.text, due)
    assert "成人式の広報" in cell and "成人の日" in cell and "holiday" in cell
    assert "令和9年1月" in page.text and 'scope="col"' in page.text
    assert 'href="/projects/{}/calendar?board={}&amp;month=2026-12"'.format(project["id"], board_id) in page.text
    assert _api(owner, stack, "GET", f"/projects/{project['id']}/calendar?month=2027-01").status_code == 200
    assert _api(stranger, stack, "GET", path).status_code == 404  # a members-only project
    assert _api(stranger, stack, "GET", f"/api/projects/{project['id']}/calendar?month=2027-01").status_code == 404
    assert _api(owner, stack, "GET", path.replace("2027-01", "2027-13")).status_code == 400

    open_to_staff = start_project(stack, signed_in, visibility="staff")
    seen = _api(stranger, stack, "GET", f"/api/projects/{open_to_staff['id']}/calendar?month=2027-01")
    assert seen.status_code == 200 and seen.json()["wareki"] == "令和9年1月"
    assert [d["date"] for d in seen.json()["weeks"][0]][0] == "2026-12-27"  # Sunday first
