"""Starts `kumo dev` as a child process on free ports, as a person would, and stops it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KUMO = [sys.executable, "-m", "chalicelib.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningStack:
    def __init__(self, state_dir: Path, *, demo: bool = True, settings: dict[str, str] | None = None) -> None:
        self.state_dir = state_dir
        self.demo = demo
        self.settings = settings or {}  # extra KUMO_* settings for this stack (e.g. KUMO_FAULT_RATE)
        self.port = free_port()
        self.moto_port = free_port()
        self.search_port = free_port()
        self.receiver_port = free_port()  # the local webhook receiver (chalicelib/local/receiver.py)
        self._drawn = self._ports()
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def env(self) -> dict[str, str]:
        """The environment for `kumo` commands and boto3 clients aimed at this stack."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KUMO_", "AWS_"))}
        env.update(
            {
                "AWS_ACCESS_KEY_ID": "kumo-local",
                "AWS_SECRET_ACCESS_KEY": "kumo-local",
                "AWS_DEFAULT_REGION": "ap-northeast-1",
                "KUMO_STAGE": "local",
                "KUMO_AWS_ENDPOINT": self.aws_endpoint,
                "KUMO_SEARCH_URL": f"http://127.0.0.1:{self.search_port}",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("KUMO_TEST_LOG_LEVEL", "WARNING"),
                "PYTHONUNBUFFERED": "1",
                # Tests that expect a mail at once must not depend on the hour they run at.
                "KUMO_QUIET_HOURS": "off",
                **self.settings,
            }
        )
        return env

    def start(self, timeout_s: float = 120) -> None:
        """Start `kumo dev` and wait for it to say it is ready.

        Ports are drawn free but used a moment later: another xdist worker's stack (or any
        program) may take one in between. Ports this object drew itself are then drawn again,
        once; ports a test chose stay as they are, and the error reaches the test."""
        try:
            self._start(timeout_s)
        except RuntimeError as error:
            if "already in use" not in str(error) or self._ports() != self._drawn:
                raise
            self.port, self.moto_port, self.search_port, self.receiver_port = (free_port() for _ in range(4))
            self._drawn = self._ports()
            self._start(timeout_s)

    def _ports(self) -> tuple[int, ...]:
        return (self.port, self.moto_port, self.search_port, self.receiver_port)

    def _start(self, timeout_s: float) -> None:
        args = [
            *KUMO,
            "dev",
            "--port",
            str(self.port),
            "--moto-port",
            str(self.moto_port),
            "--search-port",
            str(self.search_port),
            "--receiver-port",
            str(self.receiver_port),
            "--state-dir",
            str(self.state_dir),
            "--save-every",
            "0",
        ]
        if not self.demo:
            args.append("--no-demo")
        self.output = []
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        ready = threading.Event()

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                if "Press Ctrl-C to stop." in line:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while not ready.wait(0.2):
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("kumo dev did not start:\n" + "".join(self.output))
        if not any("Press Ctrl-C to stop." in line for line in self.output):
            self.proc.wait(timeout=30)
            raise RuntimeError("kumo dev exited:\n" + "".join(self.output))

    def stop(self, timeout_s: float = 60) -> int:
        """Ctrl-C, as a terminal sends it: SIGINT to the whole process group. Returns the exit code."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def kumo(self, *args: str, check: bool = False, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*KUMO, *args],
            check=False,
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            input=input_text,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kumo {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def boto3(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name="ap-northeast-1",
            aws_access_key_id="kumo-local",
            aws_secret_access_key="kumo-local",
        )


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
