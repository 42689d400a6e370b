"""What a channel's message says for each kind: about the 所属 or the project, not to "you"
(a channel is read by the whole unit or team). msgids, shown in Japanese (formats.LANGUAGE).

Never a comment's words (a mention's excerpt, a return's or a refusal's reason): those may say
anything about anyone, and a chat channel may be read more widely than Kumo's own pages.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.i18n_markers import N_
from chalicelib.notifications.channels.model import TEST_KIND

TEXTS: dict[str, str] = {
    "survey_issued": N_("A survey arrived for {unit}: {number} {title} (answer by {deadline})."),
    "survey_forwarded": N_("{by} asked for parts of {unit}'s answer to {number} {title}."),
    "survey_approval": N_("{by} submitted {unit}'s answer to {number} {title}: it awaits approval."),
    "survey_returned": N_("{by} returned {unit}'s answer to {number} {title}."),
    "survey_reminder": N_("Reminder: {unit} has not yet answered {number} {title} (due {deadline})."),
    "survey_overdue": N_("Overdue: {unit}'s answer to {number} {title} was due {deadline}."),
    "survey_closed": N_("{number} {title} is closed: it no longer takes answers."),
    "survey_answered": N_("{unit} answered {number} {title}{late}."),
    "survey_not_applicable": N_("{unit} answered {number} {title}: nothing applies{late}."),
    "card_assigned": N_("{by} assigned the card {title} to {people}."),
    "card_due_soon": N_("The card {title} is due tomorrow, {due}."),
    "card_overdue": N_("The card {title} was due {due}: it is overdue."),
    "comment_mentioned": N_("{by} mentioned {people} in a comment on the card {title}."),
    "project_added": N_("{by} added {person} to the project."),
    "project_joined": N_("{person} joined the project through a call for members."),
    "application_received": N_("{applicant} applied to join the project."),
    TEST_KIND: N_("This is a test message from Kumo: notices of {scope} will arrive in this channel."),
}
TEST_LABEL = N_("Test message")


def render(kind: str, params: dict[str, Any], translate: Any) -> str:
    template = TEXTS.get(kind)
    if template is None:
        return kind
    try:
        return str(translate(template)).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(translate(template))


# A message's heading, and each kind's name on the channel settings page: about the 所属 or project.
TITLES: dict[str, str] = {
    "survey_issued": N_("Survey received"),
    "survey_forwarded": N_("Parts of an answer requested"),
    "survey_approval": N_("Answer awaiting approval"),
    "survey_returned": N_("Answer returned"),
    "survey_reminder": N_("Survey reminder"),
    "survey_overdue": N_("Survey answer overdue"),
    "survey_closed": N_("Survey closed"),
    "survey_answered": N_("Answer received"),
    "survey_not_applicable": N_("Answer received: nothing applies"),
    "card_assigned": N_("Card assigned"),
    "card_due_soon": N_("Card due tomorrow"),
    "card_overdue": N_("Card overdue"),
    "comment_mentioned": N_("Mention in a comment"),
    "project_added": N_("Member added"),
    "project_joined": N_("Member joined"),
    "application_received": N_("Application received"),
    TEST_KIND: TEST_LABEL,
}
