"""`kumo users import FILE.csv`, the directory's part: read and check the file, all or nothing.

The file is UTF-8 (with or without BOM) or Shift_JIS (as Excel saves it in Japan). Columns,
by header name (Japanese headers accepted too):

    staff_id, display_name, email, role, department and/or unit; optional: section, post, concurrent

`department` (部局) is a 部局's id or name; `unit` (所属) a 所属's (or a 部局's, for staff placed
directly in it), looked up in the 部局 when both are given; `section` (係) a 係 of that 所属;
`post` (役職) 所属長 / 取りまとめ担当 / 一般; `concurrent` (兼務) the other places, separated by
`;`, each `所属[/係][:役職]` (e.g. `財政課:取りまとめ担当;人事課`). `role` is member /
dept_admin / system_admin (or 一般 / 所属管理者 / システム管理者). For someone already in the
directory, a column the file leaves out keeps what is stored; a file naming only their 部局
keeps their 所属 in it. With `effective` (a day, JST) a changed place is recorded as a transfer
from that day instead of now; people not yet in the directory are placed at once.
The whole file is checked first: any bad row rejects the file with a message naming each row
and column, and nothing is written. Writing the staff and their sign-ins is
accounts/provisioning.py: sign-in builds on the directory, not the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from chalicelib.core.auth import POST_ALIASES, ROLE_ALIASES, Post
from chalicelib.directory import csv_input, org, staff
from chalicelib.directory.org import OrgUnit, Tree, UnitKind
from chalicelib.directory.placement import Placement, Transfer, with_transfer
from chalicelib.directory.staff import Staff

ImportRejected = csv_input.ImportRejected
decode = csv_input.decode
HEADER_ALIASES = {
    "staff_id": "staff_id",
    "職員id": "staff_id",
    "職員番号": "staff_id",
    "ユーザーid": "staff_id",
    "display_name": "display_name",
    "氏名": "display_name",
    "名前": "display_name",
    "email": "email",
    "メール": "email",
    "メールアドレス": "email",
    "e-mail": "email",
    "department": "department",
    "department_id": "department",
    "部局": "department",
    "unit": "unit",
    "unit_id": "unit",
    "所属": "unit",
    "section": "section",
    "係": "section",
    "班": "section",
    "係・班": "section",
    "post": "post",
    "役職": "post",
    "concurrent": "concurrent",
    "兼務": "concurrent",
    "role": "role",
    "権限": "role",
    "役割": "role",
}
REQUIRED = ("staff_id", "display_name", "email", "department", "role")
STAFF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLACES = {UnitKind.BUKYOKU, UnitKind.SHOZOKU}


@dataclass(frozen=True)
class Stated:
    """Where a row puts someone; None where the file has no such column."""

    department_id: str
    unit_id: str | None  # a 所属; None when the row names only a 部局
    section_id: str | None
    section_given: bool
    post: Post | None
    concurrent: tuple[Placement, ...] | None


def parse(text: str, *, effective: date | None = None) -> list[Staff]:
    table = csv_input.read(text, HEADER_ALIASES, REQUIRED, or_else={"department": "unit"})
    tree = Tree.of(org.list_units())
    people = {p.staff_id: p for p in staff.all_staff()}
    problems = list(table.problems)
    found: list[Staff] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        row_problems = _check_person(cells)
        stated = _place(cells, table, tree, row_problems)
        if csv_input.alias(cells["role"]) not in ROLE_ALIASES:
            row_problems.append(f"column role: '{cells['role']}' is not one of member, dept_admin, system_admin")
        staff_id = cells["staff_id"].lower()
        if staff_id in seen:
            row_problems.append(f"column staff_id: {staff_id} is already on row {seen[staff_id]}")
        seen.setdefault(staff_id, number)
        problems.extend((number, p) for p in row_problems)
        if not row_problems and stated is not None:
            found.append(_merged(cells, stated, people.get(staff_id), effective))
    csv_input.reject_if_any(problems)
    return found


def _check_person(cells: dict[str, str]) -> list[str]:
    problems = []
    if not STAFF_ID.match(cells["staff_id"].lower()):
        problems.append("column staff_id: use 2-64 letters, digits, '.', '_' or '-'")
    if not cells["display_name"] or len(cells["display_name"]) > 64:
        problems.append("column display_name: enter a name of at most 64 characters")
    if not EMAIL.match(cells["email"]):
        problems.append(f"column email: '{cells['email']}' is not an e-mail address")
    return problems


def _one(candidates: list[OrgUnit], column: str, text: str, what: str, where: str = "") -> str | OrgUnit:
    """The one unit a cell means, or the problem."""
    if not candidates:
        return f"column {column}: no {what} '{text}'{where}"
    if len(candidates) > 1:
        ids = ", ".join(sorted(c.unit_id for c in candidates))
        return f"column {column}: '{text}' names more than one {what} ({ids}): give its id"
    return candidates[0]


def _found(found: str | OrgUnit, problems: list[str]) -> OrgUnit | None:
    if isinstance(found, OrgUnit):
        return found
    problems.append(found)
    return None


def _place(cells: dict[str, str], table: csv_input.Table, tree: Tree, problems: list[str]) -> Stated | None:
    department = unit = None
    if cells.get("department"):
        text = cells["department"]
        department = _found(_one(tree.named(text, {UnitKind.BUKYOKU}), "department", text, "department"), problems)
        if department is None:
            return None
        unit = department
    if cells.get("unit"):
        within, where = (department.unit_id, f" in {department.name_ja}") if department else (None, "")
        unit = _found(_one(tree.named(cells["unit"], PLACES, within), "unit", cells["unit"], "unit", where), problems)
    elif department is None:
        column = "department" if table.has("department") else "unit"
        problems.append(f"column {column}: enter a department or a unit")
    if unit is None:
        return None
    section = _section(cells.get("section", ""), unit, tree, problems)
    post = _post(cells["post"], "post", problems) if table.has("post") else None
    concurrent = _concurrent(cells["concurrent"], unit, tree, problems) if table.has("concurrent") else None
    top = tree.path(unit.unit_id)[0]
    shozoku = unit.unit_id if unit.kind is UnitKind.SHOZOKU else None
    return Stated(top, shozoku, section, table.has("section"), post, concurrent)


def _section(text: str, unit: OrgUnit, tree: Tree, problems: list[str]) -> str | None:
    if not text:
        return None
    if unit.kind is not UnitKind.SHOZOKU:
        problems.append("column section: a 係 needs its 所属 in column unit")
        return None
    found = _found(
        _one(tree.named(text, {UnitKind.KAKARI}, unit.unit_id), "section", text, "係", f" in {unit.name_ja}"), problems
    )
    return found.unit_id if found else None


def _post(text: str, column: str, problems: list[str]) -> Post:
    post = POST_ALIASES.get(csv_input.alias(text))
    if post is None:
        problems.append(f"column {column}: '{text}' is not one of 所属長, 取りまとめ担当, 一般")
    return post or Post.GENERAL


def _concurrent(text: str, main: OrgUnit, tree: Tree, problems: list[str]) -> tuple[Placement, ...]:
    """`財政課:取りまとめ担当;人事課/庶務係`: each 兼務 as a place."""
    places: list[Placement] = []
    home = tree.path(main.unit_id)[0]
    for entry in (e.strip() for e in re.split(r"[;；]", text)):
        if not entry:
            continue
        where, _, post_text = entry.replace("：", ":").partition(":")
        unit_text, _, section_text = where.replace("／", "/").partition("/")
        candidates = tree.named(unit_text, PLACES)
        if len(candidates) > 1:  # 総務課 is in many 部局: the one in the person's own 部局, if that settles it
            candidates = [c for c in candidates if tree.path(c.unit_id)[0] == home] or candidates
        found = _found(_one(candidates, "concurrent", unit_text, "unit"), problems)
        if found is None:
            continue
        if found.unit_id == main.unit_id:
            problems.append(f"column concurrent: '{unit_text}' is the main unit")
            continue
        section = _section(section_text.strip(), found, tree, problems)
        places.append(Placement(found.unit_id, section, _post(post_text.strip(), "concurrent", problems)))
    return tuple(places)


def _merged(cells: dict[str, str], stated: Stated, existing: Staff | None, effective: date | None) -> Staff:
    """The person the row describes: new, or as stored with what the row changes."""
    role = ROLE_ALIASES[csv_input.alias(cells["role"])]
    name, email = cells["display_name"], cells["email"].lower()
    if existing is None:
        person = Staff(cells["staff_id"].lower(), name, email, stated.department_id, role)
        main = Placement(stated.unit_id or stated.department_id, stated.section_id, stated.post or Post.GENERAL)
        return staff.placed(person, main, stated.concurrent or ())
    person = replace(existing, display_name=name, email=email, role=role)
    main, concurrent = _new_places(stated, existing)
    if (main, concurrent) == (existing.main, existing.concurrent):
        return person
    if effective is None:
        return staff.placed(person, main, concurrent)
    return replace(person, transfers=with_transfer(person.transfers, Transfer(effective, main, concurrent)))


def _new_places(stated: Stated, current: Staff) -> tuple[Placement, tuple[Placement, ...]]:
    if stated.unit_id is not None:
        unit = stated.unit_id
        section = stated.section_id if stated.section_given or unit != current.unit_id else current.section_id
    elif stated.department_id == current.department_id and current.unit_id:
        unit, section = current.unit_id, current.section_id  # only the 部局 named: their 所属 in it stays
    else:
        unit, section = stated.department_id, None
    post = stated.post if stated.post is not None else (current.post if unit == current.main.unit_id else Post.GENERAL)
    concurrent = stated.concurrent if stated.concurrent is not None else current.concurrent
    return Placement(unit, section, post), concurrent
