"""Browser fixtures: one headless Chromium per test session, a fresh context per test.

The browser is Debian's `chromium` driven by Playwright (no browser download). Without it
every test here is skipped with a reason, before the local stack is started.
"""

from __future__ import annotations

import gettext
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import DEMO_PASSWORD
from tests.support.stack import ROOT, RunningStack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NO_BROWSER = (
    "Debian's chromium is not installed at /usr/bin/chromium (run `make browser` as root, "
    "or `sudo apt-get install chromium`): browser tests skipped"
)
ARTIFACTS = Path(__file__).parent / "artifacts"
E2E_DIR = Path(__file__).parent
POLL_INTERVAL_S = 0.4


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every browser test up front (so the stack is not started for nothing)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=NO_BROWSER)
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(skip)


def catalog(language: str) -> Callable[[str], str]:
    """The texts the app shows in `language`, from the same compiled catalogs it reads.

    Untranslated or uncompiled messages fall back to the msgid, exactly as the app does, so
    assertions hold before and after the translators have done their work.
    """
    return gettext.translation(
        "messages", localedir=str(ROOT / "frontend" / "locales"), languages=[language], fallback=True
    ).gettext


ja = catalog("ja")
en = catalog("en")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(NO_BROWSER)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_context(browser: Browser, stack: RunningStack) -> Iterator[Callable[..., BrowserContext]]:
    """Open a browser context (one person's browser) on the running app; closed after the test.

    The browser asks for Japanese first, as the prefecture's staff's browsers do.
    """
    opened: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {"base_url": stack.base_url, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def sign_in(page: Page, staff_id: str, password: str = DEMO_PASSWORD, *, next_path: str | None = None) -> None:
    """Fill in the sign-in form as a person would (by its labels) and submit it."""
    if not re.search(r"/login(\?|$)", page.url):
        page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label(ja("Staff ID")).fill(staff_id)
    page.get_by_label(ja("Password")).fill(password)
    page.get_by_role("button", name=ja("Sign in"), exact=True).click()
    page.wait_for_load_state()


def signed_in_page(new_context: Callable[..., BrowserContext], staff_id: str, **options: Any) -> Page:
    page = new_context(**options).new_page()
    sign_in(page, staff_id)
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    return page


def unread_count(page: Page) -> int:
    """The number in the unread badge of the page as shown (no badge: nothing unread)."""
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text().strip()) if badge.count() else 0


def reload_until(page: Page, condition: Callable[[], bool], timeout_s: float = 20) -> None:
    """Reload the page until `condition` holds (events travel through queues to the inbox)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {timeout_s}s on {page.url}")
        time.sleep(POLL_INTERVAL_S)
        page.reload()
