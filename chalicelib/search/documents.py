"""What a search document says about a file, and who may find it. Pure rules, no I/O.

Permission-awareness rests on two functions that mirror chalicelib/files/policy.can_read:
`principals_for(item)` lists the principals that may read an item, `principals_of(person)`
the principals a person holds; a person finds a document only if the two meet. A unit test
checks this against can_read for every role, space and visibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.auth import Post, Principal, Role
from chalicelib.files import policy

EVERYONE = "all"
SYSTEM_ADMINS = "sysadmin"
FILE = "file"  # the `kind` of a file's document; other kinds come through records.py

# Private-use characters mark highlights inside OpenSearch's snippets; they are stripped from
# every indexed text, so a document can never forge them, and the page turns them into <mark>.
MARK_START, MARK_END = "\ue000", "\ue001"

TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "word": ("docx", "doc", "odt", "rtf"),
    "excel": ("xlsx", "xls", "xlsm", "ods", "csv", "tsv"),
    "powerpoint": ("pptx", "ppt", "odp"),
    "text": ("txt", "md", "markdown", "html", "htm", "log", "json", "xml"),
    "image": ("png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "svg"),
}
_GROUP_OF = {ext: group for group, exts in TYPE_GROUPS.items() for ext in exts}


def principals_for(item: policy.Item) -> list[str]:
    """Everyone who may read the item, as principal strings (see can_read)."""
    kind, ident = policy.parse_space(item.space_id)
    found = {SYSTEM_ADMINS, f"staff:{item.owner_id}"}
    if kind == "dept":
        found.add(f"deptadmin:{ident}")
        if item.visibility == "department":
            found.add(f"dept:{ident}")
    else:
        found.add(f"staff:{ident}")
    if item.visibility == "all":
        found.add(EVERYONE)
    return sorted(found)


def unit_principal(unit_id: str) -> str:
    """The principal every member of the unit holds (see principals_of): what a record visible
    to a whole 所属 lists."""
    return f"dept:{unit_id}"


def staff_principal(staff_id: str) -> str:
    """The principal only this staff member holds: what a record visible to named people lists."""
    return f"staff:{staff_id}"


def head_principal(unit_id: str) -> str:
    """The principal the 所属長 of this 所属 holds (Principal.post_in is HEAD, 兼務 included) and
    nobody else, not even its members: a record its head may see (a project the 所属 owns) lists it."""
    return f"head:{unit_id}"


def principals_of(p: Principal) -> list[str]:
    """The principals a signed-in staff member holds; every query filters on these. A member of a
    unit holds it and every unit above it (Principal.units, 兼務 included), as can_read says; a
    所属長 also holds the head principal of each 所属 they head."""
    units = sorted(p.units)
    held = [EVERYONE, staff_principal(p.staff_id), *(f"dept:{u}" for u in units)]
    held.extend(sorted({head_principal(a.unit_id) for a in p.assignments if a.post is Post.HEAD}))
    if p.role is Role.DEPARTMENT_ADMIN:
        held.extend(f"deptadmin:{u}" for u in units)
    if p.is_system_admin:
        held.append(SYSTEM_ADMINS)
    return held


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def type_group(name: str) -> str:
    return _GROUP_OF.get(extension(name), "other")


def clean_text(text: str) -> str:
    """Drop the highlight markers (and NULs) a document might contain."""
    return text.replace(MARK_START, "").replace(MARK_END, "").replace("\x00", "")


def external_version(updated_at: datetime) -> int:
    """The document version OpenSearch compares (external_gte): the file's last change, in µs.

    Every change of a file's name, place, visibility, state or content moves updated_at, so
    a write built from an older read can never replace one built from a newer read.
    """
    return int(updated_at.timestamp() * 1_000_000)


@dataclass(frozen=True)
class FileFacts:
    """What the indexer read about one file (from DynamoDB) besides its text."""

    file_id: str
    name: str
    folder_id: str
    space_id: str
    department_id: str
    owner_id: str
    visibility: str
    content_type: str | None
    size: int
    version: int
    created_at: datetime
    updated_at: datetime
    folder_names: tuple[str, ...]  # from the space's root down to the file's folder
    ancestors: tuple[str, ...]  # the ids of those folders, and the space id


def document(facts: FileFacts, content: str, content_status: str) -> dict[str, Any]:
    item = policy.Item(facts.space_id, facts.owner_id, facts.visibility)
    return {
        "kind": FILE,
        "file_id": facts.file_id,
        "name": clean_text(facts.name),
        "extension": extension(facts.name),
        "type_group": type_group(facts.name),
        "path": "/" + "/".join(facts.folder_names),
        "folder_id": facts.folder_id,
        "ancestors": list(facts.ancestors),
        "space_id": facts.space_id,
        "department_id": facts.department_id,
        "owner_id": facts.owner_id,
        "visibility": facts.visibility,
        "principals": principals_for(item),
        "content_type": facts.content_type or "application/octet-stream",
        "size": facts.size,
        "version": facts.version,
        "created_at": facts.created_at.isoformat(),
        "updated_at": facts.updated_at.isoformat(),
        "content": clean_text(content),
        "content_status": content_status,
    }
