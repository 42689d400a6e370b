"""Who stands where towards a project: the one check every project use case starts with.

- Members (active, not left) see the project and change it: boards, lists, cards, comments.
- Who manages it: its owners (members with the owner role) and the 所属長 of the owning 所属.
  They change membership and settings; a 所属長 who is not a member sees the project but does
  not edit its cards.
- 庁内公開 (visibility "staff"): every staff member sees it, read only.
- Everyone else, partners included: the project does not exist for them (404, never 403, so
  ids reveal nothing). Partners never reach these functions: project routes are staff only.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Post, Principal
from chalicelib.core.errors import NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.projects import storage
from chalicelib.projects.model import Member, MemberRole, Project, Visibility, member_of, project_of
from chalicelib.projects.storage import MemberRecord, ProjectRecord


@dataclass(frozen=True)
class Standing:
    project: Project
    member: Member | None  # the principal's active membership
    manages: bool  # may change membership and settings

    @property
    def edits(self) -> bool:
        return self.member is not None


def missing(project_id: str) -> NotFound:
    return NotFound("There is no project {project_id}.", project_id=project_id)


def manages(p: Principal, project: Project, member: Member | None) -> bool:
    owner = member is not None and member.role is MemberRole.OWNER
    return owner or p.post_in(project.owner_unit_id) is Post.HEAD


def standing(p: Principal, project_id: str) -> Standing:
    """The principal's standing towards the project; NotFound when they may not see it."""
    storage.bind()
    record = get_or_none(ProjectRecord, project_id)
    if record is None:
        raise missing(project_id)
    project = project_of(record)
    found = get_or_none(MemberRecord, project_id, p.staff_id)
    member = member_of(found) if found is not None and found.left_at is None else None
    manager = manages(p, project, member)
    if member is None and not manager and project.visibility is not Visibility.STAFF:
        raise missing(project_id)
    return Standing(project, member, manager)


def as_member(p: Principal, project_id: str) -> Standing:
    """For a change to the project's work: its members only (others who see it: 404 on a
    members-only project, 403 on a 庁内公開 one, where they may look but not touch)."""
    from chalicelib.core.errors import Forbidden

    found = standing(p, project_id)
    if not found.edits:
        raise Forbidden("Only members of this project can change it.")
    return found


def as_manager(p: Principal, project_id: str) -> Standing:
    from chalicelib.core.errors import Forbidden

    found = standing(p, project_id)
    if not found.manages:
        raise Forbidden("Only the project's owners and the head of its unit can do this.")
    return found
