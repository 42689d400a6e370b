"""Working days and quiet hours in Japan: when mail may go out, and when the daily digest is due.

Quiet hours: 20:00-07:00 JST, all day on Saturdays, Sundays and 祝日 (jpholiday, the maintained
list of national holidays and 振替休日; never a hand-kept list).

Mail that falls in quiet hours is not sent later on its own: it joins that person's next digest
(08:30 JST unless they chose another time: preferences.DIGEST_TIMES), which the sweep sends.
One mechanism instead of two: the digest's queue, its once-per-person-per-day reservation and
its sweep step already exist, and a person coming back on Monday gets one mail listing the
weekend's notices instead of a burst of them. The inbox has each notice at once either way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import jpholiday

JST = timezone(timedelta(hours=9))
QUIET_FROM = time(20, 0)
QUIET_UNTIL = time(7, 0)
DIGEST_AT = time(8, 30)  # the daily digest, JST, every working day, unless a person chose another time


def _jst(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(JST)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


def next_working_day(after: date) -> date:
    day = after + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def is_quiet(at: datetime) -> bool:
    """No immediate mail now: at night, on a weekend or on a 祝日 (in Japan)."""
    local = _jst(at)
    if not is_working_day(local.date()):
        return True
    return local.time() >= QUIET_FROM or local.time() < QUIET_UNTIL


def digest_day(at: datetime, digest_at: time = DIGEST_AT) -> date:
    """The working day whose digest (sent at ``digest_at``) a notice arriving now goes into:
    today's when it is a working day before that time, else the next working day's."""
    local = _jst(at)
    if is_working_day(local.date()) and local.time() < digest_at:
        return local.date()
    return next_working_day(local.date())


def digest_due(at: datetime, digest_at: time = DIGEST_AT) -> date | None:
    """The day whose digest sent at ``digest_at`` is due now (a working day, from that time), or None."""
    local = _jst(at)
    if is_working_day(local.date()) and local.time() >= digest_at:
        return local.date()
    return None
