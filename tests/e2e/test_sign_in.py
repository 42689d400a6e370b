"""Signing in and out, as staff see it in the browser."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ja, sign_in, signed_in_page
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e


def test_a_page_without_a_session_sends_you_to_sign_in_and_then_back(page: Page, stack: RunningStack) -> None:
    page.goto("/notifications")

    expect(page).to_have_url(f"{stack.base_url}/login?next=%2Fnotifications")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Sign in"))
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)

    sign_in(page, "yamada.k")

    expect(page).to_have_url(f"{stack.base_url}/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Notifications"))
    expect(page.get_by_role("navigation").get_by_role("link", name=ja("Notifications"))).to_have_attribute(
        "aria-current", "page"
    )


def test_wrong_password_is_refused_and_the_right_one_opens_the_shell_in_japanese(
    page: Page, stack: RunningStack
) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    sign_in(page, "yamada.k", "Not-The-Password-1")

    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("login-error")).to_have_text(ja("The staff ID or password is wrong."))
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label(ja("Staff ID"))).to_have_value("yamada.k")  # kept: only the password to retype
    expect(page.get_by_label(ja("Password"))).to_have_value("")
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)

    sign_in(page, "yamada.k")

    expect(page).to_have_url(f"{stack.base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    who = page.get_by_test_id("signed-in-as")
    expect(who).to_contain_text("総務部")
    expect(who).to_contain_text("山田 健一")
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 健一")
    nav = page.get_by_role("navigation")
    for path in ("/files", "/search", "/surveys", "/projects", "/notifications"):
        expect(nav.locator(f'a[href="{path}"]')).to_be_visible()
    expect(page.get_by_role("button", name=ja("Sign out"))).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()


def test_the_last_area_of_the_navigation_is_built_too(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, "yamada.k")

    page.get_by_role("navigation").get_by_role("link", name=ja("Projects")).click()

    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Projects"))
    expect(page.get_by_test_id("start-project")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("山田 健一")


def test_after_signing_out_the_session_is_over(new_context: Callable[..., BrowserContext], stack: RunningStack) -> None:
    page = signed_in_page(new_context, "yamada.k")
    old_cookie = next(c for c in page.context.cookies() if c["name"] == "kumo_session")

    page.get_by_role("button", name=ja("Sign out")).click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == "kumo_session" and c["value"]]
    page.goto("/")
    expect(page).to_have_url(f"{stack.base_url}/login?next=%2F")

    # Someone who kept a copy of the old cookie gets nowhere with it: the session is gone.
    other = new_context()
    other.add_cookies([{"name": "kumo_session", "value": old_cookie["value"], "url": stack.base_url}])
    replay = other.new_page()
    replay.goto("/")
    expect(replay).to_have_url(f"{stack.base_url}/login?next=%2F")
    expect(replay.get_by_test_id("signed-in-as")).to_have_count(0)
