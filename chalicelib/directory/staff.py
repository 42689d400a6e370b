"""Staff and their places: the main 所属 (and 係, post), 兼務, pending transfers (人事異動).

A staff record keeps `department_id` (the 部局 of the main 所属: the by_department index and
older code rely on it); 所属, 係, post, 兼務 and transfers sit beside it. A record from before
the tree has only `department_id`: that person sits directly in their 部局. Reads apply a
transfer whose day has come (directory/placement.py); apply_due_transfers writes it down.
directory/service.py re-exports what other slices use.

Who is in a unit (its people, its 所属長, its 取りまとめ担当) is directory/unit_people.py: it
reads the 部局's records and those placed elsewhere, kept by the notifier's process per
directory stamp (staff_cache.py), so every write here stamps the directory after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.core.observability import logger
from chalicelib.core.storage import MAX_HASH_KEY_BYTES, get_or_none, keyable, update_if
from chalicelib.directory import org, staff_cache, storage
from chalicelib.directory.placement import Placement, Transfer, due, jst_today
from chalicelib.directory.storage import PlacementMap, StaffRecord, TransferMap

ELSEWHERE = "y"  # the by_elsewhere index's one key


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


def all_staff() -> list[Staff]:
    storage.bind()
    return sorted((_staff(r) for r in StaffRecord.scan()), key=lambda s: s.staff_id)


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
