"""The libraries alone, for bench/surveys.py: each writes the cells of Kumo's own export.

The cells are read back from Kumo's workbook once (untimed) as (row, column, value, number
format, type) per sheet, with the frozen panes, the filter and the widths; each function here
writes them with nothing but its library, which is the floor Kumo's figure is compared with.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from chalicelib.surveys.layout import SheetLayout


def read_cells(data: bytes) -> list[dict[str, Any]]:
    """Each sheet of an export as the plain facts a library writes: (row, column, value, format)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for sheet in book.worksheets:
        cells = [
            (c.row - 1, c.column - 1, c.value, c.number_format, c.data_type)
            for row in sheet.iter_rows()
            for c in row
            if c.value is not None
        ]
        widths = {k: d.width for k, d in sheet.column_dimensions.items() if d.width}
        sheets.append(
            {"title": sheet.title, "cells": cells, "freeze": sheet.freeze_panes, "filter": sheet.auto_filter.ref}
            | {"widths": widths}
        )
    return sheets


def xlsxwriter_alone(sheets: list[dict[str, Any]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    formats: dict[str, Any] = {}
    for spec in sheets:
        sheet = book.add_worksheet(spec["title"])
        for row, column, value, number_format, kind in spec["cells"]:
            fmt = formats.get(number_format)
            if fmt is None:
                fmt = formats[number_format] = book.add_format({"num_format": number_format})
            if kind == "f":
                sheet.write_formula(row, column, value, fmt)
            elif isinstance(value, str):
                sheet.write_string(row, column, value, fmt)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value, fmt)
            else:
                sheet.write_number(row, column, value, fmt)
        if spec["freeze"]:
            sheet.freeze_panes(spec["freeze"])
        if spec["filter"]:
            sheet.autofilter(spec["filter"])
        for letter, width in spec["widths"].items():
            sheet.set_column(f"{letter}:{letter}", width)
    book.close()
    return out.getvalue()


def openpyxl_write_only_alone(sheets: list[dict[str, Any]]) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec["title"])
        sheet.freeze_panes, sheet.auto_filter.ref = spec["freeze"], spec["filter"]
        for letter, width in spec["widths"].items():
            sheet.column_dimensions[letter].width = width
        rows: dict[int, list[Any]] = {}
        for row, column, value, number_format, _kind in spec["cells"]:
            line = rows.setdefault(row, [])
            line.extend([None] * (column + 1 - len(line)))
            if number_format == "General":
                line[column] = value
            else:
                cell = line[column] = WriteOnlyCell(sheet, value)
                cell.number_format = number_format
        for row in range(max(rows, default=-1) + 1):
            sheet.append(rows.get(row, []))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _openpyxl_cells(sheet: Any, spec: dict[str, Any]) -> None:
    for row, column, value, number_format, _kind in spec["cells"]:
        cell = sheet.cell(row + 1, column + 1, value)
        if number_format != "General":
            cell.number_format = number_format
    sheet.freeze_panes, sheet.auto_filter.ref = spec["freeze"], spec["filter"]
    for letter, width in spec["widths"].items():
        sheet.column_dimensions[letter].width = width


def openpyxl_alone(sheets: list[dict[str, Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        _openpyxl_cells(book.create_sheet(spec["title"]), spec)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_TYPED: dict[str, Callable[[Any], Any]] = {
    "staff": int,
    "held_on": date.fromisoformat,
    "budget": int,
    "spent": float,
    "start": date.fromisoformat,
}


def openpyxl_template_alone(
    template: bytes, layout: SheetLayout, summary: list[dict[str, Any]], answers: list[Any]
) -> bytes:
    """Load the 様式, write the 集計 cells, copy its sheet per 所属 and fill the layout's cells."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(template))
    source = book[layout.sheet_title]
    for index, spec in enumerate(summary):
        _openpyxl_cells(book.create_sheet(spec["title"], index), spec)
    table = layout.tables["projects"]
    for answer in answers:
        sheet = book.copy_worksheet(source)
        sheet.title = answer.unit_name
        for question_id, coordinate in layout.cells.items():
            value = answer.values.get(question_id)
            sheet[coordinate] = _TYPED[question_id](value) if question_id in _TYPED else str(value)
        for offset, row in enumerate(answer.values["projects"][: table.max_rows]):
            for column_id, letter in table.columns.items():
                value = row.get(column_id)
                sheet[f"{letter}{table.first_row + offset}"] = (
                    _TYPED[column_id](value) if column_id in _TYPED else value
                )
    book.remove(source)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_alone(rows: list[list[Any]], encoding: str) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
