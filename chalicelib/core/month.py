"""A month as Japanese wall calendars print it: weeks from Sunday to Saturday, the days of the
months before and after filling the first and last week, 祝日 named, and the month in 和暦.

祝日 come from `jpholiday` (振替休日 and 国民の休日 included, and the years a law moved a day,
such as the 2020 and 2021 Olympics), never from a list kept by hand: the Cabinet Office changes
them by law, and a package update is how such a change reaches Kumo. jpholiday is imported on
first use, so a request that shows no calendar never pays for it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.core import wareki
from chalicelib.core.errors import BadRequest
from chalicelib.core.templating import JST

FIRST_YEAR, LAST_YEAR = 1900, 2199  # a month outside is a typing mistake, not a plan
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def today() -> date:
    """Today in Japan, whatever the server's clock zone (a Lambda runs in UTC)."""
    return datetime.now(JST).date()


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        """2027-01: how the month travels in URLs (?month=2027-01)."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def contains(self, d: date) -> bool:
        return (d.year, d.month) == (self.year, self.month)


def month_of(d: date) -> Month:
    return Month(d.year, d.month)


def parse_month(text: str | None, *, default: date | None = None) -> Month:
    """?month=YYYY-MM; none given: the month of `default` (today in Japan)."""
    if not text:
        return month_of(default or today())
    m = _MONTH.match(text)
    if m is None or not 1 <= int(m[2]) <= 12 or not FIRST_YEAR <= int(m[1]) <= LAST_YEAR:
        raise BadRequest("{field} is not a valid month (YYYY-MM).", field="month")
    return Month(int(m[1]), int(m[2]))


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool  # False: a day of the month before or after, filling the first or last week
    holiday: str | None  # the 祝日's name (元日, 成人の日, 振替休日 …)
    today: bool

    @property
    def column(self) -> int:
        """0 for Sunday … 6 for Saturday: the day's column in the grid."""
        return (self.date.weekday() + 1) % 7

    @property
    def key(self) -> str:
        return self.date.isoformat()


def holidays(first: date, last: date) -> dict[date, str]:
    """The 祝日 from `first` to `last`, both included, with their names."""
    import jpholiday

    return {d: name for d, name in jpholiday.between(first, last)}


def weeks(month: Month, *, on: date | None = None) -> list[list[Day]]:
    """The month's weeks, Sunday first, each of seven days; `on` is today (Japan's by default)."""
    current = on or today()
    days = _grid_dates(month)
    named = holidays(days[0], days[-1])
    grid = [Day(d, month.contains(d), named.get(d), d == current) for d in days]
    return [grid[i : i + 7] for i in range(0, len(grid), 7)]


def _grid_dates(month: Month) -> list[date]:
    # date.weekday() counts from Monday (0); Japanese calendars start on Sunday.
    start = month.first - timedelta(days=(month.first.weekday() + 1) % 7)  # back to Sunday
    end = month.last + timedelta(days=(5 - month.last.weekday()) % 7)  # on to Saturday
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def grid_range(month: Month) -> tuple[date, date]:
    """The first and last day the month's grid shows (a Sunday and a Saturday)."""
    dates = _grid_dates(month)
    return dates[0], dates[-1]


def wareki_month(month: Month) -> str:
    """The month in 和暦: 令和9年1月. A month in which an era began names both eras
    (平成31年・令和元年5月 would be wrong: 2019-05 is 令和元年5月 from its first day, but
    1989-01 is 昭和64年・平成元年1月, since 平成 began on the 8th)."""
    names = []
    for d in (month.first, month.last):
        era = wareki.era_of(d)
        year = d.year - era.first_year + 1
        name = f"{era.name}{'元' if year == 1 else year}年"
        if name not in names:
            names.append(name)
    return f"{'・'.join(names)}{month.month}月"


def title(month: Month, language: str) -> str:
    """The month as a heading reads in the page's language: 2027年1月, or January 2027."""
    if language == "ja":
        return f"{month.year}年{month.month}月"
    return f"{calendar.month_name[month.month]} {month.year}"
