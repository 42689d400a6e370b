"""The CSV export: one table for whatever reads CSV, UTF-8 with a BOM or Shift_JIS (cp932).

Rows as export_sheets.flat_rows lays them out (one per table row, the 所属's other answers
repeated), headings in Japanese, every cell through core/spreadsheet (no formulas). Many
offices' systems still take only Shift_JIS, and cp932 cannot hold every character people type
(an emoji, 𠮷 outside the BMP, a no-break space pasted from a web page): such a CSV is refused
with the list of every such character and where it is, so the 取りまとめ担当 can fix the answer
or choose UTF-8 — never a `?` in someone's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from chalicelib.core.spreadsheet import csv_bytes, csv_text
from chalicelib.surveys.export_sheets import flat_header, flat_rows, scalar_questions, table_questions
from chalicelib.surveys.export_values import (
    PART_KEY,
    ExportAnswer,
    ExportSurvey,
    cell_value,
    csv_cell,
    scalar_value,
    table_rows,
)

ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class Cp932Problem:
    """A character cp932 cannot hold: whose answer (empty for a heading), where, which."""

    unit_name: str
    where: str  # the question's label; for a table 「表 3行目 列」; for a heading 見出し「…」
    char: str
    codepoint: str  # "U+1F600"


class Unencodable(ValueError):
    """A cp932 CSV was asked for, but some answers hold characters cp932 does not have."""

    def __init__(self, problems: Sequence[Cp932Problem]) -> None:
        super().__init__(f"{len(problems)} characters cannot be written in Shift_JIS (cp932)")
        self.problems = list(problems)


def _texts(survey: ExportSurvey, answer: ExportAnswer) -> Iterator[tuple[str, str]]:
    """Every text of this 所属 that goes into the CSV, with the place a person would look."""
    yield "部局", answer.department_name
    yield "所属", answer.unit_name
    yield "状態", answer.state_label
    for question in scalar_questions(survey.form):
        value = scalar_value(question, answer.values.get(question.question_id))
        if isinstance(value, str):
            yield question.label, value
    for question in table_questions(survey.form):
        for number, row in enumerate(table_rows(answer.values.get(question.question_id)), start=1):
            place = f"{question.label} {number}行目"
            if row.get(PART_KEY):
                yield f"{place} 係", str(row[PART_KEY])
            for column in question.columns:
                value = cell_value(column, row.get(column.column_id))
                if isinstance(value, str):
                    yield f"{place} {column.label}", value


def _unencodable(text: str) -> Iterator[str]:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        seen: set[str] = set()
        for char in text:
            if char not in seen:
                seen.add(char)
                try:
                    char.encode("cp932")
                except UnicodeEncodeError:
                    yield char


def _problems(places: Iterable[tuple[str, str, str]]) -> list[Cp932Problem]:
    return [
        Cp932Problem(unit_name, where, char, f"U+{ord(char):04X}")
        for unit_name, where, text in places
        for char in _unencodable(text)
    ]


def cp932_problems(survey: ExportSurvey, answers: Iterable[ExportAnswer]) -> list[Cp932Problem]:
    """Every character a cp932 CSV of these answers could not hold, in the CSV's order."""
    places = [("", f"見出し「{heading}」", heading) for heading in flat_header(survey.form)]
    for answer in answers:
        places += [(answer.unit_name, where, text) for where, text in _texts(survey, answer)]
    return _problems(places)


def answers_csv(survey: ExportSurvey, answers: Iterable[ExportAnswer], encoding: str = "utf-8-sig") -> bytes:
    """The flattened 集計 as CSV: "utf-8-sig" (UTF-8 with a BOM, which Excel needs to read it
    as UTF-8) or "cp932" (raises `Unencodable` listing every character it cannot hold)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"a survey CSV is {' or '.join(ENCODINGS)}, not {encoding!r}")
    listed = list(answers)
    header = flat_header(survey.form)
    rows = ([csv_cell(value) for value in row] for row in flat_rows(survey.form, listed))
    if encoding == "utf-8-sig":
        return csv_bytes(header, rows)
    text = csv_text(header, rows)
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        # the places say where; the whole text is the fallback should a place ever be missed
        problems = cp932_problems(survey, listed) or _problems([("", "CSV", text)])
        raise Unencodable(problems) from None
