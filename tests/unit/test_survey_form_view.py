"""The answer form as the pages lay it out: conditions on first render, problems at their
question and cell, totals, changed cells, and a part's subset of questions."""

from __future__ import annotations

from chalicelib.surveys.answers import AnswerError
from chalicelib.surveys.form import Column, ColumnType, Condition, Form, Question, QuestionType
from chalicelib.surveys.form_view import fields

FORM = Form(
    (
        Question("s1", QuestionType.SECTION, "基本事項"),
        Question("q1", QuestionType.YES_NO, "実施していますか", required=True),
        Question("q2", QuestionType.NUMBER, "参加人数", condition=Condition("q1", ("yes",))),
        Question("s2", QuestionType.SECTION, "内訳"),
        Question(
            "q3",
            QuestionType.TABLE,
            "事業の内訳",
            columns=(
                Column("name", "事業名"),
                Column("cost", "金額", type=ColumnType.NUMBER, total=True),
            ),
        ),
    )
)


def by_id(found: list) -> dict:  # type: ignore[type-arg]
    return {f.question.question_id: f for f in found}


def test_a_question_whose_condition_is_not_met_is_rendered_hidden() -> None:
    shown = by_id(fields(FORM, {"q1": "yes"}, str))
    hidden = by_id(fields(FORM, {"q1": "no"}, str))

    assert shown["q2"].shown and not hidden["q2"].shown
    assert hidden["q1"].shown and hidden["q3"].shown


def test_questions_are_numbered_without_their_sections() -> None:
    numbers = [(f.question.question_id, f.number) for f in fields(FORM, {}, str)]

    assert numbers == [("s1", 0), ("q1", 1), ("q2", 2), ("s2", 0), ("q3", 3)]


def test_problems_go_to_their_question_or_cell_in_the_readers_language() -> None:
    errors = [
        AnswerError(question_id="q1", message="Please answer this question."),
        AnswerError(question_id="q3", column_id="cost", row=1, message="Enter at most {max}.", params={"max": 10}),
    ]
    found = by_id(fields(FORM, {}, lambda m: {"Enter at most {max}.": "{max}以下で入力"}.get(m, m), errors=errors))

    assert found["q1"].problems == ("Please answer this question.",)
    assert found["q3"].problems == ()
    assert found["q3"].cell_problems == {(1, "cost"): ("10以下で入力",)}


def test_a_table_carries_its_totals_and_the_cells_changed_since_last_time() -> None:
    rows = [{"name": "相談", "cost": "300"}, {"name": "講座", "cost": "150.5"}]
    found = by_id(fields(FORM, {"q3": rows}, str, changed=["q3[1].cost", "q1"]))

    assert found["q3"].totals == {"cost": "450.5"}
    assert found["q3"].changed_cells == frozenset({(1, "cost")})
    assert found["q1"].changed and not found["q2"].changed


def test_a_part_shows_its_questions_and_only_the_sections_above_them() -> None:
    found = [f.question.question_id for f in fields(FORM, {}, str, only=["q3"])]

    assert found == ["s2", "q3"]
