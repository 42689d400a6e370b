"""Keyboard users, screen readers and phones."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import catalog, en, ja, signed_in_page
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}


def test_the_first_tab_reaches_the_skip_link_which_jumps_to_the_content(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = signed_in_page(new_context, "yamada.k")
    page.goto("/")  # a fresh load: nothing focused yet

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name=ja("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible while focused, for sighted keyboard users
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_the_sign_in_fields_have_labels(page: Page) -> None:
    page.goto("/login")

    staff_id, password = page.get_by_label(ja("Staff ID")), page.get_by_label(ja("Password"))

    expect(staff_id).to_have_attribute("id", "staff_id")
    expect(staff_id).to_be_focused()  # autofocus: type straight away
    expect(password).to_have_attribute("type", "password")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


@pytest.mark.parametrize("path", ["/", "/notifications", "/departments/somu", "/files", "/directory"])
def test_pages_fit_a_phone_without_sideways_scrolling(new_context: Callable[..., BrowserContext], path: str) -> None:
    page = signed_in_page(new_context, "tanaka.h", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(path)

    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert no_horizontal_scroll(page), f"{path} scrolls sideways on a phone: scrollWidth/clientWidth {widths}"
    expect(page.get_by_test_id("signed-in-as")).to_be_in_viewport()


def test_the_sign_in_page_fits_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/login")

    assert no_horizontal_scroll(page)
    expect(page.get_by_role("button", name=ja("Sign in"), exact=True)).to_be_in_viewport()


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2 A/AA findings on the page as shown (from npm, `make vendor`)."""
    assert AXE.exists(), f"{AXE} is missing: run `make vendor` (npm ci in frontend/)"
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a <script>: the page's CSP stays as it is
    found = page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("language", "heading"), [("ja", ja("Not found")), ("en", en("Not found"))])
def test_an_unknown_path_is_an_accessible_page_in_the_readers_language(
    new_context: Callable[..., BrowserContext], stack: RunningStack, language: str, heading: str
) -> None:
    context = new_context()
    context.add_cookies([{"name": "kumo_lang", "value": language, "url": stack.base_url}])
    page = context.new_page()

    response = page.goto("/no/such/page")

    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page).to_have_title(re.compile(re.escape(heading)))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert axe_violations(page) == []
    page.get_by_role("link", name=catalog(language)("Back to the home page")).click()
    expect(page).to_have_url(re.compile(r"/login"))  # home, which asks a stranger to sign in first


def test_a_signed_in_person_gets_the_error_page_in_the_layout(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, "yamada.k")

    response = page.goto("/files/no-such-file")

    assert response is not None and response.status == 404
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/directory", "/departments/somu"])
def test_the_organisation_is_a_nested_list_with_each_divisions_head(
    new_context: Callable[..., BrowserContext], path: str
) -> None:
    page = signed_in_page(new_context, "yamada.k")
    page.goto(path)

    zaisei = page.get_by_test_id("org-tree").locator('li[data-unit="somu"] li[data-unit="zaisei"]')
    expect(zaisei).to_contain_text("西田 和夫")
    expect(zaisei.get_by_role("list").first.get_by_role("listitem").first).to_be_visible()
    assert axe_violations(page) == []
