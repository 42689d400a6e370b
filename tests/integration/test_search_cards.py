"""Project cards found beside files, through the real path: the projects JSON API -> bus -> index
queue -> indexer function -> /api/search, under the board's own access rule.

Each test uses a word of its own (in the card's title), so tests share the stack without seeing
each other's cards. People (chalicelib/local/demo.py): yamada.k (総務課) owns the projects and
adds fujita.e (道路課); ohashi.t is 総務課's 所属長, who manages its projects without being a
member; ogata.r (デジタル推進課) has nothing to do with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.integration.test_projects import MEMBER, OWNER, _api, add_card, board_path, load, start_project
from tests.integration.test_search import gone, ids, search
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]

HEAD = "ohashi.t"  # 総務課長: the head of the owning 所属
STRANGER = "ogata.r"


def _ok(response: requests.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _hit(session: requests.Session, stack: RunningStack, doc_id: str, **params: Any) -> dict[str, Any]:
    """Wait until the document is among the results (indexing is asynchronous), and return it."""
    return dict(
        eventually(
            lambda: next((i for i in search(session, stack, **params)["items"] if i["id"] == doc_id), None),
            timeout_s=30,
        )
    )


def _card(stack: RunningStack, signed_in: Signed, word: str, **project: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A project (with fujita.e as a member) and a card of its first list, described in Japanese."""
    made = start_project(stack, signed_in, **project)
    member = signed_in(MEMBER)
    first = load(member, stack, made)["lists"][0]["id"]
    card = add_card(member, stack, made, first, f"様式の見直し {word}")
    path = f"{board_path(made)}/cards/{card['id']}"
    body = {"version": card["version"], "description": "## 背景\n\n窓口の申請書から**押印欄を廃止しました**。"}
    card = _ok(_api(member, stack, "PUT", path, json=body))
    return made, card


def _doc_id(project: dict[str, Any], card: dict[str, Any]) -> str:
    return f"card:{project['boards'][0]['id']}:{card['id']}"


def test_a_member_and_the_head_find_a_card_by_a_word_of_its_description_a_stranger_does_not(
    stack: RunningStack, signed_in: Signed
) -> None:
    word = f"札{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word)
    doc_id = _doc_id(project, card)
    for person in (MEMBER, OWNER, HEAD):
        # 「廃止する」 finds 「廃止しました」 (which no bigram would): the description is read by
        # kuromoji, without its Markdown.
        hit = _hit(signed_in(person), stack, doc_id, q="廃止する", kind="card", per_page="50")
        assert hit["kind"] == "card", person
        assert hit["link"] == f"/projects/{project['id']}/boards/{project['boards'][0]['id']}?card={card['id']}"
        assert (hit["unit_id"], hit["department_id"]) == ("somuka", "somu")
        assert hit["path"] == project["name"] and "<mark>" in hit["snippet_html"]
    facets = search(signed_in(MEMBER), stack, q=word)["facets"]["kind"]
    assert {"value": "card", "count": 1} in facets
    by_description = {"q": "廃止する", "kind": "card", "per_page": "50"}
    for params in ({"q": word}, by_description, {"q": "", "kind": "card", "per_page": "50"}):
        assert doc_id not in ids(search(signed_in(STRANGER), stack, **params)), params
    assert doc_id not in ids(search(signed_in(MEMBER), stack, q=word, kind="file")), "a file filter leaves it out"


def test_a_public_projects_card_is_found_by_any_staff_until_the_project_is_members_only(
    stack: RunningStack, signed_in: Signed
) -> None:
    word = f"公開{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word, visibility="staff")
    doc_id = _doc_id(project, card)
    stranger = signed_in(STRANGER)
    _hit(stranger, stack, doc_id, q=f"{word} 押印")
    owner = signed_in(OWNER)
    current = _ok(_api(owner, stack, "GET", f"/api/projects/{project['id']}"))["project"]
    settings = {k: current[k] for k in ("name", "description", "archived", "revision")}
    _ok(_api(owner, stack, "PUT", f"/api/projects/{project['id']}", json={**settings, "visibility": "members"}))
    gone(stranger, stack, doc_id, q=word)
    _hit(signed_in(MEMBER), stack, doc_id, q=word)


def test_an_archived_card_is_not_found_and_comes_back_when_restored(stack: RunningStack, signed_in: Signed) -> None:
    word = f"保管{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word)
    doc_id = _doc_id(project, card)
    member = signed_in(MEMBER)
    _hit(member, stack, doc_id, q=word)
    path = f"{board_path(project)}/cards/{card['id']}/archive"
    archived = _ok(_api(member, stack, "POST", path, json={"archived": True, "version": card["version"]}))
    gone(member, stack, doc_id, q=word)
    assert doc_id not in ids(search(signed_in(OWNER), stack, q=word, kind="card"))
    _ok(_api(member, stack, "POST", path, json={"archived": False, "version": archived["version"]}))
    _hit(member, stack, doc_id, q=word)


def test_a_member_who_leaves_stops_finding_the_projects_cards(stack: RunningStack, signed_in: Signed) -> None:
    word = f"離脱{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word)
    doc_id = _doc_id(project, card)
    member = signed_in(MEMBER)
    _hit(member, stack, doc_id, q=word)
    _ok(_api(member, stack, "DELETE", f"/api/projects/{project['id']}/members/{MEMBER}"))
    gone(member, stack, doc_id, q=word)
    _hit(signed_in(OWNER), stack, doc_id, q=word)  # the others still do


def test_a_comments_words_make_the_card_findable(stack: RunningStack, signed_in: Signed) -> None:
    word = f"発言{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word)
    doc_id = _doc_id(project, card)
    owner = signed_in(OWNER)
    _hit(owner, stack, doc_id, q=word)
    by_comment = {"q": "電子署名", "kind": "card", "per_page": "50"}
    assert doc_id not in ids(search(owner, stack, **by_comment))
    path = f"{board_path(project)}/cards/{card['id']}/comments"
    _ok(
        _api(owner, stack, "POST", path, json={"text": "代わりに**電子署名**を使えないか、情報政策課に相談します。"}),
        201,
    )
    hit = _hit(owner, stack, doc_id, **by_comment)
    assert "<mark>電子署名</mark>" in hit["snippet_html"]
    assert doc_id not in ids(search(signed_in(STRANGER), stack, **by_comment))


def test_reindex_keeps_cards_and_the_search_page_labels_them(stack: RunningStack, signed_in: Signed) -> None:
    word = f"再索引{uuid.uuid4().hex[:6]}"
    project, card = _card(stack, signed_in, word)
    doc_id = _doc_id(project, card)
    member = signed_in(MEMBER)
    _hit(member, stack, doc_id, q=word)
    done = stack.kumo("reindex", check=True)
    assert "card records" in done.stdout, done.stdout
    assert doc_id in ids(search(member, stack, q=word))
    assert doc_id not in ids(search(signed_in(STRANGER), stack, q=word)), "the rebuilt index keeps the permissions"
    html = member.get(f"{stack.base_url}/search", params={"q": word}, timeout=30).text
    link = f"/projects/{project['id']}/boards/{project['boards'][0]['id']}?card={card['id']}"
    assert f'href="{link}"' in html
    assert ">プロジェクト</span>" in html and "総務課 のプロジェクト" in html and project["name"] in html
    opened = member.get(f"{stack.base_url}{link}", timeout=30)
    assert opened.status_code == 200 and card["id"] in opened.text, "the hit opens the board on the card"
