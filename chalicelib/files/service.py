"""Folders and files: listing, creating folders, renaming, moving, visibility, trash, versions.

Uploads are in uploads.py; the access rules in policy.py. Every function takes the principal
and checks it here, so the rules hold on every path.
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.observability import logger
from chalicelib.core.storage import (
    failed_conditions,
    get_or_none,
    is_cancelled_transaction,
    transaction,
    transaction_error,
    update_if,
)
from chalicelib.files import policy, s3
from chalicelib.files.names import clean_name, name_key, numbered
from chalicelib.files.policy import Item
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, VersionRecord, bind

DEPARTMENT_QUOTA = 100 * 1024**3
PERSONAL_QUOTA = 10 * 1024**3
TRASH_DAYS = 30


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


@dataclass(frozen=True)
class Space:
    space_id: str
    quota_bytes: int
    used_bytes: int


@dataclass(frozen=True)
class Version:
    version: int
    size: int
    content_type: str
    uploaded_by: str  # a staff id (for a partner's upload, the link's owner)
    uploaded_at: datetime
    partner_name: str | None = None  # a partner's upload: the name they gave, through which link
    via_link: str | None = None


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def _entry(r: FileRecord) -> Entry:
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


# --- spaces --------------------------------------------------------------------------------


def space(space_id: str) -> Space:
    bind()
    record = get_or_none(SpaceRecord, space_id)
    if record is None:
        quota = DEPARTMENT_QUOTA if policy.parse_space(space_id)[0] == "dept" else PERSONAL_QUOTA
        record = SpaceRecord(space_id, quota_bytes=quota, used_bytes=0)
        try:
            record.save(condition=SpaceRecord.space_id.does_not_exist())
        except Exception:  # created at the same moment by another request: read theirs
            record = SpaceRecord.get(space_id)
    return Space(record.space_id, int(record.quota_bytes), int(record.used_bytes or 0))


def set_quota(principal: Principal | None, space_id: str, quota_bytes: int) -> Space:
    p = require_signed_in(principal)
    if not p.is_system_admin:
        raise Forbidden("Only a system administrator can change quotas.")
    if not policy.is_space_id(space_id):
        raise BadRequest("{field} is not a valid value.", field="space_id")
    if quota_bytes < 0:
        raise BadRequest("A quota cannot be negative.", field="quota_bytes")
    space(space_id)
    SpaceRecord(space_id).update(actions=[SpaceRecord.quota_bytes.set(quota_bytes)])
    return space(space_id)


def spaces_for(principal: Principal | None) -> list[str]:
    """The 部局 and 所属 spaces of each of the person's places (main first, then 兼務), then their own."""
    p = require_signed_in(principal)
    units = [u for a in (p.assignments or (p.main,)) for u in (a.path[0], a.unit_id)]
    return [*(policy.department_space(u) for u in dict.fromkeys(units)), policy.personal_space(p.staff_id)]


# --- reading -------------------------------------------------------------------------------


def get_entry(file_id: str) -> Entry:
    bind()
    record = get_or_none(FileRecord, file_id)
    if record is None:
        raise NotFound("This file or folder does not exist.")
    return _entry(record)


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


def _reach(p: Principal, file_id: str, *, trashed_ok: bool = False) -> list[Entry]:
    """The entry and the folders above it, if this person may see it and it is reachable.

    Otherwise 404 (not 403: no hint that it exists). With trashed_ok, an entry that is itself
    in the trash is returned alone (it can be restored even when its folder is gone).
    """
    entry = get_entry(file_id)
    if not policy.can_read(p, entry.item):
        raise NotFound("This file or folder does not exist.")
    if trashed_ok and entry.status == "trashed":
        return [entry]
    chain = lineage(entry)
    if not all_active(chain):
        raise NotFound("This file or folder does not exist.")
    return chain


def readable(principal: Principal | None, file_id: str, *, trashed_ok: bool = False) -> Entry:
    """The entry, if this person may see it and it and every folder above it are active; else 404."""
    return _reach(require_signed_in(principal), file_id, trashed_ok=trashed_ok)[0]


def manageable(principal: Principal | None, file_id: str, *, trashed_ok: bool = False) -> Entry:
    p = require_signed_in(principal)
    entry = readable(p, file_id, trashed_ok=trashed_ok)
    if not policy.can_manage(p, entry.item):
        raise Forbidden("Only the owner or an administrator of this space can change it.")
    return entry


@dataclass(frozen=True)
class FolderView:
    space: Space
    folder: Entry | None  # None at a space's root
    path: list[Entry]  # the folders from the root down to this one
    children: list[Entry]
    can_write: bool


def _resolve(p: Principal, folder_id: str) -> tuple[str, list[Entry]]:
    """(space id, the folder and the folders above it, nearest first; empty at the space's root)."""
    if policy.is_space_id(folder_id):
        kind, ident = policy.parse_space(folder_id)
        if not (policy.can_write_in(p, folder_id) or policy.administers_space(p, folder_id) or kind == "dept"):
            raise NotFound("This file or folder does not exist.")
        return folder_id, []
    chain = _reach(p, folder_id)
    if not chain[0].is_folder:
        raise BadRequest("This is a file, not a folder.")
    return chain[0].space_id, chain


def resolve_folder(principal: Principal | None, folder_id: str) -> tuple[str, Entry | None]:
    """(space id, folder entry or None for the root) for a folder id or a space id."""
    space_id, chain = _resolve(require_signed_in(principal), folder_id)
    return space_id, chain[0] if chain else None


def list_folder(principal: Principal | None, folder_id: str) -> FolderView:
    p = require_signed_in(principal)
    space_id, chain = _resolve(p, folder_id)
    folder = chain[0] if chain else None
    visible = _visible_children(p, folder.file_id if folder else space_id)
    return FolderView(space(space_id), folder, chain[::-1], visible, policy.can_write_in(p, space_id))


def walk(principal: Principal | None, folder_id: str) -> Iterator[tuple[tuple[str, ...], Entry]]:
    """Everything under a folder this person may see, as (folder names below it, entry).

    Depth first with an explicit stack (no recursion), each folder's content in listing order,
    at most policy.WALK_LIMIT levels down; trashed entries and what is below them are left out.
    """
    p = require_signed_in(principal)
    top = list_folder(p, folder_id)
    stack: list[tuple[tuple[str, ...], list[Entry]]] = [((), top.children[::-1])]
    seen = {top.folder.file_id} if top.folder else set()
    while stack:
        names, pending = stack[-1]
        if not pending:
            stack.pop()
            continue
        item = pending.pop()
        yield names, item
        if not item.is_folder or item.file_id in seen:
            continue
        seen.add(item.file_id)
        if len(stack) >= policy.WALK_LIMIT:
            logger.warning("folder tree deeper than the walk limit", extra={"file_id": item.file_id})
            continue
        stack.append(((*names, item.name), _visible_children(p, item.file_id)[::-1]))


def _visible_children(p: Principal, parent_id: str) -> list[Entry]:
    bind()
    children = [_entry(r) for r in FileRecord.by_parent.query(parent_id)]
    visible = [c for c in children if c.status == "active" and policy.can_read(p, c.item)]
    visible.sort(key=lambda e: (not e.is_folder, name_key(e.name)))
    return visible


# --- folders ---------------------------------------------------------------------------------


def _claim_name_and_save(record: FileRecord) -> None:
    """Save a new entry and take its name in the folder, in one transaction."""
    with_conflict_check(
        lambda t: (
            t.save(
                FileNameRecord(record.parent_id, record.name_key, file_id=record.file_id),
                condition=FileNameRecord.name_key.does_not_exist(),
            ),
            t.save(record),
        ),
        record.name,
    )


def with_conflict_check(write: object, name: str) -> None:
    try:
        with transaction() as t:
            write(t)  # type: ignore[operator]
    except Exception as exc:
        if is_cancelled_transaction(exc) and any(failed_conditions(exc)):
            raise Conflict("There is already something named {name} here.", name=name) from None
        raise


def create_folder(principal: Principal | None, parent_id: str, name: str, visibility: str | None = None) -> Entry:
    p = require_signed_in(principal)
    space_id, chain = _resolve(p, parent_id)
    parent = chain[0] if chain else None
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot add folders here.")
    _refuse_too_deep(len(chain) + 1)
    name = clean_name(name)
    vis = _visibility_under(parent, space_id, visibility)
    when = now()
    record = FileRecord(
        new_id("fo"),
        kind="folder",
        name=name,
        name_key=name_key(name),
        parent_id=parent.file_id if parent else space_id,
        space_id=space_id,
        owner_id=p.staff_id,
        visibility=vis,
        size=0,
        version=0,
        status="active",
        created_at=when,
        updated_at=when,
    )
    bind()
    _claim_name_and_save(record)
    return _entry(record)


def _refuse_too_deep(depth: int) -> None:
    if depth > policy.MAX_FOLDER_DEPTH:
        raise BadRequest("Folders can be nested at most {limit} levels deep.", limit=policy.MAX_FOLDER_DEPTH)


def _visibility_under(parent: Entry | None, space_id: str, requested: str | None) -> str:
    if requested is not None and requested not in policy.VISIBILITIES:
        raise BadRequest("Visibility must be one of: private, department, all.", field="visibility")
    wanted = requested or (parent.visibility if parent else policy.default_visibility(space_id))
    return policy.narrower(wanted, parent.visibility) if parent else wanted


def folder_for_path(principal: Principal | None, folder_id: str, relative_dirs: list[str]) -> str:
    """The folder at `relative_dirs` under folder_id, made where missing (folder uploads)."""
    p = require_signed_in(principal)
    current = folder_id
    for raw in relative_dirs[:32]:
        name = clean_name(raw)
        space_id, parent = resolve_folder(p, current)
        parent_key = parent.file_id if parent else space_id
        bind()
        taken = get_or_none(FileNameRecord, parent_key, name_key(name))
        if taken is not None:
            existing = get_entry(taken.file_id)
            if not existing.is_folder:
                raise Conflict("There is already a file named {name} here.", name=name)
            current = existing.file_id
            continue
        try:
            current = create_folder(p, current, name).file_id
        except Conflict:  # made by a parallel upload of the same folder a moment ago
            taken = get_or_none(FileNameRecord, parent_key, name_key(name))
            if taken is None:
                raise
            current = taken.file_id
    return current


# --- changing entries ------------------------------------------------------------------------


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
    space_id, chain = _resolve(p, target_folder_id)
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
        _refuse_too_deep(len(chain) + _height(entry.file_id, policy.MAX_FOLDER_DEPTH - len(chain)))
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
    vis = _visibility_under(parent, entry.space_id, visibility)
    FileRecord(file_id).update(actions=[FileRecord.visibility.set(vis), FileRecord.updated_at.set(now())])
    if entry.is_folder:
        _narrow_descendants(file_id, vis)
    return announce_change(get_entry(file_id), "visibility")


def _narrow_descendants(folder_id: str, visibility: str) -> None:
    for child in descendants(folder_id):
        if policy.narrower(child.visibility, visibility) != child.visibility:  # a change: updated_at moves
            child.update(actions=[FileRecord.visibility.set(visibility), FileRecord.updated_at.set(now())])


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


# --- trash ----------------------------------------------------------------------------------


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
    items = [_entry(r) for r in FileRecord.trash.query(space_id, scan_index_forward=False)]
    return [i for i in items if policy.can_manage(p, i.item)]


def purge_expired_trash(space_id: str, *, at: datetime | None = None) -> int:
    """Delete for good what has been in the trash longer than TRASH_DAYS (the scheduler's job)."""
    bind()
    cutoff = ((at or now()) - timedelta(days=TRASH_DAYS)).isoformat()
    purged = 0
    for record in FileRecord.trash.query(space_id, FileRecord.trashed_at < cutoff):
        purged += _delete_for_good(record)
    return purged


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


# --- versions -----------------------------------------------------------------------------


def versions(principal: Principal | None, file_id: str) -> list[Version]:
    entry = readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("Folders have no versions.")
    bind()
    return [
        Version(int(v.version), int(v.size), v.content_type, v.uploaded_by, v.uploaded_at, v.partner_name, v.via_link)
        for v in VersionRecord.query(file_id, scan_index_forward=False)
    ]


SCAN_STATES = ("pending", "clean", "infected", "unscannable")


def mark_scanned(file_id: str, version: int, status: str) -> bool:
    """Record a malware scan result for one version (the scanner's only way in).

    The file's own status follows only when the version is still the current one. Returns
    False when the file or version no longer exists (deleted meanwhile: nothing to do).
    """
    if status not in SCAN_STATES:
        raise ValueError(f"unknown scan status {status!r}")
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}")
    if record is None:
        return False
    record.update(actions=[VersionRecord.scan_status.set(status)])
    current = get_or_none(FileRecord, file_id)
    if current is not None and int(current.version) == version:
        current.update(actions=[FileRecord.scan_status.set(status)])
    return True


@dataclass(frozen=True)
class StoredVersion:
    """One stored version as other modules see it (never the table's record: it stays here)."""

    file_id: str
    version: int
    s3_key: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: datetime
    scan_status: str | None


def version_record(file_id: str, version: int) -> StoredVersion:
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}")
    if record is None:
        raise NotFound("This version does not exist.")
    return StoredVersion(
        record.file_id,
        int(record.version),
        record.s3_key,
        int(record.size),
        record.content_type,
        record.uploaded_by,
        record.uploaded_at,
        record.scan_status,
    )


# --- what other slices read and tidy (search, the scheduler): never the tables themselves ---------


def current_entry(file_id: str) -> Entry | None:
    """The entry as it is now (a strongly consistent read), or None when it does not exist."""
    bind()
    record = get_or_none(FileRecord, file_id, consistent_read=True)
    return _entry(record) if record is not None else None


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
        yield _entry(record)


def changed_since(at: datetime) -> Iterator[Entry]:
    """Every file and folder whose updated_at is `at` or later (a full scan)."""
    bind()
    for record in FileRecord.scan(FileRecord.updated_at >= at):
        yield _entry(record)


def stored_object_key(file_id: str, version: int) -> str | None:
    """The S3 key of one stored version (strongly consistent), or None when it is not recorded."""
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}", consistent_read=True)
    return record.s3_key if record is not None else None


def record_search_note(file_id: str, version: int, note: str | None) -> bool:
    """Record why the text of `version` is not searchable (None: it is). False when the file has
    moved on to another version meanwhile (or is gone): that version's own indexing records it."""
    bind()
    action = FileRecord.search_note.set(note) if note else FileRecord.search_note.remove()
    return update_if(FileRecord(file_id), [action], FileRecord.version == version)


def purge_all_expired_trash(*, at: datetime | None = None) -> int:
    """purge_expired_trash for every space (the scheduler's sweep)."""
    bind()
    return sum(purge_expired_trash(record.space_id, at=at) for record in SpaceRecord.scan())
