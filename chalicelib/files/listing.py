"""What a folder holds, as the person asking may see it: one level (a page) or all of it (an archive)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.observability import logger
from chalicelib.files import policy
from chalicelib.files.access import resolve
from chalicelib.files.entries import Entry, to_entry
from chalicelib.files.names import name_key
from chalicelib.files.spaces import Space, space
from chalicelib.files.storage import FileRecord, bind


@dataclass(frozen=True)
class FolderView:
    space: Space
    folder: Entry | None  # None at a space's root
    path: list[Entry]  # the folders from the root down to this one
    children: list[Entry]
    can_write: bool


def list_folder(principal: Principal | None, folder_id: str) -> FolderView:
    p = require_signed_in(principal)
    space_id, chain = resolve(p, folder_id)
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
    children = [to_entry(r) for r in FileRecord.by_parent.query(parent_id)]
    visible = [c for c in children if c.status == "active" and policy.can_read(p, c.item)]
    visible.sort(key=lambda e: (not e.is_folder, name_key(e.name)))
    return visible
