"""Where a 様式's answers sit in its Excel sheet: one cell per question, a block of rows per table.

The 様式 import (`form_import.py`) reads an uploaded workbook and says, besides the form, where
each answer belongs in it; the export (`export.py`) writes each 所属's answers back into a copy
of that sheet, so the 取りまとめ担当 gets the sheets in the shape the 所属 know from paper.
Stored with the survey as JSON. Pure data: no openpyxl here, so the answer pages can read a
layout without paying for that import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_COLUMN = re.compile(r"[A-Z]{1,3}")


@dataclass(frozen=True)
class TableLayout:
    """A table question's rows: row `first_row` (1-based, as Excel numbers rows) holds the first
    answer row, the next `max_rows - 1` rows the others; each column id has its column letter."""

    first_row: int
    columns: dict[str, str] = field(default_factory=dict)  # column_id -> "B"
    max_rows: int = 0

    def __post_init__(self) -> None:
        if self.first_row < 1 or self.max_rows < 0:
            raise ValueError(f"a table starts at a row >= 1 and has >= 0 rows: {self.first_row}, {self.max_rows}")
        for letter in self.columns.values():
            if not _COLUMN.fullmatch(letter):
                raise ValueError(f"not a column letter: {letter!r}")

    def to_json(self) -> dict[str, Any]:
        return {"first_row": self.first_row, "columns": dict(self.columns), "max_rows": self.max_rows}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableLayout:
        return cls(
            first_row=int(data["first_row"]),
            columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
            max_rows=int(data.get("max_rows") or 0),
        )


@dataclass(frozen=True)
class SheetLayout:
    """The answers' places in the 様式's sheet `sheet_title`: question id -> "C5" for the
    questions with one value, question id -> TableLayout for tables."""

    sheet_title: str
    cells: dict[str, str] = field(default_factory=dict)
    tables: dict[str, TableLayout] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for coordinate in self.cells.values():
            if not _CELL.fullmatch(coordinate):
                raise ValueError(f"not a cell reference: {coordinate!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet_title": self.sheet_title,
            "cells": dict(self.cells),
            "tables": {question_id: table.to_json() for question_id, table in self.tables.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SheetLayout:
        """A layout from its JSON; ValueError/KeyError/TypeError on a malformed one."""
        return cls(
            sheet_title=str(data["sheet_title"]),
            cells={str(k): str(v) for k, v in (data.get("cells") or {}).items()},
            tables={str(k): TableLayout.from_json(v) for k, v in (data.get("tables") or {}).items()},
        )
