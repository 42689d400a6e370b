"""Checking a form before it is issued: every problem a designer must fix, named where it is.

A survey goes to many 所属 at once and cannot be re-sent cheaply, so a form is checked as a
whole and every problem is returned (not the first), each tied to its question and column so
the designer page can show it in place. Messages are English msgids with {params},
translated where shown. Pure: no AWS, no I/O.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from chalicelib.core.i18n_markers import N_
from chalicelib.surveys.form import (
    MAX_CHOICES,
    MAX_COLUMNS,
    MAX_QUESTIONS,
    MAX_TABLE_ROWS,
    OTHER,
    Column,
    ColumnType,
    Form,
    FormProblem,
    Question,
    QuestionType,
)

MAX_LABEL = 200
MAX_HELP = 2000
MAX_CHOICE_TEXT = 200
MAX_DECIMALS = 6
# Text limits an answer can have at most (answers.py applies them when max_length is unset).
SHORT_TEXT_LIMIT = 2000
LONG_TEXT_LIMIT = 20000
# Ids appear in change keys like `q3[2].amount` and in form field names: no brackets or dots.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE)
CONDITION_TYPES = (*CHOICE_TYPES, QuestionType.YES_NO)
YES_NO_VALUES = ("yes", "no")


def new_question_id(existing: set[str]) -> str:
    """A short random id (`q7f3a`) not in `existing`: stable while labels are edited."""
    return _new_id("q", existing)


def new_column_id(existing: set[str]) -> str:
    """A short random column id (`c2b9e`) not in `existing`."""
    return _new_id("c", existing)


def _new_id(prefix: str, existing: set[str]) -> str:
    size = 2
    while True:
        for _ in range(20):
            candidate = prefix + secrets.token_hex(size)
            if candidate not in existing:
                return candidate
        size += 1  # a crowded form: widen rather than loop for ever


def check_form(form: Form) -> list[FormProblem]:
    """Every reason `form` cannot be issued yet; empty when it can."""
    problems: list[FormProblem] = []
    if not form.answerable:
        problems.append(FormProblem(N_("Add at least one question.")))
    if len(form.questions) > MAX_QUESTIONS:
        problems.append(FormProblem(N_("A form can have at most {max} questions."), params={"max": MAX_QUESTIONS}))
    seen: dict[str, Question] = {}
    for q in form.questions:
        problems += _check_id(q, seen)
        problems += _check_texts(q)
        problems += _check_by_type(q)
        problems += _check_condition(q, seen)
        if q.question_id:
            seen.setdefault(q.question_id, q)
    return problems


def _check_id(q: Question, seen: dict[str, Question]) -> list[FormProblem]:
    if not q.question_id:
        return [FormProblem(N_("A question has no id."))]
    if not ID_PATTERN.match(q.question_id):
        return [
            FormProblem(
                N_("The id {id} may only use letters, digits, - and _ (at most 40)."),
                q.question_id,
                params={"id": q.question_id},
            )
        ]
    if q.question_id in seen:
        return [
            FormProblem(
                N_("The id {id} is used by more than one question."), q.question_id, params={"id": q.question_id}
            )
        ]
    return []


def _check_texts(q: Question) -> list[FormProblem]:
    problems = []
    if not q.label.strip():
        problems.append(FormProblem(N_("Give the question a label."), q.question_id))
    elif len(q.label) > MAX_LABEL:
        problems.append(
            FormProblem(N_("A label can have at most {max} characters."), q.question_id, params={"max": MAX_LABEL})
        )
    if len(q.help) > MAX_HELP:
        problems.append(
            FormProblem(N_("The help text can have at most {max} characters."), q.question_id, params={"max": MAX_HELP})
        )
    return problems


def _check_by_type(q: Question) -> list[FormProblem]:
    if q.type in CHOICE_TYPES:
        return _check_choices(q.choices, q.question_id)
    if q.type is QuestionType.NUMBER:
        return _check_number(q)
    if q.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        limit = SHORT_TEXT_LIMIT if q.type is QuestionType.SHORT_TEXT else LONG_TEXT_LIMIT
        if q.max_length is not None and not 1 <= q.max_length <= limit:
            return [
                FormProblem(N_("The length limit must be between 1 and {max}."), q.question_id, params={"max": limit})
            ]
    if q.type is QuestionType.TABLE:
        return _check_table(q)
    return []


def _check_choices(choices: Iterable[str], question_id: str, column_id: str = "") -> list[FormProblem]:
    choices = tuple(choices)
    problems = []
    if not choices:
        problems.append(FormProblem(N_("Add at least one choice."), question_id, column_id))
    if len(choices) > MAX_CHOICES:
        problems.append(
            FormProblem(N_("There can be at most {max} choices."), question_id, column_id, {"max": MAX_CHOICES})
        )
    seen: set[str] = set()
    for choice in choices:
        if not choice.strip() or choice == OTHER:
            problems.append(FormProblem(N_("A choice cannot be empty."), question_id, column_id))
        elif len(choice) > MAX_CHOICE_TEXT:
            problems.append(
                FormProblem(
                    N_("A choice can have at most {max} characters."), question_id, column_id, {"max": MAX_CHOICE_TEXT}
                )
            )
        elif choice in seen:
            problems.append(
                FormProblem(N_("The choice {choice} appears twice."), question_id, column_id, {"choice": choice})
            )
        seen.add(choice)
    return problems


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_range(minimum: str | None, maximum: str | None, question_id: str, column_id: str = "") -> list[FormProblem]:
    low, high = _decimal(minimum), _decimal(maximum)
    if (minimum is not None and low is None) or (maximum is not None and high is None):
        return [FormProblem(N_("The minimum and maximum must be numbers."), question_id, column_id)]
    if low is not None and high is not None and low > high:
        return [FormProblem(N_("The minimum cannot be more than the maximum."), question_id, column_id)]
    return []


def _check_number(q: Question) -> list[FormProblem]:
    problems = _check_range(q.minimum, q.maximum, q.question_id)
    if q.decimals is not None and not 0 <= q.decimals <= MAX_DECIMALS:
        problems.append(
            FormProblem(N_("Decimal places must be between 0 and {max}."), q.question_id, params={"max": MAX_DECIMALS})
        )
    return problems


def _check_table(q: Question) -> list[FormProblem]:
    problems = []
    if not q.columns:
        problems.append(FormProblem(N_("A table needs at least one column."), q.question_id))
    if len(q.columns) > MAX_COLUMNS:
        problems.append(
            FormProblem(N_("A table can have at most {max} columns."), q.question_id, params={"max": MAX_COLUMNS})
        )
    if not 0 <= q.min_rows <= q.max_rows:
        problems.append(FormProblem(N_("The minimum number of rows cannot be more than the maximum."), q.question_id))
    if not 1 <= q.max_rows <= MAX_TABLE_ROWS:
        problems.append(
            FormProblem(
                N_("The number of rows must be between 1 and {max}."), q.question_id, params={"max": MAX_TABLE_ROWS}
            )
        )
    seen: set[str] = set()
    for c in q.columns:
        problems += _check_column(q, c, seen)
        seen.add(c.column_id)
    return problems


def _check_column(q: Question, c: Column, seen: set[str]) -> list[FormProblem]:
    problems = []
    if not ID_PATTERN.match(c.column_id) or c.column_id == "_part":
        problems.append(FormProblem(N_("A column has no valid id."), q.question_id, c.column_id))
    elif c.column_id in seen:
        problems.append(
            FormProblem(N_("The column id {id} is used twice."), q.question_id, c.column_id, {"id": c.column_id})
        )
    if not c.label.strip():
        problems.append(FormProblem(N_("Give the column a label."), q.question_id, c.column_id))
    elif len(c.label) > MAX_LABEL:
        problems.append(
            FormProblem(
                N_("A label can have at most {max} characters."), q.question_id, c.column_id, {"max": MAX_LABEL}
            )
        )
    if c.type is ColumnType.CHOICE:
        problems += _check_choices(c.choices, q.question_id, c.column_id)
    if c.type is ColumnType.NUMBER:
        problems += _check_range(c.minimum, c.maximum, q.question_id, c.column_id)
    elif c.total:
        problems.append(FormProblem(N_("Only number columns can have a total."), q.question_id, c.column_id))
    return problems


def condition_values(q: Question) -> tuple[str, ...]:
    """The answers a condition on `q` can name: its choices (and 「その他」), or yes/no."""
    if q.type is QuestionType.YES_NO:
        return YES_NO_VALUES
    return q.choices + ((OTHER,) if q.allow_other else ())


def _check_condition(q: Question, earlier: dict[str, Question]) -> list[FormProblem]:
    if q.condition is None:
        return []
    target = earlier.get(q.condition.question_id)
    if target is None or not target.answerable:
        return [FormProblem(N_("A condition can only refer to an earlier question."), q.question_id)]
    if target.type not in CONDITION_TYPES:
        return [FormProblem(N_("A condition can only refer to a choice or yes/no question."), q.question_id)]
    if not q.condition.values:
        return [FormProblem(N_("Pick at least one answer for the condition."), q.question_id)]
    allowed = condition_values(target)
    return [
        FormProblem(
            N_("The condition names {value}, which is not an answer to that question."),
            q.question_id,
            params={"value": v},
        )
        for v in q.condition.values
        if v not in allowed
    ]
