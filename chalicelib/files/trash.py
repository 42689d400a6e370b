"""The trash: into it, back out of it, what a space has in it, and the scheduler's purge.

A trashed entry frees its name at once and stays restorable for TRASH_DAYS days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import Conflict, Forbidden, NotFound
from chalicelib.core.storage import (
    transaction,
)
from chalicelib.files import policy, s3
from chalicelib.files.access import manageable
from chalicelib.files.changes import announce_change
from chalicelib.files.entries import (
    Entry,
    all_active,
    descendants,
    get_entry,
    lineage,
    now,
    to_entry,
    with_conflict_check,
)
from chalicelib.files.names import name_key, numbered
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, VersionRecord, bind

TRASH_DAYS = 30


def trash(principal: Principal | None, file_id: str) -> Entry:
    """Into the trash: hidden, its name free again, restorable for TRASH_DAYS days."""
    p = require_signed_in(principal)
    entry = manageable(p, file_id)
    record = FileRecord.get(file_id)
    with transaction() as t:
        t.delete(FileNameRecord(record.parent_id, record.name_key))
        t.update(
            record,
            actions=[
                FileRecord.status.set("trashed"),
                FileRecord.trashed_at.set(now().isoformat()),
                FileRecord.trashed_by.set(p.staff_id),
                FileRecord.updated_at.set(now()),
            ],
        )
    return announce_change(get_entry(entry.file_id), "trashed")


def restore(principal: Principal | None, file_id: str) -> Entry:
    entry = manageable(principal, file_id, trashed_ok=True)
    if entry.status != "trashed":
        return entry
    parent_id = entry.parent_id
    if not policy.is_space_id(parent_id) and not _restorable_into(parent_id):
        parent_id = entry.space_id  # its folder is gone or in the trash: restore to the space's root
    name = entry.name
    for attempt in range(1, 50):
        record = FileRecord.get(file_id)

        def write(t: Any, name: str = name, record: FileRecord = record) -> None:
            t.save(
                FileNameRecord(parent_id, name_key(name), file_id=file_id),
                condition=FileNameRecord.name_key.does_not_exist(),
            )
            t.update(
                record,
                actions=[
                    FileRecord.status.set("active"),
                    FileRecord.trashed_at.remove(),
                    FileRecord.trashed_by.remove(),
                    FileRecord.parent_id.set(parent_id),
                    FileRecord.name.set(name),
                    FileRecord.name_key.set(name_key(name)),
                    FileRecord.updated_at.set(now()),
                ],
            )

        try:
            with_conflict_check(write, name)
            return announce_change(get_entry(file_id), "restored")
        except Conflict:
            name = numbered(entry.name, attempt + 1)  # "報告書 (2).docx", as desktop systems do
    raise Conflict("There is already something named {name} here.", name=entry.name)


def _restorable_into(folder_id: str) -> bool:
    try:
        return all_active(lineage(get_entry(folder_id)))
    except NotFound:
        return False


def trashed(principal: Principal | None, space_id: str) -> list[Entry]:
    p = require_signed_in(principal)
    if not (policy.can_write_in(p, space_id) or policy.administers_space(p, space_id)):
        raise Forbidden("This is not your space.")
    bind()
    items = [to_entry(r) for r in FileRecord.trash.query(space_id, scan_index_forward=False)]
    return [i for i in items if policy.can_manage(p, i.item)]


def purge_expired_trash(space_id: str, *, at: datetime | None = None) -> int:
    """Delete for good what has been in the trash longer than TRASH_DAYS (the scheduler's job)."""
    bind()
    cutoff = ((at or now()) - timedelta(days=TRASH_DAYS)).isoformat()
    purged = 0
    for record in FileRecord.trash.query(space_id, FileRecord.trashed_at < cutoff):
        purged += _delete_for_good(record)
    return purged


def purge_all_expired_trash(*, at: datetime | None = None) -> int:
    """purge_expired_trash for every space (the scheduler's sweep)."""
    bind()
    return sum(purge_expired_trash(record.space_id, at=at) for record in SpaceRecord.scan())


def _delete_for_good(record: FileRecord) -> int:
    """Delete an entry and everything below it; children go before their folder, without recursion."""
    doomed = [record]
    if record.kind == "folder":
        doomed += list(descendants(record.file_id))
    for item in reversed(doomed):  # a crash half-way leaves a smaller tree, never orphans
        _delete_one(item)
    return len(doomed)


def _delete_one(record: FileRecord) -> None:
    freed = 0
    for version in VersionRecord.query(record.file_id):
        s3.delete(version.s3_key)
        freed += int(version.size)
        version.delete()
    if record.status == "active":
        FileNameRecord(record.parent_id, record.name_key).delete()
    record.delete()
    if freed:
        SpaceRecord(record.space_id).update(actions=[SpaceRecord.used_bytes.add(-freed)])
