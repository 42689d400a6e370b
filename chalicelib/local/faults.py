"""Fault injection for the local stack: queue functions fail on purpose, before or after their effects.

Switched on by KUMO_FAULT_RATE (settings().fault_rate; refused outside the local stage) with
KUMO_FAULT_SEED. The local consumers (consumers.py) then wrap each function's handler, and each
invocation rolls once, on a seeded generator per function, whether and how it fails:

- "before": the handler is not called and the invocation fails (a crashed start, a throttle);
- "mid": the handler runs until its n-th side effect (n = 1..3) has *succeeded*, that call then
  raises as if its response had been lost, and the invocation fails as a whole (a Lambda killed
  right after sending a mail). A side effect is a write to AWS (not to the idempotency table:
  Powertools' own bookkeeping is not the function's effect) or to the search server;
- "after": the handler runs to the end, then the invocation fails (its response was lost).

A failed invocation leaves its whole batch on the queue, as Lambda does when a function errors,
so records that were handled are delivered again. Injected faults never decide whether a message
reaches the DLQ: an invocation whose batch holds a message on its last allowed delivery runs
unharmed, so only messages that fail by themselves (poison) end there.

Nothing in chalicelib or functions/ knows of this: it wraps the handler from outside and watches
botocore's and opensearch-py's calls made on the consumer's own thread.
"""

from __future__ import annotations

import functools
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.resources import RESOURCES, FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]
BEFORE, MID, AFTER = "before", "mid", "after"
_READ_PREFIXES = ("Get", "List", "Head", "Describe", "Query", "Scan", "Receive", "BatchGet", "Select")
_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE"})
_READS_BY_POST = ("/_search", "/_count", "/_mget", "/_msearch")
_armed = threading.local()


class InjectedFault(RuntimeError):
    """A failure the local stack made on purpose (KUMO_FAULT_RATE)."""


@dataclass
class _Plan:
    function: str
    effects_left: int  # the side effect after which to fail (counting down); 0: already failed
    fired_at: str = ""


def wrap(spec: FunctionSpec, handler: Handler) -> Handler:
    """The handler as the consumer should call it: itself, or with faults when they are switched on."""
    s = settings()
    if not s.fault_rate:
        return handler
    _install_watchers()
    return FaultyHandler(spec, handler, s.fault_rate, random.Random(f"{s.fault_seed}:{spec.key}"))  # noqa: S311


class FaultyHandler:
    def __init__(self, spec: FunctionSpec, handler: Handler, rate: float, rng: random.Random) -> None:
        self.spec = spec
        self.handler = handler
        self.rate = rate
        self.rng = rng
        self.last_delivery = RESOURCES.queue(spec.source_queue).max_receive_count if spec.source_queue else 1
        self.counts: Counter[str] = Counter()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.counts["invocations"] += 1
        roll, effect = self.rng.random(), self.rng.randint(1, 3)
        if roll >= self.rate or self._holds_a_last_delivery(event):
            return self.handler(event, context)
        fault = (BEFORE, MID, AFTER)[int(roll / self.rate * 3)]
        if fault == BEFORE:
            self._report(fault, "before the handler")
            raise InjectedFault(f"{self.spec.key}: failed before the handler ran")
        plan = _Plan(self.spec.key, effect if fault == MID else 0)
        _armed.plan = plan
        try:
            result = self.handler(event, context)
        finally:
            _armed.plan = None
        fault = MID if plan.fired_at else AFTER
        self._report(fault, plan.fired_at or "after the handler")
        raise InjectedFault(
            f"{self.spec.key}: failed {plan.fired_at or 'after the handler'} (its result {result!r} is lost)"
        )

    def _holds_a_last_delivery(self, event: dict[str, Any]) -> bool:
        return any(
            int(r.get("attributes", {}).get("ApproximateReceiveCount", 1)) >= self.last_delivery
            for r in event.get("Records", [])
        )

    def _report(self, fault: str, where: str) -> None:
        self.counts[fault] += 1
        logger.warning(
            "fault injected",
            extra={"function": self.spec.key, "fault": fault, "at": where, "invocation": self.counts["invocations"]},
        )


def _after_effect(what: str) -> None:
    """Called after every successful call on this thread: fail here if the plan says so."""
    plan: _Plan | None = getattr(_armed, "plan", None)
    if plan is None or plan.effects_left <= 0:
        return
    plan.effects_left -= 1
    if plan.effects_left == 0:
        plan.fired_at = f"after {what}"
        raise InjectedFault(f"{plan.function}: failed after {what} succeeded")


def _is_aws_effect(operation: str, params: dict[str, Any]) -> bool:
    if operation.startswith(_READ_PREFIXES):
        return False
    return params.get("TableName") != settings().table_name("idempotency")


@functools.cache
def _install_watchers() -> None:
    """Once per process: see every botocore and opensearch-py call (only armed threads act on it)."""
    from botocore.client import BaseClient
    from opensearchpy.transport import Transport

    aws_call = BaseClient._make_api_call

    def watched_aws_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        result = aws_call(self, operation_name, api_params)
        if _is_aws_effect(operation_name, api_params):
            _after_effect(f"{self.meta.service_model.service_name}.{operation_name}")
        return result

    search_call = Transport.perform_request

    def watched_search_call(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        result = search_call(self, method, url, *args, **kwargs)
        if method in _WRITE_METHODS and not url.endswith(_READS_BY_POST):
            _after_effect(f"search {method} {url.split('?', maxsplit=1)[0]}")
        return result

    BaseClient._make_api_call = watched_aws_call
    Transport.perform_request = watched_search_call  # type: ignore[method-assign]
