"""pynamodb plumbing: binding models to settings, and the few write patterns services need.

pynamodb reads `Meta` when it first talks to DynamoDB; binding on first use (instead of at
import) lets the local runner and tests set the environment first, and keeps imports free
of AWS. Each feature's storage module owns its models and calls its binder before use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.core.config import Settings, settings

if TYPE_CHECKING:
    from pynamodb.models import Model

M = TypeVar("M", bound="Model")
CONDITION_FAILED = "ConditionalCheckFailedException"


def _share_botocore_sessions() -> None:
    """pynamodb makes a botocore session per model; have it use the thread's shared one."""
    import pynamodb.connection.base as pynamodb_base

    from chalicelib.core.aws import botocore_session

    pynamodb_base.get_session = botocore_session  # type: ignore[assignment]


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


def get_or_none(model: type[M], hash_key: Any, range_key: Any = None, *, consistent_read: bool = False) -> M | None:
    """The item, or None when it does not exist."""
    from pynamodb.exceptions import DoesNotExist

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


def is_cancelled_transaction(exc: BaseException) -> bool:
    from pynamodb.exceptions import TransactWriteError

    return isinstance(exc, TransactWriteError) and getattr(exc, "cause_response_code", "") == \
        "TransactionCanceledException"
