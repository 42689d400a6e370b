"""AWS clients, built lazily on first use and cached.

The only module (with the pynamodb storage modules) that knows where AWS is: endpoints come
from settings, so the same code talks to AWS or to the local emulator.
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.core.config import settings


@functools.cache
def client(service: str) -> Any:
    import boto3  # imported here: a request that needs no AWS client pays nothing
    from botocore.config import Config

    s = settings()
    return boto3.client(
        service,
        region_name=s.region,
        endpoint_url=s.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=30),
    )


def reset() -> None:
    client.cache_clear()


def pynamodb_meta(table_key: str) -> dict[str, Any]:
    """Meta attributes for a pynamodb model of the given table."""
    s = settings()
    meta: dict[str, Any] = {"table_name": s.table_name(table_key), "region": s.region}
    if s.aws_endpoint_url:
        meta["host"] = s.aws_endpoint_url
    return meta
