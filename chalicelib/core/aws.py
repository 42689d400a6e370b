"""AWS clients, built lazily on first use and cached.

The only module (with core/storage.py for pynamodb) that knows where AWS is: endpoints come
from settings, so the same code talks to AWS or to the local emulator.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from chalicelib.core.config import settings

_local = threading.local()


def botocore_session() -> Any:
    """One botocore session per thread, shared by every client (boto3's and pynamodb's).

    A session loads botocore's service data from disk; one per model and client cost about
    110 ms of a cold start (bench/cold_start.py). Sessions are per thread because creating
    clients from one session is not thread-safe (the local runner has consumer threads).
    """
    session = getattr(_local, "session", None)
    if session is None:
        from botocore.session import get_session

        session = _local.session = get_session()
    return session


@functools.cache
def client(service: str) -> Any:
    import boto3  # imported here: a request that needs no AWS client pays nothing
    from botocore.config import Config

    s = settings()
    session = getattr(_local, "boto3_session", None)
    if session is None:  # one boto3 session per botocore session: it registers handlers on it
        session = _local.boto3_session = boto3.Session(botocore_session=botocore_session())
    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=30)
    if service == "s3":
        config = config.merge(s3_config(s.aws_endpoint_url))
    return session.client(service, region_name=s.region, endpoint_url=s.aws_endpoint_url, config=config)


def s3_config(endpoint_url: str | None) -> Any:
    """How presigned S3 URLs are shaped.

    In AWS: SigV4 and virtual-hosted style, `https://<bucket>.s3.<region>.amazonaws.com/<key>`,
    the origin the Content-Security-Policy allows for uploads (config.upload_origin); botocore
    would otherwise sign some regions' URLs for the global endpoint, which CSP blocks and S3
    redirects. Against an emulator's endpoint the bucket stays in the path: a bucket name is not
    a host name there.
    """
    from botocore.config import Config

    style = "path" if endpoint_url else "virtual"
    return Config(signature_version="s3v4", s3={"addressing_style": style})


def reset() -> None:
    client.cache_clear()
    _local.__dict__.clear()

