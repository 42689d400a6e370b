"""Every kind of notice, in one list: its group on the settings page, what it does by default,
and whether a person may change that (with the reason the page shows).

The routing modules (routing.py, survey_routing.py, project_routing.py) produce these kinds and
texts.py says what each one reads; tests/unit/test_notify_preferences.py checks that the three
agree, so a new kind cannot reach an inbox without a place on the settings page.

Defaults are what Kumo did before people could choose: mail for a 照会's every step, for the
project notices that are work with a date (assigned, due, mentioned, the consent steps) and for
a partner's upload; the inbox alone for the rest. A few kinds are always in the inbox and
always mailed, whatever a person chose: someone else depends on the answer or the risk is real.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.core.i18n_markers import N_


class Choice(StrEnum):
    """What a person chooses for one kind of notice."""

    INBOX = "inbox"  # the inbox only
    MAIL = "mail"  # the inbox, and a mail at once (held in quiet hours: see quiet.py)
    DIGEST = "digest"  # the inbox, and one line in the next daily digest mail
    OFF = "off"  # nothing at all


class Route(StrEnum):
    """Where one delivery goes, once the person's choice, the defaults and quiet hours are applied."""

    INBOX = "inbox"
    MAIL_NOW = "mail_now"
    DIGEST = "digest"
    NOTHING = "nothing"


GROUPS: dict[str, str] = {
    "files": N_("Files and sharing"),
    "surveys": N_("Surveys"),
    "projects": N_("Projects"),
    "system": N_("System"),
}

REMINDER_REASON = N_("A reminder is addressed to your unit: the answer is due and your unit is counting on you.")
CONSENT_REASON = N_("Your staff member cannot join until you answer as head of unit.")
CHANNEL_REASON = N_("Your unit or project no longer hears of its work in that chat channel until someone resumes it.")
QUARANTINE_REASON = N_("A file sent to you was found to be dangerous: you need to know at once.")


@dataclass(frozen=True)
class Kind:
    key: str
    group: str  # a key of GROUPS
    label: str  # msgid
    default: Choice
    mandatory: str | None = None  # msgid: why it is always in the inbox and mailed

    @property
    def choices(self) -> tuple[Choice, ...]:
        return (Choice.MAIL,) if self.mandatory else tuple(Choice)


def _k(key: str, group: str, label: str, default: Choice = Choice.INBOX, mandatory: str | None = None) -> Kind:
    return Kind(key, group, label, Choice.MAIL if mandatory else default, mandatory)


M = Choice.MAIL
KINDS: tuple[Kind, ...] = (
    _k("partner_upload", "files", N_("A partner sent a file through your share link"), M),
    _k("file_quarantined", "files", N_("A file sent to you was quarantined"), mandatory=QUARANTINE_REASON),
    _k("share_accessed", "files", N_("Your share link was opened")),
    _k("share_expiring", "files", N_("Your share link expires soon")),
    _k("survey_issued", "surveys", N_("A survey arrived for your unit"), M),
    _k("survey_forwarded", "surveys", N_("You were asked for your part of a survey"), M),
    _k("survey_approval", "surveys", N_("An answer awaits your approval"), M),
    _k("survey_answered", "surveys", N_("A unit answered your survey"), M),
    _k("survey_not_applicable", "surveys", N_("A unit answered that nothing applies"), M),
    _k("survey_returned", "surveys", N_("Your unit's answer was returned"), M),
    _k("survey_reminder", "surveys", N_("Reminder: your unit has not answered yet"), mandatory=REMINDER_REASON),
    _k("survey_overdue", "surveys", N_("Your unit's answer is overdue"), mandatory=REMINDER_REASON),
    _k("survey_closed", "surveys", N_("A survey was closed"), M),
    _k("card_assigned", "projects", N_("You were assigned a card"), M),
    _k("card_due_soon", "projects", N_("Your card is due tomorrow"), M),
    _k("card_overdue", "projects", N_("Your card is overdue"), M),
    _k("watched_card_due_soon", "projects", N_("A card you watch is due tomorrow")),
    _k("watched_card_overdue", "projects", N_("A card you watch is overdue")),
    _k("comment_mentioned", "projects", N_("You were mentioned in a comment"), M),
    _k("project_added", "projects", N_("You were added to a project")),
    _k("project_joined", "projects", N_("You joined a project through a call for members")),
    _k("application_received", "projects", N_("Someone applied to your project")),
    _k("consent_requested", "projects", N_("Your consent is needed for a staff member"), mandatory=CONSENT_REASON),
    _k(
        "consent_requested_over_cap",
        "projects",
        N_("Your consent is needed beyond a time-share cap"),
        mandatory=CONSENT_REASON,
    ),
    _k("consent_given_you", "projects", N_("Your head of unit consented to your joining"), M),
    _k("consent_given_owner", "projects", N_("A head of unit consented to a member you chose")),
    _k("consent_refused_you", "projects", N_("Your head of unit did not consent to your joining"), M),
    _k("consent_refused_owner", "projects", N_("A head of unit did not consent to a member you chose")),
    _k("actuals_due", "projects", N_("Time to record your actual time on projects")),
    _k("welcome", "system", N_("Welcome to Kumo")),
    _k("department_notice", "system", N_("A notice was posted to your department")),
    _k("channel_paused", "system", N_("A chat channel you manage was paused"), mandatory=CHANNEL_REASON),
)
BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}

# Not a kind of notice but the digest mail itself: what its one-click unsubscribe stops (every
# kind a person chose the digest for goes to the inbox only: preferences.unsubscribe_from).
DIGEST_MAIL = Kind("digest", "system", N_("Notices you chose for the daily digest"), Choice.DIGEST)


def kind(key: str) -> Kind | None:
    return BY_KEY.get(key)


def of_link(key: str) -> Kind | None:
    """What an unsubscribe link names: a kind of notice, or the digest mail."""
    return DIGEST_MAIL if key == DIGEST_MAIL.key else BY_KEY.get(key)


def grouped() -> list[tuple[str, list[Kind]]]:
    """The kinds in the settings page's order: by group, then as listed."""
    return [(group, [k for k in KINDS if k.group == group]) for group in GROUPS]


def resolve(key: str, chosen: Choice | None, *, quiet: bool) -> Route:
    """Where one notice goes for one person.

    ``chosen`` is the person's stored choice for the kind (None: never chosen, the default
    applies); a mandatory kind ignores it. ``quiet``: it is quiet hours for this person now
    (already False when they turned quiet hours off), so a mail is held for the next working
    morning's digest instead of sent now (quiet.py says why the digest). A kind not in the
    catalogue goes to the inbox only: unknown is not a reason to mail anyone, nor to drop it.
    """
    spec = BY_KEY.get(key)
    if spec is None:
        return Route.INBOX
    choice = spec.default if spec.mandatory or chosen is None or chosen not in spec.choices else chosen
    if choice is Choice.OFF:
        return Route.NOTHING
    if choice is Choice.INBOX:
        return Route.INBOX
    if choice is Choice.DIGEST or quiet:
        return Route.DIGEST
    return Route.MAIL_NOW
