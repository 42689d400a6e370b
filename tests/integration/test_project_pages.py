"""The project pages through real HTTP, without a browser's script: starting a project from the
form, the board's forms (add a card and a list, a WIP limit, moving, comments, checklist,
archive and restore), filters and views in the query string, the fragment the board polls
(304 when nothing changed), settings, and who gets which page (members, a 庁内公開 viewer who
sees no edit controls, strangers who get 404 pages)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import translated
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]

OWNER = "yamada.k"  # 総務部 総務課
MEMBER = "fujita.e"  # 土木部 道路課
OUTSIDER = "ogata.r"  # デジタル推進課: in no project here


def _get(session: requests.Session, stack: RunningStack, path: str, **kw: Any) -> requests.Response:
    return session.get(f"{stack.base_url}{path}", allow_redirects=False, timeout=60, **kw)


def _post(session: requests.Session, stack: RunningStack, path: str, form: dict[str, Any]) -> requests.Response:
    data = {"csrf_token": str(session.headers.get("X-CSRF-Token", "")), **form}
    return session.post(f"{stack.base_url}{path}", data=data, allow_redirects=False, timeout=60)


def _start(stack: RunningStack, signed_in: Signed, *, template: str = "kanban", visibility: str = "members") -> str:
    """A project started through the list page's form, with MEMBER added on the settings page;
    returns its board's path."""
    owner = signed_in(OWNER)
    name = f"道路占用の電子申請 {uuid.uuid4().hex[:4]}"
    made = _post(owner, stack, "/projects", {"name": name, "template": template, "visibility": visibility})
    assert made.status_code == 303, made.text
    board = made.headers["Location"]
    assert re.fullmatch(r"/projects/prj_\w+/boards/brd_\w+", board)
    added = _post(owner, stack, f"{_project(board)}/members", {"staff_id": MEMBER})
    assert added.status_code == 303 and added.headers["Location"].endswith("?done=member-added")
    return board


def _project(board: str) -> str:
    return board.split("/boards/", maxsplit=1)[0]


def _lists(html: str) -> list[tuple[str, str]]:
    """(list id, title) of the board's lists, in order."""
    return re.findall(
        r'data-testid="list" data-list-id="(\w+)" data-version="\d+" data-rank="\w+" data-title="([^"]*)"', html
    )


def _list_html(html: str, list_id: str) -> str:
    start = html.index(f'data-testid="list" data-list-id="{list_id}"')
    end = html.find('data-testid="list" data-list-id=', start + 10)
    return html[start : end if end > 0 else len(html)]


def _cards(html: str) -> list[tuple[str, str]]:
    """(card id, title) of the cards in a piece of the board, in order."""
    return re.findall(r'data-card-id="(C_\w+)" data-version="\d+"\s+data-rank="\w+" data-title="([^"]*)"', html)


def _card_version(html: str, card_id: str) -> str:
    found = re.search(rf'data-card-id="{card_id}" data-version="(\d+)"', html)
    assert found, f"card {card_id} not on the page"
    return found.group(1)


def _add_card(session: requests.Session, stack: RunningStack, board: str, list_id: str, title: str) -> str:
    added = _post(session, stack, f"{board}/cards", {"list_id": list_id, "title": title, "next": board})
    assert added.status_code == 303, added.text
    assert added.headers["Location"] == f"{board}?done=card-added"
    page = _get(session, stack, board).text
    return next(cid for cid, t in _cards(_list_html(page, list_id)) if t == title)


def test_a_project_started_from_the_form_opens_its_board_made_from_the_template(
    stack: RunningStack, signed_in: Signed
) -> None:
    owner = signed_in(OWNER)
    listed = _get(owner, stack, "/projects")
    assert listed.status_code == 200
    for key in ("kanban", "improvement", "event"):
        assert f'name="template" value="{key}"' in listed.text

    board = _start(stack, signed_in, template="event")

    page = _get(owner, stack, board)
    assert page.status_code == 200
    assert [t for _, t in _lists(page.text)] == [
        translated(t) for t in ("Planning", "Preparing", "On the day", "Review")
    ]
    preparing = _list_html(page.text, _lists(page.text)[1][0])
    assert re.search(r'data-testid="wip">0 / 6', preparing), "the WIP limit is shown as count / limit"
    assert [t for _, t in _cards(page.text)] == [
        translated("Fix the date and the venue"),
        translated("Draft the budget"),
    ]
    opened = _get(owner, stack, _project(board))
    assert opened.status_code == 302 and opened.headers["Location"] == board
    for person in (OWNER, MEMBER):
        mine = _get(signed_in(person), stack, "/projects").text
        section = mine[mine.index('data-testid="my-projects"') : mine.index('data-testid="public-projects"')]
        assert f'href="{_project(board)}"' in section


def test_the_boards_forms_work_without_the_script(stack: RunningStack, signed_in: Signed) -> None:
    board = _start(stack, signed_in)
    member = signed_in(MEMBER)
    (todo, _), (doing, _), _ = _lists(_get(member, stack, board).text)
    first = _add_card(member, stack, board, todo, "占用許可の様式を洗い出す")
    second = _add_card(member, stack, board, todo, "電子申請の対象を決める")

    # A WIP limit of 1 on "Doing", then both cards moved there (from the card page's form): over.
    page = _get(member, stack, board).text
    version = re.search(rf'data-list-id="{doing}" data-version="(\d+)"', page)
    assert version
    saved = _post(
        member, stack, f"{board}/lists/{doing}", {"title": "作業中", "wip_limit": "1", "version": version.group(1)}
    )
    assert saved.status_code == 303
    for card_id in (first, second):
        page = _get(member, stack, board).text
        moved = _post(
            member,
            stack,
            f"{board}/cards/{card_id}/move",
            {"list_id": doing, "position": "bottom", "version": _card_version(page, card_id)},
        )
        assert moved.status_code == 303 and moved.headers["Location"].endswith("?done=moved")
    page = _get(member, stack, board).text
    column = _list_html(page, doing)
    assert [t for _, t in _cards(column)] == ["占用許可の様式を洗い出す", "電子申請の対象を決める"]
    assert 'data-title="作業中"' in column and 'data-testid="wip">2 / 1' in column
    assert translated("Over the limit") in column and "over-limit" in column

    # The card page: a checklist item ticked, a comment, then archived and restored from the board.
    card_page = f"{board}/cards/{first}"
    version = _card_version(page, first)
    assert _post(member, stack, f"{card_page}/checklist", {"action": "add", "text": "様式を集める", "version": version})
    item = re.search(r'name="item_id" value="(chk_\w+)"', _get(member, stack, card_page).text)
    assert item
    ticked = _post(
        member,
        stack,
        f"{card_page}/checklist",
        {"action": "toggle", "item_id": item.group(1), "version": int(version) + 1},
    )
    assert ticked.status_code == 303
    commented = _post(member, stack, f"{card_page}/comments", {"text": "**様式**は12種類です"})
    assert commented.headers["Location"] == f"{card_page}?done=commented"
    shown = _get(member, stack, card_page).text
    assert "<strong>様式</strong>は12種類です" in shown
    assert 'aria-pressed="true"' in shown and "1/1" in shown
    archived = _post(member, stack, f"{card_page}/archive", {"archived": "1", "version": int(version) + 2})
    assert archived.status_code == 303
    assert first not in dict(_cards(_get(member, stack, board).text))
    old = _get(member, stack, f"{board}?view=archived").text
    archive_part = old[old.index('data-testid="archived-cards"') :]
    assert "占用許可の様式を洗い出す" in archive_part
    restored = _post(
        member,
        stack,
        f"{board}/cards/{first}/archive",
        {"archived": "0", "version": int(version) + 3, "next": f"{board}?view=archived"},
    )
    assert restored.headers["Location"] == f"{board}?view=archived&done=card-restored"
    assert first in dict(_cards(_get(member, stack, board).text))


def test_a_form_sent_from_a_stale_page_is_refused_and_shows_the_card_as_it_is(
    stack: RunningStack, signed_in: Signed
) -> None:
    board = _start(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    todo = _lists(_get(owner, stack, board).text)[0][0]
    card = _add_card(owner, stack, board, todo, "標準処理期間の確認")
    card_page = f"{board}/cards/{card}"
    version = _card_version(_get(owner, stack, board).text, card)
    first = _post(member, stack, card_page, {"title": "標準処理期間を確認する", "version": version})
    assert first.status_code == 303 and first.headers["Location"] == f"{card_page}?done=saved"

    late = _post(owner, stack, card_page, {"title": "処理期間の確認", "version": version})

    assert late.status_code == 409
    assert translated("Someone else changed this card meanwhile: it was reloaded, try again.") in late.text
    assert re.search(r'data-testid="card-title">標準処理期間を確認する<', late.text)


def test_filters_and_views_are_kept_in_the_query_string(stack: RunningStack, signed_in: Signed) -> None:
    board = _start(stack, signed_in)
    owner = signed_in(OWNER)
    api = f"/api{board}"
    detail = owner.get(f"{stack.base_url}{api}", timeout=60).json()
    urgent = next(x["id"] for x in detail["project"]["labels"] if x["name"] == translated("Urgent"))
    todo = detail["lists"][0]["id"]
    plain = _add_card(owner, stack, board, todo, "現行の手数料を調べる")
    marked = _add_card(owner, stack, board, todo, "条例改正の要否を確認")
    version = _card_version(_get(owner, stack, board).text, marked)
    changed = owner.put(
        f"{stack.base_url}{api}/cards/{marked}",
        json={"version": int(version), "labels": [urgent], "assignees": [MEMBER], "due": "2020-04-01"},
        timeout=60,
    )
    assert changed.status_code == 200, changed.text

    by_label = dict(_cards(_get(owner, stack, f"{board}?label={urgent}").text))
    assert marked in by_label and plain not in by_label
    overdue = dict(_cards(_get(owner, stack, f"{board}?due=overdue").text))
    assert marked in overdue and plain not in overdue
    nobody = dict(_cards(_get(owner, stack, f"{board}?assignee=none").text))
    assert plain in nobody and marked not in nobody
    wareki = _get(owner, stack, f"{board}?dates=wareki").text
    assert "令和2年4月1日" in wareki and translated("Overdue") in wareki

    table = _get(owner, stack, f"{board}?view=list&label={urgent}").text
    rows = re.findall(r'data-testid="card-row" data-card-id="(C_\w+)"', table)
    assert rows == [marked]
    assert "藤田 恵美" in table
    lanes = _get(owner, stack, f"{board}?view=swimlanes&lanes=assignee").text
    lane = re.search(rf'data-testid="lane" data-lane="{MEMBER}">.*?</tr>', lanes, re.S)
    assert lane and "藤田 恵美" in lane.group(0) and marked in lane.group(0) and plain not in lane.group(0)
    assert re.search(r'data-testid="lane" data-lane="none">', lanes)
    noticed = _get(owner, stack, f"{board}?card={marked}").text  # a notice's link names the card to open
    assert re.search(rf'data-testid="opened-card"><a href="{board}/cards/{marked}" data-open-card>', noticed)
    assert 'data-testid="opened-card"' not in _get(owner, stack, f"{board}?card=C_nothing").text
    views = _get(owner, stack, f"{board}?label={urgent}&dates=wareki").text
    assert f'href="{board}?view=list&amp;label={urgent}&amp;dates=wareki"' in views, "a view keeps the filters"


def test_the_board_fragment_is_a_304_with_no_body_when_nothing_changed(stack: RunningStack, signed_in: Signed) -> None:
    board = _start(stack, signed_in)
    member = signed_in(MEMBER)
    first = _get(member, stack, f"{board}?fragment=1")
    assert first.status_code == 200
    assert first.text.lstrip().startswith('<div id="board-region"') and "<html" not in first.text
    tag = first.headers["ETag"]
    assert tag.strip('"') in first.text, "the fragment says which version of the board it draws"

    same = _get(member, stack, f"{board}?fragment=1", headers={"If-None-Match": tag})

    assert same.status_code == 304 and same.content == b""
    size = len("HTTP/1.1 304 Not Modified\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in same.headers.items())
    assert size < 1200, f"a poll that finds nothing costs {size} bytes of headers"
    print(f"\nboard poll, nothing changed: 304, {size} bytes of headers")
    _add_card(signed_in(OWNER), stack, board, _lists(first.text)[0][0], "公示文の案")
    changed = _get(member, stack, f"{board}?fragment=1", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag and "公示文の案" in changed.text


@pytest.mark.parametrize("path", ["", "/settings", "/boards/{board}", "/boards/{board}/cards/{card}"])
def test_someone_outside_a_members_only_project_gets_404_pages(
    stack: RunningStack, signed_in: Signed, path: str
) -> None:
    board = _start(stack, signed_in)
    owner, outsider = signed_in(OWNER), signed_in(OUTSIDER)
    page = _get(owner, stack, board).text
    card = _add_card(owner, stack, board, _lists(page)[0][0], "関係課との調整")
    name = re.search(r'data-testid="project-name">([^<]+)<', page)
    assert name
    target = _project(board) + path.format(board=board.split("/boards/")[1], card=card)

    response = _get(outsider, stack, target)

    assert response.status_code == 404
    assert 'data-testid="signed-in-as"' in response.text and name.group(1).strip() not in response.text
    assert "関係課との調整" not in response.text
    refused = _post(outsider, stack, f"{board}/cards", {"list_id": _lists(page)[0][0], "title": "x"})
    assert refused.status_code == 404
    assert _project(board) not in _get(outsider, stack, "/projects").text


def test_a_staff_wide_project_is_shown_to_a_non_member_without_any_control_to_change_it(
    stack: RunningStack, signed_in: Signed
) -> None:
    board = _start(stack, signed_in, visibility="staff")
    owner, viewer = signed_in(OWNER), signed_in(OUTSIDER)
    todo = _lists(_get(owner, stack, board).text)[0][0]
    card = _add_card(owner, stack, board, todo, "説明会の日程調整")

    page = _get(viewer, stack, board)

    assert page.status_code == 200 and "説明会の日程調整" in page.text
    assert 'data-testid="read-only"' in page.text
    for control in ("data-board-form", "data-edits", 'tabindex="0"', "data-list-grip", 'name="title"'):
        assert control not in page.text, f"a viewer's board has {control}"
    card_page = _get(viewer, stack, f"{board}/cards/{card}").text
    assert "data-card-form" not in card_page and 'name="version"' not in card_page
    settings = _get(viewer, stack, f"{_project(board)}/settings").text
    assert not re.search(rf'<form method="post" action="{_project(board)}', settings)
    listed = _get(viewer, stack, "/projects").text
    assert f'href="{_project(board)}"' in listed[listed.index('data-testid="public-projects"') :]
    refused = _post(viewer, stack, f"{board}/cards", {"list_id": todo, "title": "見るだけの人の追加"})
    assert refused.status_code == 403
    assert "見るだけの人の追加" not in _get(owner, stack, board).text


def test_settings_members_labels_muting_and_leaving(stack: RunningStack, signed_in: Signed) -> None:
    board = _start(stack, signed_in)
    project = _project(board)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    settings = _get(owner, stack, f"{project}/settings").text
    revision = re.search(r'name="revision" value="(\d+)"', settings)
    assert revision

    labels = _post(
        owner,
        stack,
        f"{project}/labels",
        {"revision": revision.group(1), "new_name": "議会対応", "new_color": "purple"},
    )
    assert labels.headers["Location"] == f"{project}/settings?done=labels-saved"
    assert 'class="label label-purple">議会対応<' in _get(member, stack, f"{project}/settings").text
    assert ">議会対応</option>" in _get(member, stack, board).text, "the board filters by the new label"
    owner_role = _post(owner, stack, f"{project}/members/{MEMBER}/role", {"role": "owner"})
    assert owner_role.status_code == 303
    row = re.search(rf'data-staff-id="{MEMBER}">.*?</tr>', _get(owner, stack, f"{project}/settings").text, re.S)
    assert row and translated("Owner") in row.group(0)
    muted = _post(member, stack, f"{project}/mute", {"muted": "1"})
    assert muted.headers["Location"] == f"{project}/settings?done=muted"
    assert translated("Receive notices again") in _get(member, stack, f"{project}/settings").text
    unknown = _post(owner, stack, f"{project}/members", {"staff_id": "nobody.x"})
    assert unknown.status_code == 400 and 'data-testid="page-error"' in unknown.text

    left = _post(member, stack, f"{project}/members/{MEMBER}/remove", {})

    assert left.headers["Location"] == "/projects?done=left"
    assert _get(member, stack, board).status_code == 404


def test_someone_with_a_concurrent_post_picks_which_of_their_units_owns_the_project(
    stack: RunningStack, signed_in: Signed
) -> None:
    owner = signed_in(OWNER)  # 総務課, and 兼務 in 財政課
    form = _get(owner, stack, "/projects").text
    assert re.search(r'<select id="project-unit" name="owner_unit_id">.*value="zaisei"', form, re.S)

    made = _post(owner, stack, "/projects", {"name": "予算要求の様式統一", "owner_unit_id": "zaisei"})
    refused = _post(owner, stack, "/projects", {"name": "他課の案件", "owner_unit_id": "doro"})

    assert made.status_code == 303
    settings = _get(owner, stack, f"{_project(made.headers['Location'])}/settings").text
    assert re.search(r"財政課</p>", settings)
    assert refused.status_code == 400
    assert translated("A project belongs to one of your own units.") in refused.text
    assert 'value="他課の案件"' in refused.text, "the form comes back with what was typed"
    assert "<select" not in _get(signed_in(OUTSIDER), stack, "/projects").text.split('data-testid="start-project"')[1]
