"""Project events reach the right people through real HTTP, the bus and the notifier on the local
stack: an assignment lands in the assignee's inbox and mail, a mention in the mentioned person's
inbox, a member who muted the project gets neither, and a due date is reminded once the day
before, by `kumo sweep --at`, and again for a new date."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from tests.conftest import eventually
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
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
JST = timezone(timedelta(hours=9))


def _inbox(session: requests.Session, stack: RunningStack, link: str) -> list[dict[str, Any]]:
    got = _api(session, stack, "GET", "/api/notifications")
    assert got.status_code == 200, got.text
    return [n for n in got.json()["items"] if n["link"] == link]


def _outbox(stack: RunningStack, staff_id: str) -> str:
    return str(stack.kumo("outbox", "--to", f"{staff_id}@pref.example.lg.jp", "--limit", "100", check=True).stdout)


def _card_link(project: dict[str, Any], card: dict[str, Any]) -> str:
    return f"/projects/{project['id']}/boards/{project['boards'][0]['id']}?card={card['id']}"


def _new_card(stack: RunningStack, signed_in: Signed, project: dict[str, Any], title: str) -> dict[str, Any]:
    owner = signed_in(OWNER)
    return add_card(owner, stack, project, load(owner, stack, project)["lists"][0]["id"], title)


def _change(
    stack: RunningStack, session: requests.Session, project: dict[str, Any], card: dict[str, Any], **body: Any
) -> dict[str, Any]:
    changed = _api(
        session, stack, "PUT", f"{board_path(project)}/cards/{card['id']}", json={"version": card["version"], **body}
    )
    assert changed.status_code == 200, changed.text
    return dict(changed.json())


def test_an_assignment_and_a_mention_reach_inbox_and_mail(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    title = f"説明会資料の作成 {uuid.uuid4().hex[:6]}"
    card = _change(stack, owner, project, _new_card(stack, signed_in, project, title), assignees=[MEMBER])
    link = _card_link(project, card)

    (notice,) = eventually(lambda: _inbox(member, stack, link))
    assert notice["kind"] == "card_assigned"
    assert title in notice["text"] and "山田" in notice["text"] and "担当" in notice["text"]  # Japanese first
    mail = eventually(lambda: next((m for m in _outbox(stack, MEMBER).split("-" * 60) if title in m), None))
    assert link in mail and "担当" in mail

    said = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/cards/{card['id']}/comments",
        json={"text": f"@{OWNER} 原案を見てください"},
    )
    assert said.status_code == 201, said.text
    (mentioned,) = eventually(lambda: _inbox(owner, stack, link))
    assert mentioned["kind"] == "comment_mentioned" and "原案を見てください" in mentioned["text"]
    assert _inbox(member, stack, link) == [notice], "the author is not told of their own mention"


def test_a_member_who_muted_the_project_gets_nothing(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, member, muted = signed_in(OWNER), signed_in(MEMBER), signed_in(STRANGER)
    added = _api(owner, stack, "POST", f"/api/projects/{project['id']}/members", json={"staff_id": STRANGER})
    assert added.status_code == 201, added.text
    silenced = _api(muted, stack, "POST", f"/api/projects/{project['id']}/mute", json={"muted": True})
    assert silenced.status_code == 200, silenced.text
    assert _api(muted, stack, "GET", f"/api/projects/{project['id']}").json()["project"]["muted"] is True

    title = f"窓口アンケートの集計 {uuid.uuid4().hex[:6]}"
    card = _change(stack, owner, project, _new_card(stack, signed_in, project, title), assignees=[MEMBER, STRANGER])
    link = _card_link(project, card)
    said = _api(
        owner,
        stack,
        "POST",
        f"{board_path(project)}/cards/{card['id']}/comments",
        json={"text": f"@{MEMBER} @{STRANGER} 今週中にお願いします"},
    )
    assert said.status_code == 201 and set(said.json()["mentioned"]) == {MEMBER, STRANGER}

    # The same events reach the member who did not mute it; by then the muted one's are decided.
    eventually(lambda: {n["kind"] for n in _inbox(member, stack, link)} == {"card_assigned", "comment_mentioned"})
    eventually(lambda: title in _outbox(stack, MEMBER))
    assert _inbox(muted, stack, link) == []
    assert title not in _outbox(stack, STRANGER)


def _sweep(stack: RunningStack, day: datetime) -> str:
    at = day.replace(hour=9, minute=0, second=0, microsecond=0).isoformat()
    return str(stack.kumo("sweep", "--at", at, check=True).stdout)


def test_a_due_date_is_reminded_once_the_day_before_and_again_for_a_new_date(
    stack: RunningStack, signed_in: Signed
) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    # Dates a few days ahead, so kumo dev's own sweep (on today's clock) leaves them alone.
    today = datetime.now(JST)
    due, later = (today + timedelta(days=2)).date(), (today + timedelta(days=3)).date()
    title = f"議会答弁の準備 {uuid.uuid4().hex[:6]}"
    card = _change(
        stack, owner, project, _new_card(stack, signed_in, project, title), assignees=[MEMBER], due=due.isoformat()
    )
    link = _card_link(project, card)
    eventually(lambda: _inbox(member, stack, link))  # the assignment

    def due_soon() -> list[dict[str, Any]]:
        return [n for n in _inbox(member, stack, link) if n["kind"] == "card_due_soon"]

    first = _sweep(stack, today + timedelta(days=1))
    second = _sweep(stack, today + timedelta(days=1))
    assert re.search(r"card_reminders=[1-9]", first), first
    assert "card_reminders=0" in second, "the second run the same day sends none"
    (reminded,) = eventually(due_soon)
    assert due.isoformat() in reminded["text"] and "明日" in reminded["text"]
    assert len(due_soon()) == 1

    # Moving the due date re-arms the reminder, for the new date.
    current = _api(owner, stack, "GET", f"{board_path(project)}/cards/{card['id']}").json()
    _change(stack, owner, project, current, due=later.isoformat())
    assert "card_reminders=0" in _sweep(stack, today + timedelta(days=1)), "the old date is not the card's any more"
    assert re.search(r"card_reminders=[1-9]", _sweep(stack, today + timedelta(days=2)))
    eventually(lambda: len(due_soon()) == 2)
    assert later.isoformat() in due_soon()[0]["text"]  # newest first
