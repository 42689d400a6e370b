"""What the board page shows for its options: filters (assignee, label, due this week / overdue
/ none), swimlanes, WIP counts of every card whatever the filter, 和暦/西暦 due dates, person
chips, and the query string that makes a filtered board a link to share."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.projects.access import Standing
from chalicelib.projects.board_view import BoardView, Options, due_passes, due_text, short_name
from chalicelib.projects.boards import Board
from chalicelib.projects.card_pages import file_id_of
from chalicelib.projects.model import (
    BoardRef,
    Card,
    CardList,
    Label,
    Member,
    MemberRole,
    Project,
    Visibility,
)

MONDAY = date(2026, 11, 30)  # a Monday: this week runs to Sunday 2026-12-06
AT = datetime(2026, 11, 1, tzinfo=UTC)
URGENT = Label("lbl_urgent", "至急", "red")
WAITING = Label("lbl_wait", "回答待ち", "yellow")


def _card(
    card_id: str, list_id: str, *, people: tuple[str, ...] = (), labels: tuple[str, ...] = (), due: str | None = None
) -> Card:
    return Card(
        "brd_1", card_id, "prj_1", list_id, f"a{card_id[-1]}", card_id, "", people, due, labels, (), (), (), 0,
        False, "yamada.k", AT, AT, 0,
    )  # fmt: skip


def _member(staff_id: str, name: str) -> Member:
    return Member("prj_1", staff_id, name, "somu", MemberRole.MEMBER, 0, None, None, AT, None, False)


def _view(cards: list[Card], options: Options, language: str = "ja") -> BoardView:
    project = Project(
        "prj_1", "窓口改善", "", "somu", "somu", "yamada.k", "山田 健一", Visibility.MEMBERS,
        (BoardRef("brd_1", "かんばん"),), (URGENT, WAITING), False, "2026-11-01", AT, 1,
    )  # fmt: skip
    lists = [
        CardList("brd_1", "L_todo", "未着手", "a0", 0, False, 0),
        CardList("brd_1", "L_doing", "進行中", "a1", 2, False, 0),
    ]
    board = Board(Standing(project, None, False), project.boards[0], lists, cards, '"1-0"')
    people = [_member("yamada.k", "山田 健一"), _member("fujita.e", "藤田 恵美")]
    return BoardView(board, people, options, language, MONDAY)


CARDS = [
    _card("C_1", "L_todo", people=("fujita.e",), labels=("lbl_urgent",), due="2026-11-27"),
    _card("C_2", "L_doing", people=("yamada.k", "fujita.e"), due="2026-12-06"),
    _card("C_3", "L_doing", labels=("lbl_wait",), due="2026-12-07"),
    _card("C_4", "L_doing"),
]


def _shown(view: BoardView) -> list[str]:
    return [cv.card.card_id for lv in view.lists() for cv in lv.cards]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, ["C_1", "C_2", "C_3", "C_4"]),
        ({"assignee": "fujita.e"}, ["C_1", "C_2"]),
        ({"assignee": "none"}, ["C_3", "C_4"]),
        ({"label": "lbl_urgent"}, ["C_1"]),
        ({"due": "overdue"}, ["C_1"]),
        ({"due": "week"}, ["C_2"]),  # Sunday the 6th is this week, Monday the 7th is not
        ({"due": "none"}, ["C_4"]),
        ({"assignee": "fujita.e", "due": "week"}, ["C_2"]),
    ],
)
def test_filters_show_the_cards_that_pass_them_all(query: dict[str, str], shown: list[str]) -> None:
    assert _shown(_view(CARDS, Options.parse(query))) == shown


def test_counts_and_the_wip_mark_are_of_every_card_in_the_list_whatever_is_shown() -> None:
    doing = _view(CARDS, Options.parse({"label": "lbl_urgent"})).lists()[1]

    assert doing.cards == () and doing.count == 3 and doing.over
    assert doing.last is not None and doing.last.card_id == "C_4"  # a new card goes after the list's real last one


def test_swimlanes_by_assignee_show_a_shared_card_in_each_persons_lane_then_the_unassigned() -> None:
    lanes = _view(CARDS, Options.parse({"view": "swimlanes"})).lanes()

    assert [(lane.key, lane.title) for lane in lanes] == [
        ("yamada.k", "山田 健一"),
        ("fujita.e", "藤田 恵美"),
        ("none", ""),
    ]
    by_key = {lane.key: [[cv.card.card_id for cv in cell.cards] for cell in lane.cells] for lane in lanes}
    assert by_key["fujita.e"] == [["C_1"], ["C_2"]]
    assert by_key["yamada.k"] == [[], ["C_2"]]
    assert by_key["none"] == [[], ["C_3", "C_4"]]


def test_swimlanes_by_label_follow_the_projects_label_order() -> None:
    lanes = _view(CARDS, Options.parse({"view": "swimlanes", "lanes": "label"})).lanes()

    assert [lane.title for lane in lanes] == ["至急", "回答待ち", ""]
    assert [cv.card.card_id for cell in lanes[-1].cells for cv in cell.cards] == ["C_2", "C_4"]


def test_unknown_options_fall_back_and_the_query_keeps_only_what_differs() -> None:
    options = Options.parse({"view": "gantt", "due": "someday", "dates": "wareki", "assignee": "fujita.e"})

    assert (options.view, options.due, options.dates) == ("board", "", "wareki")
    assert options.query() == "?assignee=fujita.e&dates=wareki"
    assert options.query(view="list") == "?view=list&assignee=fujita.e&dates=wareki"
    assert Options().query() == ""


def test_due_this_week_runs_from_today_to_sunday() -> None:
    sunday = date(2026, 12, 6)
    assert due_passes("2026-12-06", "week", sunday)
    assert not due_passes("2026-12-05", "week", sunday)  # yesterday is overdue, not this week
    assert due_passes("2026-12-05", "overdue", sunday)
    assert not due_passes(None, "overdue", sunday) and due_passes(None, "none", sunday)


def test_due_dates_in_wareki_or_seireki_across_the_change_of_era() -> None:
    assert due_text("2019-04-30", "wareki", "ja") == "平成31年4月30日"
    assert due_text("2019-05-01", "wareki", "ja") == "令和元年5月1日"
    assert due_text("2026-12-01", "seireki", "ja") == "2026年12月1日"
    assert due_text("2026-12-01", "seireki", "en") == "2026-12-01"
    assert due_text(None, "wareki", "ja") == ""


def test_a_card_shows_each_persons_short_name_and_an_overdue_word() -> None:
    card = _view(CARDS, Options()).card(CARDS[0])

    assert [(p.short, p.name) for p in card.people] == [("藤田", "藤田 恵美")]
    assert card.due_state == "overdue" and card.labels == (URGENT,)
    assert short_name("Ken Yamada") == "KY" and short_name("") == "?"


@pytest.mark.parametrize(
    ("given", "file_id"),
    [("f_123", "f_123"), ("https://kumo.example/files/f_9a8b?tab=versions", "f_9a8b"), ("  /files/f_1/  ", "f_1")],
)
def test_a_file_is_linked_by_its_id_or_the_address_of_its_page(given: str, file_id: str) -> None:
    assert file_id_of(given) == file_id
