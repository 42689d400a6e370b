"""The month grid as Japanese calendars print it (Sunday first, the neighbouring months' days,
祝日 from jpholiday, 和暦 in the caption) and 自分のタスク's groups."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.core.month import Month, month_of, parse_month, wareki_month, weeks
from chalicelib.projects.tasks import Group, MyItem, Task, group_of, grouped, week_end


def _days(month: Month, on: date = date(2027, 1, 11)) -> list[date]:
    return [d.date for week in weeks(month, on=on) for d in week]


def test_january_2027_starts_on_the_sunday_before_new_year_and_ends_on_a_saturday_in_february() -> None:
    grid = weeks(Month(2027, 1), on=date(2027, 1, 11))

    assert len(grid) == 6 and all(len(week) == 7 for week in grid)
    assert all(week[0].date.weekday() == 6 for week in grid)  # every row starts on a Sunday
    assert grid[0][0].date == date(2026, 12, 27) and grid[-1][-1].date == date(2027, 2, 6)
    leading = [d.date.day for d in grid[0] if not d.in_month]
    assert leading == [27, 28, 29, 30, 31]  # 2027-01-01 is a Friday
    assert grid[0][5].date == date(2027, 1, 1) and grid[0][5].in_month and grid[0][5].column == 5
    trailing = [d.date for d in grid[-1] if not d.in_month]
    assert trailing == [date(2027, 2, d) for d in range(1, 7)]
    assert _days(Month(2027, 1)) == sorted(set(_days(Month(2027, 1))))  # no gap, no repeat


def test_a_month_that_starts_on_a_sunday_has_no_leading_days() -> None:
    february = weeks(Month(2026, 2), on=date(2026, 2, 1))  # 1 Feb 2026 is a Sunday, 28 days

    assert len(february) == 4
    assert all(d.in_month for week in february for d in week)
    assert february[0][0].date == date(2026, 2, 1) and february[-1][-1].date == date(2026, 2, 28)


def test_holidays_are_named_from_jpholiday_and_today_is_marked_once() -> None:
    grid = weeks(Month(2027, 1), on=date(2027, 1, 11))
    days = {d.date: d for week in grid for d in week}

    assert days[date(2027, 1, 11)].holiday == "成人の日"  # the second Monday of January
    assert days[date(2027, 1, 1)].holiday == "元日"
    assert days[date(2027, 1, 12)].holiday is None
    assert [d for d, day in days.items() if day.today] == [date(2027, 1, 11)]
    may = {d.date: d for week in weeks(Month(2026, 5), on=date(2026, 5, 1)) for d in week}
    assert "振替休日" in (may[date(2026, 5, 6)].holiday or "")  # 3 May fell on a Sunday


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (Month(2027, 1), "令和9年1月"),
        (Month(2019, 4), "平成31年4月"),
        (Month(2019, 5), "令和元年5月"),
        (Month(1989, 1), "昭和64年・平成元年1月"),  # 平成 began on 8 January
    ],
)
def test_the_caption_names_the_month_in_wareki(month: Month, expected: str) -> None:
    assert wareki_month(month) == expected


def test_months_are_read_from_the_url_and_step_across_years() -> None:
    assert parse_month("2027-01") == Month(2027, 1)
    assert parse_month(None, default=date(2026, 12, 1)) == Month(2026, 12)
    assert Month(2027, 1).previous == Month(2026, 12) and Month(2026, 12).next == Month(2027, 1)
    assert month_of(date(2027, 1, 31)).key == "2027-01"


@pytest.mark.parametrize("text", ["2027-13", "2027-00", "2027-1", "27-01", "2027/01", "1800-01", "abc"])
def test_a_month_that_is_not_yyyy_mm_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_month(text)
    assert refused.value.details["field"] == "month"


def _task(due: str | None, *, assigned: bool = True, items: tuple[MyItem, ...] = ()) -> Task:
    return Task("P_1", "窓口DX", "B_1", "C_" + (due or "none"), "資料作成", due, False, assigned, items)


def test_tasks_are_grouped_overdue_today_this_week_later_and_no_due_date() -> None:
    wednesday = date(2027, 1, 13)
    tasks = [_task(d) for d in ("2027-01-12", "2027-01-13", "2027-01-16", "2027-01-17", None)]

    groups = {g: [t.due for t in found] for g, found in grouped(tasks, wednesday)}

    assert week_end(wednesday) == date(2027, 1, 16)  # weeks end on Saturday
    assert groups == {
        Group.OVERDUE: ["2027-01-12"],
        Group.TODAY: ["2027-01-13"],
        Group.THIS_WEEK: ["2027-01-16"],  # Saturday still belongs to this week
        Group.LATER: ["2027-01-17"],  # Sunday starts the next
        Group.NO_DUE: [None],
    }
    assert group_of(_task("2027-01-16"), date(2027, 1, 16)) is Group.TODAY


def test_a_card_with_only_my_checklist_items_is_mine_while_one_is_open() -> None:
    open_item, done_item = MyItem("k1", "課内確認", False), MyItem("k2", "原案", True)

    assert _task("2027-01-15", assigned=False, items=(open_item, done_item)).to_do
    assert _task("2027-01-15", assigned=False, items=(open_item, done_item)).open_items == (open_item,)
    assert not _task("2027-01-15", assigned=False, items=(done_item,)).to_do
    assert _task("2027-01-15").link == "/projects/P_1/boards/B_1?card=C_2027-01-15"
