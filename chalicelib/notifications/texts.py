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
}


def render(kind: str, params: dict[str, Any], translate: Callable[[str], str]) -> str:
    template = TEXTS.get(kind)
    if template is None:
        return kind
    try:
        return translate(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return translate(template)
