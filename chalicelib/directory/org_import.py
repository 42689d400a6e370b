"""`kumo org import FILE.csv`: the org tree (部局 → 所属 → 係) from a CSV file, all or nothing.

Columns, by header name (Japanese headers accepted too):

    unit_id, name, name_en, kind, parent, short_name, sort_order

`kind` is 部局 / 所属 / 係 (or bukyoku / shozoku / kakari; 班 is a 係). `parent` is a unit's id
or name, in the file or already in the directory; a 所属 sits under a 部局 and a 係 under a
所属; a 部局 has none. `short_name` is the prefix of a 照会番号 (empty: the name without its
last 部/課/室). The file adds and updates units; units it does not name stay as they are.
The whole file is checked first, parents and loops across every row, and a bad row rejects
the file with each problem named by row and column. When a 所属 moves to another 部局, the
staff records of its people follow (their `department_id` is the 部局 of their 所属).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from chalicelib.directory import csv_input, org, staff, unit_people
from chalicelib.directory.org import KIND_ALIASES, OrgUnit, Tree, UnitKind

HEADER_ALIASES = {
    "unit_id": "unit_id",
    "id": "unit_id",
    "組織id": "unit_id",
    "組織コード": "unit_id",
    "所属コード": "unit_id",
    "name": "name",
    "name_ja": "name",
    "名称": "name",
    "組織名": "name",
    "name_en": "name_en",
    "英語名": "name_en",
    "英語名称": "name_en",
    "kind": "kind",
    "種別": "kind",
    "区分": "kind",
    "parent": "parent",
    "parent_id": "parent",
    "上位組織": "parent",
    "上位": "parent",
    "short_name": "short_name",
    "略称": "short_name",
    "sort_order": "sort_order",
    "表示順": "sort_order",
    "並び順": "sort_order",
}
REQUIRED = ("unit_id", "name", "kind")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
NAME_MAX, SHORT_NAME_MAX = 64, 16
LABEL = {UnitKind.BUKYOKU: "部局", UnitKind.SHOZOKU: "所属", UnitKind.KAKARI: "係"}
ALL_KINDS = set(UnitKind)


@dataclass(frozen=True)
class OrgImportResult:
    created: int
    updated: int
    staff_moved: int  # people whose 所属 moved to another 部局


@dataclass(frozen=True)
class _Row:
    number: int
    unit: OrgUnit  # parent not yet resolved
    parent: str  # as written


def parse(text: str) -> list[OrgUnit]:
    table = csv_input.read(text, HEADER_ALIASES, REQUIRED)
    problems = list(table.problems)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        found = _check_cells(cells)
        unit_id = cells["unit_id"].lower()
        if unit_id in seen:
            found.append(f"column unit_id: {unit_id} is already on row {seen[unit_id]}")
        seen.setdefault(unit_id, number)
        problems.extend((number, p) for p in found)
        if not found:
            rows.append(_Row(number, _draft(cells), cells.get("parent", "")))
    before = Tree.of(org.list_units())
    named = Tree.of(list({**before.units, **{r.unit.unit_id: r.unit for r in rows}}.values()))
    units = []
    for row in rows:
        parent_id, problem = _parent(row, named)
        if problem:
            problems.append((row.number, problem))
        units.append(replace(row.unit, parent_id=parent_id))
    after = Tree.of(list({**before.units, **{u.unit_id: u for u in units}}.values()))
    numbers = {r.unit.unit_id: r.number for r in rows}
    problems.extend(_loops(units, after, numbers))
    problems.extend(_orphaned_children(before, after, numbers))
    csv_input.reject_if_any(problems)
    return units


def _check_cells(cells: dict[str, str]) -> list[str]:
    problems = []
    if not UNIT_ID.match(cells["unit_id"].lower()):
        problems.append("column unit_id: use 1-64 letters, digits, '.', '_' or '-'")
    if not cells["name"] or len(cells["name"]) > NAME_MAX:
        problems.append(f"column name: enter a name of at most {NAME_MAX} characters")
    if len(cells.get("name_en", "")) > 2 * NAME_MAX:
        problems.append(f"column name_en: at most {2 * NAME_MAX} characters")
    if csv_input.alias(cells["kind"]) not in KIND_ALIASES:
        problems.append(f"column kind: '{cells['kind']}' is not one of 部局, 所属, 係")
    if len(cells.get("short_name", "")) > SHORT_NAME_MAX:
        problems.append(f"column short_name: at most {SHORT_NAME_MAX} characters")
    if not re.fullmatch(r"(-?\d{1,9})?", cells.get("sort_order", "")):
        problems.append(f"column sort_order: '{cells['sort_order']}' is not a whole number")
    return problems


def _draft(cells: dict[str, str]) -> OrgUnit:
    return OrgUnit(
        cells["unit_id"].lower(),
        cells["name"],
        cells.get("name_en", ""),
        KIND_ALIASES[csv_input.alias(cells["kind"])],
        None,
        cells.get("short_name", ""),
        int(cells.get("sort_order") or 0),
    )


def _parent(row: _Row, named: Tree) -> tuple[str | None, str | None]:
    """(the parent's id, or a problem with the parent column)."""
    kind, wanted = row.unit.kind, row.unit.kind.parent_kind
    if wanted is None:
        return None, ("column parent: a 部局 has no parent" if row.parent else None)
    if not row.parent:
        return None, f"column parent: a {LABEL[kind]} needs its {LABEL[wanted]}"
    candidates = named.named(row.parent, ALL_KINDS)
    if len(candidates) > 1:
        candidates = [c for c in candidates if c.kind is wanted] or candidates
    if not candidates:
        return None, f"column parent: no unit '{row.parent}'"
    if len(candidates) > 1:
        ids = ", ".join(sorted(c.unit_id for c in candidates))
        return None, f"column parent: '{row.parent}' names more than one unit ({ids}): give its id"
    parent = candidates[0]
    if parent.kind is not wanted:
        return parent.unit_id, (
            f"column parent: a {LABEL[kind]} sits under a {LABEL[wanted]}; '{row.parent}' is a {LABEL[parent.kind]}"
        )
    return parent.unit_id, None


def _loops(units: list[OrgUnit], after: Tree, numbers: dict[str, int]) -> list[tuple[int, str]]:
    """Each unit of the file whose parents lead back to it (however long the way round)."""
    problems = []
    for unit in units:
        way = [unit.unit_id]
        current = after.units.get(unit.parent_id or "")
        while current is not None and current.unit_id not in way and len(way) <= len(after.units):
            way.append(current.unit_id)
            current = after.units.get(current.parent_id or "")
        if current is not None and current.unit_id == unit.unit_id:
            circle = " → ".join([*way, unit.unit_id])
            problems.append((numbers[unit.unit_id], f"column parent: the parents go round in a circle: {circle}"))
    return problems


def _orphaned_children(before: Tree, after: Tree, numbers: dict[str, int]) -> list[tuple[int, str]]:
    """A unit already in the directory, not in the file, whose parent the file turns into a kind
    it cannot sit under."""
    problems = []
    for child in before.units.values():
        parent = after.units.get(child.parent_id or "")
        if child.unit_id in numbers or parent is None or parent.unit_id not in numbers:
            continue
        wanted = child.kind.parent_kind
        if wanted is not None and parent.kind is not wanted:
            problems.append(
                (
                    numbers[parent.unit_id],
                    f"column kind: {child.unit_id} ({LABEL[child.kind]}) is under it in the directory "
                    f"and needs a {LABEL[wanted]} above it",
                )
            )
    return problems


def import_units(units: list[OrgUnit]) -> OrgImportResult:
    """Write checked units; the people of a 所属 that moved to another 部局 follow it."""
    before = Tree.of(org.list_units())
    after = Tree.of(list({**before.units, **{u.unit_id: u for u in units}}.values()))
    moved = {
        unit_id
        for unit_id in before.units
        if unit_id in after.units and before.path(unit_id)[0] != after.path(unit_id)[0]
    }
    people = {p.staff_id: p for unit_id in moved for p in unit_people.staff_in_unit(unit_id) if p.main.unit_id in moved}
    org.save_units(units)
    staff.save_staff_many(staff.placed(person, person.main, person.concurrent) for person in people.values())
    created = sum(u.unit_id not in before.units for u in units)
    return OrgImportResult(created, len(units) - created, len(people))


def import_file(path: Path) -> OrgImportResult:
    return import_units(parse(csv_input.decode(Path(path).read_bytes())))
