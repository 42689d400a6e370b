"""Errors a person can act on: each carries an HTTP status and a message key for i18n."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class KumoError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def text(self, translate: Callable[[str], str] = str) -> str:
        """The message in the reader's language: the message is a msgid with {placeholders}."""
        try:
            return translate(self.message).format(**self.details)
        except (KeyError, IndexError, ValueError):
            return self.message

    def to_dict(self, translate: Callable[[str], str] = str) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.text(translate)}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(KumoError):
    status = 400
    code = "bad_request"


class Unauthenticated(KumoError):
    status = 401
    code = "unauthenticated"


class Forbidden(KumoError):
    status = 403
    code = "forbidden"


class NotFound(KumoError):
    status = 404
    code = "not_found"


class Conflict(KumoError):
    status = 409
    code = "conflict"


class TooManyRequests(KumoError):
    status = 429
    code = "too_many_requests"


class ServerError(KumoError):
    """Ours, not the caller's: what an unexpected exception becomes (the details stay in the log)."""

    status = 500
    code = "server_error"


# What API Gateway answers for a known path with a method it has no route for (a "gateway
# response" declared in infra/): a 404 in the app's own shape rather than its default 403
# "Missing Authentication Token". Paths no route matches at all reach the app as "/{proxy+}"
# (core/error_pages.py) and get its 404 page or JSON.
UNKNOWN_ROUTE_STATUS = 404
UNKNOWN_ROUTE_BODY = '{"error": "not_found", "message": "このページは存在しません。This page does not exist."}'
