"""What the search slice reads of files to index them, never the tables themselves.

Reads here are strongly consistent: the indexer acts on an event and must see the state the
event was about, or later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from chalicelib.core.storage import (
    get_or_none,
    update_if,
)
from chalicelib.files import policy
from chalicelib.files.entries import Entry, descendants, to_entry
from chalicelib.files.storage import FileRecord, bind


def current_entry(file_id: str) -> Entry | None:
    """The entry as it is now (a strongly consistent read), or None when it does not exist."""
    bind()
    record = get_or_none(FileRecord, file_id, consistent_read=True)
    return to_entry(record) if record is not None else None


def active_folders_above(entry: Entry) -> list[Entry] | None:
    """The folders from the space's root down to the entry's own, read strongly consistent.

    None when one of them is in the trash or gone, or the chain loops or runs past
    policy.WALK_LIMIT (the files feature answers 404 for such an entry): nothing below it may
    be found.
    """
    folders: list[Entry] = []
    parent_id = entry.parent_id
    seen = {entry.file_id}
    while not policy.is_space_id(parent_id):
        if parent_id in seen or len(seen) > policy.WALK_LIMIT:
            return None
        parent = current_entry(parent_id)
        if parent is None or parent.status != "active":
            return None
        seen.add(parent_id)
        folders.append(parent)
        parent_id = parent.parent_id
    folders.reverse()
    return folders


def descendant_file_ids(folder_id: str) -> Iterator[str]:
    """Every file below a folder, at any depth (trashed ones too: the caller decides)."""
    return (record.file_id for record in descendants(folder_id) if record.kind != "folder")


def all_files() -> Iterator[Entry]:
    """Every file of every space, in no order (a full scan: for rebuilding the search index)."""
    bind()
    for record in FileRecord.scan(FileRecord.kind == "file"):
        yield to_entry(record)


def changed_since(at: datetime) -> Iterator[Entry]:
    """Every file and folder whose updated_at is `at` or later (a full scan)."""
    bind()
    for record in FileRecord.scan(FileRecord.updated_at >= at):
        yield to_entry(record)


def record_search_note(file_id: str, version: int, note: str | None) -> bool:
    """Record why the text of `version` is not searchable (None: it is). False when the file has
    moved on to another version meanwhile (or is gone): that version's own indexing records it."""
    bind()
    action = FileRecord.search_note.set(note) if note else FileRecord.search_note.remove()
    return update_if(FileRecord(file_id), [action], FileRecord.version == version)
