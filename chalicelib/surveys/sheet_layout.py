"""What an import of a 様式 returns: the draft form, notes for staff, and the sheet's layout
(surveys/layout.py, the same type the export reads).

Kept apart from the reading (`sheet_reader.py`) so the surveys service and the export can use
these plain, JSON-able types without importing openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.surveys.form import Form
from chalicelib.surveys.layout import SheetLayout, TableLayout

__all__ = ["ImportNote", "ImportedForm", "SheetLayout", "TableLayout"]


class ImportNote(str):
    """A note for staff about a guess: reads as English text, and `text(translate)` gives it
    in the reader's language (the message is an English msgid with {params})."""

    message: str
    params: dict[str, Any]

    def __new__(cls, message: str, **params: Any) -> ImportNote:
        note = super().__new__(cls, message.format(**params))
        note.message = message
        note.params = params
        return note

    def text(self, translate: Any = str) -> str:
        return str(translate(self.message)).format(**self.params)


@dataclass(frozen=True)
class ImportedForm:
    form: Form
    title: str
    notes: list[str]  # ImportNote: what was guessed, for staff to check
    layout: SheetLayout
