"""Laying export sheets out, for whichever library writes them: sheet names, widths, formats.

`write_grid` and `write_lines` place the values of export_sheets.py on a `SheetWriter`, which
export_xlsx.py implements with XlsxWriter and export_template.py with openpyxl (the library
that can copy a 様式's sheet). Rows and columns here count from 0.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from chalicelib.surveys.export_sheets import TOTAL_LABEL, Grid, Line, Style
from chalicelib.surveys.export_values import ExportAnswer, Value

A4_PAPER = 9  # the paper code both libraries write
SHEET_NAME_MAX = 31  # Excel's limit, counted in UTF-16 code units
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED_NAMES = {"history"}  # Excel keeps this one for its change tracking
MEASURED_ROWS = 300  # widths are judged on the first rows: enough to see, cheap on big exports
MIN_WIDTH, MAX_WIDTH = 6.0, 50.0
DATE_FORMAT = "yyyy/mm/dd"
TIME_FORMAT = "yyyy/mm/dd hh:mm"


class SheetWriter(Protocol):
    def put(self, row: int, column: int, value: Value, style: Style) -> None: ...

    def subtotal(self, row: int, column: int, first_row: int, last_row: int, value: Decimal) -> None:
        """A SUBTOTAL(9, …) of the column's rows first_row..last_row: it sums only the rows a
        filter leaves visible, so the 合計 follows what the reader filtered."""

    def finish(
        self, widths: Sequence[float], freeze: tuple[int, int] | None, filter_to: tuple[int, int] | None
    ) -> None:
        """Column widths; panes frozen above/left of `freeze`; an auto filter over the rows from
        the first to `filter_to` (last row, last column); printed landscape on A4, one page wide,
        the first row repeated on every page."""


# --- sheet names --------------------------------------------------------------------------------


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, units: int) -> str:
    while _utf16_units(text) > units:
        text = text[:-1]
    return text.strip().strip("'")


def sheet_name(wish: str, taken: set[str]) -> str:
    """A name Excel accepts, unique in `taken` (compared as Excel does, ignoring case), which is
    updated: at most 31 units, none of []:*?/\\, no ' at either end; a clash gets (2), (3)…"""
    base = _fit(_NOT_IN_SHEET_NAMES.sub("_", wish).strip().strip("'"), SHEET_NAME_MAX) or "Sheet"
    name, number = base, 1
    while name.casefold() in taken or name.casefold() in _RESERVED_NAMES:
        number += 1
        suffix = f"({number})"
        name = _fit(base, SHEET_NAME_MAX - len(suffix)) + suffix
    taken.add(name.casefold())
    return name


# --- widths and formats -------------------------------------------------------------------------


def text_width(text: str) -> float:
    """Columns a text needs: its length in Shift_JIS bytes, which is the width Japanese readers
    count (a full-width character two, ASCII and half-width kana one); the codec does it in C."""
    return float(len(text.encode("cp932", errors="replace")))


def number_format(value: Value) -> str | None:
    if isinstance(value, datetime):
        return TIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, Decimal):
        return number_cell(value)[1]
    return None


def number_cell(value: Decimal) -> tuple[int | float, str]:
    """The number Excel stores and its format: thousands separators, and as many decimals as
    the answer was written with ("3.50" shows 3.50)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        return int(value), "#,##0"
    return float(value), "#,##0." + "0" * -exponent


def excel_number(value: Decimal) -> int | float:
    return number_cell(value)[0]


_FIXED_WIDTHS = {datetime: 16.0, date: 10.0, type(None): 0.0}


def value_width(value: Value) -> float:
    if isinstance(value, str):
        if value.isascii():
            return float(len(value))
        # a long text wraps in the reader's mind anyway: its first line decides
        return text_width(value.split("\n", 1)[0] if "\n" in value else value)
    fixed = _FIXED_WIDTHS.get(type(value))
    if fixed is not None:
        return fixed
    if isinstance(value, Decimal):
        return float(len(str(value)) * 4 // 3)  # with its thousands separators
    return float(len(str(value)))


class Widths:
    def __init__(self) -> None:
        self.widths: list[float] = []

    def see(self, cells: Sequence[Value], extra: float = 0.0) -> None:
        while len(self.widths) < len(cells):
            self.widths.append(MIN_WIDTH)
        for index, value in enumerate(cells):
            width = value_width(value) + 2 + extra
            if width > self.widths[index]:
                self.widths[index] = min(width, MAX_WIDTH)


# --- placing values -----------------------------------------------------------------------------


def write_grid(writer: SheetWriter, grid: Grid) -> int:
    """Headings in row 0, the rows, a 合計 row under them when the grid totals any column;
    returns the number of data rows."""
    widths = Widths()
    widths.see(grid.header, extra=1)  # the filter button sits on the heading
    for column, heading in enumerate(grid.header):
        writer.put(0, column, heading, Style.HEADER)
    sums = dict.fromkeys(grid.totals, Decimal(0))
    count = 0
    for count, cells in enumerate(grid.rows, start=1):
        if count <= MEASURED_ROWS:
            widths.see(cells)
        for column, value in enumerate(cells):
            if value is not None:
                writer.put(count, column, value, Style.PLAIN)
        for column in sums:
            value = cells[column]
            if isinstance(value, Decimal):
                sums[column] += value
    if sums and count:
        writer.put(count + 1, max(grid.key_columns - 1, 0), TOTAL_LABEL, Style.TOTAL)
        for column, total in sums.items():
            writer.subtotal(count + 1, column, 1, count, total)
    last_column = len(grid.header) - 1
    writer.finish(widths.widths, freeze=(1, grid.key_columns), filter_to=(max(count, 1), last_column))
    return count


def write_lines(writer: SheetWriter, lines: Iterable[Line], first_row: int = 0) -> tuple[int, Widths]:
    """Lines one under the other from `first_row`; returns the next free row and the widths
    the lines need (a title does not widen its column: it may run over the next ones)."""
    widths = Widths()
    row = first_row
    for line in lines:
        for column, value in enumerate(line.cells):
            if value is not None:
                writer.put(row, column, value, line.style)
        if line.style is not Style.TITLE and row - first_row <= MEASURED_ROWS:
            widths.see(line.cells)
        row += 1
    return row, widths


def unit_sheet_names(answers: Sequence[ExportAnswer], taken: set[str]) -> list[str]:
    """Each 所属's sheet name: its name, with its 部局 in front where two 所属 share a name
    (総務課 exists in more than one 部局)."""
    counts = Counter(answer.unit_name for answer in answers)
    names = []
    for answer in answers:
        wish = answer.unit_name if counts[answer.unit_name] == 1 else f"{answer.department_name} {answer.unit_name}"
        names.append(sheet_name(wish.strip() or answer.unit_id, taken))
    return names
