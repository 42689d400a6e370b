"""The local web workers: several processes serving the app on one port, like concurrent Lambdas.

In AWS, requests that arrive together run in separate Lambda containers at the same time, so
rules such as "a link locks after 10 wrong passwords" or "a limit of 3 downloads allows
exactly 3" must hold under parallel requests. Locally, `kumo dev` starts N worker processes
(default 4) that accept from one listening socket made by the runner; each worker runs one
request at a time through its own app object (http.py), as one container does. Processes, not
threads: Chalice keeps the current request on the app object, and each process has its own
clients and pynamodb connections, as each container has.

The runner (parent) owns the socket, so the port is free again as soon as it and the workers
are gone; a worker dies with the runner (PR_SET_PDEATHSIG) and stops on SIGTERM after the
request it is running.
"""

from __future__ import annotations

import argparse
import functools
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

READY = b"ready\n"
STOP_WAIT_S = 10


class WorkerPool:
    """The runner's side: start the workers on a listening socket, wait until each serves, stop them."""

    def __init__(self, listener: socket.socket, count: int, cwd: Path) -> None:
        self.listener = listener
        self.count = count
        self.cwd = cwd
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, timeout_s: float = 90) -> None:
        waiting: list[tuple[subprocess.Popen[bytes], int]] = []
        for index in range(1, self.count + 1):
            read_end, write_end = os.pipe()
            fds = (self.listener.fileno(), write_end)
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "chalicelib.local.workers",
                    "--listen-fd",
                    str(fds[0]),
                    "--ready-fd",
                    str(write_end),
                    "--name",
                    str(index),
                    "--parent",
                    str(os.getpid()),
                ],
                cwd=self.cwd,
                pass_fds=fds,
                start_new_session=True,
            )  # Ctrl-C is the runner's to handle
            os.close(write_end)
            self.procs.append(proc)
            waiting.append((proc, read_end))
        deadline = time.monotonic() + timeout_s
        for proc, read_end in waiting:
            try:
                _wait_ready(proc, read_end, deadline)
            finally:
                os.close(read_end)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=STOP_WAIT_S + 5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


def _wait_ready(proc: subprocess.Popen[bytes], read_end: int, deadline: float) -> None:
    got = b""
    while not got.endswith(READY):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError("a web worker did not start in time")
        readable, _, _ = select.select([read_end], [], [], min(left, 1.0))
        if not readable:
            continue
        chunk = os.read(read_end, 64)
        if not chunk:  # the worker closed the pipe without saying it was ready: it exited
            raise RuntimeError(f"a web worker exited while starting (code {proc.wait(timeout=10)})")
        got += chunk


# --- the worker process ------------------------------------------------------------------------


def _die_with(parent: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: an orphan is possible only if the runner is killed with SIGKILL
    if os.getppid() != parent:  # the runner died before we asked to die with it
        sys.exit(0)


def serve(listener: socket.socket, name: str, ready_fd: int) -> int:
    from chalice.config import Config

    from chalicelib.local.http import SerializedHandler, SharedSocketServer, app_lock
    from chalicelib.local.runner import load_app

    stopping = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    app = load_app().app
    config = Config.create(chalice_stage="local", app_name="kumo", lambda_timeout=30)
    server = SharedSocketServer(listener, functools.partial(SerializedHandler, app_object=app, config=config), name)
    threading.Thread(target=server.accept_forever, name="http", daemon=True).start()
    os.write(ready_fd, READY)
    os.close(ready_fd)
    stopping.wait()
    # The accept thread stays blocked in accept() on the shared socket (closing it there would
    # close it for every worker): finish the request in progress, then exit, which ends it.
    if app_lock.acquire(timeout=STOP_WAIT_S):
        app_lock.release()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.local.workers", description="one local web worker (started by `kumo dev`)"
    )
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    _die_with(args.parent)
    listener = socket.socket(fileno=args.listen_fd)
    return serve(listener, args.name, args.ready_fd)


if __name__ == "__main__":
    sys.exit(main())
