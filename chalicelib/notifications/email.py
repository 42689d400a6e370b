"""Where each notice goes beyond the inbox, by each person's settings: a mail now, a line in the
daily digest, or nothing (kinds.resolve decides; quiet hours hold mail for the digest).

Every mail carries an unsubscribe link for its one kind (unsubscribe.py), except the mandatory
kinds, which link to the settings page that says why they cannot be stopped. SES's SendEmail
(the simple form Kumo uses, and the one the local emulator records) takes no custom headers, so
List-Unsubscribe / List-Unsubscribe-Post are not set yet; the link is in the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import idempotency
from chalicelib.core.config import settings
from chalicelib.notifications import kinds, preferences, quiet
from chalicelib.notifications.kinds import Route
from chalicelib.notifications.service import Delivery


@dataclass(frozen=True)
class Planned:
    delivery: Delivery
    route: Route


def plan(deliveries: list[Delivery], now: datetime | None = None) -> list[Planned]:
    """Each delivery with its route, from the settings of everyone it reaches (one batch read)."""
    if not deliveries:
        return []
    moment = now or datetime.now(UTC)
    prefs = preferences.for_staff(d.staff_id for d in deliveries)
    planned = []
    for d in deliveries:
        p = prefs.get(d.staff_id) or preferences.Preferences()
        hushed = settings().quiet_hours and p.quiet_hours and quiet.is_quiet(moment)
        planned.append(Planned(d, kinds.resolve(d.kind, p.choices.get(d.kind), quiet=hushed)))
    return planned


def send_for(event: dict[str, Any], now: datetime | None = None) -> int:
    """Send the mails an event calls for now (and queue its digest lines); returns mails sent."""
    from chalicelib.notifications import routing

    return send_planned(plan(routing.deliveries_for(event), now), now)


def send_planned(planned: list[Planned], now: datetime | None = None) -> int:
    from chalicelib.notifications import digest

    moment = now or datetime.now(UTC)
    sent = 0
    for p in planned:
        if p.route is Route.DIGEST:
            digest.enqueue(p.delivery, moment)
        elif p.route is Route.MAIL_NOW:
            sent += _mail(p.delivery)
    return sent


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


def _mail(delivery: Delivery) -> int:
    """One delivery by mail in Japanese, with its link. Claimed per event and address first: the
    notifier's handler runs again after any failure, and SES cannot take a message back."""
    from chalicelib.core.i18n import gettext_for
    from chalicelib.directory import service as directory
    from chalicelib.notifications import texts
    from chalicelib.sharing import mail

    person = directory.find_staff(delivery.staff_id)
    if person is None:
        return 0
    key = f"mail#{delivery.event_id}#{person.email}"
    if not idempotency.claim(key):
        return 0
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
            )
        else:
            text = texts.render(delivery.kind, delivery.params, gettext_for("ja"))
            body = (
                f"{person.display_name} 様\n\n{text}\n\n{link}\n\n-- Kumo\n{footer(person.staff_id, delivery.kind)}\n"
            )
            mail.send(person.email, f"【Kumo】{text[:60]}", body)
    except ClientError:  # refused or throttled: nothing was sent, so the retry may send it
        idempotency.release(key)
        raise
    return 1
