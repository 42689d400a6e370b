"""Reading one 様式 sheet into a draft form: `form_import.py`'s worker (see its docstring).

The sheet is read in three passes over its boxes (`sheet_grid.py`): the title, then the
tables (`sheet_tables.py`), then every remaining text as a label (with the box it asks to be
filled), a heading, or a note. Each becomes an item at its position; the items are then put
in reading order, headings just above a table name it, and notes join the next question's
help. Each guess that is not plain text is noted for staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.core.i18n_markers import N_
from chalicelib.surveys import sheet_guess as guess
from chalicelib.surveys.design import MAX_HELP, MAX_LABEL, new_column_id, new_question_id
from chalicelib.surveys.form import (
    MAX_COLUMNS,
    MAX_QUESTIONS,
    MAX_TABLE_ROWS,
    Column,
    ColumnType,
    Form,
    Question,
    QuestionType,
)
from chalicelib.surveys.sheet_grid import MAX_COLUMNS as SHEET_COLUMNS
from chalicelib.surveys.sheet_grid import MAX_ROWS as SHEET_ROWS
from chalicelib.surveys.sheet_grid import Box, Grid, build_grid, normal, read_validations
from chalicelib.surveys.sheet_layout import ImportedForm, ImportNote, SheetLayout, TableLayout
from chalicelib.surveys.sheet_tables import FoundColumn, FoundTable, find_tables

MIN_TABLE_ROWS = 10  # a 様式 with 5 printed rows still lets an answerer add more
MATRIX_CELLS = 60  # a fixed grid larger than this stays a table rather than 60+ questions
Q = QuestionType
_WHY = {  # the notes on a question's guessed type (plain text needs none)
    Q.NUMBER: N_("{cell} “{label}” became a number question."),
    Q.DATE: N_("{cell} “{label}” became a date question."),
    Q.YES_NO: N_("{cell} “{label}” became a yes/no question."),
    Q.LONG_TEXT: N_("{cell} “{label}” became a long text question (its box is several rows high)."),
    Q.SINGLE_CHOICE: N_("{cell} “{label}” became a choice from the cell's list."),
}


@dataclass
class _Item:
    row: int
    col: int
    kind: str  # question, table, section, help
    questions: list[Question] = field(default_factory=list)
    text: str = ""
    unnamed: ImportNote | None = None  # a table's note when no heading names it


def read_sheet(workbook: Any, ws: Any) -> ImportedForm:
    grid = build_grid(ws, read_validations(workbook, ws))
    return _Reader(grid, ws.title).read()


class _Reader:
    def __init__(self, grid: Grid, sheet_title: str) -> None:
        self.grid = grid
        self.sheet_title = sheet_title
        self.notes: list[str] = []
        self.used: set[tuple[int, int]] = set()
        self.items: list[_Item] = []
        self.ids: set[str] = set()
        self.cells: dict[str, str] = {}
        self.tables: dict[str, TableLayout] = {}
        self.table_count = 0

    def read(self) -> ImportedForm:
        if self.grid.truncated:
            self.notes.append(
                ImportNote(
                    N_("Only the first {rows} rows and {columns} columns of the sheet were read."),
                    rows=SHEET_ROWS,
                    columns=SHEET_COLUMNS,
                )
            )
        title = self._title()
        for table in find_tables(self.grid, self.used):
            self._table(table)
        for box in self.grid.boxes:
            if box.kind == "text" and (box.row, box.col) not in self.used:
                self._text(box)
        questions = self._assemble()
        if len(questions) > MAX_QUESTIONS:
            questions = questions[:MAX_QUESTIONS]
            self.notes.append(ImportNote(N_("Only the first {max} questions were kept."), max=MAX_QUESTIONS))
        kept = {q.question_id for q in questions}
        layout = SheetLayout(
            self.sheet_title,
            {k: v for k, v in self.cells.items() if k in kept},
            {k: v for k, v in self.tables.items() if k in kept},
        )
        return ImportedForm(Form(tuple(questions)), title, self.notes, layout)

    # --- the passes ----------------------------------------------------------------------

    def _title(self) -> str:
        for box in self.grid.boxes:
            if box.row > 8:
                break
            if box.kind != "text" or guess.is_form_number(box.text) or not self._alone(box):
                continue
            if guess.looks_like_title(box.text) or (box.width >= 3 and not self._fillable(self._right(box), box)):
                self.used.add((box.row, box.col))
                self.notes.append(ImportNote(N_("The title was read from {cell}."), cell=box.coord))
                return box.text[:MAX_LABEL]
        first = next((b for b in self.grid.boxes if b.kind == "text"), None)
        if first is not None and first.row <= 3 and self._plain_heading(first):
            # No title words, but the sheet opens with a line of its own: that is its title.
            self.used.add((first.row, first.col))
            self.notes.append(ImportNote(N_("The title was read from {cell}."), cell=first.coord))
            return first.text[:MAX_LABEL]
        self.notes.append(ImportNote(N_("No title was found; enter one.")))
        return ""

    def _plain_heading(self, box: Box) -> bool:
        text = box.text
        plain = not (guess.is_form_number(text) or guess.is_instruction(text) or guess.is_date_blank(text))
        return plain and self._alone(box) and not self._fillable(self._right(box), box)

    def _table(self, table: FoundTable) -> None:
        if table.fixed_rows and len(table.fixed_rows) * (len(table.columns) - 1) <= MATRIX_CELLS:
            self._matrix(table)
        elif table.rows == 1 and table.totals_row is None and table.row_number is None:
            # One row of boxes under one row of labels: labels above their answers, not rows.
            for column in table.columns:
                self._scalar(column.header, column.label, column.first_cell)
        else:
            if table.fixed_rows:
                self.notes.append(
                    ImportNote(
                        N_("The table at {cell} lists too many fixed items to ask one by one; answerers fill them in."),
                        cell=table.anchor.coord,
                    )
                )
            self._rows_table(table)
        self.used |= table.area

    def _text(self, box: Box) -> None:
        self.used.add((box.row, box.col))
        if guess.is_form_number(box.text):
            return
        if guess.is_date_blank(box.text):
            self._scalar(box, "記入日", box, force=Q.DATE)
            self.notes.append(
                ImportNote(N_("{cell}: the blank date “{text}” became a date question."), cell=box.coord, text=box.text)
            )
            return
        if guess.is_instruction(box.text):
            self.items.append(_Item(box.row, box.col, "help", text=box.text))
            return
        right = self._right(box)
        if self._fillable(right, box):
            assert right is not None
            self._scalar(box, box.text, right)
        elif self._fillable(below := self._below(box), box, under=True):
            assert below is not None
            self._scalar(box, box.text, below)
        elif right is not None and right.kind == "formula":
            self.used.add((right.row, right.col))
            self.notes.append(
                ImportNote(
                    N_("{cell} “{label}” is calculated in the 様式 (a formula) and was left out."),
                    cell=right.coord,
                    label=box.text,
                )
            )
        elif right is not None and right.kind in ("text", "number", "date") and (right.row, right.col) not in self.used:
            self.used.add((right.row, right.col))  # a fixed value: 提出期限｜令和8年12月1日
            self.items.append(_Item(box.row, box.col, "help", text=f"{box.text}：{right.text}"))
        elif len(box.text) <= 40 and self._alone(box):
            label, _ = guess.clean_label(box.text)
            self.items.append(_Item(box.row, box.col, "section", [Question(self._qid(), Q.SECTION, label)], text=label))
        else:
            self.items.append(_Item(box.row, box.col, "help", text=box.text))

    # --- boxes -----------------------------------------------------------------------------

    def _right(self, box: Box) -> Box | None:
        right = self.grid.at(box.row, box.last_col + 1)
        return right if right is not None and right.row == box.row else None

    def _below(self, box: Box) -> Box | None:
        below = self.grid.at(box.last_row + 1, box.col)
        return below if below is not None and below.col == box.col else None

    def _alone(self, box: Box) -> bool:
        return all(b is box or b.empty for b in self.grid.row(box.row))

    def _fillable(self, box: Box | None, label: Box, *, under: bool = False) -> bool:
        """Whether `box` is where the answer to `label` is written."""
        if box is None or (box.row, box.col) in self.used:
            return False
        if box.kind == "text":  # written to be circled or filled in: 「有 ・ 無」, 「令和　年　月　日」
            return not under and (guess.is_yes_no_text(box.text) or guess.is_date_blank(box.text))
        if box.kind != "empty":
            return False
        if under:
            return box.bordered and (box.height > 1 or box.width >= label.width)
        marked = box.bordered or box.validation is not None or box.width > 1 or box.height > 1
        if marked or label.text.endswith(("：", ":")):
            return True
        # A sheet with no borders at all: a label among labels (a list down the sheet).
        return not self.grid.has_borders and any(
            n is not None and n.kind == "text" for n in (self.grid.at(label.row - 1, label.col), self._below(label))
        )

    # --- questions -------------------------------------------------------------------------

    def _qid(self) -> str:
        qid = new_question_id(self.ids)
        self.ids.add(qid)
        return qid

    def _scalar(self, label_box: Box, text: str, box: Box, *, force: QuestionType | None = None) -> None:
        label, required = guess.clean_label(text)
        self.used |= {(label_box.row, label_box.col), (box.row, box.col)}
        unit = guess.unit_of(label)
        after = self._right(box)
        if box is not label_box and after is not None and after.kind == "text" and guess.is_unit(after.text):
            unit = after.text.strip("()（） \u3000")
            self.used.add((after.row, after.col))
        question = Question(self._qid(), Q.SHORT_TEXT, label, required=required, unit=unit)
        question = replace(question, type=force) if force else self._typed(question, box)
        if question.type is not Q.NUMBER:
            question = replace(question, unit="")
        self.cells[question.question_id] = box.coord
        self.items.append(_Item(label_box.row, label_box.col, "question", [question]))

    def _typed(self, q: Question, box: Box) -> Question:
        """`q` with the type its box and label suggest (the module docstring's order)."""
        v = box.validation
        if v is not None and v.kind == "list" and (v.unreadable or not v.choices):
            self.notes.append(
                ImportNote(
                    N_("The list of choices at {cell} could not be read; “{label}” became a text question."),
                    cell=box.coord,
                    label=q.label,
                )
            )
        typed = guess.typed(q, box)
        if typed.type in _WHY:
            self.notes.append(ImportNote(_WHY[typed.type], cell=box.coord, label=q.label))
        return typed

    def _column(self, found: FoundColumn, ids: set[str]) -> Column:
        label, required = guess.clean_label(found.label)
        column_id = new_column_id(ids)
        ids.add(column_id)
        question = guess.typed(Question("", Q.SHORT_TEXT, label, unit=guess.unit_of(label)), found.first_cell)
        kind = {Q.NUMBER: ColumnType.NUMBER, Q.DATE: ColumnType.DATE, Q.SINGLE_CHOICE: ColumnType.CHOICE}.get(
            question.type, ColumnType.TEXT
        )
        choices = question.choices
        if question.type is Q.YES_NO:
            kind, choices = ColumnType.CHOICE, _yes_no_choices(found.first_cell, label)
        if found.total_formula:
            kind = ColumnType.NUMBER  # =SUM(...) under it: whatever the header says, it is counted
        number = kind is ColumnType.NUMBER
        return Column(
            column_id,
            label,
            kind,
            required,
            question.unit if number else "",
            choices=choices,
            total=found.total and number,
        )

    def _rows_table(self, table: FoundTable) -> None:
        self.table_count += 1
        columns = table.columns[:MAX_COLUMNS]
        anchor = table.anchor
        if len(table.columns) > MAX_COLUMNS:
            self.notes.append(
                ImportNote(
                    N_("Only the first {max} columns of the table at {cell} were kept."),
                    max=MAX_COLUMNS,
                    cell=anchor.coord,
                )
            )
        ids: set[str] = set()
        made = [self._column(c, ids) for c in columns]
        label = f"表{self.table_count}"
        question = Question(
            self._qid(),
            Q.TABLE,
            label,
            columns=tuple(made),
            max_rows=min(max(table.rows, MIN_TABLE_ROWS), MAX_TABLE_ROWS),
        )
        self.tables[question.question_id] = TableLayout(
            table.first_row, {c.column_id: f.header.letter for c, f in zip(made, columns, strict=True)}, table.rows
        )
        self.notes.append(
            ImportNote(
                N_("{cell}: a table with {columns} columns; the 様式 has {rows} input rows."),
                cell=anchor.coord,
                columns=len(made),
                rows=table.rows,
            )
        )
        if table.row_number is not None:
            self.notes.append(
                ImportNote(
                    N_("Column {column} numbers the rows and was left out."), column=table.row_number.header.letter
                )
            )
        if table.example_rows:
            self.notes.append(
                ImportNote(N_("The example row under the table's header at {cell} was left out."), cell=anchor.coord)
            )
        totals = [c.label for c in made if c.total]
        if totals:
            self.notes.append(
                ImportNote(
                    N_("The totals row ({row}) sums: {columns}."), row=table.totals_row, columns="、".join(totals)
                )
            )
        unnamed = ImportNote(
            N_("{cell}: the table had no heading and was named “{label}”."), cell=anchor.coord, label=label
        )
        self.items.append(_Item(table.header_row, anchor.col, "table", [question], unnamed=unnamed))

    def _matrix(self, table: FoundTable) -> None:
        """Fixed items down the first column: one question per item and column."""
        items_column, columns = table.columns[0], table.columns[1:]
        section = Question(self._qid(), Q.SECTION, guess.clean_label(items_column.label)[0])
        questions = [section]
        for item in table.fixed_rows:
            for column in columns:
                cell = self.grid.at(item.row, column.header.col)
                if cell is None:
                    continue
                label = f"{guess.clean_label(item.text)[0]}：{guess.clean_label(column.label)[0]}"[:MAX_LABEL]
                q = guess.typed(Question(self._qid(), Q.SHORT_TEXT, label, unit=guess.unit_of(column.label)), cell)
                questions.append(q if q.type is Q.NUMBER else replace(q, unit=""))
                self.cells[q.question_id] = cell.coord
        self.notes.append(
            ImportNote(
                N_("{cell}: the table lists fixed items, so each of its cells became a question."),
                cell=table.anchor.coord,
            )
        )
        if table.totals_row is not None:
            self.notes.append(ImportNote(N_("The totals row ({row}) was left out."), row=table.totals_row))
        self.items.append(_Item(table.header_row, table.anchor.col, "table", questions))

    # --- reading order ---------------------------------------------------------------------

    def _assemble(self) -> list[Question]:
        items = sorted(self.items, key=lambda i: (i.row, i.col))
        questions: list[Question] = []
        pending: list[str] = []
        for index, item in enumerate(items):
            if item.kind == "help":
                pending.append(item.text)
                continue
            following = next((i for i in items[index + 1 :] if i.kind != "help"), None)
            if (
                item.kind == "section"
                and following is not None
                and following.kind == "table"
                and following.row - item.row <= 2
            ):
                following.questions[0] = replace(following.questions[0], label=item.text)
                following.unnamed = None
                continue  # a heading right above a table names it
            if item.unnamed is not None:
                self.notes.append(item.unnamed)
            first, *rest = item.questions
            help_text = "\n".join(pending)
            if help_text and len(help_text) <= MAX_HELP:
                first = replace(first, help=help_text)
            elif help_text:
                self.notes.append(ImportNote(N_("Text not attached to any question: {text}"), text=help_text[:500]))
            pending = []
            questions += [first, *rest]
        for text in pending:
            self.notes.append(ImportNote(N_("Text not attached to any question: {text}"), text=text))
        return questions


def _yes_no_choices(box: Box, label: str) -> tuple[str, ...]:
    v = box.validation
    if v is not None and v.choices:
        return v.choices
    return ("有", "無") if "有無" in normal(label) else ("はい", "いいえ")
