"""What the Files pages show: rows, breadcrumbs, the usage bar, move targets. No access rules here.

Each *_context function calls the services (which check access) and shapes their answers for
one template; pages.py only picks the function and renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.core import web
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.i18n_markers import N_
from chalicelib.directory import service as directory
from chalicelib.files import access, listing, policy, spaces, trash, upload_start, versions
from chalicelib.files.entries import Entry
from chalicelib.files.names import name_key
from chalicelib.files.upload_plan import BLOCKED_EXTENSIONS

# A folder, a file or a space: what a form may name as the page to come back to.
ITEM_ID = re.compile(r"^(f[io]_[0-9a-f]{1,64}|(dept|user):[A-Za-z0-9._-]{1,64})$")
SORTS = ("name", "size", "updated")
UNITS = ("B", "KB", "MB", "GB", "TB")
# File kinds a person recognises, by extension (the stored type is whatever the browser said).
KINDS = {
    "pdf": "pdf",
    "doc": "word",
    "docx": "word",
    "rtf": "word",
    "odt": "word",
    "xls": "excel",
    "xlsx": "excel",
    "xlsm": "excel",
    "ods": "excel",
    "csv": "csv",
    "ppt": "powerpoint",
    "pptx": "powerpoint",
    "odp": "powerpoint",
    "txt": "text",
    "md": "text",
    "jtd": "text",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "gif": "image",
    "webp": "image",
    "heic": "image",
    "tif": "image",
    "tiff": "image",
    "bmp": "image",
    "svg": "image",
    "mp4": "video",
    "mov": "video",
    "avi": "video",
    "wmv": "video",
    "mp3": "audio",
    "wav": "audio",
    "m4a": "audio",
    "zip": "archive",
    "lzh": "archive",
    "7z": "archive",
    "gz": "archive",
    "dwg": "drawing",
    "dxf": "drawing",
    "jww": "drawing",
    "sfc": "drawing",
}


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str


@dataclass(frozen=True)
class Row:
    entry: Entry
    href: str
    owner: str
    kind: str
    size: str
    manageable: bool


@dataclass(frozen=True)
class Target:
    """A folder something can be moved into."""

    folder_id: str
    label: str


# --- small helpers ---------------------------------------------------------------------------


def is_item_id(value: str) -> bool:
    return bool(ITEM_ID.match(value or ""))


def whole_number(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise BadRequest("{field} must be a whole number.", field="version") from None


def human_size(size: int) -> str:
    """1.2 GB, 340 KB, 100 GB: one decimal below ten, as Explorer and Finder show it."""
    value = float(size)
    for unit in UNITS:
        if value < 1024 or unit == UNITS[-1]:
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1024
    return f"{size} B"  # not reached


def kind_of(entry: Entry) -> str:
    if entry.is_folder:
        return "folder"
    ext = entry.name.rsplit(".", 1)[1].lower() if "." in entry.name else ""
    if ext in KINDS:
        return KINDS[ext]
    major = (entry.content_type or "").split("/")[0]
    return major if major in {"image", "video", "audio", "text"} else "file"


def space_of(me: Principal, item_id: str) -> str:
    return item_id if policy.is_space_id(item_id) else access.readable(me, item_id, trashed_ok=True).space_id


def _translate(message: str) -> str:
    from chalicelib.core.i18n import gettext_for

    return str(gettext_for(web.state().language)(message))


def space_label(me: Principal, space_id: str) -> str:
    kind, ident = policy.parse_space(space_id)
    if kind == "dept":
        return directory.unit_name(ident, web.state().language)
    if ident == me.staff_id:
        return _translate(N_("My files"))
    return _translate(N_("Files of {name}")).format(name=_staff_names([ident])[ident])


class Labels(dict[str, str]):
    """Space names, each looked up once per page (a page names its space several times)."""

    def __init__(self, me: Principal) -> None:
        super().__init__()
        self.me = me

    def __missing__(self, space_id: str) -> str:
        self[space_id] = space_label(self.me, space_id)
        return self[space_id]


def _staff_names(staff_ids: list[str]) -> dict[str, str]:
    return directory.display_names(staff_ids)


def _crumbs(labels: Labels, space_id: str, path: list[Entry]) -> list[Crumb]:
    return [Crumb(labels[space_id], f"/files/{space_id}")] + [Crumb(f.name, f"/files/{f.file_id}") for f in path]


def _rows(me: Principal, entries: list[Entry]) -> list[Row]:
    names = _staff_names([e.owner_id for e in entries])
    return [
        Row(
            e,
            f"/files/{e.file_id}",
            names[e.owner_id],
            kind_of(e),
            "" if e.is_folder else human_size(e.size),
            policy.can_manage(me, e.item),
        )
        for e in entries
    ]


def _sorted(rows: list[Row], sort: str, order: str) -> list[Row]:
    """Folders first, as every file manager does; then by the chosen column."""

    def key(row: Row) -> tuple[Any, str]:
        name = name_key(row.entry.name)
        return {"name": name, "size": row.entry.size, "updated": row.entry.updated_at}[sort], name

    ordered = sorted(rows, key=key, reverse=order == "desc")
    return [r for r in ordered if r.entry.is_folder] + [r for r in ordered if not r.entry.is_folder]


def _usage(space: spaces.Space) -> dict[str, Any]:
    quota = max(space.quota_bytes, 1)
    return {
        "used": human_size(space.used_bytes),
        "quota": human_size(space.quota_bytes),
        "used_bytes": space.used_bytes,
        "quota_bytes": space.quota_bytes,
        "percent": min(100, round(space.used_bytes * 100 / quota)),
        "full": space.used_bytes >= quota,
    }


def _spaces(labels: Labels, current: str) -> list[dict[str, Any]]:
    """The switch between the department's space and the person's own."""
    return [{"space_id": s, "label": labels[s], "current": s == current} for s in spaces.spaces_for(labels.me)]


def _move_targets(
    labels: Labels, space_id: str, path: list[Entry], children: list[Entry], current_parent: str
) -> dict[str, list[Target]]:
    """Where things here can go without walking the whole tree: up the path, or into a folder shown here."""
    up = [Target(space_id, labels[space_id])] + [Target(f.file_id, f.name) for f in path]
    down = [Target(c.file_id, c.name) for c in children if c.is_folder]
    return {"up": [t for t in up if t.folder_id != current_parent], "down": down}


# --- page contexts ---------------------------------------------------------------------------


def folder_context(
    me: Principal, folder_id: str, *, sort: str, order: str, error: str | None, done: str
) -> dict[str, Any]:
    view = listing.list_folder(me, folder_id)
    space_id = view.space.space_id
    labels = Labels(me)
    sort = sort if sort in SORTS else "name"
    order = "desc" if order == "desc" else "asc"
    here = view.folder
    return {
        "here_id": here.file_id if here else space_id,
        "folder": here,
        "space_id": space_id,
        "space_label": labels[space_id],
        "spaces": _spaces(labels, space_id),
        "crumbs": _crumbs(labels, space_id, view.path),
        "rows": _sorted(_rows(me, view.children), sort, order),
        "sort": sort,
        "order": order,
        "can_write": view.can_write,
        "can_manage_here": here is not None and policy.can_manage(me, here.item),
        "here_kind": kind_of(here) if here else "space",
        "usage": _usage(view.space) if view.can_write else None,
        "targets": _move_targets(labels, space_id, view.path, view.children, here.file_id if here else space_id),
        "here_targets": _move_targets(labels, space_id, view.path[:-1], [], here.parent_id) if here else None,
        "default_visibility": here.visibility if here else policy.default_visibility(space_id),
        "visibilities": policy.VISIBILITIES,
        "error": error,
        "done": done,
        "trash_days": trash.TRASH_DAYS,
    }


def file_context(me: Principal, entry: Entry, *, error: str | None, done: str) -> dict[str, Any]:
    try:
        parent = listing.list_folder(me, entry.parent_id)
        path, siblings = parent.path, parent.children
    except NotFound:  # the file is the person's own, in a folder they cannot see: show it alone
        path, siblings = [], []
    history = versions.versions(me, entry.file_id)
    names = _staff_names([entry.owner_id] + [v.uploaded_by for v in history])
    labels = Labels(me)
    return {
        "entry": entry,
        "space_id": entry.space_id,
        "space_label": labels[entry.space_id],
        "spaces": _spaces(labels, entry.space_id),
        "crumbs": _crumbs(labels, entry.space_id, path),
        "row": _rows(me, [entry])[0],
        "names": names,
        "versions": [{"v": v, "size": human_size(v.size), "by": names[v.uploaded_by]} for v in history],
        "targets": _move_targets(labels, entry.space_id, path, siblings, entry.parent_id),
        "visibilities": policy.VISIBILITIES,
        "error": error,
        "done": done,
        "trash_days": trash.TRASH_DAYS,
    }


def trash_context(me: Principal, space_id: str, *, done: str, error: str | None = None) -> dict[str, Any]:
    items = trash.trashed(me, space_id)
    rows = _rows(me, items)
    labels = Labels(me)
    return {
        "space_id": space_id,
        "space_label": labels[space_id],
        "spaces": _spaces(labels, space_id),
        "crumbs": _crumbs(labels, space_id, []),
        "rows": rows,
        "trash_days": trash.TRASH_DAYS,
        "trashed_at": {r.entry.file_id: _when(r.entry.trashed_at) for r in rows},
        "done": done,
        "error": error,
    }


def _when(iso: str | None) -> datetime | None:
    if not iso:
        return None
    value = datetime.fromisoformat(iso)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def upload_settings() -> dict[str, object]:
    """What the uploader's section shows and checks before sending (files_macros.upload_section)."""
    return {
        "threshold": upload_start.MULTIPART_THRESHOLD,
        "max_bytes": upload_start.MAX_FILE_BYTES,
        "max_gb": upload_start.MAX_FILE_BYTES // 1024**3,
        "blocked": sorted(BLOCKED_EXTENSIONS),
    }
