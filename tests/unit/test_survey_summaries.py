"""Per-question summaries and their charts: counts, exact figures, and a chart that states them."""

from __future__ import annotations

from decimal import Decimal

from chalicelib.surveys.form import OTHER, Column, ColumnType, Form, Question, QuestionType
from chalicelib.surveys.summaries import bar_chart, summarise

FORM = Form(
    (
        Question("tools", QuestionType.MULTI_CHOICE, "使った仕組み", choices=("VDI", "Web会議"), allow_other=True),
        Question("kind", QuestionType.SINGLE_CHOICE, "区分", choices=("A", "B")),
        Question("ok", QuestionType.YES_NO, "実施"),
        Question("n", QuestionType.NUMBER, "人数"),
        Question("t", QuestionType.TABLE, "明細", columns=(Column("c", "費用", ColumnType.NUMBER, total=True),)),
        Question("memo", QuestionType.LONG_TEXT, "備考"),
    )
)
ANSWERS = [
    {
        "tools": {"choices": ["VDI", OTHER], "other": "電話"},
        "kind": {"choice": "A", "other": ""},
        "ok": "yes",
        "n": "10",
        "t": [{"c": "100"}, {"c": "0.5"}],
        "memo": "特になし",
    },
    {"tools": {"choices": ["VDI"], "other": ""}, "kind": {"choice": "B", "other": ""}, "ok": "no", "n": "3"},
    {"ok": "yes", "n": ""},
]


def test_choices_count_every_pick_and_other() -> None:
    found = {s.question.question_id: s for s in summarise(FORM, ANSWERS)}
    assert [(c.label, c.count) for c in found["tools"].counts] == [("VDI", 2), ("Web会議", 0), ("Other", 1)]
    assert [(c.label, c.count) for c in found["kind"].counts] == [("A", 1), ("B", 1)]
    assert [(c.label, c.count) for c in found["ok"].counts] == [("Yes (survey answer)", 2), ("No (survey answer)", 1)]
    assert found["ok"].answered == 3 and found["tools"].answered == 2


def test_numbers_and_table_totals_are_exact() -> None:
    found = {s.question.question_id: s for s in summarise(FORM, ANSWERS)}
    assert found["n"].answered == 2
    assert found["n"].figures == {"sum": Decimal(13), "mean": Decimal("6.5"), "min": Decimal(3), "max": Decimal(10)}
    assert found["t"].totals == (("費用", Decimal("100.5")),)
    assert found["memo"].answered == 1 and not found["memo"].counts


def test_the_chart_states_every_figure_and_escapes_labels() -> None:
    svg = bar_chart("区分<script>", [("A&B", 3), ("長い選択肢の名前がここに入ります", 0)], described="A&B 3、長い 0")
    assert svg.startswith("<svg") and "<title>区分&lt;script&gt;</title>" in svg
    assert "<desc>A&amp;B 3、長い 0</desc>" in svg
    assert svg.count("<rect") == 2 and 'width="0"' in svg  # a zero bar is drawn empty, not left out
    assert "<script" not in svg
