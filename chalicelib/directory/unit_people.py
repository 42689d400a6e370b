"""Who is in a unit: its people, its 所属長 and its 取りまとめ担当, with 兼務 and transfers due.

Reads of a unit's people go to the 部局's records (by_department) and those placed elsewhere
(by_elsewhere), filtered by DynamoDB to who may belong. Within `staff_cache.reads_cached` (the
notifier's batch) each is read whole once per directory stamp and kept by the process, and who
a unit's 取りまとめ担当 are is worked out once per stamp, day and tree (staff_cache.derived_each);
every write of directory/staff.py stamps the directory after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.core.auth import Assignment, Post
from chalicelib.directory import org, staff_cache, storage
from chalicelib.directory.placement import jst_today
from chalicelib.directory.staff import ELSEWHERE, Staff, _staff
from chalicelib.directory.storage import StaffRecord

MAX_FILTER_VALUES = 100  # an IN of a filter expression takes at most 100 values


def _candidates(department_id: str) -> list[Staff]:
    """Everyone who may have a place in this 部局: stored there, or with a place elsewhere."""
    return _candidates_of({department_id: None})[department_id]


def _main_units(unit_id: str) -> set[str] | None:
    """The main 所属 a member of this unit can have: the unit, the 所属 above a 係, the units
    below it; None for a 部局 (anyone in it)."""
    if org.department_of(unit_id) == unit_id:
        return None
    ids = {unit_id, *org.unit_path(unit_id)[1:]}
    below = [unit_id]
    for _ in range(org.MAX_DEPTH):
        below = [c.unit_id for u in below for c in org.children(u)]
        ids.update(below)
    return ids


def _wanted(unit_ids: list[str]) -> dict[str, set[str] | None]:
    """The 部局 to read for these units, each with the main 所属 that matter (None: everyone)."""
    wanted: dict[str, set[str] | None] = {}
    for unit_id in unit_ids:
        department, units = org.department_of(unit_id), _main_units(unit_id)
        have = wanted.get(department, set())
        wanted[department] = None if have is None or units is None else have | units
    return wanted


def _may_belong(units: set[str] | None) -> Any:
    """A filter on a 部局's records that keeps whoever may be in these units: their main 所属 is
    one of them, or they hold a 兼務 or a pending transfer (decided after reading, by the tree).
    The 部局's other people stay on the server: a 照会 to one 所属 of a 500-person 部局 read all
    500 (bench/notify.py)."""
    if units is None or len(units) >= MAX_FILTER_VALUES:
        return None
    return StaffRecord.unit_id.is_in(*sorted(units)) | StaffRecord.concurrent.exists() | StaffRecord.transfers.exists()


def _could_belong(record: StaffRecord, units: set[str] | None) -> bool:
    """`_may_belong` applied to a record read whole."""
    return units is None or record.unit_id in units or record.concurrent is not None or record.transfers is not None


def _department_records(department_id: str, units: set[str] | None) -> list[StaffRecord]:
    """The 部局's records that may be in these units: filtered by DynamoDB, or within
    `reads_cached` read whole once per stamp (any units of the 部局 after it) and filtered here."""
    if not staff_cache.active():
        return list(StaffRecord.by_department.query(department_id, filter_condition=_may_belong(units)))
    records = staff_cache.read_once(
        ("department", department_id), lambda: StaffRecord.by_department.query(department_id)
    )
    return [r for r in records if _could_belong(r, units)]


def _candidates_of(wanted: dict[str, set[str] | None]) -> dict[str, list[Staff]]:
    """`_candidates` of each 部局 (at least those who may be in the units given: callers keep
    the members themselves), the places elsewhere read once for all of them."""
    storage.bind()
    today = jst_today()
    elsewhere: list[Staff] | None = None
    found: dict[str, list[Staff]] = {}
    for department_id, units in wanted.items():
        people = {r.staff_id: _staff(r, today) for r in _department_records(department_id, units)}
        if elsewhere is None:
            read = staff_cache.read_once(("elsewhere",), lambda: StaffRecord.by_elsewhere.query(ELSEWHERE))
            elsewhere = [_staff(r, today) for r in read]
        for person in elsewhere:
            people.setdefault(person.staff_id, person)
        found[department_id] = sorted(people.values(), key=lambda s: s.staff_id)
    return found


def staff_in_department(department_id: str) -> list[Staff]:
    """The staff whose main place is in this 部局 today."""
    return [s for s in _candidates(department_id) if s.department_id == department_id]


def assignments_in(staff: Staff, unit_id: str) -> list[Assignment]:
    """The person's places (main and 兼務) at or below this unit."""
    return [a for a in staff.principal().assignments if unit_id in a.path]


def _members(candidates: list[Staff], unit_id: str, post: Post | None) -> list[Staff]:
    members = []
    for person in candidates:
        places = assignments_in(person, unit_id)
        if places and (post is None or any(a.post is post for a in places)):
            members.append(person)
    return members


def staff_in_unit(unit_id: str, *, post: Post | None = None) -> list[Staff]:
    """Members whose main or 兼務 place is this unit or below it (for a 部局: anywhere in it),
    holding `post` there when one is given: who is a 所属's 所属長, its 取りまとめ担当."""
    return staff_in_units([unit_id], post=post)[unit_id]


def staff_in_units(unit_ids: Iterable[str], *, post: Post | None = None) -> dict[str, list[Staff]]:
    """`staff_in_unit` of many units at once (a 照会 to twenty 所属): each 部局 is read once."""

    def work_out(keys: list[Any]) -> dict[Any, list[Staff]]:
        units = [u for _, u, _ in keys]
        candidates = _candidates_of(_wanted(units))
        return {("in", u, post): _members(candidates[org.department_of(u)], u, post) for u in units}

    units = list(dict.fromkeys(unit_ids))
    found = staff_cache.derived_each([("in", u, post) for u in units], work_out, jst_today(), org.tree())
    return {u: list(found[("in", u, post)]) for u in units}


def heads_of(unit_id: str) -> list[Staff]:
    """The 所属長 of a 所属."""
    return staff_in_unit(unit_id, post=Post.HEAD)


def coordinators_of(unit_id: str) -> list[Staff]:
    """Who gathers a 所属's answers: its 取りまとめ担当, or its 所属長 when it has none."""
    return coordinators_of_units([unit_id])[unit_id]


def coordinators_of_units(unit_ids: Iterable[str]) -> dict[str, list[Staff]]:
    """`coordinators_of` each unit, each 部局 read once for all of them (and for both posts);
    within the notifier's batch, worked out once per unit until the staff or the tree change."""

    def work_out(keys: list[Any]) -> dict[Any, list[Staff]]:
        units = [u for _, u in keys]
        candidates = _candidates_of(_wanted(units))
        found = {}
        for u in units:
            people = candidates[org.department_of(u)]
            found[("coordinators", u)] = _members(people, u, Post.COORDINATOR) or _members(people, u, Post.HEAD)
        return found

    units = list(dict.fromkeys(unit_ids))
    found = staff_cache.derived_each([("coordinators", u) for u in units], work_out, jst_today(), org.tree())
    return {u: list(found[("coordinators", u)]) for u in units}
