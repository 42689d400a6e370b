"""Monthly 実績: members with a time share record what they actually gave each project (a share,
hours, or both), the 所属長 sees their staff's commitments and 実績, and once a month the
scheduler reminds the members (ActualsDue).

A month can be recorded only inside the membership: from the later of the join and the period's
start to the earlier of its end and the day the person left. It stays editable during the two
months after it, unless a system administrator has locked it (caps.set_lock) for 人事.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.core import events
from chalicelib.core.auth import Post, Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden
from chalicelib.core.i18n_markers import N_
from chalicelib.core.project_events import ActualsDue
from chalicelib.core.storage import get_or_none, save_if_absent
from chalicelib.core.templating import JST
from chalicelib.projects.model import Member
from chalicelib.projects.recruiting import caps, ledger, storage
from chalicelib.projects.recruiting.ledger import Commitment
from chalicelib.projects.recruiting.model import add_months, month_of, now, parse_month, today
from chalicelib.projects.recruiting.storage import ActualRecord, SettingRecord

EDIT_MONTHS = 2  # a month stays editable while the current month is at most this many after it
HOURS_MAX = 744  # the hours of a 31-day month
MONTHS_LISTED = 24
HEAD_MONTHS = 6  # the 所属長's page shows this many months of 実績
REMINDER_BATCH = 500  # staff ids per ActualsDue event (an event's detail stays small)
FUTURE = N_("This month has not begun yet.")
LOCKED = N_("This month's 実績 are locked.")
TOO_OLD = N_("This month can no longer be changed.")


@dataclass(frozen=True)
class Recorded:
    actual_percent: int | None
    actual_hours: float | None
    recorded_at: datetime


@dataclass(frozen=True)
class Row:
    """One project in the month's form: the plan, what was recorded, whether it may change."""

    commitment: Commitment
    recorded: Recorded | None
    closed_because: str | None  # a msgid when the month cannot be changed

    @property
    def editable(self) -> bool:
        return self.closed_because is None


@dataclass(frozen=True)
class MonthForm:
    month: str
    rows: tuple[Row, ...]
    months: tuple[str, ...]  # months the person could record, newest first
    locked_through: str | None


def _jst_day(iso_time: str) -> date:
    return datetime.fromisoformat(iso_time).astimezone(JST).date()


def span(c: Commitment, member: Member | None) -> tuple[str, str]:
    """The first and last month of a commitment inside its membership."""
    first = month_of(max(_jst_day(c.consented_at), date.fromisoformat(c.period_start)))
    end = date.fromisoformat(c.period_end)
    if member is not None and member.via == c.application_id and member.left_at is not None:
        end = min(end, member.left_at.astimezone(JST).date())
    return first, month_of(end)


def inside(c: Commitment, member: Member | None, month: str) -> bool:
    first, last = span(c, member)
    return first <= month <= last


def closed_because(month: str, current: str, locked_through: str | None) -> str | None:
    if month > current:
        return FUTURE
    if locked_through and month <= locked_through:
        return LOCKED
    if add_months(month, EDIT_MONTHS) < current:
        return TOO_OLD
    return None


def _recorded(r: ActualRecord) -> Recorded:
    hours = float(r.actual_hours) if r.actual_hours is not None else None
    percent = int(r.actual_percent) if r.actual_percent is not None else None
    return Recorded(percent, hours, r.recorded_at)


def recorded_of(staff_id: str, first: str, last: str) -> dict[tuple[str, str], Recorded]:
    """(month, project id) -> what the person recorded, for the months first..last."""
    storage.bind()
    found = ActualRecord.query(staff_id, ActualRecord.entry_key.between(f"{first}#", f"{last}#\uffff"))
    return {(r.month, r.project_id): _recorded(r) for r in found}


def _months(commitments: tuple[Commitment, ...], members: dict[str, Member], current: str) -> tuple[str, ...]:
    """The months the person could record, newest first (the last two years at most)."""
    months: set[str] = set()
    for c in commitments:
        first, last = span(c, members.get(c.project_id))
        m = max(first, add_months(current, -MONTHS_LISTED))
        while m <= min(last, current):
            months.add(m)
            m = add_months(m, 1)
    return tuple(sorted(months, reverse=True))


def month_form(p: Principal, month: str | None = None) -> MonthForm:
    """A month's form; without a month, last month's (the one to record now), or the person's
    latest month when they had no share last month."""
    current = month_of(today())
    held = ledger.load(p.staff_id)
    members = ledger.memberships(p.staff_id) if held.commitments else {}
    months = _months(held.commitments, members, current)
    last_month = add_months(current, -1)
    chosen = parse_month(month) if month else last_month if last_month in months or not months else months[0]
    locked = caps.locked_through()
    recorded = recorded_of(p.staff_id, chosen, chosen)
    rows = tuple(
        Row(c, recorded.get((chosen, c.project_id)), closed_because(chosen, current, locked))
        for c in held.commitments
        if inside(c, members.get(c.project_id), chosen)
    )
    return MonthForm(chosen, rows, months, locked)


def _values(percent: int | None, hours: float | None) -> tuple[int | None, float | None]:
    if percent is None and hours is None:
        raise BadRequest("Enter the share (%) or the hours you gave the project.", field="actual_percent")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100):
        raise BadRequest(
            "{field} must be a whole number from {low} to {high}.", field="actual_percent", low=0, high=100
        )
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours <= HOURS_MAX:
            raise BadRequest("Hours must be a number from 0 to {limit}.", field="actual_hours", limit=HOURS_MAX)
        hours = round(float(hours), 1)
    return percent, hours


def record(p: Principal, month: str, project_id: str, *, percent: int | None, hours: float | None) -> Row:
    """Record (or change) a month's 実績 for one project."""
    chosen = parse_month(month)
    values = _values(percent, hours)
    held = ledger.load(p.staff_id)
    members = ledger.memberships(p.staff_id) if held.commitments else {}
    found = [c for c in held.commitments if c.project_id == project_id and inside(c, members.get(project_id), chosen)]
    if not found:
        raise BadRequest("You had no time share in this project in {month}.", field="month", month=chosen)
    why = closed_because(chosen, month_of(today()), caps.locked_through())
    if why is not None:
        raise Conflict(why, field="month")
    storage.bind()
    saved = ActualRecord(
        p.staff_id,
        f"{chosen}#{project_id}",
        month=chosen,
        project_id=project_id,
        application_id=found[-1].application_id,
        actual_percent=values[0],
        actual_hours=values[1],
        recorded_at=now(),
    )
    saved.save()
    return Row(found[-1], _recorded(saved), None)


# --- the 所属長's view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Commitment
    counting: bool  # takes up part of the cap today
    actuals: tuple[tuple[str, Recorded | None], ...]  # (month, recorded) for the months shown


@dataclass(frozen=True)
class StaffLine:
    staff_id: str
    display_name: str
    unit_id: str
    committed_percent: int
    cap_percent: int
    lines: tuple[CommitmentLine, ...]


def headed_units(p: Principal) -> list[str]:
    return sorted({a.unit_id for a in p.assignments if a.post is Post.HEAD})


def staff_overview(p: Principal) -> list[StaffLine]:
    """The outside commitments and 実績 of the staff whose main 所属 this person heads."""
    from chalicelib.directory import service as directory

    units = headed_units(p)
    if not units:
        raise Forbidden("Only a unit's head sees its staff's time shares.")
    on = today()
    current = month_of(on)
    months = [add_months(current, -i) for i in range(HEAD_MONTHS - 1, -1, -1)]
    people = {
        s.staff_id: s
        for unit_id in units
        for s in directory.staff_in_unit(unit_id)
        if (s.unit_id or s.department_id) == unit_id
    }
    out: list[StaffLine] = []
    for staff_id, held in ledger.load_many(people).items():
        if not held.commitments:
            continue
        members = ledger.memberships(staff_id)
        recorded = recorded_of(staff_id, months[0], months[-1])
        lines = tuple(
            CommitmentLine(
                c,
                ledger.counts(c, on, members.get(c.project_id)),
                tuple((m, recorded.get((m, c.project_id))) for m in months if inside(c, members.get(c.project_id), m)),
            )
            for c in held.commitments
        )
        person = people[staff_id]
        unit_id = person.unit_id or person.department_id
        out.append(
            StaffLine(
                staff_id,
                person.display_name,
                unit_id,
                ledger.committed_share(held.commitments, on, members),
                caps.cap_for(unit_id),
                lines,
            )
        )
    return sorted(out, key=lambda s: (s.unit_id, s.display_name))


# --- the monthly reminder ---------------------------------------------------------------------------


def _due_staff(month: str) -> list[str]:
    due: list[str] = []
    for held in ledger.every_ledger():
        candidates = [c for c in held.commitments if inside(c, None, month)]
        if not candidates:
            continue
        members = ledger.memberships(held.staff_id)
        if any(inside(c, members.get(c.project_id), month) for c in candidates):
            due.append(held.staff_id)
    return sorted(due)


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), REMINDER_BATCH):
        yield ids[start : start + REMINDER_BATCH]


def send_actuals_due(at: datetime | None = None) -> int:
    """The scheduler's part, on every run: once a month has ended, remind (once) everyone who had
    a time share in it to record their 実績. Returns how many people were reminded."""
    month = add_months(month_of(today(at)), -1)
    key = f"actuals_due#{month}"
    storage.bind()
    if get_or_none(SettingRecord, key) is not None:
        return 0
    staff_ids = _due_staff(month)
    taken = save_if_absent(
        SettingRecord(key, month=month, updated_by="scheduler", updated_at=at or now()), SettingRecord.setting_key
    )
    if not taken or not staff_ids:
        return 0
    events.publish([ActualsDue(month=month, staff_ids=chunk) for chunk in _chunks(staff_ids)])
    return len(staff_ids)
