"""What the JSON API answers: 公募, applications, 実績 and caps shaped as schemas.py declares.

Names (units, 部局, projects) are resolved here once per answer; who may see what has already
been decided by the use-case modules that handed the objects over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.core.auth import Post, Principal
from chalicelib.core.i18n import gettext_for
from chalicelib.projects import membership
from chalicelib.projects.model import MemberRole
from chalicelib.projects.recruiting import actuals, applications, caps, consent, lookup, postings
from chalicelib.projects.recruiting.model import Application, ApplicationState, Recruitment, today
from chalicelib.projects.recruiting.postings import Listed
from chalicelib.projects.recruiting.schemas import (
    ActualRowOut,
    ApplicationOut,
    CapCheckOut,
    CapSettingsOut,
    CommitmentOut,
    RecruitmentOut,
    StaffTimeOut,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def owned_projects(p: Principal) -> set[str]:
    return {m.project_id for m in membership.memberships_of(p.staff_id) if m.role is MemberRole.OWNER}


def runs(p: Principal, r: Recruitment, owned: set[str]) -> bool:
    """access.manages without reading the project again: an owner, or the 所属長 of its 所属."""
    return r.project_id in owned or p.post_in(r.project_unit_id) is Post.HEAD


def recruitment_json(item: Listed, *, manages: bool, mine: Application | None, language: str) -> RecruitmentOut:
    from chalicelib.directory import service as directory

    r = item.recruitment
    return {
        "id": r.recruitment_id,
        "project_id": r.project_id,
        "project_name": item.project_name,
        "project_description": item.project_description,
        "project_unit_name": directory.unit_name(r.project_unit_id, language),
        "project_department_id": r.project_department_id,
        "project_department_name": directory.unit_name(r.project_department_id, language),
        "title": r.title,
        "needs": r.needs,
        "tags": list(r.tags),
        "share_percent": r.share_percent,
        "period_start": r.period_start.isoformat(),
        "period_end": r.period_end.isoformat(),
        "positions": r.positions,
        "filled": r.filled,
        "deadline": r.deadline.isoformat(),
        "state": r.state.value,
        "takes_applications": r.takes_applications(today()),
        "created_by_name": r.created_by_name,
        "created_at": r.created_at,
        "manages": manages,
        "my_application_id": mine.application_id if mine else None,
        "my_application_state": mine.state.value if mine else None,
    }


def recruitments_json(p: Principal, items: Iterable[Listed], language: str) -> list[RecruitmentOut]:
    owned = owned_projects(p)
    mine = {a.recruitment_id: a for a in applications.mine(p)}
    return [
        recruitment_json(
            item,
            manages=runs(p, item.recruitment, owned),
            mine=mine.get(item.recruitment.recruitment_id),
            language=language,
        )
        for item in items
    ]


def application_json(
    a: Application,
    *,
    title: str,
    project_name: str,
    roles: tuple[bool, bool, bool],
    language: str,
    cap: consent.CapCheck | None = None,
) -> ApplicationOut:
    from chalicelib.directory import service as directory

    applicant, owner, head = roles
    cap_out: CapCheckOut | None = (
        {
            "committed_percent": cap.committed_percent,
            "cap_percent": cap.cap_percent,
            "total_percent": cap.total_percent,
            "over": cap.over,
        }
        if cap is not None
        else None
    )
    return {
        "id": a.application_id,
        "recruitment_id": a.recruitment_id,
        "recruitment_title": title,
        "project_id": a.project_id,
        "project_name": project_name,
        "applicant_id": a.applicant_id,
        "applicant_name": a.applicant_name,
        "applicant_unit_name": directory.unit_name(a.applicant_unit_id, language),
        "message": a.message,
        "state": a.state.value,
        "applied_at": a.applied_at,
        "share_percent": a.share_percent,
        "decided_by_name": a.decided_by_name,
        "decided_at": _iso(a.decided_at),
        "owner_comment": a.owner_comment,
        "requested_at": a.requested_at,
        "over_cap": a.over_cap,
        "consent_by_name": a.consent_by_name,
        "consent_at": _iso(a.consent_at),
        "consent_comment": a.consent_comment,
        "override_reason": a.override_reason,
        "as_applicant": applicant,
        "as_owner": owner,
        "as_head": head,
        "cap": cap_out,
    }


def standing_json(found: applications.Standing, language: str) -> ApplicationOut:
    a = found.application
    recruitment = postings.load(a.recruitment_id)
    project = lookup.project(a.project_id)
    pending = a.state is ApplicationState.CONSENT_REQUESTED
    return application_json(
        a,
        title=recruitment.title,
        project_name=project.name if project else "",
        roles=(found.applicant, found.owner, found.head),
        language=language,
        cap=consent.cap_check(a) if found.head and pending else None,
    )


def listed_applications(
    p: Principal, items: list[Application], language: str, *, as_head: bool = False
) -> list[ApplicationOut]:
    """A list of applications the caller may see, shaped with one read of each 公募 and project."""
    titles = {rid: postings.load(rid).title for rid in {a.recruitment_id for a in items}}
    projects = lookup.projects(a.project_id for a in items)
    owned = owned_projects(p)
    return [
        application_json(
            a,
            title=titles[a.recruitment_id],
            project_name=projects[a.project_id].name if a.project_id in projects else "",
            roles=(a.applicant_id == p.staff_id, a.project_id in owned, as_head),
            language=language,
            cap=consent.cap_check(a) if as_head else None,
        )
        for a in items
    ]


def row_json(row: actuals.Row, language: str) -> ActualRowOut:
    c = row.commitment
    why = row.closed_because
    return {
        "project_id": c.project_id,
        "project_name": c.project_name,
        "plan_percent": c.share_percent,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "actual_percent": row.recorded.actual_percent if row.recorded else None,
        "actual_hours": row.recorded.actual_hours if row.recorded else None,
        "recorded_at": _iso(row.recorded.recorded_at) if row.recorded else None,
        "editable": row.editable,
        "closed_because": gettext_for(language)(why) if why else None,
    }


def staff_json(line: actuals.StaffLine, language: str) -> StaffTimeOut:
    from chalicelib.directory import service as directory

    return {
        "staff_id": line.staff_id,
        "display_name": line.display_name,
        "unit_name": directory.unit_name(line.unit_id, language),
        "committed_percent": line.committed_percent,
        "cap_percent": line.cap_percent,
        "commitments": [_commitment_json(c) for c in line.lines],
    }


def _commitment_json(line: actuals.CommitmentLine) -> CommitmentOut:
    c = line.commitment
    return {
        "project_id": c.project_id,
        "project_name": c.project_name,
        "share_percent": c.share_percent,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "counting": line.counting,
        "over_cap": c.over_cap,
        "override_reason": c.override_reason,
        "consented_by_name": c.consented_by_name,
        "consented_at": c.consented_at,
        "actuals": [
            {
                "month": month,
                "actual_percent": got.actual_percent if got else None,
                "actual_hours": got.actual_hours if got else None,
            }
            for month, got in line.actuals
        ],
    }


def caps_json(found: caps.CapSettings, language: str) -> CapSettingsOut:
    from chalicelib.directory import service as directory

    return {
        "default_percent": found.default_percent,
        "units": [
            {
                "unit_id": u.unit_id,
                "unit_name": directory.unit_name(u.unit_id, language),
                "cap_percent": u.cap_percent,
                "updated_by_name": u.updated_by_name,
                "updated_at": u.updated_at.isoformat(),
            }
            for u in found.units
        ],
        "locked_through": found.locked_through,
    }
