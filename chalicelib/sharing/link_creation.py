"""Making a share link to a file or folder: who may, and the link with its token, stored and announced."""

from __future__ import annotations

import secrets
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Forbidden
from chalicelib.core.storage import transaction
from chalicelib.files import access, policy
from chalicelib.files.entries import Entry
from chalicelib.sharing import audit, credentials
from chalicelib.sharing.link_options import (
    checked_expiry,
    checked_max_downloads,
    checked_message,
    checked_password,
    checked_recipients,
    checked_upload_caps,
)
from chalicelib.sharing.links import KINDS, Issued, now, to_link
from chalicelib.sharing.storage import LinkRecord, TokenRecord, bind


def can_share(p: Principal, target: Entry) -> bool:
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
    target = access.readable(p, target_id)
    if not can_share(p, target):
        raise Forbidden("You can share only from your own department's or your own space.")
    if kind != "download" and not target.is_folder:
        raise BadRequest("A file request or an exchange is a link to a folder.", field="kind")
    if not target.usable:
        raise BadRequest("A file waiting for or failing its virus check cannot be shared.")
    recipients = checked_recipients(options)
    verify = bool(options.get("verify_email"))
    if verify and not recipients:
        raise BadRequest("Name the recipients whose e-mail addresses may be verified.", field="recipients")
    caps = checked_upload_caps(options, target.space_id) if kind != "download" else (None, None)
    created = now()
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
        message=checked_message(options.get("message")),
        created_at=created.isoformat(),
        updated_at=created,
        expires_at=checked_expiry(options),
        password_hash=checked_password(options.get("password")),
        max_downloads=checked_max_downloads(options.get("max_downloads")),
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
