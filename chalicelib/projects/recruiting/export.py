"""Plan vs actual for 人事, as a workbook (XLSX) or a CSV (UTF-8 with BOM, or cp932). Pure: lines
in, bytes out; reports.py reads the commitments and 実績 and resolves the names.

- 所属別: one row per 所属 (部局, 所属, 人数, 計画 and 実績 in 人月, 実績時間, 未入力 months);
- 個人別: one row per person, project and month (the plan's share, what was recorded, the
  difference). The CSV is this sheet.

Every text a person typed (names of people, units and projects) goes through core/spreadsheet:
in the XLSX it is written as a string marked "quote prefix" when it looks like a formula, in
the CSV it gets a leading `'`, so `=HYPERLINK(…)` in a project name stays text. XlsxWriter, as
the survey export measured (surveys/export_xlsx.py), with strings never turned into formulas.
A cp932 CSV that cannot hold a character is refused with every such character and its place.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from chalicelib.core.spreadsheet import csv_bytes, csv_text, looks_like_formula

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

DETAIL_HEADER = (
    "部局",
    "所属",
    "職員ID",
    "氏名",
    "プロジェクト",
    "年月",
    "計画（%）",
    "実績（%）",
    "実績（時間）",
    "差（%）",
)
UNIT_HEADER = ("部局", "所属", "人数", "計画（人月）", "実績（人月）", "実績（時間）", "未入力（件）")
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


@dataclass(frozen=True)
class PlanLine:
    department_name: str
    unit_id: str
    unit_name: str
    staff_id: str
    staff_name: str
    project_name: str
    month: str  # YYYY-MM
    plan_percent: int
    actual_percent: int | None
    actual_hours: float | None

    @property
    def recorded(self) -> bool:
        return self.actual_percent is not None or self.actual_hours is not None

    @property
    def difference(self) -> int | None:
        return None if self.actual_percent is None else self.actual_percent - self.plan_percent


@dataclass(frozen=True)
class UnitLine:
    department_name: str
    unit_name: str
    people: int
    plan_person_months: Decimal
    actual_person_months: Decimal
    hours: Decimal
    missing: int


@dataclass(frozen=True)
class Cp932Problem:
    where: str  # 「氏名」 of a person, 「プロジェクト」 of a line, a heading
    char: str
    codepoint: str  # "U+1F600"


Cell = str | int | float | Decimal | None


def by_unit(lines: Iterable[PlanLine]) -> list[UnitLine]:
    grouped: dict[str, list[PlanLine]] = {}
    for line in lines:
        grouped.setdefault(line.unit_id, []).append(line)
    out = []
    for group in grouped.values():
        first = group[0]
        out.append(
            UnitLine(
                first.department_name,
                first.unit_name,
                len({x.staff_id for x in group}),
                sum((Decimal(x.plan_percent) / 100 for x in group), Decimal(0)),
                sum((Decimal(x.actual_percent) / 100 for x in group if x.actual_percent is not None), Decimal(0)),
                sum((Decimal(str(x.actual_hours)) for x in group if x.actual_hours is not None), Decimal(0)),
                sum(1 for x in group if not x.recorded),
            )
        )
    return sorted(out, key=lambda u: (u.department_name, u.unit_name))


def detail_rows(lines: Iterable[PlanLine]) -> Iterator[list[Cell]]:
    for x in lines:
        yield [
            x.department_name,
            x.unit_name,
            x.staff_id,
            x.staff_name,
            x.project_name,
            x.month,
            x.plan_percent,
            x.actual_percent,
            x.actual_hours,
            x.difference,
        ]


def unit_rows(units: Iterable[UnitLine]) -> Iterator[list[Cell]]:
    for u in units:
        yield [
            u.department_name,
            u.unit_name,
            u.people,
            u.plan_person_months,
            u.actual_person_months,
            u.hours,
            u.missing,
        ]


def _write_sheet(book: Workbook, name: str, header: Sequence[str], rows: Iterable[list[Cell]]) -> None:
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    quoted = book.add_format({"quote_prefix": True})
    number = book.add_format({"num_format": "0.00"})
    widths = [max(8, len(h) * 2) for h in header]
    for column, heading in enumerate(header):
        sheet.write_string(0, column, heading, bold)
    last = 0
    for row, values in enumerate(rows, start=1):
        last = row
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row, column, value, quoted if looks_like_formula(value) else None)
                widths[column] = min(60, max(widths[column], len(value) * 2))
            elif isinstance(value, Decimal):
                sheet.write_number(row, column, float(value), number)
            else:
                sheet.write_number(row, column, value)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(last, 1), len(header) - 1)


def workbook(title: str, lines: Sequence[PlanLine]) -> bytes:
    """所属別 then 個人別."""
    import xlsxwriter  # ~60 ms: only an export pays for it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    book.set_properties({"title": title})
    _write_sheet(book, "所属別", UNIT_HEADER, unit_rows(by_unit(lines)))
    _write_sheet(book, "個人別", DETAIL_HEADER, detail_rows(lines))
    book.close()
    return out.getvalue()


def _unencodable(text: str) -> Iterator[str]:
    seen: set[str] = set()
    for char in text:
        if char not in seen:
            seen.add(char)
            try:
                char.encode("cp932")
            except UnicodeEncodeError:
                yield char


def cp932_problems(lines: Iterable[PlanLine]) -> list[Cp932Problem]:
    """Every character a cp932 CSV of these lines could not hold, once per place."""
    places: dict[tuple[str, str], None] = {}
    for x in lines:
        places[(f"部局「{x.department_name}」", x.department_name)] = None
        places[(f"所属「{x.unit_name}」", x.unit_name)] = None
        places[(f"氏名「{x.staff_name}」", x.staff_name)] = None
        places[(f"プロジェクト「{x.project_name}」", x.project_name)] = None
    return [Cp932Problem(where, char, f"U+{ord(char):04X}") for where, text in places for char in _unencodable(text)]


def csv_file(lines: Sequence[PlanLine], encoding: str = "utf-8-sig") -> bytes:
    """個人別 as CSV: "utf-8-sig" (with the BOM Excel needs) or "cp932" (check cp932_problems first)."""
    if encoding == "utf-8-sig":
        return csv_bytes(DETAIL_HEADER, detail_rows(lines))
    if encoding != "cp932":
        raise ValueError(f"a plan-vs-actual CSV is utf-8-sig or cp932, not {encoding!r}")
    return csv_text(DETAIL_HEADER, detail_rows(lines)).encode("cp932")
