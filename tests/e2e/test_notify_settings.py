"""The notification settings page in Chromium: a choice is saved and shown again, a mandatory
kind says why it cannot change, and the page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.e2e
PERSON = "kubo.s"  # no other browser test looks at this person's mail


def test_a_person_moves_a_kind_to_the_digest_on_the_settings_page(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, PERSON)
    page.goto("/notifications")
    page.get_by_test_id("notification-settings-link").click()
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Notification settings"))

    mentioned = page.get_by_label(ja("You were mentioned in a comment"))
    expect(mentioned).to_have_value("mail")
    reminder = page.get_by_label(ja("Reminder: your unit has not answered yet"))
    expect(reminder).to_be_disabled()
    expect(page.locator("#why-survey_reminder")).to_contain_text(ja(REMINDER_REASON))
    assert axe_violations(page) == []

    mentioned.select_option("digest")
    page.get_by_test_id("quiet-hours").uncheck()
    page.get_by_role("button", name=ja("Save")).click()

    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_label(ja("You were mentioned in a comment"))).to_have_value("digest")
    expect(page.get_by_test_id("quiet-hours")).not_to_be_checked()
    assert axe_violations(page) == []
    # Put back what the demo person had, for anyone trying `make run` after the tests.
    page.get_by_label(ja("You were mentioned in a comment")).select_option("mail")
    page.get_by_test_id("quiet-hours").check()
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_test_id("saved")).to_be_visible()


REMINDER_REASON = "A reminder is addressed to your unit: the answer is due and your unit is counting on you."
