"""The 照会元's status board and results: each target 所属's state, counts, and the answers.

The board is one query of the survey's answers (partition = survey id), so it costs the same
whatever else is stored; names of units come from the directory once per board.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from chalicelib.core.auth import Principal
from chalicelib.core.i18n import gettext_for
from chalicelib.directory import service as directory
from chalicelib.surveys import access, outside, storage
from chalicelib.surveys.model import Answer, Survey, answer_of, now
from chalicelib.surveys.states import ANSWERED, BoardState, board_state
from chalicelib.surveys.storage import AnswerRecord


@dataclass(frozen=True)
class BoardRow:
    unit_id: str
    unit_name: str
    department_id: str
    department_name: str
    state: BoardState
    answer: Answer


@dataclass(frozen=True)
class Board:
    survey: Survey
    rows: tuple[BoardRow, ...]
    counts: dict[BoardState, int]
    departments: tuple[tuple[str, str], ...]  # (id, name) of the 部局 on the board, for the filter
    answered: int
    total: int


def answers_of(survey_id: str) -> list[Answer]:
    storage.bind()
    return [answer_of(r) for r in AnswerRecord.query(survey_id)]


def board(
    p: Principal, survey_id: str, *, department: str = "", language: str = "ja", at: datetime | None = None
) -> Board:
    survey = access.as_issuer(p, survey_id)
    current = at or now()
    order = {unit_id: i for i, unit_id in enumerate(survey.answer_units)}
    names: dict[str, str] = {}

    def name(unit_id: str) -> str:
        if unit_id not in names:
            names[unit_id] = (
                gettext_for(language)(outside.GROUP_NAME)
                if unit_id == outside.GROUP
                else directory.unit_name(unit_id, language)
            )
        return names[unit_id]

    all_rows = [
        BoardRow(
            a.unit_id,
            a.respondent_name or name(a.unit_id),
            a.department_id,
            name(a.department_id) if a.department_id else "",
            board_state(a.state, a.deadline, current),
            a,
        )
        for a in sorted(answers_of(survey_id), key=lambda a: order.get(a.unit_id, len(order)))
    ]
    rows = [r for r in all_rows if not department or r.department_id == department]
    departments = tuple(dict.fromkeys((r.department_id, r.department_name) for r in all_rows))
    return Board(
        survey,
        tuple(rows),
        dict(Counter(r.state for r in rows)),
        departments,
        answered=sum(1 for r in rows if r.answer.state in ANSWERED),
        total=len(rows),
    )


def unanswered(survey_id: str) -> list[Answer]:
    return [a for a in answers_of(survey_id) if a.state not in ANSWERED]
