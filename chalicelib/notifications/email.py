"""Where each notice goes beyond the inbox, by each person's settings: a mail now, a line in the
daily digest, or nothing (kinds.resolve decides; quiet hours hold mail for the digest).

Every mail carries an unsubscribe link for its one kind (unsubscribe.py), in its body and in
its List-Unsubscribe header with List-Unsubscribe-Post (RFC 8058 one-click: a mail client POSTs
to the link, no page, no sign-in; sharing/mail.py composes the raw message), except the
mandatory kinds, which cannot be stopped: their body links to the settings page that says why,
and they carry no List-Unsubscribe (a one-click that could only be refused would be a lie).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.core import idempotency
from chalicelib.core.config import settings
from chalicelib.notifications import kinds, preferences, quiet, stats
from chalicelib.notifications.kinds import Route
from chalicelib.notifications.service import Delivery

if TYPE_CHECKING:
    from chalicelib.directory.service import Staff


@dataclass(frozen=True)
class Planned:
    delivery: Delivery
    route: Route
    digest_at: time = quiet.DIGEST_AT  # the person's digest time (Route.DIGEST)


def plan(
    deliveries: list[Delivery], now: datetime | None = None, prefs: dict[str, preferences.Preferences] | None = None
) -> list[Planned]:
    """Each delivery with its route, from the settings of everyone it reaches (one batch read,
    unless the caller read them with others': the notifier reads a batch's at once)."""
    if not deliveries:
        return []
    moment = now or datetime.now(UTC)
    if prefs is None:
        prefs = preferences.for_staff(d.staff_id for d in deliveries)
    planned = []
    for d in deliveries:
        p = prefs.get(d.staff_id) or preferences.Preferences()
        hushed = settings().quiet_hours and p.quiet_hours and quiet.is_quiet(moment)
        planned.append(Planned(d, kinds.resolve(d.kind, p.choices.get(d.kind), quiet=hushed), p.digest_at))
    return planned


def send_for(event: dict[str, Any], now: datetime | None = None) -> int:
    """Send the mails an event calls for now (and queue its digest lines); returns mails sent."""
    from chalicelib.notifications import routing

    return send_planned(plan(routing.deliveries_for(event), now), now)


def send_planned(planned: list[Planned], now: datetime | None = None) -> int:
    from chalicelib.notifications import digest

    moment = now or datetime.now(UTC)
    for p in planned:
        if p.route is Route.DIGEST:
            queued = digest.enqueue(p.delivery, moment, p.digest_at)
            stats.count("digest", p.delivery.kind, "queued" if queued else "skipped")
    return send_mails(planned)


def send_mails(planned: list[Planned]) -> int:
    """The mails of these deliveries that go now, their people read in one batch; returns mails sent."""
    from chalicelib.directory import service as directory

    mails = [p.delivery for p in planned if p.route is Route.MAIL_NOW]
    if not mails:
        return 0
    people = directory.find_staff_many(d.staff_id for d in mails)
    for d in mails:
        if d.staff_id not in people:
            stats.count("mail", d.kind, "skipped")  # nobody to mail (left, or no such person)
    return sum(_mail(d, people[d.staff_id]) for d in mails if d.staff_id in people)


def footer(staff_id: str, kind: str) -> str:
    """The last lines of every mail: how to stop this kind of mail, or why it cannot be stopped."""
    from chalicelib.core.i18n import gettext_for

    translate = gettext_for("ja")
    spec = kinds.kind(kind)
    page = f"{settings().base_url.rstrip('/')}/settings/notifications"
    if spec is not None and spec.mandatory:
        return f"{translate('This notice is always sent by mail:')} {translate(spec.mandatory)}\n{page}"
    return f"{translate('Stop mail for this kind of notice:')} {unsubscribe_link(staff_id, kind)}\n{page}"


def unsubscribe_link(staff_id: str, kind: str) -> str:
    from chalicelib.notifications import unsubscribe

    return unsubscribe.link(staff_id, kind)


def one_click(staff_id: str, kind: str) -> str | None:
    """The List-Unsubscribe link of a mail of this kind; None for a mandatory kind."""
    spec = kinds.kind(kind)
    return None if spec is not None and spec.mandatory else unsubscribe_link(staff_id, kind)


def send_each(groups: list[list[Planned]]) -> list[BaseException | None]:
    """The mails of several events (a notifier batch), their people read at once, each claimed
    right before it is sent (as `_mail`: claiming the batch's mails all first would lose every
    one not yet sent when the function dies, since the retry finds them claimed; the fault
    injection test caught it). Returns per group the first error among its mails, or None: that
    event is retried, and none of its mails that went (or may have) goes again."""
    from chalicelib.directory import service as directory

    errors: list[BaseException | None] = [None] * len(groups)
    mails = [[p.delivery for p in g if p.route is Route.MAIL_NOW] for g in groups]
    if not any(mails):
        return errors
    people = directory.find_staff_many(d.staff_id for g in mails for d in g)
    for n, group in enumerate(mails):
        for d in group:
            person = people.get(d.staff_id)
            if person is None:
                stats.count("mail", d.kind, "skipped")  # nobody to mail (left, or no such person)
                continue
            try:
                _mail(d, person)
            except Exception as exc:  # noqa: BLE001 - this event is retried; the batch's others go on
                errors[n] = errors[n] or exc
    return errors


def _key(delivery: Delivery, person: Staff) -> str:
    return f"mail#{delivery.event_id}#{person.email}"


def _mail(delivery: Delivery, person: Staff) -> int:
    """One delivery by mail in Japanese, with its link. Claimed per event and address first: the
    notifier's handler runs again after any failure, and SES cannot take a message back."""
    if not idempotency.claim(_key(delivery, person)):
        stats.count("mail", delivery.kind, "skipped")
        return 0
    _send(delivery, person)
    return 1


def _send(delivery: Delivery, person: Staff) -> None:
    """Sends a claimed mail. Refused by SES (nothing sent), its claim is given back for the retry;
    any other failure keeps it (the mail may have gone)."""
    from chalicelib.core.i18n import gettext_for
    from chalicelib.notifications import texts
    from chalicelib.sharing import mail

    key = _key(delivery, person)
    base = settings().base_url.rstrip("/")
    link = f"{base}{delivery.link or '/notifications'}"
    try:
        if delivery.kind == "partner_upload":  # its own bilingual template (a partner's words)
            mail.send_partner_upload(
                person.email,
                owner_name=person.display_name,
                uploader=str(delivery.params.get("uploader") or "—"),
                file_name=str(delivery.params.get("name") or ""),
                folder_url=link,
                footer=footer(person.staff_id, delivery.kind),
                unsubscribe=one_click(person.staff_id, delivery.kind),
            )
        else:
            text = texts.render(delivery.kind, delivery.params, gettext_for("ja"))
            body = (
                f"{person.display_name} 様\n\n{text}\n\n{link}\n\n-- Kumo\n{footer(person.staff_id, delivery.kind)}\n"
            )
            subject = f"【Kumo】{text[:60]}"
            mail.send(person.email, subject, body, unsubscribe=one_click(person.staff_id, delivery.kind))
    except ClientError:  # refused or throttled: nothing was sent, so the retry may send it
        idempotency.release(key)
        stats.count("mail", delivery.kind, "failed")
        raise
    stats.count("mail", delivery.kind, "sent")
