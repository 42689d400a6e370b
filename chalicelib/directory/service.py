"""Use cases of the directory: the org tree (部局 → 所属 → 係), staff and their places, notices.

The tree is directory/org.py, staff and their places directory/staff.py; what other slices
use of them is re-exported here, so they call one module. "Department" means a 部局 (the top
of the tree, what the directory held before it was a tree). Nothing that belongs to a unit
moves with a person: spaces, surveys and answers name the unit, and access follows places.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core.auth import Principal, require_department_admin, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import save_if_absent
from chalicelib.directory import org, placement, staff, staff_cache, storage, unit_people
from chalicelib.directory.storage import NoticeRecord

NOTICE_TITLE_MAX = 120
NOTICE_BODY_MAX = 4000

# The tree (directory/org.py).
OrgUnit = org.OrgUnit
UnitKind = org.UnitKind
list_units = org.list_units
get_unit = org.get_unit
find_unit = org.find_unit
unit_path = org.unit_path
department_of = org.department_of
children = org.children
units_under = org.units_under
unit_name = org.unit_name
full_name = org.full_name
save_unit = org.save_unit
save_units = org.save_units
# Staff and their places (directory/staff.py, directory/placement.py).
Staff = staff.Staff
Placement = placement.Placement
Transfer = placement.Transfer
find_staff = staff.find_staff
find_staff_many = staff.find_staff_many
display_names = staff.display_names
staff_in_department = unit_people.staff_in_department
staff_in_unit = unit_people.staff_in_unit
staff_in_units = unit_people.staff_in_units
heads_of = unit_people.heads_of
coordinators_of = unit_people.coordinators_of
coordinators_of_units = unit_people.coordinators_of_units
reads_cached = staff_cache.reads_cached
stamp_reads = staff_cache.stamp_reads  # the notifier checks the kept reads with its own reads
still_current = staff_cache.still_current
staff_changed = staff_cache.bump  # after staff were written behind the directory's back (a restore)
all_staff = staff.all_staff
save_staff = staff.save_staff
restore_staff = staff.restore_staff
mark_first_sign_in = staff.mark_first_sign_in
apply_due_transfers = staff.apply_due_transfers


@dataclass(frozen=True)
class Department:
    """A 部局: the top of the tree (what the directory had before it was a tree)."""

    department_id: str
    name_ja: str
    name_en: str
    sort_order: int = 0

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ja


@dataclass(frozen=True)
class Notice:
    department_id: str
    notice_id: str
    title: str
    body: str
    author_name: str
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _department(unit: org.OrgUnit) -> Department:
    return Department(unit.unit_id, unit.name_ja, unit.name_en, unit.sort_order)


# --- departments (the 部局) ----------------------------------------------------------------


def list_departments() -> list[Department]:
    return [_department(u) for u in org.list_units() if u.kind is org.UnitKind.BUKYOKU]


def get_department(department_id: str) -> Department:
    unit = org.read_unit(department_id)
    if unit is None or unit.kind is not org.UnitKind.BUKYOKU:
        raise NotFound("There is no department {department_id}.", department_id=department_id)
    return _department(unit)


def department_name(department_id: str, language: str) -> str:
    """The department's (or any unit's) name in this language; its id when it is not (or no
    longer) in the directory."""
    return org.unit_name(department_id, language)


def save_department(department: Department) -> None:
    org.save_unit(
        org.OrgUnit(department.department_id, department.name_ja, department.name_en, sort_order=department.sort_order)
    )


# --- notices -----------------------------------------------------------------------------


def post_notice(principal: Principal | None, department_id: str, title: str, body: str) -> Notice:
    """A department admin posts a notice; every member of the department is notified."""
    admin = require_department_admin(principal, department_id)
    get_department(department_id)
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise BadRequest("Enter a title.", field="title")
    if len(title) > NOTICE_TITLE_MAX:
        raise BadRequest("The title is too long (at most {limit} characters).", field="title", limit=NOTICE_TITLE_MAX)
    if len(body) > NOTICE_BODY_MAX:
        raise BadRequest("The text is too long (at most {limit} characters).", field="body", limit=NOTICE_BODY_MAX)
    now = _now()
    notice_id = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(4)}"
    record = NoticeRecord(
        department_id,
        notice_id,
        title=title,
        body=body,
        author_id=admin.staff_id,
        author_name=admin.display_name,
        created_at=now,
    )
    storage.bind()
    if not save_if_absent(record, NoticeRecord.notice_id):
        raise Conflict("Two notices were posted at the same moment. Post it again.")
    from chalicelib.core import event_catalogue, events  # here: most requests publish nothing (cold start)

    events.publish(
        [
            event_catalogue.DepartmentNoticePosted(
                department_id=department_id,
                notice_id=notice_id,
                title=title,
                author_id=admin.staff_id,
                author_name=admin.display_name,
            )
        ]
    )
    return Notice(department_id, notice_id, title, body, admin.display_name, now)


def list_notices(principal: Principal | None, department_id: str, limit: int = 20) -> list[Notice]:
    require_signed_in(principal)  # any signed-in staff member may read any department's notices
    storage.bind()
    return [
        Notice(r.department_id, r.notice_id, r.title, r.body, r.author_name, r.created_at)
        for r in NoticeRecord.query(department_id, scan_index_forward=False, limit=limit)
    ]
