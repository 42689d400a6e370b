"""Share links for another slice: a link whose target is that slice's opaque key, not a file.

A survey sent to an organisation outside the prefecture (a 市町村, a partner body) reaches its
contact through such a link: the same unguessable token stored only as its SHA-256, the same
expiry, the same e-mail one-time code, the same partner session cookie, attempt limits and
audit trail as a file link; only what lies behind the gates belongs to the other slice. So:
- the link has no file scope: nothing to browse, download or upload through it (partner.py);
- it is made, re-issued and ended through the owning slice's rules, never on the staff share
  pages (links.managed refuses it);
- the owning slice registers the page its links continue at, so /s/view can send a partner
  who came in through a file-link address on to it.

This module knows no other slice: it deals in kinds and keys. The slice above imports it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.core.storage import get_or_none, transaction
from chalicelib.sharing import audit, credentials
from chalicelib.sharing.link_options import EMAIL, RECIPIENTS_MAX
from chalicelib.sharing.links import EXTERNAL_KINDS, Link, to_link
from chalicelib.sharing.partner import Visit, require_through
from chalicelib.sharing.storage import LinkRecord, TokenRecord, bind

TARGET_KEY_MAX = 512

_pages: dict[str, str] = {}


@dataclass(frozen=True)
class ExternalIssued:
    link: Link
    token: str  # shown once, to be mailed; never stored or logged


def register_page(kind: str, path: str) -> None:
    """Where a partner session on a link of `kind` continues once it is open (its slice's page)."""
    _pages[kind] = path


def page_for(kind: str) -> str | None:
    return _pages.get(kind)


def url(token: str, path: str) -> str:
    """The address to mail: the token travels in the fragment, which no server log and no
    Referer carries (as the file links' /s/#<token>); the page at `path` trades it for a cookie."""
    return f"{settings().base_url.rstrip('/')}{path}#{token}"


def _checked(kind: str, target_key: str, recipients: list[str], expires_at: datetime) -> list[str]:
    if kind not in EXTERNAL_KINDS:
        raise ValueError(f"not an external link kind: {kind}")
    if not target_key or len(target_key.encode()) > TARGET_KEY_MAX:
        raise ValueError("an external link needs a target key of at most 512 bytes")
    emails = sorted({e.strip().lower() for e in recipients if e.strip()})
    if not emails or len(emails) > RECIPIENTS_MAX:
        raise BadRequest("Name between 1 and {max} recipients.", field="recipients", max=RECIPIENTS_MAX)
    bad = [e for e in emails if not EMAIL.match(e) or len(e) > 254]
    if bad:
        raise BadRequest("Not an e-mail address: {email}", field="recipients", email=bad[0])
    if expires_at.tzinfo is None or expires_at <= datetime.now(UTC):
        raise BadRequest("The expiry must be in the future.", field="expires_at")
    return emails


def create_external(
    owner: Principal,
    target_key: str,
    recipients: list[str],
    expires_at: datetime,
    *,
    kind: str = "survey",
    verify_email: bool = True,
) -> ExternalIssued:
    """A new link of `kind` to `target_key` for these recipients. The caller (the owning slice)
    has decided that `owner` may make it; the token is returned once, for the invitation."""
    emails = _checked(kind, target_key, recipients, expires_at)
    now = datetime.now(UTC)
    token = credentials.new_token()
    record = LinkRecord(
        f"sl_{secrets.token_hex(10)}",
        token_hash=credentials.token_hash(token),
        kind=kind,
        target_id=target_key,
        target_kind="external",
        space_id="",
        owner_id=owner.staff_id,
        owner_name=owner.display_name,
        owner_department_id=owner.department_id,
        created_at=now.isoformat(),
        updated_at=now,
        expires_at=expires_at,
        download_count=0,
        recipients=emails,
        verify_email=verify_email,
        notify_on_access=False,
        notify_on_upload=False,
        session_epoch=1,
        failed_attempts=0,
    )
    bind()
    with transaction() as t:
        t.save(
            TokenRecord(record.token_hash, link_id=record.link_id),
            condition=TokenRecord.token_hash.does_not_exist(),
        )
        t.save(record, condition=LinkRecord.link_id.does_not_exist())
    audit.record(record.link_id, "created", owner.staff_id, detail=f"kind={kind}")
    return ExternalIssued(to_link(record), token)


def _external(link_id: str) -> LinkRecord:
    bind()
    record = get_or_none(LinkRecord, link_id)
    if record is None or record.kind not in EXTERNAL_KINDS:
        raise NotFound("This share link does not exist.")
    return record


def links_to(target_key: str) -> list[Link]:
    """Every link made to this key, newest first (a re-sent invitation keeps its link)."""
    bind()
    found = (to_link(r) for r in LinkRecord.by_target.query(target_key, scan_index_forward=False))
    return [link for link in found if link.external]


def reissue_external(link_id: str, actor_id: str, *, recipients: list[str] | None = None) -> ExternalIssued:
    """A new token for the link (a lost or changed invitation): the old one stops working at once
    and every open session on it ends. `recipients` replaces who may verify, when given."""
    record = _external(link_id)
    if record.revoked_at is not None:
        raise BadRequest("A revoked link cannot be re-issued; create a new one.")
    emails = _checked(record.kind, record.target_id, recipients, record.expires_at) if recipients else None
    token = credentials.new_token()
    new_hash = credentials.token_hash(token)
    actions = [
        LinkRecord.session_epoch.add(1),
        LinkRecord.token_hash.set(new_hash),
        LinkRecord.updated_at.set(datetime.now(UTC)),
    ]
    if emails:
        actions.append(LinkRecord.recipients.set(emails))
    with transaction() as t:
        if record.token_hash:
            t.delete(TokenRecord(record.token_hash))
        t.save(TokenRecord(new_hash, link_id=link_id), condition=TokenRecord.token_hash.does_not_exist())
        t.update(record, actions=actions)
    audit.record(link_id, "reissued", actor_id)
    return ExternalIssued(to_link(LinkRecord.get(link_id)), token)


def key_of(visit: Visit, kind: str) -> str:
    """The target key a partner session may act on: its own link's, once its gates are passed.

    The key comes from the link the session was opened on and from nothing the partner sends,
    so a session reaches the one key its link was made for.
    """
    if visit.link.kind != kind:
        raise Forbidden("This link is not for this page.")
    require_through(visit)
    return visit.link.target_id
