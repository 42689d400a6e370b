"""和暦: every era boundary both ways, the ways people type dates, and the mistakes refused."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.core.wareki import format_date, parse_date, to_wareki

# (last day of an era, its 和暦), (first day of the next, its 和暦)
BOUNDARIES = [
    (date(1912, 7, 29), "明治45年7月29日", date(1912, 7, 30), "大正元年7月30日"),
    (date(1926, 12, 24), "大正15年12月24日", date(1926, 12, 25), "昭和元年12月25日"),
    (date(1989, 1, 7), "昭和64年1月7日", date(1989, 1, 8), "平成元年1月8日"),
    (date(2019, 4, 30), "平成31年4月30日", date(2019, 5, 1), "令和元年5月1日"),
]


@pytest.mark.parametrize(("last", "last_text", "first", "first_text"), BOUNDARIES)
def test_each_era_boundary_converts_both_ways(last: date, last_text: str, first: date, first_text: str) -> None:
    assert to_wareki(last) == last_text
    assert to_wareki(first) == first_text
    assert parse_date(last_text) == last
    assert parse_date(first_text) == first


def test_kanji_and_short_styles() -> None:
    assert to_wareki(date(2026, 12, 1)) == "令和8年12月1日"
    assert to_wareki(date(2020, 1, 1)) == "令和2年1月1日"
    assert to_wareki(date(2026, 12, 1), style="short") == "R8.12.1"
    assert to_wareki(date(2019, 5, 1), style="short") == "R1.5.1"
    assert to_wareki(date(1873, 1, 1)) == "明治6年1月1日"
    with pytest.raises(ValueError):
        to_wareki(date(2026, 1, 1), style="roman")


def test_dates_before_the_gregorian_calendar_in_japan_are_refused() -> None:
    with pytest.raises(ValueError):
        to_wareki(date(1872, 12, 31))
    with pytest.raises(ValueError):
        parse_date("明治5年12月1日")


def test_format_date_in_either_calendar() -> None:
    assert format_date(date(2026, 12, 1), "wareki") == "令和8年12月1日"
    assert format_date(date(2026, 12, 1), "seireki") == "2026年12月1日"
    with pytest.raises(ValueError):
        format_date(date(2026, 12, 1), "julian")


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01",
        "2026/12/1",
        "2026.12.1",
        "20261201",
        "2026年12月1日",
        "令和8年12月1日",
        "令和 8年 12月 1日",
        "R8.12.1",
        "R8/12/1",
        "r8-12-01",
        "Ｒ８．１２．１",
        "２０２６／１２／０１",
        "令和８年１２月１日",
        "㋿8年12月1日",
        " 2026-12-01 ",
    ],
)
def test_the_ways_a_date_is_typed(text: str) -> None:
    assert parse_date(text) == date(2026, 12, 1)


def test_first_years_and_letters() -> None:
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("R1.5.1") == date(2019, 5, 1)
    assert parse_date("H31.4.30") == date(2019, 4, 30)
    assert parse_date("㍻元年1月8日") == date(1989, 1, 8)
    assert parse_date("S64.1.7") == date(1989, 1, 7)
    assert parse_date("T元.7.30") == date(1912, 7, 30)
    assert parse_date("M45.7.29") == date(1912, 7, 29)
    assert parse_date("昭和20年8月15日") == date(1945, 8, 15)


@pytest.mark.parametrize(
    "text",
    [
        "平成32年1月1日",  # 平成 ended in its 31st year
        "平成31年5月1日",  # the first day of 令和
        "令和1年4月1日",  # before 令和 began
        "令和元年4月30日",
        "昭和64年1月8日",  # the first day of 平成
        "平成元年1月7日",
        "大正15年12月25日",
        "明治45年7月30日",
        "令和0年5月1日",
        "2026-02-30",
        "令和8年2月29日",  # 2026 is not a leap year
        "2026-13-01",
        "2026/12-01",  # mixed separators
        "X8.12.1",
        "12/1",
        "",
        "来週の月曜日",
    ],
)
def test_mistakes_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_every_day_round_trips_through_wareki() -> None:
    day = date(1873, 1, 1)
    while day < date(2031, 1, 1):
        assert parse_date(to_wareki(day)) == day
        assert parse_date(to_wareki(day, style="short")) == day
        day = date.fromordinal(day.toordinal() + 97)  # a spread of days, months and eras
