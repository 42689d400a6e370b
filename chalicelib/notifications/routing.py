"""Which domain event puts what in whose inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.directory import service as directory
from chalicelib.notifications.service import Delivery


def _occurred_at(event: dict[str, Any]) -> datetime:
    raw = event.get("detail", {}).get("occurred_at") or event.get("time")
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def deliveries_for(event: dict[str, Any]) -> list[Delivery]:
    """The notifications an EventBridge event (as delivered by the bus) should create."""
    detail = event.get("detail") or {}
    key = (event.get("source"), event.get("detail-type"))
    event_id = str(detail.get("event_id") or event.get("id"))
    when = _occurred_at(event)
    if key == ("kumo.accounts", "StaffSignedInFirstTime"):
        return [Delivery(detail["staff_id"], "welcome", event_id, when,
                         params={"name": detail.get("display_name", "")}, link="/")]
    if key == ("kumo.directory", "DepartmentNoticePosted"):
        department_id = detail["department_id"]
        return [
            Delivery(member.staff_id, "department_notice", event_id, when,
                     params={"author": detail.get("author_name", ""), "title": detail.get("title", ""),
                             "department_id": department_id},
                     link=f"/departments/{department_id}#notice-{detail.get('notice_id', '')}")
            for member in directory.staff_in_department(department_id)
            if member.staff_id != detail.get("author_id")
        ]
    if key == ("kumo.sharing", "PartnerUploaded") and detail.get("notify", True):
        folder = detail.get("folder_id", "")
        return [Delivery(detail["owner_id"], "partner_upload", event_id, when,
                         params={"uploader": detail.get("uploader_name") or "—", "name": detail.get("name", "")},
                         link=f"/files/{folder}" if folder else None)]
    if key == ("kumo.sharing", "ShareLinkExpiringSoon"):
        from chalicelib.core.templating import jst

        expires = _occurred_at({"time": detail.get("expires_at")})
        return [Delivery(detail["owner_id"], "share_expiring", event_id, when,
                         params={"expires": jst(expires)}, link=f"/files/{detail.get('target_id', '')}")]
    if key == ("kumo.sharing", "ShareLinkAccessed"):
        return [Delivery(detail["owner_id"], "share_accessed", event_id, when, params={},
                         link=f"/files/{detail.get('target_id', '')}")]
    return []
