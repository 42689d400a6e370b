"""自分のタスク and my calendar in Chromium, as a member with a card due this month: reached from the
navigation, the card links to its board, the month steps forward and back without JavaScript
state, and axe-core finds nothing serious on either page (on a phone too, no sideways scroll)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import sign_in as api_sign_in
from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import PHONE, axe_violations, no_horizontal_scroll
from tests.integration.test_projects import MEMBER, OWNER, add_card, board_path, load
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
JST = timezone(timedelta(hours=9))


def _card_due_today(stack: RunningStack, title: str) -> str:
    """A project of OWNER's with MEMBER in it, and a card due today (Japan) assigned to MEMBER."""
    owner = api_sign_in(stack.base_url, OWNER)
    made = owner.post(f"{stack.base_url}/api/projects", json={"name": "広報誌リニューアル"}, timeout=60)
    assert made.status_code == 201, made.text
    project = made.json()
    owner.post(f"{stack.base_url}/api/projects/{project['id']}/members", json={"staff_id": MEMBER}, timeout=60)
    card = add_card(owner, stack, project, load(owner, stack, project)["lists"][0]["id"], title)
    today = datetime.now(JST).date().isoformat()
    changed = owner.put(
        f"{stack.base_url}{board_path(project)}/cards/{card['id']}",
        json={"version": card["version"], "assignees": [MEMBER], "due": today},
        timeout=60,
    )
    assert changed.status_code == 200, changed.text
    return f"/projects/{project['id']}/boards/{project['boards'][0]['id']}?card={card['id']}"


def test_my_tasks_and_my_calendar_are_accessible_and_link_to_the_card(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    link = _card_due_today(stack, "表紙デザインの決定")
    page = signed_in_page(new_context, MEMBER)

    page.get_by_role("navigation", name=ja("Main")).get_by_role("link", name=ja("My tasks")).click()
    expect(page).to_have_url(re.compile(r"/my/tasks$"))
    today_group = page.get_by_test_id("task-group-today")
    expect(today_group.get_by_role("heading", level=2)).to_contain_text(ja("Today"))
    expect(today_group.get_by_role("link", name="表紙デザインの決定")).to_have_attribute("href", link)
    assert axe_violations(page) == []

    page.get_by_role("link", name=ja("See them on a calendar")).click()
    grid = page.get_by_role("table")
    expect(grid.locator("caption")).to_contain_text("令和")
    expect(grid.get_by_role("columnheader")).to_have_count(7)
    expect(grid.get_by_role("columnheader").first).to_contain_text(ja("Sunday"))
    today_cell = grid.locator('td[aria-current="date"]')
    expect(today_cell).to_have_count(1)
    expect(today_cell.get_by_role("link", name="表紙デザインの決定")).to_have_attribute("href", link)
    assert axe_violations(page) == []

    caption = grid.locator("caption").inner_text()
    page.get_by_test_id("next-month").click()
    expect(grid.locator("caption")).not_to_have_text(caption)
    expect(grid.locator('td[aria-current="date"]')).to_have_count(0)
    page.get_by_test_id("previous-month").click()
    expect(grid.locator("caption")).to_have_text(caption)


def test_my_calendar_fits_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, MEMBER, viewport=PHONE, is_mobile=True, has_touch=True)

    for path in ("/my/tasks", "/my/calendar"):
        page.goto(path)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways on a phone"
    assert axe_violations(page) == []
