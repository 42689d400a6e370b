"""Binds pynamodb models to the table names and endpoint in settings.

pynamodb reads `Meta` when it first talks to DynamoDB; binding on first use (instead of at
import) lets the local runner and tests set the environment first, and keeps imports free
of AWS. Each feature's storage module owns its models and calls its binder before use.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.config import Settings, settings


class Binder:
    def __init__(self, *pairs: tuple[Any, str]) -> None:
        self._pairs = pairs
        self._bound_for: Settings | None = None

    def __call__(self) -> None:
        current = settings()
        if self._bound_for is current:
            return
        for model, table_key in self._pairs:
            meta = model.Meta
            meta.table_name = current.table_name(table_key)
            meta.region = current.region
            meta.host = current.aws_endpoint_url
            model._connection = None  # forget a connection made for other settings
        self._bound_for = current
