"""The Logger, Metrics and Tracer shared by the API and every function.

Powertools reads POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE from the
environment. The Tracer is built on first use: importing it costs ~180 ms, which a request
that does not trace should not pay at import time.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

# Secrets never reach a log line: anything that looks like one is replaced.
_SECRET_KEYS = re.compile(r"(password|passwd|token|secret|authorization|cookie|otp|code)", re.I)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("[redacted]" if _SECRET_KEYS.search(str(k)) else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _JWT.sub("[redacted-jwt]", value)
    if isinstance(value, BaseException):  # Powertools puts the exception object in stack_trace
        return _JWT.sub("[redacted-jwt]", str(value))
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Every log line passes through `redact`, exception text included (boto errors can echo tokens)."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return super().serialize(redact(log))


logger = Logger(service="kumo", logger_formatter=RedactingFormatter(json_default=str, use_rfc3339=True))
metrics = Metrics(namespace="Kumo", service="kumo")


@functools.cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service="kumo")


def traced_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Lambda handler with Tracer, importing X-Ray only where tracing is on.

    Locally and in tests (no Lambda, or POWERTOOLS_TRACE_DISABLED) the handler runs as is and
    the ~180 ms Tracer import is never paid.
    """
    traced: Callable[..., Any] | None = None

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        nonlocal traced
        from chalicelib.core.config import settings

        if not settings().tracing:
            return handler(event, context)
        if traced is None:
            traced = tracer().capture_lambda_handler(handler)
        return traced(event, context)

    return wrapper


@contextlib.contextmanager
def segment(name: str) -> Iterator[None]:
    """An X-Ray subsegment around a block (an API request), when tracing is on."""
    from chalicelib.core.config import settings

    if not settings().tracing:
        yield
        return
    with tracer().provider.in_subsegment(name):
        yield
