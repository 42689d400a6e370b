"""Japanese first, English on request: the choice sticks as you move around."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ARTIFACTS, en, ja, sign_in
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e


def expect_japanese(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name=ja("Notifications"))).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("総務部")


def expect_english(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="日本語", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Notifications")).to_be_visible()
    expect(page.get_by_role("button", name=en("Sign out"))).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("General Affairs Department")


def test_switch_to_english_and_back_and_the_choice_persists(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_context().new_page()
    sign_in(page, "yamada.k")
    expect_japanese(page)
    page.screenshot(path=str(ARTIFACTS / "home-ja.png"), full_page=True)

    page.get_by_role("button", name="English", exact=True).click()

    expect(page).to_have_url(f"{stack.base_url}/")  # back on the page you were on
    expect_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 山田 健一")
    page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)

    page.get_by_role("navigation").get_by_role("link", name="Files").click()
    expect(page).to_have_url(re.compile(r"/files/dept:somu$"))  # the department's space
    expect_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("General Affairs Department")
    page.goto("/notifications")
    expect_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    # A new tab in the same browser remembers the choice too.
    second_tab = page.context.new_page()
    second_tab.goto("/departments/somu")
    expect_english(second_tab)

    page.get_by_role("button", name="日本語", exact=True).click()

    expect(page).to_have_url(f"{stack.base_url}/notifications")
    expect_japanese(page)
    page.goto("/")
    expect_japanese(page)
    second_tab.reload()
    expect_japanese(second_tab)


def test_the_sign_in_page_can_be_read_in_english_before_signing_in(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    page = new_context().new_page()
    page.goto("/login?next=%2Fprojects")

    page.get_by_role("button", name="English", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{stack.base_url}/login?next=%2Fprojects")
    expect(page.get_by_label("Staff ID")).to_be_visible()
    page.get_by_label("Staff ID").fill("yamada.k")
    page.get_by_label("Password").fill("Kumo-Demo-2026")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(f"{stack.base_url}/projects")
    expect_english(page)
