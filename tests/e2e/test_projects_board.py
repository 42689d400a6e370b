"""The project board in Chromium: start a project from a template, add cards, move them by
dragging with the mouse and with the keyboard (and see the order kept after a reload), comment
on a card with an @mention that the other member sees on the card and in their inbox, filter by
label, swimlanes by assignee, the board keeping itself current behind an open card, and
axe-core on the pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import ja, reload_until, signed_in_page
from tests.e2e.test_accessibility import PHONE, axe_violations, no_horizontal_scroll
from tests.e2e.test_security_headers import csp_problems

pytestmark = pytest.mark.e2e
OWNER, MEMBER = "yamada.k", "fujita.e"


def start_project(page: Page, template: str = "Kanban") -> str:
    """Start a project from the list page's form, as a person would; returns the board's URL."""
    page.get_by_role("navigation", name=ja("Main")).get_by_role("link", name=ja("Projects")).click()
    name = f"窓口改善 {uuid.uuid4().hex[:4]}"
    page.get_by_label(ja(template), exact=True).check()
    page.get_by_label(ja("Name"), exact=True).fill(name)
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("project-name")).to_contain_text(name)
    page.wait_for_load_state()  # the board's scripts (deferred) are running by then
    return page.url


def column(page: Page, title: str) -> Locator:
    return page.get_by_role("group", name=title, exact=True)


def titles(list_: Locator) -> list[str]:
    return [t.strip() for t in list_.locator(".card-title").all_inner_texts()]


def add_card(page: Page, list_title: str, title: str) -> None:
    box = column(page, list_title).get_by_test_id("add-card-title")
    box.fill(title)
    box.press("Enter")
    expect(column(page, list_title).get_by_test_id("card").filter(has_text=title)).to_be_visible()
    expect(box).to_be_focused()  # ready for the next card


def drag(page: Page, card: Locator, target: Locator) -> None:
    """A mouse drag as SortableJS follows it: press, move a little (past its tolerance), move
    over the target in steps, wait there until the card's place-holder has moved in, release."""
    start, end = card.bounding_box(), target.bounding_box()
    assert start and end
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 8, y + 8, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 12, steps=20)
    expect(target.locator(".card-ghost")).to_have_count(1)
    page.mouse.up()


def announced(page: Page) -> Locator:
    return page.get_by_test_id("announcer")


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON API with the page's session and CSRF token (setting up what the test is not about)."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    response = page.request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": token})
    assert response.ok, response.text()
    return response.json()


def test_cards_move_by_mouse_and_by_keyboard_and_stay_moved(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER)
    problems = csp_problems(page)
    start_project(page)
    todo, doing = ja("To do"), ja("Doing")
    for title in ("窓口の混雑調査", "申請書の簡素化", "マイナンバー連携の確認"):
        add_card(page, todo, title)

    drag(
        page,
        column(page, todo).get_by_test_id("card").filter(has_text="窓口の混雑調査"),
        column(page, doing).locator("ol"),
    )

    moved = ja("Moved the card to position {position} in “{list}”.")
    expect(announced(page)).to_have_text(moved.format(position=1, list=doing))
    expect(column(page, doing).get_by_test_id("wip")).to_have_text(re.compile(r"^1 / 5"))

    card = column(page, todo).get_by_test_id("card").filter(has_text="申請書の簡素化")
    card.focus()
    page.keyboard.press("Space")
    expect(announced(page)).to_contain_text("申請書の簡素化")
    page.keyboard.press("ArrowRight")
    expect(announced(page)).to_have_text(
        ja("Position {position} of {count} in “{list}”.").format(position=1, count=2, list=doing)
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text(moved.format(position=2, list=doing))
    expect(column(page, doing).get_by_test_id("card").filter(has_text="申請書の簡素化")).to_be_focused()

    page.reload()
    assert titles(column(page, doing)) == ["窓口の混雑調査", "申請書の簡素化"]
    assert titles(column(page, todo)) == ["マイナンバー連携の確認"]
    expect(column(page, doing).get_by_test_id("wip")).to_have_text(re.compile(r"^2 / 5"))
    assert problems == []


def test_escape_puts_a_card_back_where_it_was(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER)
    start_project(page)
    todo = ja("To do")
    add_card(page, todo, "庁内説明会の準備")
    add_card(page, todo, "チラシの作成")
    card = column(page, todo).get_by_test_id("card").filter(has_text="庁内説明会の準備")

    card.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")

    expect(announced(page)).to_have_text(
        ja("Move cancelled: “{title}” is back where it was.").format(title="庁内説明会の準備")
    )
    assert titles(column(page, todo)) == ["庁内説明会の準備", "チラシの作成"]
    expect(card).to_be_focused()


def test_a_comment_mentions_another_member_who_sees_it_on_the_card(
    new_context: Callable[..., BrowserContext],
) -> None:
    owner = signed_in_page(new_context, OWNER)
    board = start_project(owner)
    owner.get_by_test_id("settings-link").click()
    owner.get_by_label(ja("Add a member by staff ID")).fill(MEMBER)
    owner.get_by_role("button", name=ja("Add the member")).click()
    expect(owner.get_by_test_id("done")).to_have_text(ja("The member has been added."))
    owner.goto(board)
    add_card(owner, ja("To do"), "道路占用許可の様式")

    owner.get_by_role("link", name="道路占用許可の様式").click()
    dialog = owner.get_by_test_id("card-dialog")
    expect(dialog.get_by_test_id("card-title")).to_have_text("道路占用許可の様式")
    box = dialog.get_by_test_id("comment-text")
    box.press_sequentially("@fuj")
    suggestion = dialog.get_by_role("option", name="藤田 恵美 (@fujita.e)")
    expect(suggestion).to_be_visible()
    box.press("Enter")
    box.press_sequentially("様式の確認をお願いします")
    expect(box).to_have_value("@fujita.e 様式の確認をお願いします")
    dialog.get_by_role("button", name=ja("Post the comment")).click()
    expect(dialog.get_by_test_id("done")).to_have_text(ja("Your comment has been added."))
    expect(dialog.get_by_test_id("comment")).to_contain_text("@fujita.e 様式の確認をお願いします")
    owner.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    card = column(owner, ja("To do")).get_by_test_id("card").filter(has_text="道路占用許可の様式")
    expect(card.get_by_test_id("comment-count")).to_contain_text("1")

    member = signed_in_page(new_context, MEMBER)
    member.goto(board)
    member.get_by_role("link", name="道路占用許可の様式").click()
    comment = member.get_by_test_id("card-dialog").get_by_test_id("comment")
    expect(comment).to_contain_text("山田 健一")
    expect(comment).to_contain_text("@fujita.e 様式の確認をお願いします")

    # The mention is in the member's inbox (through the bus and the notifier); its link opens
    # the board with the card in the dialog.
    member.goto("/notifications")
    notice = member.get_by_test_id("notification-list").get_by_role("listitem").filter(has_text="道路占用許可の様式")
    reload_until(member, lambda: notice.count() > 0)
    expect(notice.first).to_contain_text("山田 健一")
    notice.first.get_by_role("button", name=ja("Open")).click()
    expect(member).to_have_url(re.compile(r"/boards/brd_\w+\?card=C_\w+$"))
    opened = member.get_by_test_id("card-dialog")
    expect(opened.get_by_test_id("card-title")).to_have_text("道路占用許可の様式")
    expect(opened.get_by_test_id("comment")).to_contain_text("様式の確認をお願いします")


def _board_with_cards(page: Page) -> dict[str, Any]:
    """A project (through the API) with MEMBER, and three cards: one urgent for MEMBER, one for
    the owner, one for nobody."""
    made = api(page, "POST", "/api/projects", {"name": f"広報計画 {uuid.uuid4().hex[:4]}", "template": "kanban"})
    api(page, "POST", f"/api/projects/{made['id']}/members", {"staff_id": MEMBER})
    path = f"/api/projects/{made['id']}/boards/{made['boards'][0]['id']}"
    todo = api(page, "GET", path)["lists"][0]["id"]
    urgent = next(x["id"] for x in made["labels"] if x["name"] == ja("Urgent"))
    last = None
    cards = {}
    for title, people, labels in (
        ("記者発表の原稿", [MEMBER], [urgent]),
        ("SNS投稿の案", [OWNER], []),
        ("ポスター掲示", [], []),
    ):
        card = api(page, "POST", path + "/cards", {"list_id": todo, "title": title, "after": last})
        last = {"id": card["id"], "rank": card["rank"]}
        if people:
            api(
                page,
                "PUT",
                f"{path}/cards/{card['id']}",
                {"version": card["version"], "assignees": people, "labels": labels},
            )
        cards[title] = card["id"]
    return {"board": path.removeprefix("/api"), "project": made["id"], "cards": cards}


def test_a_board_filtered_by_label_and_shown_in_swimlanes_by_assignee(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = signed_in_page(new_context, OWNER)
    made = _board_with_cards(page)
    page.goto(made["board"])

    page.get_by_label(ja("Label"), exact=True).select_option(label=ja("Urgent"))
    page.get_by_role("button", name=ja("Apply")).click()

    expect(page).to_have_url(re.compile(r"[?&]label=lbl_"))
    assert titles(column(page, ja("To do"))) == ["記者発表の原稿"]
    expect(column(page, ja("To do")).get_by_test_id("wip")).to_contain_text("3")  # the count is of every card

    page.get_by_role("link", name=ja("Clear the filters")).click()
    page.get_by_role("navigation", name=ja("Views")).get_by_role("link", name=ja("Swimlanes")).click()

    lanes = page.get_by_test_id("lane")
    expect(lanes).to_have_count(3)
    member_lane = lanes.filter(has=page.get_by_role("rowheader", name="藤田 恵美"))
    expect(member_lane.get_by_test_id("card")).to_have_text([re.compile("記者発表の原稿")])
    nobody = lanes.filter(has=page.get_by_role("rowheader", name=ja("Nobody assigned")))
    expect(nobody.get_by_test_id("card")).to_have_text([re.compile("ポスター掲示")])
    page.get_by_role("navigation", name=ja("Views")).get_by_role("link", name=ja("List")).click()
    expect(page.get_by_test_id("card-row")).to_have_count(3)


def test_the_board_shows_others_changes_behind_an_open_card(new_context: Callable[..., BrowserContext]) -> None:
    owner = signed_in_page(new_context, OWNER)
    made = _board_with_cards(owner)
    owner.goto(made["board"])
    owner.get_by_role("link", name="SNS投稿の案").click()
    dialog = owner.get_by_test_id("card-dialog")
    expect(dialog.get_by_test_id("card-title")).to_have_text("SNS投稿の案")

    def poll() -> int:
        """What the board's own poll gets (it polls on visibilitychange too, as when a tab comes back)."""
        with owner.expect_response(lambda r: "fragment=1" in r.url) as answer:
            owner.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        return answer.value.status

    assert poll() == 304
    member = signed_in_page(new_context, MEMBER)
    todo = api(member, "GET", "/api" + made["board"])["lists"][0]["id"]
    api(member, "POST", f"/api{made['board']}/cards", {"list_id": todo, "title": "ラジオ広報の依頼"})

    assert poll() == 200
    expect(column(owner, ja("To do")).get_by_test_id("card").filter(has_text="ラジオ広報の依頼")).to_be_attached()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("card-title")).to_have_text("SNS投稿の案")


def test_the_project_pages_pass_axe(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER)
    made = _board_with_cards(page)
    found: dict[str, Any] = {}
    for path in (
        "/projects",
        made["board"],
        made["board"] + "?view=swimlanes",
        made["board"] + "?view=list&dates=wareki",
        made["board"] + "?view=archived",
        f"/projects/{made['project']}/settings",
        f"{made['board']}/cards/{made['cards']['記者発表の原稿']}",
    ):
        page.goto(path)
        found[path] = axe_violations(page)
    page.goto(made["board"])
    page.get_by_role("link", name="記者発表の原稿").click()
    expect(page.get_by_test_id("card-dialog").get_by_test_id("card-title")).to_be_visible()
    found["card dialog"] = axe_violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_a_move_made_on_a_stale_board_is_refused_announced_and_the_board_reloaded(
    new_context: Callable[..., BrowserContext],
) -> None:
    owner = signed_in_page(new_context, OWNER)
    made = _board_with_cards(owner)
    owner.goto(made["board"])
    member = signed_in_page(new_context, MEMBER)
    state = api(member, "GET", "/api" + made["board"])
    todo, doing = state["lists"][0], state["lists"][1]
    card = next(c for c in todo["cards"] if c["title"] == "ポスター掲示")
    api(
        member,
        "POST",
        f"/api{made['board']}/cards/{card['id']}/move",
        {"list_id": doing["id"], "version": card["version"]},
    )

    shown = column(owner, ja("To do")).get_by_test_id("card").filter(has_text="ポスター掲示")
    shown.focus()
    owner.keyboard.press("Space")
    owner.keyboard.press("ArrowUp")
    owner.keyboard.press("Space")

    expect(announced(owner)).to_have_text(ja("Someone else changed the board meanwhile: it was reloaded. Try again."))
    assert titles(column(owner, ja("Doing"))) == ["ポスター掲示"], "the board shows where the other person put it"
    assert "ポスター掲示" not in titles(column(owner, ja("To do")))


def test_a_list_moves_by_keyboard_from_its_grip(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER)
    start_project(page)
    done = ja("Done")
    grip = page.get_by_role("button", name=ja("Move the list “%(title)s”") % {"title": done})

    grip.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")

    expect(announced(page)).to_have_text(
        ja("Moved the list “{title}” to position {position}.").format(title=done, position=1)
    )
    expect(grip).to_be_focused()
    page.reload()
    expect(page.get_by_test_id("list")).to_have_count(3)
    assert page.get_by_test_id("list").evaluate_all("els => els.map(e => e.dataset.title)") == [
        done,
        ja("To do"),
        ja("Doing"),
    ]


def test_the_project_pages_fit_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, OWNER, viewport=PHONE, is_mobile=True, has_touch=True)
    made = _board_with_cards(page)
    for path in (
        "/projects",
        made["board"],
        made["board"] + "?view=swimlanes",
        f"/projects/{made['project']}/settings",
    ):
        page.goto(path)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways on a phone"
