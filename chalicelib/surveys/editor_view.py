"""What the survey editor page starts from: the draft (as the JSON the API takes), the org tree
to pick targets from, the 所属 the author may issue for, and the problems that stopped an issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.i18n import gettext_for
from chalicelib.directory import service as directory
from chalicelib.surveys import access, form_view
from chalicelib.surveys.form import form_json
from chalicelib.surveys.model import Survey, now
from chalicelib.surveys.numbers import JST

DEFAULT_DAYS = 14  # a new survey's deadline: two weeks out, 17:00, the usual 照会 term


@dataclass(frozen=True)
class TargetUnit:
    unit_id: str
    name: str


@dataclass(frozen=True)
class TargetGroup:
    """A 部局 and its 所属: checking the 部局 checks them all."""

    unit_id: str
    name: str
    units: tuple[TargetUnit, ...]


def target_tree(language: str) -> list[TargetGroup]:
    units = directory.list_units()
    groups = []
    for top in (u for u in units if u.kind == "bukyoku"):
        below = tuple(
            TargetUnit(u.unit_id, directory.unit_name(u.unit_id, language))
            for u in units
            if u.kind == "shozoku" and u.parent_id == top.unit_id
        )
        name = directory.unit_name(top.unit_id, language)
        # A 部局 without 所属 (staff placed in it directly) is an addressee itself.
        groups.append(TargetGroup(top.unit_id, name, below or (TargetUnit(top.unit_id, name),)))
    return groups


def problems_json(problems: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    """check_form's problems (English msgids and their params) in the reader's language."""
    translate = gettext_for(language)
    out = []
    for problem in problems:
        params = {k: v for k, v in problem.items() if k not in ("message", "question_id", "column_id")}
        try:
            message = translate(str(problem.get("message", ""))).format(**params)
        except (KeyError, IndexError, ValueError):
            message = translate(str(problem.get("message", "")))
        out.append({"question_id": str(problem.get("question_id") or ""), "message": message})
    return out


def issuing_units(me: Principal, language: str) -> list[TargetUnit]:
    """The 所属 the author belongs to (main first): a survey is issued in the name of one."""
    ids = dict.fromkeys(a.unit_id for a in me.assignments) or {me.unit_id: None}
    return [TargetUnit(u, directory.unit_name(u, language)) for u in ids]


def editor_context(
    me: Principal, survey_id: str | None, language: str, *, problems: list[dict[str, Any]]
) -> dict[str, Any]:
    survey = access.as_issuer(me, survey_id) if survey_id else None
    deadline = (
        survey.deadline
        if survey
        else (now() + timedelta(days=DEFAULT_DAYS)).replace(hour=8, minute=0, second=0, microsecond=0)
    ).astimezone(JST)
    if survey is None:
        deadline = deadline.replace(hour=17)
    editor = {
        "id": survey.survey_id if survey else None,
        "revision": survey.revision if survey else None,
        "form": form_json(survey.form) if survey else {"questions": []},
        "problems": problems_json(problems, language),
    }
    return {
        "survey": survey,
        "editor": editor,
        "deadline_date": deadline.strftime("%Y-%m-%d"),
        "deadline_time": deadline.strftime("%H:%M"),
        "targets": set(survey.targets) if survey else set(),
        "external_targets": survey.external_targets if survey else (),
        "tree": target_tree(language),
        "issuing_units": issuing_units(me, language) if survey is None else [],
    }


def preview_context(survey: Survey, language: str) -> dict[str, Any]:
    return {"survey": survey, "fields": form_view.fields(survey.form, {}, gettext_for(language))}
