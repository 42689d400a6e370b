"""The OpenSearch client: SigV4-signed in AWS (IAM roles of the API and the indexer), plain
HTTP against the local search server. Chosen by configuration, never by guessing."""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.errors import KumoError


class SearchUnavailable(KumoError):
    """The search server cannot be reached: search says so, the rest of the platform goes on."""

    status = 503
    code = "search_unavailable"


@functools.cache
def client() -> Any:
    from opensearchpy import OpenSearch, RequestsHttpConnection

    s = settings()
    if not s.search_url:
        raise SearchUnavailable("Search is not configured on this server.")
    kwargs: dict[str, Any] = {"hosts": [s.search_url], "timeout": 10, "max_retries": 1, "retry_on_timeout": True}
    if getattr(s, "search_sigv4", False):
        from opensearchpy import AWSV4SignerAuth

        from chalicelib.core import aws

        credentials = aws.botocore_session().get_credentials()
        kwargs.update(
            http_auth=AWSV4SignerAuth(credentials, s.region, "es"),
            use_ssl=True,
            verify_certs=True,
            connection_class=RequestsHttpConnection,
        )
    return OpenSearch(**kwargs)


def unavailable_errors() -> tuple[type[Exception], ...]:
    """The client's exceptions that mean "the server is not there or not answering"."""
    from opensearchpy.exceptions import ConnectionError as OSConnectionError
    from opensearchpy.exceptions import ConnectionTimeout

    return (OSConnectionError, ConnectionTimeout)
