"""A survey to an organisation outside the prefecture, in real browsers: the issuer adds the
organisation in the editor and issues; its contact, with no account, opens the mailed link,
confirms the address with the code, fills in the same form staff answer in (saved as typed),
and submits; the language switch works on the respondent's page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from tests.conftest import eventually
from tests.e2e.conftest import en, ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.integration.test_files import _api
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
Signed = Callable[[str], requests.Session]
PHONE = {"width": 375, "height": 812}


def _mail(stack: RunningStack, address: str, pattern: str) -> str:
    def find() -> str | None:
        match = re.search(pattern, stack.kumo("outbox", "--to", address, check=True).stdout)
        return match.group(1) if match else None

    return str(eventually(find, timeout_s=20))


def test_an_outside_organisation_is_invited_from_the_editor_and_answers_in_its_browser(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext]
) -> None:
    tag = uuid.uuid4().hex[:6]
    contact = f"kikaku-{tag}@city.kitami.example.lg.jp"
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    draft = _api(
        signed_in("tanaka.h"),
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"避難所の開設状況 {tag}",
            "deadline": deadline,
            "targets": ["jinji"],
            "form": {
                "questions": [
                    {"question_id": "q1", "type": "short_text", "label": "回答者名", "required": True},
                    {"question_id": "q2", "type": "number", "label": "避難所の数", "required": True},
                ]
            },
        },
    ).json()

    issuer = signed_in_page(new_context, "tanaka.h")
    issuer.goto(f"/surveys/{draft['id']}/edit")
    issuer.get_by_role("button", name=ja("Add an organisation")).click()
    row = issuer.locator("tr[data-outside-row]").last
    expect(row.get_by_label(ja("Organisation name"), exact=True)).to_be_focused()
    row.get_by_label(ja("Organisation name"), exact=True).fill("北見市 企画課")
    row.get_by_label(ja("Contact e-mail"), exact=True).fill(contact)
    issuer.get_by_text(ja("Paste a list")).click()
    issuer.locator("[data-outside-paste]").fill(f"網走町 総務課\tsomu-{tag}@town.abashiri.example.jp\n")
    issuer.get_by_role("button", name=ja("Add these")).click()
    expect(issuer.locator("tr[data-outside-row]")).to_have_count(2)
    expect(issuer.get_by_role("button", name=ja("Remove %(name)s") % {"name": "網走町 総務課"})).to_be_visible()
    issuer.get_by_test_id("issue-survey").click()
    issuer.wait_for_load_state()
    expect(issuer.get_by_test_id("done")).to_be_visible()
    expect(issuer.get_by_test_id("board")).to_contain_text("北見市 企画課")
    expect(issuer.get_by_test_id("board")).to_contain_text("網走町 総務課")

    respondent = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    respondent.goto(_mail(stack, contact, rf"{re.escape(stack.base_url)}(/r/#[A-Za-z0-9_-]+)"))
    respondent.wait_for_load_state()
    assert "#" not in respondent.url, "the token left the address bar"
    assert axe_violations(respondent) == []
    respondent.get_by_label(ja("Your e-mail address")).fill(contact)
    respondent.get_by_role("button", name=ja("Send me a code")).click()
    respondent.get_by_label(ja("Code from the e-mail")).fill(_mail(stack, contact, r"確認コード: (\d{6})"))
    respondent.get_by_role("button", name=ja("Confirm")).click()

    expect(respondent.get_by_test_id("survey-title")).to_have_text(f"避難所の開設状況 {tag}")
    assert axe_violations(respondent) == []
    respondent.get_by_label(re.compile("回答者名")).fill("佐々木 一郎")
    respondent.get_by_label(re.compile("避難所の数")).fill("14")
    expect(respondent.get_by_test_id("save-status")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"), timeout=15_000)
    respondent.get_by_test_id("submit-answer").click()
    expect(respondent.get_by_test_id("done")).to_be_visible()
    expect(respondent.get_by_test_id("take-back-form")).to_be_visible()
    assert respondent.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    respondent.get_by_role("button", name="English").click()
    expect(respondent.get_by_role("heading", name=en("Your answer"))).to_be_visible()
    issuer.reload()
    expect(issuer.locator('[data-testid="board-row"][data-state="submitted"]')).to_contain_text("北見市 企画課")
