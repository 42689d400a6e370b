"""AWS clients, built lazily on first use and cached.

The only module (with core/storage.py for pynamodb) that knows where AWS is: endpoints come
from settings, so the same code talks to AWS or to the local emulator.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.core.config import settings

_local = threading.local()
T = TypeVar("T")


def botocore_session() -> Any:
    """One botocore session per thread, shared by every client (boto3's and pynamodb's).

    A session loads botocore's service data from disk; one per model and client cost about
    110 ms of a cold start (bench/cold_start.py). Sessions are per thread because creating
    clients from one session is not thread-safe (the local runner has consumer threads).
    """
    session = getattr(_local, "session", None)
    if session is None:
        from botocore.loaders import create_loader
        from botocore.session import get_session

        session = get_session()
        loader = create_loader(session.get_config_variable("data_path"))
        loader.__class__, loader.file_loader.__class__ = _quicker_loaders()
        session.register_component("data_loader", loader)
        _cut_endpoints(session, loader)
        if settings().aws_endpoint_url:
            _emulator_credentials(session)
        _local.session = session
    return session


def _cut_endpoints(session: Any, loader: Any) -> None:
    """Endpoint data for the services Kumo calls only (core/aws_endpoints.py), botocore's whole
    file for any other. botocore has no public hook for it: its own lazy registration is replaced."""
    from chalicelib.core import aws_endpoints

    def whole() -> tuple[Any, bool]:
        data, path = loader.load_data_with_path("endpoints")
        return data, loader.is_builtin_path(path)

    import orjson

    session._internal_components.lazy_register_component(
        "endpoint_resolver", lambda: aws_endpoints.resolver(whole, orjson.loads)
    )


# The emulator takes any key; without one botocore would refuse to sign (NoCredentialsError).
EMULATOR_CREDENTIALS = ("kumo-local", "kumo-local")


def _emulator_credentials(session: Any) -> None:
    """Against an emulator endpoint, the credentials given (environment, profile) or dummy ones.

    The instance-metadata and container providers are left out of the look-up: off AWS they
    only cost a timeout, and no role is needed to talk to an emulator.
    """
    from botocore.credentials import create_credential_resolver

    resolver = create_credential_resolver(session)
    for name in ("container-role", "iam-role"):
        resolver.remove(name)
    if resolver.load_credentials() is None:
        session.set_credentials(*EMULATOR_CREDENTIALS)


@functools.cache
def _quicker_loaders() -> tuple[type, type]:
    """botocore's data loader and JSON file loader, without two costs of a cold start.

    Before its first client botocore lists every service that has a service model (and again
    every one with an endpoint rule set) by looking inside each of its ~450 data directories:
    some 2,700 stat calls, 18 ms of CPU (bench/cold_start.py), only to check that the service
    asked for exists. Its directory name says that; a directory without the file asked for still
    fails when the file is loaded. And it parses its JSON into OrderedDicts, twice as slow as
    plain dicts (which keep their order too): 10 ms more on the 1.3 MB endpoints.json alone.
    Parsed with orjson (C, about twice json's pace on these files), some 2 MB before a first call.
    """
    import orjson
    from botocore.loaders import JSONFileLoader, Loader, instance_cache

    class ListingByName(Loader):  # type: ignore[misc]
        @instance_cache  # type: ignore[untyped-decorator]
        def list_available_services(self, type_name: str) -> list[str]:
            del type_name
            names: set[str] = set()
            for path in self._potential_locations():
                names.update(name for name in os.listdir(path) if "." not in name)
            return sorted(names)

    class PlainDictJSON(JSONFileLoader):  # type: ignore[misc]
        def _load_file(self, full_path: str, open_method: Any) -> Any:
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as fp:
                return orjson.loads(fp.read())

    return ListingByName, PlainDictJSON


def per_thread(name: str, make: Callable[[], T]) -> T:
    """An object kept per thread beside the thread's botocore session (cleared by reset())."""
    value = getattr(_local, name, None)
    if value is None:
        value = make()
        setattr(_local, name, value)
    return value


@functools.cache
def client(service: str, *, read_timeout: int = 30) -> Any:
    """A client for `service`. A call that may take long (S3 assembling a many-GB multipart
    upload) asks for a longer read timeout: retrying it after a timeout would only fail."""
    import boto3  # imported here: a request that needs no AWS client pays nothing
    from botocore.config import Config

    s = settings()
    session = getattr(_local, "boto3_session", None)
    if session is None:  # one boto3 session per botocore session: it registers handlers on it
        session = _local.boto3_session = boto3.Session(botocore_session=botocore_session())
    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=read_timeout)
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
