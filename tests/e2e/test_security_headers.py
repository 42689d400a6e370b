"""The Content-Security-Policy the browser enforces, and that the pages live within it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from tests.e2e.conftest import ja, sign_in

pytestmark = pytest.mark.e2e


def csp_problems(page: Page) -> list[str]:
    """CSP violations, script errors and failed loads the page reports, as they happen."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            # The browser may ask for /favicon.ico by itself; the app has no such route and answers
            # its 404 page. Not a CSP matter.
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


@pytest.mark.parametrize("path", ["/", "/notifications", "/departments/somu"])
def test_pages_carry_a_strict_csp_and_break_no_rule_of_it(
    new_context: Callable[..., BrowserContext], path: str
) -> None:
    page = new_context().new_page()
    problems = csp_problems(page)
    sign_in(page, "yamada.k")
    scripts = []
    page.on("response", lambda r: scripts.append(r) if r.url.endswith("/static/kumo.js") else None)

    response = page.goto(path)

    assert response is not None and response.ok
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    page.wait_for_load_state("load")
    assert [r.status for r in scripts] == [200], "the page script did not load"
    assert problems == []


def test_the_sign_in_page_has_the_csp_too(page: Page) -> None:
    problems = csp_problems(page)

    response = page.goto("/login")

    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Sign in"))
    page.wait_for_load_state("load")
    assert problems == []
