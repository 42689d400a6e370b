"""The local webhook receiver: records what each chat channel would have received (dev only).

`kumo dev` runs it in a thread on 127.0.0.1 (``--receiver-port``, default 8025) and lets
channels reach it (KUMO_WEBHOOK_ALLOWED_HOSTS=127.0.0.1, http allowed on the local stage only).
Any POST is recorded with its path, the headers that matter and the body, newest first, the
last 500; ``/status/<code>/...`` answers with that status, to try a failing channel. A
signing secret registered for a path (the demo's generic webhook) lets it check signatures.
``GET /_messages`` lists what it recorded (the /dev/webhooks page and `kumo webhooks` read it).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_PORT = 8025
KEEP = 500
_STATUS_PATH = re.compile(r"^/status/(\d{3})(/|$)")
_HEADERS = ("content-type", "user-agent", "x-kumo-signature", "x-kumo-timestamp", "x-kumo-event")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self.secrets: dict[str, str] = {}

    def record(self, path: str, headers: dict[str, str], body: bytes, status: int) -> None:
        from chalicelib.notifications.channels import formats

        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        signed = headers.get("x-kumo-signature")
        secret = self.secrets.get(path)
        valid = None
        if signed and secret:
            valid = formats.verify(secret, headers.get("x-kumo-timestamp", ""), body, signed)
        entry = {
            "received_at": datetime.now(UTC).isoformat(),
            "path": path,
            "answered": status,
            "headers": headers,
            "signature_valid": valid,
            "body": parsed,
        }
        with self.lock:
            self.messages.appendleft(entry)

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: `kumo dev` prints its own summary

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?")[0] != "/_messages":
            self._answer(404, b"{}")
            return
        self._answer(200, json.dumps(self.server.recorder.listing(), ensure_ascii=False).encode())

    def do_POST(self) -> None:  # noqa: N802
        length = min(int(self.headers.get("Content-Length") or 0), 1024 * 1024)
        body = self.rfile.read(length)
        match = _STATUS_PATH.match(self.path)
        status = int(match.group(1)) if match else 200
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() in _HEADERS}
        self.server.recorder.record(self.path, headers, body, status)
        self._answer(status, b'{"ok": true}' if status < 300 else b'{"ok": false}')

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder


class Receiver:
    def __init__(self, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        self.server = _Server((host, port), _Handler)
        self.server.recorder = Recorder()
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def register_secret(self, path: str, secret: str) -> None:
        self.server.recorder.secrets[path] = secret

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


_running: Receiver | None = None


def start(port: int) -> Receiver:
    global _running
    _running = Receiver(port).start()
    return _running


def running() -> Receiver | None:
    """The receiver of this `kumo dev` process (the demo registers its webhook's secret with it)."""
    return _running


def fetch(base_url: str) -> list[dict[str, Any]]:
    import urllib.request

    with urllib.request.urlopen(f"{base_url.rstrip('/')}/_messages", timeout=10) as response:
        return list(json.loads(response.read()))
