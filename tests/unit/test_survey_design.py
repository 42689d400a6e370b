"""A form is checked as a whole before it is issued: each problem named at its question."""

from __future__ import annotations

from chalicelib.surveys.design import check_form, new_column_id, new_question_id
from chalicelib.surveys.form import (
    MAX_CHOICES,
    MAX_QUESTIONS,
    OTHER,
    Column,
    ColumnType,
    Condition,
    Form,
    Question,
    QuestionType,
)

T = QuestionType


def _problems(*questions: Question) -> list[tuple[str, str, str]]:
    return [(p.question_id, p.column_id, p.message) for p in check_form(Form(questions))]


def _messages(*questions: Question) -> list[str]:
    return [p.message for p in check_form(Form(questions))]


GOOD = Form(
    (
        Question("s1", T.SECTION, "基本情報"),
        Question("q1", T.SHORT_TEXT, "担当者名", required=True, max_length=50),
        Question("q2", T.SINGLE_CHOICE, "実施状況", choices=("実施済", "実施予定", "未定"), allow_other=True),
        Question("q3", T.NUMBER, "予算額", unit="千円", minimum="0", maximum="1000000", decimals=0),
        Question("q4", T.LONG_TEXT, "未実施の理由", condition=Condition("q2", ("未定", OTHER))),
        Question("q5", T.YES_NO, "補助金の活用"),
        Question(
            "q6",
            T.TABLE,
            "事業一覧",
            columns=(
                Column("name", "事業名", required=True),
                Column("amount", "予算額（千円）", ColumnType.NUMBER, total=True),
                Column("kind", "区分", ColumnType.CHOICE, choices=("新規", "継続")),
                Column("start", "開始日", ColumnType.DATE),
            ),
            min_rows=1,
            max_rows=20,
            condition=Condition("q5", ("yes",)),
        ),
    )
)


def test_a_sound_form_has_no_problems() -> None:
    assert check_form(GOOD) == []


def test_an_empty_form_or_one_with_only_headings_cannot_be_issued() -> None:
    assert _messages() == ["Add at least one question."]
    assert _messages(Question("s", T.SECTION, "見出し")) == ["Add at least one question."]


def test_ids_must_be_present_well_formed_and_unique() -> None:
    problems = _problems(
        Question("", T.SHORT_TEXT, "所属名"),
        Question("q1", T.SHORT_TEXT, "担当者名"),
        Question("q1", T.SHORT_TEXT, "電話番号"),
        Question("q[1]", T.SHORT_TEXT, "メール"),
    )
    assert problems == [
        ("", "", "A question has no id."),
        ("q1", "", "The id {id} is used by more than one question."),
        ("q[1]", "", "The id {id} may only use letters, digits, - and _ (at most 40)."),
    ]


def test_labels_are_required_and_bounded() -> None:
    assert _messages(Question("q1", T.SHORT_TEXT, "  ")) == ["Give the question a label."]
    assert _messages(Question("q1", T.SHORT_TEXT, "あ" * 201)) == ["A label can have at most {max} characters."]
    assert _messages(Question("q1", T.SHORT_TEXT, "あ" * 200)) == []


def test_too_many_questions() -> None:
    many = [Question(f"q{i}", T.SHORT_TEXT, f"項目{i}") for i in range(MAX_QUESTIONS + 1)]
    assert _messages(*many) == ["A form can have at most {max} questions."]


def test_choices_must_be_listed_unique_and_bounded() -> None:
    assert _messages(Question("q1", T.SINGLE_CHOICE, "区分")) == ["Add at least one choice."]
    assert _messages(Question("q1", T.MULTI_CHOICE, "区分", choices=("県", "市", "県"))) == [
        "The choice {choice} appears twice."
    ]
    assert _messages(Question("q1", T.SINGLE_CHOICE, "区分", choices=("県", " "))) == ["A choice cannot be empty."]
    assert _messages(Question("q1", T.SINGLE_CHOICE, "区分", choices=("県", OTHER))) == ["A choice cannot be empty."]
    too_many = tuple(f"選択肢{i}" for i in range(MAX_CHOICES + 1))
    assert _messages(Question("q1", T.SINGLE_CHOICE, "区分", choices=too_many)) == [
        "There can be at most {max} choices."
    ]


def test_number_bounds_and_decimals() -> None:
    assert _messages(Question("q1", T.NUMBER, "人数", minimum="10", maximum="5")) == [
        "The minimum cannot be more than the maximum."
    ]
    assert _messages(Question("q1", T.NUMBER, "人数", minimum="十")) == ["The minimum and maximum must be numbers."]
    assert _messages(Question("q1", T.NUMBER, "人数", maximum="NaN")) == ["The minimum and maximum must be numbers."]
    assert _messages(Question("q1", T.NUMBER, "割合", decimals=7)) == ["Decimal places must be between 0 and {max}."]
    assert _messages(Question("q1", T.NUMBER, "割合", minimum="-1.5", maximum="100", decimals=1)) == []


def test_text_length_limit_must_be_sensible() -> None:
    assert _messages(Question("q1", T.SHORT_TEXT, "氏名", max_length=0)) == [
        "The length limit must be between 1 and {max}."
    ]
    assert _messages(Question("q1", T.SHORT_TEXT, "氏名", max_length=2001)) == [
        "The length limit must be between 1 and {max}."
    ]
    assert _messages(Question("q1", T.LONG_TEXT, "意見", max_length=20000)) == []


def test_table_columns_rows_and_totals() -> None:
    assert _messages(Question("t", T.TABLE, "一覧")) == ["A table needs at least one column."]
    problems = _problems(
        Question(
            "t",
            T.TABLE,
            "一覧",
            columns=(
                Column("a", "名称", total=True),
                Column("a", "金額", ColumnType.NUMBER),
                Column("b", "", ColumnType.NUMBER, minimum="5", maximum="1"),
                Column("c", "区分", ColumnType.CHOICE),
                Column("d.e", "備考"),
            ),
            min_rows=5,
            max_rows=3,
        )
    )
    assert problems == [
        ("t", "", "The minimum number of rows cannot be more than the maximum."),
        ("t", "a", "Only number columns can have a total."),
        ("t", "a", "The column id {id} is used twice."),
        ("t", "b", "Give the column a label."),
        ("t", "b", "The minimum cannot be more than the maximum."),
        ("t", "c", "Add at least one choice."),
        ("t", "d.e", "A column has no valid id."),
    ]
    assert _messages(Question("t", T.TABLE, "一覧", columns=(Column("a", "名称"),), max_rows=1001)) == [
        "The number of rows must be between 1 and {max}."
    ]


def test_a_condition_refers_to_an_earlier_choice_question_and_its_answers() -> None:
    choice = Question("q1", T.SINGLE_CHOICE, "実施状況", choices=("実施済", "未実施"))
    text = Question("q2", T.SHORT_TEXT, "担当者名")
    assert _messages(choice, Question("q3", T.LONG_TEXT, "理由", condition=Condition("q1", ("未実施",)))) == []
    # later, unknown, itself or a heading
    assert _messages(Question("q3", T.LONG_TEXT, "理由", condition=Condition("q1", ("未実施",))), choice) == [
        "A condition can only refer to an earlier question."
    ]
    assert _messages(Question("q3", T.LONG_TEXT, "理由", condition=Condition("q3", ("x",)))) == [
        "A condition can only refer to an earlier question."
    ]
    assert _messages(
        Question("s", T.SECTION, "見出し"), text, Question("q3", T.LONG_TEXT, "理由", condition=Condition("s", ("x",)))
    ) == ["A condition can only refer to an earlier question."]
    assert _messages(text, Question("q3", T.LONG_TEXT, "理由", condition=Condition("q2", ("x",)))) == [
        "A condition can only refer to a choice or yes/no question."
    ]
    assert _messages(choice, Question("q3", T.LONG_TEXT, "理由", condition=Condition("q1", ("中止",)))) == [
        "The condition names {value}, which is not an answer to that question."
    ]
    assert _messages(choice, Question("q3", T.LONG_TEXT, "理由", condition=Condition("q1", ()))) == [
        "Pick at least one answer for the condition."
    ]
    yes_no = Question("q1", T.YES_NO, "補助金の活用")
    assert _messages(yes_no, Question("q3", T.NUMBER, "補助額", condition=Condition("q1", ("yes",)))) == []
    assert _messages(yes_no, Question("q3", T.NUMBER, "補助額", condition=Condition("q1", ("はい",)))) == [
        "The condition names {value}, which is not an answer to that question."
    ]


def test_problem_params_fill_the_message() -> None:
    [problem] = check_form(Form((Question("q1", T.MULTI_CHOICE, "区分", choices=("県", "県")),)))
    assert problem.message.format(**problem.params) == "The choice 県 appears twice."


def test_new_ids_are_short_and_fresh() -> None:
    existing: set[str] = set()
    for _ in range(300):
        qid = new_question_id(existing)
        assert qid.startswith("q") and 5 <= len(qid) <= 7 and qid not in existing
        existing.add(qid)
    assert new_column_id(set()).startswith("c")
    # Every id the generator makes passes the form's own id check.
    form = Form(tuple(Question(qid, T.SHORT_TEXT, "項目") for qid in sorted(existing)[:MAX_QUESTIONS]))
    assert check_form(form) == []
