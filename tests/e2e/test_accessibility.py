"""Keyboard users, screen readers and phones."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ja, signed_in_page

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}


def test_the_first_tab_reaches_the_skip_link_which_jumps_to_the_content(
        new_context: Callable[..., BrowserContext]) -> None:
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
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


@pytest.mark.parametrize("path", ["/", "/notifications", "/departments/somu", "/files"])
def test_pages_fit_a_phone_without_sideways_scrolling(new_context: Callable[..., BrowserContext],
                                                      path: str) -> None:
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
