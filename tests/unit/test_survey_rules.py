"""Survey rules that need no stack: board states, lateness, fiscal-year numbering, reminder steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.surveys.form import Form
from chalicelib.surveys.model import Survey
from chalicelib.surveys.numbers import JST, fiscal_year
from chalicelib.surveys.reminders import due_steps
from chalicelib.surveys.states import AnswerState, BoardState, SurveyState, board_state, is_late

DEADLINE = datetime(2026, 12, 18, 17, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("state", "now", "shown"),
    [
        (AnswerState.NOT_STARTED, DEADLINE - timedelta(hours=1), BoardState.NOT_STARTED),
        (AnswerState.NOT_STARTED, DEADLINE + timedelta(minutes=1), BoardState.OVERDUE),
        (AnswerState.DRAFT, DEADLINE + timedelta(days=3), BoardState.OVERDUE),
        (AnswerState.RETURNED, DEADLINE + timedelta(days=1), BoardState.OVERDUE),
        (AnswerState.RETURNED, DEADLINE - timedelta(days=1), BoardState.RETURNED),
        # The 所属 did its part; its 所属長 is the one to chase, and the row says 承認待ち.
        (AnswerState.PENDING_APPROVAL, DEADLINE + timedelta(days=1), BoardState.PENDING_APPROVAL),
        (AnswerState.SUBMITTED, DEADLINE + timedelta(days=1), BoardState.SUBMITTED),
        (AnswerState.NOT_APPLICABLE, DEADLINE + timedelta(days=1), BoardState.NOT_APPLICABLE),
    ],
)
def test_the_board_shows_overdue_only_for_answers_the_unit_still_owes(
    state: AnswerState, now: datetime, shown: BoardState
) -> None:
    assert board_state(state, DEADLINE, now) is shown


def test_an_answer_is_late_only_after_the_deadline_to_the_microsecond() -> None:
    assert not is_late(DEADLINE, DEADLINE)
    assert is_late(DEADLINE + timedelta(microseconds=1), DEADLINE)


@pytest.mark.parametrize(
    ("at", "year"),
    [
        (datetime(2027, 3, 31, 23, 59, tzinfo=JST), 2026),
        (datetime(2027, 4, 1, 0, 0, tzinfo=JST), 2027),
        # 2027-03-31T15:30Z is already 1 April in Japan: the new fiscal year's numbers start.
        (datetime(2027, 3, 31, 15, 30, tzinfo=UTC), 2027),
        (datetime(2026, 12, 1, 9, 0, tzinfo=JST), 2026),
    ],
)
def test_numbers_count_per_fiscal_year_in_japan_time(at: datetime, year: int) -> None:
    assert fiscal_year(at) == year


def _survey(**changes: object) -> Survey:
    base = Survey(
        survey_id="sv_1",
        number="総務第1号",
        title="t",
        issuer_unit_id="u",
        issuer_department_id="d",
        contact_staff_id="s",
        contact_name="n",
        contact_details="",
        instructions="",
        deadline=DEADLINE,
        form=Form(),
        targets=("a",),
        attachments=(),
        state=SurveyState.OPEN,
        issue_at=None,
        remind_days_before=2,
        copied_from=None,
        template_file_id=None,
        layout_json=None,
        created_by="s",
        created_at="",
        issued_at=None,
        closed_at=None,
        revision=0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_reminder_steps_fall_before_and_after_the_deadline() -> None:
    survey = _survey()
    assert due_steps(survey, DEADLINE - timedelta(days=3)) == []
    assert due_steps(survey, DEADLINE - timedelta(days=2)) == ["before"]
    assert due_steps(survey, DEADLINE - timedelta(seconds=1)) == ["before"]
    assert due_steps(survey, DEADLINE + timedelta(hours=23)) == []
    assert due_steps(survey, DEADLINE + timedelta(days=1)) == ["after"]
    assert due_steps(_survey(remind_days_before=0), DEADLINE - timedelta(hours=1)) == []
