"""Sign-in, the session behind the cookie, refresh before expiry, sign-out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.accounts import cognito, tokens
from chalicelib.accounts.storage import SessionRecord, bind
from chalicelib.core import sealing
from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest, Forbidden, Unauthenticated
from chalicelib.core.observability import logger, metrics
from chalicelib.core.storage import get_or_none
from chalicelib.directory import service as directory

SESSION_MAX_AGE = timedelta(hours=12)  # the refresh token's validity: no session outlives it
REFRESH_MARGIN_S = 300  # refresh the ID token when it has less than five minutes left
TOUCH_EVERY = timedelta(minutes=5)
USERNAME_MAX = 128
PASSWORD_MAX = 256
STAFF_CACHE_SECONDS = 30
STAFF_CACHE_MAX = 2048
_staff_cache: dict[str, tuple[float, directory.Staff]] = {}


@dataclass(frozen=True)
class ActiveSession:
    principal: Principal
    csrf_token: str
    session_hash: str


@dataclass(frozen=True)
class SignedIn:
    cookie_value: str
    session: ActiveSession


@dataclass(frozen=True)
class PasswordChangeNeeded:
    username: str
    challenge_session: str


def _hash(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def _check_credentials(username: str, password: str) -> tuple[str, str]:
    username, password = (username or "").strip(), password or ""
    if not username or not password:
        raise BadRequest("Enter your staff ID and password.")
    if len(username) > USERNAME_MAX or len(password) > PASSWORD_MAX:
        raise Unauthenticated("The staff ID or password is wrong.")
    return username, password


def sign_in(
    username: str, password: str, *, ip: str | None = None, user_agent: str | None = None
) -> SignedIn | PasswordChangeNeeded:
    username, password = _check_credentials(username, password)
    result = cognito.sign_in(username, password)
    if isinstance(result, cognito.NewPasswordRequired):
        return PasswordChangeNeeded(username, result.session)
    return _start_session(result, ip=ip, user_agent=user_agent)


def complete_new_password(
    username: str, challenge_session: str, new_password: str, *, ip: str | None = None, user_agent: str | None = None
) -> SignedIn:
    if not new_password or len(new_password) > PASSWORD_MAX:
        raise BadRequest("Enter a new password.")
    result = cognito.set_new_password(username, challenge_session, new_password)
    return _start_session(result, ip=ip, user_agent=user_agent)


def _start_session(result: cognito.Tokens, *, ip: str | None, user_agent: str | None) -> SignedIn:
    identity = tokens.verify_id_token(result.id_token)
    staff = directory.find_staff(identity.username)
    if staff is None:
        raise Forbidden("Your account is not in the staff directory. Ask your department administrator.")
    cookie_value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    expires = now + SESSION_MAX_AGE
    session_hash = _hash(cookie_value)
    # Sealed (KMS in AWS): neither the table, its backups nor `kumo backup` hold it in clear.
    refresh_token = sealing.seal(result.refresh_token, context=session_hash) if result.refresh_token else None
    bind()
    SessionRecord(
        session_hash,
        staff_id=staff.staff_id,
        id_token=result.id_token,
        refresh_token=refresh_token,
        csrf_token=csrf,
        created_at=now,
        last_seen_at=now,
        expires_at=expires,
        ttl=int(expires.timestamp()) + 86400,
        ip=ip,
        user_agent=(user_agent or "")[:256] or None,
    ).save()
    logger.info("staff signed in", extra={"staff_id": staff.staff_id})
    metrics.add_metric(name="SignIns", unit="Count", value=1)
    if directory.mark_first_sign_in(staff.staff_id):
        # Here, not at the top: the catalogue is ~30 ms of every cold start, and only a first
        # sign-in publishes (bench/cold_start.py).
        from chalicelib.core import event_catalogue, events

        events.publish(
            [
                event_catalogue.StaffSignedInFirstTime(
                    staff_id=staff.staff_id, department_id=staff.department_id, display_name=staff.display_name
                )
            ]
        )
    return SignedIn(cookie_value, ActiveSession(staff.principal(), csrf, session_hash))


def resolve(cookie_value: str | None) -> ActiveSession | None:
    """The live session behind a cookie, refreshing its tokens when they near expiry."""
    if not cookie_value or len(cookie_value) > 128:
        return None
    bind()
    session_hash = _hash(cookie_value)
    record = get_or_none(SessionRecord, session_hash)
    if record is None:
        return None
    now = _now()
    idle_limit = timedelta(minutes=settings().session_idle_minutes)
    if record.expires_at <= now or record.last_seen_at + idle_limit <= now:
        record.delete()
        return None
    try:
        identity = _current_identity(record)
    except Unauthenticated:
        record.delete()
        return None
    staff = _session_staff(identity.username)
    if staff is None or staff.staff_id != record.staff_id:
        record.delete()
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.update(actions=[SessionRecord.last_seen_at.set(now)])
    return ActiveSession(staff.principal(), record.csrf_token, session_hash)


def _session_staff(staff_id: str) -> directory.Staff | None:
    """The staff record behind a live session, re-read at most every STAFF_CACHE_SECONDS per container.

    Every request needs it (department and role make the principal); reading it from DynamoDB
    each time was one of the two round trips a request makes before its own work, about a
    fifth of /api/search's time above the raw query (bench/search_stack.py). A move or a role
    change reaches a warm container within this many seconds; sign-in always reads afresh, and
    ending a session (the session record) still takes effect at once.
    """
    now = time.monotonic()
    hit = _staff_cache.get(staff_id)
    if hit is not None and now - hit[0] < STAFF_CACHE_SECONDS:
        return hit[1]
    staff = directory.find_staff(staff_id)
    if len(_staff_cache) >= STAFF_CACHE_MAX:
        _staff_cache.clear()
    if staff is not None:
        _staff_cache[staff_id] = (now, staff)
    else:
        _staff_cache.pop(staff_id, None)
    return staff


def _current_identity(record: SessionRecord) -> tokens.Identity:
    try:
        # Verified when stored (sign-in or refresh): the request only checks its expiry.
        identity = tokens.stored_identity(record.id_token)
        if identity.expires_at - time.time() > REFRESH_MARGIN_S:
            return identity
    except Unauthenticated:
        pass  # unreadable: try the refresh token once
    if not record.refresh_token:
        raise Unauthenticated("Your session has expired. Sign in again.")
    try:
        refresh_token = sealing.unseal(record.refresh_token, context=record.session_hash)
    except sealing.SealError:
        raise Unauthenticated("Your session has expired. Sign in again.") from None
    fresh = cognito.refresh(refresh_token)
    identity = tokens.verify_id_token(fresh.id_token)
    record.update(actions=[SessionRecord.id_token.set(fresh.id_token)])
    logger.info("session tokens refreshed", extra={"staff_id": record.staff_id})
    return identity


def principal_from_bearer(access_token: str) -> Principal:
    """For API clients: a Cognito access token in `Authorization: Bearer`."""
    identity = tokens.verify_access_token(access_token)
    staff = directory.find_staff(identity.username)
    if staff is None:
        raise Forbidden("Your account is not in the staff directory. Ask your department administrator.")
    return staff.principal()


def sign_out(cookie_value: str | None) -> None:
    """End the session here and revoke its refresh token at Cognito."""
    if not cookie_value or len(cookie_value) > 128:
        return
    bind()
    record = get_or_none(SessionRecord, _hash(cookie_value))
    if record is None:
        return
    record.delete()
    cognito.sign_out_everywhere(record.staff_id)
    logger.info("staff signed out", extra={"staff_id": record.staff_id})
