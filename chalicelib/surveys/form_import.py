"""A draft form from an Excel 様式: the questions a 課 already asks, read from its workbook.

Staff have years of 様式 (.xlsx) and would rather upload one than rebuild it question by
question. `form_from_workbook` reads the active sheet and guesses, as a person would:

- the title: a line at the top, usually merged across (「○○に関する調査票」);
- label/value pairs: a label with an empty (bordered or merged) box to its right or below.
  The type comes from an Excel data-validation rule on the box (a list → choice, or yes/no
  for はい/いいえ, 有/無), the box's number format (date, number), a box written for
  circling (「有 ・ 無」), or the label's words (数・額・率・（千円） → number, 日・期日 →
  date, 有無 → yes/no); a box over two or more rows is long text;
- tables (`sheet_tables.py`): a header row (or two, with merged group headers) over input
  rows, with a 合計 row marking the columns to total; a grid with fixed row items becomes one
  question per cell;
- notes (※…, whole sentences) go into the next question's help, or into `notes`.

Everything guessed is listed in `notes` for staff to check before issuing. The result also
keeps where each answer goes in the sheet (`SheetLayout`), so an export can write answers
back into the 様式's own layout. Formulas are computed cells: never questions.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.core.i18n_markers import N_
from chalicelib.surveys.sheet_layout import ImportedForm, ImportNote, SheetLayout, TableLayout

__all__ = ["ImportNote", "ImportedForm", "SheetLayout", "TableLayout", "form_from_workbook"]

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024  # a 5 MB upload that unpacks past this is a zip bomb, not a 様式
# openpyxl holds every cell of every sheet: 2.6 MB of sheet XML (90,000 formatted cells) took
# 1.5 s and ~120 MB here. A 様式 and its helper sheets are far below this bound.
MAX_SHEET_XML = 10 * 1024 * 1024
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx


def form_from_workbook(data: bytes) -> ImportedForm:
    """The draft form of the 様式 in `data` (.xlsx). BadRequest when it is not one we can read."""
    _check_file(data)
    workbook = _load(data)
    from chalicelib.surveys.sheet_reader import read_sheet  # with openpyxl, only when importing

    sheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if not sheets:
        raise BadRequest(N_("The workbook has no sheet to read."), field="file")
    active = workbook.active
    sheet = active if active in sheets else sheets[0]
    imported = read_sheet(workbook, sheet)
    if len(sheets) > 1:
        others = "、".join(ws.title for ws in sheets if ws is not sheet)
        imported.notes.insert(
            0, ImportNote(N_("Only the sheet {sheet} was read; not {others}."), sheet=sheet.title, others=others)
        )
    if not imported.form.answerable:
        raise BadRequest(N_("No questions could be found on the sheet {sheet}."), field="file", sheet=sheet.title)
    return imported


def _check_file(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise BadRequest(N_("The 様式 file can be at most {max} MB."), field="file", max=MAX_BYTES // (1024 * 1024))
    if data.startswith(OLE2_SIGNATURE):
        raise BadRequest(
            N_(
                "This is an older Excel file (.xls) or one with a password. "
                "Save it in Excel as .xlsx without a password and upload it again."
            ),
            field="file",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise BadRequest(N_("This file is not an Excel workbook (.xlsx)."), field="file") from None
    names = {info.filename for info in infos}
    unpacked = sum(info.file_size for info in infos)
    sheet_xml = sum(
        info.file_size for info in infos if info.filename.startswith(("xl/worksheets/", "xl/sharedStrings"))
    )
    if "xl/workbook.xml" not in names:
        raise BadRequest(N_("This file is not an Excel workbook (.xlsx)."), field="file")
    if unpacked > MAX_UNPACKED or sheet_xml > MAX_SHEET_XML:
        raise BadRequest(N_("This workbook is too large to read as a 様式."), field="file")


def _load(data: bytes) -> Any:
    import openpyxl  # ~100 ms to import: only the import pays for it, not every cold start
    from openpyxl.utils.exceptions import InvalidFileException

    damaged = (InvalidFileException, SyntaxError, zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except (*damaged, AttributeError, OSError) as e:
        # A damaged part raises whatever its parser does: XML errors are SyntaxErrors (stdlib
        # and lxml alike), a missing part a KeyError, a bad value a ValueError or TypeError.
        raise BadRequest(N_("This Excel file could not be read. It may be damaged."), field="file") from e
