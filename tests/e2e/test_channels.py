"""A 所属's chat channels in Chromium: its 取りまとめ担当 finds them from the notification
settings, connects a signed webhook (the secret is shown once, the URL masked), sends a test
message and sees it in the channel's delivery log; the local receiver got it. axe on each page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
COORDINATOR = "harada.y"  # 財政課 取りまとめ担当


def test_a_coordinator_connects_a_channel_and_sees_its_test_message_in_the_log(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    page = signed_in_page(new_context, COORDINATOR)
    page.goto("/settings/notifications")
    page.get_by_test_id("unit-channels-zaisei").click()
    expect(page).to_have_url(re.compile(r"/units/zaisei/channels$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Chat channels of %(name)s") % {"name": "財政課"})
    assert axe_violations(page) == []

    name = f"E2E連携 {uuid.uuid4().hex[:6]}"
    path = f"/hooks/e2e-{uuid.uuid4().hex[:8]}"
    page.get_by_test_id("channel-type").select_option("webhook")
    page.get_by_label(ja("Name"), exact=True).fill(name)
    page.get_by_label(ja("Webhook address (URL)")).fill(f"{stack.receiver_url}{path}")
    page.get_by_test_id("kind-survey_closed").uncheck()
    page.get_by_test_id("connect").click()

    expect(page.get_by_test_id("secret-value")).to_contain_text("kumo_whsec_")
    channel = page.get_by_test_id("channel").filter(has_text=name)
    expect(channel.get_by_test_id("masked-url")).to_have_text(f"http://127.0.0.1/…/••••{path[-4:]}")
    assert axe_violations(page) == []

    channel.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("channel-done")).to_have_text(ja("The test message was delivered."))
    expect(page.get_by_test_id("secret-value")).to_have_count(0)  # shown once only
    channel = page.get_by_test_id("channel").filter(has_text=name)
    (row,) = channel.get_by_test_id("attempt").all()
    expect(row).to_contain_text(ja("Test message"))
    expect(row).to_contain_text(ja("Delivered"))
    expect(row).to_contain_text("200")
    assert axe_violations(page) == []

    got = requests.get(f"{stack.receiver_url}/_messages", timeout=10).json()
    (posted,) = [m for m in got if m["path"] == path]
    assert posted["body"]["test"] is True and posted["headers"]["x-kumo-signature"].startswith("v1=")
