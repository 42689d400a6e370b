"""The partner's side of a share link: no account, only the link.

- Opening: the token (from the URL fragment) is traded for a partner session cookie. A wrong
  token is a 404; an expired or revoked link a 410 with its own message; nothing about the
  content is said before the link is valid.
- Gates: a password (scrypt, lock-out per link after repeated failures, with the time shown)
  and e-mail verification by a one-time code sent through SES to an address the owner named.
  Every attempt and every code e-mail is reserved atomically before it is evaluated or sent
  (attempts.py), so the limits hold however many requests arrive at once.
- Scope: a partner reaches the link's target and what is under it, as its owner may see it,
  and only files that passed the virus check. Only while the target and every folder above it
  are active: a link to something in the trash (or in a trashed folder) is gone at once, on
  every request, and works again if it is restored before it expires. A download is an explicit POST that counts
  (atomically: a limit of N allows exactly N) and returns a presigned URL valid two minutes.
- Uploads (file request / exchange) are in partner_uploads.py.
- A link of another slice (external.py: a survey's respondent link) passes the same opening and
  gates but has no file behind it: no lineage to check, nothing to browse, download or send.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Forbidden, KumoError, NotFound, Unauthenticated
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.files import entries, listing, policy, s3, versions
from chalicelib.files.entries import Entry
from chalicelib.sharing import attempts, audit, credentials, mail
from chalicelib.sharing.links import Link, to_link
from chalicelib.sharing.storage import LinkRecord, PartnerSessionRecord, TokenRecord, bind

SESSION_COOKIE = "kumo_share"
SESSION_HOURS = 8
CODE_MINUTES = 10  # how long a one-time code is valid; the attempt limits are in attempts.py


class LinkGone(KumoError):
    status = 410
    code = "link_gone"


@dataclass(frozen=True)
class Visit:
    """Who is asking: the partner's session on one link, and where the request came from."""

    link: Link
    session: PartnerSessionRecord
    session_hash: str
    ip: str | None = None
    user_agent: str | None = None
    scope: tuple[Entry, ...] = ()  # the target and the folders above it, found active on this request

    @property
    def actor(self) -> str:
        return f"partner:{self.session.verified_email}" if self.session.verified_email else "partner"

    @property
    def gates(self) -> list[str]:
        needed = []
        if self.link.has_password and not self.session.password_ok:
            needed.append("password")
        if self.link.verify_email and not self.session.verified_email:
            needed.append("email")
        return needed


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def _refuse_if_gone(link: Link) -> None:
    state = link.state()
    if state == "revoked":
        raise LinkGone("This link was withdrawn by the person who shared it.")
    if state == "expired":
        raise LinkGone("This link has expired. Ask the person who sent it for a new one.")


def _scope(link: Link) -> tuple[Entry, ...]:
    """The link's target and the folders above it, if they are all active; otherwise the link is gone.

    The same words whether it was trashed, is below a trashed folder or was deleted for good:
    the partner learns no more than that the link no longer works. An external link has no file.
    """
    if link.external:
        return ()
    try:
        chain = entries.lineage(entries.get_entry(link.target_id))
    except NotFound:
        chain = []
    if not chain or not entries.all_active(chain):
        raise LinkGone("This link is no longer available.")
    return tuple(chain)


def log(visit: Visit, action: str, *, actor: str | None = None, **kw: Any) -> None:
    audit.record(visit.link.link_id, action, actor or visit.actor, ip=visit.ip, user_agent=visit.user_agent, **kw)


# --- opening and the session ------------------------------------------------------------------


def open_link(token: str, *, ip: str | None = None, user_agent: str | None = None) -> tuple[str, Link]:
    """Trade a link token for a partner session. Returns (cookie value, link)."""
    wrong = NotFound("This link does not work. Check that you copied all of it.")
    if not credentials.looks_like_token(token or ""):
        raise wrong
    bind()
    found = get_or_none(TokenRecord, credentials.token_hash(token))
    record = get_or_none(LinkRecord, found.link_id) if found else None
    if record is None:
        raise wrong
    link = to_link(record)
    _refuse_if_gone(link)
    scope = _scope(link)
    cookie = secrets.token_urlsafe(32)
    now = _now()
    expires = min(link.expires_at, now + timedelta(hours=SESSION_HOURS))
    session = PartnerSessionRecord(
        _hash(cookie),
        link_id=link.link_id,
        epoch=link.session_epoch,
        password_ok=False,
        created_at=now,
        expires_at=expires,
        ttl=int(expires.timestamp()) + 86400,
    )
    session.save()
    visit = Visit(link, session, _hash(cookie), ip, user_agent, scope)
    log(visit, "opened")
    if link.notify_on_access:
        events.publish(
            [event_catalogue.ShareLinkAccessed(link_id=link.link_id, owner_id=link.owner_id, target_id=link.target_id)]
        )
    return cookie, link


def visit(cookie: str | None, *, ip: str | None = None, user_agent: str | None = None) -> Visit:
    """The partner's live session, checked against the link on every request."""
    again = Unauthenticated("Open the link you were sent again.")
    if not cookie or len(cookie) > 128:
        raise again
    bind()
    session = get_or_none(PartnerSessionRecord, _hash(cookie))
    if session is None or session.expires_at <= _now():
        raise again
    record = get_or_none(LinkRecord, session.link_id)
    if record is None:
        raise again
    link = to_link(record)
    _refuse_if_gone(link)
    scope = _scope(link)
    if session.epoch != link.session_epoch:  # password changed, recipients changed, re-issued
        session.delete()
        raise Unauthenticated("The link was changed by the person who shared it. Open it again.")
    return Visit(link, session, _hash(cookie), ip, user_agent, scope)


def end(cookie: str | None) -> None:
    if cookie:
        bind()
        session = get_or_none(PartnerSessionRecord, _hash(cookie))
        if session is not None:
            session.delete()


# --- gates ----------------------------------------------------------------------------------


def _check_lock(link_id: str) -> LinkRecord:
    record = LinkRecord.get(link_id)
    if record.locked_until is not None and record.locked_until > _now():
        raise attempts.locked(record.locked_until)
    return record


def _wrong(visit: Visit, slot: attempts.Slot, action: str) -> None:
    """Record a wrong password or code; if it was the link's last attempt, say until when it is locked."""
    log(visit, action)
    if slot.locks_until is not None:
        log(visit, "locked", detail=f"until {slot.locks_until.isoformat()}")
        raise attempts.locked(slot.locks_until)


def enter_password(visit: Visit, password: str) -> None:
    record = _check_lock(visit.link.link_id)
    if not record.password_hash:
        return
    slot = attempts.reserve(visit.link.link_id)  # before the (slow) check: parallel guesses wait their turn here
    if credentials.check_password(password or "", record.password_hash):
        attempts.forgive(slot)
        visit.session.update(actions=[PartnerSessionRecord.password_ok.set(True)])
        log(visit, "password_ok")
        return
    _wrong(visit, slot, "password_failed")
    raise Unauthenticated("The password is wrong.")


def send_code(visit: Visit, email: str) -> None:
    """Mail a one-time code, if the owner named this address. The answer is the same either way."""
    _check_lock(visit.link.link_id)
    address = (email or "").strip().lower()
    if not address or "@" not in address or len(address) > 254:
        raise BadRequest("Enter your e-mail address.", field="email")
    attempts.reserve_code_send_for_session(visit.session_hash)
    attempts.reserve_code_send_for_link(visit.link.link_id, len(visit.link.recipients))
    if address not in visit.link.recipients:
        log(visit, "refused", detail="code requested for an address not named by the owner")
        return
    code = credentials.new_code()
    visit.session.update(
        actions=[
            PartnerSessionRecord.pending_email.set(address),
            PartnerSessionRecord.otp_hash.set(credentials.code_hash(code, visit.session_hash)),
            PartnerSessionRecord.otp_expires_at.set(_now() + timedelta(minutes=CODE_MINUTES)),
            PartnerSessionRecord.otp_attempts.set(0),
        ]
    )
    mail.send_code(address, code, visit.link, minutes=CODE_MINUTES)
    log(visit, "code_sent", detail=address)


def enter_code(visit: Visit, code: str) -> None:
    _check_lock(visit.link.link_id)
    s = attempts.reserve_code_attempt(visit.session_hash)  # the session as it was when the try was taken
    slot = attempts.reserve(visit.link.link_id)
    given = "".join(c for c in (code or "") if c.isdigit())
    if not secrets.compare_digest(credentials.code_hash(given, visit.session_hash), str(s.otp_hash)):
        _wrong(visit, slot, "code_failed")
        raise Unauthenticated("The code is wrong.")
    attempts.give_back(slot)
    email = str(s.pending_email)
    s.update(
        actions=[
            PartnerSessionRecord.verified_email.set(email),
            PartnerSessionRecord.otp_hash.remove(),
            PartnerSessionRecord.pending_email.remove(),
        ]
    )
    log(visit, "email_verified", actor=f"partner:{email}", detail=email)


def require_through(visit: Visit) -> None:
    if "password" in visit.gates:
        raise Forbidden("Enter the link's password first.")
    if "email" in visit.gates:
        raise Forbidden("Verify your e-mail address first.")


# --- what the partner may reach ---------------------------------------------------------------


def owner_of(link: Link) -> Principal:
    from chalicelib.directory import service as directory

    owner = directory.find_staff(link.owner_id)
    if owner is None:
        raise LinkGone("This link was withdrawn by the person who shared it.")
    return owner.principal()


def in_scope(link: Link, entry: Entry) -> bool:
    """The entry is the link's target or below it, and it and every folder down to it are active.

    Above the target is `visit`'s check (_scope), made on every request.
    """
    if link.external:
        return False
    try:
        chain = entries.lineage(entry, stop_at=link.target_id)
    except NotFound:
        return False
    return chain[-1].file_id == link.target_id and entries.all_active(chain)


def reachable(visit: Visit, file_id: str) -> Entry:
    """An entry under the link's target that its owner may see; anything else is 'not found'."""
    missing = NotFound("This file is not part of this link.")
    if visit.link.external:
        raise missing
    try:
        entry = entries.get_entry(file_id)
    except NotFound:
        raise missing from None
    if not visit.scope:  # a Visit not made by open_link or visit(): check above the target too
        _scope(visit.link)
    if not in_scope(visit.link, entry) or not policy.can_read(owner_of(visit.link), entry.item):
        raise missing
    return entry


@dataclass(frozen=True)
class PartnerFolder:
    folder: Entry
    path: list[Entry]
    items: list[Entry]


def browse(visit: Visit, folder_id: str | None = None) -> PartnerFolder:
    require_through(visit)
    if not visit.link.allows_download:
        raise Forbidden("This link is for sending files only.")
    entry = reachable(visit, folder_id or visit.link.target_id)
    owner = owner_of(visit.link)
    if not entry.is_folder:
        return PartnerFolder(entry, [entry], [entry] if entry.usable else [])
    view = listing.list_folder(owner, entry.file_id)
    items = [i for i in view.children if i.is_folder or i.usable]
    ids = [p.file_id for p in view.path]  # from the space's root down: the partner sees from the target on
    path = view.path[ids.index(visit.link.target_id) :] if visit.link.target_id in ids else [entry]
    return PartnerFolder(entry, path, items)


def download(visit: Visit, file_id: str) -> str:
    """Count the download (a limit of N allows exactly N) and give a two-minute URL."""
    require_through(visit)
    if not visit.link.allows_download:
        raise Forbidden("This link is for sending files only.")
    entry = reachable(visit, file_id)
    if entry.is_folder:
        raise BadRequest("A folder cannot be downloaded as one file.")
    record = versions.version_record(entry.file_id, entry.version)
    versions.refuse_unscanned(record.scan_status)
    _count_download(visit, entry)
    return s3.presigned_download(record.s3_key, entry.name, record.content_type)


def download_zip(visit: Visit, folder_id: str | None = None) -> str:
    """A folder's files as one ZIP (within archive.py's limits); counts as one download."""
    from chalicelib.files import archive

    require_through(visit)
    if not visit.link.allows_download:
        raise Forbidden("This link is for sending files only.")
    folder = reachable(visit, folder_id or visit.link.target_id)
    if not folder.is_folder:
        raise BadRequest("Only a folder can be downloaded as a ZIP.")
    archive.members(owner_of(visit.link), folder)  # refuse (too large, empty) before counting
    _count_download(visit, folder)
    return archive.build(owner_of(visit.link), folder)


def _count_download(visit: Visit, entry: Entry) -> None:
    link = visit.link
    limit = link.max_downloads
    condition = LinkRecord.revoked_at.does_not_exist() & (LinkRecord.expires_at > _now())
    if limit is not None:
        condition &= LinkRecord.download_count < limit
    if not update_if(LinkRecord(link.link_id), [LinkRecord.download_count.add(1)], condition):
        fresh = to_link(LinkRecord.get(link.link_id))
        _refuse_if_gone(fresh)
        log(visit, "refused", file_id=entry.file_id, object_name=entry.name, detail="download limit reached")
        raise LinkGone("This link has reached its download limit.")
    log(visit, "downloaded", file_id=entry.file_id, object_name=entry.name, detail="zip" if entry.is_folder else None)


def end_expired_sessions(at: datetime) -> int:
    """Forget partner sessions past their end (the scheduler's sweep: DynamoDB TTL may lag for days)."""
    bind()
    ended = 0
    for session in PartnerSessionRecord.scan(PartnerSessionRecord.expires_at < at):
        session.delete()
        ended += 1
    return ended
