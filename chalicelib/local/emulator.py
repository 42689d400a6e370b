"""moto in server mode, with DynamoDB's atomic writes: `python -m chalicelib.local.emulator -p PORT`.

DynamoDB applies each write, condition included, atomically: of 50 parallel "ADD 1 if n < 10"
updates exactly 10 succeed. moto's server runs requests on threads and evaluates the condition
and applies the update as separate steps with no lock, so under parallel requests (the local
web workers) 11 of 50 succeed and an increment is lost, in 3 of 10 runs measured here. Kumo's
limits (attempts, downloads) rest on that atomicity, so the local stack must not lose it:
DynamoDB requests run one at a time here (each takes a millisecond or two), everything else
(S3 transfers above all) stays parallel.

A transaction (TransactWriteItems) in moto deep-copies every table it touches, once per item of
the transaction, to roll back on failure: a card move on a board of 1,000 cards took 300 ms
against 13 ms for a plain write (bench/board.py), growing with every table's size. Here the
rollback journals only the items the transaction touches, and restores them when it is
cancelled: the same all-or-nothing, at the cost of the items written (`journaled_transactions`).

moto 5.2 writes every response through a generic serializer that walks the operation's shape
value by value: a query answering 1,000 cards spent 3.8 s there. DynamoDB's reads (GetItem,
BatchGetItem, Query, Scan) answer plain JSON of what moto already holds in DynamoDB's wire
format, so those four are written with `json.dumps` (`fast_reads`; a unit test checks that both
ways give the same answer).

It also answers OUTBOX_PATH with the mail sent through SES (for `kumo outbox` and the tests):
moto's own /moto-api/data.json dumps every model instance it ever made, and it makes one for
every DynamoDB update, so that dump grows with every write and took over 10 s after one run
of the test suite. The rest is moto's own server, unchanged.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

OUTBOX_PATH = "/kumo-api/outbox.json"
DYNAMODB_TARGET = "DynamoDB_"  # X-Amz-Target of every DynamoDB API call ("DynamoDB_20120810.UpdateItem")


class AtomicDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, as if each were applied atomically."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(DYNAMODB_TARGET):
            with self.lock:
                return list(self.app(environ, start_response))  # the whole answer, made under the lock
        return self.app(environ, start_response)


class Outbox:
    """WSGI middleware: OUTBOX_PATH lists the mail moto's SES kept, oldest first (outbox.sent_mail)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != OUTBOX_PATH:
            return self.app(environ, start_response)
        import json

        from moto.ses.models import ses_backends

        from chalicelib.local.outbox import sent_mail

        # Each region's backend keeps what it sent in order, raw messages (Kumo's) and simple ones.
        kept = [m for regions in list(ses_backends.values()) for b in list(regions.values()) for m in b.sent_messages]
        sent = [sent_mail(m) for m in kept]
        body = json.dumps(sent).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


class _TablesUncopied:
    """Stands in for the `copy` module inside moto's DynamoDB models: a Table is not copied (the
    journal below restores what a cancelled transaction touched); anything else is, as before."""

    def __init__(self) -> None:
        import copy

        self._copy = copy

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else self._copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


Journal = list[tuple[str, dict[str, Any], Any]]


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _before(backend: Any, table_name: str, key: dict[str, Any]) -> tuple[bool, Any]:
    """The item as it is now (raw attributes, copied), or (False, None) for a key moto refuses."""
    import copy

    try:
        item = backend.get_item(table_name, key)
    except Exception:  # a malformed key: moto's own checks answer the request, nothing to restore
        return False, None
    return True, copy.deepcopy(item.to_json()["Attributes"]) if item else None


def _journal(backend: Any, transact_items: list[dict[str, Any]]) -> Journal:
    """What each write of the transaction will touch, as it is before the transaction."""
    journal: Journal = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None or op_type == "ConditionCheck" or not isinstance(op, dict):
            continue
        try:
            key = _key_of(table, op_type, op)
        except (KeyError, TypeError):
            key = {}
        known, before = _before(backend, op["TableName"], key) if key else (False, None)
        if known:
            journal.append((op["TableName"], key, before))
    return journal


def _restore(backend: Any, journal: Journal) -> None:
    for table_name, key, before in reversed(journal):
        if before is not None:
            backend.put_item(table_name, before)
        elif backend.get_item(table_name, key) is not None:
            backend.delete_item(table_name, key)


def journaled_transactions() -> None:
    """moto's TransactWriteItems with an item journal instead of whole-table copies."""
    from moto.dynamodb import models

    backend = models.DynamoDBBackend
    if getattr(backend, "_kumo_journaled", False):
        return
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        journal = _journal(self, transact_items)
        try:
            original(self, transact_items)
        except Exception:
            _restore(self, journal)
            raise

    models.copy = _TablesUncopied()  # type: ignore[attr-defined,assignment]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    backend._kumo_journaled = True  # type: ignore[attr-defined]


def _base64(value: object) -> str:
    """Binary attributes (B, BS) travel base64-encoded in DynamoDB's JSON, as the serializer writes them."""
    import base64

    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"not JSON: {type(value).__name__}")


FAST_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def fast_reads() -> None:
    """DynamoDB reads answered with json.dumps instead of moto's generic serializer."""
    import json

    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult, "_kumo_fast", False):
        return
    generic = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in FAST_READS:
            return generic(self, context)
        body = json.dumps(self.result, separators=(",", ":"), default=_base64)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
    DynamoResult._kumo_fast = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    import moto.server

    journaled_transactions()
    fast_reads()

    serve = moto.server.run_simple  # type: ignore[attr-defined]

    def run_simple(host: str, port: int, app: Any, **options: Any) -> None:
        serve(host, port, Outbox(AtomicDynamoDB(app)), **options)

    moto.server.run_simple = run_simple  # type: ignore[attr-defined,assignment]
    moto.server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
