"""Folders and files: listing, creating folders, renaming, moving, visibility, trash, versions.

Uploads are in uploads.py; the access rules in policy.py. Every function takes the principal
and checks it here, so the rules hold on every path.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.core import events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.storage import failed_conditions, get_or_none, is_cancelled_transaction, transaction
from chalicelib.files import policy, s3
from chalicelib.files.policy import Item
from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, VersionRecord, bind

DEPARTMENT_QUOTA = 100 * 1024**3
PERSONAL_QUOTA = 10 * 1024**3
TRASH_DAYS = 30
NAME_MAX = 255
FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)} | {"\x7f"}


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
    uploaded_by: str
    uploaded_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def clean_name(raw: str) -> str:
    """A name a person typed or a browser sent, checked and normalised (NFC)."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise BadRequest("Enter a name.", field="name")
    if len(name) > NAME_MAX:
        raise BadRequest("The name is too long (at most {limit} characters).", field="name", limit=NAME_MAX)
    if name in {".", ".."} or any(c in FORBIDDEN_NAME_CHARS for c in name):
        raise BadRequest('A name cannot contain / \\ : * ? " < > | or control characters.', field="name")
    return name


def name_key(name: str) -> str:
    """What counts as the same name: Ｆｉｌｅ.txt and file.TXT are one name, as in Windows."""
    return unicodedata.normalize("NFKC", name).casefold()


def _entry(r: FileRecord) -> Entry:
    return Entry(r.file_id, r.kind, r.name, r.parent_id, r.space_id, r.owner_id, r.visibility, int(r.size or 0),
                 r.content_type, int(r.version or 0), r.status, r.created_at, r.updated_at, r.trashed_at,
                 r.scan_status, r.search_note)


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
    if quota_bytes < 0:
        raise BadRequest("A quota cannot be negative.", field="quota_bytes")
    space(space_id)
    SpaceRecord(space_id).update(actions=[SpaceRecord.quota_bytes.set(quota_bytes)])
    return space(space_id)


def spaces_for(principal: Principal | None) -> list[str]:
    p = require_signed_in(principal)
    return [policy.department_space(p.department_id), policy.personal_space(p.staff_id)]


# --- reading -------------------------------------------------------------------------------

def get_entry(file_id: str) -> Entry:
    bind()
    record = get_or_none(FileRecord, file_id)
    if record is None:
        raise NotFound("This file or folder does not exist.")
    return _entry(record)


def readable(principal: Principal | None, file_id: str, *, trashed_ok: bool = False) -> Entry:
    """The entry, if this person may see it; otherwise 404 (not 403: no hint that it exists)."""
    p = require_signed_in(principal)
    entry = get_entry(file_id)
    if not policy.can_read(p, entry.item) or (entry.status != "active" and not trashed_ok):
        raise NotFound("This file or folder does not exist.")
    return entry


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


def resolve_folder(principal: Principal | None, folder_id: str) -> tuple[str, Entry | None]:
    """(space id, folder entry or None for the root) for a folder id or a space id."""
    p = require_signed_in(principal)
    if policy.is_space_id(folder_id):
        kind, ident = policy.parse_space(folder_id)
        if not (policy.can_write_in(p, folder_id) or policy.administers_space(p, folder_id)
                or kind == "dept"):
            raise NotFound("This file or folder does not exist.")
        return folder_id, None
    entry = readable(p, folder_id)
    if not entry.is_folder:
        raise BadRequest("This is a file, not a folder.")
    return entry.space_id, entry


def list_folder(principal: Principal | None, folder_id: str) -> FolderView:
    p = require_signed_in(principal)
    space_id, folder = resolve_folder(p, folder_id)
    bind()
    children = [_entry(r) for r in FileRecord.by_parent.query(folder.file_id if folder else space_id)]
    visible = [c for c in children if c.status == "active" and policy.can_read(p, c.item)]
    visible.sort(key=lambda e: (not e.is_folder, name_key(e.name)))
    return FolderView(space(space_id), folder, _path(folder), visible, policy.can_write_in(p, space_id))


def _path(folder: Entry | None) -> list[Entry]:
    path: list[Entry] = []
    current = folder
    while current is not None and len(path) < 64:
        path.insert(0, current)
        current = None if policy.is_space_id(current.parent_id) else get_entry(current.parent_id)
    return path


# --- folders ---------------------------------------------------------------------------------

def _claim_name_and_save(record: FileRecord) -> None:
    """Save a new entry and take its name in the folder, in one transaction."""
    with_conflict_check(lambda t: (
        t.save(FileNameRecord(record.parent_id, record.name_key, file_id=record.file_id),
               condition=FileNameRecord.name_key.does_not_exist()),
        t.save(record),
    ), record.name)


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
    space_id, parent = resolve_folder(p, parent_id)
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot add folders here.")
    name = clean_name(name)
    vis = _visibility_under(parent, space_id, visibility)
    when = now()
    record = FileRecord(new_id("fo"), kind="folder", name=name, name_key=name_key(name),
                        parent_id=parent.file_id if parent else space_id, space_id=space_id, owner_id=p.staff_id,
                        visibility=vis, size=0, version=0, status="active", created_at=when, updated_at=when)
    bind()
    _claim_name_and_save(record)
    return _entry(record)


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
    events.publish([events.DomainEvent("files", "FileChanged", {
        "file_id": entry.file_id, "kind": entry.kind, "space_id": entry.space_id, "change": change})])
    return entry


def rename(principal: Principal | None, file_id: str, new_name: str) -> Entry:
    entry = manageable(principal, file_id)
    name = clean_name(new_name)
    if name == entry.name:
        return entry
    record = FileRecord.get(file_id)
    old_key = record.name_key

    def write(t: object) -> None:
        if name_key(name) != old_key:
            t.save(FileNameRecord(record.parent_id, name_key(name), file_id=file_id),  # type: ignore[attr-defined]
                   condition=FileNameRecord.name_key.does_not_exist())
            t.delete(FileNameRecord(record.parent_id, old_key))  # type: ignore[attr-defined]
        t.update(record, actions=[FileRecord.name.set(name), FileRecord.name_key.set(name_key(name)),  # type: ignore[attr-defined]
                                  FileRecord.updated_at.set(now())])

    with_conflict_check(write, name)
    return announce_change(get_entry(file_id), "renamed")


def move(principal: Principal | None, file_id: str, target_folder_id: str) -> Entry:
    p = require_signed_in(principal)
    entry = manageable(p, file_id)
    space_id, target = resolve_folder(p, target_folder_id)
    if space_id != entry.space_id:
        raise BadRequest("Files move within their space; to hand a file to another space, share it.")
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot add files here.")
    new_parent = target.file_id if target else space_id
    if new_parent == entry.parent_id:
        return entry
    if entry.is_folder and any(f.file_id == entry.file_id for f in [*_path(target)]):
        raise BadRequest("A folder cannot be moved into itself.")
    record = FileRecord.get(file_id)
    vis = policy.narrower(record.visibility, target.visibility) if target else record.visibility

    def write(t: object) -> None:
        t.save(FileNameRecord(new_parent, record.name_key, file_id=file_id),  # type: ignore[attr-defined]
               condition=FileNameRecord.name_key.does_not_exist())
        t.delete(FileNameRecord(record.parent_id, record.name_key))  # type: ignore[attr-defined]
        t.update(record, actions=[FileRecord.parent_id.set(new_parent), FileRecord.visibility.set(vis),  # type: ignore[attr-defined]
                                  FileRecord.updated_at.set(now())])

    with_conflict_check(write, record.name)
    if entry.is_folder and vis != entry.visibility:
        _narrow_descendants(file_id, vis)
    return announce_change(get_entry(file_id), "moved")


def set_visibility(principal: Principal | None, file_id: str, visibility: str) -> Entry:
    entry = manageable(principal, file_id)
    parent = None if policy.is_space_id(entry.parent_id) else get_entry(entry.parent_id)
    vis = _visibility_under(parent, entry.space_id, visibility)
    FileRecord(file_id).update(actions=[FileRecord.visibility.set(vis), FileRecord.updated_at.set(now())])
    if entry.is_folder:
        _narrow_descendants(file_id, vis)
    return announce_change(get_entry(file_id), "visibility")


def _narrow_descendants(folder_id: str, visibility: str) -> None:
    for child in FileRecord.by_parent.query(folder_id):
        if policy.narrower(child.visibility, visibility) != child.visibility:  # a change: updated_at moves
            child.update(actions=[FileRecord.visibility.set(visibility), FileRecord.updated_at.set(now())])
        if child.kind == "folder":
            _narrow_descendants(child.file_id, visibility)


# --- trash ----------------------------------------------------------------------------------

def trash(principal: Principal | None, file_id: str) -> Entry:
    """Into the trash: hidden, its name free again, restorable for TRASH_DAYS days."""
    p = require_signed_in(principal)
    entry = manageable(p, file_id)
    record = FileRecord.get(file_id)
    with transaction() as t:
        t.delete(FileNameRecord(record.parent_id, record.name_key))
        t.update(record, actions=[FileRecord.status.set("trashed"), FileRecord.trashed_at.set(now().isoformat()),
                                  FileRecord.trashed_by.set(p.staff_id), FileRecord.updated_at.set(now())])
    return announce_change(get_entry(entry.file_id), "trashed")


def restore(principal: Principal | None, file_id: str) -> Entry:
    entry = manageable(principal, file_id, trashed_ok=True)
    if entry.status != "trashed":
        return entry
    parent_id = entry.parent_id
    if not policy.is_space_id(parent_id) and get_entry(parent_id).status != "active":
        parent_id = entry.space_id  # its folder is gone: restore to the space's root
    name = entry.name
    for attempt in range(1, 50):
        record = FileRecord.get(file_id)

        def write(t: object, name: str = name, record: FileRecord = record) -> None:
            t.save(FileNameRecord(parent_id, name_key(name), file_id=file_id),  # type: ignore[attr-defined]
                   condition=FileNameRecord.name_key.does_not_exist())
            t.update(record, actions=[  # type: ignore[attr-defined]
                FileRecord.status.set("active"), FileRecord.trashed_at.remove(), FileRecord.trashed_by.remove(),
                FileRecord.parent_id.set(parent_id), FileRecord.name.set(name),
                FileRecord.name_key.set(name_key(name)), FileRecord.updated_at.set(now())])

        try:
            with_conflict_check(write, name)
            return announce_change(get_entry(file_id), "restored")
        except Conflict:
            name = _numbered(entry.name, attempt + 1)  # "報告書 (2).docx", as desktop systems do
    raise Conflict("There is already something named {name} here.", name=entry.name)


def _numbered(name: str, n: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"


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
    count = 0
    if record.kind == "folder":
        for child in FileRecord.by_parent.query(record.file_id):
            count += _delete_for_good(child)
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
    return count + 1


# --- versions -----------------------------------------------------------------------------

def versions(principal: Principal | None, file_id: str) -> list[Version]:
    entry = readable(principal, file_id)
    if entry.is_folder:
        raise BadRequest("Folders have no versions.")
    bind()
    return [Version(int(v.version), int(v.size), v.content_type, v.uploaded_by, v.uploaded_at)
            for v in VersionRecord.query(file_id, scan_index_forward=False)]


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


def version_record(file_id: str, version: int) -> VersionRecord:
    bind()
    record = get_or_none(VersionRecord, file_id, f"{version:08d}")
    if record is None:
        raise NotFound("This version does not exist.")
    return record
