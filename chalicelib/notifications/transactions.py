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
