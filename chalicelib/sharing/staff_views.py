"""What the staff's share-link pages show, and how their forms become link options.

Forms speak in dates (JST) and checkboxes; the link modules speak in ISO times and booleans. The
translation is here, the rules (who may: link_creation.py, links.py; what is valid: link_options.py)
stay there: every option that comes out of these functions is checked again there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.templating import JST
from chalicelib.files import access
from chalicelib.files.entries import Entry
from chalicelib.sharing import audit, link_activity, link_creation, link_options, links
from chalicelib.sharing.links import Link

# What the share form says partners may send when its fields are left empty (links.py decides).
UPLOAD_DEFAULTS = {"mb": links.DEFAULT_UPLOAD_MAX_MB, "files": links.DEFAULT_UPLOAD_MAX_FILES}

Form = dict[str, str]
FLAGS = ("verify_email", "notify_on_access", "notify_on_upload")
SPLIT = re.compile(r"[\s,;]+")


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
AGENT_MAX = 40


def short_agent(user_agent: str | None) -> str:
    """A user agent as "Chrome 126 / Windows" rather than 150 characters; unknown ones are cut short."""
    if not user_agent:
        return ""
    browser = next(
        (
            f"{name} {m.group(1)}"
            for marker, name in _BROWSERS
            if (m := re.search(re.escape(marker) + r"(\d+)", user_agent))
        ),
        None,
    )
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser or system:
        return " / ".join(part for part in (browser, system) if part)
    return user_agent if len(user_agent) <= AGENT_MAX else user_agent[: AGENT_MAX - 1] + "…"


@dataclass(frozen=True)
class AuditRow:
    event: audit.AuditEvent
    actor: str  # a staff member's name, "partner" or "partner:<e-mail>"
    link: Link | None = None  # the link the record is about (on a file's or folder's activity page)
    may_open_link: bool = False  # the person looking may open that link's page

    @property
    def is_partner(self) -> bool:
        return self.actor == "partner" or self.actor.startswith("partner:")

    @property
    def partner_name(self) -> str:
        """A partner's confirmed e-mail address, or the name they gave when sending files ("" if neither)."""
        if self.actor.startswith("partner:"):
            return self.actor.removeprefix("partner:")
        detail = self.event.detail or ""
        if self.is_partner and self.event.action == "uploaded" and detail.startswith("by "):
            name = detail.removeprefix("by ").strip()
            return "" if name == "partner" else name
        return ""

    @property
    def agent(self) -> str:
        return short_agent(self.event.user_agent)


def _now() -> datetime:
    return datetime.now(UTC)


def _checked(data: Form, name: str) -> bool:
    return data.get(name, "") not in ("", "0", "off", "false")


# --- forms -> options --------------------------------------------------------------------------


def expiry_from_date(value: str, *, now: datetime | None = None) -> str:
    """A link chosen to last "until <date>" lasts to the end of that day in Japan.

    On the last day allowed, the end of the day would overshoot the maximum by a few hours:
    the link then ends at the maximum itself. A later date is passed on for link_options.py to refuse.
    """
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest("The expiry date is not a date.", field="expires_at") from None
    at = now or _now()
    end = datetime.combine(day, time(23, 59, 59), tzinfo=JST)
    latest = at + timedelta(days=settings().share_max_days)
    if day == latest.astimezone(JST).date():
        end = min(end, latest)
    return end.isoformat()


def create_options(data: Form) -> tuple[str, dict[str, Any]]:
    """The create form as (kind, options for link_creation.create)."""
    options: dict[str, Any] = {
        "password": data.get("password") or None,
        "max_downloads": data.get("max_downloads", "").strip() or None,
        "upload_max_mb": data.get("upload_max_mb", "").strip() or None,
        "upload_max_files": data.get("upload_max_files", "").strip() or None,
        "recipients": data.get("recipients", ""),
        "message": data.get("message", ""),
        **{flag: _checked(data, flag) for flag in FLAGS},
    }
    if data.get("expires_on", "").strip():
        options["expires_at"] = expiry_from_date(data["expires_on"])
    return data.get("kind") or "download", options


def _emails(raw: str) -> list[str]:
    return sorted({e.strip().lower() for e in SPLIT.split(raw or "") if e.strip()})


def _number_or_raw(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw  # link_options.py says what is wrong with it


def _changed_caps(data: Form, link: Link) -> dict[str, str]:
    if not link.allows_upload:
        return {}
    current_mb = None if link.upload_max_bytes is None else link.upload_max_bytes // 1024**2
    return {
        field: data[field].strip()
        for field, current in (("upload_max_mb", current_mb), ("upload_max_files", link.upload_max_files))
        if data.get(field, "").strip() and _number_or_raw(data[field]) != current
    }


def change_options(data: Form, link: Link) -> dict[str, Any]:
    """Only what the form changes: a password or the recipients change ends partners' sessions,
    so an unchanged field must not be sent as if it were new."""
    options: dict[str, Any] = {}
    day = data.get("expires_on", "").strip()
    if day and day != link.expires_at.astimezone(JST).date().isoformat():
        options["expires_at"] = expiry_from_date(day)
    if _checked(data, "remove_password"):
        if link.has_password:
            options["password"] = None
    elif data.get("password"):
        options["password"] = data["password"]
    if "max_downloads" in data and _number_or_raw(data["max_downloads"]) != link.max_downloads:
        options["max_downloads"] = data["max_downloads"].strip() or None
    options.update(_changed_caps(data, link))
    if "message" in data and data["message"].strip() != (link.message or ""):
        options["message"] = data["message"]
    if "recipients" in data and _emails(data["recipients"]) != sorted(link.recipients):
        options["recipients"] = data["recipients"]
    # A download link's form has no "when a partner sends files" box: its absence is not a "no".
    for flag in (f for f in FLAGS if link.allows_upload or f != "notify_on_upload"):
        if _checked(data, flag) != getattr(link, flag):
            options[flag] = _checked(data, flag)
    return options


# --- page contexts -----------------------------------------------------------------------------


def date_limits(now: datetime | None = None) -> dict[str, Any]:
    """The expiry field's default, earliest and latest dates (JST) and the administrators' maximum."""
    at = (now or _now()).astimezone(JST)
    max_days = settings().share_max_days
    return {
        "default": (at + timedelta(days=link_options.DEFAULT_DAYS)).date().isoformat(),
        "min": at.date().isoformat(),
        "max": (at + timedelta(days=max_days)).date().isoformat(),
        "max_days": max_days,
        "default_days": link_options.DEFAULT_DAYS,
    }


def panel(me: Principal, entry: Entry, *, form: Form | None = None) -> dict[str, Any]:
    """The Share panel of a file's or folder's page: the links on it and the form for a new one."""
    return {
        "links": links.for_target(me, entry.file_id),
        "can_share": link_creation.can_share(me, entry) and entry.usable,
        "can_audit": link_activity.can_audit(me, entry),
        "kinds": links.KINDS if entry.is_folder else ("download",),
        "dates": date_limits(),
        "form": form,
        "password_min": link_options.PASSWORD_MIN,
        "message_max": link_options.MESSAGE_MAX,
        "upload_defaults": UPLOAD_DEFAULTS,
    }


def _names(staff_ids: list[str]) -> dict[str, str]:
    from chalicelib.directory import service as directory

    return directory.display_names(staff_ids)


def audit_rows(
    events: list[audit.AuditEvent], me: Principal | None = None, known: dict[str, Link] | None = None
) -> list[AuditRow]:
    staff = _names([e.actor for e in events if not e.actor.startswith("partner")])
    rows = []
    for e in events:
        link = (known or {}).get(e.link_id)
        rows.append(AuditRow(e, staff.get(e.actor, e.actor), link, bool(me and link and links.manages(me, link))))
    return rows


def activity_context(me: Principal, item_id: str) -> dict[str, Any]:
    """A file's or folder's share activity: the newest records of all its links, and the CSV of them all."""
    found = link_activity.item_activity(me, item_id)
    return {
        "entry": found.item,
        "rows": audit_rows(found.events, me, found.links),
        "more": found.more,
        "limit": link_activity.ACTIVITY_PAGE,
        "export_max": link_activity.ACTIVITY_EXPORT,
        "csv_url": f"/api/files/{found.item.file_id}/audit?format=csv",
    }


def link_context(
    me: Principal,
    link_id: str,
    *,
    issued_url: str | None = None,
    error: str | None = None,
    done: str = "",
    form: Form | None = None,
) -> dict[str, Any]:
    """One link's page: its state and settings, the forms to change, re-issue or revoke it, its trail.

    issued_url: the new address, on the one view that shows it.
    """
    link = links.get(me, link_id)
    try:
        target: Entry | None = access.readable(me, link.target_id)
    except NotFound:  # moved to the trash, or out of reach: the link is still managed here
        target = None
    return {
        "link": link,
        "state": link.state(),
        "target": target,
        "issued_url": issued_url,
        "audit": audit_rows(link_activity.audit_trail(me, link.link_id)),
        "dates": date_limits(),
        "values": form if form is not None else current_values(link),
        "error": error,
        "done": done,
        "password_min": link_options.PASSWORD_MIN,
        "message_max": link_options.MESSAGE_MAX,
        "upload_defaults": UPLOAD_DEFAULTS,
    }


def current_values(link: Link) -> dict[str, str]:
    """The edit form filled in with the link's settings as they are."""
    return {
        "expires_on": link.expires_at.astimezone(JST).date().isoformat(),
        "max_downloads": "" if link.max_downloads is None else str(link.max_downloads),
        "upload_max_mb": "" if link.upload_max_bytes is None else str(link.upload_max_bytes // 1024**2),
        "upload_max_files": "" if link.upload_max_files is None else str(link.upload_max_files),
        "recipients": "\n".join(link.recipients),
        "message": link.message or "",
        **{flag: "on" if getattr(link, flag) else "" for flag in FLAGS},
    }
