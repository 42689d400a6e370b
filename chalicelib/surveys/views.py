"""View models of the survey pages: the lists, the home card, the issuer's page and its board.

What a page shows is computed here from what the use-case modules return (who may see what is
theirs to decide); the page routes stay a few lines and the templates only lay things out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.directory import service as directory
from chalicelib.surveys import answering, board, fanout, issuing
from chalicelib.surveys.model import Answer, Part, Survey, now
from chalicelib.surveys.numbers import JST
from chalicelib.surveys.states import ANSWERED, BOARD_LABELS, BoardState, SurveyState, board_state

BOARD_ORDER = (
    BoardState.NOT_STARTED,
    BoardState.DRAFT,
    BoardState.PENDING_APPROVAL,
    BoardState.RETURNED,
    BoardState.OVERDUE,
    BoardState.SUBMITTED,
    BoardState.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    days_left: int  # calendar days in Japan time; 0: today, negative: that many days past

    @property
    def passed(self) -> bool:
        return self.at < now()


def deadline_of(at: datetime, current: datetime | None = None) -> Deadline:
    today = (current or now()).astimezone(JST).date()
    return Deadline(at, (at.astimezone(JST).date() - today).days)


@dataclass(frozen=True)
class ToAnswerRow:
    survey: Survey
    answer: Answer
    unit_name: str
    issuer_name: str
    state: BoardState
    deadline: Deadline


@dataclass(frozen=True)
class PartRow:
    survey: Survey
    part: Part
    unit_name: str
    issuer_name: str
    deadline: Deadline


@dataclass(frozen=True)
class IssuedRow:
    survey: Survey
    answered: int
    total: int
    deadline: Deadline


class Names:
    """Unit names looked up once per page."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._names: dict[str, str] = {}

    def __call__(self, unit_id: str) -> str:
        if unit_id not in self._names:
            self._names[unit_id] = directory.unit_name(unit_id, self.language)
        return self._names[unit_id]


def to_answer_rows(me: Principal, language: str, *, open_only: bool = False) -> list[ToAnswerRow]:
    names, current = Names(language), now()
    rows = []
    for item in answering.to_answer(me, at=current):
        s, a = item.survey, item.answer
        if open_only and (s.state is not SurveyState.OPEN or a.state in ANSWERED):
            continue
        rows.append(
            ToAnswerRow(
                s,
                a,
                names(a.unit_id),
                names(s.issuer_unit_id),
                board_state(a.state, a.deadline, current),
                deadline_of(a.deadline, current),
            )
        )
    return rows


def list_context(me: Principal, language: str) -> dict[str, Any]:
    names, current = Names(language), now()
    parts = [
        PartRow(v.survey, v.part, names(v.part.unit_id), names(v.survey.issuer_unit_id), deadline_of(v.survey.deadline))
        for v in fanout.my_parts(me)
    ]
    issued = []
    for s in issuing.issued_by(me):
        answers = board.answers_of(s.survey_id) if s.state in (SurveyState.OPEN, SurveyState.CLOSED) else []
        done = sum(1 for a in answers if a.state in ANSWERED)
        issued.append(IssuedRow(s, done, len(answers) or len(s.targets), deadline_of(s.deadline, current)))
    return {
        "to_answer": to_answer_rows(me, language),
        "parts": parts,
        "issued": issued,
        "several_units": len({u for u in me.units if me.post_in(u) is not None}) > 1,
        "board_labels": BOARD_LABELS,
    }


def board_context(me: Principal, survey_id: str, department: str, language: str) -> dict[str, Any]:
    found = board.board(me, survey_id, department=department, language=language)
    survey = found.survey
    return {
        "survey": survey,
        "board": found,
        "issuer_name": directory.unit_name(survey.issuer_unit_id, language),
        "deadline": deadline_of(survey.deadline),
        "department": department if any(d == department for d, _ in found.departments) else "",
        "counts": [(state, found.counts.get(state, 0)) for state in BOARD_ORDER],
        "board_labels": BOARD_LABELS,
        "may_remind": survey.state is SurveyState.OPEN,
        "remindable": {r.unit_id for r in found.rows if r.answer.state not in ANSWERED},
    }
