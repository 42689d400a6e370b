"""Handle each event once: Powertools idempotency on the shared `idempotency` table.

A queue may deliver a message twice; a function wraps its handling with `once(...)` and a
redelivered event (same key) returns the first result instead of running again. Built on first
use, so importing a handler module touches no AWS client.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
EXPIRES_AFTER_SECONDS = 24 * 3600


def once(handle: Callable[[dict[str, Any]], T], *, key_path: str
         ) -> Callable[[], tuple[Callable[..., T], Any]]:
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

        store = DynamoDBPersistenceLayer(table_name=settings().table_name("idempotency"),
                                         boto3_client=aws.client("dynamodb"))
        config = IdempotencyConfig(event_key_jmespath=key_path, raise_on_no_idempotency_key=True,
                                   expires_after_seconds=EXPIRES_AFTER_SECONDS)

        def handle_once(event: dict[str, Any]) -> T:
            return handle(event)

        # Powertools keys its records by the function's module and qualified name. Functions
        # share the table and often the same event (PartnerUploaded reaches the notifier and
        # the scanner): each must keep its own record, so the key names the wrapped handler.
        handle_once.__module__, handle_once.__qualname__ = handle.__module__, handle.__qualname__
        once_only = idempotent_function(data_keyword_argument="event", persistence_store=store,
                                        config=config)(handle_once)
        return once_only, config

    return build
