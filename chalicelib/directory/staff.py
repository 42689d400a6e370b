"""Staff and their places: the main 所属 (and 係, post), 兼務, pending transfers (人事異動).

A staff record keeps `department_id` (the 部局 of the main 所属: the by_department index and
older code rely on it); 所属, 係, post, 兼務 and transfers sit beside it. A record from before
the tree has only `department_id`: that person sits directly in their 部局. Reads apply a
transfer whose day has come (directory/placement.py); apply_due_transfers writes it down.
directory/service.py re-exports what other slices use.

Reads of a unit's people go to the 部局's records (by_department) and those placed elsewhere
(by_elsewhere). Within `staff_cache.reads_cached` (the notifier's batch) each is read whole once
per directory stamp and kept by the process; so every write here stamps the directory after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.core.observability import logger
from chalicelib.core.storage import MAX_HASH_KEY_BYTES, get_or_none, keyable, update_if
from chalicelib.directory import org, staff_cache, storage
from chalicelib.directory.placement import Placement, Transfer, due, jst_today
from chalicelib.directory.storage import PlacementMap, StaffRecord, TransferMap

ELSEWHERE = "y"  # the by_elsewhere index's one key
MAX_FILTER_VALUES = 100  # an IN of a filter expression takes at most 100 values


@dataclass(frozen=True)
class Staff:
    staff_id: str
    display_name: str
    email: str
    department_id: str  # the 部局 of the main 所属
    role: Role
    first_signed_in_at: datetime | None = None
    unit_id: str | None = None  # the main 所属; None: directly in the 部局 (staff from before the tree)
    section_id: str | None = None  # the 係 in the main 所属
    post: Post = Post.GENERAL
    concurrent: tuple[Placement, ...] = ()  # 兼務
    transfers: tuple[Transfer, ...] = ()  # pending, soonest first

    @property
    def main(self) -> Placement:
        return Placement(self.unit_id or self.department_id, self.section_id, self.post)

    def principal(self) -> Principal:
        """Who this person is to the rules: the unit paths of the main place, then of each 兼務."""
        main = Assignment(_path(self.unit_id or self.department_id, self.section_id, self.department_id), self.post)
        extra = [
            Assignment(_path(c.unit_id, c.section_id), c.post) for c in self.concurrent if org.find_unit(c.unit_id)
        ]
        return Principal(
            self.staff_id,
            self.display_name,
            self.email,
            main.path[0],
            self.role,
            (main, *[a for a in extra if a.path != main.path]),
        )


def _path(unit_id: str, section_id: str | None, department_id: str | None = None) -> tuple[str, ...]:
    """The unit path of a place from the tree; a 係 that is not in the 所属 is left out, and a
    unit no longer in the tree keeps the 部局 the record names."""
    if org.find_unit(unit_id) is None:
        return (department_id, unit_id) if department_id and department_id != unit_id else (unit_id,)
    path = org.unit_path(unit_id)
    if section_id and org.find_unit(section_id) is not None:
        below = org.unit_path(section_id)
        if below[:-1] == path:
            return below
    return path


def _now() -> datetime:
    return datetime.now(UTC)


def _post(value: str | None) -> Post:
    return Post(value) if value and value in Post._value2member_map_ else Post.GENERAL


def _placement(m: PlacementMap) -> Placement:
    return Placement(m.unit_id, m.section_id or None, _post(m.post))


def _transfer(m: TransferMap) -> Transfer:
    return Transfer(
        date.fromisoformat(m.effective),
        Placement(m.unit_id, m.section_id or None, _post(m.post)),
        tuple(_placement(c) for c in m.concurrent or []),
    )


def _stored(record: StaffRecord) -> Staff:
    """The person as the record has them, pending transfers not applied."""
    return Staff(
        record.staff_id,
        record.display_name,
        record.email,
        record.department_id,
        Role(record.role),
        record.first_signed_in_at,
        record.unit_id or None,
        record.section_id or None,
        _post(record.post),
        tuple(_placement(c) for c in record.concurrent or []),
        tuple(_transfer(t) for t in record.transfers or []),
    )


def _staff(record: StaffRecord, today: date | None = None) -> Staff:
    return settled(_stored(record), today or jst_today())


def settled(staff: Staff, today: date) -> Staff:
    """The person as of `today`: a transfer whose day has come is their place now."""
    arrived, waiting = due(staff.transfers, today)
    if arrived is None:
        return staff
    return placed(dataclasses.replace(staff, transfers=waiting), arrived.main, arrived.concurrent)


def placed(staff: Staff, main: Placement, concurrent: tuple[Placement, ...]) -> Staff:
    """The person in these places (their 部局 follows the main one)."""
    department = org.department_of(main.unit_id)
    return dataclasses.replace(
        staff,
        department_id=department,
        unit_id=None if main.unit_id == department else main.unit_id,
        section_id=main.section_id,
        post=main.post,
        concurrent=concurrent,
    )


# --- staff -------------------------------------------------------------------------------


def find_staff(staff_id: str) -> Staff | None:
    storage.bind()
    record = get_or_none(StaffRecord, staff_id)
    return _staff(record) if record else None


def find_staff_many(staff_ids: Iterable[str]) -> dict[str, Staff]:
    """Each person found, by id, in batch reads of a hundred (the notifier mails many people of one
    event, the digest sweep thousands); an id not in the directory is left out."""
    wanted = [s for s in dict.fromkeys(staff_ids) if keyable(s, MAX_HASH_KEY_BYTES)]
    if not wanted:
        return {}
    storage.bind()
    today = jst_today()
    return {r.staff_id: _staff(r, today) for r in StaffRecord.batch_get(wanted)}


def display_names(staff_ids: list[str]) -> dict[str, str]:
    """Each staff id's display name, looked up once; an id no longer in the directory stands for itself."""
    found = find_staff_many(staff_ids)
    return {s: found[s].display_name if s in found else s for s in dict.fromkeys(staff_ids)}


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


def all_staff() -> list[Staff]:
    storage.bind()
    return sorted((_staff(r) for r in StaffRecord.scan()), key=lambda s: s.staff_id)


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


def _elsewhere(staff: Staff) -> bool:
    """Whether the record belongs in by_elsewhere: a pending transfer, or a 兼務 in another 部局."""
    return bool(staff.transfers) or any(org.department_of(c.unit_id) != staff.department_id for c in staff.concurrent)


def _placement_map(p: Placement) -> PlacementMap:
    return storage.placement_map(p.unit_id, p.section_id, p.post.value)


def _record(staff: Staff, existing: StaffRecord | None, now: datetime) -> StaffRecord:
    return StaffRecord(
        staff.staff_id,
        display_name=staff.display_name,
        email=staff.email,
        department_id=staff.department_id,
        role=staff.role.value,
        created_at=existing.created_at if existing else now,
        updated_at=now,
        first_signed_in_at=existing.first_signed_in_at if existing else None,
        unit_id=staff.unit_id,
        section_id=staff.section_id,
        post=staff.post.value,
        concurrent=[_placement_map(c) for c in staff.concurrent] or None,
        transfers=[
            storage.transfer_map(
                t.effective.isoformat(), _placement_map(t.main), [_placement_map(c) for c in t.concurrent]
            )
            for t in staff.transfers
        ]
        or None,
        elsewhere=ELSEWHERE if _elsewhere(staff) else None,
    )


def _write(staff: Staff) -> Staff | None:
    storage.bind()
    existing = get_or_none(StaffRecord, staff.staff_id)
    _record(staff, existing, _now()).save()
    return _staff(existing) if existing else None


def save_staff(staff: Staff) -> Staff | None:
    """Create or update a staff record; returns the previous version (None if new)."""
    previous = _write(staff)
    staff_cache.bump()
    return previous


def save_staff_many(people: Iterable[Staff]) -> int:
    """save_staff of each person (an org import moving a 所属's people), the directory stamped
    once after them all. Returns how many were written."""
    written = 0
    for person in people:
        _write(person)
        written += 1
    if written:
        staff_cache.bump()
    return written


def restore_staff(staff_id: str, previous: Staff | None) -> None:
    """Undo a save_staff (used when the matching Cognito change fails)."""
    storage.bind()
    if previous is None:
        StaffRecord(staff_id).delete()
        staff_cache.bump()
    else:
        save_staff(previous)


def apply_due_transfers(today: date | None = None) -> int:
    """Write down every transfer whose day (JST) has come: the record's places, its 部局 (so
    by_department finds the person in the new one) and what is still pending. Reads already
    count such a transfer; this makes it permanent. Returns how many people moved."""
    today = today or jst_today()
    storage.bind()
    moved = 0
    for record in StaffRecord.by_elsewhere.query(ELSEWHERE):
        stored = _stored(record)
        if due(stored.transfers, today)[0] is None:
            continue
        now = _now()
        written = update_if(
            record,
            _move_actions(settled(stored, today), now),
            StaffRecord.updated_at == record.updated_at,  # an import in between wins; the next run retries
        )
        moved += written
        if written:
            logger.info("transfer applied", extra={"staff_id": record.staff_id})
    if moved:
        staff_cache.bump()  # once, after every move written
    return moved


def _move_actions(staff: Staff, now: datetime) -> list[object]:
    fresh = _record(staff, None, now)
    return [
        StaffRecord.department_id.set(fresh.department_id),
        StaffRecord.unit_id.set(fresh.unit_id) if fresh.unit_id else StaffRecord.unit_id.remove(),
        StaffRecord.section_id.set(fresh.section_id) if fresh.section_id else StaffRecord.section_id.remove(),
        StaffRecord.post.set(fresh.post),
        StaffRecord.concurrent.set(fresh.concurrent) if fresh.concurrent else StaffRecord.concurrent.remove(),
        StaffRecord.transfers.set(fresh.transfers) if fresh.transfers else StaffRecord.transfers.remove(),
        StaffRecord.elsewhere.set(fresh.elsewhere) if fresh.elsewhere else StaffRecord.elsewhere.remove(),
        StaffRecord.updated_at.set(now),
    ]


def mark_first_sign_in(staff_id: str) -> bool:
    """Record the first sign-in; True only for the call that recorded it (race-safe). It does not
    stamp the directory: no routing reads the sign-in time, so what a process kept still holds."""
    storage.bind()
    return update_if(
        StaffRecord(staff_id),
        [StaffRecord.first_signed_in_at.set(_now())],
        StaffRecord.staff_id.exists() & StaffRecord.first_signed_in_at.does_not_exist(),
    )
