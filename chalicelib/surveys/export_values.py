"""An answer as spreadsheet values: what each question type becomes in a cell of an export.

Answers are stored as text (see form.py); an export gives them back their type, so the
取りまとめ担当 can sum and sort: a number is a Decimal (written as a number), a date a `date`,
yes/no はい/いいえ, several choices joined with 「、」, 「その他」 with its text. A figure Excel
cannot hold exactly (more than 15 significant digits) or a value that does not parse (an answer
given before the form changed) stays text rather than being rounded or lost. No library here:
the XLSX and CSV writers both read these values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.core.templating import JST
from chalicelib.surveys.form import OTHER, Column, ColumnType, Form, Question, QuestionType
from chalicelib.surveys.layout import SheetLayout

# What a cell may hold. `date` covers datetime (a submission time); int is a row number.
Value = str | int | Decimal | date | None

PART_KEY = "_part"  # a table row's 係, when the 所属 split the answer among its 係
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number; beyond that it rounds
LIST_SEPARATOR = "、"
YES_NO = {"yes": "はい", "no": "いいえ"}
OTHER_LABEL = "その他"
# XML 1.0 has no place for these control characters: openpyxl refuses them and XlsxWriter
# writes escapes Excel shows literally. Nobody types them; pasted text sometimes carries them.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class ExportAnswer:
    """One 所属's answer as an export reads it (the service resolves names and labels)."""

    unit_id: str
    unit_name: str
    department_name: str
    state_label: str  # e.g. 回答済, 未回答, as the status board says it
    submitted_at: datetime | None
    late: bool
    values: Mapping[str, Any]  # question_id -> the stored answer value (see form.py)


@dataclass(frozen=True)
class ExportSurvey:
    """The survey as an export reads it; `template` is the uploaded 様式 workbook and `layout`
    where its answers go (both from the 様式 import, or None for a form built on the page)."""

    number: str  # 照会番号
    title: str
    form: Form
    layout: SheetLayout | None = None
    template: bytes | None = None


def text_value(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw)
    if not text.isprintable():  # rare (a line break, a control character): the regex only then
        text = _UNWRITABLE.sub("", text)
    return text or None


def number_value(raw: object) -> Decimal | str | None:
    """The decimal as written ("3.50" keeps its two places), or the text when it is not one."""
    text = text_value(raw)
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite() or (len(text) > EXCEL_DIGITS and len(number.as_tuple().digits) > EXCEL_DIGITS):
        return text  # (a text of 15 characters or fewer cannot hold more digits: no need to count)
    return number


def date_value(raw: object) -> date | str | None:
    text = text_value(raw)
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return text


def time_value(moment: datetime | None) -> datetime | None:
    """A moment as Japan's wall-clock time: Excel has no time zones and its readers are in Japan."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # as core/templating.jst reads one: stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JST).replace(tzinfo=None)


def _choice_text(choice: object, other: object) -> str:
    if choice == OTHER:
        return f"{OTHER_LABEL}（{other}）" if other else OTHER_LABEL
    return str(choice)


def _choices_value(raw: object) -> str | None:
    if not isinstance(raw, Mapping):
        return text_value(raw)
    choices = raw.get("choices")
    if not isinstance(choices, list):
        return None
    return text_value(LIST_SEPARATOR.join(_choice_text(c, raw.get("other")) for c in choices))


def _files_value(raw: object) -> str | None:
    if not isinstance(raw, list):
        return text_value(raw)
    return text_value(LIST_SEPARATOR.join(str(f.get("name", "")) for f in raw if isinstance(f, Mapping)))


def _single_choice_value(raw: object) -> Value:
    if isinstance(raw, Mapping):
        choice = raw.get("choice")
        return text_value(_choice_text(choice, raw.get("other"))) if choice else None
    return text_value(raw)


def _yes_no_value(raw: object) -> Value:
    return YES_NO.get(str(raw)) or text_value(raw)


_SCALARS: dict[QuestionType, Callable[[object], Value]] = {
    QuestionType.NUMBER: number_value,
    QuestionType.DATE: date_value,
    QuestionType.SINGLE_CHOICE: _single_choice_value,
    QuestionType.MULTI_CHOICE: _choices_value,
    QuestionType.YES_NO: _yes_no_value,
    QuestionType.FILE: _files_value,
}


def scalar_value(question: Question, raw: object) -> Value:
    """A question's answer as one cell (not for tables and sections: they have no one value)."""
    if raw is None or raw == "":
        return None
    return _SCALARS.get(question.type, text_value)(raw)


def cell_value(column: Column, raw: object) -> Value:
    """A table cell, typed by its column."""
    if raw is None or raw == "":
        return None
    if column.type is ColumnType.NUMBER:
        return number_value(raw)
    if column.type is ColumnType.DATE:
        return date_value(raw)
    if column.type is ColumnType.CHOICE and raw == OTHER:
        return OTHER_LABEL
    return text_value(raw)


def table_rows(raw: object) -> list[Mapping[str, Any]]:
    """A table answer's rows (an unanswered or malformed table has none)."""
    if not isinstance(raw, list):
        return []
    return [row for row in raw if isinstance(row, Mapping)]


def column_sum(column: Column, rows: Iterable[Mapping[str, Any]]) -> Decimal:
    """What the totals row shows: the numbers of the column added up (text cells are left out)."""
    total = Decimal(0)
    for row in rows:
        value = cell_value(column, row.get(column.column_id))
        if isinstance(value, Decimal):
            total += value
    return total


def with_unit(label: str, unit: str) -> str:
    """A column heading: numbers are bare in their cells, so the unit goes into the heading."""
    return f"{label}（{unit}）" if unit else label


def csv_cell(value: Value) -> str | int | Decimal | None:
    """A value as CSV text: dates as Excel in Japan reads and shows them (2026/04/01)."""
    if isinstance(value, datetime):
        return f"{value.year:04d}/{value.month:02d}/{value.day:02d} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"  # strftime is slower by half
    return value
