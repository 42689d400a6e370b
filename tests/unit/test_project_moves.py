"""A card move on in-process moto: a drop within the card's own list is a transaction one item
smaller (the card is checked to be in that list instead of the list being checked), a false
claim about the list is refused with nothing written, and a stale move says the card changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core.errors import Conflict
from tests.unit.recruiting_support import OWNER, build_world, who


@pytest.fixture
def board(aws_mock: None) -> dict[str, Any]:
    from chalicelib.projects import boards, cards, projects

    build_world()
    owner = who(OWNER)
    made = projects.create(owner, projects.ProjectDraft("窓口改善"))
    board_id = made.boards[0].board_id
    lists = [x.list_id for x in boards.load(owner, made.project_id, board_id).lists]
    first = cards.create(owner, made.project_id, board_id, lists[0], "混雑調査", after=None)
    second = cards.create(owner, made.project_id, board_id, lists[0], "様式の統一", after=None)
    return {"project": made.project_id, "board": board_id, "lists": lists, "cards": [first, second]}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The kinds of item each move's transaction held, in the order pynamodb sends them."""
    from chalicelib.projects import moves

    seen: list[list[str]] = []
    real = moves.transaction

    def recording() -> Any:
        tx = real()
        commit = tx._commit

        def counted() -> Any:
            seen.append(
                ["check"] * len(tx._condition_check_items)
                + ["put"] * len(tx._put_items)
                + ["update"] * len(tx._update_items)
            )
            return commit()

        tx._commit = counted
        return tx

    monkeypatch.setattr(moves, "transaction", recording)
    yield seen


def _order(b: dict[str, Any], list_index: int) -> list[str]:
    from chalicelib.projects import boards

    return [c.title for c in boards.load(who(OWNER), b["project"], b["board"]).cards_in(b["lists"][list_index])]


def test_a_drop_within_its_own_list_skips_the_list_check(board: dict[str, Any], sent: list[list[str]]) -> None:
    from chalicelib.projects import moves
    from chalicelib.projects.boards import Neighbour

    first, second = board["cards"]
    todo, doing = board["lists"][0], board["lists"][1]
    moved = moves.move(
        who(OWNER), board["project"], board["board"], second.card_id, list_id=todo, above=None,
        below=Neighbour(first.card_id, first.rank), version=second.version, from_list_id=todo,
    )  # fmt: skip
    assert _order(board, 0) == ["様式の統一", "混雑調査"]
    assert sent[-1] == ["check", "check", "put", "update"], "membership, the neighbour, the activity, the card"

    moves.move(
        who(OWNER), board["project"], board["board"], second.card_id, list_id=doing, above=None, below=None,
        version=moved.version, from_list_id=todo,
    )  # fmt: skip
    assert _order(board, 1) == ["様式の統一"]
    assert sent[-1] == ["check", "check", "put", "update"], "membership, the target list, the activity, the card"

    moves.move(
        who(OWNER), board["project"], board["board"], first.card_id, list_id=todo, above=None, below=None,
        version=first.version, from_list_id=todo,
    )  # fmt: skip
    assert sent[-1] == ["check", "put", "update"], "within its list, alone: membership, the activity, the card"


def test_a_false_claim_about_the_list_is_refused_and_nothing_moves(board: dict[str, Any]) -> None:
    from chalicelib.projects import moves

    first, _ = board["cards"]
    doing = board["lists"][1]
    with pytest.raises(Conflict):  # it is in "To do", not in "Doing": no skipping the list check that way
        moves.move(
            who(OWNER), board["project"], board["board"], first.card_id, list_id=doing, above=None, below=None,
            version=first.version, from_list_id=doing,
        )  # fmt: skip
    assert _order(board, 1) == [] and "混雑調査" in _order(board, 0)


def test_a_stale_move_says_the_card_changed(board: dict[str, Any]) -> None:
    from chalicelib.projects import moves

    first, _ = board["cards"]
    todo = board["lists"][0]
    with pytest.raises(Conflict) as refused:
        moves.move(
            who(OWNER), board["project"], board["board"], first.card_id, list_id=todo, above=None, below=None,
            version=first.version + 5,
        )  # fmt: skip
    assert refused.value.message == "Someone else changed this card meanwhile: it was reloaded, try again."
