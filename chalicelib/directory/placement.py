"""Where a staff member works, and when that changes. Pure rules, no I/O.

A person has a main placement (所属, maybe a 係, a post), maybe concurrent ones (兼務), and
maybe pending transfers (人事異動): each says "from this date (JST) the places are these".
A transfer whose day has come counts at once, at read time, whether or not the scheduler has
written it down yet (directory.service.apply_due_transfers does): access follows the new
所属 from the first minute of the day, never from whenever a job happened to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from chalicelib.core.auth import Post
from chalicelib.core.templating import JST


@dataclass(frozen=True)
class Placement:
    """One place: a 所属 (or a 部局, for staff placed directly in one), its 係, the post held."""

    unit_id: str
    section_id: str | None = None
    post: Post = Post.GENERAL


@dataclass(frozen=True)
class Transfer:
    """From `effective` (a JST day) the main place is `main` and the 兼務 are `concurrent`."""

    effective: date
    main: Placement
    concurrent: tuple[Placement, ...] = ()


def jst_today(now: datetime | None = None) -> date:
    """The day it is in Japan, whatever the server's clock zone."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JST).date()


def due(transfers: tuple[Transfer, ...], today: date) -> tuple[Transfer | None, tuple[Transfer, ...]]:
    """(the transfer in force today, if any; the ones still to come). Of several that are due,
    the latest day wins: it replaced the earlier ones' places."""
    arrived = [t for t in transfers if t.effective <= today]
    waiting = tuple(sorted((t for t in transfers if t.effective > today), key=lambda t: t.effective))
    latest = max(arrived, key=lambda t: t.effective) if arrived else None
    return latest, waiting


def with_transfer(transfers: tuple[Transfer, ...], added: Transfer) -> tuple[Transfer, ...]:
    """The pending transfers with one more; a second move for the same day replaces the first."""
    kept = [t for t in transfers if t.effective != added.effective]
    return tuple(sorted([*kept, added], key=lambda t: t.effective))
