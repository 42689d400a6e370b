"""Changing an entry in place: rename, move, visibility; each is announced on the bus.

Search and other consumers learn of a change from a FileChanged event that names the entry only;
they read its state themselves, so a late or repeated event cannot bring back an old one.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden
from chalicelib.core.storage import (
    failed_conditions,
    is_cancelled_transaction,
    transaction,
    transaction_error,
)
from chalicelib.files import policy
from chalicelib.files.access import manageable, resolve
from chalicelib.files.entries import Entry, descendants, get_entry, now, with_conflict_check
from chalicelib.files.folders import refuse_too_deep, visibility_under
from chalicelib.files.names import clean_name, name_key
from chalicelib.files.storage import FileNameRecord, FileRecord


def announce_change(entry: Entry, change: str) -> Entry:
    """Tell the bus (and so the search index) that an entry's name, place, visibility or state changed.

    The event says only which entry and what kind of change: a consumer reads the entry's
    current state itself, so events that arrive late or twice cannot bring back an old state.
    """
    events.publish(
        [event_catalogue.FileChanged(file_id=entry.file_id, kind=entry.kind, space_id=entry.space_id, change=change)]
    )
    return entry


def rename(principal: Principal | None, file_id: str, new_name: str) -> Entry:
    entry = manageable(principal, file_id)
    name = clean_name(new_name)
    if name == entry.name:
        return entry
    record = FileRecord.get(file_id)
    old_key = record.name_key

    def write(t: Any) -> None:
        if name_key(name) != old_key:
            t.save(
                FileNameRecord(record.parent_id, name_key(name), file_id=file_id),
                condition=FileNameRecord.name_key.does_not_exist(),
            )
            t.delete(FileNameRecord(record.parent_id, old_key))
        t.update(
            record,
            actions=[
                FileRecord.name.set(name),
                FileRecord.name_key.set(name_key(name)),
                FileRecord.updated_at.set(now()),
            ],
        )

    with_conflict_check(write, name)
    return announce_change(get_entry(file_id), "renamed")


def move(principal: Principal | None, file_id: str, target_folder_id: str) -> Entry:
    p = require_signed_in(principal)
    entry = manageable(p, file_id)
    space_id, chain = resolve(p, target_folder_id)
    target = chain[0] if chain else None
    if space_id != entry.space_id:
        raise BadRequest("Files move within their space; to hand a file to another space, share it.")
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot add files here.")
    new_parent = target.file_id if target else space_id
    if new_parent == entry.parent_id:
        return entry
    if entry.is_folder:
        if any(f.file_id == entry.file_id for f in chain):
            raise BadRequest("A folder cannot be moved into itself or into a folder inside it.", field="folder_id")
        refuse_too_deep(len(chain) + _height(entry.file_id, policy.MAX_FOLDER_DEPTH - len(chain)))
    record = FileRecord.get(file_id)
    vis = policy.narrower(record.visibility, target.visibility) if target else record.visibility
    _write_move(record, new_parent, vis, chain if entry.is_folder else [])
    if entry.is_folder and vis != entry.visibility:
        _narrow_descendants(file_id, vis)
    return announce_change(get_entry(file_id), "moved")


def _write_move(record: FileRecord, new_parent: str, visibility: str, checked: list[Entry]) -> None:
    """One transaction: the name taken in the new folder, freed in the old, the entry moved.

    For a folder, every folder of the target's chain must still be where it was and active when
    this is written (`checked`): two moves at the same moment cannot close a loop between them.
    """
    try:
        with transaction() as t:
            t.save(
                FileNameRecord(new_parent, record.name_key, file_id=record.file_id),
                condition=FileNameRecord.name_key.does_not_exist(),
            )
            t.delete(FileNameRecord(record.parent_id, record.name_key))
            t.update(
                record,
                condition=(FileRecord.parent_id == record.parent_id) & (FileRecord.status == "active"),
                actions=[
                    FileRecord.parent_id.set(new_parent),
                    FileRecord.visibility.set(visibility),
                    FileRecord.updated_at.set(now()),
                ],
            )
            for folder in checked:
                t.condition_check(
                    FileRecord,
                    folder.file_id,
                    condition=(FileRecord.parent_id == folder.parent_id) & (FileRecord.status == "active"),
                )
    except transaction_error() as exc:
        failed = failed_conditions(exc) if is_cancelled_transaction(exc) else []
        # pynamodb sends the condition checks first, then deletes, puts and updates
        if failed[len(checked) + 1 : len(checked) + 2] == [True]:
            raise Conflict("There is already something named {name} here.", name=record.name) from None
        if any(failed):
            raise Conflict("Something here was moved or put in the trash at the same moment. Try again.") from None
        raise


def _height(folder_id: str, allowed: int) -> int:
    """How many levels of folders a folder holds, itself included; counted up to allowed + 1 only."""
    level = [folder_id]
    seen = set(level)
    height = 1
    while height <= allowed:
        below = [
            c.file_id
            for parent in level
            for c in FileRecord.by_parent.query(parent)
            if c.kind == "folder" and c.file_id not in seen
        ]
        if not below:
            break
        seen.update(below)
        level = below
        height += 1
    return height


def set_visibility(principal: Principal | None, file_id: str, visibility: str) -> Entry:
    entry = manageable(principal, file_id)
    parent = None if policy.is_space_id(entry.parent_id) else get_entry(entry.parent_id)
    vis = visibility_under(parent, entry.space_id, visibility)
    FileRecord(file_id).update(actions=[FileRecord.visibility.set(vis), FileRecord.updated_at.set(now())])
    if entry.is_folder:
        _narrow_descendants(file_id, vis)
    return announce_change(get_entry(file_id), "visibility")


def _narrow_descendants(folder_id: str, visibility: str) -> None:
    for child in descendants(folder_id):
        if policy.narrower(child.visibility, visibility) != child.visibility:  # a change: updated_at moves
            child.update(actions=[FileRecord.visibility.set(visibility), FileRecord.updated_at.set(now())])
