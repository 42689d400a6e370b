"""Per-question summaries of the answers that reached the 照会元, and their bar charts.

Choice and yes/no questions count each option (「その他」 included, a multiple choice counting
every option picked); number questions give how many answered, the sum, mean, smallest and
largest; a table's totalled columns give their sum over every 所属. Pure: answers in, figures
out, exact decimals throughout.

Charts are SVG drawn here, on the server: they show without JavaScript, scale with the page,
and carry a <title> and a <desc> stating every figure; the page puts the same figures in a
table beside each chart, which is what a screen reader reads (the SVG itself is then hidden
from it, so nothing is announced twice). No chart library: a handful of rectangles and labels
does not justify one, and a library drawn in the browser would need JavaScript to be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from chalicelib.core.i18n_markers import N_
from chalicelib.surveys.form import OTHER, Form, Question, QuestionType

YES_NO = (("yes", N_("Yes (survey answer)")), ("no", N_("No (survey answer)")))
OTHER_LABEL = N_("Other")


@dataclass(frozen=True)
class Count:
    label: str  # an option as written in the form; "yes"/"no"/OTHER are translated where shown
    count: int
    translate: bool = False


@dataclass(frozen=True)
class Summary:
    question: Question
    answered: int  # 所属 that answered this question
    counts: tuple[Count, ...] = ()  # choice and yes/no questions
    figures: dict[str, Decimal] = field(default_factory=dict)  # number: sum, mean, min, max
    totals: tuple[tuple[str, Decimal], ...] = ()  # table: (column label, sum over every 所属)


def _decimal(raw: object) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _choice_counts(question: Question, values: list[Any]) -> tuple[Count, ...]:
    tally = dict.fromkeys(question.choices, 0)
    other = 0
    for value in values:
        picked = value.get("choices") if question.type is QuestionType.MULTI_CHOICE else [value.get("choice")]
        for choice in picked or []:
            if choice == OTHER:
                other += 1
            elif choice in tally:
                tally[choice] += 1
    counts = [Count(label, n) for label, n in tally.items()]
    if question.allow_other:
        counts.append(Count(OTHER_LABEL, other, translate=True))
    return tuple(counts)


def _number_figures(values: list[Any]) -> dict[str, Decimal]:
    numbers = [n for n in (_decimal(v) for v in values) if n is not None]
    if not numbers:
        return {}
    total = sum(numbers, Decimal(0))
    return {"sum": total, "mean": total / len(numbers), "min": min(numbers), "max": max(numbers)}


def _table_totals(question: Question, values: list[Any]) -> tuple[tuple[str, Decimal], ...]:
    totals = []
    for column in (c for c in question.columns if c.total):
        cells = (_decimal(row.get(column.column_id)) for rows in values for row in rows if isinstance(row, Mapping))
        totals.append((column.label, sum((c for c in cells if c is not None), Decimal(0))))
    return tuple(totals)


def summarise(form: Form, answers: Iterable[Mapping[str, Any]]) -> list[Summary]:
    """One summary per answerable question, in the form's order."""
    listed = list(answers)
    summaries = []
    for question in form.answerable:
        values = [a[question.question_id] for a in listed if a.get(question.question_id) not in (None, "", [], {})]
        kind = question.type
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
            shaped = [v for v in values if isinstance(v, Mapping)]
            summaries.append(Summary(question, len(shaped), counts=_choice_counts(question, shaped)))
        elif kind is QuestionType.YES_NO:
            counts = tuple(Count(label, sum(1 for v in values if v == key), translate=True) for key, label in YES_NO)
            summaries.append(Summary(question, len(values), counts=counts))
        elif kind is QuestionType.NUMBER:
            summaries.append(Summary(question, len(values), figures=_number_figures(values)))
        elif kind is QuestionType.TABLE:
            rows = [v for v in values if isinstance(v, list)]
            summaries.append(Summary(question, len(rows), totals=_table_totals(question, rows)))
        else:
            summaries.append(Summary(question, len(values)))
    return summaries


BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 180, 560


def bar_chart(title: str, bars: list[tuple[str, int]], *, described: str) -> str:
    """A horizontal bar chart as an SVG element. `described` states every figure in words."""
    longest = max((n for _, n in bars), default=0) or 1
    plot = CHART_WIDTH - LABEL_WIDTH - 60
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" role="img" '
        f'aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title><desc>{escape(described)}</desc>",
    ]
    for i, (label, n) in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        width = round(plot * n / longest) if n else 0
        shown = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="2"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
