"""A board page, a card page and a board poll check the principal's rights once and read the
board's ETag once per request (reads.py), where they used to check up to four times: counted
on in-process moto by wrapping the one rights check and the ETag read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from tests.unit.recruiting_support import OTHER_STAFF, OWNER, build_world, who


@pytest.fixture
def calls(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often access.standing and boards.etag ran since the fixture (or the last clear())."""
    from chalicelib.projects import access, boards

    build_world()
    counted: Counter[str] = Counter()

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(access, "standing", counting("standing", access.standing))
    monkeypatch.setattr(boards, "etag", counting("etag", boards.etag))
    yield counted


def _signed_in(p: Principal) -> None:
    from chalicelib.core import web

    web.set_state(web.RequestState(language="ja", correlation_id="test", principal=p))


def _board_with_a_card() -> tuple[str, str, str]:
    from chalicelib.projects import boards, cards, projects

    owner = who(OWNER)
    made = projects.create(owner, projects.ProjectDraft("窓口改善", visibility="staff"))
    board_id = made.boards[0].board_id
    first = boards.load(owner, made.project_id, board_id).lists[0]
    card = cards.create(owner, made.project_id, board_id, first.list_id, "申請書の簡素化", after=None)
    return made.project_id, board_id, card.card_id


def test_the_board_page_checks_rights_once(calls: Counter[str]) -> None:
    from chalicelib.projects import board_pages
    from chalicelib.projects.board_view import Options

    project_id, board_id, _ = _board_with_a_card()
    _signed_in(who(OWNER))
    calls.clear()
    context = board_pages.board_context(project_id, board_id, Options())
    assert [cv.card.title for lv in context["lists"] for cv in lv.cards] == ["申請書の簡素化"]
    assert calls == Counter(standing=1, etag=1)


def test_the_card_page_checks_rights_once(calls: Counter[str]) -> None:
    from chalicelib.projects import card_pages
    from chalicelib.projects.board_view import Options

    project_id, board_id, card_id = _board_with_a_card()
    _signed_in(who(OWNER))
    calls.clear()
    context = card_pages.card_context(project_id, board_id, card_id, Options())
    assert context["card"].title == "申請書の簡素化" and context["edits"]
    assert [a.action for a in context["history"]] == ["card_created"]
    assert calls == Counter(standing=1, etag=1)


def test_a_stale_poll_checks_rights_and_reads_the_etag_once(calls: Counter[str]) -> None:
    from chalicelib.projects import boards, reads

    project_id, board_id, _ = _board_with_a_card()
    owner = who(OWNER)
    tag = boards.load(owner, project_id, board_id).etag
    calls.clear()
    assert reads.poll(owner, project_id, board_id, seen=tag) == boards.Unchanged(tag)
    assert calls == Counter(standing=1, etag=1)

    calls.clear()
    found = reads.poll(owner, project_id, board_id, seen='"0-stale"', include_left=False)
    assert isinstance(found, reads.BoardRead) and [m.staff_id for m in found.people] == [OWNER]
    assert calls == Counter(standing=1, etag=1)


def test_one_check_still_refuses_who_may_not_see(calls: Counter[str]) -> None:
    """A members-only project: a stranger's page and poll are 404 as before."""
    from chalicelib.projects import projects, reads

    made = projects.create(who(OWNER), projects.ProjectDraft("内部検討"))
    board_id = made.boards[0].board_id
    with pytest.raises(NotFound):
        reads.poll(who(OTHER_STAFF), made.project_id, board_id, seen="")
    with pytest.raises(NotFound):
        reads.board(who(OTHER_STAFF), made.project_id, board_id)
