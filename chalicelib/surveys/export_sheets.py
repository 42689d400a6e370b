"""The sheets of a survey export as rows of values, before any library writes them.

- `summary_grids`: the 集計 sheets. One row per 所属 for the questions with one value, and one
  sheet per table question with one row per table row (its 所属 and 係 in front). See export.py
  for why tables get sheets of their own rather than being flattened into the 集計.
- `unit_lines`: a 所属's own sheet when there is no 様式 to copy: question → answer, tables as
  tables with their totals row.
- `flat_rows`: the CSV, which is one table: one row per table row, the 所属's other answers
  repeated on each (a CSV cannot have sheets; whoever reads it filters).

Rows are generated while a writer consumes them, so an export holds the answers once, not
each sheet's copy of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chalicelib.surveys.export_values import (
    PART_KEY,
    ExportAnswer,
    Value,
    cell_value,
    column_sum,
    scalar_value,
    table_rows,
    time_value,
    with_unit,
)
from chalicelib.surveys.form import Form, Question, QuestionType

UNIT_HEADER = ("部局", "所属", "状態", "提出日時", "期限後")
LATE_MARK = "○"
TABLE_KEY_HEADER = ("部局", "所属", "係", "行")
SUMMARY_NAME = "集計"
TOTAL_LABEL = "合計"
ALL_ROWS_TOTAL_LABEL = "合計（全行）"


class Style(StrEnum):
    """How a line of a 所属's sheet looks; the writers map these to their formats."""

    PLAIN = "plain"
    TITLE = "title"  # the survey's number and title
    HEADING = "heading"  # a section, or a table's name
    HEADER = "header"  # column headings
    ANSWER = "answer"  # question label in the first cell, the answer after it
    TOTAL = "total"


@dataclass(frozen=True)
class Grid:
    """A 集計 sheet: headings, rows (a one-pass iterator), and what to freeze and total."""

    name: str
    header: tuple[str, ...]
    rows: Iterator[tuple[Value, ...]]
    key_columns: int  # frozen on the left while scrolling right (部局, 所属)
    totals: tuple[int, ...] = ()  # columns summed in a 合計 row under the data


@dataclass(frozen=True)
class Line:
    cells: tuple[Value, ...] = ()
    style: Style = Style.PLAIN


@dataclass(frozen=True)
class TableView:
    """A table question as columns of a sheet: with a 係 column only when some row has one."""

    question: Question
    with_part: bool = False
    header: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "header", tuple(with_unit(c.label, c.unit) for c in self.question.columns))

    def cells(self, row: Mapping[str, Any]) -> tuple[Value, ...]:
        return tuple(cell_value(c, row.get(c.column_id)) for c in self.question.columns)

    @property
    def total_columns(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.question.columns) if c.total)


def scalar_questions(form: Form) -> tuple[Question, ...]:
    return tuple(q for q in form.answerable if q.type is not QuestionType.TABLE)


def table_questions(form: Form) -> tuple[Question, ...]:
    return tuple(q for q in form.answerable if q.type is QuestionType.TABLE)


def _unit_cells(answer: ExportAnswer) -> tuple[Value, ...]:
    return (
        answer.department_name or None,
        answer.unit_name or None,
        answer.state_label or None,
        time_value(answer.submitted_at),
        LATE_MARK if answer.late else None,
    )


# --- 集計 ---------------------------------------------------------------------------------------


def _summary_rows(form: Form, answers: Sequence[ExportAnswer]) -> Iterator[tuple[Value, ...]]:
    scalars = scalar_questions(form)
    tables = table_questions(form)
    for answer in answers:
        sums: list[Value] = []
        for table in tables:
            raw = answer.values.get(table.question_id)
            rows = table_rows(raw)
            answered = isinstance(raw, list)
            sums += [column_sum(c, rows) if answered else None for c in table.columns if c.total]
        yield (
            *_unit_cells(answer),
            *(scalar_value(q, answer.values.get(q.question_id)) for q in scalars),
            *sums,
        )


def _summary_grid(form: Form, answers: Sequence[ExportAnswer]) -> Grid:
    header = list(UNIT_HEADER) + [with_unit(q.label, q.unit) for q in scalar_questions(form)]
    totals = []
    for table in table_questions(form):
        for column in table.columns:
            if column.total:
                totals.append(len(header))
                header.append(with_unit(f"{table.label}：{column.label}{TOTAL_LABEL}", column.unit))
    return Grid(SUMMARY_NAME, tuple(header), _summary_rows(form, answers), key_columns=2, totals=tuple(totals))


def _table_grid_rows(view: TableView, answers: Sequence[ExportAnswer]) -> Iterator[tuple[Value, ...]]:
    for answer in answers:
        for number, row in enumerate(table_rows(answer.values.get(view.question.question_id)), start=1):
            part = row.get(PART_KEY)
            yield (answer.department_name, answer.unit_name, str(part) if part else None, number, *view.cells(row))


def _table_grid(question: Question, answers: Sequence[ExportAnswer]) -> Grid:
    view = TableView(question)
    front = len(TABLE_KEY_HEADER)
    return Grid(
        f"{SUMMARY_NAME}_{question.label}",
        TABLE_KEY_HEADER + view.header,
        _table_grid_rows(view, answers),
        key_columns=2,
        totals=tuple(front + i for i in view.total_columns),
    )


def summary_grids(form: Form, answers: Sequence[ExportAnswer]) -> list[Grid]:
    """The 集計 sheet, then one per table question, in the form's order."""
    return [_summary_grid(form, answers)] + [_table_grid(q, answers) for q in table_questions(form)]


# --- a 所属's own sheet -------------------------------------------------------------------------


def _table_lines(question: Question, rows: list[Mapping[str, Any]], skip: int) -> Iterator[Line]:
    """A table from its row `skip + 1` on; the totals row always sums every row (under rows
    that did not fit a 様式 it says so: the 様式's own 合計 row missed them)."""
    shown = rows[skip:]
    view = TableView(question, with_part=any(row.get(PART_KEY) for row in shown))
    front: tuple[str, ...] = ("No.", "係") if view.with_part else ("No.",)
    yield Line((question.label,), Style.HEADING)
    yield Line(front + view.header, Style.HEADER)
    for number, row in enumerate(shown, start=skip + 1):
        part: tuple[Value, ...] = (str(row.get(PART_KEY) or "") or None,) if view.with_part else ()
        yield Line((number, *part, *view.cells(row)))
    if view.total_columns and rows:
        sums: list[Value] = [None] * len(question.columns)
        for i in view.total_columns:
            sums[i] = column_sum(question.columns[i], rows)
        label = TOTAL_LABEL if not skip else ALL_ROWS_TOTAL_LABEL
        yield Line((label, *([None] * (len(front) - 1)), *sums), Style.TOTAL)


def answer_lines(
    questions: Iterable[Question], values: Mapping[str, Any], placed_rows: Mapping[str, int] | None = None
) -> Iterator[Line]:
    """Question → answer lines; a table starts after its first `placed_rows[question_id]` rows
    (those the 様式 had room for), numbered on from there."""
    placed_rows = placed_rows or {}
    for question in questions:
        if question.type is QuestionType.SECTION:
            yield Line()
            yield Line((question.label,), Style.HEADING)
        elif question.type is QuestionType.TABLE:
            rows = table_rows(values.get(question.question_id))
            yield from _table_lines(question, rows, placed_rows.get(question.question_id, 0))
        else:
            label = with_unit(question.label, question.unit)
            yield Line((label, scalar_value(question, values.get(question.question_id))), Style.ANSWER)


def unit_lines(number: str, title: str, form: Form, answer: ExportAnswer) -> Iterator[Line]:
    """A 所属's sheet without a 様式: the survey, who answered and when, then every answer."""
    yield Line((f"{number}　{title}" if number else title,), Style.TITLE)
    yield Line(("所属", f"{answer.department_name}　{answer.unit_name}".strip()), Style.ANSWER)
    yield Line(("状態", answer.state_label or None), Style.ANSWER)
    yield Line(("提出日時", time_value(answer.submitted_at)), Style.ANSWER)
    if answer.late:
        yield Line(("期限後", "期限後の提出"), Style.ANSWER)
    yield Line()
    yield from answer_lines(form.questions, answer.values)


# --- CSV ----------------------------------------------------------------------------------------


def flat_header(form: Form) -> list[str]:
    header = list(UNIT_HEADER) + [with_unit(q.label, q.unit) for q in scalar_questions(form)]
    tables = table_questions(form)
    if tables:
        header += ["表", "係", "行"] if len(tables) > 1 else ["係", "行"]
    for table in tables:
        prefix = f"{table.label}：" if len(tables) > 1 else ""
        header += [with_unit(prefix + c.label, c.unit) for c in table.columns]
    return header


def flat_rows(form: Form, answers: Sequence[ExportAnswer]) -> Iterator[list[Value]]:
    """One row per table row (a 所属 without any: one row), its 所属's other answers repeated."""
    scalars = scalar_questions(form)
    views = [TableView(q) for q in table_questions(form)]
    widths = [len(v.question.columns) for v in views]
    for answer in answers:
        front = [*_unit_cells(answer), *(scalar_value(q, answer.values.get(q.question_id)) for q in scalars)]
        written = False
        for index, view in enumerate(views):
            label: list[Value] = [view.question.label] if len(views) > 1 else []
            for number, row in enumerate(table_rows(answer.values.get(view.question.question_id)), start=1):
                part = row.get(PART_KEY)
                before: list[Value] = [None] * sum(widths[:index])
                after: list[Value] = [None] * sum(widths[index + 1 :])
                yield [*front, *label, str(part) if part else None, number, *before, *view.cells(row), *after]
                written = True
        if not written:
            yield front + [None] * ((3 if len(views) > 1 else 2) * bool(views) + sum(widths))
