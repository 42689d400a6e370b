"""Answers are checked against their form: values normalised, problems named where they are."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.i18n import translations
from chalicelib.surveys.answers import (
    AnswerError,
    changed_cells,
    clean_answer,
    merge_parts,
    table_totals,
    visible_questions,
)
from chalicelib.surveys.form import OTHER, Column, ColumnType, Condition, Form, Question, QuestionType

T = QuestionType
BUDGET = Question(
    "q6",
    T.TABLE,
    "事業一覧",
    columns=(
        Column("name", "事業名", required=True),
        Column("amount", "予算額（千円）", ColumnType.NUMBER, total=True),
        Column("kind", "区分", ColumnType.CHOICE, choices=("新規", "継続")),
        Column("start", "開始日", ColumnType.DATE),
        Column("staff", "担当人数", ColumnType.NUMBER, total=True, minimum="0"),
    ),
    min_rows=1,
    max_rows=3,
)
FORM = Form(
    (
        Question("s1", T.SECTION, "基本情報"),
        Question("q1", T.SHORT_TEXT, "担当者名", required=True, max_length=20),
        Question("q2", T.SINGLE_CHOICE, "実施状況", choices=("実施済", "実施予定", "未定"), allow_other=True),
        Question("q3", T.NUMBER, "予算額", unit="千円", minimum="0", maximum="5000", decimals=1),
        Question("q4", T.LONG_TEXT, "未実施の理由", required=True, condition=Condition("q2", ("未定", OTHER))),
        Question("q5", T.YES_NO, "補助金の活用"),
        BUDGET,
        Question("q7", T.DATE, "回答日"),
        Question("q8", T.MULTI_CHOICE, "対象", choices=("児童", "高齢者", "障害者"), allow_other=True),
        Question("q9", T.FILE, "資料"),
    )
)


def _errors(result: Any) -> list[tuple[str, str, int | None, str]]:
    return [(e.question_id, e.column_id, e.row, e.message) for e in result.errors]


def test_a_complete_answer_is_normalised() -> None:
    result = clean_answer(
        FORM,
        {
            "q1": "  山田 花子 ",
            "q2": "実施済",
            "q3": "１，２００．５０",
            "q5": "はい",
            "q6": [
                {"name": " 子育て支援事業 ", "amount": "1,200", "kind": "新規", "start": "R8.4.1", "staff": "3"},
                {"name": "", "amount": "", "kind": "", "start": ""},  # a blank 様式 row
                {"name": "見守り事業", "amount": "▲50", "kind": "継続", "start": "２０２６／５／１"},
            ],
            "q7": "令和8年12月1日",
            "q8": ["高齢者", "児童", "高齢者"],
            "q9": [{"file_id": "f1", "name": "計画書.pdf"}, {"file_id": "f1", "name": "計画書.pdf"}],
            "unknown": "dropped",
        },
        submit=True,
    )
    assert result.errors == []
    assert result.values == {
        "q1": "山田 花子",
        "q2": {"choice": "実施済", "other": ""},
        "q3": "1200.5",
        "q5": "yes",
        "q6": [
            {"name": "子育て支援事業", "amount": "1200", "kind": "新規", "start": "2026-04-01", "staff": "3"},
            {"name": "見守り事業", "amount": "-50", "kind": "継続", "start": "2026-05-01"},
        ],
        "q7": "2026-12-01",
        "q8": {"choices": ["児童", "高齢者"], "other": ""},
        "q9": [{"file_id": "f1", "name": "計画書.pdf"}],
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1200", "1200"),
        ("1200.0", "1200"),
        ("0.50", "0.5"),
        ("-0", "0"),
        ("+3", "3"),
        ("  ７ ", "7"),
        (12, "12"),
        (2.5, "2.5"),
    ],
)
def test_numbers_are_stored_as_canonical_decimal_text(typed: Any, stored: str) -> None:
    assert clean_answer(FORM, {"q3": typed}, submit=False).values == {"q3": stored}


@pytest.mark.parametrize("typed", ["12円", "1,20", "1e3", "一二〇〇", "NaN", True, "1" * 31])
def test_not_a_number_is_a_type_error_even_in_a_draft(typed: Any) -> None:
    result = clean_answer(FORM, {"q1": "山田", "q3": typed}, submit=False)
    assert result.values == {"q1": "山田"}  # the rest of the draft is kept
    assert [e.question_id for e in result.errors] == ["q3"]


def test_a_draft_reports_only_type_errors_and_keeps_the_rest() -> None:
    raw = {
        "q2": "未定",
        "q3": "9000",  # over the maximum: only a submission minds
        "q6": [{"amount": "abc", "kind": "廃止"}, {"amount": "-1"}],
        "q7": "2026-02-30",
        "q1": "あ" * 21,  # over max_length is a type error
    }
    draft = clean_answer(FORM, raw, submit=False)
    assert _errors(draft) == [
        ("q1", "", None, "This answer can have at most {max} characters."),
        ("q6", "amount", 0, "Enter a number."),
        ("q6", "kind", 0, "Choose one of the listed answers."),
        ("q7", "", None, "Enter a date such as 2026-12-01 or R8.12.1."),
    ]
    assert draft.values == {"q2": {"choice": "未定", "other": ""}, "q3": "9000", "q6": [{"amount": "-1"}]}


def test_a_submission_also_checks_required_ranges_decimals_and_rows() -> None:
    result = clean_answer(
        FORM,
        {"q2": "未定", "q3": "9000", "q6": [{"staff": "-1"}, {"name": "事業A", "amount": "10"}]},
        submit=True,
    )
    assert _errors(result) == [
        ("q1", "", None, "Please answer this question."),
        ("q3", "", None, "Enter a number between {minimum} and {maximum}."),
        ("q4", "", None, "Please answer this question."),
        ("q6", "name", 0, "Fill in this column."),
        ("q6", "staff", 0, "Enter a number of at least {minimum}."),
    ]
    assert result.errors[1].params == {"minimum": "0", "maximum": "5000"}
    decimals = clean_answer(FORM, {"q1": "山田", "q3": "12.25"}, submit=True)
    assert ("q3", "", None, "Use at most {decimals} digits after the decimal point.") in _errors(decimals)
    assert _errors(clean_answer(FORM, {"q1": "山田", "q6": []}, submit=True)) == [
        ("q6", "", None, "Enter at least {min} rows.")
    ]


def test_whole_numbers_only() -> None:
    form = Form((Question("n", T.NUMBER, "人数", decimals=0),))
    assert _errors(clean_answer(form, {"n": "2.5"}, submit=True)) == [("n", "", None, "Enter a whole number.")]
    assert clean_answer(form, {"n": "2.0"}, submit=True).values == {"n": "2"}


def test_too_many_rows_keeps_the_first_and_says_so() -> None:
    rows = [{"name": f"事業{i}"} for i in range(5)]
    result = clean_answer(FORM, {"q6": rows}, submit=False)
    assert [r["name"] for r in result.values["q6"]] == ["事業0", "事業1", "事業2"]
    assert _errors(result) == [("q6", "", 3, "This table can have at most {max} rows.")]


def test_text_is_bounded_even_without_a_limit() -> None:
    form = Form((Question("a", T.SHORT_TEXT, "件名"), Question("b", T.LONG_TEXT, "意見")))
    assert _errors(clean_answer(form, {"a": "x" * 2001, "b": "y" * 20001}, submit=False)) == [
        ("a", "", None, "This answer can have at most {max} characters."),
        ("b", "", None, "This answer can have at most {max} characters."),
    ]
    kept = clean_answer(form, {"a": "一行目\r\n二行目", "b": " 一行目\r\n二行目 \n"}, submit=False).values
    assert kept == {"a": "一行目 二行目", "b": "一行目\n二行目"}


def test_hidden_questions_are_not_required_and_their_values_are_dropped() -> None:
    raw = {"q1": "山田", "q2": "実施済", "q4": "書きかけの理由", "q6": [{"name": "事業A"}]}
    result = clean_answer(FORM, raw, submit=True)
    assert "q4" not in result.values and result.errors == []
    shown = [q.question_id for q in visible_questions(FORM, raw)]
    assert "q4" not in shown and shown[:3] == ["s1", "q1", "q2"]
    other = clean_answer(FORM, {**raw, "q2": {"choice": OTHER, "other": "一部実施"}}, submit=True)
    assert other.values["q4"] == "書きかけの理由"
    assert other.values["q2"] == {"choice": OTHER, "other": "一部実施"}


def test_a_condition_chain_hides_what_depends_on_a_hidden_question() -> None:
    form = Form(
        (
            Question("a", T.YES_NO, "補助金を使いましたか"),
            Question("b", T.SINGLE_CHOICE, "補助金の種類", choices=("国", "県"), condition=Condition("a", ("yes",))),
            Question("c", T.NUMBER, "県補助額", required=True, condition=Condition("b", ("県",))),
        )
    )
    raw = {"a": "no", "b": "県", "c": "100"}
    assert [q.question_id for q in visible_questions(form, raw)] == ["a"]
    assert clean_answer(form, raw, submit=True).values == {"a": "no"}
    assert _errors(clean_answer(form, {"a": "yes", "b": "県"}, submit=True)) == [
        ("c", "", None, "Please answer this question.")
    ]


def test_multi_choice_conditions_match_any_pick() -> None:
    form = Form(
        (
            Question("a", T.MULTI_CHOICE, "対象", choices=("児童", "高齢者")),
            Question("b", T.NUMBER, "高齢者数", condition=Condition("a", ("高齢者",))),
        )
    )
    assert clean_answer(form, {"a": ["児童", "高齢者"], "b": "5"}, submit=True).values["b"] == "5"
    assert "b" not in clean_answer(form, {"a": ["児童"], "b": "5"}, submit=True).values


def test_choice_mistakes() -> None:
    assert _errors(clean_answer(FORM, {"q2": "中止", "q8": ["児童", "学生"], "q5": "たぶん"}, submit=False)) == [
        ("q2", "", None, "Choose one of the listed answers."),
        ("q5", "", None, "Answer yes or no."),
        ("q8", "", None, "Choose from the listed answers."),
    ]
    blank_other = clean_answer(
        FORM, {"q1": "山田", "q8": {"choices": [OTHER], "other": " "}, "q6": [{"name": "a"}]}, submit=True
    )
    assert _errors(blank_other) == [("q8", "", None, "Write what “Other” is.")]
    no_other = Form((Question("c", T.SINGLE_CHOICE, "区分", choices=("県",)),))
    assert _errors(clean_answer(no_other, {"c": OTHER}, submit=False)) == [
        ("c", "", None, "Choose one of the listed answers.")
    ]


def test_bad_shapes_are_type_errors_not_crashes() -> None:
    result = clean_answer(
        FORM, {"q1": ["x"], "q6": "not rows", "q9": [{"name": "x"}], "q8": {"choices": "児童"}}, submit=False
    )
    assert [e.question_id for e in result.errors] == ["q1", "q6", "q8", "q9"]
    assert result.values == {}
    rows = clean_answer(FORM, {"q6": ["row?", {"name": "事業A"}]}, submit=False)
    assert _errors(rows) == [("q6", "", 0, "This row is not valid.")]
    assert rows.values["q6"] == [{"name": "事業A"}]


def test_part_labels_survive_cleaning() -> None:
    raw = {"q6": [{"name": "事業A", "_part": "企画係"}, {"_part": "総務係"}]}
    assert clean_answer(FORM, raw, submit=False).values["q6"] == [{"name": "事業A", "_part": "企画係"}]


def test_table_totals_sum_total_columns_exactly() -> None:
    rows = [{"amount": "0.1", "staff": "2"}, {"amount": "0.2"}, {"amount": "1200", "staff": "x"}]
    assert table_totals(BUDGET, rows) == {"amount": "1200.3", "staff": "2"}
    assert table_totals(BUDGET, []) == {"amount": "0", "staff": "0"}


def test_changed_cells_name_values_and_table_cells() -> None:
    previous = {
        "q1": "山田",
        "q3": "100",
        "q6": [{"name": "事業A", "amount": "100"}, {"name": "事業B", "amount": "50", "_part": "企画係"}],
        "q8": {"choices": ["児童"], "other": ""},
        "q9": [{"file_id": "f1", "name": "a.pdf"}],
    }
    current = {
        "q1": "山田",
        "q3": "120",
        "q6": [
            {"name": "事業A", "amount": "100"},
            {"name": "事業B", "amount": "60", "_part": "総務係"},
            {"name": "事業C"},
        ],
        "q8": {"choices": ["児童", "高齢者"], "other": ""},
        "q9": [{"file_id": "f2", "name": "b.pdf"}],
        "q7": "2026-12-01",
    }
    assert changed_cells(previous, current) == ["q3", "q6[1].amount", "q6[2].name", "q8", "q9", "q7"]
    assert changed_cells(current, current) == []
    assert changed_cells({"q6": [{"name": "事業A"}]}, {}) == ["q6[0].name"]


def test_merge_parts_appends_rows_and_fills_gaps() -> None:
    base = {"q1": "山田", "q6": [{"name": "課の事業"}]}
    parts = [
        ("企画係", {"q1": "佐藤", "q3": "100", "q6": [{"name": "企画事業1"}, {"name": "企画事業2"}]}),
        ("総務係", {"q3": "200", "q5": "no", "q6": [{"name": "総務事業"}], "q2": {"choice": "", "other": ""}}),
    ]
    merged = merge_parts(FORM, base, parts)
    assert merged == {
        "q1": "山田",  # the 所属's own value wins
        "q3": "100",  # the first part with a value fills the gap
        "q5": "no",
        "q6": [
            {"name": "課の事業"},
            {"name": "企画事業1", "_part": "企画係"},
            {"name": "企画事業2", "_part": "企画係"},
            {"name": "総務事業", "_part": "総務係"},
        ],
    }
    # Merging again after a 係 edits its part replaces its rows rather than adding them twice.
    again = merge_parts(FORM, merged, [("企画係", {"q6": [{"name": "企画事業1（修正）"}]})])
    assert again["q6"] == [
        {"name": "課の事業"},
        {"name": "総務事業", "_part": "総務係"},
        {"name": "企画事業1（修正）", "_part": "企画係"},
    ]
    cleaned = clean_answer(FORM, merged, submit=False)
    assert cleaned.errors == [
        AnswerError(question_id="q6", row=3, message="This table can have at most {max} rows.", params={"max": 3})
    ]
    assert [r.get("_part") for r in cleaned.values["q6"]] == [None, "企画係", "企画係"]


def test_problems_read_in_japanese_with_their_values() -> None:
    japanese = translations("ja").gettext
    result = clean_answer(
        FORM, {"q2": "未定", "q3": "9000", "q6": [{"staff": "-1"}], "q7": "平成32年1月1日"}, submit=True
    )
    texts = {(e.question_id, e.column_id): japanese(e.message).format(**e.params) for e in result.errors}
    assert texts[("q1", "")] == "この設問に回答してください。"
    assert texts[("q3", "")] == "0から5000までの数値を入力してください。"
    assert texts[("q6", "staff")] == "0以上の数値を入力してください。"
    assert texts[("q7", "")] == "日付は 2026-12-01、R8.12.1、令和8年12月1日 のように入力してください。"
