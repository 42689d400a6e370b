"""Shared fixtures: the local stack (started once per test session) and signed-in clients."""

from __future__ import annotations

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
