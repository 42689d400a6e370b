"""The delivery health page in Chromium: a system administrator follows 「管理」 to it, sees the
figures and a dead letter in the notify queue's DLQ, presses 「再送」 and is told how many went
back; the page passes axe-core. A member's header has no 「管理」."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from chalicelib.core.event_catalogue import StaffSignedInFirstTime
from chalicelib.core.events import DomainEvent
from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e


def test_an_administrator_replays_a_dead_letter(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    event = DomainEvent(
        StaffSignedInFirstTime(staff_id="kubo.s", department_id="digital", display_name=f"E2E {uuid.uuid4().hex[:6]}")
    )
    sqs = stack.boto3("sqs")
    url = sqs.get_queue_url(QueueName="kumo-notify-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event.as_delivered(), ensure_ascii=False))

    page = signed_in_page(new_context, "admin")
    page.get_by_test_id("admin-link").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Administration"))
    page.get_by_role("link", name=ja("Delivery health")).click()
    expect(page).to_have_url(re.compile(r"/admin/notifications$"))
    expect(page.get_by_test_id("figures")).to_be_visible()
    dead = int(page.get_by_test_id("figure-dead").inner_text())
    assert dead >= 1
    row = page.locator('tr[data-queue="notify"]')
    expect(row.locator('[data-depth="dlq-visible"]')).not_to_have_text("0")
    expect(page.get_by_test_id("by-channel").locator("caption")).to_be_visible()
    assert axe_violations(page) == []

    row.get_by_role("button", name=re.compile(ja("Replay"))).click()
    done = page.get_by_test_id("replayed")
    expect(done).to_be_visible()
    assert int(done.get_attribute("data-count") or "0") >= 1
    expect(row.locator('[data-depth="dlq-visible"]')).to_have_text("0")
    expect(page.get_by_test_id("replays")).to_contain_text("admin")
    assert axe_violations(page) == []


def test_a_member_has_no_admin_link(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(new_context, "yamada.k")
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    expect(page.get_by_test_id("admin-link")).to_have_count(0)
    answer = page.goto("/admin/notifications")
    assert answer is not None and answer.status == 403
