"""Survey exports as the 照会元 opens them: typed 集計 sheets, a sheet per 所属, CSV for Excel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest

from chalicelib.surveys.export import (
    Cp932Problem,
    ExportAnswer,
    ExportSurvey,
    Unencodable,
    answers_csv,
    answers_xlsx,
    cp932_problems,
    sheet_name,
)
from chalicelib.surveys.form import OTHER, Column, ColumnType, Form, Question, QuestionType
from chalicelib.surveys.layout import SheetLayout, TableLayout

FORM = Form(
    (
        Question("contact", QuestionType.SHORT_TEXT, "担当者"),
        Question("staff", QuestionType.NUMBER, "職員数", unit="人"),
        Question("held_on", QuestionType.DATE, "実施日"),
        Question("done", QuestionType.YES_NO, "研修の実施"),
        Question("topics", QuestionType.MULTI_CHOICE, "テーマ", choices=("防災", "情報"), allow_other=True),
        Question("kind", QuestionType.SINGLE_CHOICE, "区分", choices=("本庁", "出先")),
        Question("sec", QuestionType.SECTION, "事業の内訳"),
        Question(
            "projects",
            QuestionType.TABLE,
            "事業",
            columns=(
                Column("name", "事業名"),
                Column("budget", "予算額", ColumnType.NUMBER, unit="千円", total=True),
                Column("start", "開始日", ColumnType.DATE),
            ),
        ),
    )
)
SURVEY = ExportSurvey(number="総務第12号", title="研修実施状況調査", form=FORM)

JINJI = ExportAnswer(
    unit_id="u-jinji",
    unit_name="人事課",
    department_name="総務部",
    state_label="回答済",
    submitted_at=datetime(2026, 4, 10, 1, 30, tzinfo=UTC),  # 10:30 in Japan
    late=False,
    values={
        "contact": "=1+2",
        "staff": "42",
        "held_on": "2026-04-01",
        "done": "yes",
        "topics": {"choices": ["防災", OTHER], "other": "ハラスメント"},
        "kind": {"choice": "本庁", "other": ""},
        "projects": [
            {"name": "新任研修", "budget": "1200", "start": "2026-05-01", "_part": "人事係"},
            {"name": "@SUM(A1)", "budget": "350.5", "_part": "人事係"},
            {"name": "給与事務研修", "budget": "-20", "_part": "給与係"},
        ],
    },
)
ZAISEI = ExportAnswer(
    unit_id="u-zaisei",
    unit_name="財政課",
    department_name="総務部",
    state_label="回答済",
    submitted_at=datetime(2026, 4, 12, 8, 0, tzinfo=UTC),
    late=True,
    values={
        "contact": "髙橋 ㈱",
        "staff": "3.25",
        "done": "no",
        "topics": {"choices": [], "other": ""},
        "projects": [{"name": "予算研修 😀", "budget": "80"}],
    },
)
DOBOKU = ExportAnswer(
    unit_id="u-doboku",
    unit_name="道路課",
    department_name="土木部",
    state_label="未回答",
    submitted_at=None,
    late=False,
    values={},
)
ANSWERS = [JINJI, ZAISEI, DOBOKU]


def _book(data: bytes, data_only: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- 集計 ---------------------------------------------------------------------------------------


def test_the_summary_has_one_typed_row_per_unit_in_the_given_order() -> None:
    book = _book(answers_xlsx(SURVEY, ANSWERS))
    assert book.sheetnames[:2] == ["集計", "集計_事業"]
    sheet = book["集計"]
    header, jinji, zaisei, doboku, total = _rows(sheet)
    assert header == [
        "部局",
        "所属",
        "状態",
        "提出日時",
        "期限後",
        "担当者",
        "職員数（人）",
        "実施日",
        "研修の実施",
        "テーマ",
        "区分",
        "事業：予算額合計（千円）",
    ]
    assert jinji[:3] == ["総務部", "人事課", "回答済"]
    assert jinji[3] == datetime(2026, 4, 10, 10, 30), "submission times are Japan time"
    assert jinji[6] == 42 and isinstance(jinji[6], int)
    assert jinji[7] == datetime(2026, 4, 1)
    assert jinji[8:11] == ["はい", "防災、その他（ハラスメント）", "本庁"]
    assert jinji[11] == pytest.approx(1530.5)
    assert zaisei[4] == "○" and zaisei[6] == pytest.approx(3.25) and zaisei[8] == "いいえ"
    assert zaisei[9] is None, "no choice is an empty cell"
    assert doboku[:3] == ["土木部", "道路課", "未回答"] and doboku[11] is None
    assert total[1] == "合計" and total[11] == "=SUBTOTAL(9,L2:L4)"

    assert sheet["H2"].number_format == "yyyy/mm/dd"
    assert sheet["D2"].number_format == "yyyy/mm/dd hh:mm"
    assert sheet["G3"].number_format == "#,##0.00", "3.25 keeps the places it was written with"
    assert sheet.freeze_panes == "C2", "headings and 部局/所属 stay in view"
    assert sheet.auto_filter.ref == "A1:L4", "the filter covers the 所属 rows, not the 合計"
    assert sheet.column_dimensions["L"].width > sheet.column_dimensions["C"].width


def test_text_that_looks_like_a_formula_stays_text() -> None:
    book = _book(answers_xlsx(SURVEY, ANSWERS))
    contact = book["集計"]["F2"]
    assert (contact.value, contact.data_type) == ("=1+2", "s")
    assert contact.quotePrefix, "editing the cell in Excel must not make it a formula"
    name = book["集計_事業"]["E3"]
    assert (name.value, name.data_type, name.quotePrefix) == ("@SUM(A1)", "s", True)


def test_each_table_gets_a_sheet_with_its_unit_and_part_on_every_row_and_a_filtered_total() -> None:
    data = answers_xlsx(SURVEY, ANSWERS)
    sheet = _book(data)["集計_事業"]
    rows = _rows(sheet)
    assert rows[0] == ["部局", "所属", "係", "行", "事業名", "予算額（千円）", "開始日"]
    assert rows[1] == ["総務部", "人事課", "人事係", 1, "新任研修", 1200, datetime(2026, 5, 1)]
    assert rows[3][:6] == ["総務部", "人事課", "給与係", 3, "給与事務研修", -20]
    assert rows[4][:6] == ["総務部", "財政課", None, 1, "予算研修 😀", 80]
    assert len(rows) == 6, "道路課 has no rows; one 合計 row follows"
    assert rows[5][1] == "合計" and rows[5][5] == "=SUBTOTAL(9,F2:F5)"
    assert _book(data, data_only=True)["集計_事業"]["F6"].value == pytest.approx(1610.5), "the total is stored too"
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == "A1:G5"


def test_a_figure_excel_would_round_stays_text() -> None:
    answer = ExportAnswer("u", "会計課", "会計局", "回答済", None, False, {"staff": "1234567890.123456789"})
    sheet = _book(answers_xlsx(SURVEY, [answer], per_unit_sheets=False))["集計"]
    assert sheet["G2"].value == "1234567890.123456789"


# --- a sheet per 所属 ---------------------------------------------------------------------------


def test_without_a_template_each_unit_gets_a_question_and_answer_sheet() -> None:
    book = _book(answers_xlsx(SURVEY, ANSWERS))
    assert book.sheetnames[2:] == ["人事課", "財政課", "道路課"]
    rows = _rows(book["人事課"])
    assert rows[0][0] == "総務第12号　研修実施状況調査"
    answers = {row[0]: row[1] for row in rows if row[0] and len(row) > 1}
    assert answers["所属"] == "総務部　人事課"
    assert answers["職員数（人）"] == 42
    assert answers["テーマ"] == "防災、その他（ハラスメント）"
    table = rows.index(["No.", "係", "事業名", "予算額（千円）", "開始日"] + [None] * (len(rows[0]) - 5))
    assert rows[table + 1][:5] == [1, "人事係", "新任研修", 1200, datetime(2026, 5, 1)]
    assert rows[table + 4][0] == "合計" and rows[table + 4][3] == pytest.approx(1530.5)


def test_per_unit_sheets_can_be_left_out() -> None:
    assert _book(answers_xlsx(SURVEY, ANSWERS, per_unit_sheets=False)).sheetnames == ["集計", "集計_事業"]


def _template() -> bytes:
    """A small 様式: merged title and answer cells, a table of two rows with a SUM row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "様式1"
    sheet.merge_cells("A1:E1")
    sheet["A1"] = "研修実施状況調査票"
    sheet["A3"], sheet["A4"], sheet["A5"] = "担当者", "職員数", "実施日"
    sheet.merge_cells("B3:D3")
    sheet["B5"].number_format = '[$-ja-JP-x-gannen]ggge"年"m"月"d"日"'
    sheet["A7"], sheet["B7"], sheet["C7"] = "No.", "事業名", "予算額"
    sheet["C10"] = "=SUM(C8:C9)"
    sheet.sheet_view.showGridLines = False
    sheet.print_area = "A1:E12"
    book.create_sheet("記入例")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LAYOUT = SheetLayout(
    sheet_title="様式1",
    cells={"contact": "C3", "staff": "B4", "held_on": "B5"},  # C3 is inside the merged B3:D3
    tables={"projects": TableLayout(first_row=8, columns={"name": "B", "budget": "C"}, max_rows=2)},
)


def test_with_a_template_each_unit_gets_a_copy_of_the_form_sheet_with_its_answers() -> None:
    survey = ExportSurvey(SURVEY.number, SURVEY.title, FORM, layout=LAYOUT, template=_template())
    book = _book(answers_xlsx(survey, ANSWERS))
    assert book.sheetnames == ["集計", "集計_事業", "人事課", "財政課", "道路課"], "the 様式's own sheets are gone"
    sheet = book["人事課"]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:E1", "B3:D3"}
    assert sheet["A1"].value == "研修実施状況調査票"
    assert (sheet["B3"].value, sheet["B3"].data_type) == ("=1+2", "s"), "the merged cell's top left holds it"
    assert sheet["B4"].value == 42
    assert sheet["B5"].value == datetime(2026, 4, 1)
    assert "gannen" in sheet["B5"].number_format, "the 様式's own date format is kept"
    assert [sheet["B8"].value, sheet["C8"].value, sheet["B9"].value, sheet["C9"].value] == [
        "新任研修",
        1200,
        "@SUM(A1)",
        350.5,
    ]
    assert sheet["C10"].value == "=SUM(C8:C9)", "the 様式's formulas stay"
    below = _rows(sheet)[10:]
    assert ["様式の欄に収まらなかった回答"] in [row[:1] for row in below]
    assert [3, "給与係", "給与事務研修", -20] in [row[:4] for row in below], "the third row is not lost"
    assert ["合計（全行）", None, None, 1530.5] in [row[:4] for row in below], "the 様式's SUM missed a row"
    assert sheet.sheet_view.showGridLines is False and sheet.print_area == "'人事課'!$A$1:$E$19", (
        "printed, with what was written under it"
    )
    assert [bool(s.sheet_view.tabSelected) for s in book.worksheets] == [True, False, False, False, False]
    assert book["集計"].freeze_panes == "C2" and book["集計"].auto_filter.ref == "A1:L4"
    heading = book["集計"]["A1"].font
    assert heading.b and heading.name == "Calibri", "headings keep the 様式's font, in bold"


def test_a_layout_for_another_workbook_is_refused() -> None:
    layout = SheetLayout("別の様式", cells={"contact": "B3"})
    survey = ExportSurvey(SURVEY.number, SURVEY.title, FORM, layout=layout, template=_template())
    with pytest.raises(ValueError, match="no sheet"):
        answers_xlsx(survey, ANSWERS)


def test_a_template_export_without_unit_sheets_is_the_summary_alone() -> None:
    survey = ExportSurvey(SURVEY.number, SURVEY.title, FORM, layout=LAYOUT, template=_template())
    assert _book(answers_xlsx(survey, ANSWERS, per_unit_sheets=False)).sheetnames == ["集計", "集計_事業"]


# --- sheet names --------------------------------------------------------------------------------


def test_sheet_names_are_what_excel_accepts_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("集計", taken) == "集計"
    assert sheet_name("集計", taken) == "集計(2)"
    assert sheet_name("a/b\\c[d]e:f*g?h", taken) == "a_b_c_d_e_f_g_h"
    long = "とても長い名前の所属" * 5
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second and second.endswith("(2)")
    assert sheet_name("'引用'", taken) == "引用"
    assert sheet_name("Abc", taken) == "Abc" and sheet_name("ABC", taken) == "ABC(2)", "Excel ignores case"
    assert sheet_name("History", taken) == "History(2)", "Excel keeps History for itself"


def test_units_of_the_same_name_are_told_apart_by_their_department() -> None:
    general = [
        ExportAnswer("u1", "総務課", "健康福祉部", "回答済", None, False, {}),
        ExportAnswer("u2", "総務課", "農林水産部", "回答済", None, False, {}),
    ]
    names = _book(answers_xlsx(SURVEY, general)).sheetnames[2:]
    assert names == ["健康福祉部 総務課", "農林水産部 総務課"]


# --- CSV ----------------------------------------------------------------------------------------


def _csv(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_utf8_csv_has_a_bom_and_one_row_per_table_row() -> None:
    data = answers_csv(SURVEY, ANSWERS, "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    header, *rows = _csv(data, "utf-8-sig")
    assert header[-5:] == ["係", "行", "事業名", "予算額（千円）", "開始日"]
    assert len(rows) == 5, "3 + 1 table rows, and 道路課 on a row of its own"
    first = dict(zip(header, rows[0], strict=True))
    assert first["担当者"] == "'=1+2", "a formula in a CSV is neutralised"
    assert first["提出日時"] == "2026/04/10 10:30" and first["実施日"] == "2026/04/01"
    assert (first["係"], first["行"], first["予算額（千円）"]) == ("人事係", "1", "1200")
    third = dict(zip(header, rows[2], strict=True))
    assert third["予算額（千円）"] == "-20", "a negative number is a number, not a formula"
    assert third["職員数（人）"] == "42", "the 所属's answers repeat on each of its table rows"
    assert rows[1][header.index("事業名")] == "'@SUM(A1)"
    assert rows[4][:3] == ["土木部", "道路課", "未回答"] and rows[4][header.index("事業名")] == ""


def test_two_tables_share_the_csv_each_row_saying_which_table_it_is_from() -> None:
    form = Form(
        (
            Question("staff", QuestionType.NUMBER, "職員数"),
            Question("cars", QuestionType.TABLE, "公用車", columns=(Column("plate", "番号"),)),
            Question("rooms", QuestionType.TABLE, "会議室", columns=(Column("name", "名称"), Column("seats", "席数"))),
        )
    )
    answer = ExportAnswer(
        "u",
        "人事課",
        "総務部",
        "回答済",
        None,
        False,
        {"staff": "5", "cars": [{"plate": "品川 300"}], "rooms": [{"name": "第1", "seats": "12"}, {"name": "第2"}]},
    )
    header, *rows = _csv(answers_csv(ExportSurvey("", "t", form), [answer]), "utf-8-sig")
    assert header[5:] == ["職員数", "表", "係", "行", "公用車：番号", "会議室：名称", "会議室：席数"]
    assert [row[5:] for row in rows] == [
        ["5", "公用車", "", "1", "品川 300", "", ""],
        ["5", "会議室", "", "1", "", "第1", "12"],
        ["5", "会議室", "", "2", "", "第2", ""],
    ]


@pytest.mark.parametrize(("char", "holds"), [("髙", True), ("㈱", True), ("①", True), ("😀", False), ("𠮷", False)])
def test_what_cp932_can_hold_is_checked_not_assumed(char: str, holds: bool) -> None:
    answer = ExportAnswer("u", "会計課", "会計局", "回答済", None, False, {"contact": f"担当{char}"})
    problems = cp932_problems(SURVEY, [answer])
    assert (problems == []) is holds
    if not holds:
        assert problems == [Cp932Problem("会計課", "担当者", char, f"U+{ord(char):04X}")]


def test_a_cp932_csv_is_refused_with_every_character_it_cannot_hold_and_where() -> None:
    answers = [JINJI, ZAISEI]
    expected = [Cp932Problem("財政課", "事業 1行目 事業名", "😀", "U+1F600")]
    assert cp932_problems(SURVEY, answers) == expected
    with pytest.raises(Unencodable) as refused:
        answers_csv(SURVEY, answers, "cp932")
    assert refused.value.problems == expected
    assert isinstance(refused.value, ValueError)


def test_a_cp932_csv_holds_the_ibm_and_nec_characters() -> None:
    fine = ExportAnswer("u", "髙田出張所", "県土整備部", "回答済", None, False, {"contact": "㈱髙島 ①"})
    header, row = _csv(answers_csv(SURVEY, [fine], "cp932"), "cp932")
    assert header[0] == "部局" and row[1] == "髙田出張所" and row[5] == "㈱髙島 ①"


def test_headings_are_checked_too_and_other_encodings_are_refused() -> None:
    form = Form((Question("q", QuestionType.SHORT_TEXT, "満足度 😀"),))
    problems = cp932_problems(ExportSurvey("", "t", form), [])
    assert problems == [Cp932Problem("", "見出し「満足度 😀」", "😀", "U+1F600")]
    with pytest.raises(ValueError, match="utf-8-sig or cp932"):
        answers_csv(SURVEY, ANSWERS, "latin-1")


# --- layout -------------------------------------------------------------------------------------


def test_a_layout_survives_json_and_refuses_nonsense() -> None:
    assert SheetLayout.from_json(LAYOUT.to_json()) == LAYOUT
    with pytest.raises(ValueError, match="cell reference"):
        SheetLayout("s", cells={"q": "5C"})
    with pytest.raises(ValueError, match="column letter"):
        TableLayout(first_row=3, columns={"c": "b1"}, max_rows=2)
