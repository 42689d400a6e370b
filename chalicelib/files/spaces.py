"""Spaces (a department's, a person's own): their quotas, and which spaces a person works in."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Forbidden
from chalicelib.core.storage import (
    get_or_none,
)
from chalicelib.files import policy
from chalicelib.files.storage import SpaceRecord, bind

DEPARTMENT_QUOTA = 100 * 1024**3
PERSONAL_QUOTA = 10 * 1024**3


@dataclass(frozen=True)
class Space:
    space_id: str
    quota_bytes: int
    used_bytes: int


def space(space_id: str) -> Space:
    bind()
    record = get_or_none(SpaceRecord, space_id)
    if record is None:
        quota = DEPARTMENT_QUOTA if policy.parse_space(space_id)[0] == "dept" else PERSONAL_QUOTA
        record = SpaceRecord(space_id, quota_bytes=quota, used_bytes=0)
        try:
            record.save(condition=SpaceRecord.space_id.does_not_exist())
        except Exception:  # created at the same moment by another request: read theirs
            record = SpaceRecord.get(space_id)
    return Space(record.space_id, int(record.quota_bytes), int(record.used_bytes or 0))


def set_quota(principal: Principal | None, space_id: str, quota_bytes: int) -> Space:
    p = require_signed_in(principal)
    if not p.is_system_admin:
        raise Forbidden("Only a system administrator can change quotas.")
    if not policy.is_space_id(space_id):
        raise BadRequest("{field} is not a valid value.", field="space_id")
    if quota_bytes < 0:
        raise BadRequest("A quota cannot be negative.", field="quota_bytes")
    space(space_id)
    SpaceRecord(space_id).update(actions=[SpaceRecord.quota_bytes.set(quota_bytes)])
    return space(space_id)


def spaces_for(principal: Principal | None) -> list[str]:
    """The 部局 and 所属 spaces of each of the person's places (main first, then 兼務), then their own."""
    p = require_signed_in(principal)
    units = [u for a in (p.assignments or (p.main,)) for u in (a.path[0], a.unit_id)]
    return [*(policy.department_space(u) for u in dict.fromkeys(units)), policy.personal_space(p.staff_id)]
