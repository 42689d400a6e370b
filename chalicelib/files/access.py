"""Who reaches an entry or a folder: the checks every use case of the files slice starts with.

What a person may not see answers 404 (not 403: no hint that it exists); the rules themselves
are in policy.py.
"""

from __future__ import annotations

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.files import policy
from chalicelib.files.entries import Entry, all_active, get_entry, lineage


def reach(p: Principal, file_id: str, *, trashed_ok: bool = False) -> list[Entry]:
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
    return reach(require_signed_in(principal), file_id, trashed_ok=trashed_ok)[0]


def manageable(principal: Principal | None, file_id: str, *, trashed_ok: bool = False) -> Entry:
    p = require_signed_in(principal)
    entry = readable(p, file_id, trashed_ok=trashed_ok)
    if not policy.can_manage(p, entry.item):
        raise Forbidden("Only the owner or an administrator of this space can change it.")
    return entry


def resolve(p: Principal, folder_id: str) -> tuple[str, list[Entry]]:
    """(space id, the folder and the folders above it, nearest first; empty at the space's root)."""
    if policy.is_space_id(folder_id):
        kind, ident = policy.parse_space(folder_id)
        if not (policy.can_write_in(p, folder_id) or policy.administers_space(p, folder_id) or kind == "dept"):
            raise NotFound("This file or folder does not exist.")
        return folder_id, []
    chain = reach(p, folder_id)
    if not chain[0].is_folder:
        raise BadRequest("This is a file, not a folder.")
    return chain[0].space_id, chain


def resolve_folder(principal: Principal | None, folder_id: str) -> tuple[str, Entry | None]:
    """(space id, folder entry or None for the root) for a folder id or a space id."""
    space_id, chain = resolve(require_signed_in(principal), folder_id)
    return space_id, chain[0] if chain else None
