"""Reading an office's CSV file for the directory's imports (staff, the org tree).

UTF-8 (with or without BOM) or Shift_JIS as Excel saves it in Japan; headers in English or
Japanese, matched by name. A file is checked whole before anything is written: every problem
is collected and named by row and column, and any problem rejects the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

MAX_ROWS = 5000


class ImportRejected(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not) first; otherwise Shift_JIS as Windows writes it (cp932)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise ImportRejected(["the file is neither UTF-8 nor Shift_JIS text"]) from None


def alias(value: str) -> str:
    """How a cell is matched against a list of names: English case-insensitively, Japanese as written."""
    value = value.strip()
    return value.lower() if value.isascii() else value


@dataclass(frozen=True)
class Table:
    header: list[str]  # the columns' canonical names, in the file's order
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, cells by column)
    problems: list[tuple[int, str]]  # (row, what is wrong): rows of the wrong width

    def has(self, column: str) -> bool:
        return column in self.header


def read(
    text: str, aliases: Mapping[str, str], required: tuple[str, ...], *, or_else: Mapping[str, str] | None = None
) -> Table:
    """The rows of a CSV text by canonical column name; blank rows are skipped. A required column
    named in `or_else` may be replaced by the column it maps to."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ImportRejected(["the file is empty"])
    header = [aliases.get(h.strip().lower(), h.strip()) for h in rows[0]]
    instead = or_else or {}
    missing = [c for c in required if c not in header and instead.get(c) not in header]
    if missing:
        raise ImportRejected([f"row 1: missing column(s): {', '.join(missing)}"])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRejected([f"the file has {len(rows) - 1} rows; import at most {MAX_ROWS} at a time"])
    return Table(header, *_cells(header, rows[1:]))


def _cells(header: list[str], rows: list[list[str]]) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    found: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[int, str]] = []
    for number, row in _numbered(rows):
        if len(row) != len(header):
            problems.append((number, f"expected {len(header)} columns, found {len(row)}"))
            continue
        found.append((number, {header[i]: row[i].strip() for i in range(len(header))}))
    return found, problems


def _numbered(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(rows, start=2):
        if any(cell.strip() for cell in row):
            yield number, row


def reject_if_any(problems: list[tuple[int, str]]) -> None:
    """Reject the file when anything is wrong, naming each problem by row (in row order)."""
    if problems:
        ordered = sorted(enumerate(problems), key=lambda p: (p[1][0], p[0]))
        raise ImportRejected([f"row {number}: {text}" for _, (number, text) in ordered])
