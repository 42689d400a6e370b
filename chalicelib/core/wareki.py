"""和暦 (Japanese era dates): showing a date as 令和8年12月1日 and reading one typed either way.

Prefectural forms ask for and print dates in 和暦, while Kumo stores ISO dates; this is the
one place that converts. The eras and their first days:

    明治 M  1873-01-01 (see below)      昭和 S  1926-12-25 (昭和元年12月25日)
    大正 T  1912-07-30 (大正元年7月30日)  平成 H  1989-01-08 (平成元年1月8日)
                                        令和 R  2019-05-01 (令和元年5月1日)

An era ends the day before the next begins (昭和64年1月7日, 平成31年4月30日). Japan kept the
lunisolar calendar until 明治5年12月2日 and moved to the Gregorian one on 明治6年1月1日
(1873-01-01), so an earlier 明治 date has no month/day that agrees with the Gregorian date:
as JIS X 0301 does, only dates from 1873-01-01 are converted and earlier ones are refused.

A 和暦 date outside its era (平成32年, 令和元年4月1日) is refused rather than carried over to
the next era: it is a typing mistake, and guessing would store a date nobody meant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: date  # its first day converted here
    first_year: int  # the Gregorian year of its 元年 (1868 for 明治, though converted from 1873)


ERAS: tuple[Era, ...] = (  # newest first: the first era that started on or before a date is its era
    Era("令和", "R", date(2019, 5, 1), 2019),
    Era("平成", "H", date(1989, 1, 8), 1989),
    Era("昭和", "S", date(1926, 12, 25), 1926),
    Era("大正", "T", date(1912, 7, 30), 1912),
    Era("明治", "M", date(1873, 1, 1), 1868),
)
# The first day with a 和暦 date that means the same day in the Gregorian calendar.
EARLIEST = ERAS[-1].start
STYLES = ("kanji", "short")
CALENDARS = ("wareki", "seireki")

_BY_NAME = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}
_ERA = "|".join([e.name for e in ERAS] + [e.letter for e in ERAS])
_WAREKI_KANJI = re.compile(rf"^({_ERA})(\d{{1,2}}|元)年(\d{{1,2}})月(\d{{1,2}})日$")
_WAREKI_SHORT = re.compile(rf"^({_ERA})(\d{{1,2}}|元)([./-])(\d{{1,2}})\3(\d{{1,2}})$")
_SEIREKI_SEPARATED = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$")
_SEIREKI_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_SEIREKI_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Spaces people type between the parts (令和 8年 12月 1日) carry no meaning.
_SPACES = re.compile(r"\s+")


def era_of(d: date) -> Era:
    """The era `d` falls in. ValueError before 1873-01-01 (see the module's docstring)."""
    for era in ERAS:
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before {EARLIEST.isoformat()}, the first date with a 和暦 equivalent")


def to_wareki(d: date, *, style: str = "kanji") -> str:
    """`d` in 和暦: "kanji" 令和8年12月1日 (元年 for the first year), "short" R8.12.1."""
    era = era_of(d)
    year = d.year - era.first_year + 1
    if style == "kanji":
        return f"{era.name}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    if style == "short":
        return f"{era.letter}{year}.{d.month}.{d.day}"
    raise ValueError(f"unknown style {style!r}: one of {', '.join(STYLES)}")


def format_date(d: date, calendar: str) -> str:
    """`d` as a person reads it: "wareki" 令和8年12月1日, "seireki" 2026年12月1日."""
    if calendar == "wareki":
        return to_wareki(d)
    if calendar == "seireki":
        return f"{d.year}年{d.month}月{d.day}日"
    raise ValueError(f"unknown calendar {calendar!r}: one of {', '.join(CALENDARS)}")


def _wareki_date(era_text: str, year_text: str, month: str, day: str) -> date:
    era = _BY_NAME[era_text]
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise ValueError(f"{era.name}{year}年 does not exist")
    d = date(era.first_year + year - 1, int(month), int(day))  # ValueError for 2月30日
    if d < era.start or era_of(d) is not era:
        raise ValueError(f"{era.name}{year_text}年{month}月{day}日 is outside the {era.name} era")
    return d


def parse_date(text: str) -> date:
    """A date typed in any of the ways Japanese forms are filled in.

    2026-12-01, 2026/12/1, 2026.12.1, 20261201, 2026年12月1日, 令和8年12月1日, 令和元年5月1日,
    R8.12.1, R8/12/1, r8-12-1, H31.4.30, ㋿8年12月1日; full-width digits and separators too.
    ValueError for anything else, an impossible day, or a 和暦 date outside its era.
    """
    # NFKC folds full-width digits and separators (２０２６／１２／１) and the one-character
    # era signs (㍻, ㋿) into the forms matched below.
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()
    if m := _WAREKI_KANJI.match(s):
        return _wareki_date(m[1], m[2], m[3], m[4])
    if m := _WAREKI_SHORT.match(s):
        return _wareki_date(m[1], m[2], m[4], m[5])
    if m := _SEIREKI_SEPARATED.match(s):
        return date(int(m[1]), int(m[3]), int(m[4]))
    if m := _SEIREKI_KANJI.match(s) or _SEIREKI_COMPACT.match(s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"not a date: {text!r}")
