"""Which domain event puts what in whose inbox (less what each person muted: mutes.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.event_catalogue import (
    DepartmentNoticePosted,
    FileQuarantined,
    PartnerUploaded,
    ShareLinkAccessed,
    ShareLinkExpiringSoon,
    StaffSignedInFirstTime,
)
from chalicelib.core.events import Detail
from chalicelib.directory import service as directory
from chalicelib.notifications import mutes, project_routing, service, survey_routing
from chalicelib.notifications.service import Delivery


def _occurred_at(event: dict[str, Any]) -> datetime:
    raw = event.get("detail", {}).get("occurred_at") or event.get("time")
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _welcome(detail: StaffSignedInFirstTime, event_id: str, when: datetime) -> list[Delivery]:
    return [Delivery(detail.staff_id, "welcome", event_id, when, params={"name": detail.display_name}, link="/")]


def _department_notice(detail: DepartmentNoticePosted, event_id: str, when: datetime) -> list[Delivery]:
    department_id = detail.department_id
    return [
        Delivery(
            member.staff_id,
            "department_notice",
            event_id,
            when,
            params={"author": detail.author_name, "title": detail.title, "department_id": department_id},
            link=f"/departments/{department_id}#notice-{detail.notice_id}",
        )
        for member in directory.staff_in_unit(department_id)  # its 所属 and 係, and 兼務 in them
        if member.staff_id != detail.author_id
    ]


def _folder_link(folder_id: str) -> str | None:
    return f"/files/{folder_id}" if folder_id else None


def _partner_upload(detail: PartnerUploaded, event_id: str, when: datetime) -> list[Delivery]:
    if not detail.notify:
        return []
    return [
        Delivery(
            detail.owner_id,
            "partner_upload",
            event_id,
            when,
            params={"uploader": detail.uploader_name or "—", "name": detail.name},
            link=_folder_link(detail.folder_id),
            subject=mutes.share(detail.link_id).key,
        )
    ]


def _file_quarantined(detail: FileQuarantined, event_id: str, when: datetime) -> list[Delivery]:
    """The file's owner learns that an upload (a partner's, filed as theirs) will never open."""
    return [
        Delivery(
            detail.owner_id,
            "file_quarantined",
            event_id,
            when,
            params={"name": detail.name, "reason": detail.reason or "—"},
            link=_folder_link(detail.folder_id),
        )
    ]


def _share_expiring(detail: ShareLinkExpiringSoon, event_id: str, when: datetime) -> list[Delivery]:
    from chalicelib.core.templating import jst

    expires = _occurred_at({"time": detail.expires_at})
    return [
        Delivery(
            detail.owner_id,
            "share_expiring",
            event_id,
            when,
            params={"expires": jst(expires)},
            link=f"/files/{detail.target_id}",
            subject=mutes.share(detail.link_id).key,
        )
    ]


def _share_accessed(detail: ShareLinkAccessed, event_id: str, when: datetime) -> list[Delivery]:
    link = f"/files/{detail.target_id}"
    subject = mutes.share(detail.link_id).key
    return [Delivery(detail.owner_id, "share_accessed", event_id, when, params={}, link=link, subject=subject)]


# Each route takes the detail type it is keyed by (checked by tests/unit/test_event_catalogue.py).
Route = Callable[[Any, str, datetime], list[Delivery]]
ROUTES: dict[type[Detail], Route] = {
    StaffSignedInFirstTime: _welcome,
    DepartmentNoticePosted: _department_notice,
    PartnerUploaded: _partner_upload,
    FileQuarantined: _file_quarantined,
    ShareLinkExpiringSoon: _share_expiring,
    ShareLinkAccessed: _share_accessed,
    **survey_routing.ROUTES,
    **project_routing.ROUTES,
}


def deliveries_for(event: dict[str, Any]) -> list[Delivery]:
    """The notifications an EventBridge event (as delivered by the bus) should create.

    An event no route names creates none; one whose detail does not fit its catalogue entry
    raises MalformedEvent (the message is retried, then rests in the DLQ for someone to look at).
    """
    return service.once_each(mutes.unmuted(routed(event)))


def routed(event: dict[str, Any]) -> list[Delivery]:
    """Who the event reaches by its route, before mutes (the notifier reads a batch's mutes at once)."""
    kind = next((d for d in ROUTES if d.matches(event)), None)
    if kind is None:
        return []
    detail = kind.parse(event)
    raw = event.get("detail") or {}
    return ROUTES[kind](detail, str(raw.get("event_id") or event.get("id")), _occurred_at(event))
