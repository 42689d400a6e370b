"""Who belongs to a project: its managers add and remove members and owners, a member leaves,
and recruiting (recruiting/) admits a person after their 所属長's consent with a time share.
A member who leaves keeps their record (left_at), so the project's history stays whole."""

from __future__ import annotations

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.project_events import MemberJoined, ProjectChanged
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.projects import access, storage
from chalicelib.projects.model import Member, MemberRole, Project, member_of, now
from chalicelib.projects.storage import MemberRecord

MEMBERS_MAX = 500


def members(p: Principal, project_id: str, *, include_left: bool = False) -> list[Member]:
    """The members, owners first; everyone who may see the project may see who is in it."""
    return members_for(access.standing(p, project_id), include_left=include_left)


def members_for(found: access.Standing, *, include_left: bool = False) -> list[Member]:
    """The members, for a standing the caller resolved already (no second rights check)."""
    return _members(found.project.project_id, include_left=include_left)


def _members(project_id: str, *, include_left: bool = False) -> list[Member]:
    storage.bind()
    found = [member_of(r) for r in MemberRecord.query(project_id)]
    kept = [m for m in found if include_left or m.active]
    return sorted(kept, key=lambda m: (m.role is not MemberRole.OWNER, not m.active, m.display_name))


def active_member_ids(project_id: str) -> set[str]:
    return {m.staff_id for m in _members(project_id)}


def mute_reads(pairs: list[tuple[str, str]]) -> dict[type, list[tuple[str, str]]]:
    """What to read to know which (project id, staff id) pairs muted their project: the
    notifier reads them with its other reads of a batch (core/storage.batch_get_across)."""
    storage.bind()
    return {MemberRecord: list(dict.fromkeys(pairs))} if pairs else {}


def muted_among(found: dict[type, list[object]]) -> set[tuple[str, str]]:
    """The (project id, staff id) pairs of active members who muted, among what mute_reads read."""
    members = [member_of(r) for r in found.get(MemberRecord, []) if isinstance(r, MemberRecord)]
    return {(m.project_id, m.staff_id) for m in members if m.active and m.muted}


def owner_ids(project_id: str) -> list[str]:
    return [m.staff_id for m in _members(project_id) if m.role is MemberRole.OWNER]


def memberships_of(staff_id: str, *, include_left: bool = False) -> list[Member]:
    """Every project a person belongs to (their time shares, 自分のタスク, the 所属長's view)."""
    storage.bind()
    return [member_of(r) for r in MemberRecord.by_staff.query(staff_id) if include_left or r.left_at is None]


def _join(
    project: Project,
    staff_id: str,
    *,
    role: MemberRole,
    share_percent: int,
    period_end: str | None,
    via: str | None,
    added_by: Principal | None,
) -> Member:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    if person is None:
        raise BadRequest("There is no staff member {staff_id}.", field="staff_id", staff_id=staff_id)
    if len(_members(project.project_id)) >= MEMBERS_MAX:
        raise BadRequest("A project has at most {limit} members.", field="staff_id", limit=MEMBERS_MAX)
    storage.bind()
    existing = get_or_none(MemberRecord, project.project_id, staff_id)
    if existing is not None and existing.left_at is None:
        raise Conflict("{name} is already a member of this project.", name=person.display_name)
    record = MemberRecord(
        project.project_id,
        staff_id,
        display_name=person.display_name,
        unit_id=person.unit_id or person.department_id,
        role=role.value,
        share_percent=share_percent,
        period_end=period_end,
        via=via,
        joined_at=now(),
        muted=bool(existing.muted) if existing is not None else False,
    )
    record.save()
    events.publish(
        [
            MemberJoined(
                project_id=project.project_id,
                project_name=project.name,
                staff_id=staff_id,
                added_by=added_by.staff_id if added_by else "",
                added_by_name=added_by.display_name if added_by else "",
                share_percent=share_percent,
            ),
            ProjectChanged(project_id=project.project_id, change="members"),  # they find its cards now
        ]
    )
    return member_of(record)


def add_member(p: Principal, project_id: str, staff_id: str, role: str = MemberRole.MEMBER.value) -> Member:
    """A manager adds a person (no time share: that comes only through a 公募 and consent)."""
    found = access.as_manager(p, project_id)
    try:
        member_role = MemberRole(role)
    except ValueError:
        raise BadRequest("{field} is not a valid value.", field="role") from None
    return _join(found.project, staff_id, role=member_role, share_percent=0, period_end=None, via=None, added_by=p)


def admit(project: Project, staff_id: str, *, share_percent: int, period_end: str | None, via: str) -> Member:
    """Recruiting's last step, after the applicant's 所属長 consented: they join with the time
    share of the 公募. The caller (recruiting/) holds the rights checks."""
    return _join(
        project,
        staff_id,
        role=MemberRole.MEMBER,
        share_percent=share_percent,
        period_end=period_end,
        via=via,
        added_by=None,
    )


def _active(project_id: str, staff_id: str) -> MemberRecord:
    storage.bind()
    record = get_or_none(MemberRecord, project_id, staff_id)
    if record is None or record.left_at is not None:
        raise NotFound("{staff_id} is not a member of this project.", staff_id=staff_id)
    return record


def _keep_an_owner(project_id: str, staff_id: str) -> None:
    others = [o for o in owner_ids(project_id) if o != staff_id]
    if not others:
        raise BadRequest("A project needs an owner: make someone else an owner first.", field="staff_id")


def set_role(p: Principal, project_id: str, staff_id: str, role: str) -> Member:
    access.as_manager(p, project_id)
    try:
        member_role = MemberRole(role)
    except ValueError:
        raise BadRequest("{field} is not a valid value.", field="role") from None
    record = _active(project_id, staff_id)
    if member_role is MemberRole.MEMBER and record.role == MemberRole.OWNER.value:
        _keep_an_owner(project_id, staff_id)
    record.update(actions=[MemberRecord.role.set(member_role.value)])
    return member_of(record)


def remove(p: Principal, project_id: str, staff_id: str) -> Member:
    """A manager removes a member, or a member leaves. Their cards stay; history stays."""
    if staff_id == p.staff_id:
        access.standing(p, project_id)
    else:
        access.as_manager(p, project_id)
    record = _active(project_id, staff_id)
    if record.role == MemberRole.OWNER.value:
        _keep_an_owner(project_id, staff_id)
    if not update_if(record, [MemberRecord.left_at.set(now())], MemberRecord.left_at.does_not_exist()):
        raise Conflict("{staff_id} has already left this project.", staff_id=staff_id)
    events.publish([ProjectChanged(project_id=project_id, change="members")])  # they no longer find its cards
    return member_of(record)


def mute(p: Principal, project_id: str, muted: bool) -> Member:
    """A member stops (or resumes) notices from this project."""
    found = access.standing(p, project_id)
    if found.member is None:
        raise BadRequest("Only members of a project receive its notices.", field="muted")
    record = _active(project_id, p.staff_id)
    record.update(actions=[MemberRecord.muted.set(muted)])
    return member_of(record)
