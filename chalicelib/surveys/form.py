"""A survey's form: its questions, as data (what a 様式 asks), and their JSON shape.

The form is stored with the survey as JSON and is the one description every part reads: the
answer page renders it, `answers.py` checks answers against it, the Excel 様式 import builds
one, and the exports lay their columns out from it. Pure data: no AWS, no I/O.

Answer values, per question type (what `answers.py` accepts and stores):

    short_text, long_text   str
    number                  str, a decimal as written ("12", "3.5"); kept as text so no float
                            ever rounds a figure someone typed
    date                    str, ISO "YYYY-MM-DD" (the page may show and accept 和暦)
    single_choice           {"choice": str, "other": str}   choice is one of `choices`, or
                            OTHER when `allow_other` (then `other` holds the text)
    multi_choice            {"choices": [str, ...], "other": str}
    yes_no                  "yes" | "no"
    file                    [{"file_id": str, "name": str}, ...]  files stored in Kumo
    table                   [{column_id: cell, ...}, ...]  one dict per row; a cell is a str
                            typed by its column like the scalar types above (choice: str)
    section                 no value: a heading that groups the questions after it
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

OTHER = "__other__"  # the choice value meaning 「その他」 (its text is in "other")
MAX_QUESTIONS = 200
MAX_COLUMNS = 40
MAX_CHOICES = 100
MAX_TABLE_ROWS = 1000


class QuestionType(StrEnum):
    SECTION = "section"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"
    FILE = "file"
    TABLE = "table"


class ColumnType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier question's answer is one of `values`
    (a choice, "yes"/"no"; for multiple choice: when any of them is picked)."""

    question_id: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    column_id: str
    label: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    unit: str = ""
    minimum: str | None = None  # decimals as text, like answers
    maximum: str | None = None
    choices: tuple[str, ...] = ()
    total: bool = False  # number columns: summed in the table's totals row


@dataclass(frozen=True)
class Question:
    question_id: str
    type: QuestionType
    label: str
    help: str = ""
    required: bool = False
    unit: str = ""  # number
    minimum: str | None = None  # number: decimals as text
    maximum: str | None = None
    decimals: int | None = None  # number: at most this many digits after the point
    max_length: int | None = None  # text
    choices: tuple[str, ...] = ()  # single/multi choice
    allow_other: bool = False  # single/multi choice: 「その他」 with text
    columns: tuple[Column, ...] = ()  # table
    min_rows: int = 0  # table
    max_rows: int = 100  # table
    condition: Condition | None = None

    @property
    def answerable(self) -> bool:
        return self.type is not QuestionType.SECTION


@dataclass(frozen=True)
class Form:
    questions: tuple[Question, ...] = ()

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def answerable(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.answerable)

    def with_questions(self, questions: tuple[Question, ...]) -> Form:
        return replace(self, questions=questions)


# --- JSON ----------------------------------------------------------------------------------


def _column_json(c: Column) -> dict[str, Any]:
    data: dict[str, Any] = {"column_id": c.column_id, "label": c.label, "type": c.type.value}
    if c.required:
        data["required"] = True
    if c.unit:
        data["unit"] = c.unit
    if c.minimum is not None:
        data["minimum"] = c.minimum
    if c.maximum is not None:
        data["maximum"] = c.maximum
    if c.choices:
        data["choices"] = list(c.choices)
    if c.total:
        data["total"] = True
    return data


def question_json(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"question_id": q.question_id, "type": q.type.value, "label": q.label}
    optional: dict[str, Any] = {
        "help": q.help or None,
        "required": q.required or None,
        "unit": q.unit or None,
        "minimum": q.minimum,
        "maximum": q.maximum,
        "decimals": q.decimals,
        "max_length": q.max_length,
        "choices": list(q.choices) or None,
        "allow_other": q.allow_other or None,
        "columns": [_column_json(c) for c in q.columns] or None,
        "min_rows": q.min_rows or None,
        "max_rows": q.max_rows if q.type is QuestionType.TABLE else None,
        "condition": {"question_id": q.condition.question_id, "values": list(q.condition.values)}
        if q.condition
        else None,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def form_json(form: Form) -> dict[str, Any]:
    return {"questions": [question_json(q) for q in form.questions]}


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return value if isinstance(value, str) else default


def _decimal_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _column_from(data: dict[str, Any]) -> Column:
    return Column(
        column_id=_text(data, "column_id"),
        label=_text(data, "label"),
        type=ColumnType(data.get("type", "text")),
        required=bool(data.get("required", False)),
        unit=_text(data, "unit"),
        minimum=_decimal_text(data, "minimum"),
        maximum=_decimal_text(data, "maximum"),
        choices=tuple(str(c) for c in data.get("choices") or ()),
        total=bool(data.get("total", False)),
    )


def question_from(data: dict[str, Any]) -> Question:
    """A question from its JSON. Raises ValueError/KeyError/TypeError on a malformed shape;
    `design.check_form` turns a form's problems into messages a person can act on."""
    condition = data.get("condition")
    return Question(
        question_id=_text(data, "question_id"),
        type=QuestionType(data["type"]),
        label=_text(data, "label"),
        help=_text(data, "help"),
        required=bool(data.get("required", False)),
        unit=_text(data, "unit"),
        minimum=_decimal_text(data, "minimum"),
        maximum=_decimal_text(data, "maximum"),
        decimals=int(data["decimals"]) if data.get("decimals") is not None else None,
        max_length=int(data["max_length"]) if data.get("max_length") is not None else None,
        choices=tuple(str(c) for c in data.get("choices") or ()),
        allow_other=bool(data.get("allow_other", False)),
        columns=tuple(_column_from(c) for c in data.get("columns") or ()),
        min_rows=int(data.get("min_rows") or 0),
        max_rows=int(data.get("max_rows") or 100),
        condition=Condition(str(condition["question_id"]), tuple(str(v) for v in condition.get("values") or ()))
        if isinstance(condition, dict)
        else None,
    )


def form_from(data: dict[str, Any]) -> Form:
    return Form(tuple(question_from(q) for q in data.get("questions") or ()))


@dataclass(frozen=True)
class FormProblem:
    """A reason a form cannot be issued, tied to the question (and column) it is about."""

    message: str  # an English msgid, translated where shown
    question_id: str = ""
    column_id: str = ""
    params: dict[str, Any] = field(default_factory=dict)
