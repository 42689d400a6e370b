"""Files and folders as the rest of the code sees them: the Entry, reading one, the folders above it.

The table's records stay in this package: other modules get an Entry. Every walk up or down the
tree is bounded (policy.WALK_LIMIT) and loop-proof, so a broken tree answers 404, never a hang.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.observability import logger
from chalicelib.core.storage import (
    failed_conditions,
    get_or_none,
    is_cancelled_transaction,
    transaction,
)
from chalicelib.files import policy
from chalicelib.files.policy import Item
from chalicelib.files.storage import FileRecord, bind


@dataclass(frozen=True)
class Entry:
    file_id: str
    kind: str
    name: str
    parent_id: str
    space_id: str
    owner_id: str
    visibility: str
    size: int
    content_type: str | None
    version: int
    status: str
    created_at: datetime
    updated_at: datetime
    trashed_at: str | None = None
    scan_status: str | None = None
    search_note: str | None = None  # why the text is not searchable, if it is not

    @property
    def usable(self) -> bool:
        """May be downloaded and indexed: not waiting for, or failed, a malware scan."""
        return self.scan_status in (None, "clean")

    @property
    def item(self) -> Item:
        return Item(self.space_id, self.owner_id, self.visibility)

    @property
    def is_folder(self) -> bool:
        return self.kind == "folder"


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def to_entry(r: FileRecord) -> Entry:
    return Entry(
        r.file_id,
        r.kind,
        r.name,
        r.parent_id,
        r.space_id,
        r.owner_id,
        r.visibility,
        int(r.size or 0),
        r.content_type,
        int(r.version or 0),
        r.status,
        r.created_at,
        r.updated_at,
        r.trashed_at,
        r.scan_status,
        r.search_note,
    )


def get_entry(file_id: str) -> Entry:
    bind()
    record = get_or_none(FileRecord, file_id)
    if record is None:
        raise NotFound("This file or folder does not exist.")
    return to_entry(record)


def lineage(entry: Entry, *, stop_at: str | None = None) -> list[Entry]:
    """The entry and the folders above it, nearest first, up to the space's root (or `stop_at`).

    One GetItem per folder, in a loop: at most policy.WALK_LIMIT folders, and a parent that is
    gone or met twice (a loop) makes the entry unreachable (404), never a hang or a guess.
    """
    chain = [entry]
    seen = {entry.file_id}
    current = entry
    while current.file_id != stop_at and not policy.is_space_id(current.parent_id):
        if len(chain) > policy.WALK_LIMIT or current.parent_id in seen:
            logger.warning("folder tree broken above an entry", extra={"file_id": entry.file_id, "levels": len(chain)})
            raise NotFound("This file or folder does not exist.")
        current = get_entry(current.parent_id)
        seen.add(current.file_id)
        chain.append(current)
    return chain


def all_active(chain: list[Entry]) -> bool:
    """Reachable: nothing in the chain is in the trash (a file in a trashed folder is trashed with it)."""
    return all(e.status == "active" for e in chain)


def descendants(folder_id: str) -> Iterator[FileRecord]:
    """Every record below a folder, trashed or not, parents before their children.

    Breadth first with an explicit queue (no recursion), each folder visited once, at most
    policy.WALK_LIMIT levels down: a broken tree cannot make it loop.
    """
    bind()
    queue = deque([(folder_id, 1)])
    seen = {folder_id}
    while queue:
        parent_id, depth = queue.popleft()
        for child in FileRecord.by_parent.query(parent_id):
            if child.file_id in seen:  # a loop back to a folder already met
                continue
            yield child
            if child.kind != "folder":
                continue
            seen.add(child.file_id)
            if depth >= policy.WALK_LIMIT:
                logger.warning("folder tree deeper than the walk limit", extra={"file_id": child.file_id})
                continue
            queue.append((child.file_id, depth + 1))


def with_conflict_check(write: object, name: str) -> None:
    try:
        with transaction() as t:
            write(t)  # type: ignore[operator]
    except Exception as exc:
        if is_cancelled_transaction(exc) and any(failed_conditions(exc)):
            raise Conflict("There is already something named {name} here.", name=name) from None
        raise
