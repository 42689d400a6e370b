"""Use cases of the directory: departments, staff, department notices."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, Role, require_department_admin, require_signed_in
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.storage import get_or_none, save_if_absent, update_if
from chalicelib.directory import storage
from chalicelib.directory.storage import DepartmentRecord, NoticeRecord, StaffRecord

NOTICE_TITLE_MAX = 120
NOTICE_BODY_MAX = 4000


@dataclass(frozen=True)
class Department:
    department_id: str
    name_ja: str
    name_en: str
    sort_order: int = 0

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ja


@dataclass(frozen=True)
class Staff:
    staff_id: str
    display_name: str
    email: str
    department_id: str
    role: Role
    first_signed_in_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(self.staff_id, self.display_name, self.email, self.department_id, self.role)


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


def _department(record: DepartmentRecord) -> Department:
    return Department(record.department_id, record.name_ja, record.name_en, int(record.sort_order or 0))


def _staff(record: StaffRecord) -> Staff:
    return Staff(
        record.staff_id,
        record.display_name,
        record.email,
        record.department_id,
        Role(record.role),
        record.first_signed_in_at,
    )


# --- departments -------------------------------------------------------------------------


def list_departments() -> list[Department]:
    storage.bind()
    return sorted((_department(r) for r in DepartmentRecord.scan()), key=lambda d: (d.sort_order, d.department_id))


def get_department(department_id: str) -> Department:
    storage.bind()
    record = get_or_none(DepartmentRecord, department_id)
    if record is None:
        raise NotFound("There is no department {department_id}.", department_id=department_id)
    return _department(record)


def department_name(department_id: str, language: str) -> str:
    """The department's name in this language; its id when it is not (or no longer) in the directory."""
    try:
        return get_department(department_id).name(language)
    except NotFound:
        return department_id


def save_department(department: Department) -> None:
    storage.bind()
    DepartmentRecord(
        department.department_id,
        name_ja=department.name_ja,
        name_en=department.name_en,
        sort_order=department.sort_order,
    ).save()


# --- staff -------------------------------------------------------------------------------


def find_staff(staff_id: str) -> Staff | None:
    storage.bind()
    record = get_or_none(StaffRecord, staff_id)
    return _staff(record) if record else None


def display_names(staff_ids: list[str]) -> dict[str, str]:
    """Each staff id's display name, looked up once; an id no longer in the directory stands for itself."""
    names: dict[str, str] = {}
    for staff_id in dict.fromkeys(staff_ids):
        person = find_staff(staff_id)
        names[staff_id] = person.display_name if person else staff_id
    return names


def staff_in_department(department_id: str) -> list[Staff]:
    storage.bind()
    return [_staff(r) for r in StaffRecord.by_department.query(department_id)]


def save_staff(staff: Staff) -> Staff | None:
    """Create or update a staff record; returns the previous version (None if new)."""
    storage.bind()
    existing = get_or_none(StaffRecord, staff.staff_id)
    now = _now()
    StaffRecord(
        staff.staff_id,
        display_name=staff.display_name,
        email=staff.email,
        department_id=staff.department_id,
        role=staff.role.value,
        created_at=existing.created_at if existing else now,
        updated_at=now,
        first_signed_in_at=existing.first_signed_in_at if existing else None,
    ).save()
    return _staff(existing) if existing else None


def restore_staff(staff_id: str, previous: Staff | None) -> None:
    """Undo a save_staff (used when the matching Cognito change fails)."""
    storage.bind()
    if previous is None:
        StaffRecord(staff_id).delete()
    else:
        save_staff(previous)


def mark_first_sign_in(staff_id: str) -> bool:
    """Record the first sign-in; True only for the call that recorded it (race-safe)."""
    storage.bind()
    return update_if(
        StaffRecord(staff_id),
        [StaffRecord.first_signed_in_at.set(_now())],
        StaffRecord.staff_id.exists() & StaffRecord.first_signed_in_at.does_not_exist(),
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
