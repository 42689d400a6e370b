"""A new link's address, kept for the one page view that follows the form (Post/Redirect/Get).

The address carries the link's token, which Kumo otherwise never keeps (only its hash). For the
few minutes between the POST and the page it redirects to, the address is stored sealed
(AES-GCM) with a key derived from the staff member's session cookie. The server does not keep
that cookie either (only its hash), so what sits in the table cannot be read without the
browser that made the link. The first view from that browser takes it and deletes it; a reload,
another person or another session finds nothing. Expiry is checked here, not left to anything else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from chalicelib.core.storage import get_or_none, update_if
from chalicelib.sharing.storage import LinkRecord, bind

KEEP_FOR = timedelta(minutes=10)
_NONCE_BYTES = 12


def _key(session_secret: str, link_id: str) -> bytes:
    return hmac.new(session_secret.encode(), b"kumo/share-reveal/" + link_id.encode(), hashlib.sha256).digest()


def seal(url: str, link_id: str, session_secret: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(_key(session_secret, link_id)).encrypt(nonce, url.encode(), link_id.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, link_id: str, session_secret: str) -> str | None:
    """The address, or None when this session did not seal it (or the value is damaged)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(value.encode())
        opened = AESGCM(_key(session_secret, link_id)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], link_id.encode())
    except (InvalidTag, binascii.Error, ValueError):
        return None
    return opened.decode()


def keep(link_id: str, url: str, session_secret: str, *, now: datetime | None = None) -> None:
    """Keep the address for the next view of the link's page by this session (replacing any earlier one)."""
    bind()
    until = (now or datetime.now(UTC)) + KEEP_FOR
    update_if(
        LinkRecord(link_id),
        [LinkRecord.reveal.set(seal(url, link_id, session_secret)), LinkRecord.reveal_until.set(until)],
        LinkRecord.link_id.exists(),
    )


def take(link_id: str, session_secret: str | None, *, now: datetime | None = None) -> str | None:
    """The kept address, once: only for the session that kept it, only until it expires."""
    if not session_secret:
        return None
    bind()
    record = get_or_none(LinkRecord, link_id, consistent_read=True)
    if record is None or not record.reveal:
        return None
    sealed = record.reveal
    gone = LinkRecord.reveal == sealed
    if record.reveal_until is None or record.reveal_until <= (now or datetime.now(UTC)):
        update_if(record, [LinkRecord.reveal.remove(), LinkRecord.reveal_until.remove()], gone)
        return None
    url = unseal(sealed, link_id, session_secret)
    if url is None:
        return None  # someone else's view (an administrator): it stays for its owner
    # Two views at once (a double click): only the one that removes it shows it.
    if not update_if(record, [LinkRecord.reveal.remove(), LinkRecord.reveal_until.remove()], gone):
        return None
    return url
