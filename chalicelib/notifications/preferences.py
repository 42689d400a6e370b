"""Each person's notification settings: read, change, and the one-click unsubscribe.

What a setting means for a delivery is decided in kinds.resolve; this module only stores the
choices (the notification_prefs table, one item per person, absent until they change something)
and refuses what the catalogue does not allow (a mandatory kind stays mailed). The time of the
daily digest is one of DIGEST_TIMES (JST): times the sweep (every 15 minutes) reaches, before the
working day, in the morning, at noon and before its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.notifications import kinds, quiet, unsubscribe
from chalicelib.notifications.kinds import Choice
from chalicelib.notifications.storage import PreferenceRecord, bind_prefs

DIGEST_TIMES: tuple[time, ...] = (time(7, 30), quiet.DIGEST_AT, time(12, 0), time(17, 0))


def digest_time(text: str | None) -> time | None:
    """A stored or sent "HH:MM" as one of DIGEST_TIMES, else None."""
    try:
        value = time.fromisoformat(text or "")
    except ValueError:
        return None
    return value if value in DIGEST_TIMES else None


@dataclass(frozen=True)
class Preferences:
    choices: Mapping[str, Choice] = field(default_factory=dict)  # only what the person changed
    quiet_hours: bool = True
    digest_at: time = quiet.DIGEST_AT  # JST, on working days

    def choice(self, kind: str) -> Choice:
        """What applies to the kind: the person's choice, else the default (mandatory: always mail)."""
        spec = kinds.kind(kind)
        if spec is None:
            return Choice.INBOX
        chosen = self.choices.get(kind)
        return chosen if chosen is not None and chosen in spec.choices else spec.default


@dataclass(frozen=True)
class PreferencesIn:
    """A change from the settings page or the API: the kinds named, and quiet hours if given."""

    choices: Mapping[str, str]
    quiet_hours: bool | None = None
    digest_at: str | None = None  # "HH:MM", one of DIGEST_TIMES


def _from_record(record: PreferenceRecord | None) -> Preferences:
    if record is None:
        return Preferences()
    raw = record.choices.as_dict() if hasattr(record.choices, "as_dict") else dict(record.choices or {})  # type: ignore[no-untyped-call]
    choices = {k: Choice(v) for k, v in raw.items() if v in Choice.__members__.values()}
    return Preferences(choices, bool(record.quiet_hours), digest_time(record.digest_at) or quiet.DIGEST_AT)


def of(staff_id: str) -> Preferences:
    bind_prefs()
    return _from_record(get_or_none(PreferenceRecord, staff_id))


def for_staff(staff_ids: Iterable[str]) -> dict[str, Preferences]:
    """Everyone's settings in one batch read (the notifier's path: one event, many people)."""
    bind_prefs()
    wanted = wanted_ids(staff_ids)
    return of_records(wanted, list(PreferenceRecord.batch_get(wanted)) if wanted else [])


def wanted_ids(staff_ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(s for s in staff_ids if s))


def of_records(wanted: list[str], records: list[PreferenceRecord]) -> dict[str, Preferences]:
    """Each wanted person's settings from the records read (the defaults for who has none)."""
    found = {r.staff_id: _from_record(r) for r in records}
    return {s: found.get(s, Preferences()) for s in wanted}


def mine(principal: Principal) -> Preferences:
    return of(principal.staff_id)


def _store(staff_id: str, prefs: Preferences) -> Preferences:
    bind_prefs()
    PreferenceRecord(
        staff_id,
        choices={k: v.value for k, v in prefs.choices.items()},
        quiet_hours=prefs.quiet_hours,
        digest_at=prefs.digest_at.strftime("%H:%M"),
        updated_at=datetime.now(UTC),
    ).save()
    return prefs


def change(principal: Principal, change: PreferencesIn) -> Preferences:
    """Applies the choices given (the others stay); refuses an unknown kind or choice, and any
    other choice than mail for a mandatory kind."""
    current = mine(principal)
    choices = dict(current.choices)
    for key, value in change.choices.items():
        spec = kinds.kind(key)
        if spec is None:
            raise BadRequest("There is no such kind of notice.", field=key)
        if value not in Choice.__members__.values():
            raise BadRequest("Choose inbox, mail, digest or off.", field=key)
        if Choice(value) not in spec.choices:
            raise BadRequest("This notice is always sent by mail: it cannot be changed.", field=key)
        if not spec.mandatory:
            choices[key] = Choice(value)
    hushed = current.quiet_hours if change.quiet_hours is None else change.quiet_hours
    at = current.digest_at
    if change.digest_at is not None:
        chosen = digest_time(change.digest_at)
        if chosen is None:
            raise BadRequest("Choose one of the digest times offered.", field="digest_at")
        at = chosen
    return _store(principal.staff_id, Preferences(choices, hushed, at))


def unsubscribe_from(token: str) -> kinds.Kind:
    """The one-click link: moves its one kind to the inbox only. No sign-in: the signature is the
    right. A mandatory kind is refused (its link is never put in a mail anyway)."""
    try:
        staff_id, key = unsubscribe.verify(token)
    except unsubscribe.BadLink as exc:
        raise NotFound("This unsubscribe link is not valid.") from exc
    if key == kinds.DIGEST_MAIL.key:
        return _no_digest(staff_id)
    spec = kinds.kind(key)
    if spec is None:
        raise NotFound("This unsubscribe link is not valid.")
    if spec.mandatory:
        raise BadRequest("This notice is always sent by mail: it cannot be changed.")
    current = of(staff_id)
    if current.choice(key) in (Choice.INBOX, Choice.OFF):
        return spec  # already no mail: a second click changes nothing (and does not turn it back on)
    _store(staff_id, Preferences({**current.choices, key: Choice.INBOX}, current.quiet_hours, current.digest_at))
    return spec


def _no_digest(staff_id: str) -> kinds.Kind:
    """The digest mail's link: every kind the person chose the digest for goes to the inbox only
    (mail held in quiet hours still comes in a digest: that one is stopped by turning quiet hours
    off, or the kind's mail, on the settings page)."""
    current = of(staff_id)
    choices = {k: Choice.INBOX if v is Choice.DIGEST else v for k, v in current.choices.items()}
    defaults = {k.key: Choice.INBOX for k in kinds.KINDS if k.default is Choice.DIGEST and k.key not in choices}
    if choices != dict(current.choices) or defaults:
        _store(staff_id, Preferences({**choices, **defaults}, current.quiet_hours, current.digest_at))
    return kinds.DIGEST_MAIL
