"""Staff side of share links: what a link is, who manages it, and finding them.

A link is to a file (download) or a folder (download, file request, or two-way exchange).
Another slice may also hold links of its own kind whose target is an opaque key, not a file
(a survey's respondent link: external.py); those are managed through that slice, never here.
Its token is shown once, at creation or re-issue; only its SHA-256 is stored. Changing the
password, revoking or re-issuing bumps the link's session epoch, which ends every partner
session already open on it.

The use cases are beside this module: link_options (what a form may ask for), link_creation,
link_changes (change, revoke, re-issue), link_activity (the audit trail) and link_expiry (the
scheduler's sweep).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.files import access, policy
from chalicelib.sharing.storage import LinkRecord, bind

KINDS = ("download", "request", "exchange")
EXTERNAL_KINDS = ("survey",)  # links whose target is another slice's key (external.py)
# What partners may send through one file request or exchange, unless its creator says otherwise
# (a link that names no cap of its own gets these).
DEFAULT_UPLOAD_MAX_MB = 5 * 1024
DEFAULT_UPLOAD_MAX_FILES = 500


@dataclass(frozen=True)
class Link:
    link_id: str
    kind: str
    target_id: str
    target_kind: str
    space_id: str
    owner_id: str
    owner_name: str
    owner_department_id: str
    message: str | None
    created_at: str
    expires_at: datetime
    has_password: bool
    max_downloads: int | None
    download_count: int
    recipients: list[str]
    verify_email: bool
    notify_on_access: bool
    notify_on_upload: bool
    revoked_at: datetime | None
    session_epoch: int
    locked_until: datetime | None
    upload_max_bytes: int | None = None  # partner uploads: caps (file request, exchange) ...
    upload_max_files: int | None = None
    upload_bytes: int = 0  # ... and what is used of them
    upload_files: int = 0

    def state(self, at: datetime | None = None) -> str:
        """active | revoked | expired | exhausted."""
        now = at or datetime.now(UTC)
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.max_downloads is not None and self.download_count >= self.max_downloads and self.kind == "download":
            return "exhausted"
        return "active"

    @property
    def created(self) -> datetime:
        value = datetime.fromisoformat(self.created_at)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @property
    def external(self) -> bool:
        """A link of another slice: no file behind it, nothing to browse, download or upload."""
        return self.kind in EXTERNAL_KINDS

    @property
    def allows_download(self) -> bool:
        return self.kind in ("download", "exchange")

    @property
    def allows_upload(self) -> bool:
        return self.kind in ("request", "exchange")


@dataclass(frozen=True)
class Issued:
    link: Link
    token: str

    @property
    def url(self) -> str:
        # The token travels in the fragment: browsers never send it to a server, so it stays out
        # of access logs and Referer headers. The partner page trades it for a cookie.
        return f"{settings().base_url.rstrip('/')}/s/#{self.token}"


def to_link(r: LinkRecord) -> Link:
    return Link(
        r.link_id,
        r.kind,
        r.target_id,
        r.target_kind,
        r.space_id,
        r.owner_id,
        r.owner_name,
        r.owner_department_id,
        r.message,
        r.created_at,
        r.expires_at,
        bool(r.password_hash),
        int(r.max_downloads) if r.max_downloads is not None else None,
        int(r.download_count or 0),
        [str(e) for e in (r.recipients or [])],
        bool(r.verify_email),
        bool(r.notify_on_access),
        bool(r.notify_on_upload),
        r.revoked_at,
        int(r.session_epoch or 1),
        r.locked_until,
        _int_or_none(r.upload_max_bytes),
        _int_or_none(r.upload_max_files),
        int(r.upload_bytes or 0),
        int(r.upload_files or 0),
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def now() -> datetime:
    return datetime.now(UTC)


def managed(principal: Principal | None, link_id: str) -> LinkRecord:
    p = require_signed_in(principal)
    bind()
    record = get_or_none(LinkRecord, link_id)
    if record is None:
        raise NotFound("This share link does not exist.")
    link = to_link(record)
    if link.external or not manages(p, link):  # an external link is changed through its own slice
        raise NotFound("This share link does not exist.")
    return record


def manages(p: Principal, link: Link) -> bool:
    """Who sees a link's settings and trail, and may change, re-issue or revoke it."""
    return link.owner_id == p.staff_id or policy.administers_space(p, link.space_id)


def get(principal: Principal | None, link_id: str) -> Link:
    return to_link(managed(principal, link_id))


def for_target(principal: Principal | None, target_id: str) -> list[Link]:
    p = require_signed_in(principal)
    target = access.readable(p, target_id)
    bind()
    records = LinkRecord.by_target.query(target.file_id, scan_index_forward=False)
    return [link for link in map(to_link, records) if manages(p, link)]


def mine(principal: Principal | None) -> list[Link]:
    p = require_signed_in(principal)
    bind()
    found = (to_link(r) for r in LinkRecord.by_owner.query(p.staff_id, scan_index_forward=False, limit=200))
    return [link for link in found if not link.external]
