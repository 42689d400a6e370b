"""Changing a link after it is made: its settings, revoking it, re-issuing its token.

Whatever changes who may come in (password, recipients, revocation, a new token) bumps the
session epoch, which ends the partner sessions already open on the link.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest
from chalicelib.core.storage import transaction
from chalicelib.sharing import audit, credentials
from chalicelib.sharing.link_options import (
    checked_expiry,
    checked_max_downloads,
    checked_message,
    checked_password,
    checked_recipients,
    checked_upload_caps,
)
from chalicelib.sharing.links import Issued, Link, managed, now, to_link
from chalicelib.sharing.storage import LinkRecord, TokenRecord


def change(
    principal: Principal | None,
    link_id: str,
    options: dict[str, Any],
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Link:
    p = require_signed_in(principal)
    record = managed(p, link_id)
    if record.revoked_at is not None:
        raise BadRequest("A revoked link cannot be changed; create a new one.")
    actions: list[Any] = [LinkRecord.updated_at.set(now())]
    changed: list[str] = []
    if "expires_at" in options or "expires_in_days" in options:
        actions.append(LinkRecord.expires_at.set(checked_expiry(options)))
        changed.append("expiry")
    if "password" in options:
        hashed = checked_password(options["password"])
        actions.append(LinkRecord.password_hash.set(hashed) if hashed else LinkRecord.password_hash.remove())
        actions.append(LinkRecord.session_epoch.add(1))  # everyone must enter the new password
        actions.append(LinkRecord.failed_attempts.set(0))
        changed.append("password")
    if "max_downloads" in options:
        limit = checked_max_downloads(options["max_downloads"])
        actions.append(LinkRecord.max_downloads.set(limit) if limit else LinkRecord.max_downloads.remove())
        changed.append("max_downloads")
    if record.kind != "download" and ("upload_max_mb" in options or "upload_max_files" in options):
        actions += _changed_caps(record, options)
        changed.append("upload_limits")
    if "message" in options:
        message = checked_message(options["message"])
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
    recipients: list[Any] = checked_recipients(options) if "recipients" in options else list(record.recipients or [])
    verify = bool(options.get("verify_email", record.verify_email))
    if verify and not recipients:
        raise BadRequest("Name the recipients whose e-mail addresses may be verified.", field="recipients")
    return [
        LinkRecord.recipients.set(recipients) if recipients else LinkRecord.recipients.remove(),
        LinkRecord.verify_email.set(verify),
        LinkRecord.session_epoch.add(1),
    ]


def _changed_caps(record: LinkRecord, options: dict[str, Any]) -> list[Any]:
    max_bytes, max_files = checked_upload_caps(
        {
            "upload_max_mb": options.get("upload_max_mb", int(record.upload_max_bytes or 0) // 1024**2 or None),
            "upload_max_files": options.get("upload_max_files", record.upload_max_files),
        },
        record.space_id,
    )
    return [LinkRecord.upload_max_bytes.set(max_bytes), LinkRecord.upload_max_files.set(max_files)]


def revoke(principal: Principal | None, link_id: str, *, ip: str | None = None, user_agent: str | None = None) -> Link:
    p = require_signed_in(principal)
    record = managed(p, link_id)
    if record.revoked_at is None:
        record.update(
            actions=[
                LinkRecord.revoked_at.set(now()),
                LinkRecord.session_epoch.add(1),
                LinkRecord.updated_at.set(now()),
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
    record = managed(p, link_id)
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
                LinkRecord.updated_at.set(now()),
            ],
        )
    audit.record(link_id, "reissued", p.staff_id, ip=ip, user_agent=user_agent, file_id=record.target_id)
    return Issued(to_link(LinkRecord.get(link_id)), token)
