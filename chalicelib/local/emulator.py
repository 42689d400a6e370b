"""moto in server mode, with DynamoDB's atomic writes: `python -m chalicelib.local.emulator -p PORT`.

DynamoDB applies each write, condition included, atomically: of 50 parallel "ADD 1 if n < 10"
updates exactly 10 succeed. moto's server runs requests on threads and evaluates the condition
and applies the update as separate steps with no lock, so under parallel requests (the local
web workers) 11 of 50 succeed and an increment is lost, in 3 of 10 runs measured here. Kumo's
limits (attempts, downloads) rest on that atomicity, so the local stack must not lose it:
DynamoDB requests run one at a time here (each takes a millisecond or two), everything else
(S3 transfers above all) stays parallel.

It also answers OUTBOX_PATH with the mail sent through SES (for `kumo outbox` and the tests):
moto's own /moto-api/data.json dumps every model instance it ever made, and it makes one for
every DynamoDB update, so that dump grows with every write and took over 10 s after one run
of the test suite. The rest is moto's own server, unchanged.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

OUTBOX_PATH = "/kumo-api/outbox.json"
DYNAMODB_TARGET = "DynamoDB_"  # X-Amz-Target of every DynamoDB API call ("DynamoDB_20120810.UpdateItem")


class AtomicDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, as if each were applied atomically."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(DYNAMODB_TARGET):
            with self.lock:
                return list(self.app(environ, start_response))  # the whole answer, made under the lock
        return self.app(environ, start_response)


class Outbox:
    """WSGI middleware: OUTBOX_PATH lists the mail moto's SES kept, oldest first."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != OUTBOX_PATH:
            return self.app(environ, start_response)
        import json

        from moto.ses.models import Message

        sent = [
            {"source": m.source, "subject": m.subject, "body": m.body, "destinations": m.destinations}
            for m in list(Message.instances_tracked)  # type: ignore[attr-defined]
        ]
        body = json.dumps(sent).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def main(argv: list[str] | None = None) -> None:
    import moto.server

    serve = moto.server.run_simple  # type: ignore[attr-defined]

    def run_simple(host: str, port: int, app: Any, **options: Any) -> None:
        serve(host, port, Outbox(AtomicDynamoDB(app)), **options)

    moto.server.run_simple = run_simple  # type: ignore[attr-defined,assignment]
    moto.server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
