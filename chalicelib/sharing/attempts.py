"""Attempt limits that hold under parallel requests: every attempt is reserved before it is evaluated.

Checking "is the link locked?" before a slow scrypt check and counting the failure after it
lets every request that arrives at the same moment through: 40 parallel wrong passwords were
all evaluated against a limit of 10. In AWS such requests run in separate Lambda containers,
so the only place that can decide "this one may try, that one may not" is DynamoDB: each
attempt first takes a slot with one conditional update (atomic however many ask at once), and
only a request that got a slot is evaluated.

The limits (per link unless said otherwise; a whole prefectural office shares one IP address,
so nothing is per IP):
- passwords and one-time codes together: LOCK_AFTER_FAILURES attempts, then the link is locked
  for LOCK_MINUTES. The counter holds the slots taken since the last lock (0 to limit - 1); the
  last slot is taken by the same update that sets the lock, so from that moment every other
  attempt is refused with the time the lock ends. If the attempt on the last slot is right, it
  lifts its own lock. A right password resets the counter; a right code gives its slot back
  (it never counted as a failure before either).
- wrong codes per code sent: CODE_ATTEMPTS, per partner session.
- code e-mails: CODE_SENDS per partner session, and code_sends_per_hour() per link in each
  clock hour (a new session is one click away, so only the link's budget bounds the mail one
  person can make Kumo send to the recipients). Every request counts, whether or not the address
  was one the owner named: otherwise a full budget would tell named from unnamed addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.core.errors import BadRequest, TooManyRequests, Unauthenticated
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.core.templating import jst
from chalicelib.sharing.storage import LinkRecord, PartnerSessionRecord

LOCK_AFTER_FAILURES = 10
LOCK_MINUTES = 15
CODE_ATTEMPTS = 5
CODE_SENDS = 5
CODE_SENDS_PER_RECIPIENT_HOUR = 2  # a resend after a typo or a lost mail
CODE_SENDS_PER_LINK_HOUR_MIN = 10  # one recipient opening the link in several browsers
_RETRIES = 3  # a lock that ends, or an hour that turns, while we look: decide again


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Slot:
    """One reserved attempt on a link. `locks_until` is set when it was the last one: the link
    is locked from the reservation on, and stays locked unless this attempt turns out right."""

    link_id: str
    locks_until: datetime | None = None


def locked(until: datetime) -> TooManyRequests:
    return TooManyRequests("Too many wrong attempts. This link is locked until {time}.", time=jst(until, "%H:%M"))


def reserve(link_id: str) -> Slot:
    """Take one of the link's attempts, or refuse (429 with the lock's end) when none is left."""
    for _ in range(_RETRIES):
        now = _now()
        open_ = LinkRecord.link_id.exists() & (
            LinkRecord.locked_until.does_not_exist() | (LinkRecord.locked_until <= now)
        )
        below_last = LinkRecord.failed_attempts.does_not_exist() | (
            LinkRecord.failed_attempts < LOCK_AFTER_FAILURES - 1
        )
        if update_if(LinkRecord(link_id), [LinkRecord.failed_attempts.add(1)], open_ & below_last):
            return Slot(link_id)
        until = now + timedelta(minutes=LOCK_MINUTES)
        if update_if(
            LinkRecord(link_id),
            [LinkRecord.failed_attempts.set(0), LinkRecord.locked_until.set(until)],
            open_ & (LinkRecord.failed_attempts >= LOCK_AFTER_FAILURES - 1),
        ):
            return Slot(link_id, until)
        record = get_or_none(LinkRecord, link_id, consistent_read=True)
        if record is None:
            raise Unauthenticated("Open the link you were sent again.")
        if record.locked_until is not None and record.locked_until > _now():
            raise locked(record.locked_until)
    raise TooManyRequests("Too many attempts at once. Try again in a moment.")


def _lift_own_lock(slot: Slot) -> None:
    if slot.locks_until is not None:
        update_if(
            LinkRecord(slot.link_id), [LinkRecord.locked_until.remove()], LinkRecord.locked_until == slot.locks_until
        )


def forgive(slot: Slot) -> None:
    """A right password: the failures before it are forgiven (the counter starts again)."""
    _lift_own_lock(slot)
    update_if(LinkRecord(slot.link_id), [LinkRecord.failed_attempts.set(0)], LinkRecord.link_id.exists())


def give_back(slot: Slot) -> None:
    """A right code: its slot does not count as a failure."""
    if slot.locks_until is not None:
        _lift_own_lock(slot)  # the counter was already set back to 0 with the lock
        return
    update_if(LinkRecord(slot.link_id), [LinkRecord.failed_attempts.add(-1)], LinkRecord.failed_attempts > 0)


def reserve_code_attempt(session_hash: str) -> PartnerSessionRecord:
    """Take one of the session's tries at its current code; the session as it was at that moment."""
    now = _now()
    session = PartnerSessionRecord(session_hash)
    condition = (
        PartnerSessionRecord.otp_hash.exists()
        & (PartnerSessionRecord.otp_expires_at > now)
        & (PartnerSessionRecord.otp_attempts.does_not_exist() | (PartnerSessionRecord.otp_attempts < CODE_ATTEMPTS))
    )
    if update_if(session, [PartnerSessionRecord.otp_attempts.add(1)], condition):
        return session
    current = get_or_none(PartnerSessionRecord, session_hash, consistent_read=True)
    if current is None or not current.otp_hash or current.otp_expires_at is None or current.otp_expires_at <= now:
        raise BadRequest("The code has expired or was never sent. Ask for a new one.")
    raise TooManyRequests("Too many wrong codes. Ask for a new one.")


def reserve_code_send_for_session(session_hash: str) -> None:
    condition = PartnerSessionRecord.session_hash.exists() & (
        PartnerSessionRecord.otp_sent.does_not_exist() | (PartnerSessionRecord.otp_sent < CODE_SENDS)
    )
    if not update_if(PartnerSessionRecord(session_hash), [PartnerSessionRecord.otp_sent.add(1)], condition):
        raise TooManyRequests("Too many codes were sent. Open the link again later.")


def code_sends_per_hour(recipients: int) -> int:
    return max(CODE_SENDS_PER_LINK_HOUR_MIN, CODE_SENDS_PER_RECIPIENT_HOUR * recipients)


def reserve_code_send_for_link(link_id: str, recipients: int) -> None:
    """Count one code e-mail against the link's budget for this clock hour, or refuse (429)."""
    limit = code_sends_per_hour(recipients)
    for _ in range(_RETRIES):
        now = _now()
        hour = now.strftime("%Y-%m-%dT%H")
        exists = LinkRecord.link_id.exists()
        if update_if(
            LinkRecord(link_id),
            [LinkRecord.code_sends.add(1)],
            exists & (LinkRecord.code_sends_hour == hour) & (LinkRecord.code_sends < limit),
        ):
            return
        if update_if(
            LinkRecord(link_id),
            [LinkRecord.code_sends_hour.set(hour), LinkRecord.code_sends.set(1)],
            exists & (LinkRecord.code_sends_hour.does_not_exist() | (LinkRecord.code_sends_hour != hour)),
        ):
            return  # the first of a new hour
        record = get_or_none(LinkRecord, link_id, consistent_read=True)
        if record is None:
            raise Unauthenticated("Open the link you were sent again.")
        if record.code_sends_hour == hour and int(record.code_sends or 0) >= limit:
            next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            raise TooManyRequests(
                "Too many codes were sent for this link this hour. Try again after {time}.",
                time=jst(next_hour, "%H:%M"),
            )
    raise TooManyRequests("Too many attempts at once. Try again in a moment.")
