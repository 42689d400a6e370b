"""Which domain event also sends an e-mail, and to whom (the inbox gets every notice anyway)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.core import idempotency
from chalicelib.core.config import settings
from chalicelib.core.event_catalogue import PartnerUploaded

if TYPE_CHECKING:
    from chalicelib.notifications.service import Delivery


def send_for(event: dict[str, Any]) -> int:
    """Send the e-mails an event calls for; returns how many were sent."""
    from chalicelib.notifications import project_routing, survey_routing

    if any(kind.matches(event) for kind in survey_routing.ROUTES):
        return _survey_mail(event)
    if any(kind.matches(event) for kind in project_routing.ROUTES):
        return _project_mail(event)
    if PartnerUploaded.matches(event):
        return _partner_upload_mail(event)
    return 0


def _partner_upload_mail(event: dict[str, Any]) -> int:
    """The link's owner, when they asked to hear of uploads."""
    detail = PartnerUploaded.parse(event)
    if not detail.notify:
        return 0
    from chalicelib.directory import service as directory
    from chalicelib.sharing import mail

    owner = directory.find_staff(detail.owner_id)
    if owner is None:
        return 0
    # The notifier's handler runs again after any failure, and SES cannot take a message back:
    # the mail is claimed by its event and address first, so a retry never sends it twice.
    event_id = (event.get("detail") or {}).get("event_id") or event.get("id")
    key = f"mail#{event_id}#{owner.email}"
    if not idempotency.claim(key):
        return 0
    folder_url = f"{settings().base_url.rstrip('/')}/files/{detail.folder_id}"
    try:
        mail.send_partner_upload(
            owner.email,
            owner_name=owner.display_name,
            uploader=detail.uploader_name or "—",
            file_name=detail.name,
            folder_url=folder_url,
        )
    except ClientError:  # refused or throttled: nothing was sent, so the retry may send it
        idempotency.release(key)
        raise
    return 1


def _survey_mail(event: dict[str, Any]) -> int:
    """A 照会 is work with a date: each person its notice reaches also gets it by mail, with the
    link."""
    from chalicelib.notifications import routing

    return _mail(routing.deliveries_for(event), "/surveys")


def _project_mail(event: dict[str, Any]) -> int:
    """A project's notices that are work with a date for the person (assigned, due, mentioned,
    consent: project_routing.MAILED) also go by mail; muted people were dropped by the routing."""
    from chalicelib.notifications import project_routing, routing

    mailed = [d for d in routing.deliveries_for(event) if d.kind in project_routing.MAILED]
    return _mail(mailed, "/projects")


def _mail(deliveries: list[Delivery], fallback_link: str) -> int:
    """Each delivery by mail in Japanese, with its link. Claimed per event and address first, like
    every mail, so a retry sends none twice."""
    from chalicelib.core.i18n import gettext_for
    from chalicelib.directory import service as directory
    from chalicelib.notifications import texts
    from chalicelib.sharing import mail

    translate = gettext_for("ja")
    base = settings().base_url.rstrip("/")
    sent = 0
    for delivery in deliveries:
        person = directory.find_staff(delivery.staff_id)
        if person is None:
            continue
        key = f"mail#{delivery.event_id}#{person.email}"
        if not idempotency.claim(key):
            continue
        text = texts.render(delivery.kind, delivery.params, translate)
        body = f"{person.display_name} 様\n\n{text}\n\n{base}{delivery.link or fallback_link}\n\n-- Kumo\n"
        try:
            mail.send(person.email, f"【Kumo】{text[:60]}", body)
        except ClientError:
            idempotency.release(key)
            raise
        sent += 1
    return sent
