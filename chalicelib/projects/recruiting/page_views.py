"""View models of the recruiting pages: what each page shows, computed from what the use-case
modules hand out (who may see what is theirs to decide); the templates only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import NotFound
from chalicelib.projects import access, projects
from chalicelib.projects.model import Project
from chalicelib.projects.recruiting import actuals, applications, caps, consent, lookup, postings, reports, shapes
from chalicelib.projects.recruiting.export import by_unit, cp932_problems
from chalicelib.projects.recruiting.model import Application, ApplicationState, add_months, month_of, today

SHARE_CHOICES = (5, 10, 15, 20, 30, 50)


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    recruitment_title: str
    project_name: str
    unit_name: str
    cap: consent.CapCheck | None = None


def unit_name(unit_id: str, language: str) -> str:
    from chalicelib.directory import service as directory

    return directory.unit_name(unit_id, language) if unit_id else ""


def rows(items: list[Application], language: str, *, with_cap: bool = False) -> list[ApplicationRow]:
    titles = {rid: postings.load(rid).title for rid in {a.recruitment_id for a in items}}
    names = lookup.projects(a.project_id for a in items)
    return [
        ApplicationRow(
            a,
            titles[a.recruitment_id],
            names[a.project_id].name if a.project_id in names else "",
            unit_name(a.applicant_unit_id, language),
            consent.cap_check(a) if with_cap else None,
        )
        for a in items
    ]


def manageable_projects(p: Principal) -> list[Project]:
    """The projects this person may post a 公募 for (that they see): not archived."""
    return [
        project
        for project, member in projects.visible_to(p)
        if not project.archived and access.manages(p, project, member)
    ]


def list_context(p: Principal, f: postings.ListFilter, language: str) -> dict[str, Any]:
    from chalicelib.directory import service as directory

    found = postings.open_ones(f)
    everything = postings.open_ones() if any((f.tag, f.share_max, f.department_id, f.text)) else found
    owned = shapes.owned_projects(p)
    mine = {a.recruitment_id: a for a in applications.mine(p)}
    return {
        "items": [
            {
                "listed": item,
                "manages": shapes.runs(p, item.recruitment, owned),
                "mine": mine.get(item.recruitment.recruitment_id),
                "unit_name": unit_name(item.recruitment.project_unit_id, language),
                "department_name": unit_name(item.recruitment.project_department_id, language),
            }
            for item in found
        ],
        "filter": f,
        "tags": sorted({t for item in everything for t in item.recruitment.tags}),
        "departments": [(d.department_id, d.name(language)) for d in directory.list_departments()],
        "share_choices": SHARE_CHOICES,
        "may_post": bool(owned) or bool(actuals.headed_units(p)),
    }


def recruitment_context(p: Principal, recruitment_id: str, language: str) -> dict[str, Any]:
    listed = postings.get(p, recruitment_id)
    r = listed.recruitment
    mine = next((a for a in applications.mine(p) if a.recruitment_id == recruitment_id), None)
    owner = r.project_id in shapes.owned_projects(p)
    found = applications.of_recruitment(p, recruitment_id) if owner else []
    member = _member(p, r.project_id)
    return {
        "listed": listed,
        "recruitment": r,
        "unit_name": unit_name(r.project_unit_id, language),
        "department_name": unit_name(r.project_department_id, language),
        "manages": postings.manages(p, r),
        "owner": owner,
        "mine": mine,
        "may_apply": r.takes_applications(today())
        and (mine is None or mine.state is ApplicationState.WITHDRAWN)
        and not member,
        "member": member,
        "applications": rows(found, language),
    }


def _member(p: Principal, project_id: str) -> bool:
    try:
        return access.standing(p, project_id).member is not None
    except NotFound:
        return False


def mine_context(p: Principal, language: str) -> dict[str, Any]:
    return {
        "mine": rows(applications.mine(p), language),
        "to_review": rows(applications.to_review(p), language),
    }


def application_context(p: Principal, application_id: str, language: str) -> dict[str, Any]:
    found = applications.view(p, application_id)
    a = found.application
    listed = postings.listed(postings.load(a.recruitment_id))
    pending = a.state is ApplicationState.CONSENT_REQUESTED
    return {
        "standing": found,
        "application": a,
        "listed": listed,
        "recruitment": listed.recruitment,
        "applicant_unit_name": unit_name(a.applicant_unit_id, language),
        "requested_unit_name": unit_name(a.requested_unit_id or "", language),
        "cap": consent.cap_check(a) if found.head and pending else None,
        "may_consent": found.head and pending and not found.applicant,
    }


def consents_context(p: Principal, language: str) -> dict[str, Any]:
    units = actuals.headed_units(p)
    return {
        "heads": bool(units),
        "unit_names": [unit_name(u, language) for u in units],
        "pending": rows(consent.pending_for(p), language, with_cap=True) if units else [],
        "staff": actuals.staff_overview(p) if units else [],
    }


def actuals_context(p: Principal, month: str | None) -> dict[str, Any]:
    form = actuals.month_form(p, month)
    return {"form": form, "current_month": month_of(today())}


def admin_context(p: Principal, first: str, last: str, language: str) -> dict[str, Any]:
    from chalicelib.directory import service as directory
    from chalicelib.directory.service import UnitKind

    found = caps.read(p)
    current = month_of(today())
    first = first or add_months(current, -11)
    last = last or current
    lines = reports.lines(p, first, last, language)
    return {
        "caps": found,
        "unit_caps": [(u, unit_name(u.unit_id, language)) for u in found.units],
        "units": [
            (u.unit_id, directory.full_name(u.unit_id, language))
            for u in directory.list_units()
            if u.kind is UnitKind.SHOZOKU
        ],
        "first": first,
        "last": last,
        "summary": by_unit(lines),
        "line_count": len(lines),
        "cp932_problems": cp932_problems(lines),
    }
