"""A 様式 sheet as boxes: each cell or merged area once, with what the import needs to know.

openpyxl gives cells one by one, with a merged area's value in its top-left cell and borders
spread over its cells. The import reasons about what a person sees: a merged title across
the page, a bordered empty box to write in, a list of choices from data validation. This
module turns a worksheet into that view (a `Grid` of `Box`es); `form_import.py` reads it.
Nothing here keeps openpyxl objects, so the rest is plain data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter, range_boundaries

MAX_ROWS = 500  # a 様式 is a few pages; whole-column formatting makes max_row huge
MAX_COLUMNS = 60
_SPACES = re.compile(r"[ \t\u3000]+")


@dataclass(frozen=True)
class Validation:
    """An Excel data-validation rule on an input cell."""

    kind: str  # list, whole, decimal, date, textLength
    choices: tuple[str, ...] = ()
    minimum: str | None = None
    maximum: str | None = None
    unreadable: bool = False  # a list whose source could not be read


@dataclass(frozen=True)
class Box:
    """One cell, or one merged area, as a person sees it."""

    row: int
    col: int
    last_row: int
    last_col: int
    kind: str  # empty, text, number, date, formula
    text: str  # text cells: the text on one line, trimmed; numbers: as shown plainly
    bordered: bool
    number_format: str
    validation: Validation | None = None

    @property
    def coord(self) -> str:
        return f"{self.letter}{self.row}"

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.col))

    @property
    def width(self) -> int:
        return self.last_col - self.col + 1

    @property
    def height(self) -> int:
        return self.last_row - self.row + 1

    @property
    def empty(self) -> bool:
        return self.kind == "empty"

    @property
    def date_format(self) -> bool:
        return bool(is_date_format(self.number_format))

    @property
    def number_formatted(self) -> bool:
        fmt = self.number_format
        return fmt not in ("General", "@") and not self.date_format and ("0" in fmt or "#" in fmt)


class Grid:
    """The boxes of one sheet, by position; `at(row, col)` finds the box covering a cell."""

    def __init__(self, boxes: list[Box], max_row: int, max_col: int, truncated: bool) -> None:
        self.boxes = sorted(boxes, key=lambda b: (b.row, b.col))
        self.max_row = max_row
        self.max_col = max_col
        self.truncated = truncated
        self._cover: dict[tuple[int, int], Box] = {}
        self._rows: dict[int, list[Box]] = {}
        for box in self.boxes:
            self._rows.setdefault(box.row, []).append(box)
            for r in range(box.row, box.last_row + 1):
                for c in range(box.col, box.last_col + 1):
                    self._cover[(r, c)] = box
        self.has_borders = any(b.bordered for b in self.boxes)

    def at(self, row: int, col: int) -> Box | None:
        return self._cover.get((row, col))

    def row(self, row: int) -> list[Box]:
        """The boxes that start in `row`, left to right."""
        return self._rows.get(row, [])


def one_line(text: str) -> str:
    """A cell's text on one line: Japanese joined without a space (予算額\\n（千円） → 予算額（千円）)."""
    lines = [_SPACES.sub(" ", line).strip() for line in str(text).splitlines()]
    out = ""
    for line in (ln for ln in lines if ln):
        joiner = " " if out and out[-1].isascii() and line[0].isascii() else ""
        out += joiner + line
    return out


def normal(text: str) -> str:
    """For matching keywords: full-width folded, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _kind_and_text(value: Any) -> tuple[str, str]:
    kind, text = "formula", ""  # array formulas and the like: computed, not typed in
    if value is None:
        kind = "empty"
    elif isinstance(value, str) and not value.startswith("="):
        text = one_line(value)
        kind = "text" if text else "empty"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        kind, text = "number", str(int(value)) if float(value).is_integer() else str(value)
    elif isinstance(value, datetime | date | time):
        kind, text = "date", value.isoformat()
    return kind, text


def _bordered(cells: list[Any]) -> bool:
    for cell in cells:
        border = cell.border
        if border is not None and any(
            side is not None and side.style for side in (border.left, border.right, border.top, border.bottom)
        ):
            return True
    return False


def build_grid(ws: Any, validations: dict[tuple[int, int], Validation]) -> Grid:
    """The grid of worksheet `ws` (openpyxl), bounded to the first MAX_ROWS × MAX_COLUMNS."""
    # One row and column past the used range: a label at the edge may have its box there,
    # empty and unformatted, so outside what Excel counts as used.
    max_row = min((ws.max_row or 1) + 1, MAX_ROWS)
    max_col = min((ws.max_column or 1) + 1, MAX_COLUMNS)
    truncated = (ws.max_row or 1) > MAX_ROWS or (ws.max_column or 1) > MAX_COLUMNS
    merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_row > max_row or rng.min_col > max_col:
            continue
        bounds = (rng.min_row, rng.min_col, min(rng.max_row, max_row), min(rng.max_col, max_col))
        for r in range(bounds[0], bounds[2] + 1):
            for c in range(bounds[1], bounds[3] + 1):
                merged[(r, c)] = bounds
    boxes = []
    for cells in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in cells:
            r, c = cell.row, cell.column
            first_row, first_col, last_row, last_col = merged.get((r, c), (r, c, r, c))
            if (first_row, first_col) != (r, c):
                continue  # inside a merged area: its top-left cell stands for it
            area = (
                [ws.cell(rr, cc) for rr in range(r, last_row + 1) for cc in range(c, last_col + 1)]
                if last_row > r or last_col > c
                else [cell]
            )
            kind, text = _kind_and_text(cell.value)
            boxes.append(
                Box(
                    r,
                    c,
                    last_row,
                    last_col,
                    kind,
                    text,
                    _bordered(area),
                    cell.number_format or "General",
                    validations.get((r, c)),
                )
            )
    return Grid(boxes, max_row, max_col, truncated)


# --- data validation -------------------------------------------------------------------------


def read_validations(wb: Any, ws: Any) -> dict[tuple[int, int], Validation]:
    """Each validated cell's rule, for the cells of `ws` within the grid's bounds."""
    found: dict[tuple[int, int], Validation] = {}
    for dv in ws.data_validations.dataValidation:
        rule = _validation(wb, ws, dv)
        if rule is None:
            continue
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row, min(rng.max_row, MAX_ROWS) + 1):
                for c in range(rng.min_col, min(rng.max_col, MAX_COLUMNS) + 1):
                    found[(r, c)] = rule
    return found


def _validation(wb: Any, ws: Any, dv: Any) -> Validation | None:
    kind = dv.type or ""
    if kind == "list":
        choices = _list_source(wb, ws, dv.formula1 or "")
        return Validation("list", choices or (), unreadable=choices is None)
    if kind in ("whole", "decimal", "date", "textLength"):
        low, high = _plain_number(dv.formula1), _plain_number(dv.formula2)
        if dv.operator in ("lessThanOrEqual", "lessThan"):
            low, high = None, low
        elif dv.operator not in (None, "between", "greaterThanOrEqual", "greaterThan"):
            low, high = None, None
        return Validation(kind, minimum=low, maximum=high)
    return None


def _plain_number(formula: str | None) -> str | None:
    if formula is None or not re.fullmatch(r"-?\d+(\.\d+)?", formula.strip()):
        return None
    return formula.strip()


def _list_source(wb: Any, ws: Any, formula: str) -> tuple[str, ...] | None:
    """The choices of a list rule: inline ("はい,いいえ"), a range, or a defined name."""
    formula = formula.strip()
    if formula.startswith('"') and formula.endswith('"'):
        return _unique(part.strip() for part in formula[1:-1].split(","))
    sheet, ref = ws, formula.lstrip("=")
    if ref in wb.defined_names:
        destinations = list(wb.defined_names[ref].destinations)
        if len(destinations) != 1:
            return None
        title, ref = destinations[0]
        sheet = wb[title] if title in wb.sheetnames else None
    elif "!" in ref:
        title, ref = ref.rsplit("!", 1)
        title = title.strip("'")
        sheet = wb[title] if title in wb.sheetnames else None
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if (
        sheet is None
        or None in (min_col, min_row, max_col, max_row)
        or (max_row - min_row) * (max_col - min_col) > 1000
    ):
        return None
    values = (sheet.cell(r, c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1))
    return _unique(one_line(str(v)) for v in values if v is not None)


def _unique(items: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))
