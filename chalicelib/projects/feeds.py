"""A person's iCal feed: a secret URL a calendar app subscribes to, listing their tasks with a
due date (/calendar/<secret>.ics, no sign-in: calendar apps cannot sign in).

The secret is 256 random bits (`secrets.token_urlsafe(32)`), shown once when made, and stored
only as its SHA-256, as share tokens are (sharing/credentials.py): a copy of the table opens no
feed. Resetting makes a new secret and deletes the old one's item in the same transaction, so
the old URL answers 404 from that moment. A wrong or guessed secret is 404 too, the same as one
that was reset: nothing tells them apart.

A fetch costs one GetItem (the secret's item), one conditional UpdateItem that counts it (at most
FETCHES_PER_HOUR per feed in a clock hour, so a misconfigured app polling every second gets 429
instead of a bill), then the person's rows: their memberships (only projects they still belong
to) and their `card_assignments`, two queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, NotFound, TooManyRequests
from chalicelib.core.storage import get_or_none, is_cancelled_transaction, transaction, transaction_error, update_if
from chalicelib.projects import cards, feed_storage
from chalicelib.projects.feed_storage import FeedRecord
from chalicelib.projects.model import now
from chalicelib.projects.tasks import Task

SECRET_BYTES = 32  # 256 bits
FETCHES_PER_HOUR = 60  # calendar apps poll every 15 minutes to a day; a person may add a few


@dataclass(frozen=True)
class Feed:
    """What the feed page shows: whether there is one, since when, when an app last fetched it."""

    active: bool
    created_at: datetime | None = None
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class Issued:
    """A feed just made: its secret, here and nowhere else."""

    secret: str
    created_at: datetime

    @property
    def url(self) -> str:
        return feed_url(self.secret)


@dataclass(frozen=True)
class Subscription:
    """The person whose feed a secret opens, and the tasks it lists."""

    staff_id: str
    tasks: list[Task]


def new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    from chalicelib.sharing.credentials import token_hash

    return token_hash(secret)


def feed_url(secret: str) -> str:
    return f"{settings().base_url.rstrip('/')}/calendar/{secret}.ics"


def _secret_key(hashed: str) -> str:
    return f"secret#{hashed}"


def _staff_key(staff_id: str) -> str:
    return f"staff#{staff_id}"


def status(p: Principal) -> Feed:
    feed_storage.bind()
    mine = get_or_none(FeedRecord, _staff_key(p.staff_id), consistent_read=True)
    if mine is None:
        return Feed(active=False)
    current = get_or_none(FeedRecord, _secret_key(mine.secret_hash), consistent_read=True)
    return Feed(True, mine.created_at, current.fetched_at if current else None)


def reset(p: Principal) -> Issued:
    """A new secret for the person's feed (the first, or one replacing the old, which stops
    working at once). The only time anyone sees the secret."""
    feed_storage.bind()
    secret = new_secret()
    hashed = secret_hash(secret)
    at = now()
    mine = get_or_none(FeedRecord, _staff_key(p.staff_id), consistent_read=True)
    pointer = FeedRecord(_staff_key(p.staff_id), staff_id=p.staff_id, secret_hash=hashed, created_at=at)
    try:
        with transaction() as tx:
            if mine is None:
                tx.save(pointer, condition=FeedRecord.feed_key.does_not_exist())
            else:  # the old secret as read: a reset in another tab meanwhile makes this one fail
                tx.save(pointer, condition=FeedRecord.secret_hash == mine.secret_hash)
                tx.delete(FeedRecord(_secret_key(mine.secret_hash)))
            tx.save(
                FeedRecord(_secret_key(hashed), staff_id=p.staff_id, secret_hash=hashed, created_at=at),
                condition=FeedRecord.feed_key.does_not_exist(),
            )
    except transaction_error() as exc:
        if is_cancelled_transaction(exc):
            raise _changed() from None
        raise
    return Issued(secret, at)


def stop(p: Principal) -> None:
    """No feed any more: the URL answers 404 from now on."""
    feed_storage.bind()
    mine = get_or_none(FeedRecord, _staff_key(p.staff_id), consistent_read=True)
    if mine is None:
        return
    try:
        with transaction() as tx:
            tx.delete(FeedRecord(_staff_key(p.staff_id)), condition=FeedRecord.secret_hash == mine.secret_hash)
            tx.delete(FeedRecord(_secret_key(mine.secret_hash)))
    except transaction_error() as exc:
        if is_cancelled_transaction(exc):
            raise _changed() from None
        raise


def _changed() -> Conflict:
    return Conflict("Your calendar feed was changed meanwhile: reload the page and try again.")


def _gone() -> NotFound:
    return NotFound("There is no such calendar feed. Its address may have been reset.")


def _counted(record: FeedRecord, at: datetime) -> bool:
    """Count one fetch in the current clock hour; False when the hour's budget is spent."""
    hour = at.strftime("%Y%m%d%H")
    same_hour = update_if(
        record,
        [FeedRecord.fetches.add(1), FeedRecord.fetched_at.set(at)],
        FeedRecord.feed_key.exists() & (FeedRecord.hour == hour) & (FeedRecord.fetches < FETCHES_PER_HOUR),
    )
    if same_hour:
        return True
    return update_if(
        record,
        [FeedRecord.hour.set(hour), FeedRecord.fetches.set(1), FeedRecord.fetched_at.set(at)],
        FeedRecord.feed_key.exists() & (FeedRecord.hour != hour),
    )


def open_feed(secret: str) -> Subscription:
    """The person and tasks behind a secret; NotFound for any secret that opens no feed."""
    from chalicelib.sharing.credentials import looks_like_token

    if not looks_like_token(secret):
        raise _gone()
    feed_storage.bind()
    record = get_or_none(FeedRecord, _secret_key(secret_hash(secret)), consistent_read=True)
    if record is None:
        raise _gone()
    if not _counted(record, now()):
        if get_or_none(FeedRecord, record.feed_key, consistent_read=True) is None:
            raise _gone()  # reset between the read and the count
        raise TooManyRequests("This calendar feed is fetched too often. Try again in an hour.")
    return Subscription(record.staff_id, [t for t in cards.my_tasks(record.staff_id) if t.due])
