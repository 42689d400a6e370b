"""Dropping a card into another swimlane through real HTTP: by assignee it changes hands (and
自分のタスク follows), by label it changes label, a stale drop answers 409 like any move, and
only the project's members and labels can be what a lane stands for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_projects import MEMBER, OWNER, Signed, _api, add_card, board_path, load, start_project
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration


def _card(board: dict[str, Any], card_id: str) -> dict[str, Any]:
    return next(c for x in board["lists"] for c in x["cards"] if c["id"] == card_id)


def _move(session: Any, stack: RunningStack, project: dict[str, Any], card_id: str, body: dict[str, Any]) -> Any:
    return _api(session, stack, "POST", f"{board_path(project)}/cards/{card_id}/move", json=body)


def test_a_card_dropped_into_another_persons_lane_changes_hands(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner, member = signed_in(OWNER), signed_in(MEMBER)
    lists = [x["id"] for x in load(owner, stack, project)["lists"]]
    card = add_card(owner, stack, project, lists[0], "道路占用の手数料表を更新")
    changed = _api(
        owner,
        stack,
        "PUT",
        f"{board_path(project)}/cards/{card['id']}",
        json={"version": card["version"], "assignees": [OWNER]},
    )
    assert changed.status_code == 200, changed.text
    version = changed.json()["version"]

    lane = {"by": "assignee", "source": OWNER, "target": MEMBER}
    stale = _move(owner, stack, project, card["id"], {"list_id": lists[1], "version": version - 1, "lane": lane})
    assert stale.status_code == 409, "a drop on a card changed meanwhile is refused, as a move is"
    assert _card(load(owner, stack, project), card["id"])["assignees"] == [OWNER]

    moved = _move(owner, stack, project, card["id"], {"list_id": lists[1], "version": version, "lane": lane})
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == version + 1
    now = _card(load(owner, stack, project), card["id"])
    assert now["assignees"] == [MEMBER]
    assert next(x for x in load(owner, stack, project)["lists"] if x["id"] == lists[1])["cards"][0]["id"] == card["id"]
    mine = _api(member, stack, "GET", "/api/my/tasks").json()
    assert card["id"] in str(mine), "the new assignee has it in 自分のタスク"
    assert card["id"] not in str(_api(owner, stack, "GET", "/api/my/tasks").json())

    nobody = {"by": "assignee", "source": MEMBER, "target": "none"}
    cleared = _move(
        member, stack, project, card["id"], {"list_id": lists[1], "version": now["version"], "lane": nobody}
    )
    assert cleared.status_code == 200, cleared.text
    assert _card(load(owner, stack, project), card["id"])["assignees"] == []

    history = _api(owner, stack, "GET", f"{board_path(project)}/cards/{card['id']}").json()["activity"]
    moves = [a for a in history if a["action"] == "card_moved"]
    assert moves and all(a["summary"] == "道路占用の手数料表を更新" for a in moves), "the history names the card"


def test_a_card_dropped_into_another_label_lane_changes_label(stack: RunningStack, signed_in: Signed) -> None:
    project = start_project(stack, signed_in)
    owner = signed_in(OWNER)
    first, second = project["labels"][0]["id"], project["labels"][1]["id"]
    lists = [x["id"] for x in load(owner, stack, project)["lists"]]
    card = add_card(owner, stack, project, lists[0], "占用料の見直し案")
    tagged = _api(
        owner,
        stack,
        "PUT",
        f"{board_path(project)}/cards/{card['id']}",
        json={"version": card["version"], "labels": [first]},
    ).json()

    lane = {"by": "label", "source": first, "target": second}
    moved = _move(owner, stack, project, card["id"], {"list_id": lists[0], "version": tagged["version"], "lane": lane})
    assert moved.status_code == 200, moved.text
    assert _card(load(owner, stack, project), card["id"])["labels"] == [second]

    unknown = {"by": "label", "source": second, "target": "lbl_unknown"}
    refused = _move(
        owner, stack, project, card["id"], {"list_id": lists[0], "version": tagged["version"] + 1, "lane": unknown}
    )
    assert refused.status_code == 400, "only the project's labels"
    stranger = {"by": "assignee", "source": "none", "target": "ogata.r"}
    refused = _move(
        owner, stack, project, card["id"], {"list_id": lists[0], "version": tagged["version"] + 1, "lane": stranger}
    )
    assert refused.status_code == 400, "only members are assigned"
    bad = _move(
        owner,
        stack,
        project,
        card["id"],
        {"list_id": lists[0], "version": 1, "lane": {"by": "due", "source": "a", "target": "b"}},
    )
    assert bad.status_code == 400
    assert _card(load(owner, stack, project), card["id"])["labels"] == [second]
