"""The daily digest in Chromium: a person moves surveys arriving for their 所属 to the digest (at
the time they pick) on the settings page; the next survey issued to their 所属 is in their inbox
at once but sends no mail; the digest run (`kumo sweep --at` that morning, as the scheduler
would) sends one digest mail listing it, and a second run sends nothing more. The toggle that
mutes the survey is on its page, and the pages pass axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from chalicelib.notifications import quiet
from tests.e2e.conftest import ja, reload_until, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.integration.test_surveys import issue_survey
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
PERSON, UNIT = "hayashi.m", "kankyo-seisaku"  # 環境政策課's 取りまとめ担当: no other browser test reads their mail
SURVEY_ARRIVED = "A survey arrived for your unit"


def _mails(stack: RunningStack, needle: str) -> list[str]:
    out = str(stack.kumo("outbox", "--to", f"{PERSON}@pref.example.lg.jp", "--limit", "100", check=True).stdout)
    return [m for m in out.split("-" * 60) if needle in m]


def test_survey_notices_moved_to_the_digest_come_in_one_digest_mail(
    new_context: Callable[..., BrowserContext], stack: RunningStack, signed_in: Callable[[str], requests.Session]
) -> None:
    page = signed_in_page(new_context, PERSON)
    page.goto("/settings/notifications")
    arrived = page.get_by_label(ja(SURVEY_ARRIVED))
    expect(arrived).to_have_value("mail")
    arrived.select_option("digest")
    page.get_by_label(ja("Send my digest on working days at")).select_option("07:30")
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_label(ja(SURVEY_ARRIVED))).to_have_value("digest")
    expect(page.get_by_test_id("digest-at")).to_have_value("07:30")
    assert axe_violations(page) == []

    survey = issue_survey(stack, signed_in, [UNIT])
    number = survey["number"]
    page.goto("/notifications")
    inbox = page.get_by_test_id("notification-list")
    reload_until(page, lambda: number in inbox.inner_text())
    assert _mails(stack, number) == [], "in the inbox at once, but no mail"

    # The survey's page (the person's 所属's answer) has the mute toggle, which says what stays.
    inbox.locator("li", has_text=number).get_by_role("button", name=ja("Open")).click()
    expect(page).to_have_url(re.compile(rf"/surveys/{survey['id']}/answers/{UNIT}$"))
    expect(page.get_by_test_id("mute-toggle")).to_have_text(ja("Mute notices"))
    expect(page.get_by_test_id("mute-note")).to_contain_text("督促")
    assert axe_violations(page) == []

    morning = datetime.combine(quiet.digest_day(datetime.now(quiet.JST), time(7, 30)), time(7, 30), quiet.JST)
    first = stack.kumo("sweep", "--at", morning.isoformat(), check=True).stdout
    assert "digests_sent" in first, first
    stack.kumo("sweep", "--at", morning.replace(minute=45).isoformat(), check=True)
    (digest,) = _mails(stack, number)
    assert ja("Daily digest") in digest and survey["title"] in digest
    assert f"/surveys/{survey['id']}/answers/{UNIT}" in digest
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in digest

    # Put back what the demo person had, for anyone trying `make run` after the tests.
    page.goto("/settings/notifications")
    page.get_by_label(ja(SURVEY_ARRIVED)).select_option("mail")
    page.get_by_label(ja("Send my digest on working days at")).select_option("08:30")
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_test_id("saved")).to_be_visible()
