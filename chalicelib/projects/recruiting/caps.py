"""The caps on a person's committed time share, and the lock on 実績: set by a system administrator.

A person's cap is their main 所属's own when one is set, else the prefecture's default (20 %
until an administrator says otherwise). The lock says 実績 up to and including a month are
final (人事 has taken them); members edit a month until it is locked or two months have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.core.auth import Principal, Role, require_role
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.projects.recruiting import storage
from chalicelib.projects.recruiting.model import now, parse_month
from chalicelib.projects.recruiting.storage import SettingRecord

DEFAULT_CAP = 20
DEFAULT_KEY = "cap#default"
UNIT_PREFIX = "cap#unit#"
LOCK_KEY = "lock"
UNIT_CAPS_MAX = 500


def unit_key(unit_id: str) -> str:
    return f"{UNIT_PREFIX}{unit_id}"


@dataclass(frozen=True)
class UnitCap:
    unit_id: str
    cap_percent: int
    updated_by_name: str
    updated_at: datetime


@dataclass(frozen=True)
class CapSettings:
    default_percent: int
    default_updated_by_name: str  # empty: never set (the built-in default)
    units: tuple[UnitCap, ...]
    locked_through: str | None  # YYYY-MM


def _percent(value: int, field: str = "cap_percent") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise BadRequest("{field} must be a whole number from 0 to 100.", field=field)
    return value


def cap_for(unit_id: str) -> int:
    """The cap of a person whose main 所属 is this unit."""
    storage.bind()
    own = get_or_none(SettingRecord, unit_key(unit_id), consistent_read=True) if unit_id else None
    if own is not None and own.cap_percent is not None:
        return int(own.cap_percent)
    default = get_or_none(SettingRecord, DEFAULT_KEY, consistent_read=True)
    return int(default.cap_percent) if default is not None and default.cap_percent is not None else DEFAULT_CAP


def locked_through() -> str | None:
    storage.bind()
    lock = get_or_none(SettingRecord, LOCK_KEY, consistent_read=True)
    return lock.month if lock is not None else None


def read(p: Principal) -> CapSettings:
    require_role(p, Role.SYSTEM_ADMIN)
    return current()


def current() -> CapSettings:
    storage.bind()
    default, lock, units = None, None, []
    for record in SettingRecord.scan(consistent_read=True):
        if record.setting_key == DEFAULT_KEY:
            default = record
        elif record.setting_key == LOCK_KEY:
            lock = record
        elif record.setting_key.startswith(UNIT_PREFIX) and record.cap_percent is not None:
            units.append(
                UnitCap(record.unit_id or "", int(record.cap_percent), record.updated_by_name, record.updated_at)
            )
    return CapSettings(
        default_percent=int(default.cap_percent) if default and default.cap_percent is not None else DEFAULT_CAP,
        default_updated_by_name=default.updated_by_name if default else "",
        units=tuple(sorted(units, key=lambda u: u.unit_id)),
        locked_through=lock.month if lock else None,
    )


def _save(
    p: Principal, key: str, *, cap_percent: int | None = None, unit_id: str | None = None, month: str | None = None
) -> None:
    storage.bind()
    SettingRecord(
        key,
        cap_percent=cap_percent,
        unit_id=unit_id,
        month=month,
        updated_by=p.staff_id,
        updated_by_name=p.display_name,
        updated_at=now(),
    ).save()


def set_default(p: Principal, percent: int) -> CapSettings:
    require_role(p, Role.SYSTEM_ADMIN)
    _save(p, DEFAULT_KEY, cap_percent=_percent(percent))
    return current()


def set_unit(p: Principal, unit_id: str, percent: int) -> CapSettings:
    """A 所属's own cap (a 部局 too, for staff placed directly in it)."""
    from chalicelib.directory import service as directory
    from chalicelib.directory.service import UnitKind

    require_role(p, Role.SYSTEM_ADMIN)
    unit = directory.find_unit(unit_id)
    if unit is None or unit.kind is UnitKind.KAKARI:
        raise BadRequest("Choose a 所属 (a division, office or agency).", field="unit_id")
    cap = _percent(percent)
    if len(current().units) >= UNIT_CAPS_MAX and get_or_none(SettingRecord, unit_key(unit_id)) is None:
        raise BadRequest("At most {limit} units can have caps of their own.", field="unit_id", limit=UNIT_CAPS_MAX)
    _save(p, unit_key(unit_id), cap_percent=cap, unit_id=unit_id)
    return current()


def clear_unit(p: Principal, unit_id: str) -> CapSettings:
    require_role(p, Role.SYSTEM_ADMIN)
    storage.bind()
    record = get_or_none(SettingRecord, unit_key(unit_id))
    if record is None:
        raise NotFound("{unit_id} has no cap of its own.", unit_id=unit_id)
    record.delete()
    return current()


def set_lock(p: Principal, month: str | None) -> CapSettings:
    """実績 up to and including `month` can no longer be changed (None: nothing locked)."""
    require_role(p, Role.SYSTEM_ADMIN)
    storage.bind()
    if month:
        _save(p, LOCK_KEY, month=parse_month(month, "locked_through"))
    else:
        record = get_or_none(SettingRecord, LOCK_KEY)
        if record is not None:
            record.delete()
    return current()
