"""Which domain event puts what in whose inbox."""

from __future__ import annotations

from collections.abc import Callable
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


def _welcome(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    return [Delivery(detail["staff_id"], "welcome", event_id, when,
                     params={"name": detail.get("display_name", "")}, link="/")]


def _department_notice(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    department_id = detail["department_id"]
    return [
        Delivery(member.staff_id, "department_notice", event_id, when,
                 params={"author": detail.get("author_name", ""), "title": detail.get("title", ""),
                         "department_id": department_id},
                 link=f"/departments/{department_id}#notice-{detail.get('notice_id', '')}")
        for member in directory.staff_in_department(department_id)
        if member.staff_id != detail.get("author_id")
    ]


def _folder_link(detail: dict[str, Any]) -> str | None:
    folder = detail.get("folder_id", "")
    return f"/files/{folder}" if folder else None


def _partner_upload(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    if not detail.get("notify", True):
        return []
    return [Delivery(detail["owner_id"], "partner_upload", event_id, when,
                     params={"uploader": detail.get("uploader_name") or "—", "name": detail.get("name", "")},
                     link=_folder_link(detail))]


def _file_quarantined(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    """The file's owner learns that an upload (a partner's, filed as theirs) will never open."""
    return [Delivery(detail["owner_id"], "file_quarantined", event_id, when,
                     params={"name": detail.get("name", ""), "reason": detail.get("reason") or "—"},
                     link=_folder_link(detail))]


def _share_expiring(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    from chalicelib.core.templating import jst

    expires = _occurred_at({"time": detail.get("expires_at")})
    return [Delivery(detail["owner_id"], "share_expiring", event_id, when,
                     params={"expires": jst(expires)}, link=f"/files/{detail.get('target_id', '')}")]


def _share_accessed(detail: dict[str, Any], event_id: str, when: datetime) -> list[Delivery]:
    return [Delivery(detail["owner_id"], "share_accessed", event_id, when, params={},
                     link=f"/files/{detail.get('target_id', '')}")]


Route = Callable[[dict[str, Any], str, datetime], list[Delivery]]
ROUTES: dict[tuple[str, str], Route] = {
    ("kumo.accounts", "StaffSignedInFirstTime"): _welcome,
    ("kumo.directory", "DepartmentNoticePosted"): _department_notice,
    ("kumo.sharing", "PartnerUploaded"): _partner_upload,
    ("kumo.scanning", "FileQuarantined"): _file_quarantined,
    ("kumo.sharing", "ShareLinkExpiringSoon"): _share_expiring,
    ("kumo.sharing", "ShareLinkAccessed"): _share_accessed,
}


def deliveries_for(event: dict[str, Any]) -> list[Delivery]:
    """The notifications an EventBridge event (as delivered by the bus) should create."""
    route = ROUTES.get((str(event.get("source")), str(event.get("detail-type"))))
    if route is None:
        return []
    detail = event.get("detail") or {}
    return route(detail, str(detail.get("event_id") or event.get("id")), _occurred_at(event))
