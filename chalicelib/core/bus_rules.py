"""The EventBridge rules of Kumo's bus: which domain events reach which queue.

Built from the typed event catalogue (core/event_catalogue.py), so a rule names event types,
never strings. Read by infra/ and the local bootstrap; kept apart from core/resources.py (which
it builds on, and which every request imports for table names) because the catalogue costs a
web request's cold start some 30 ms (bench/cold_start.py) and most requests publish nothing.
"""

from __future__ import annotations

from chalicelib.core import event_catalogue as ev
from chalicelib.core import project_events as pe
from chalicelib.core.event_catalogue import (
    FILE_STATE_CHANGES,
    SURVEY_SEARCH_CHANGES,
    FileUploaded,
    PartnerUploaded,
    bus_pattern,
)
from chalicelib.core.events import SOURCE_PREFIX
from chalicelib.core.project_events import PROJECT_SEARCH_CHANGES
from chalicelib.core.resources import RuleSpec

# The events a 所属's or a project's chat channel may hear of (notifications/channels/routing.py
# turns each into that channel's message; a unit test keeps the two lists equal).
CHANNEL_EVENTS = (
    ev.SurveyIssued,
    ev.SurveyForwarded,
    ev.AnswerSubmitted,
    ev.AnswerApproved,
    ev.AnswerReturned,
    ev.SurveyReminder,
    ev.SurveyClosed,
    pe.CardAssigned,
    pe.CardDue,
    pe.CommentMentioned,
    pe.MemberJoined,
    pe.ApplicationReceived,
)


BUS_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "notify-all",
        pattern={"source": [{"prefix": SOURCE_PREFIX}]},
        target_queue="notify",
        purpose="every Kumo domain event reaches the notifier",
    ),
    RuleSpec(
        "scan-partner-uploads",
        pattern=bus_pattern(PartnerUploaded),
        target_queue="scan",
        purpose="a partner's upload waits for a malware verdict (the local scanner reads it; "
        "in AWS the scanner leaves it to GuardDuty's result)",
    ),
    RuleSpec(
        "scan-staff-uploads",
        pattern={**bus_pattern(FileUploaded), "detail": {"scan_required": [True]}},
        target_queue="scan",
        purpose="a staff upload that must be scanned (a file on a survey answer) waits for a malware "
        "verdict, as a partner's does",
    ),
    RuleSpec(
        "index-file-changes",
        pattern=bus_pattern(*FILE_STATE_CHANGES),
        target_queue="index",
        purpose="a new file or version, rename, move, visibility change, trash/restore or scan verdict "
        "re-indexes the file (S3 object events arrive on the same queue)",
    ),
    RuleSpec(
        "index-survey-changes",
        pattern=bus_pattern(*SURVEY_SEARCH_CHANGES),
        target_queue="index",
        purpose="a survey drafted, issued or closed, an answer that reached its issuer or was returned "
        "re-indexes that survey or answer",
    ),
    RuleSpec(
        "index-project-changes",
        pattern=bus_pattern(*PROJECT_SEARCH_CHANGES),
        target_queue="index",
        purpose="a card created, changed, archived or commented on re-indexes that card; a project's "
        "settings, labels or members, or a list archived, re-index its cards",
    ),
    RuleSpec(
        "channels-events",
        pattern=bus_pattern(*CHANNEL_EVENTS),
        target_queue="channels",
        purpose="the survey and project events a 所属's or a project's chat channels may hear of",
    ),
)
