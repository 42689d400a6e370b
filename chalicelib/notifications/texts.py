"""What each kind of notification says. msgids are translated when the inbox is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.i18n_markers import N_

TEXTS: dict[str, str] = {
    "welcome": N_("Welcome to Kumo, {name}. Notices about your work will arrive here."),
    "department_notice": N_("{author} posted a notice to your department: {title}"),
    "partner_upload": N_(
        "{uploader} sent {name} through your share link. It can be opened once the virus check has finished."
    ),
    "file_quarantined": N_(
        "{name} was quarantined by the virus check and cannot be opened or downloaded. "
        "Ask the sender for a clean copy. (Reason: {reason})"
    ),
    "share_accessed": N_("Your share link was opened."),
    "share_expiring": N_("Your share link expires within a day ({expires})."),
    "survey_issued": N_("A survey has arrived for your unit: {number} {title} (answer by {deadline})."),
    "survey_forwarded": N_("{by} asked for your part of {number} {title}."),
    "survey_approval": N_("{by} submitted the answer to {number} {title}: it awaits your approval."),
    "survey_answered": N_("{unit} answered {number} {title}{late}."),
    "survey_not_applicable": N_("{unit} answered {number} {title}: nothing applies{late}."),
    "survey_returned": N_("{by} returned your unit's answer to {number} {title}: {comment}"),
    "survey_reminder": N_("Reminder: your unit has not yet answered {number} {title} (due {deadline})."),
    "survey_overdue": N_("Overdue: your unit's answer to {number} {title} was due {deadline}. Please answer now."),
    "survey_closed": N_("{number} {title} is closed: it no longer takes answers."),
    # projects (project_routing.py)
    "card_assigned": N_("{by} assigned you the card {title} ({project})."),
    "card_due_soon": N_("Your card {title} ({project}) is due tomorrow, {due}."),
    "card_overdue": N_("Your card {title} ({project}) was due {due}: it is overdue."),
    "watched_card_due_soon": N_("A card you watch, {title} ({project}), is due tomorrow, {due}."),
    "watched_card_overdue": N_("A card you watch, {title} ({project}), was due {due}: it is overdue."),
    "comment_mentioned": N_("{by} mentioned you on {title} ({project}): {excerpt}"),
    "project_added": N_("{by} added you to the project {project}."),
    "project_joined": N_("You joined the project {project} (time share {share}%)."),
    "application_received": N_("{applicant} applied to join {project}."),
    "consent_requested": N_(
        "{applicant} was chosen for the project {project} (time share {share}%): "
        "your consent as head of unit is needed."
    ),
    "consent_requested_over_cap": N_(
        "{applicant} was chosen for the project {project} (time share {share}%), which would exceed their "
        "time-share cap: consenting needs an explicit override."
    ),
    "consent_given_you": N_("{by} consented: you join the project {project}."),
    "consent_given_owner": N_("{by} consented: {applicant} joins the project {project}."),
    "consent_refused_you": N_("{by} did not consent to your joining the project {project}: {comment}"),
    "consent_refused_owner": N_("{by} did not consent to {applicant} joining the project {project}: {comment}"),
    "actuals_due": N_("Please record your actual time on projects for {month}."),
    # notifications/channels/breaker.py
    "channel_paused": N_(
        "The chat channel {channel} ({owner}) failed for {hours} hours and was paused: "
        "no notices reach it until it is resumed. Check its address, then resume it."
    ),
}


def render(kind: str, params: dict[str, Any], translate: Callable[[str], str]) -> str:
    template = TEXTS.get(kind)
    if template is None:
        return kind
    try:
        return translate(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return translate(template)
