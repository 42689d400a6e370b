"""The cost bench's meter, loaded into `kumo dev` (and only there) through PYTHONPATH.

bench/cost.py starts the local stack with this folder on PYTHONPATH and BENCH_COST_METER set to
a file. Python then imports this module at start-up (the `sitecustomize` hook), and it wraps,
without touching Kumo's code:

- botocore's BaseClient._make_api_call: every AWS call of the app and the functions (boto3's
  and pynamodb's clients alike), with the DynamoDB read/write request units it consumes,
  computed from item sizes as DynamoDB does (moto reports a fixed figure);
- Chalice.__call__: each API request's handler time (wall and thread CPU), tagged with the
  `X-Bench-Step` header the bench sends;
- the local queue consumers' handler invocations (the functions/*), by function.

One JSON line per request, per function invocation, and per AWS call made outside both.
Without BENCH_COST_METER this module does nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import math
import os
import sys
import threading
import time
from typing import Any

_PATH = os.environ.get("BENCH_COST_METER")
_lock = threading.Lock()
_current = threading.local()

READ_BLOCK = 4096
WRITE_BLOCK = 1024


def _write(record: dict[str, Any]) -> None:
    line = json.dumps(record, ensure_ascii=False, default=str)
    with _lock, open(str(_PATH), "a", encoding="utf-8") as out:
        out.write(line + "\n")


# --- DynamoDB request units, from item sizes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)


def _value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = str(v).lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in v)
    if kind == "NS":
        return sum(_value_size({"N": n}) for n in v)
    if kind == "BS":
        return sum(len(b) for b in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(_value_size(x) + 1 for x in v)
    return 1


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(k.encode()) + _value_size(v) for k, v in (item or {}).items())


_GSI_KEYS: dict[str, list[str]] | None = None


def _gsi_keys(table: str) -> list[str]:
    """Each global index's partition key on a table (every index projects ALL: a write there costs as much)."""
    global _GSI_KEYS
    if _GSI_KEYS is None:
        from chalicelib.core.resources import RESOURCES

        prefix = os.environ.get("KUMO_PREFIX", "kumo")
        _GSI_KEYS = {t.physical_name(prefix): [i.partition.name for i in t.indexes] for t in RESOURCES.tables}
    return _GSI_KEYS.get(table, [])


def _write_units(table: str, item: dict[str, Any] | None, *, transactional: bool = False) -> float:
    size = item_size(item)
    units = max(1, math.ceil(size / WRITE_BLOCK))
    indexed = sum(1 for key in _gsi_keys(table) if item and key in item)
    return float(units * (1 + indexed) * (2 if transactional else 1))


def _read_units(size: int, consistent: bool, *, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / READ_BLOCK))
    return units * (2.0 if transactional else 1.0 if consistent else 0.5)


def _query_units(params: dict[str, Any], response: dict[str, Any]) -> float:
    items = response.get("Items")
    if items is None:  # Select=COUNT: the items were read all the same; assume 300 bytes each
        size = 300 * int(response.get("ScannedCount", response.get("Count", 0)))
    else:
        size = sum(item_size(i) for i in items)
        returned, scanned = len(items), int(response.get("ScannedCount", len(items)))
        if returned and scanned > returned:  # a filter dropped some after they were read
            size = size * scanned // returned
    return _read_units(size, bool(params.get("ConsistentRead")))


def _batch_get_units(params: dict[str, Any], response: dict[str, Any]) -> float:
    rru = 0.0
    for name, items in (response.get("Responses") or {}).items():
        wanted = (params.get("RequestItems") or {}).get(name, {})
        strong = bool(wanted.get("ConsistentRead"))
        rru += sum(_read_units(item_size(i), strong) for i in items)
        rru += max(0, len(wanted.get("Keys", [])) - len(items)) * (1.0 if strong else 0.5)
    return rru


def _batch_write_units(params: dict[str, Any]) -> float:
    wru = 0.0
    for name, requests in (params.get("RequestItems") or {}).items():
        for request in requests:
            put = request.get("PutRequest")
            wru += _write_units(name, put["Item"] if put else request["DeleteRequest"]["Key"])
    return wru


def _transaction_units(params: dict[str, Any]) -> tuple[float, float]:
    rru = wru = 0.0
    for entry in params.get("TransactItems", []):
        ((kind, body),) = entry.items()
        if kind == "ConditionCheck":
            rru += _read_units(item_size(body.get("Key")), True, transactional=True)
        else:
            wru += _write_units(body.get("TableName", ""), body.get("Item") or body.get("Key"), transactional=True)
    return rru, wru


def dynamodb_units(op: str, params: dict[str, Any], response: dict[str, Any]) -> tuple[float, float]:
    """(read request units, write request units) of one call."""
    table = params.get("TableName", "")
    reads: dict[str, Any] = {
        "GetItem": lambda: _read_units(item_size(response.get("Item")), bool(params.get("ConsistentRead"))),
        "Query": lambda: _query_units(params, response),
        "Scan": lambda: _query_units(params, response),
        "BatchGetItem": lambda: _batch_get_units(params, response),
        "TransactGetItems": lambda: sum(
            _read_units(item_size(r.get("Item")), True, transactional=True) for r in response.get("Responses", [])
        ),
    }
    writes: dict[str, Any] = {
        "PutItem": lambda: _write_units(table, params.get("Item")),
        "UpdateItem": lambda: _write_units(table, response.get("Attributes") or params.get("Key")),
        "DeleteItem": lambda: _write_units(table, response.get("Attributes") or params.get("Key")),
        "BatchWriteItem": lambda: _batch_write_units(params),
    }
    if op in reads:
        return float(reads[op]()), 0.0
    if op in writes:
        return 0.0, float(writes[op]())
    if op == "TransactWriteItems":
        return _transaction_units(params)
    return 0.0, 0.0


# --- the wrappers ----------------------------------------------------------------------------


def _call_record(service: str, op: str, params: dict[str, Any], response: dict[str, Any], ms: float) -> dict[str, Any]:
    record: dict[str, Any] = {"svc": service, "op": op, "ms": round(ms, 2)}
    if service == "dynamodb":
        record["rru"], record["wru"] = dynamodb_units(op, params, response)
        record["table"] = params.get("TableName") or ",".join(sorted(params.get("RequestItems") or {}))
    elif service == "events" and op == "PutEvents":
        record["n"] = len(params.get("Entries", []))
    elif service == "sqs" and op.endswith("Batch"):
        record["n"] = len(params.get("Entries", []))
    return record


def _install_botocore() -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def metered(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        response = original(self, operation_name, api_params)
        try:
            record = _call_record(
                self.meta.service_model.service_name,
                operation_name,
                api_params,
                response or {},
                (time.perf_counter() - started) * 1000,
            )
            calls = getattr(_current, "calls", None)
            if calls is not None:
                calls.append(record)
            else:
                _write({"t": "other", "thread": threading.current_thread().name, **record})
        except Exception as exc:  # the meter never breaks the app
            _write({"t": "meter-error", "error": repr(exc)})
        return response

    BaseClient._make_api_call = metered  # type: ignore[method-assign]


def _measured(kind: str, tags: dict[str, Any], run: Any) -> Any:
    outer = getattr(_current, "calls", None)
    _current.calls = []
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        result = run()
    finally:
        record = {
            "t": kind,
            **tags,
            "wall_ms": round((time.perf_counter() - wall) * 1000, 2),
            "cpu_ms": round((time.thread_time() - cpu) * 1000, 2),
            "aws": _current.calls,
        }
        _current.calls = outer
    if kind == "req" and isinstance(result, dict):
        record["status"] = result.get("statusCode")
        record["bytes"] = len(result.get("body") or "")
    _write(record)
    return result


def _install_chalice() -> None:
    from chalice.app import Chalice

    original = Chalice.__call__

    def metered(self: Any, event: Any, context: Any) -> Any:
        event = event or {}
        context_of = event.get("requestContext") or {}
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        tags = {
            "step": headers.get("x-bench-step", ""),
            "method": event.get("httpMethod") or context_of.get("httpMethod"),
            "path": event.get("path") or context_of.get("path") or context_of.get("resourcePath"),
        }
        return _measured("req", tags, lambda: original(self, event, context))

    Chalice.__call__ = metered  # type: ignore[method-assign]


def _patch_consumers(module: Any) -> None:
    original = module.QueueConsumer._invoke

    def metered(self: Any, messages: list[dict[str, Any]]) -> Any:
        return _measured("fn", {"fn": self.spec.key, "records": len(messages)}, lambda: original(self, messages))

    module.QueueConsumer._invoke = metered


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches chalicelib.local.consumers when `kumo dev` imports it (not earlier: settings first)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "chalicelib.local.consumers":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            original_exec(module)
            _patch_consumers(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if _PATH:
    try:
        _install_botocore()
        _install_chalice()
        sys.meta_path.insert(0, _AfterImport())
    except ImportError:  # a process without botocore or chalice (the search server): nothing to meter
        pass
