"""The XLSX export with each 所属's answer in a copy of the 様式's own sheet (openpyxl).

Only openpyxl can copy a sheet with its merged cells, borders, fonts, widths and page setup,
and it can do so only in a normal (not write-only) workbook: so this export loads the uploaded
様式, writes the 集計 sheets into it in front, copies the 様式's sheet once per 所属 and writes
the answer into the cells the layout names, then removes the 様式's own sheets. The template's
formulas (a 合計 row's SUM) stay and recalculate when the file is opened.

What openpyxl does not carry over from a 様式: pictures, shapes and text boxes, charts, and links
to other workbooks (dropped on purpose). An answer with more table rows than the 様式 has room
for, or a question the layout has no place for (added to the form after the import), is written
under the 様式's content, so nothing is lost; the 集計 sheets always have every answer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from chalicelib.core.spreadsheet import looks_like_formula
from chalicelib.surveys.export_layout import (
    A4_PAPER,
    DATE_FORMAT,
    excel_number,
    number_format,
    sheet_name,
    unit_sheet_names,
    write_grid,
    write_lines,
)
from chalicelib.surveys.export_sheets import Line, Style, answer_lines, summary_grids
from chalicelib.surveys.export_values import ExportAnswer, ExportSurvey, Value, cell_value, scalar_value, table_rows
from chalicelib.surveys.form import Form, Question, QuestionType
from chalicelib.surveys.layout import SheetLayout

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

EXTRAS_HEADING = "様式の欄に収まらなかった回答"
HEADER_FILL = "DDEBF7"
LABEL_FILL = "F2F2F2"


def _set(cell: Cell, value: Value) -> None:
    cell.value = excel_number(value) if isinstance(value, Decimal) else value
    if isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl made it a formula ("=…") on assignment
        cell.quotePrefix = True


@dataclass(frozen=True)
class _Place:
    """Where a layout's cell is written (a merged range's top left) and the 様式's format there:
    worked out once on the 様式's sheet, the same for every copy."""

    row: int
    column: int
    number_format: str
    shows_dates: bool


def put_value(cell: Cell, value: Value, place: _Place) -> None:
    """A value into a 様式's cell, keeping the cell's own number format when it has one (a date
    cell may show 和暦); text that looks like a formula is stored as text."""
    if isinstance(value, date):
        if not place.shows_dates:
            cell.number_format = number_format(value) or DATE_FORMAT
    elif isinstance(value, Decimal) and place.number_format == "General":
        cell.number_format = number_format(value) or "General"
    _set(cell, value)


_PLAIN = ("plain", None, False, False)


class _Styles:
    """Each look's style made once on a cell, then copied as openpyxl's own sheet copy does:
    setting font, fill and border cell by cell is what makes openpyxl slow on big sheets."""

    def __init__(self, base: Font) -> None:
        """`base`: the 様式's own default font (游ゴシック, ＭＳ Ｐゴシック…), which the bold
        headings keep; a font without a name would be each program's default, a serif in some."""
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        def bold(size: float | None = None) -> Font:
            return Font(name=base.name, size=size or base.size, charset=base.charset, scheme=base.scheme, bold=True)

        thin = Side(style="thin")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.looks = {
            "plain": {},
            "title": {"font": bold(14)},
            "heading": {"font": bold()},
            "header": {
                "font": bold(),
                "fill": PatternFill("solid", fgColor=HEADER_FILL),
                "border": box,
                "alignment": Alignment(wrap_text=True, vertical="center"),
            },
            "label": {"font": bold(), "fill": PatternFill("solid", fgColor=LABEL_FILL), "border": box},
            "answer": {"border": box, "alignment": Alignment(vertical="top")},
            "total": {"font": bold(), "border": Border(top=thin)},
        }
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.made: dict[tuple[str, str | None, bool, bool], object] = {}

    def apply(self, cell: Cell, look: str, num_format: str | None, quote: bool, wrap: bool) -> None:
        key = (look, num_format, quote, wrap)
        if key == _PLAIN:
            return  # a new cell has that style already
        made = self.made.get(key)
        if made is not None:
            cell._style = copy(made)  # noqa: SLF001 - openpyxl's WorksheetCopy does the same
            return
        for attribute, style in self.looks[look].items():
            setattr(cell, attribute, style)
        if num_format:
            cell.number_format = num_format
        if quote:
            cell.quotePrefix = True
        if wrap:
            cell.alignment = self.wrap
        self.made[key] = copy(cell._style)  # noqa: SLF001


class OpenpyxlSheet:
    """export_layout.SheetWriter on an openpyxl worksheet."""

    def __init__(self, sheet: Worksheet, styles: _Styles) -> None:
        self.sheet = sheet
        self.styles = styles

    def put(self, row: int, column: int, value: Value, style: Style) -> None:
        look = style.value
        if style is Style.ANSWER:
            look = "label" if column == 0 else "answer"
        cell = self.sheet.cell(row + 1, column + 1)
        text = value if isinstance(value, str) else ""
        self.styles.apply(cell, look, number_format(value), looks_like_formula(text), "\n" in text)
        _set(cell, value)  # the style above has the number format already

    def subtotal(self, row: int, column: int, first_row: int, last_row: int, value: Decimal) -> None:
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(column + 1)
        cell = self.sheet.cell(row + 1, column + 1)
        self.styles.apply(cell, "total", number_format(value), False, False)
        cell.value = f"=SUBTOTAL(9,{letter}{first_row + 1}:{letter}{last_row + 1})"

    def finish(
        self, widths: Sequence[float], freeze: tuple[int, int] | None, filter_to: tuple[int, int] | None
    ) -> None:
        from openpyxl.utils import get_column_letter

        for column, width in enumerate(widths):
            self.sheet.column_dimensions[get_column_letter(column + 1)].width = width
        if freeze:
            self.sheet.freeze_panes = self.sheet.cell(freeze[0] + 1, freeze[1] + 1).coordinate
        if filter_to:
            last = self.sheet.cell(filter_to[0] + 1, filter_to[1] + 1).coordinate
            self.sheet.auto_filter.ref = f"A1:{last}"
            self.sheet.print_title_rows = "1:1"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.paperSize = A4_PAPER
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.oddFooter.center.text = "&P / &N"


# --- the 様式's sheets --------------------------------------------------------------------------


def _places(sheet: Worksheet, layout: SheetLayout) -> dict[str, _Place]:
    """Every cell the layout names, as the `_Place` that holds its value."""
    from openpyxl.styles.numbers import is_date_format
    from openpyxl.utils.cell import coordinate_to_tuple

    wanted = set(layout.cells.values())
    for table in layout.tables.values():
        wanted |= {f"{letter}{table.first_row + i}" for letter in table.columns.values() for i in range(table.max_rows)}
    ranges = list(sheet.merged_cells.ranges)
    places = {}
    for coordinate in wanted:
        inside = next((r for r in ranges if coordinate in r), None)
        row, column = (inside.min_row, inside.min_col) if inside else coordinate_to_tuple(coordinate)
        shown = sheet.cell(row, column).number_format
        places[coordinate] = _Place(row, column, shown, is_date_format(shown))
    return places


def _copy_rest(source: Worksheet, target: Worksheet) -> None:
    """What openpyxl's copy_worksheet leaves behind but a 様式 relies on."""
    view = copy(source.sheet_view)
    view.tabSelected = False  # else every copy is selected: Excel would open them grouped
    target.views.sheetView[0] = view
    target.print_area = source.print_area or None
    target.print_title_rows = source.print_title_rows
    target.print_title_cols = source.print_title_cols
    for validation in source.data_validations.dataValidation:
        target.add_data_validation(copy(validation))
    for formatting in source.conditional_formatting:
        for rule in formatting.rules:
            target.conditional_formatting.add(formatting.sqref, rule)


def _unplaced(form: Form, layout: SheetLayout, values: dict[str, object]) -> tuple[list[Question], dict[str, int]]:
    """The questions the 様式 has no place for, and the tables with more rows than it has room."""
    questions: list[Question] = []
    placed_rows: dict[str, int] = {}
    for question in form.answerable:
        if question.type is QuestionType.TABLE:
            table = layout.tables.get(question.question_id)
            room = table.max_rows if table else 0
            if len(table_rows(values.get(question.question_id))) > room or not table:
                questions.append(question)
                placed_rows[question.question_id] = room
        elif question.question_id not in layout.cells:
            questions.append(question)
    return questions, placed_rows


def _fill(
    sheet: Worksheet, survey: ExportSurvey, layout: SheetLayout, places: dict[str, _Place], answer: ExportAnswer
) -> None:
    questions = {q.question_id: q for q in survey.form.answerable}
    for question_id, coordinate in layout.cells.items():
        question = questions.get(question_id)
        if question is not None and question.type is not QuestionType.TABLE:
            place = places[coordinate]
            value = scalar_value(question, answer.values.get(question_id))
            put_value(sheet.cell(place.row, place.column), value, place)
    for question_id, table in layout.tables.items():
        question = questions.get(question_id)
        if question is None or question.type is not QuestionType.TABLE:
            continue
        columns = {c.column_id: c for c in question.columns}
        for offset, row in enumerate(table_rows(answer.values.get(question_id))[: table.max_rows]):
            for column_id, letter in table.columns.items():
                if column_id in columns:
                    place = places[f"{letter}{table.first_row + offset}"]
                    value = cell_value(columns[column_id], row.get(column_id))
                    put_value(sheet.cell(place.row, place.column), value, place)


def _write_extras(writer: OpenpyxlSheet, survey: ExportSurvey, layout: SheetLayout, answer: ExportAnswer) -> None:
    values = dict(answer.values)
    questions, placed_rows = _unplaced(survey.form, layout, values)
    if not questions:
        return
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.print_settings import PrintArea

    sheet = writer.sheet
    heading = [Line((EXTRAS_HEADING,), Style.HEADING)]
    end, widths = write_lines(writer, [*heading, *answer_lines(questions, values, placed_rows)], sheet.max_row + 1)
    printed = list(PrintArea.from_string(sheet.print_area or "").ranges)
    if len(printed) == 1:  # the 様式's print area, grown to print what was written under it
        area = printed[0]
        last_column = max(area.max_col, len(widths.widths))
        sheet.print_area = f"{get_column_letter(area.min_col)}{area.min_row}:{get_column_letter(last_column)}{end}"


def template_workbook(survey: ExportSurvey, answers: Sequence[ExportAnswer]) -> bytes:
    """集計 sheets first, then one copy of the 様式's sheet per 所属, in the answers' order."""
    import openpyxl  # ~0.4 s with lxml: only an export with a 様式 pays for it

    if survey.template is None or survey.layout is None:
        raise ValueError("an export in the 様式's layout needs the 様式 and its layout")
    layout = survey.layout
    book = openpyxl.load_workbook(io.BytesIO(survey.template), keep_links=False)
    if layout.sheet_title not in book.sheetnames:
        raise ValueError(f"the 様式 has no sheet {layout.sheet_title!r}")
    source = book[layout.sheet_title]
    originals = list(book.worksheets)
    taken = {sheet.title.casefold() for sheet in originals}
    grids = summary_grids(survey.form, answers)
    sheets = [book.create_sheet(sheet_name(grid.name, taken), index) for index, grid in enumerate(grids)]
    styles = _Styles(sheets[0]["A1"].font)  # a new cell has the workbook's default font
    for sheet, grid in zip(sheets, grids, strict=True):
        write_grid(OpenpyxlSheet(sheet, styles), grid)
    places = _places(source, layout)
    for answer, name in zip(answers, unit_sheet_names(answers, taken), strict=True):
        copied = book.copy_worksheet(source)
        copied.title = name
        _copy_rest(source, copied)
        _fill(copied, survey, layout, places, answer)
        _write_extras(OpenpyxlSheet(copied, styles), survey, layout, answer)
    removed = {original.title for original in originals}
    for original in originals:
        book.remove(original)
    for name in [n for n, d in book.defined_names.items() if any(t in (d.value or "") for t in removed)]:
        del book.defined_names[name]  # a name pointing into a removed sheet would be a #REF!
    book.active = 0
    book.worksheets[0].sheet_view.tabSelected = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
