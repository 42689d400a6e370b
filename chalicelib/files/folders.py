"""Making folders: by hand, or along a path when a whole folder is uploaded.

A name is taken in its folder in the same transaction that saves the entry (FileNameRecord), so
two folders of one name cannot appear side by side.
"""

from __future__ import annotations

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, Forbidden
from chalicelib.core.storage import (
    get_or_none,
)
from chalicelib.files import policy
from chalicelib.files.access import resolve, resolve_folder
from chalicelib.files.entries import Entry, get_entry, new_id, now, to_entry, with_conflict_check
from chalicelib.files.names import clean_name, name_key
from chalicelib.files.storage import FileNameRecord, FileRecord, bind


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


def create_folder(principal: Principal | None, parent_id: str, name: str, visibility: str | None = None) -> Entry:
    p = require_signed_in(principal)
    space_id, chain = resolve(p, parent_id)
    parent = chain[0] if chain else None
    if not policy.can_write_in(p, space_id):
        raise Forbidden("You cannot add folders here.")
    refuse_too_deep(len(chain) + 1)
    name = clean_name(name)
    vis = visibility_under(parent, space_id, visibility)
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
    return to_entry(record)


def refuse_too_deep(depth: int) -> None:
    if depth > policy.MAX_FOLDER_DEPTH:
        raise BadRequest("Folders can be nested at most {limit} levels deep.", limit=policy.MAX_FOLDER_DEPTH)


def visibility_under(parent: Entry | None, space_id: str, requested: str | None) -> str:
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
