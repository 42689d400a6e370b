"""Finding the tables of a 様式: a header row (maybe two, with merged group headers) over input rows.

A table here is a row of at least two adjacent labels whose cells below are empty input rows
(bordered, or numbered 1, 2, 3… in the first column), ending at a 合計/計 row or at the
first row that is not input. The same shape with fixed items down the first column
(庁舎, 学校, …) is a grid of questions rather than rows to add (`fixed_rows`). What this
finds is plain positions; `form_import.py` turns it into questions and the sheet layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.surveys.form import MAX_TABLE_ROWS
from chalicelib.surveys.sheet_grid import Box, Grid
from chalicelib.surveys.sheet_guess import (
    compose_header,
    is_example,
    is_instruction,
    is_row_number,
    is_row_number_header,
    is_total,
)


@dataclass
class FoundColumn:
    label: str
    header: Box  # the leaf header box
    first_cell: Box  # the column's first input cell
    total: bool = False  # its cell in the totals row is a formula or left empty to fill
    total_formula: bool = False


@dataclass
class FoundTable:
    header_row: int
    first_row: int  # the first input row
    rows: int  # input rows in the 様式
    columns: list[FoundColumn]
    row_number: FoundColumn | None = None  # a No. column, left out of the form
    totals_row: int | None = None
    example_rows: int = 0  # 記入例 rows between the header and the input rows, left out
    fixed_rows: list[Box] = field(default_factory=list)  # the first column's fixed items, if any
    area: set[tuple[int, int]] = field(default_factory=set)  # every box it covers

    @property
    def anchor(self) -> Box:
        return (self.row_number or self.columns[0]).header


def find_tables(grid: Grid, taken: set[tuple[int, int]]) -> list[FoundTable]:
    """Every table of the sheet, top to bottom; `taken` boxes (the title) are not headers."""
    tables: list[FoundTable] = []
    used = set(taken)
    for row in range(1, grid.max_row + 1):
        for run in _header_runs(grid, row, used):
            table = _read_table(grid, run)
            if table is not None:
                tables.append(table)
                used |= table.area
    return tables


def _header_runs(grid: Grid, row: int, used: set[tuple[int, int]]) -> list[list[Box]]:
    runs: list[list[Box]] = []
    current: list[Box] = []
    for box in grid.row(row):
        if box.kind != "text" or (box.row, box.col) in used or is_instruction(box.text):
            current = []
            continue
        if current and box.col != current[-1].last_col + 1:
            current = []
        if not current:
            runs.append(current)
        current.append(box)
    return [run for run in runs if len(run) >= 2]


def _leaves(grid: Grid, run: list[Box]) -> tuple[list[tuple[str, Box]], int]:
    """The header's leaf labels and its depth in rows (1, or 2+ with group headers)."""
    row = run[0].row
    depth = max(b.height for b in run)
    if depth == 1 and any(_subheaders(grid, b, row + 1) for b in run if b.width > 1):
        depth = 2
    leaves: list[tuple[str, Box]] = []
    for box in run:
        subs = _subheaders(grid, box, box.last_row + 1) if box.last_row < row + depth - 1 else []
        if subs:
            leaves += [(compose_header(box.text, sub.text), sub) for sub in subs]
        else:
            leaves.append((box.text, box))
    return leaves, depth


def _subheaders(grid: Grid, group: Box, row: int) -> list[Box]:
    subs = [b for b in grid.row(row) if group.col <= b.col <= group.last_col]
    return subs if subs and all(b.kind == "text" for b in subs) else []


def _read_table(grid: Grid, run: list[Box]) -> FoundTable | None:
    leaves, depth = _leaves(grid, run)
    first_row = run[0].row + depth
    first_cells = [grid.at(first_row, header.col) for _, header in leaves]
    if any(cell is None for cell in first_cells):
        return None
    columns = [
        FoundColumn(label, header, cell) for (label, header), cell in zip(leaves, first_cells, strict=True) if cell
    ]
    numbered = is_row_number_header(columns[0].label) or is_row_number(columns[0].first_cell.text, 1)
    table = FoundTable(run[0].row, first_row, 0, columns)
    if numbered:
        table.row_number, table.columns = columns[0], columns[1:]
        if not table.columns:
            return None
    _read_rows(grid, table)
    if table.rows == 0 and table.totals_row is None:
        return None
    table.area = _area(grid, table, run)
    return table


def _read_rows(grid: Grid, table: FoundTable) -> None:
    while any(is_example(box.text) for box in _row_boxes(grid, table, table.first_row)):
        table.first_row += 1
        table.example_rows += 1
    row = table.first_row
    while row <= grid.max_row and table.rows < MAX_TABLE_ROWS:
        cells = [grid.at(row, c.header.col) for c in table.columns]
        number_cell = grid.at(row, table.row_number.header.col) if table.row_number else None
        if any(cell is None or cell.row != row for cell in cells):
            break
        boxes = [cell for cell in cells if cell is not None]
        first_text = next((b.text for b in ([number_cell] if number_cell else []) + boxes if b.kind == "text"), "")
        if is_total(first_text):
            _read_totals(grid, table, row)
            break
        if not _input_row(grid, table, boxes, number_cell):
            break
        if not table.row_number and boxes[0].kind == "text":
            table.fixed_rows.append(boxes[0])
        table.rows += 1
        row += 1
    if table.fixed_rows and len(table.fixed_rows) != table.rows:
        # Some rows fixed, some free: a table whose first rows are examples. Keep it a table.
        table.fixed_rows = []


def _row_boxes(grid: Grid, table: FoundTable, row: int) -> list[Box]:
    cols = [c.header.col for c in ([table.row_number] if table.row_number else []) + table.columns]
    return [box for col in cols if (box := grid.at(row, col)) is not None and box.row == row]


def _input_row(grid: Grid, table: FoundTable, cells: list[Box], number_cell: Box | None) -> bool:
    if number_cell is not None and not is_row_number(number_cell.text, table.rows + 1):
        return False
    # A fixed item (庁舎, 学校, …) may head the row when every row has one.
    fixed_item = number_cell is None and cells[0].kind == "text" and len(table.fixed_rows) == table.rows
    rest = cells[1:] if fixed_item else cells
    if not all(cell.kind in ("empty", "formula") for cell in rest):
        return False
    return number_cell is not None or any(cell.bordered for cell in cells) or not grid.has_borders


def _read_totals(grid: Grid, table: FoundTable, row: int) -> None:
    table.totals_row = row
    for column in table.columns:
        cell = grid.at(row, column.header.col)
        if cell is None or cell.kind == "text":
            continue  # the 合計 label itself, or a cell marked 「－」
        column.total = True
        column.total_formula = cell.kind == "formula"


def _area(grid: Grid, table: FoundTable, run: list[Box]) -> set[tuple[int, int]]:
    first_col, last_col = run[0].col, run[-1].last_col
    last_row = table.totals_row or table.first_row + table.rows - 1
    area: set[tuple[int, int]] = set()
    for row in range(run[0].row, last_row + 1):
        for col in range(first_col, last_col + 1):
            box = grid.at(row, col)
            if box is not None:
                area.add((box.row, box.col))
    return area
