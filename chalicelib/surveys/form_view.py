"""The answer form as a page lays it out: each question with its value, whether it is shown,
its problems (in the reader's language), its table totals and the cells changed since a copied
survey's previous answer.

The same model renders the answer page, a part's page, the issuer's read-only view and the
editor's preview (frontend/templates/surveys/form_macros.html), so a respondent and an issuer
see one form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.core import wareki
from chalicelib.surveys import answers
from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.form import Form, Question, QuestionType

Translate = Callable[[str], str]
# How answers.changed_cells names a cell: "q3", "q3[2]" (a row) or "q3[2].c1" (a cell).
_CELL = re.compile(r"^(?P<question>[^\[\].]+)(?:\[(?P<row>\d+)\])?(?:\.(?P<column>.+))?$")


@dataclass(frozen=True)
class Field:
    question: Question
    number: int  # 1, 2, ... among the answerable questions; 0 for a section
    value: Any
    shown: bool
    problems: tuple[str, ...] = ()  # about the question as a whole
    cell_problems: dict[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)  # (row, column)
    changed: bool = False
    changed_cells: frozenset[tuple[int, str]] = frozenset()
    totals: dict[str, str] = field(default_factory=dict)  # table: column id -> sum

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.value if isinstance(self.value, list) and self.question.type is QuestionType.TABLE else []

    @property
    def has_totals(self) -> bool:
        return any(c.total for c in self.question.columns)

    def wareki(self, text: Any) -> str:
        """A stored ISO date as 和暦 (令和8年12月1日), or "" for anything else."""
        try:
            return wareki.to_wareki(date.fromisoformat(str(text)))
        except ValueError:
            return ""


def _message(error: AnswerError, translate: Translate) -> str:
    try:
        return translate(error.message).format(**(error.params or {}))
    except (KeyError, IndexError, ValueError):
        return translate(error.message)


def shown_questions(form: Form, values: dict[str, Any]) -> set[str]:
    """Ids of the questions shown for these values (a condition on a hidden question is false)."""
    return {q.question_id for q in answers.visible_questions(form, values)}


def _changed(changed: Iterable[str]) -> dict[str, set[tuple[int, str]]]:
    found: dict[str, set[tuple[int, str]]] = {}
    for cell in changed:
        m = _CELL.match(cell)
        if m is None:
            continue
        cells = found.setdefault(m["question"], set())
        if m["row"] is not None:
            cells.add((int(m["row"]), m["column"] or ""))
    return found


def fields(
    form: Form,
    values: dict[str, Any],
    translate: Translate,
    *,
    errors: Iterable[AnswerError] = (),
    changed: Iterable[str] = (),
    only: Iterable[str] = (),
) -> list[Field]:
    """The form's questions to render, in order; `only`: a part's questions (and their sections)."""
    shown = shown_questions(form, values)
    by_question: dict[str, list[AnswerError]] = {}
    for error in errors:
        by_question.setdefault(error.question_id, []).append(error)
    changed_by = _changed(changed)
    subset = set(only)
    out: list[Field] = []
    number = 0
    for q in form.questions:
        if q.answerable:
            number += 1
        if subset and q.answerable and q.question_id not in subset:
            continue
        mine = by_question.get(q.question_id, [])
        cells: dict[tuple[int, str], tuple[str, ...]] = {}
        for e in mine:
            if e.row is not None:
                key = (e.row, e.column_id or "")
                cells[key] = (*cells.get(key, ()), _message(e, translate))
        value = values.get(q.question_id)
        out.append(
            Field(
                question=q,
                number=number if q.answerable else 0,
                value=value,
                shown=q.question_id in shown,
                problems=tuple(_message(e, translate) for e in mine if e.row is None),
                cell_problems=cells,
                changed=q.question_id in changed_by,
                changed_cells=frozenset(changed_by.get(q.question_id, ())),
                totals=_totals(q, value),
            )
        )
    if subset:  # a part shows a section only when a question of it is asked
        out = [f for i, f in enumerate(out) if f.question.answerable or _section_used(out, i)]
    return out


def _section_used(out: list[Field], index: int) -> bool:
    following = out[index + 1 :]
    return bool(following) and following[0].question.answerable


def _totals(q: Question, value: Any) -> dict[str, str]:
    if q.type is not QuestionType.TABLE or not any(c.total for c in q.columns):
        return {}
    rows = value if isinstance(value, list) else []
    return {k: str(v) for k, v in answers.table_totals(q, rows).items()}
