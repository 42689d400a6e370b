"""Shared fixtures: the local stack (started once per test session) and signed-in clients.

`make test` runs the suite on two xdist workers (the tests wait on queues, browsers and
subprocesses much of the time), dealt out a file at a time (`--dist loadfile`), so a module's
own stack (the fuzz, the faults) is started once. Each worker starts its own shared stack when
its first test needs one. tests/infra runs after, in one process: it synthesizes the CDK app
(and builds the layer in build/) once. (xdist's `loadgroup` cannot group it: xdist 3.8 marks
groups in a node attribute pytest 9 no longer reads.)
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.stack import RunningStack, csrf_from

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
DEMO_PASSWORD = "Kumo-Demo-2026"
_STARTED = pytest.StashKey[float]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The API fuzz's case count (tests/integration/test_api_contract.py writes it, on whichever
    worker ran it), when the fuzz ran in this session."""
    from tests.support.stack import ROOT

    results = ROOT / "build" / "api-fuzz.json"
    if not results.exists() or results.stat().st_mtime < config.stash.get(_STARTED, time.time()):
        return
    counts = {who: n for who, n in json.loads(results.read_text()).items() if who != "total"}
    by_role = ", ".join(f"{who} {n}" for who, n in counts.items())
    terminalreporter.write_line(f"API fuzz (Schemathesis): {sum(counts.values())} cases ({by_role})")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("kumo-state"))
    running.start()
    try:
        yield running
    finally:
        code = running.stop()
        assert code == 0, "kumo dev did not stop cleanly:\n" + "".join(running.output[-40:])


def sign_in(base_url: str, staff_id: str, password: str = DEMO_PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=30)
    response = session.post(
        f"{base_url}/login",
        data={"csrf_token": csrf_from(page.text), "staff_id": staff_id, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, f"sign-in of {staff_id} failed: {response.status_code}"
    home = session.get(f"{base_url}/", timeout=30)
    session.headers["X-CSRF-Token"] = csrf_from(home.text)
    return session


@pytest.fixture(scope="session")
def signed_in(stack: RunningStack) -> Callable[[str], requests.Session]:
    cache: dict[str, requests.Session] = {}

    def get(staff_id: str) -> requests.Session:
        if staff_id not in cache:
            cache[staff_id] = sign_in(stack.base_url, staff_id)
        return cache[staff_id]

    return get


def translated(msgid: str, language: str = "ja") -> str:
    """A message as the app shows it in `language` (API errors are in the reader's language)."""
    import gettext

    from tests.support.stack import ROOT

    catalog = gettext.translation(
        "messages", localedir=str(ROOT / "frontend" / "locales"), languages=[language], fallback=True
    )
    return catalog.gettext(msgid)


def eventually(check: Callable[[], Any], timeout_s: float = 20, interval_s: float = 0.3) -> Any:
    """Poll until check() returns something truthy (events travel through queues)."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path
