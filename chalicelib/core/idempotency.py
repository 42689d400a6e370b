"""Handle each event once: Powertools idempotency on the shared `idempotency` table.

A queue may deliver a message twice; a function wraps its handling with `once(...)` and a
redelivered event (same key) returns the first result instead of running again. Built on first
use, so importing a handler module touches no AWS client.

`once` forgets an event whose handling failed, so the retry runs the whole handler again: each
effect inside must be safe to repeat (a conditional write, a state machine). An effect that can
be neither repeated nor undone, such as an e-mail, takes its own `claim` first: the retry finds
it taken and skips the send. That trades a duplicate for a loss in the one case where the claim
is written and the process dies before the mail service accepts the message.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
EXPIRES_AFTER_SECONDS = 24 * 3600


def once(handle: Callable[[dict[str, Any]], T], *, key_path: str) -> Callable[[], tuple[Callable[..., T], Any]]:
    """A cached builder of (handle_once(event=...), its IdempotencyConfig) for `handle`.

    key_path is the JMESPath of the event's identity, e.g. "[source, detail.event_id]".
    The config must be given the Lambda context (config.register_lambda_context) per invocation.
    """

    @functools.cache
    def build() -> tuple[Callable[..., T], Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        from chalicelib.core import aws
        from chalicelib.core.config import settings

        store = DynamoDBPersistenceLayer(
            table_name=settings().table_name("idempotency"), boto3_client=aws.client("dynamodb")
        )
        config = IdempotencyConfig(
            event_key_jmespath=key_path, raise_on_no_idempotency_key=True, expires_after_seconds=EXPIRES_AFTER_SECONDS
        )

        def handle_once(event: dict[str, Any]) -> dict[str, T]:
            # Boxed: Powertools replays a falsy saved result (0, "", []) as None, so a
            # redelivered event that first created 0 notifications came back as None.
            return {"result": handle(event)}

        # Powertools keys its records by the function's module and qualified name. Functions
        # share the table and often the same event (PartnerUploaded reaches the notifier and
        # the scanner): each must keep its own record, so the key names the wrapped handler.
        handle_once.__module__, handle_once.__qualname__ = handle.__module__, handle.__qualname__
        boxed = idempotent_function(data_keyword_argument="event", persistence_store=store, config=config)(handle_once)

        def once_only(event: dict[str, Any]) -> T:
            return boxed(event=event)["result"]  # type: ignore[no-any-return]

        return once_only, config

    return build


def _claim_item(key: str) -> dict[str, Any]:
    return {
        "id": {"S": key},
        "status": {"S": "CLAIMED"},
        "expiration": {"N": str(int(time.time()) + EXPIRES_AFTER_SECONDS)},
    }


def claim_write(key: str) -> dict[str, Any]:
    """`claim` as one write of a TransactWriteItems, taken together with the writes it guards (all
    or none of them): a cancellation for this write's condition means the key was taken already."""
    from chalicelib.core.config import settings

    return {
        "Put": {
            "TableName": settings().table_name("idempotency"),
            "Item": _claim_item(key),
            "ConditionExpression": "attribute_not_exists(id)",
        }
    }


def claim(key: str) -> bool:
    """Take `key` for one effect: True the first time, False once anyone has taken it (for a day).

    Kept in the idempotency table next to Powertools' records (whose ids are
    `<module>.<function>#<hash>`, so a key such as `mail#<event id>#<address>` never meets one).
    """
    from botocore.exceptions import ClientError

    from chalicelib.core import aws
    from chalicelib.core.config import settings

    try:
        aws.client("dynamodb").put_item(
            TableName=settings().table_name("idempotency"),
            ConditionExpression="attribute_not_exists(id)",
            Item=_claim_item(key),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release(key: str) -> None:
    """Give a claim back: the effect did not happen (the mail service refused), a retry may try again."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    aws.client("dynamodb").delete_item(TableName=settings().table_name("idempotency"), Key={"id": {"S": key}})
