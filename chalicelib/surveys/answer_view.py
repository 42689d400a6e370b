"""View models of a 所属's answer page and of a part's page: the form with its values, and the
buttons each role gets (what the use-case modules would allow; they check again on every action).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.i18n import gettext_for
from chalicelib.directory import service as directory
from chalicelib.files import views as file_views
from chalicelib.surveys import answer_files, answering, fanout, form_view
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.form import QuestionType
from chalicelib.surveys.model import Survey, now
from chalicelib.surveys.outside import is_external as outside_unit
from chalicelib.surveys.states import BOARD_LABELS, EDITABLE, AnswerState, SurveyState, board_state
from chalicelib.surveys.views import deadline_of

REACHED = frozenset({AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE})
PART_EDITABLE = frozenset({fanout.PartState.REQUESTED, fanout.PartState.DRAFT})


@dataclass(frozen=True)
class Choice:
    value: str  # "unit:<id>" / "staff:<id>" for forwarding, a staff id for approvers
    label: str


@dataclass(frozen=True)
class Roles:
    edit: bool  # fill in and submit
    not_applicable: bool
    forward: bool
    merge: bool
    approve: bool  # approve, or return as the approver
    issuer_return: bool
    allow_reopen: bool
    reopen: bool


def _roles(me: Principal, v: answering.AnswerView) -> Roles:
    s, a = v.survey, v.answer
    is_open = s.state is SurveyState.OPEN
    before_deadline = now() < s.deadline
    edit = v.member and is_open and a.state in EDITABLE
    returned_parts = any(p.state == fanout.PartState.RETURNED for p in v.parts)
    approver = v.member and a.state is AnswerState.PENDING_APPROVAL and (v.head or a.approver_id == me.staff_id)
    return Roles(
        edit=edit,
        not_applicable=edit and v.coordinator,
        forward=edit and v.coordinator,
        merge=edit and v.coordinator and returned_parts,
        approve=approver,
        issuer_return=v.issuer and a.state in (REACHED | {AnswerState.PENDING_APPROVAL}),
        allow_reopen=v.issuer and a.state in REACHED and not a.reopen_allowed and before_deadline and is_open,
        reopen=v.member and a.state in REACHED and a.reopen_allowed and before_deadline and is_open,
    )


def _forward_choices(unit_id: str, language: str) -> tuple[list[Choice], list[Choice]]:
    sections = [
        Choice(f"unit:{u.unit_id}", directory.unit_name(u.unit_id, language))
        for u in directory.children(unit_id)
        if u.kind == "kakari"
    ]
    people = [Choice(f"staff:{s.staff_id}", s.display_name) for s in directory.staff_in_unit(unit_id)]
    return sections, people


def _approvers(me: Principal, unit_id: str) -> list[Choice]:
    found = {s.staff_id: s.display_name for s in [*directory.heads_of(unit_id), *directory.coordinators_of(unit_id)]}
    return [Choice(i, name) for i, name in found.items() if i != me.staff_id]


def _uploads(s: Survey, unit_id: str, editable: bool, path: str, values: dict[str, Any]) -> dict[str, Any]:
    """What a file question needs: where its files download (through the survey), while the
    answer is written where an upload into the answer's folder is opened, and which of its files
    the virus check has not cleared (shown next to each: submission waits for them)."""
    base = f"/surveys/{s.survey_id}/answers/{unit_id}"
    has_files = any(q.type is QuestionType.FILE for q in s.form.questions)
    return {
        "file_base": f"{base}/files/",
        "upload_url": f"/api{base}{path}/uploads" if editable and has_files else "",
        "upload": file_views.upload_settings(),
        "file_states": answer_files.unchecked(s, values) if editable else {},
    }


def answer_context(
    me: Principal, survey_id: str, unit_id: str, language: str, *, errors: Iterable[AnswerError] = ()
) -> dict[str, Any]:
    v = answering.view(me, survey_id, unit_id)
    s, a = v.survey, v.answer
    roles = _roles(me, v)
    translate = gettext_for(language)
    show_changes = a.state not in EDITABLE  # marks make sense once the answer is put forward
    sections, people = _forward_choices(unit_id, language) if roles.forward else ([], [])
    return {
        "view": v,
        "survey": s,
        "answer": a,
        "roles": roles,
        "unit_name": a.respondent_name or directory.unit_name(unit_id, language),
        # An outside organisation's answer: its contact, and whether the issuer may re-send its link.
        "outside": s.external(unit_id) if v.issuer else None,
        "may_resend": v.issuer and s.state is SurveyState.OPEN,
        "issuer_name": directory.unit_name(s.issuer_unit_id, language),
        "state": board_state(a.state, a.deadline, now()),
        "board_labels": BOARD_LABELS,
        "deadline": deadline_of(s.deadline),
        "fields": form_view.fields(
            s.form, a.values, translate, errors=errors, changed=a.changed if show_changes else ()
        ),
        "editable": roles.edit,
        "sections": sections,
        "people": [p for p in people if p.value != f"staff:{me.staff_id}"],
        "approvers": _approvers(me, unit_id) if roles.edit else [],
        "history": tuple(reversed(v.history)),
        "answerable": list(s.form.answerable),
        "field_labels": {q.question_id: q.label for q in s.form.questions},
        **_uploads(s, unit_id, roles.edit and not outside_unit(unit_id), "", a.values),
    }


def assigned_to(me: Principal, assignee_key: str) -> bool:
    """Whether the part is this person's to fill in (a person, or any member of the 係)."""
    kind, _, ident = assignee_key.partition(":")
    return (kind == "staff" and ident == me.staff_id) or (kind == "unit" and me.belongs_to(ident))


def part_context(me: Principal, survey_id: str, unit_id: str, part_id: str, language: str) -> dict[str, Any]:
    pv = fanout.view_part(me, survey_id, unit_id, part_id)
    part, s = pv.part, pv.survey
    editable = assigned_to(me, part.assignee_key) and part.state in PART_EDITABLE and s.state is SurveyState.OPEN
    return {
        "survey": s,
        "part": part,
        "editable": editable,
        "unit_name": directory.unit_name(unit_id, language),
        "issuer_name": directory.unit_name(s.issuer_unit_id, language),
        "deadline": deadline_of(s.deadline),
        "fields": form_view.fields(s.form, part.values, gettext_for(language), only=part.question_ids),
        "coordinator_view": me.belongs_to(unit_id) and not assigned_to(me, part.assignee_key),
        **_uploads(s, unit_id, editable, f"/parts/{part_id}", part.values),
    }
