"""What an import of a 様式 returns: the draft form, notes for staff, and the sheet's layout.

Kept apart from the reading (`sheet_reader.py`) so the surveys service and the export can use
these plain, JSON-able types without importing openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.surveys.form import Form


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
class TableLayout:
    first_row: int  # the sheet row of the table's first input row
    columns: dict[str, str]  # column_id → column letter ("B")
    max_rows: int  # how many input rows the 様式 has

    def to_json(self) -> dict[str, Any]:
        return {"first_row": self.first_row, "columns": dict(self.columns), "max_rows": self.max_rows}


@dataclass(frozen=True)
class SheetLayout:
    """Where each answer goes in the 様式: scalar answers by cell, tables by first row and columns."""

    sheet_title: str
    cells: dict[str, str] = field(default_factory=dict)  # question_id → "C5"
    tables: dict[str, TableLayout] = field(default_factory=dict)  # question_id → its layout

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet_title": self.sheet_title,
            "cells": dict(self.cells),
            "tables": {qid: t.to_json() for qid, t in self.tables.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SheetLayout:
        tables = {
            str(qid): TableLayout(
                int(t["first_row"]), {str(k): str(v) for k, v in t["columns"].items()}, int(t["max_rows"])
            )
            for qid, t in (data.get("tables") or {}).items()
        }
        cells = {str(k): str(v) for k, v in (data.get("cells") or {}).items()}
        return cls(str(data.get("sheet_title", "")), cells, tables)


@dataclass(frozen=True)
class ImportedForm:
    form: Form
    title: str
    notes: list[str]  # ImportNote: what was guessed, for staff to check
    layout: SheetLayout
