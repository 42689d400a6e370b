"""Swimlanes in Chromium: a card dragged with the mouse into another person's lane is handed to
them, one moved by the keyboard into the lane above (from "nobody assigned") is given to that
lane's person, both announced in words, both kept after a reload."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_projects_board import MEMBER, OWNER, _board_with_cards, announced, api, drag

pytestmark = pytest.mark.e2e
MEMBER_NAME, OWNER_NAME = "藤田 恵美", "山田 健一"


def lane(page: Page, title: str) -> Locator:
    return page.get_by_test_id("lane").filter(has=page.get_by_role("rowheader", name=title, exact=True))


def cell(page: Page, lane_title: str, list_title: str) -> Locator:
    return lane(page, lane_title).get_by_role("list", name=list_title, exact=True)


def assignees(page: Page, board: str, title: str) -> list[str]:
    state = api(page, "GET", "/api" + board)
    return next(c["assignees"] for x in state["lists"] for c in x["cards"] if c["title"] == title)


def test_a_card_dragged_into_another_lane_changes_hands(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER)
    made = _board_with_cards(page)
    page.goto(made["board"] + "?view=swimlanes")
    page.wait_for_load_state()
    todo, doing = ja("To do"), ja("Doing")
    expect(page.get_by_test_id("lanes-hint")).to_be_visible()

    drag(
        page,
        cell(page, OWNER_NAME, todo).get_by_test_id("card").filter(has_text="SNS投稿の案"),
        cell(page, MEMBER_NAME, doing),
    )

    words = ja("Moved the card to position {position} in “{list}”, swimlane “{lane}”: its assignee changed with it.")
    expect(announced(page)).to_have_text(words.format(position=1, list=doing, lane=MEMBER_NAME))
    expect(cell(page, MEMBER_NAME, doing).get_by_test_id("card")).to_have_text([re.compile("SNS投稿の案")])
    assert assignees(page, made["board"], "SNS投稿の案") == [MEMBER]
    page.reload()
    expect(cell(page, MEMBER_NAME, doing).get_by_test_id("card")).to_have_text([re.compile("SNS投稿の案")])
    expect(lane(page, OWNER_NAME)).to_have_count(0)  # the owner has no card left: their lane is gone


def test_a_card_moved_by_keyboard_into_the_lane_above_is_given_to_its_person(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = signed_in_page(new_context, OWNER)
    made = _board_with_cards(page)
    page.goto(made["board"] + "?view=swimlanes")
    page.wait_for_load_state()
    todo = ja("To do")
    nobody = ja("Nobody assigned")
    card = cell(page, nobody, todo).get_by_test_id("card").filter(has_text="ポスター掲示")

    card.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowUp")
    expect(announced(page)).to_have_text(
        ja("Position {position} of {count} in “{list}”, swimlane “{lane}”.").format(
            position=2, count=2, list=todo, lane=MEMBER_NAME
        )
    )
    page.keyboard.press("Enter")

    words = ja("Moved the card to position {position} in “{list}”, swimlane “{lane}”: its assignee changed with it.")
    expect(announced(page)).to_have_text(words.format(position=2, list=todo, lane=MEMBER_NAME))
    moved = cell(page, MEMBER_NAME, todo).get_by_test_id("card").filter(has_text="ポスター掲示")
    expect(moved).to_be_focused()
    assert assignees(page, made["board"], "ポスター掲示") == [MEMBER]
