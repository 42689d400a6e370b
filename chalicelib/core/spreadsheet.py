"""Cells for spreadsheets: every CSV and XLSX export writes its text through here.

A cell that begins with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel and
LibreOffice, even in a CSV: a partner's user agent or a file named `=1+2.txt` would run as one
in the reader's spreadsheet (OWASP, "CSV Injection"). In a CSV such a cell is written with a
leading `'`, which both programs show as text and drop from the displayed value. In an XLSX the
cell's type already says text, and a `'` would be shown as typed: there the writer keeps the text
as it is, stores it as a string and marks the cell "quote prefix" (`looks_like_formula`), so
editing the cell later does not turn it into a formula either. CSV for Excel in Japan is UTF-8
with a BOM, or Excel reads it as Shift_JIS and garbles it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"

Cell = str | int | float | Decimal | None


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula if it were typed into a cell?"""
    return text.startswith(FORMULA_STARTS)


def safe_cell(value: Cell) -> str | int | float | Decimal:
    """A value a spreadsheet shows as written: text that would start a formula gets a `'`.

    Numbers stay numbers (a negative amount is not an attack); None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_text(header: Iterable[Cell], rows: Iterable[Iterable[Cell]]) -> str:
    """CSV text for Excel: CRLF line ends, every cell through `safe_cell`; the caller encodes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_bytes(header: Iterable[Cell], rows: Iterable[Iterable[Cell]]) -> bytes:
    """A CSV file for Excel: UTF-8 with BOM, CRLF line ends, every cell through `safe_cell`."""
    return UTF8_BOM + csv_text(header, rows).encode("utf-8")
