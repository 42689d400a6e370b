"""Answers to a form: checking one, showing what changed, totals, and merging 係 parts.

`clean_answer` is the one gate every answer passes (the answer page, the JSON API, a copied
survey's answer): it returns the normalised values (see form.py for their shapes) and every
problem, each tied to its question, column and row so the page can show it in place.

- A draft (`submit=False`) is saved with whatever is valid: only values that are not of their
  question's type are reported (and left out, so stored values always have their type; the
  page shows what was typed back next to the error). A submission is also checked for
  required answers, ranges, decimals, row counts and required columns.
- A question hidden by its condition is not required and its value is dropped, so an answer
  never carries a value for a question its answerer could not see.
- Table rows with every cell empty are dropped (a 様式 has blank rows at the bottom). A row's
  `_part` (the 係 it came from, set by `merge_parts`) is kept. Error rows count from 0 in the
  list as sent, which is what the page shows.

Pure: no AWS, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib.core.i18n_markers import N_
from chalicelib.surveys import values as v
from chalicelib.surveys.design import LONG_TEXT_LIMIT, SHORT_TEXT_LIMIT
from chalicelib.surveys.form import Column, ColumnType, Condition, Form, Question, QuestionType

PART_KEY = "_part"  # a table row's 係 label, from merge_parts
MAX_PART_LABEL = 100


@dataclass(frozen=True, kw_only=True)
class AnswerError:
    question_id: str
    column_id: str = ""
    row: int | None = None  # table rows: 0-based index in the rows as sent
    message: str  # an English msgid with {params}, translated where shown
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanResult:
    values: dict[str, Any]
    errors: list[AnswerError]

    @property
    def ok(self) -> bool:
        return not self.errors


# --- visibility ------------------------------------------------------------------------------


def _picked(value: Any) -> set[str]:
    """The answers a condition can match in a value, stored or as sent."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {c for c in value if isinstance(c, str)}
    if isinstance(value, dict):
        if isinstance(value.get("choices"), list):
            return {c for c in value["choices"] if isinstance(c, str)}
        if isinstance(value.get("choice"), str):
            return {value["choice"]}
    return set()


def _shown(condition: Condition | None, visible: set[str], values: dict[str, Any]) -> bool:
    if condition is None:
        return True
    # A condition on a question that is itself hidden (or not earlier) hides this one too.
    if condition.question_id not in visible:
        return False
    return bool(_picked(values.get(condition.question_id)) & set(condition.values))


def visible_questions(form: Form, values: dict[str, Any]) -> list[Question]:
    """The questions (and section headings) shown for these answers, in order."""
    shown: list[Question] = []
    visible: set[str] = set()
    for q in form.questions:
        if _shown(q.condition, visible, values):
            shown.append(q)
            visible.add(q.question_id)
    return shown


# --- checking --------------------------------------------------------------------------------


def clean_answer(form: Form, raw: dict[str, Any], *, submit: bool) -> CleanResult:
    """`raw` checked against `form`: normalised values and every problem (see the docstring)."""
    values: dict[str, Any] = {}
    errors: list[AnswerError] = []
    visible: set[str] = set()
    for q in form.questions:
        # Conditions read the values already cleaned, so a hidden question's value never
        # shows a later one.
        if not _shown(q.condition, visible, values):
            continue
        visible.add(q.question_id)
        if not q.answerable:
            continue
        if q.type is QuestionType.TABLE:
            value, problems = _clean_table(q, raw.get(q.question_id), submit=submit)
        else:
            value, problems = _clean_scalar(q, raw.get(q.question_id), submit=submit)
        errors += problems
        if value is not None:
            values[q.question_id] = value
    return CleanResult(values, errors)


_READERS: dict[QuestionType, Callable[[Question, Any], Any]] = {
    QuestionType.SHORT_TEXT: lambda q, raw: v.clean_text(raw, q.max_length or SHORT_TEXT_LIMIT, multiline=False),
    QuestionType.LONG_TEXT: lambda q, raw: v.clean_text(raw, q.max_length or LONG_TEXT_LIMIT, multiline=True),
    QuestionType.NUMBER: lambda q, raw: v.canonical_number(raw),
    QuestionType.DATE: lambda q, raw: v.clean_date(raw),
    QuestionType.SINGLE_CHOICE: v.clean_single_choice,
    QuestionType.MULTI_CHOICE: v.clean_multi_choice,
    QuestionType.YES_NO: lambda q, raw: v.clean_yes_no(raw),
    QuestionType.FILE: lambda q, raw: v.clean_files(raw),
}


def _clean_scalar(q: Question, raw: Any, *, submit: bool) -> tuple[Any, list[AnswerError]]:
    try:
        value = _READERS[q.type](q, raw)
    except v.Invalid as e:
        return None, [AnswerError(question_id=q.question_id, message=e.message, params=e.params)]
    if not submit:
        return value, []
    if value is None:
        return None, [
            AnswerError(question_id=q.question_id, message=N_("Please answer this question."))
        ] if q.required else []
    problem: tuple[str, dict[str, Any]] | None = None
    if q.type is QuestionType.NUMBER:
        problem = v.number_problem(value, q.minimum, q.maximum, q.decimals)
    elif q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
        message = v.other_problem(value)
        problem = (message, {}) if message else None
    if problem:
        return value, [AnswerError(question_id=q.question_id, message=problem[0], params=problem[1])]
    return value, []


def _clean_table(q: Question, raw: Any, *, submit: bool) -> tuple[list[dict[str, str]] | None, list[AnswerError]]:
    if raw is None or raw == "":
        raw = []
    if not isinstance(raw, list):
        return None, [AnswerError(question_id=q.question_id, message=N_("The table's rows are not valid."))]
    rows: list[dict[str, str]] = []
    errors: list[AnswerError] = []
    for index, raw_row in enumerate(raw):
        if not isinstance(raw_row, dict):
            errors.append(AnswerError(question_id=q.question_id, row=index, message=N_("This row is not valid.")))
            continue
        row, problems = _clean_row(q, raw_row, index, submit=submit)
        errors += problems
        if not row:
            continue
        if len(rows) == q.max_rows:
            errors.append(
                AnswerError(
                    question_id=q.question_id,
                    row=index,
                    message=N_("This table can have at most {max} rows."),
                    params={"max": q.max_rows},
                )
            )
            break
        part = raw_row.get(PART_KEY)
        if isinstance(part, str) and part.strip():
            row[PART_KEY] = part.strip()[:MAX_PART_LABEL]
        rows.append(row)
    if submit:
        errors += _row_count_problems(q, len(rows))
    return rows or None, errors


def _clean_row(
    q: Question, raw_row: dict[str, Any], index: int, *, submit: bool
) -> tuple[dict[str, str], list[AnswerError]]:
    row: dict[str, str] = {}
    errors: list[AnswerError] = []
    for c in q.columns:
        try:
            cell = v.clean_cell(c, raw_row.get(c.column_id))
        except v.Invalid as e:
            errors.append(_cell_error(q, c, index, e.message, e.params))
            continue
        if cell is not None:
            row[c.column_id] = cell
    if not submit or not row:
        return row, errors
    for c in q.columns:
        cell = row.get(c.column_id)
        if cell is None and c.required:
            errors.append(_cell_error(q, c, index, N_("Fill in this column."), {}))
        elif cell is not None and c.type is ColumnType.NUMBER:
            problem = v.number_problem(cell, c.minimum, c.maximum)
            if problem:
                errors.append(_cell_error(q, c, index, *problem))
    return row, errors


def _cell_error(q: Question, c: Column, row: int, message: str, params: dict[str, Any]) -> AnswerError:
    return AnswerError(question_id=q.question_id, column_id=c.column_id, row=row, message=message, params=params)


def _row_count_problems(q: Question, count: int) -> list[AnswerError]:
    if count == 0 and q.required:
        return [AnswerError(question_id=q.question_id, message=N_("Please answer this question."))]
    if count < q.min_rows:
        return [
            AnswerError(question_id=q.question_id, message=N_("Enter at least {min} rows."), params={"min": q.min_rows})
        ]
    return []


# --- totals, changes, parts ------------------------------------------------------------------


def table_totals(question: Question, rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The totals row: each total column's sum, as decimal text ("0" for no rows)."""
    columns = [c.column_id for c in question.columns if c.total and c.type is ColumnType.NUMBER]
    sums = dict.fromkeys(columns, Decimal(0))
    for row in rows:
        for column_id in columns:
            try:
                cell = v.canonical_number(row.get(column_id))
            except v.Invalid:
                continue  # a stored answer is clean; a draft being shown may not be
            if cell is not None:
                sums[column_id] += Decimal(cell)
    return {column_id: v.decimal_text(total) for column_id, total in sums.items()}


def _is_table(value: Any) -> bool:
    # A file list is a list of dicts too; its entries have a file_id, a table row never does.
    return isinstance(value, list) and all(isinstance(r, dict) and "file_id" not in r for r in value)


def changed_cells(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What differs between two answers: `q1` for a value, `q3[2].amount` for a table cell
    (row from 0, then column id). A row added or removed names each of its filled cells."""
    changed: list[str] = []
    for key in dict.fromkeys([*current, *previous]):
        before, after = previous.get(key), current.get(key)
        if before == after:
            continue
        if _is_table(before or []) and _is_table(after or []) and (before or after):
            changed += _changed_rows(key, before or [], after or [])
        else:
            changed.append(key)
    return changed


def _changed_rows(key: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    changed: list[str] = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else {}
        new = after[index] if index < len(after) else {}
        for column_id in dict.fromkeys([*new, *old]):
            if column_id != PART_KEY and old.get(column_id) != new.get(column_id):
                changed.append(f"{key}[{index}].{column_id}")
    return changed


def is_empty(value: Any) -> bool:
    """No answer: nothing typed, no choice picked, no rows."""
    if value is None or value in ("", [], {}):
        return True
    if isinstance(value, dict) and ("choice" in value or "choices" in value):
        return not _picked(value) - {""}
    return False


def merge_parts(form: Form, base: dict[str, Any], parts: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The 所属's answer with its 係' parts merged in.

    Tables: the base's own rows, then each part's rows tagged `_part` with the part's label.
    Rows in the base already tagged with one of these labels (a previous merge) are replaced,
    so merging again after a 係 edits its part does not duplicate its rows. Other questions:
    the base's value when set, else the first part's non-empty value, in the parts' order.
    The result is raw input: pass it through `clean_answer`.
    """
    labels = {label for label, _ in parts}
    merged: dict[str, Any] = {}
    for q in form.answerable:
        qid = q.question_id
        if q.type is QuestionType.TABLE:
            own = [r for r in _rows(base.get(qid)) if r.get(PART_KEY) not in labels]
            tagged = [{**r, PART_KEY: label} for label, part in parts for r in _rows(part.get(qid))]
            if own or tagged:
                merged[qid] = own + tagged
            continue
        candidates = [base.get(qid)] + [part.get(qid) for _, part in parts]
        value = next((c for c in candidates if not is_empty(c)), None)
        if value is not None:
            merged[qid] = value
    return merged


def _rows(value: Any) -> list[dict[str, Any]]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
