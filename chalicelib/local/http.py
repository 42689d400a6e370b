"""The local HTTP handler and server for the Chalice app, as one web worker runs it.

Chalice keeps the current request on the app object, as one Lambda container does: it is not
safe to run two requests through one app object at once. A worker therefore accepts
connections on threads (browsers keep connections open) and runs the app for one request at a
time, which is exactly Lambda's concurrency model per container. Parallelism comes from
running several workers, each a process of its own (workers.py), like concurrent containers.
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from chalice.local import (
    ChaliceRequestHandler,
    LambdaEventConverter,
    LocalGateway,
    MatchResult,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalicelib.accounts.middleware import security_headers
from chalicelib.core.error_pages import UNKNOWN_ROUTE
from chalicelib.core.errors import UNKNOWN_ROUTE_BODY, UNKNOWN_ROUTE_STATUS

WORKER_HEADER = "X-Kumo-Worker"  # which local worker answered (local only: there is no such thing in AWS)

app_lock = threading.Lock()


class _UnknownPathsToApp(RouteMatcher):
    """A path no route matches goes to the app as "/{proxy+}", as the deployed API's greedy
    resource sends it (infra/components/api.py), so the app answers it in the reader's language."""

    def match_route(self, url: str) -> MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            parsed = urlparse(url)
            return MatchResult(
                UNKNOWN_ROUTE, {"proxy": parsed.path.lstrip("/")}, parse_qs(parsed.query, keep_blank_values=True)
            )


class _Gateway(LocalGateway):
    def __init__(self, app_object: Any, config: Any) -> None:
        super().__init__(app_object, config)
        self.event_converter = LambdaEventConverter(
            _UnknownPathsToApp(list(app_object.routes)), app_object.api.binary_types
        )

    def _has_user_defined_options_method(self, lambda_event: Any) -> bool:
        # OPTIONS on an unknown path is the app's 404 too, not a CORS answer for a missing route.
        return lambda_event["requestContext"][
            "resourcePath"
        ] == UNKNOWN_ROUTE or super()._has_user_defined_options_method(lambda_event)


class SerializedHandler(ChaliceRequestHandler):
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (about 40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Any, config: Any) -> None:
        # As ChaliceRequestHandler, with a gateway that sends unknown paths to the app.
        self.local_gateway = _Gateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _generic_handle(self) -> None:
        with app_lock:
            super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != HTTPStatus.NOT_IMPLEMENTED:
            super().send_error(code, message, explain)
            return
        # A method no route has (TRACE, QUERY, ...): API Gateway answers as for an unknown path, not
        # http.server's 501 page. The connection closes, as any request body is left unread.
        self.close_connection = True
        headers = {"Content-Type": "application/json; charset=utf-8", "Connection": "close", **security_headers(False)}
        self._send_http_response(UNKNOWN_ROUTE_STATUS, headers, UNKNOWN_ROUTE_BODY)

    def end_headers(self) -> None:
        name = getattr(self.server, "worker_name", None)
        if name:
            self.send_header(WORKER_HEADER, name)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        # Paths may carry share tokens in later features: log method and status only.
        if len(args) >= 2:
            first = str(args[0]).split(" ")
            method = first[0] if first else "?"
            super().log_message("%s %s", method, args[1])


def listen(host: str, port: int) -> socket.socket:
    """The one listening socket every worker accepts from (OSError when the port is taken).

    One accept queue shared by all workers, each blocked in accept(): the kernel hands each new
    connection to the worker that has waited longest, so connections spread evenly over the
    workers (a select() loop instead would wake them all and the quickest would take most).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


class SharedSocketServer(ThreadedHTTPServer):
    """Chalice's threaded local server, accepting from a listening socket it was handed."""

    daemon_threads = True

    def __init__(self, listener: socket.socket, handler: Any, worker_name: str) -> None:
        host, port = listener.getsockname()[:2]
        super().__init__((host, port), handler, bind_and_activate=False)
        self.server_close()  # the socket the base class made, never bound: the shared one replaces it
        self.socket = listener
        self.server_name, self.server_port = host, port
        self.worker_name = worker_name

    def accept_forever(self) -> None:
        """Blocking accept, one connection at a time, each served on a thread of its own.
        Runs until the process exits (a worker stops by exiting, see workers.py)."""
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError as exc:
                if exc.errno in (errno.EBADF, errno.EINVAL):  # the socket is closed: nothing more to take
                    return
                time.sleep(0.05)  # the client gave up before we took it, or no file descriptor is free
                continue
            self.process_request(connection, address)
