"""The staff of each 部局 kept per process for the notifier, exact: dropped when the staff change.

Routing a 照会 reads who a 所属's 取りまとめ担当 and 所属長 are: its 部局's people and those placed
elsewhere, two Queries, about 60% of the notifier's time under bench/notify.py, while the staff
change a few times a day. So within `reads_cached()` (the notifier's batch) each such read is
kept for the process under the directory stamp: one item that every write to the staff table
changes to a fresh random value after its write (`bump`, called by directory/staff.py). A block
reads the stamp (one consistent GetItem) before its first read of people, none if it reads none,
or with `check_later` (the notifier) after its work, with the caller's other reads;
a stamp (or settings) other than the one the cache was filled under drops it, so a block never
reuses what a write since has changed.

What is kept are the records as stored, not people: a pending transfer counts from its day
(JST) and its 部局 is the tree's, so each use settles them afresh (staff.py). At most every
部局 of one prefecture and the people placed elsewhere: a few thousand records; MAX_READS
bounds the keys all the same (a 部局 id from an event is not checked before it is read).

by_department and by_elsewhere are global secondary indexes, read eventually consistent: a
Query just after a write may not see it yet. So a stamp younger than SETTLE_SECONDS is not
trusted for later blocks: its block shares its reads within itself only (as the notifier's
batch always did), and the next block reads again. MAX_AGE_SECONDS bounds what a write that
never bumped the stamp (a process that died between the two, a table edited by hand) can
leave stale. Outside a block nothing is kept: every read goes to DynamoDB as before.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.core.config import Settings, settings
from chalicelib.core.storage import get_or_none
from chalicelib.directory import storage
from chalicelib.directory.storage import DirectoryStampRecord, StaffRecord

STAMP_ID = "staff"
SETTLE_SECONDS = 10.0  # a GSI catches up with a write well within this
MAX_AGE_SECONDS = 600.0
MAX_READS = 2000


@dataclass
class _Reads:
    """The reads kept under one stamp (for one settings object)."""

    settings: Settings
    stamp: str | None  # None: no write has stamped the table yet
    started: float  # time.monotonic()
    kept: dict[Hashable, list[StaffRecord]] = field(default_factory=dict)
    # What the routing worked out from the records (who a 所属's 取りまとめ担当 are), for one
    # day and one organisation tree: `derived_each`.
    derived: dict[Hashable, Any] = field(default_factory=dict)
    derived_for: tuple[date, object] | None = None


@dataclass
class _Block:
    """One block of reads (the notifier's batch)."""

    reads: _Reads | None = None  # the stamp not read yet
    check_later: bool = False  # may use the process's reads before the stamp is read (`stamp_reads`)
    unchecked: bool = False  # it did: the caller must read the stamp and ask `still_current`


_process: _Reads | None = None
_block: ContextVar[_Block | None] = ContextVar("directory_reads", default=None)


def reset() -> None:
    """Forget what this process kept (tests)."""
    global _process
    _process = None


def _now() -> datetime:
    return datetime.now(UTC)


def bump() -> None:
    """Stamp the staff table anew: every process drops what it kept at its next block. Call it
    after the write, so that a reader that sees the new stamp reads what was written."""
    storage.bind()
    DirectoryStampRecord(STAMP_ID, stamp=uuid.uuid4().hex, written_at=_now()).save()


def _stamp() -> DirectoryStampRecord | None:
    storage.bind()
    return get_or_none(DirectoryStampRecord, STAMP_ID, consistent_read=True)


def _settled(record: DirectoryStampRecord | None) -> bool:
    """Whether every write stamped before this stamp shows in the indexes by now."""
    return record is None or (_now() - record.written_at).total_seconds() >= SETTLE_SECONDS


def _reads_for_block(block: _Block) -> _Reads:
    global _process
    if block.check_later:
        kept, current, started = _process, settings(), time.monotonic()
        if kept is not None and kept.settings is current and started - kept.started < MAX_AGE_SECONDS:
            block.unchecked = True
            return kept
    current, record, started = settings(), _stamp(), time.monotonic()
    stamp = record.stamp if record is not None else None
    kept = _process
    if (
        kept is not None
        and kept.settings is current
        and kept.stamp == stamp
        and started - kept.started < MAX_AGE_SECONDS
    ):
        return kept
    reads = _Reads(current, stamp, started)
    _process = reads if _settled(record) else None
    return reads


@contextlib.contextmanager
def reads_cached(*, check_later: bool = False) -> Iterator[_Block]:
    """Within the block, a 部局's people and those placed elsewhere are read once per directory
    stamp, for this block and the later blocks of the process (one GetItem of the stamp each
    block that reads people).

    With `check_later` the block uses what the process kept without reading the stamp first;
    the caller reads it afterwards with its other reads (`stamp_reads`, a consistent read) and
    asks `still_current`: when the stamp moved, what was kept is dropped and the caller does its
    work again (the notifier routes its batch again, before it wrote anything). One call less
    per batch, and the check is later, so no less exact."""
    block = _Block(check_later=check_later)
    token = _block.set(block)
    try:
        yield block
    finally:
        _block.reset(token)


def stamp_reads(block: _Block) -> dict[type, list[Any]]:
    """The stamp's key, when the block used kept reads unchecked: for core/storage.batch_get_across
    (read consistently)."""
    if not block.unchecked:
        return {}
    storage.bind()
    return {DirectoryStampRecord: [STAMP_ID]}


def still_current(block: _Block, found: dict[type, list[Any]]) -> bool:
    """Whether the reads the block used unchecked were kept under the stamp read now (`found`,
    what batch_get_across read of `stamp_reads`). If not, the process forgets them."""
    global _process
    if not block.unchecked:
        return True
    records = found.get(DirectoryStampRecord) or []
    stamp = records[0].stamp if records else None
    if block.reads is not None and block.reads.stamp == stamp:
        return True
    _process = None
    return False


def active() -> bool:
    """Whether a read now may be kept (within `reads_cached`)."""
    return _block.get() is not None


def derived_each(
    keys: list[Hashable], work_out: Callable[[list[Hashable]], dict[Hashable, Any]], today: date, tree: object
) -> dict[Hashable, Any]:
    """What `work_out` makes of each key (the people of a 所属 in some post), worked out once per
    stamp, day (JST: a transfer counts from its day) and organisation tree (org.tree(): a
    reorganisation moves people between 所属; compared by its units, as the process reads the
    same tree again every 30 s), the keys not known yet worked out together;
    worked out every time outside a block. Callers must not change what they get."""
    block = _block.get()
    if block is None:
        return work_out(keys)
    if block.reads is None:
        block.reads = _reads_for_block(block)
    reads = block.reads
    before = reads.derived_for
    if before is None or before[0] != today or (before[1] is not tree and before[1] != tree):
        reads.derived = {}
    reads.derived_for = (today, tree)  # the same tree read again: compared by identity next time
    missing = [k for k in keys if k not in reads.derived]
    if missing:
        if len(reads.derived) >= MAX_READS:
            reads.derived.clear()
        reads.derived.update(work_out(missing))
    return {k: reads.derived[k] for k in keys}


def read_once(key: Hashable, read: Callable[[], Iterable[StaffRecord]]) -> list[StaffRecord]:
    """What `read` returns, read once per stamp within a block; read every time outside one."""
    block = _block.get()
    if block is None:
        return list(read())
    if block.reads is None:
        block.reads = _reads_for_block(block)
    reads = block.reads
    if key not in reads.kept:
        if len(reads.kept) >= MAX_READS:
            reads.kept.clear()
        reads.kept[key] = list(read())
    return reads.kept[key]
