"""pynamodb plumbing: binding models to settings, and the few write patterns services need.

pynamodb reads `Meta` when it first talks to DynamoDB; binding on first use (instead of at
import) lets the local runner and tests set the environment first, and keeps imports free
of AWS. Each feature's storage module owns its models and calls its binder before use.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.core.config import Settings, settings

if TYPE_CHECKING:
    from pynamodb.models import Model

M = TypeVar("M", bound="Model")
CONDITION_FAILED = "ConditionalCheckFailedException"


def _share_botocore_sessions() -> None:
    """pynamodb makes a botocore session and a DynamoDB client per model; have every model use
    the thread's shared session and one client per endpoint.

    A request typically reads three or four tables (session, staff, then its own); each extra
    client cost 5-20 ms of a cold start (bench/cold_start.py). The models all use pynamodb's
    default client settings, so one client serves them all.
    """
    import pynamodb.connection.base as pynamodb_base

    from chalicelib.core.aws import botocore_session, per_thread

    pynamodb_base.get_session = botocore_session  # type: ignore[attr-defined]
    connection = pynamodb_base.Connection
    if getattr(connection, "_kumo_shared_client", False):
        return
    make_client = vars(connection)["client"].fget

    def shared_client(self: Any) -> Any:
        clients: dict[tuple[str | None, str | None], Any] = per_thread("dynamodb_clients", dict)
        client = clients.get((self.region, self.host))
        if client is None or (client._request_signer and not client._request_signer._credentials):
            self._client = None  # pynamodb's own rule: a client without credentials is made again
            client = clients[(self.region, self.host)] = make_client(self)
        self._client = client
        return client

    connection.client = property(shared_client)  # type: ignore[method-assign,assignment]
    connection._kumo_shared_client = True  # type: ignore[attr-defined]


class Binder:
    def __init__(self, *pairs: tuple[Any, str]) -> None:
        self._pairs = pairs
        self._bound_for: Settings | None = None

    def __call__(self) -> None:
        current = settings()
        if self._bound_for is current:
            return
        _share_botocore_sessions()
        for model, table_key in self._pairs:
            meta = model.Meta
            meta.table_name = current.table_name(table_key)
            meta.region = current.region
            meta.host = current.aws_endpoint_url
            model._connection = None  # forget a connection made for other settings
        self._bound_for = current


MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES = 2048, 1024


def keyable(key: Any, limit: int) -> bool:
    """Whether DynamoDB accepts this value as a key: no empty string, not over its size limit."""
    return not isinstance(key, str) or 0 < len(key.encode("utf-8", "surrogatepass")) <= limit


def get_or_none(model: type[M], hash_key: Any, range_key: Any = None, *, consistent_read: bool = False) -> M | None:
    """The item, or None when it does not exist."""
    from pynamodb.exceptions import DoesNotExist

    if not keyable(hash_key, MAX_HASH_KEY_BYTES) or (
        range_key is not None and not keyable(range_key, MAX_RANGE_KEY_BYTES)
    ):
        return None  # DynamoDB refuses such a key with a ValidationException: no item has it
    try:
        return model.get(hash_key, range_key, consistent_read=consistent_read)
    except DoesNotExist:
        return None


def save_if_absent(record: Any, key_attribute: Any) -> bool:
    """Write a new item; False (nothing written) when one with the same key exists."""
    from pynamodb.exceptions import PutError

    try:
        record.save(condition=key_attribute.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def update_if(record: Any, actions: list[Any], condition: Any) -> bool:
    """Apply the update only when the condition holds; False when it did not."""
    from pynamodb.exceptions import UpdateError

    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def delete_if(record: Any, condition: Any) -> bool:
    """Delete only when the condition holds; False when it did not (someone else deleted it first)."""
    from pynamodb.exceptions import DeleteError

    try:
        record.delete(condition=condition)
    except DeleteError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def transaction() -> Any:
    """A pynamodb TransactWrite on the configured endpoint: all of it is written, or none."""
    from pynamodb.connection import Connection
    from pynamodb.transactions import TransactWrite

    _share_botocore_sessions()
    s = settings()
    return TransactWrite(connection=Connection(region=s.region, host=s.aws_endpoint_url))


def failed_conditions(exc: BaseException) -> list[bool]:
    """For a cancelled transaction: which of its operations had a failed condition, in order."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [bool(r and r.code == "ConditionalCheckFailed") for r in reasons]


def transaction_error() -> type[Exception]:
    """pynamodb's TransactWriteError, for an `except` around a transaction (pynamodb stays here)."""
    from pynamodb.exceptions import TransactWriteError

    return TransactWriteError


def is_cancelled_transaction(exc: BaseException) -> bool:
    from pynamodb.exceptions import TransactWriteError

    return (
        isinstance(exc, TransactWriteError)
        and getattr(exc, "cause_response_code", "") == "TransactionCanceledException"
    )


BATCH_GET_KEYS = 100  # BatchGetItem's limit per call, across its tables


def batch_get_across(
    wanted: dict[type[Model], list[Any]], *, consistent: Iterable[type[Model]] = ()
) -> dict[type[Model], list[Any]]:
    """The items of several tables in shared BatchGetItem calls: one round trip where each
    model's batch_get makes one of its own (the notifier reads a batch's mutes and settings
    together). Keys are a hash key, or (hash key, range key) for a table with both; the models
    must be bound; the `consistent` ones are read strongly consistent. An item that does not
    exist is left out; unprocessed keys are asked again."""
    from chalicelib.core import aws

    table_of = {model.Meta.table_name: model for model in wanted}
    strong = {model.Meta.table_name for model in consistent}
    keys = [
        (model.Meta.table_name, _key_item(model, key)) for model, keys in wanted.items() for key in dict.fromkeys(keys)
    ]
    found: dict[type[Model], list[Any]] = {model: [] for model in wanted}
    client = aws.client("dynamodb")
    for start in range(0, len(keys), BATCH_GET_KEYS):
        requests: dict[str, Any] = {}
        for table, item in keys[start : start + BATCH_GET_KEYS]:
            requests.setdefault(table, {"Keys": [], "ConsistentRead": table in strong})["Keys"].append(item)
        tries = 0
        while requests:
            if tries:  # throttled: DynamoDB handed some keys back; wait a little longer each time
                time.sleep(min(1.0, 0.05 * 2**tries))
            answer = client.batch_get_item(RequestItems=requests)
            for table, items in answer.get("Responses", {}).items():
                found[table_of[table]] += [table_of[table].from_raw_data(i) for i in items]
            requests = answer.get("UnprocessedKeys") or {}
            tries += 1
    return found


def _key_item(model: type[Model], key: Any) -> dict[str, Any]:
    """A key in DynamoDB's wire form: a hash key, or (hash key, range key)."""
    hash_attr, range_attr = model._hash_key_attribute(), model._range_key_attribute()
    hash_key, range_key = key if range_attr is not None else (key, None)
    item = {hash_attr.attr_name: {hash_attr.attr_type: hash_attr.serialize(hash_key)}}
    if range_attr is not None:
        item[range_attr.attr_name] = {range_attr.attr_type: range_attr.serialize(range_key)}
    return item
