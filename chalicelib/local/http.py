"""The local HTTP handler for the Chalice app.

Chalice keeps the current request on the app object, as one Lambda container does: it is not
safe to run two requests through the app at once. The local server accepts connections on
threads (browsers keep connections open) and runs the app for one request at a time, which is
exactly Lambda's concurrency model per container.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.local import ChaliceRequestHandler

from chalicelib.accounts.middleware import security_headers
from chalicelib.core.errors import UNKNOWN_ROUTE_BODY, UNKNOWN_ROUTE_STATUS

_app_lock = threading.Lock()


class SerializedHandler(ChaliceRequestHandler):
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (about 40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True

    def _generic_handle(self) -> None:
        with _app_lock:
            super()._generic_handle()

    def _send_error_response(self, error: Any) -> None:
        if error.CODE == 403 and b"Missing Authentication Token" in (error.body or b""):
            # A path no route matches: answer as the deployed API's gateway response does.
            headers = {"Content-Type": "application/json; charset=utf-8", **security_headers(False)}
            self._send_http_response(UNKNOWN_ROUTE_STATUS, headers, UNKNOWN_ROUTE_BODY)
            return
        super()._send_error_response(error)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        # Paths may carry share tokens in later features: log method and status only.
        if len(args) >= 2:
            first = str(args[0]).split(" ")
            method = first[0] if first else "?"
            super().log_message("%s %s", method, args[1])
