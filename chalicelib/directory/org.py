"""The organisation tree: 部局 → 所属 → 係, read from the `departments` table.

A unit's place is its `kind` and its `parent_id`; a record without them (written before the
tree) is a 部局. Every request needs the path of its principal's units, so the whole tree
(a few hundred small items) is read with one Scan and kept per process for TREE_SECONDS, as
the session's staff record is: a reorganisation reaches a warm container within that time. A
unit the cached tree does not know makes it read again at once (at most every
MISS_RELOAD_SECONDS), so a unit imported a moment ago is found by the next request.
Walks up the tree are loops with a depth bound, never recursion: a broken tree costs a few
steps, never a hang.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.core.config import Settings, settings
from chalicelib.core.errors import NotFound
from chalicelib.core.observability import logger
from chalicelib.core.storage import get_or_none
from chalicelib.directory import storage
from chalicelib.directory.storage import DepartmentRecord

TREE_SECONDS = 30
MISS_RELOAD_SECONDS = 1.0
# 部局/所属/係 is three levels; a walk that goes further than this is a broken tree.
MAX_DEPTH = 8
SHORT_NAME_SUFFIXES = ("部", "課", "室")


class UnitKind(StrEnum):
    BUKYOKU = "bukyoku"  # 部局
    SHOZOKU = "shozoku"  # 所属: 課・室・出先機関
    KAKARI = "kakari"  # 係・班

    @property
    def parent_kind(self) -> UnitKind | None:
        """What a unit of this kind must sit under."""
        return {"bukyoku": None, "shozoku": UnitKind.BUKYOKU, "kakari": UnitKind.SHOZOKU}[self.value]


KIND_ALIASES = {
    "bukyoku": UnitKind.BUKYOKU,
    "部局": UnitKind.BUKYOKU,
    "shozoku": UnitKind.SHOZOKU,
    "所属": UnitKind.SHOZOKU,
    "kakari": UnitKind.KAKARI,
    "係": UnitKind.KAKARI,
    "班": UnitKind.KAKARI,
    "係・班": UnitKind.KAKARI,
}


def default_short_name(name_ja: str) -> str:
    """The prefix of a 照会番号: the name without its last 部, 課 or 室 (総務部, 総務課 → 総務)."""
    name = name_ja.strip()
    return name[:-1] if len(name) > 1 and name.endswith(SHORT_NAME_SUFFIXES) else name


@dataclass(frozen=True)
class OrgUnit:
    unit_id: str
    name_ja: str
    name_en: str
    kind: UnitKind = UnitKind.BUKYOKU
    parent_id: str | None = None
    short_name: str = ""  # empty: default_short_name(name_ja)
    sort_order: int = 0

    def __post_init__(self) -> None:
        if not self.short_name:
            object.__setattr__(self, "short_name", default_short_name(self.name_ja))

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_ja


@dataclass(frozen=True)
class Tree:
    """Every unit, and each unit's children in display order."""

    units: dict[str, OrgUnit]
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, units: list[OrgUnit]) -> Tree:
        ordered = sorted(units, key=lambda u: (u.sort_order, u.unit_id))
        children: dict[str, list[str]] = {}
        for unit in ordered:
            if unit.parent_id is not None:
                children.setdefault(unit.parent_id, []).append(unit.unit_id)
        return cls({u.unit_id: u for u in ordered}, {k: tuple(v) for k, v in children.items()})

    def path(self, unit_id: str) -> tuple[str, ...]:
        """The unit ids from the 部局 down to this one. A parent that is missing or met again
        (a loop) ends the walk there."""
        chain = [unit_id]
        current = self.units.get(unit_id)
        while current is not None and current.parent_id is not None and len(chain) < MAX_DEPTH:
            if current.parent_id in chain:
                logger.warning("org tree loops", extra={"unit_id": unit_id, "path": chain})
                break
            chain.append(current.parent_id)
            current = self.units.get(current.parent_id)
        return tuple(reversed(chain))

    def kids(self, unit_id: str) -> list[OrgUnit]:
        return [self.units[c] for c in self.children.get(unit_id, ())]

    def named(self, text: str, kinds: set[UnitKind], within: str | None = None) -> list[OrgUnit]:
        """The units of these kinds a CSV cell may mean: the one with that id, else every one with
        that name (Japanese, or English in any case); only those under `within` when given."""

        def fits(unit: OrgUnit) -> bool:
            return unit.kind in kinds and (within is None or within in self.path(unit.unit_id))

        text = text.strip()
        if not text:
            return []
        by_id = self.units.get(text.lower())
        if by_id is not None and fits(by_id):
            return [by_id]
        folded = text.casefold()
        return [u for u in self.units.values() if fits(u) and (u.name_ja == text or u.name_en.casefold() == folded)]

    def roots(self) -> list[OrgUnit]:
        """The 部局, in display order."""
        return [u for u in self.units.values() if u.kind is UnitKind.BUKYOKU]


def _unit(record: DepartmentRecord) -> OrgUnit:
    kind = UnitKind(record.kind) if record.kind in UnitKind._value2member_map_ else UnitKind.BUKYOKU
    return OrgUnit(
        record.department_id,
        record.name_ja,
        record.name_en,
        kind,
        record.parent_id if kind is not UnitKind.BUKYOKU else None,
        record.short_name or "",
        int(record.sort_order or 0),
    )


_cache: tuple[Settings, float, Tree] | None = None


def reset() -> None:
    """Forget the cached tree (tests, and after this process changes it)."""
    global _cache
    _cache = None


def _read_tree() -> Tree:
    global _cache
    storage.bind()
    tree = Tree.of([_unit(r) for r in DepartmentRecord.scan()])
    _cache = (settings(), time.monotonic(), tree)
    return tree


def tree() -> Tree:
    """The whole tree, read again when the cached one is older than TREE_SECONDS."""
    hit = _cache
    if hit is not None and hit[0] is settings() and time.monotonic() - hit[1] < TREE_SECONDS:
        return hit[2]
    return _read_tree()


def _known(unit_id: str) -> tuple[Tree, OrgUnit | None]:
    """The tree and the unit; a unit the cached tree lacks makes it read again (bounded)."""
    current = tree()
    unit = current.units.get(unit_id)
    if unit is None and _cache is not None and time.monotonic() - _cache[1] >= MISS_RELOAD_SECONDS:
        current = _read_tree()
        unit = current.units.get(unit_id)
    return current, unit


# --- reading -------------------------------------------------------------------------------


def list_units() -> list[OrgUnit]:
    """Every unit, 部局 first then each level, in display order (read afresh)."""
    units = list(_read_tree().units.values())
    depth = {UnitKind.BUKYOKU: 0, UnitKind.SHOZOKU: 1, UnitKind.KAKARI: 2}
    return sorted(units, key=lambda u: (depth[u.kind], u.sort_order, u.unit_id))


def read_unit(unit_id: str) -> OrgUnit | None:
    """The unit as stored now (one GetItem), or None."""
    storage.bind()
    record = get_or_none(DepartmentRecord, unit_id)
    return _unit(record) if record is not None else None


def get_unit(unit_id: str) -> OrgUnit:
    unit = read_unit(unit_id)
    if unit is None:
        raise NotFound("There is no unit {unit_id}.", unit_id=unit_id)
    return unit


def find_unit(unit_id: str) -> OrgUnit | None:
    """The unit from the (cached) tree, or None."""
    return _known(unit_id)[1]


def unit_path(unit_id: str) -> tuple[str, ...]:
    """The ids from the 部局 down to this unit: (部局,), (部局, 所属) or (部局, 所属, 係)."""
    current, unit = _known(unit_id)
    if unit is None:
        raise NotFound("There is no unit {unit_id}.", unit_id=unit_id)
    return current.path(unit_id)


def department_of(unit_id: str) -> str:
    """The 部局 a unit is in (the unit itself for a 部局, its id when it is unknown)."""
    current, unit = _known(unit_id)
    return current.path(unit_id)[0] if unit is not None else unit_id


def children(unit_id: str) -> list[OrgUnit]:
    """The units directly under this one, in display order."""
    return _known(unit_id)[0].kids(unit_id)


def units_under(unit_id: str) -> list[OrgUnit]:
    """The units a unit stands for when work is addressed to it: a 部局 expands to its 所属 (or
    is itself when it has none: its staff then sit in it directly); a 所属 or 係 is itself."""
    current, unit = _known(unit_id)
    if unit is None:
        raise NotFound("There is no unit {unit_id}.", unit_id=unit_id)
    if unit.kind is UnitKind.BUKYOKU:
        shozoku = [u for u in current.kids(unit_id) if u.kind is UnitKind.SHOZOKU]
        return shozoku or [unit]
    return [unit]


def unit_name(unit_id: str, language: str) -> str:
    """The unit's name in this language; its id when it is not (or no longer) in the directory."""
    unit = find_unit(unit_id)
    return unit.name(language) if unit is not None else unit_id


def full_name(unit_id: str, language: str) -> str:
    """The names along the unit's path (総務部 財政課), as a person reads where someone works."""
    current, unit = _known(unit_id)
    if unit is None:
        return unit_id
    separator = ", " if language == "en" else " "
    return separator.join(unit_name(u, language) for u in current.path(unit_id))


# --- writing -------------------------------------------------------------------------------


def _record(unit: OrgUnit) -> DepartmentRecord:
    return DepartmentRecord(
        unit.unit_id,
        name_ja=unit.name_ja,
        name_en=unit.name_en,
        sort_order=unit.sort_order,
        kind=unit.kind.value,
        parent_id=unit.parent_id,
        short_name=None if unit.short_name == default_short_name(unit.name_ja) else unit.short_name,
    )


def save_unit(unit: OrgUnit) -> None:
    """Create or replace one unit (the import checks the tree; this writes what it is given)."""
    storage.bind()
    _record(unit).save()
    reset()


def save_units(units: list[OrgUnit]) -> None:
    """Write many units in batches (an org import, checked whole beforehand)."""
    storage.bind()
    with DepartmentRecord.batch_write() as batch:
        for unit in units:
            batch.save(_record(unit))
    reset()
