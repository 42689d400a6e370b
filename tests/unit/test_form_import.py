"""Excel 様式 → draft form: three real shapes of 調査票, and the files that must be refused.

Each workbook is written here with openpyxl the way 課 staff lay them out: a merged title,
bordered boxes beside labels, data-validation lists, a two-row header with merged group
headers over numbered rows and a 合計 row, date and number formats, ※ notes.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from openpyxl.worksheet.datavalidation import DataValidation

from chalicelib.core.errors import BadRequest
from chalicelib.core.i18n import translations
from chalicelib.surveys import sheet_guess as guess
from chalicelib.surveys.design import check_form
from chalicelib.surveys.form import ColumnType, Question, QuestionType
from chalicelib.surveys.form_import import ImportedForm, SheetLayout, form_from_workbook

T = QuestionType
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _bordered(ws: Any, area: str) -> None:
    for row in ws[area if ":" in area else f"{area}:{area}"]:
        for cell in row:
            cell.border = BOX


def _box(ws: Any, area: str) -> None:
    """A bordered (merged when wider than a cell) box to write in."""
    if ":" in area:
        ws.merge_cells(area)
    _bordered(ws, area)


def _list(ws: Any, formula: str, area: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(area)


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _by_label(imported: ImportedForm) -> dict[str, Question]:
    return {q.label: q for q in imported.form.questions}


def _jigyo() -> bytes:
    """事業実施状況調査: pairs, a ※ note, a two-row header table with No. and 合計, yes/no list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "調査票"
    ws["A1"] = "様式第1号"
    ws["A2"] = "令和8年度 事業実施状況調査票"
    ws.merge_cells("A2:G2")
    ws["A4"], ws["E4"] = "所属名", "担当者名"
    _box(ws, "B4:D4")
    _box(ws, "F4:G4")
    ws["A5"], ws["E5"] = "電話番号", "回答日"
    _box(ws, "B5:D5")
    _box(ws, "F5:G5")
    ws["A7"] = "※ 金額は千円単位で記入してください。"
    ws["A8"] = "１ 事業の実施状況"
    for area, text in (
        ("A9:A10", "No."),
        ("B9:B10", "事業名"),
        ("E9:E10", "実施状況"),
        ("F9:F10", "開始日"),
        ("G9:G10", "担当者数"),
    ):
        ws[area.split(":")[0]] = text
        ws.merge_cells(area)
    ws["C9"] = "予算額（千円）"
    ws.merge_cells("C9:D9")
    ws["C10"], ws["D10"] = "当初", "補正"
    _bordered(ws, "A9:G16")
    for row in range(11, 16):
        ws.cell(row, 1, row - 10)
        for col in (3, 4):
            ws.cell(row, col).number_format = "#,##0"
        ws.cell(row, 6).number_format = "yyyy/m/d"
    _list(ws, '"実施済,実施中,未着手"', "E11:E15")
    ws["A16"] = "合計"
    ws.merge_cells("A16:B16")
    ws["C16"], ws["D16"], ws["G16"] = "=SUM(C11:C15)", "=SUM(D11:D15)", "=SUM(G11:G15)"
    ws["E16"], ws["F16"] = "－", "－"
    ws["A18"], ws["A19"], ws["C19"] = "国庫補助金の活用", "補助金額", "千円"
    _box(ws, "B18")
    _box(ws, "B19")
    _list(ws, '"はい,いいえ"', "B18")
    ws["A21"] = "特記事項"
    _box(ws, "A22:G24")
    return _bytes(wb)


def test_jigyo_jisshi_jokyo_chosa() -> None:
    imported = form_from_workbook(_jigyo())
    assert imported.title == "令和8年度 事業実施状況調査票"
    questions = imported.form.questions
    assert [(q.label, q.type) for q in questions] == [
        ("所属名", T.SHORT_TEXT),
        ("担当者名", T.SHORT_TEXT),
        ("電話番号", T.SHORT_TEXT),
        ("回答日", T.DATE),
        ("事業の実施状況", T.TABLE),
        ("国庫補助金の活用", T.YES_NO),
        ("補助金額", T.NUMBER),
        ("特記事項", T.LONG_TEXT),
    ]
    q = _by_label(imported)
    table = q["事業の実施状況"]
    assert table.help == "※ 金額は千円単位で記入してください。"
    assert [(c.label, c.type, c.total) for c in table.columns] == [
        ("事業名", ColumnType.TEXT, False),
        ("予算額（当初）（千円）", ColumnType.NUMBER, True),
        ("予算額（補正）（千円）", ColumnType.NUMBER, True),
        ("実施状況", ColumnType.CHOICE, False),
        ("開始日", ColumnType.DATE, False),
        ("担当者数", ColumnType.NUMBER, True),
    ]
    assert table.columns[1].unit == "千円"
    assert table.columns[3].choices == ("実施済", "実施中", "未着手")
    assert table.max_rows == 10  # 5 printed rows, at least 10
    assert q["補助金額"].unit == "千円"
    layout = imported.layout
    assert layout.sheet_title == "調査票"
    assert [layout.cells[q[label].question_id] for label in ("所属名", "担当者名", "電話番号", "回答日")] == [
        "B4",
        "F4",
        "B5",
        "F5",
    ]
    assert layout.cells[q["国庫補助金の活用"].question_id] == "B18"
    assert layout.cells[q["補助金額"].question_id] == "B19"
    assert layout.cells[q["特記事項"].question_id] == "A22"
    table_layout = layout.tables[table.question_id]
    assert table_layout.first_row == 11 and table_layout.max_rows == 5
    assert [table_layout.columns[c.column_id] for c in table.columns] == ["B", "C", "D", "E", "F", "G"]
    assert check_form(imported.form) == []  # importable straight into a draft that can be issued
    notes = " | ".join(imported.notes)
    assert "Column A numbers the rows" in notes and "The totals row (16)" in notes


def _kenshu() -> bytes:
    """職員研修受講希望調査: blank 和暦 date, a circled はい・いいえ, a list from a hidden sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "受講希望"
    ws["A1"] = "職員研修受講希望調査"
    ws.merge_cells("A1:F1")
    ws["A3"], ws["D3"] = "所属", "記入者（必須）"
    _box(ws, "B3:C3")
    _box(ws, "E3:F3")
    ws["A4"], ws["B4"] = "記入日", "令和　　年　　月　　日"
    ws["A6"] = "※ 希望研修名は一覧から選んでください。定員を超えた場合は調整します。"
    ws["A7"], ws["B7"] = "研修の受講を希望しますか", "はい ・ いいえ"
    for col, text in enumerate(("No.", "氏名", "職名", "希望研修名", "受講希望日", "備考"), start=1):
        ws.cell(9, col, text)
    _bordered(ws, "A9:F17")
    for row in range(10, 18):
        ws.cell(row, 1, row - 9)
    courses = wb.create_sheet("研修一覧")
    for row, name in enumerate(("新任職員研修", "文書事務研修", "政策形成研修", "情報セキュリティ研修"), start=1):
        courses.cell(row, 1, name)
    courses.sheet_state = "hidden"
    _list(ws, "'研修一覧'!$A$1:$A$4", "D10:D17")
    ws["A19"] = "研修に関する意見・要望"
    _box(ws, "A20:F22")
    return _bytes(wb)


def test_shokuin_kenshu_jukou_kibou_chosa() -> None:
    imported = form_from_workbook(_kenshu())
    assert imported.title == "職員研修受講希望調査"
    assert [(q.label, q.type, q.required) for q in imported.form.questions] == [
        ("所属", T.SHORT_TEXT, False),
        ("記入者", T.SHORT_TEXT, True),
        ("記入日", T.DATE, False),
        ("研修の受講を希望しますか", T.YES_NO, False),
        ("表1", T.TABLE, False),
        ("研修に関する意見・要望", T.LONG_TEXT, False),
    ]
    q = _by_label(imported)
    assert q["研修の受講を希望しますか"].help.startswith("※ 希望研修名は一覧から")
    table = q["表1"]
    assert [(c.label, c.type) for c in table.columns] == [
        ("氏名", ColumnType.TEXT),
        ("職名", ColumnType.TEXT),
        ("希望研修名", ColumnType.CHOICE),
        ("受講希望日", ColumnType.DATE),
        ("備考", ColumnType.TEXT),
    ]
    assert table.columns[2].choices == ("新任職員研修", "文書事務研修", "政策形成研修", "情報セキュリティ研修")
    assert table.max_rows == 10
    layout = imported.layout
    assert layout.cells[q["記入日"].question_id] == "B4"
    assert layout.cells[q["研修の受講を希望しますか"].question_id] == "B7"
    assert layout.tables[table.question_id].first_row == 10
    assert layout.tables[table.question_id].max_rows == 8
    # The hidden list sheet is not a second form; the unnamed table is pointed out.
    notes = " | ".join(imported.notes)
    assert "Only the sheet" not in notes and "had no heading" in notes
    assert check_form(imported.form) == []


def _taishin() -> bytes:
    """施設の耐震化状況調査: fixed facility rows under a two-row header, then pairs and a note."""
    wb = Workbook()
    ws = wb.active
    ws.title = "耐震化"
    ws["F1"] = "別紙2"
    ws["A2"] = "施設の耐震化状況調査"
    ws.merge_cells("A2:E2")
    ws["A4"], ws["A5"] = "市町村名", "回答者電話番号"
    _box(ws, "B4:C4")
    _box(ws, "B5:C5")
    ws["A7"] = "１ 施設区分ごとの状況"
    for area, text in (("A8:A9", "施設区分"), ("B8:B9", "全棟数"), ("E8:E9", "耐震診断の有無"), ("F8:F9", "備考")):
        ws[area.split(":")[0]] = text
        ws.merge_cells(area)
    ws["C8"] = "耐震化済"
    ws.merge_cells("C8:D8")
    ws["C9"], ws["D9"] = "棟数", "割合（％）"
    for row, name in enumerate(("庁舎", "学校", "病院", "公営住宅"), start=10):
        ws.cell(row, 1, name)
        ws.cell(row, 4).number_format = "0.0"
    ws["A14"], ws["B14"], ws["C14"] = "合計", "=SUM(B10:B13)", "=SUM(C10:C13)"
    _bordered(ws, "A8:F14")
    ws["A16"], ws["A17"], ws["A18"], ws["C18"] = "耐震改修の予定", "改修完了予定日", "改修予定費用", "千円"
    for cell in ("B16", "B17", "B18"):
        _box(ws, cell)
    _list(ws, '"有,無"', "B16")
    ws["B17"].number_format = 'ggge"年"m"月"d"日"'
    ws["B18"].number_format = "#,##0"
    ws["A20"] = "※ 令和8年4月1日時点の状況を記入してください。"
    return _bytes(wb)


def test_shisetsu_no_taishinka_jokyo_chosa() -> None:
    imported = form_from_workbook(_taishin())
    assert imported.title == "施設の耐震化状況調査"
    labels = [(q.label, q.type) for q in imported.form.questions]
    assert labels[:3] == [
        ("市町村名", T.SHORT_TEXT),
        ("回答者電話番号", T.SHORT_TEXT),
        ("施設区分ごとの状況", T.SECTION),
    ]
    assert labels[3:8] == [
        ("庁舎：全棟数", T.NUMBER),
        ("庁舎：耐震化済（棟数）", T.NUMBER),
        ("庁舎：耐震化済（割合）（％）", T.NUMBER),
        ("庁舎：耐震診断の有無", T.YES_NO),
        ("庁舎：備考", T.SHORT_TEXT),
    ]
    assert len(labels) == 3 + 4 * 5 + 3
    assert labels[-3:] == [("耐震改修の予定", T.YES_NO), ("改修完了予定日", T.DATE), ("改修予定費用", T.NUMBER)]
    q = _by_label(imported)
    assert q["庁舎：耐震化済（割合）（％）"].decimals == 1 and q["庁舎：耐震化済（割合）（％）"].unit == "％"
    assert q["改修予定費用"].unit == "千円" and q["改修予定費用"].decimals == 0
    cells = imported.layout.cells
    assert cells[q["学校：全棟数"].question_id] == "B11"
    assert cells[q["公営住宅：備考"].question_id] == "F13"
    assert cells[q["改修完了予定日"].question_id] == "B17"
    assert imported.layout.tables == {}
    notes = " | ".join(imported.notes)
    assert "each of its cells became a question" in notes and "The totals row (14) was left out" in notes
    assert "令和8年4月1日時点" in notes  # the closing note, with no question after it
    assert check_form(imported.form) == []


def test_notes_read_in_japanese_and_the_layout_round_trips_as_json() -> None:
    imported = form_from_workbook(_jigyo())
    japanese = translations("ja").gettext
    texts = [note.text(japanese) for note in imported.notes]  # type: ignore[attr-defined]
    assert texts[0] == "表題はA2から読み取りました。"
    assert "F5の「回答日」は日付の設問にしました。" in texts
    assert "A列は行番号のため、設問から除きました。" in texts
    assert SheetLayout.from_json(imported.layout.to_json()) == imported.layout


def test_other_visible_sheets_are_named_in_the_notes() -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A3"] = "照会事項", "担当者名"
    _box(ws, "B3")
    wb.create_sheet("記入例")
    imported = form_from_workbook(_bytes(wb))
    assert [q.label for q in imported.form.questions] == ["担当者名"]
    assert "not 記入例" in imported.notes[0]


def _refused(data: bytes) -> str:
    with pytest.raises(BadRequest) as caught:
        form_from_workbook(data)
    return caught.value.message


def test_files_that_are_not_a_readable_xlsx_are_refused() -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000  # an .xls renamed to .xlsx
    assert ".xls" in _refused(xls)
    assert _refused(b"%PDF-1.7 not a workbook") == "This file is not an Excel workbook (.xlsx)."
    good = _jigyo()
    assert _refused(good[: len(good) // 2]) == "This file is not an Excel workbook (.xlsx)."  # cut short
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert _refused(docx.getvalue()) == "This file is not an Excel workbook (.xlsx)."
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "not xml at all")
    assert _refused(broken.getvalue()) == "This Excel file could not be read. It may be damaged."
    assert _refused(b"PK" + b"\x00" * (5 * 1024 * 1024)) == "The 様式 file can be at most {max} MB."


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_damaged_part_inside_a_workbook_is_refused(part: str) -> None:
    assert _refused(_with_part(_jigyo(), part, b"<broken")) == "This Excel file could not be read. It may be damaged."


def test_a_workbook_that_unpacks_to_a_huge_sheet_is_refused_before_reading() -> None:
    huge = b"<worksheet>" + b" " * (11 * 1024 * 1024) + b"</worksheet>"  # compresses to a few KB
    data = _with_part(_jigyo(), "xl/worksheets/sheet1.xml", huge)
    assert len(data) < 1024 * 1024
    assert _refused(data) == "This workbook is too large to read as a 様式."


def test_a_sheet_without_questions_is_refused() -> None:
    wb = Workbook()
    wb.active["A1"] = "お知らせ"
    assert _refused(_bytes(wb)) == "No questions could be found on the sheet {sheet}."


def test_importing_the_module_leaves_openpyxl_for_the_import_itself() -> None:
    # The API's cold start never loads openpyxl (bench/cold_start.py): only an upload pays.
    code = "import sys, chalicelib.surveys.form_import; assert 'openpyxl' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize(
    ("group", "sub", "label"),
    [
        ("予算額", "（千円）", "予算額（千円）"),
        ("予算額", "当初", "予算額（当初）"),
        ("予算額（千円）", "補正", "予算額（補正）（千円）"),
        ("", "事業名", "事業名"),
    ],
)
def test_two_row_headers_compose_with_the_unit_last(group: str, sub: str, label: str) -> None:
    assert guess.compose_header(group, sub) == label


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("参加人数", "number"),
        ("事業費（千円）", "number"),
        ("達成率", "number"),
        ("案件名", "text"),  # ends in 件 but names a matter
        ("法人名", "text"),
        ("実施日", "date"),
        ("提出期限", "date"),
        ("開催日数", "number"),
        ("定休日", "text"),  # a weekday, not a date
        ("毎週の曜日", "text"),
        ("研修受講の有無", "yes_no"),
        ("障害者雇用（はい／いいえ）", "yes_no"),
    ],
)
def test_label_words(label: str, kind: str) -> None:
    found = (
        "yes_no"
        if guess.says_yes_no(label)
        else "number"
        if guess.says_number(label)
        else "date"
        if guess.says_date(label)
        else "text"
    )
    assert found == kind


def test_labels_lose_their_numbering_and_required_marks() -> None:
    assert guess.clean_label("（1）所属名：") == ("所属名", False)
    assert guess.clean_label("問3 回答者氏名【必須】") == ("回答者氏名", True)
    assert guess.clean_label("① 事業の概要") == ("事業の概要", False)
    assert guess.clean_label("2026年度の計画") == ("2026年度の計画", False)
