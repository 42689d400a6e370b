"""Delivery counters for the administrators' health page: per hour, per channel, kind and outcome.

One item per UTC hour in notification_stats; each counter is a top-level number attribute named
"<channel>|<kind>|<outcome>" (channel: inbox, mail, digest, teams, slack, logochat, webhook;
outcome: sent, failed, skipped, queued) raised with DynamoDB's ADD, so concurrent functions never
lose a count and no read comes first. The counts of one event (the notifier's, a channel post's,
one person's digest) are gathered in memory while it is handled and written in one UpdateItem.

Counting never fails a delivery: a refused or unreachable write is logged and the counts dropped
(the health page is then low by that event; the delivery itself stands). Without an open
``counting()`` block a count is ignored, so code paths reached from elsewhere (a test message
from a page, the CLI) count nothing.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

TABLE = "notification_stats"
KEEP = timedelta(days=35)  # the page reads one day; a month is kept for a look back by hand
OUTCOMES = ("sent", "failed", "queued", "skipped")
_SEPARATOR = "|"


@dataclass(frozen=True)
class Count:
    channel: str
    kind: str
    outcome: str
    count: int


class Tally:
    """The counts of one event, written once."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, channel: str, kind: str, outcome: str, n: int = 1) -> None:
        if n > 0:
            self.counts[(channel, kind or "-", outcome)] += n


_current: ContextVar[Tally | None] = ContextVar("notification_tally", default=None)


def count(channel: str, kind: str, outcome: str, n: int = 1) -> None:
    """Counts one outcome in the event being handled (nothing outside a ``counting()`` block)."""
    tally = _current.get()
    if tally is not None:
        tally.add(channel, kind, outcome, n)


@contextlib.contextmanager
def counting(now: datetime | None = None) -> Iterator[Tally]:
    """Gathers the counts of the block and writes them on the way out, also when it raises (a
    failed mail is a count too)."""
    tally = Tally()
    token = _current.set(tally)
    try:
        yield tally
    finally:
        _current.reset(token)
        write(tally, now or datetime.now(UTC))


def hour_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def write(tally: Tally, now: datetime) -> bool:
    """One UpdateItem for the whole tally; False (logged) when the write did not happen."""
    if not tally.counts:
        return True
    names = {"#e": "expires"}
    values: dict[str, dict[str, str]] = {":e": {"N": str(int((now + KEEP).timestamp()))}}
    adds = []
    for i, ((channel, kind, outcome), n) in enumerate(sorted(tally.counts.items())):
        names[f"#c{i}"] = _SEPARATOR.join((channel, kind, outcome))
        values[f":c{i}"] = {"N": str(n)}
        adds.append(f"#c{i} :c{i}")
    try:
        aws.client("dynamodb").update_item(
            TableName=settings().table_name(TABLE),
            Key={"hour": {"S": hour_key(now)}},
            UpdateExpression=f"ADD {', '.join(adds)} SET #e = if_not_exists(#e, :e)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except (ClientError, BotoCoreError) as exc:
        logger.warning("delivery counters not written", extra={"error": str(exc), "counts": len(tally.counts)})
        return False
    return True


def since(hours: int = 24, now: datetime | None = None) -> list[Count]:
    """Every counter summed over the last ``hours`` hours (the current one included), one
    BatchGetItem for the lot."""
    moment = now or datetime.now(UTC)
    keys = [{"hour": {"S": hour_key(moment - timedelta(hours=h))}} for h in range(hours)]
    table = settings().table_name(TABLE)
    totals: Counter[tuple[str, str, str]] = Counter()
    client = aws.client("dynamodb")
    request: dict[str, object] = {table: {"Keys": keys}}
    for _ in range(10):  # unprocessed keys come back under load: ask again, a bounded number of times
        response = client.batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(table, []):
            for name, value in item.items():
                parts = name.split(_SEPARATOR)
                if len(parts) == 3 and "N" in value:
                    totals[(parts[0], parts[1], parts[2])] += int(value["N"])
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    return [Count(c, k, o, n) for (c, k, o), n in sorted(totals.items())]
