"""督促: reminders to 所属 that have not answered, by hand and on schedule.

Automatic steps: "before" (remind_days_before days before the deadline) and "after" (from a day
after it). Each step is taken for a 所属 by writing a history item with a fixed key
(`reminder#<step>`) under a does-not-exist condition: a scheduler run twice, or two at once,
sends it once. A 所属 that has answered is never reminded. A manual 督促 may go again, but at
most once an hour per 所属 (the key carries the hour).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import save_if_absent
from chalicelib.surveys import access, board, invitations, outside, storage
from chalicelib.surveys.model import Answer, Survey, answer_key, now, survey_of
from chalicelib.surveys.states import SurveyState
from chalicelib.surveys.storage import HistoryRecord, SurveyRecord

AFTER = timedelta(days=1)


def _take(survey: Survey, answer: Answer, step: str, slot: str, *, actor: Principal | None, at: datetime) -> bool:
    taken = save_if_absent(
        HistoryRecord(
            answer_key(survey.survey_id, answer.unit_id),
            f"reminder#{slot}",
            action=f"reminder_{step}",
            actor_id=actor.staff_id if actor else "",
            actor_name=actor.display_name if actor else "",
            at=at,
        ),
        HistoryRecord.event_key,
    )
    return taken


def _announce(survey: Survey, unit_ids: list[str], step: str) -> None:
    """A 所属 hears of it in Kumo (the notifier); an outside organisation by mail to its contact."""
    invitations.remind(survey, [u for u in unit_ids if outside.is_external(u)], step)
    events.publish(
        [
            event_catalogue.SurveyReminder(
                survey_id=survey.survey_id,
                number=survey.number or "",
                title=survey.title,
                unit_id=unit_id,
                step=step,
                deadline=survey.deadline.isoformat(),
            )
            for unit_id in unit_ids
            if not outside.is_external(unit_id)
        ]
    )


def remind(p: Principal, survey_id: str, unit_ids: list[str] | None = None) -> list[str]:
    """督促 from the board, to the picked 所属 (or all that have not answered). Returns the 所属
    reminded; one already reminded this hour, or that has answered, is skipped."""
    survey = access.as_issuer(p, survey_id)
    if survey.state is not SurveyState.OPEN:
        raise Conflict("Only an open survey can be chased.")
    pending = board.unanswered(survey_id)
    if unit_ids:
        unknown = set(unit_ids) - set(survey.answer_units)
        if unknown:
            raise BadRequest("Pick units this survey was sent to.", field="unit_ids")
        pending = [a for a in pending if a.unit_id in unit_ids]
    at = now()
    storage.bind()
    slot = f"manual#{at.strftime('%Y%m%d%H')}"
    sent = [a.unit_id for a in pending if _take(survey, a, "manual", slot, actor=p, at=at)]
    _announce(survey, sent, "manual")
    return sent


def due_steps(survey: Survey, at: datetime) -> list[str]:
    steps = []
    if (
        survey.remind_days_before
        and survey.deadline - timedelta(days=survey.remind_days_before) <= at < survey.deadline
    ):
        steps.append("before")
    if at >= survey.deadline + AFTER:
        steps.append("after")
    return steps


def send_due_reminders(at: datetime | None = None) -> int:
    """The scheduler's part: take every due step of every open survey once. Returns how many
    reminders went out."""
    current = at or now()
    storage.bind()
    sent = 0
    for record in SurveyRecord.scan(SurveyRecord.state == SurveyState.OPEN.value):
        survey = survey_of(record)
        for step in due_steps(survey, current):
            units = [
                a.unit_id
                for a in board.unanswered(survey.survey_id)
                if _take(survey, a, step, step, actor=None, at=current)
            ]
            _announce(survey, units, step)
            sent += len(units)
    return sent
