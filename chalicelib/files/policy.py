"""Who may see and change what in the file spaces. Pure rules, no I/O: unit-tested as a matrix.

- A space is an org unit's (`dept:<unit id>`: a 部局, a 所属 or a 係) or a person's
  (`user:<staff id>`). It stays the unit's whoever moves: nothing of it follows a person.
- The members of a unit are those who belong to it or to a unit below it (Principal.belongs_to,
  the principal's unit paths, 兼務 included): a 部局's space is open to all its 所属 and 係.
- Writing into a space: the unit's members (or the person), and system admins.
- Reading an item: its owner; for `department` visibility, the unit's members; for `all`,
  every staff member; department admins read everything in the spaces of the units they
  administer; system admins read everything. Items in a personal space are the owner's unless
  `all`.
- Managing an item (rename, move, trash, visibility, versions): its owner, the department's
  admins, system admins.
- An item is never more visible than the folder it is in (clamped on create, move and change).
- An item is reachable only while it and every folder above it are active: a file in a
  trashed folder is in the trash with it, for staff and partners alike.
- Folders nest at most MAX_FOLDER_DEPTH deep (create and move refuse deeper).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal

VISIBILITIES = ("private", "department", "all")
# A folder move is one DynamoDB transaction of 3 writes plus one condition per folder above its
# target (so that two moves at the same moment cannot close a loop), and a transaction holds at
# most 100 actions: 96 levels keep it within that, far deeper than any office's tree.
MAX_FOLDER_DEPTH = 96
# Walks up or down a tree stop here whatever the data says: trees made before the depth limit
# stay reachable, and a broken tree costs a bounded number of reads, never a hang.
WALK_LIMIT = 256
_RANK = {v: i for i, v in enumerate(VISIBILITIES)}


@dataclass(frozen=True)
class Item:
    space_id: str
    owner_id: str
    visibility: str


def department_space(department_id: str) -> str:
    return f"dept:{department_id}"


def personal_space(staff_id: str) -> str:
    return f"user:{staff_id}"


def parse_space(space_id: str) -> tuple[str, str]:
    kind, _, ident = space_id.partition(":")
    if kind not in {"dept", "user"} or not ident:
        raise ValueError(f"not a space id: {space_id!r}")
    return kind, ident


def is_space_id(value: str) -> bool:
    try:
        parse_space(value)
    except ValueError:
        return False
    return True


def can_write_in(p: Principal, space_id: str) -> bool:
    if p.is_system_admin:
        return True
    if not is_space_id(space_id):  # a caller's made-up id: nobody's space
        return False
    kind, ident = parse_space(space_id)
    return p.belongs_to(ident) if kind == "dept" else ident == p.staff_id


def administers_space(p: Principal, space_id: str) -> bool:
    if p.is_system_admin:
        return True
    if not is_space_id(space_id):
        return False
    kind, ident = parse_space(space_id)
    return kind == "dept" and p.administers(ident)


def can_read(p: Principal, item: Item) -> bool:
    if item.owner_id == p.staff_id or administers_space(p, item.space_id):
        return True
    if item.visibility == "all":
        return True
    kind, ident = parse_space(item.space_id)
    if kind == "user":
        return ident == p.staff_id
    return item.visibility == "department" and p.belongs_to(ident)


def can_manage(p: Principal, item: Item) -> bool:
    return item.owner_id == p.staff_id or administers_space(p, item.space_id)


def narrower(a: str, b: str) -> str:
    """The less visible of two visibilities."""
    return a if _RANK[a] <= _RANK[b] else b


def default_visibility(space_id: str) -> str:
    return "department" if parse_space(space_id)[0] == "dept" else "private"
