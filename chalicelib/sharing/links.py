"""Staff side of share links: create, list, change, revoke, re-issue, read the audit trail.

A link is to a file (download) or a folder (download, file request, or two-way exchange).
Another slice may also hold links of its own kind whose target is an opaque key, not a file
(a survey's respondent link: external.py); those are managed through that slice, never here.
Its token is shown once, at creation or re-issue; only its SHA-256 is stored. Changing the
password, revoking or re-issuing bumps the link's session epoch, which ends every partner
session already open on it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.core.storage import get_or_none, transaction, update_if
from chalicelib.files import policy
from chalicelib.files import service as files
from chalicelib.sharing import audit, credentials
from chalicelib.sharing.storage import LinkRecord, TokenRecord, bind

KINDS = ("download", "request", "exchange")
EXTERNAL_KINDS = ("survey",)  # links whose target is another slice's key (external.py)
DEFAULT_DAYS = 7
PASSWORD_MIN = 8
MESSAGE_MAX = 2000
RECIPIENTS_MAX = 20
ACTIVITY_PAGE = 100  # records on the share-activity page; the CSV has the rest
ACTIVITY_EXPORT = 5000
# What partners may send through one file request or exchange, unless its creator says otherwise.
DEFAULT_UPLOAD_MAX_MB = 5 * 1024
DEFAULT_UPLOAD_MAX_FILES = 500
UPLOAD_MAX_FILES_LIMIT = 10_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
class Activity:
    """The share activity of a file or folder, newest first."""

    item: files.Entry
    events: list[audit.AuditEvent]
    links: dict[str, Link]  # the links the events are about, while they exist
    more: bool  # older records were left out


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


def _now() -> datetime:
    return datetime.now(UTC)


# --- validation -----------------------------------------------------------------------------


def _expiry(options: dict[str, Any]) -> datetime:
    max_days = settings().share_max_days
    if options.get("expires_at"):
        try:
            expires = datetime.fromisoformat(str(options["expires_at"]).replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("The expiry date is not a date.", field="expires_at") from None
        expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    else:
        try:
            days = float(options.get("expires_in_days", DEFAULT_DAYS))
        except (TypeError, ValueError):
            raise BadRequest("The expiry must be a number of days.", field="expires_in_days") from None
        expires = _now() + timedelta(days=days)
    if expires <= _now():
        raise BadRequest("The expiry must be in the future.", field="expires_at")
    if expires > _now() + timedelta(days=max_days, minutes=1):
        raise BadRequest("A link can be valid for at most {days} days.", field="expires_at", days=max_days)
    return expires


def _recipients(options: dict[str, Any]) -> list[str]:
    raw = options.get("recipients") or []
    if isinstance(raw, str):
        raw = re.split(r"[\s,;]+", raw)
    emails = sorted({str(e).strip().lower() for e in raw if str(e).strip()})
    if len(emails) > RECIPIENTS_MAX:
        raise BadRequest("At most {max} recipients.", field="recipients", max=RECIPIENTS_MAX)
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise BadRequest("Not an e-mail address: {email}", field="recipients", email=bad[0])
    return emails


def _password(value: Any) -> str | None:
    if value in (None, ""):
        return None
    password = str(value)
    if len(password) < PASSWORD_MIN or len(password) > 128:
        raise BadRequest("A link password has {min} to 128 characters.", field="password", min=PASSWORD_MIN)
    return credentials.hash_password(password)


def _max_downloads(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest("The download limit must be a whole number.", field="max_downloads") from None
    if not 1 <= number <= 10_000:
        raise BadRequest("The download limit is between 1 and 10000.", field="max_downloads")
    return number


def _upload_caps(options: dict[str, Any], space_id: str) -> tuple[int, int]:
    """(bytes, files) partners may send through the link; never more than the space holds."""
    quota = files.space(space_id).quota_bytes
    try:
        mb = int(options.get("upload_max_mb") or DEFAULT_UPLOAD_MAX_MB)
    except (TypeError, ValueError):
        raise BadRequest("The upload limit must be a whole number of MB.", field="upload_max_mb") from None
    try:
        count = int(options.get("upload_max_files") or DEFAULT_UPLOAD_MAX_FILES)
    except (TypeError, ValueError):
        raise BadRequest("The file limit must be a whole number.", field="upload_max_files") from None
    if mb < 1 or mb * 1024**2 > quota:
        raise BadRequest(
            "The upload limit is between 1 MB and the space's quota ({quota} MB).",
            field="upload_max_mb",
            quota=quota // 1024**2,
        )
    if not 1 <= count <= UPLOAD_MAX_FILES_LIMIT:
        raise BadRequest("The file limit is between 1 and {max}.", field="upload_max_files", max=UPLOAD_MAX_FILES_LIMIT)
    return mb * 1024**2, count


def _message(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) > MESSAGE_MAX:
        raise BadRequest("The message is too long (at most {limit} characters).", field="message", limit=MESSAGE_MAX)
    return text or None


# --- use cases ------------------------------------------------------------------------------


def can_share(p: Principal, target: files.Entry) -> bool:
    """Who may make links to an item they can see: people of its space, its owner, its administrators."""
    return policy.can_write_in(p, target.space_id) or policy.can_manage(p, target.item)


def create(
    principal: Principal | None,
    target_id: str,
    kind: str,
    options: dict[str, Any],
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Issued:
    p = require_signed_in(principal)
    if kind not in KINDS:
        raise BadRequest("The kind of link is one of: download, request, exchange.", field="kind")
    target = files.readable(p, target_id)
    if not can_share(p, target):
        raise Forbidden("You can share only from your own department's or your own space.")
    if kind != "download" and not target.is_folder:
        raise BadRequest("A file request or an exchange is a link to a folder.", field="kind")
    if not target.usable:
        raise BadRequest("A file waiting for or failing its virus check cannot be shared.")
    recipients = _recipients(options)
    verify = bool(options.get("verify_email"))
    if verify and not recipients:
        raise BadRequest("Name the recipients whose e-mail addresses may be verified.", field="recipients")
    caps = _upload_caps(options, target.space_id) if kind != "download" else (None, None)
    now = _now()
    token = credentials.new_token()
    record = LinkRecord(
        f"sl_{secrets.token_hex(10)}",
        token_hash=credentials.token_hash(token),
        kind=kind,
        target_id=target.file_id,
        target_kind=target.kind,
        space_id=target.space_id,
        owner_id=p.staff_id,
        owner_name=p.display_name,
        owner_department_id=p.department_id,
        message=_message(options.get("message")),
        created_at=now.isoformat(),
        updated_at=now,
        expires_at=_expiry(options),
        password_hash=_password(options.get("password")),
        max_downloads=_max_downloads(options.get("max_downloads")),
        download_count=0,
        recipients=recipients or None,
        verify_email=verify,
        notify_on_access=bool(options.get("notify_on_access")),
        notify_on_upload=bool(options.get("notify_on_upload", True)),
        session_epoch=1,
        failed_attempts=0,
        upload_max_bytes=caps[0],
        upload_max_files=caps[1],
    )
    bind()
    with transaction() as t:
        t.save(
            TokenRecord(credentials.token_hash(token), link_id=record.link_id),
            condition=TokenRecord.token_hash.does_not_exist(),
        )
        t.save(record, condition=LinkRecord.link_id.does_not_exist())
    audit.record(
        record.link_id,
        "created",
        p.staff_id,
        ip=ip,
        user_agent=user_agent,
        file_id=target.file_id,
        object_name=target.name,
        detail=f"kind={kind}",
    )
    events.publish(
        [
            event_catalogue.ShareLinkCreated(
                link_id=record.link_id,
                kind=kind,
                target_id=target.file_id,
                owner_id=p.staff_id,
                space_id=target.space_id,
                expires_at=record.expires_at.isoformat(),
            )
        ]
    )
    return Issued(to_link(record), token)


def _managed(principal: Principal | None, link_id: str) -> LinkRecord:
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
    return to_link(_managed(principal, link_id))


def for_target(principal: Principal | None, target_id: str) -> list[Link]:
    p = require_signed_in(principal)
    target = files.readable(p, target_id)
    bind()
    records = LinkRecord.by_target.query(target.file_id, scan_index_forward=False)
    return [link for link in map(to_link, records) if manages(p, link)]


def mine(principal: Principal | None) -> list[Link]:
    p = require_signed_in(principal)
    bind()
    found = (to_link(r) for r in LinkRecord.by_owner.query(p.staff_id, scan_index_forward=False, limit=200))
    return [link for link in found if not link.external]


def change(
    principal: Principal | None,
    link_id: str,
    options: dict[str, Any],
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Link:
    p = require_signed_in(principal)
    record = _managed(p, link_id)
    if record.revoked_at is not None:
        raise BadRequest("A revoked link cannot be changed; create a new one.")
    actions: list[Any] = [LinkRecord.updated_at.set(_now())]
    changed: list[str] = []
    if "expires_at" in options or "expires_in_days" in options:
        actions.append(LinkRecord.expires_at.set(_expiry(options)))
        changed.append("expiry")
    if "password" in options:
        hashed = _password(options["password"])
        actions.append(LinkRecord.password_hash.set(hashed) if hashed else LinkRecord.password_hash.remove())
        actions.append(LinkRecord.session_epoch.add(1))  # everyone must enter the new password
        actions.append(LinkRecord.failed_attempts.set(0))
        changed.append("password")
    if "max_downloads" in options:
        limit = _max_downloads(options["max_downloads"])
        actions.append(LinkRecord.max_downloads.set(limit) if limit else LinkRecord.max_downloads.remove())
        changed.append("max_downloads")
    if record.kind != "download" and ("upload_max_mb" in options or "upload_max_files" in options):
        actions += _changed_caps(record, options)
        changed.append("upload_limits")
    if "message" in options:
        message = _message(options["message"])
        actions.append(LinkRecord.message.set(message) if message else LinkRecord.message.remove())
        changed.append("message")
    if "recipients" in options or "verify_email" in options:
        actions += _changed_recipients(record, options)
        changed.append("recipients")
    for flag in ("notify_on_access", "notify_on_upload"):
        if flag in options:
            actions.append(getattr(LinkRecord, flag).set(bool(options[flag])))
            changed.append(flag)
    record.update(actions=actions)
    audit.record(
        link_id, "changed", p.staff_id, ip=ip, user_agent=user_agent, file_id=record.target_id, detail=",".join(changed)
    )
    return to_link(LinkRecord.get(link_id))


def _changed_recipients(record: LinkRecord, options: dict[str, Any]) -> list[Any]:
    recipients: list[Any] = _recipients(options) if "recipients" in options else list(record.recipients or [])
    verify = bool(options.get("verify_email", record.verify_email))
    if verify and not recipients:
        raise BadRequest("Name the recipients whose e-mail addresses may be verified.", field="recipients")
    return [
        LinkRecord.recipients.set(recipients) if recipients else LinkRecord.recipients.remove(),
        LinkRecord.verify_email.set(verify),
        LinkRecord.session_epoch.add(1),
    ]


def _changed_caps(record: LinkRecord, options: dict[str, Any]) -> list[Any]:
    max_bytes, max_files = _upload_caps(
        {
            "upload_max_mb": options.get("upload_max_mb", int(record.upload_max_bytes or 0) // 1024**2 or None),
            "upload_max_files": options.get("upload_max_files", record.upload_max_files),
        },
        record.space_id,
    )
    return [LinkRecord.upload_max_bytes.set(max_bytes), LinkRecord.upload_max_files.set(max_files)]


def revoke(principal: Principal | None, link_id: str, *, ip: str | None = None, user_agent: str | None = None) -> Link:
    p = require_signed_in(principal)
    record = _managed(p, link_id)
    if record.revoked_at is None:
        record.update(
            actions=[
                LinkRecord.revoked_at.set(_now()),
                LinkRecord.session_epoch.add(1),
                LinkRecord.updated_at.set(_now()),
            ]
        )
        audit.record(link_id, "revoked", p.staff_id, ip=ip, user_agent=user_agent, file_id=record.target_id)
        events.publish(
            [event_catalogue.ShareLinkRevoked(link_id=link_id, owner_id=record.owner_id, revoked_by=p.staff_id)]
        )
    return to_link(LinkRecord.get(link_id))


def reissue(
    principal: Principal | None, link_id: str, *, ip: str | None = None, user_agent: str | None = None
) -> Issued:
    """A new token with the same settings; the old one stops working at once."""
    p = require_signed_in(principal)
    record = _managed(p, link_id)
    if record.revoked_at is not None:
        raise BadRequest("A revoked link cannot be re-issued; create a new one.")
    token = credentials.new_token()
    new_hash = credentials.token_hash(token)
    with transaction() as t:
        t.delete(TokenRecord(record.token_hash))
        t.save(TokenRecord(new_hash, link_id=link_id), condition=TokenRecord.token_hash.does_not_exist())
        t.update(
            record,
            actions=[
                LinkRecord.session_epoch.add(1),
                LinkRecord.token_hash.set(new_hash),
                LinkRecord.updated_at.set(_now()),
            ],
        )
    audit.record(link_id, "reissued", p.staff_id, ip=ip, user_agent=user_agent, file_id=record.target_id)
    return Issued(to_link(LinkRecord.get(link_id)), token)


def audit_trail(principal: Principal | None, link_id: str) -> list[audit.AuditEvent]:
    _managed(principal, link_id)
    return audit.for_link(link_id)


def can_audit(p: Principal, item: files.Entry) -> bool:
    """Who reads the share activity of a whole file or folder: its owner and its space's administrators."""
    return policy.can_manage(p, item.item)


def item_activity(principal: Principal | None, item_id: str, limit: int = ACTIVITY_PAGE) -> Activity:
    """The newest records of every link to a file or folder, and of the file reached through a folder's link.

    Someone who cannot read the item learns nothing of it (404); a reader who does not manage it is
    refused (403).
    """
    p = require_signed_in(principal)
    entry = files.readable(p, item_id)
    if not can_audit(p, entry):
        raise Forbidden("Only the owner or an administrator of this space can read its audit trail.")
    bind()
    own = {r.link_id: r for r in LinkRecord.by_target.query(entry.file_id)}
    streams = [audit.for_link(link_id, limit + 1) for link_id in own]
    streams.append(audit.for_file(entry.file_id, limit + 1))
    found = audit.newest(streams, limit + 1)
    others = {e.link_id for e in found} - own.keys()
    records = [*own.values(), *(LinkRecord.batch_get(others) if others else [])]
    return Activity(entry, found[:limit], {r.link_id: to_link(r) for r in records}, len(found) > limit)


def file_audit_trail(principal: Principal | None, file_id: str) -> list[audit.AuditEvent]:
    return item_activity(principal, file_id, ACTIVITY_EXPORT).events


EXPIRY_WARNING = timedelta(hours=24)  # an owner hears this long before a link expires
TOKEN_RETIREMENT = timedelta(days=30)  # a link expired this long ago loses its token (the link and trail stay)


def warn_expiring_and_retire_tokens(at: datetime) -> tuple[int, int]:
    """The scheduler's sweep of links: (owners told a link expires within a day, tokens retired).

    The warning is a ShareLinkExpiringSoon event, set conditionally so that two sweeps at once
    announce it once.
    """
    bind()
    warnings = []
    retired = 0
    for link in LinkRecord.scan(LinkRecord.revoked_at.does_not_exist()):
        # An external link's owner hears of it through its own slice (a survey's deadline), not here.
        soon = at < link.expires_at <= at + EXPIRY_WARNING and link.kind not in EXTERNAL_KINDS
        if soon and not link.expiry_warned:
            if update_if(link, [LinkRecord.expiry_warned.set(True)], LinkRecord.expiry_warned.does_not_exist()):
                warnings.append(
                    event_catalogue.ShareLinkExpiringSoon(
                        link_id=link.link_id,
                        owner_id=link.owner_id,
                        target_id=link.target_id,
                        expires_at=link.expires_at.isoformat(),
                    )
                )
        elif link.expires_at <= at - TOKEN_RETIREMENT and link.token_hash:
            TokenRecord(link.token_hash).delete()
            link.update(actions=[LinkRecord.token_hash.set("")])
            retired += 1
    events.publish(warnings)
    return len(warnings), retired
