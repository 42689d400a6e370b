"""Which domain event also sends an e-mail, and to whom (the inbox gets every notice anyway)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.config import settings


def send_for(event: dict[str, Any]) -> int:
    """Send the e-mails an event calls for; returns how many were sent."""
    detail = event.get("detail") or {}
    if (event.get("source"), event.get("detail-type")) == ("kumo.sharing", "PartnerUploaded") \
            and detail.get("notify", True):
        from chalicelib.directory import service as directory
        from chalicelib.sharing import mail

        owner = directory.find_staff(str(detail.get("owner_id", "")))
        if owner is None:
            return 0
        folder_url = f"{settings().base_url.rstrip('/')}/files/{detail.get('folder_id', '')}"
        mail.send_partner_upload(owner.email, owner_name=owner.display_name,
                                 uploader=detail.get("uploader_name") or "—", file_name=detail.get("name", ""),
                                 folder_url=folder_url)
        return 1
    return 0
