"""The states a survey and each 所属's answer go through, and what the status board shows.

    not_started ─save─► draft ─submit─► pending_approval ─approve─► submitted
         │                ▲                 │ return (差戻し)            │ return / reopen
         └─該当なし─► not_applicable        ▼                            ▼
                          └──────────── returned ◄──────────────────────┘

期限超過 (overdue) is not stored: it is what the board shows for an answer that has not reached
the 照会元 once the deadline has passed. Pure rules, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from chalicelib.core.i18n_markers import N_


class SurveyState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # issues itself at issue_at
    OPEN = "open"
    CLOSED = "closed"


class AnswerState(StrEnum):
    NOT_STARTED = "not_started"  # 未着手
    DRAFT = "draft"  # 作成中
    PENDING_APPROVAL = "pending_approval"  # 承認待ち
    SUBMITTED = "submitted"  # 提出済
    NOT_APPLICABLE = "not_applicable"  # 該当なし
    RETURNED = "returned"  # 差戻し


class BoardState(StrEnum):
    """What the status board shows: the stored state, or overdue."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SUBMITTED = "submitted"
    NOT_APPLICABLE = "not_applicable"
    RETURNED = "returned"
    OVERDUE = "overdue"  # 期限超過


BOARD_LABELS = {
    BoardState.NOT_STARTED: N_("Not started"),
    BoardState.DRAFT: N_("In progress"),
    BoardState.PENDING_APPROVAL: N_("Awaiting approval"),
    BoardState.SUBMITTED: N_("Submitted"),
    BoardState.NOT_APPLICABLE: N_("Not applicable"),
    BoardState.RETURNED: N_("Returned"),
    BoardState.OVERDUE: N_("Overdue"),
}

# Answers the 照会元 has: counted as answered, never reminded.
ANSWERED = frozenset({AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE})
# Answers the 所属 may still edit.
EDITABLE = frozenset({AnswerState.NOT_STARTED, AnswerState.DRAFT, AnswerState.RETURNED})


def board_state(state: AnswerState, deadline: datetime, now: datetime) -> BoardState:
    """The state the board shows. A pending approval past the deadline is still 承認待ち: the
    所属 has done its part, and its 所属長 is the one to chase, which the row says."""
    if state in EDITABLE and now > deadline:
        return BoardState.OVERDUE
    return BoardState(state.value)


def is_late(submitted_at: datetime, deadline: datetime) -> bool:
    return submitted_at > deadline
