"""The XLSX export written with XlsxWriter: the 集計 sheets and, without a 様式, each 所属's sheet.

XlsxWriter rather than openpyxl's write-only mode: bench/surveys.py writes the same cells with
both, and XlsxWriter was the faster (about 1.6x on 10,000 table rows; it also imports in ~60 ms
against openpyxl's ~400). It cannot copy a 様式's sheet, so an export with 様式 sheets is
written by export_template.py with openpyxl. The workbook is built in memory: XlsxWriter's
constant_memory mode measured 1.7x slower for 200 所属 × 50 rows (10 MB of peak memory instead
of 50), and a Lambda function has the memory.

User text is written with `write_string`, never `write`, and the workbook is told not to turn
strings into formulas or links: text such as `=1+2` stays text, with the "quote prefix" mark
that keeps Excel from reading it as a formula when the cell is edited (core/spreadsheet.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.core.spreadsheet import looks_like_formula
from chalicelib.surveys.export_layout import (
    A4_PAPER,
    excel_number,
    number_cell,
    number_format,
    sheet_name,
    unit_sheet_names,
    write_grid,
    write_lines,
)
from chalicelib.surveys.export_sheets import Style, summary_grids, unit_lines
from chalicelib.surveys.export_values import ExportAnswer, ExportSurvey, Value

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

HEADER_FILL = "#DDEBF7"
LABEL_FILL = "#F2F2F2"
_STYLE_PROPERTIES: dict[str, dict[str, Any]] = {
    "plain": {},
    "title": {"bold": True, "font_size": 14},
    "heading": {"bold": True},
    "header": {"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter"},
    "label": {"bold": True, "bg_color": LABEL_FILL, "border": 1, "valign": "top"},
    "answer": {"border": 1, "valign": "top"},
    "total": {"bold": True, "top": 1},
}
_LOOKS = {style: style.value for style in Style}  # an Enum's .value is a slow property
# The workbook never guesses: a string is a string (no formulas, links or numbers made of it).
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class _Formats:
    """One XlsxWriter format per look, made on first use (a workbook holds a few dozen)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.made: dict[tuple[str, str | None, bool, bool], Format] = {}

    def get(self, look: str, num_format: str | None = None, quote: bool = False, wrap: bool = False) -> Format:
        key = (look, num_format, quote, wrap)
        made = self.made.get(key)
        if made is None:
            properties = dict(_STYLE_PROPERTIES[look])
            if num_format:
                properties["num_format"] = num_format
            if quote:
                properties["quote_prefix"] = True
            if wrap:
                properties["text_wrap"] = True
            made = self.made[key] = self.book.add_format(properties)
        return made


class XlsxWriterSheet:
    """export_layout.SheetWriter on an XlsxWriter worksheet."""

    def __init__(self, sheet: Worksheet, formats: _Formats) -> None:
        self.sheet = sheet
        self.formats = formats

    def put(self, row: int, column: int, value: Value, style: Style) -> None:
        look = _LOOKS[style] if style is not Style.ANSWER else "label" if column == 0 else "answer"
        if isinstance(value, str):
            fmt = self.formats.get(look, None, looks_like_formula(value), "\n" in value)
            self.sheet.write_string(row, column, value, fmt)
        elif isinstance(value, Decimal):
            number, num_format = number_cell(value)
            self.sheet.write_number(row, column, number, self.formats.get(look, num_format))
        elif isinstance(value, date):
            self.sheet.write_datetime(row, column, value, self.formats.get(look, number_format(value)))
        elif isinstance(value, int):
            self.sheet.write_number(row, column, value, self.formats.get(look))

    def subtotal(self, row: int, column: int, first_row: int, last_row: int, value: Decimal) -> None:
        from xlsxwriter.utility import xl_col_to_name

        letter = xl_col_to_name(column)
        formula = f"=SUBTOTAL(9,{letter}{first_row + 1}:{letter}{last_row + 1})"
        # the computed value is stored too: previews and readers that do not calculate show it
        fmt = self.formats.get("total", number_format(value))
        self.sheet.write_formula(row, column, formula, fmt, excel_number(value))

    def finish(
        self, widths: Sequence[float], freeze: tuple[int, int] | None, filter_to: tuple[int, int] | None
    ) -> None:
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        if freeze:
            self.sheet.freeze_panes(*freeze)
        if filter_to:
            self.sheet.autofilter(0, 0, *filter_to)
            self.sheet.repeat_rows(0)
        self.sheet.set_landscape()
        self.sheet.set_paper(A4_PAPER)
        self.sheet.fit_to_pages(1, 0)
        self.sheet.set_footer("&C&P / &N")


def xlsx_workbook(survey: ExportSurvey, answers: Sequence[ExportAnswer], per_unit_sheets: bool) -> bytes:
    """集計 sheets first, then (if asked) one clean sheet per 所属, in the answers' order."""
    import xlsxwriter  # ~60 ms: only an export pays for it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    book.set_properties({"title": survey.title, "subject": survey.number})
    formats = _Formats(book)
    taken: set[str] = set()
    for grid in summary_grids(survey.form, answers):
        write_grid(XlsxWriterSheet(book.add_worksheet(sheet_name(grid.name, taken)), formats), grid)
    if per_unit_sheets:
        for answer, name in zip(answers, unit_sheet_names(answers, taken), strict=True):
            writer = XlsxWriterSheet(book.add_worksheet(name), formats)
            _, widths = write_lines(writer, unit_lines(survey.number, survey.title, survey.form, answer))
            writer.finish(widths.widths, freeze=None, filter_to=None)
    book.close()
    return out.getvalue()
