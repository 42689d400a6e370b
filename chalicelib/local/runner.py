"""`kumo dev`: the whole platform on one machine, one process tree.

- moto (server mode) for S3, DynamoDB, SQS, EventBridge, SES and Cognito, as a child process
  (emulator.py: with DynamoDB's atomic conditional writes, which moto's threaded server lacks);
- osmem-server for OpenSearch, as a child process (it also exits if we die);
- the bootstrap, the saved state (if any) or the demo data;
- queue consumers in threads, calling functions/* handlers with Lambda's event shapes;
- the Chalice app on http://HOST:PORT, in N worker processes sharing one listening socket
  (workers.py), so requests run in parallel as they do in concurrent Lambda containers;
- state saved to the state directory periodically and on stop (Ctrl-C / SIGTERM).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "kumo-local", "AWS_SECRET_ACCESS_KEY": "kumo-local"}


class PortInUse(RuntimeError):
    pass


@dataclass(frozen=True)
class DevOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5000
    search_port: int = 9200
    state_dir: Path = Path(".kumo")
    save_every_s: int = 300
    sweep_every_s: int = 300
    demo: bool = True
    retry_delay_s: int = 2
    workers: int = 4
    receiver_port: int = 8025  # the webhook receiver (receiver.py); 0: any free port


def check_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            raise PortInUse(
                f"port {port} on {host} is already in use, so {what} cannot start there. "
                f"Stop whatever uses it, or choose another port (see `kumo dev --help`)."
            ) from None


def _listen(host: str, port: int) -> socket.socket:
    from chalicelib.local.http import listen

    try:
        return listen(host, port)
    except OSError:
        raise PortInUse(
            f"port {port} on {host} is already in use, so the Kumo web app cannot start there. "
            f"Stop whatever uses it, or choose another port (see `kumo dev --help`)."
        ) from None


def _wait_http(url: str, timeout_s: float, proc: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def _detach_but_die_with_parent() -> None:
    os.setsid()
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: an orphan is possible only if we are killed with SIGKILL


def _tune_emulator(endpoint: str) -> None:
    """moto's model dump (which the mail outbox reads) breaks once a multipart upload exists:
    its 'immediate' Glacier-restore transition looks up a bucket for every part. Kumo never
    restores from Glacier, so that transition is switched off."""
    import json

    body = json.dumps(
        {"model_name": "s3::keyrestore", "transition": {"progression": "manual", "times": 10**9}}
    ).encode()
    request = urllib.request.Request(f"{endpoint}/moto-api/state-manager/set-transition", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def configure_environment(opts: DevOptions, receiver_url: str | None = None) -> dict[str, str]:
    """The environment the app and the functions see (what the CDK stack sets in AWS)."""
    from chalicelib.core import aws, config

    env = {
        **FAKE_CREDENTIALS,
        "KUMO_STAGE": "local",
        "KUMO_AWS_ENDPOINT": f"http://127.0.0.1:{opts.moto_port}",
        "KUMO_SEARCH_URL": f"http://127.0.0.1:{opts.search_port}",
        "KUMO_BASE_URL": f"http://{opts.host}:{opts.port}",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    if receiver_url:
        env["KUMO_DEV_RECEIVER_URL"] = receiver_url
    os.environ.update(env)
    # Chat channels may reach the local receiver (an internal address the SSRF guard refuses
    # otherwise), unless the caller chose the allowed hosts themselves.
    os.environ.setdefault("KUMO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1,localhost")
    # The caller's region and log level stay; these are the defaults.
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    config.reset()
    aws.reset()
    return env


def load_app() -> Any:
    """Import app.py from the project root (it is not an installed module, as in Lambda)."""
    import importlib.util

    from chalicelib.core.config import PROJECT_ROOT

    spec = importlib.util.spec_from_file_location("app", PROJECT_ROOT / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


class LocalStack:
    def __init__(self, opts: DevOptions) -> None:
        self.opts = opts
        self.children: list[subprocess.Popen[Any]] = []
        self.search: Any = None
        self.stop_event = threading.Event()
        self.consumers: list[Any] = []
        self.listener: socket.socket | None = None
        self.workers: Any = None
        self.saver: threading.Thread | None = None
        self.receiver: Any = None

    # --- start ---------------------------------------------------------------------------
    def start(self) -> None:
        o = self.opts
        self.listener = _listen(o.host, o.port)
        check_port_free("127.0.0.1", o.moto_port, "the AWS emulator (moto)")
        check_port_free("127.0.0.1", o.search_port, "the search server (osmem-server)")
        self._start_receiver()
        configure_environment(o, self.receiver.url)
        self._start_moto()
        self._start_search()
        from chalicelib.local import bootstrap

        bootstrap.bootstrap([f"http://{o.host}:{o.port}", f"http://localhost:{o.port}"])
        self.restored = self._load_state()
        self._start_consumers()
        self._start_app()
        if o.save_every_s > 0:
            self.saver = threading.Thread(target=self._save_periodically, name="state-saver", daemon=True)
            self.saver.start()
        if o.sweep_every_s > 0:
            threading.Thread(target=self._sweep_periodically, name="scheduler", daemon=True).start()

    def _start_receiver(self) -> None:
        from chalicelib.local import receiver

        if self.opts.receiver_port:
            check_port_free("127.0.0.1", self.opts.receiver_port, "the webhook receiver")
        self.receiver = receiver.start(self.opts.receiver_port)

    def _start_moto(self) -> None:
        port = self.opts.moto_port
        # Its own session: Ctrl-C in the terminal reaches the whole foreground group, and the
        # emulator must outlive us long enough for the state to be saved from it. It still
        # dies with us (PDEATHSIG) if we are killed outright, so nothing is left behind.
        proc = subprocess.Popen(
            [sys.executable, "-m", "chalicelib.local.emulator", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_detach_but_die_with_parent,  # noqa: PLW1509 - no threads yet
        )
        self.children.append(proc)
        _wait_http(f"http://127.0.0.1:{port}/moto-api/", 60, proc)
        _tune_emulator(f"http://127.0.0.1:{port}")

    def _start_search(self) -> None:
        from osmem_server import OsmemServer

        self.search = OsmemServer.start(addr=f"127.0.0.1:{self.opts.search_port}", startup_timeout=60)

    def _load_state(self) -> str:
        from chalicelib.local import demo
        from chalicelib.ops import backup

        state = self.opts.state_dir
        if (state / "manifest.json").exists():
            summary = backup.restore(state)
            accounts = demo.restore_accounts()
            from chalicelib.projects import indexing as project_indexing
            from chalicelib.search import reindex
            from chalicelib.surveys import indexing

            # The search server keeps nothing on disk: the index is rebuilt from the files (and
            # the surveys, answers and project cards, whose sources search may only get through
            # its registry).
            indexing.register()
            project_indexing.register()
            rebuilt = reindex.reindex()
            return (
                f"restored from {state}: {summary.describe()}; {accounts} sign-ins re-created; "
                f"search: {rebuilt.describe()}"
            )
        if self.opts.demo and demo.seed():
            from chalicelib.local import demo_channels, demo_files, demo_projects, demo_recruiting, demo_surveys

            channels = demo_channels.seed_unit()  # before the survey: its events reach 財政課's channels
            documents, surveys, boards = demo_files.seed(), demo_surveys.seed(), demo_projects.seed()
            recruitments = demo_recruiting.seed()
            return (
                f"demo data created ({documents} sample documents, {surveys} survey, {boards} projects, "
                f"{recruitments} 公募, chat channels of 財政課 and a project at the local receiver: {channels + 1})"
            )
        return "empty"

    def _start_consumers(self) -> None:
        from chalicelib.core.config import settings
        from chalicelib.core.resources import RESOURCES
        from chalicelib.local.consumers import QueueConsumer

        for spec in RESOURCES.functions:
            if spec.source_queue:
                consumer = QueueConsumer(
                    spec,
                    settings().queue_name(spec.source_queue),
                    self.stop_event,
                    retry_delay_s=self.opts.retry_delay_s,
                )
                consumer.start()
                self.consumers.append(consumer)

    def _start_app(self) -> None:
        from chalicelib.core.config import PROJECT_ROOT
        from chalicelib.local.workers import WorkerPool

        assert self.listener is not None
        self.workers = WorkerPool(self.listener, self.opts.workers, PROJECT_ROOT)
        self.workers.start()
        _wait_http(f"http://{self.opts.host}:{self.opts.port}/healthz", 30)

    # --- state ---------------------------------------------------------------------------
    def save_state(self) -> str:
        from chalicelib.ops import backup

        return backup.backup(self.opts.state_dir).describe()

    def _save_periodically(self) -> None:
        while not self.stop_event.wait(self.opts.save_every_s):
            try:
                self.save_state()
            except Exception as exc:  # keep running; the next save may succeed
                print(f"kumo: could not save state: {exc}", file=sys.stderr)

    def _sweep_periodically(self) -> None:
        """Plays EventBridge Scheduler: invokes functions/scheduler as the schedule would."""
        from chalicelib.local.consumers import LambdaContext
        from functions.scheduler.app import handler

        while not self.stop_event.wait(self.opts.sweep_every_s):
            try:
                handler({"task": "sweep"}, LambdaContext("kumo-scheduler", 300, started=time.monotonic()))
            except Exception as exc:  # the next run may succeed
                print(f"kumo: scheduled sweep failed: {exc}", file=sys.stderr)

    # --- stop ----------------------------------------------------------------------------
    def _stop_servers(self) -> None:
        """The in-process servers: search, and the webhook receiver."""
        if self.search is not None:
            self.search.close()
        if self.receiver is not None:
            self.receiver.stop()

    def stop(self, *, save: bool = True) -> str | None:
        saved = None
        self.stop_event.set()
        if self.workers is not None:
            self.workers.stop()
        if self.listener is not None:
            self.listener.close()
        for consumer in self.consumers:
            consumer.join(timeout=5)
        if save:
            try:
                saved = self.save_state()
            except Exception as exc:
                print(f"kumo: could not save state: {exc}", file=sys.stderr)
        self._stop_servers()
        for proc in self.children:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        return saved


def run(opts: DevOptions) -> int:
    from chalicelib.local import demo

    stack = LocalStack(opts)
    stopping = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        stack.start()
    except PortInUse as exc:
        print(f"kumo: {exc}", file=sys.stderr)
        stack.stop(save=False)
        return 2
    except BaseException:
        stack.stop(save=False)
        raise
    url = f"http://{opts.host}:{opts.port}/"
    print(
        f"""
Kumo is running: {url}
  state: {stack.restored} (saved to {opts.state_dir}/ every {opts.save_every_s}s and on stop)
  web workers: {opts.workers} (requests run in parallel, as in concurrent Lambda containers)
  AWS emulator: http://127.0.0.1:{opts.moto_port}   search: http://127.0.0.1:{opts.search_port}
  webhook receiver: {stack.receiver.url} (what chat channels post: /dev/webhooks, `kumo webhooks`)

Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):
{demo.logins_table()}

Press Ctrl-C to stop.""",
        flush=True,
    )
    stopping.wait()
    print("kumo: stopping…", flush=True)
    saved = stack.stop(save=True)
    if saved:
        print(f"kumo: state saved to {opts.state_dir}: {saved}", flush=True)
    return 0
