"""One event's writes in as few DynamoDB transactions as DynamoDB allows, with the event's claim.

The notifier wrote each inbox item with its own conditional put, each digest line with another,
and kept the event's idempotency in two more writes (Powertools' record, put then completed):
for an event reaching one person, four round trips where a bare batch write takes one
(bench/notify.py). Here every conditional put of the event goes in one TransactWriteItems (up to
its hundred writes, more in further ones), the event's claim (core/idempotency) in the last one.

What stays exactly once:
- a redelivered event: its last transaction is cancelled by the claim's condition, nothing of it
  is written (its earlier ones are cancelled by their items' conditions, dropped, and none is
  left to write);
- an event cut short between two transactions, or by a failure before the claim: the retry finds
  some items written (their conditions cancel the transaction), leaves them out and writes the
  rest, then the claim.
Raw TransactWriteItems rather than pynamodb's TransactWrite: the claim's table is Powertools'
(core/idempotency), which has no model, and the items are serialised by their models anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import aws, idempotency

MAX_WRITES = 100  # TransactWriteItems' limit
CANCELLED = "TransactionCanceledException"


def put_if_absent(model: Any, record: Any, hash_key: str) -> dict[str, Any]:
    """The record as a Put of a transaction, only if no item has its key (pynamodb models)."""
    return {
        "Put": {
            "TableName": model.Meta.table_name,
            "Item": record.serialize(),
            "ConditionExpression": "attribute_not_exists(#key)",
            "ExpressionAttributeNames": {"#key": hash_key},
        }
    }


def _failed_conditions(exc: ClientError, size: int) -> list[bool]:
    """Which writes of a cancelled transaction found their condition false; re-raises any other error."""
    if exc.response.get("Error", {}).get("Code") != CANCELLED:
        raise exc
    reasons = exc.response.get("CancellationReasons") or []
    failed = [bool(r and r.get("Code") == "ConditionalCheckFailed") for r in reasons]
    if len(failed) != size or not any(failed):
        raise exc  # a conflict or a throttle: the message is retried whole
    return failed


def write_once(writes: Sequence[dict[str, Any]], *, claim: str | None, counted: int) -> list[int]:
    """Each conditional write at most once, the claim with the last of them. Returns which of
    the first `counted` writes were made now (the inbox items, for the metric and counters)."""
    room = MAX_WRITES - 1 if claim else MAX_WRITES
    starts = range(0, len(writes), room)
    chunks = [list(range(start, min(start + room, len(writes)))) for start in starts] or [[]]
    made: list[int] = []
    for n, chunk in enumerate(chunks):
        closing = [idempotency.claim_write(claim)] if claim and n == len(chunks) - 1 else []
        written = _write_chunk(writes, chunk, closing)
        if written is None:
            return made  # the event was handled before: nothing more to write
        made += [i for i in written if i < counted]
    return made


def _write_chunk(writes: Sequence[dict[str, Any]], chunk: list[int], closing: list[dict[str, Any]]) -> list[int] | None:
    """Writes these of `writes` with `closing` in one transaction, leaving out those already
    written; returns the ones written now, or None when `closing` (the claim) was taken."""
    client = aws.client("dynamodb")
    pending = chunk
    while pending or closing:
        batch = [writes[i] for i in pending] + closing
        try:
            client.transact_write_items(TransactItems=batch)
        except ClientError as exc:
            failed = _failed_conditions(exc, len(batch))
            if closing and failed[-1]:
                return None
            pending = [i for i, no in zip(pending, failed, strict=False) if not no]
            continue
        return pending
    return []


@dataclass(frozen=True)
class EventWrites:
    """One event's conditional writes and its claim (the notifier's batch: write_each)."""

    writes: Sequence[dict[str, Any]]
    claim: str
    counted: int  # the first `counted` writes are its inbox items


def write_each(events: Sequence[EventWrites]) -> list[list[int] | BaseException]:
    """`write_once` for several events, packed into as few transactions as their writes fill.

    For each event: which of its first `counted` writes were made now ([] when its claim was
    taken before: a redelivery), or the error that stopped it (its message is retried). An event
    that fills a transaction alone goes through write_once; the others share transactions of up
    to MAX_WRITES, each with its claim beside its writes, so all of an event or none of it is
    written. A cancelled transaction is sent again without what its reasons name: a claim
    taken before drops its event, an item already there drops that item.
    """
    results: list[list[int] | BaseException] = [[] for _ in events]
    claims: dict[int, dict[str, Any]] = {}
    for i, event in enumerate(events):
        if not event.writes:
            continue  # nothing to write: no claim either (as write_once's callers do)
        if len(event.writes) + 1 > MAX_WRITES:
            try:
                results[i] = write_once(event.writes, claim=event.claim, counted=event.counted)
            except Exception as exc:  # noqa: BLE001 - this event fails alone; the batch goes on
                results[i] = exc
            continue
        try:
            claims[i] = idempotency.claim_write(event.claim)
        except Exception as exc:  # noqa: BLE001
            results[i] = exc
    chunk: list[int] = []
    size = 0
    for i in claims:
        need = len(events[i].writes) + 1
        if size + need > MAX_WRITES:
            _write_shared(events, chunk, claims, results)
            chunk, size = [], 0
        chunk.append(i)
        size += need
    if chunk:
        _write_shared(events, chunk, claims, results)
    return results


def _write_shared(
    events: Sequence[EventWrites],
    chunk: list[int],
    claims: dict[int, dict[str, Any]],
    results: list[list[int] | BaseException],
) -> None:
    client = aws.client("dynamodb")
    pending = {i: list(range(len(events[i].writes))) for i in chunk}
    while pending:
        batch: list[dict[str, Any]] = []
        owners: list[tuple[int, int | None]] = []
        for i, items in pending.items():
            batch += [events[i].writes[j] for j in items] + [claims[i]]
            owners += [(i, j) for j in items] + [(i, None)]
        try:
            client.transact_write_items(TransactItems=batch)
        except ClientError as exc:
            try:
                failed = _failed_conditions(exc, len(batch))
            except ClientError as other:  # a conflict or a throttle: these events are retried
                for i in pending:
                    results[i] = other
                return
            for (i, j), no in zip(owners, failed, strict=True):
                if not no or i not in pending:
                    continue
                if j is None:
                    del pending[i]  # handled before: nothing of it to write, nothing made now
                else:
                    pending[i].remove(j)
            continue
        for i, items in pending.items():
            results[i] = [j for j in items if j < events[i].counted]
        return
