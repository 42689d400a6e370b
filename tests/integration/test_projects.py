"""The project board through real HTTP on the local stack: start a project from a template, add
members, cards, moves with fractional ranks and stale moves (409), ETag polling (304), comments,
自分のタスク, and who may see or change what (members, 庁内公開, strangers, no session)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.integration.test_concurrency import all_at_once
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]

OWNER = "yamada.k"  # 総務部 総務課
MEMBER = "fujita.e"  # 土木部 道路課: a member from another 部局
STRANGER = "ogata.r"


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def start_project(stack: RunningStack, signed_in: Signed, **extra: Any) -> dict[str, Any]:
    owner = signed_in(OWNER)
    body = {"name": f"窓口DX検討 {uuid.uuid4().hex[:4]}", "description": "窓口手続の見直し", **extra}
    made = _api(owner, stack, "POST", "/api/projects", json=body)
    assert made.status_code == 201, made.text
    project = made.json()
    added = _api(owner, stack, "POST", f"/api/projects/{project['id']}/members", json={"staff_id": MEMBER})
    assert added.status_code == 201, added.text
    return project


def board_path(project: dict[str, Any]) -> str:
    return f"/api/projects/{project['id']}/boards/{project['boards'][0]['id']}"


def load(session: requests.Session, stack: RunningStack, project: dict[str, Any]) -> dict[str, Any]:
    got = _api(session, stack, "GET", board_path(project))
    assert got.status_code == 200, got.text
    return got.json()


def add_card(
    session: requests.Session, stack: RunningStack, project: dict[str, Any], list_id: str, title: str
) -> dict[str, Any]:
    board = load(session, stack, project)
    cards = next(x for x in board["lists"] if x["id"] == list_id)["cards"]
    after = {"id": cards[-1]["id"], "rank": cards[-1]["rank"]} if cards else None
    made = _api(
        session,
        stack,
        "POST",
        board_path(project) + "/cards",
        json={"list_id": list_id, "title": title, "after": after},
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_a_project_starts_from_a_template_and_members_work_its_board(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in, template="improvement")
    member = signed_in(MEMBER)
    board = load(member, stack, project)
    assert [x["title"] for x in board["lists"]] == ["アイデア", "検討中", "試行", "定着"]
    assert board["lists"][1]["wip_limit"] == 3
    assert {m["staff_id"] for m in board["members"]} == {OWNER, MEMBER}
    first, second = board["lists"][0]["id"], board["lists"][1]["id"]
    one = add_card(member, stack, project, first, "申請書様式の棚卸し")
    two = add_card(member, stack, project, first, "オンライン申請の対象を決める")
    order = [c["title"] for c in load(member, stack, project)["lists"][0]["cards"]]
    assert order[-2:] == ["申請書様式の棚卸し", "オンライン申請の対象を決める"]

    # Move the second card to the top of the next list, then the first under it.
    moved = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/cards/{two['id']}/move",
        json={"list_id": second, "version": two["version"]},
    )
    assert moved.status_code == 200, moved.text
    two = moved.json()
    moved = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/cards/{one['id']}/move",
        json={"list_id": second, "version": one["version"], "above": {"id": two["id"], "rank": two["rank"]}},
    )
    assert moved.status_code == 200, moved.text
    titles = [c["title"] for c in load(member, stack, project)["lists"][1]["cards"]]
    assert titles == ["オンライン申請の対象を決める", "申請書様式の棚卸し"]

    # A move made from a stale page (the card's old version) is refused, nothing changes.
    stale = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/cards/{one['id']}/move",
        json={"list_id": first, "version": one["version"]},
    )
    assert stale.status_code == 409
    assert [c["title"] for c in load(member, stack, project)["lists"][1]["cards"]] == titles

    # Dropped next to a card that has meanwhile moved elsewhere: 409, the page reloads the list.
    current = load(member, stack, project)["lists"][1]["cards"]
    ghost = {"id": current[0]["id"], "rank": current[0]["rank"] + "V"}  # where it is not
    refused = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/cards/{current[1]['id']}/move",
        json={"list_id": second, "version": current[1]["version"], "above": ghost},
    )
    assert refused.status_code == 409


def test_the_board_answers_304_to_a_poll_when_nothing_changed(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner = signed_in(OWNER)
    first = _api(owner, stack, "GET", board_path(project))
    tag = first.headers["ETag"]
    again = _api(owner, stack, "GET", board_path(project), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    add_card(signed_in(MEMBER), stack, project, first.json()["lists"][0]["id"], "会議日程の調整")
    changed = _api(owner, stack, "GET", board_path(project), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert any(c["title"] == "会議日程の調整" for c in changed.json()["lists"][0]["cards"])


def test_a_card_carries_assignees_checklist_markdown_and_comments(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    list_id = load(owner, stack, project)["lists"][0]["id"]
    card = add_card(owner, stack, project, list_id, "説明会資料の作成")
    path = f"{board_path(project)}/cards/{card['id']}"
    changed = _api(
        owner,
        stack,
        "PUT",
        path,
        json={
            "version": card["version"],
            "description": "**締切厳守**\n\n<script>alert(1)</script>",
            "assignees": [MEMBER],
            "due": "2027-01-15",
            "checklist": [{"text": "原案", "done": True}, {"text": "課内確認", "assignee": MEMBER}],
        },
    )
    assert changed.status_code == 200, changed.text
    detail = changed.json()
    assert "<strong>締切厳守</strong>" in detail["description_html"] and "<script>" not in detail["description_html"]
    assert [c["done"] for c in detail["checklist"]] == [True, False]

    # Assigning someone who is not a member is refused, by name.
    stranger = _api(owner, stack, "PUT", path, json={"version": detail["version"], "assignees": [STRANGER]})
    assert stranger.status_code == 400 and STRANGER in stranger.text
    # Two editors from the same version: the second is told, nothing is overwritten silently.
    late = _api(member, stack, "PUT", path, json={"version": card["version"], "title": "古い版からの変更"})
    assert late.status_code == 409

    tasks = _api(member, stack, "GET", "/api/my/tasks").json()["items"]
    assert any(t["card_id"] == card["id"] and t["due"] == "2027-01-15" for t in tasks)

    said = _api(member, stack, "POST", path + "/comments", json={"text": f"@{OWNER} 確認お願いします"})
    assert said.status_code == 201 and said.json()["mentioned"] == [OWNER]
    detail = _api(owner, stack, "GET", path).json()
    assert [a["text"] for a in detail["activity"] if a["action"] == "commented"] == [f"@{OWNER} 確認お願いします"]
    board_card = next(c for c in load(owner, stack, project)["lists"][0]["cards"] if c["id"] == card["id"])
    assert board_card["comments"] == 1 and board_card["checklist_done"] == 1 and board_card["checklist_total"] == 2


def test_who_sees_and_changes_a_project(stack: RunningStack, signed_in: Signed) -> None:
    private = start_project(stack, signed_in)
    public = start_project(stack, signed_in, visibility="staff")
    stranger = signed_in(STRANGER)
    # Members only: a stranger cannot tell it exists.
    assert _api(stranger, stack, "GET", f"/api/projects/{private['id']}").status_code == 404
    assert _api(stranger, stack, "GET", board_path(private)).status_code == 404
    assert private["id"] not in {p["id"] for p in _api(stranger, stack, "GET", "/api/projects").json()["items"]}
    # 庁内公開: read only for a stranger.
    assert _api(stranger, stack, "GET", board_path(public)).status_code == 200
    list_id = load(stranger, stack, public)["lists"][0]["id"]
    write = _api(stranger, stack, "POST", board_path(public) + "/cards", json={"list_id": list_id, "title": "x"})
    assert write.status_code == 403
    # A move is checked inside its one write: a stranger's is refused all the same, and says why.
    card = add_card(signed_in(OWNER), stack, public, list_id, "公開ボードのカード")
    move = {"list_id": list_id, "version": card["version"]}
    assert _api(stranger, stack, "POST", f"{board_path(public)}/cards/{card['id']}/move", json=move).status_code == 403
    hidden = f"/api/projects/{private['id']}/boards/{public['boards'][0]['id']}/cards/{card['id']}/move"
    assert _api(stranger, stack, "POST", hidden, json=move).status_code == 404
    assert load(signed_in(OWNER), stack, public)["lists"][0]["cards"][-1]["version"] == card["version"]
    assert public["id"] in {p["id"] for p in _api(stranger, stack, "GET", "/api/projects").json()["items"]}
    # Only managers change membership: a member cannot add someone.
    added = _api(
        signed_in(MEMBER), stack, "POST", f"/api/projects/{private['id']}/members", json={"staff_id": STRANGER}
    )
    assert added.status_code == 403
    # Without a session: nothing.
    assert requests.get(f"{stack.base_url}{board_path(public)}", timeout=30).status_code == 401
    # A member who leaves loses the members-only project; the last owner cannot leave.
    member = signed_in(MEMBER)
    assert _api(member, stack, "DELETE", f"/api/projects/{private['id']}/members/{MEMBER}").status_code == 200
    assert _api(member, stack, "GET", board_path(private)).status_code == 404
    last = _api(signed_in(OWNER), stack, "DELETE", f"/api/projects/{private['id']}/members/{OWNER}")
    assert last.status_code == 400


def test_two_people_moving_cards_in_one_list_at_once_lose_and_duplicate_nothing(
    stack: RunningStack, signed_in: Signed
) -> None:
    from tests.conftest import sign_in

    project = start_project(stack, signed_in)
    owner = signed_in(OWNER)
    lists = load(owner, stack, project)["lists"]
    source, target = lists[0]["id"], lists[1]["id"]
    made = [add_card(owner, stack, project, source, f"作業{i:02d}") for i in range(12)]
    people = [sign_in(stack.base_url, OWNER), sign_in(stack.base_url, MEMBER)]
    # Everyone drops their card at the top of the same list at the same moment.
    calls = [
        (
            lambda c=c, s=people[i % 2]: _api(
                s,
                stack,
                "POST",
                f"{board_path(project)}/cards/{c['id']}/move",
                json={"list_id": target, "version": c["version"]},
            )
        )
        for i, c in enumerate(made)
    ]
    answers = all_at_once(calls)
    assert [a.status_code for a in answers] == [200] * len(made)
    board = load(owner, stack, project)
    every = [c["id"] for x in board["lists"] for c in x["cards"]]
    assert len(every) == len(set(every)), "a card shows twice"
    assert {c["id"] for c in made} <= set(
        next(x for x in board["lists"] if x["id"] == target)["cards"][i]["id"] for i in range(len(made))
    )
    # The same card moved by both at once from the same version: one wins, the other is told.
    card = next(x for x in board["lists"] if x["id"] == target)["cards"][0]
    race = all_at_once(
        [
            (
                lambda s=s: _api(
                    s,
                    stack,
                    "POST",
                    f"{board_path(project)}/cards/{card['id']}/move",
                    json={"list_id": source, "version": card["version"]},
                )
            )
            for s in people * 5
        ]
    )
    assert sorted(r.status_code for r in race) == [200] + [409] * 9


def test_the_demo_has_projects_to_try_from_make_run(stack: RunningStack, signed_in: Signed) -> None:
    outsider = signed_in("tanaka.h")  # 人事課: a member of none of them
    names = {p["name"]: p for p in _api(outsider, stack, "GET", "/api/projects").json()["items"]}
    assert "窓口手続デジタル化プロジェクト" in names and "県民の日 記念イベント準備" in names
    assert "道路パトロール記録の電子化" not in names, "members only"
    dx = names["窓口手続デジタル化プロジェクト"]
    board = load(signed_in("ogata.r"), stack, dx)
    study = next(x for x in board["lists"] if x["title"] == "検討中")
    assert study["over_limit"] and len(study["cards"]) > study["wip_limit"]
    mine = _api(signed_in("kimura.t"), stack, "GET", "/api/my/tasks").json()["items"]
    assert any(t["title"] == "福祉関係の申請書を棚卸しする" for t in mine)


def test_lists_are_added_moved_limited_and_archived_with_their_cards(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    member = signed_in(MEMBER)
    lists = load(member, stack, project)["lists"]
    last = {"id": lists[-1]["id"], "rank": lists[-1]["rank"]}
    made = _api(member, stack, "POST", board_path(project) + "/lists", json={"title": "保留", "after": last})
    assert made.status_code == 201, made.text
    held = made.json()
    # Move it to the front (left of the first list).
    first = {"id": lists[0]["id"], "rank": lists[0]["rank"]}
    moved = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/lists/{held['id']}/move",
        json={"version": held["version"], "right": first},
    )
    assert moved.status_code == 200, moved.text
    assert [x["title"] for x in load(member, stack, project)["lists"]][0] == "保留"
    # A WIP limit of 1 with two cards marks the list.
    add_card(member, stack, project, held["id"], "一件目")
    add_card(member, stack, project, held["id"], "二件目")
    limited = _api(
        member,
        stack,
        "PUT",
        f"{board_path(project)}/lists/{held['id']}",
        json={"title": "保留中", "wip_limit": 1, "version": moved.json()["version"]},
    )
    assert limited.status_code == 200 and limited.json()["over_limit"] and limited.json()["title"] == "保留中"
    bad = _api(
        member,
        stack,
        "PUT",
        f"{board_path(project)}/lists/{held['id']}",
        json={"title": "保留中", "wip_limit": -1, "version": limited.json()["version"]},
    )
    assert bad.status_code == 400
    # Archived, the list and its cards leave the board; restored, they come back.
    gone = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/lists/{held['id']}/archive",
        json={"archived": True, "version": limited.json()["version"]},
    )
    assert gone.status_code == 200 and "保留中" not in [x["title"] for x in gone.json()["lists"]]
    back = _api(
        member,
        stack,
        "POST",
        f"{board_path(project)}/lists/{held['id']}/archive",
        json={"archived": False, "version": limited.json()["version"] + 1},
    )
    assert back.status_code == 200
    restored = next(x for x in back.json()["lists"] if x["title"] == "保留中")
    assert [c["title"] for c in restored["cards"]] == ["一件目", "二件目"]
