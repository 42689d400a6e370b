"""Cells for spreadsheets: every CSV (and later XLSX) export writes through here.

A cell that begins with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel and
LibreOffice, even in a CSV: a partner's user agent or a file named `=1+2.txt` would run as one
in the reader's spreadsheet (OWASP, "CSV Injection"). Such a cell is written with a leading `'`,
which both programs show as text and drop from the displayed value. CSV for Excel in Japan is
UTF-8 with a BOM, or Excel reads it as Shift_JIS and garbles it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"

Cell = str | int | float | None


def safe_cell(value: Cell) -> str | int | float:
    """A value a spreadsheet shows as written: text that would start a formula gets a `'`.

    Numbers stay numbers (a negative amount is not an attack); None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Iterable[Cell], rows: Iterable[Iterable[Cell]]) -> bytes:
    """A CSV file for Excel: UTF-8 with BOM, CRLF line ends, every cell through `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return UTF8_BOM + out.getvalue().encode("utf-8")
