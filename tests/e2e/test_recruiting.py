"""20%-rule recruiting in Chromium, with the demo's people: a project's owner posts a 公募 from the
project's page, a staff member of another 部局 finds it on /recruitments and applies with a
message, the owner asks for consent, the applicant's 所属長 finds it on /consents and consents
(over the cap, with the override and its reason, should the person's share already be taken),
and the applicant is a member of the project with the 公募's time share. axe-core on each page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from chalicelib.directory.placement import jst_today  # the server's dates are Japan's
from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_projects_board import api

pytestmark = pytest.mark.e2e
OWNER = "yamada.k"  # 総務部 総務課 取りまとめ担当
APPLICANT, APPLICANT_NAME = "fujii.r", "藤井 涼"  # 土木部 道路課
HEAD = "sakamoto.j"  # 道路課 所属長


def _axe(page: Page, found: dict[str, Any], name: str) -> None:
    found[name] = axe_violations(page)


def test_a_staff_member_applies_their_head_consents_and_they_join(new_context: Callable[..., BrowserContext]) -> None:
    problems: dict[str, Any] = {}
    owner = signed_in_page(new_context, OWNER)
    token = uuid.uuid4().hex[:6]
    made = api(
        owner, "POST", "/api/projects", {"name": f"電子申請の普及 {token}", "description": "申請手続のオンライン化"}
    )

    # The owner posts a 公募 from the project's page.
    owner.goto(f"/projects/{made['id']}/settings")
    expect(owner.get_by_test_id("no-recruitments")).to_be_visible()
    owner.get_by_test_id("project-recruitments").get_by_role("link", name=ja("Post a recruitment")).click()
    expect(owner).to_have_url(re.compile(r"/recruitments/new\?project="))
    expect(owner.get_by_label(ja("Project"), exact=True)).to_have_value(made["id"])
    _axe(owner, problems, "new recruitment")
    today = jst_today()
    title = f"申請フォームの作成を手伝ってくれる方 {token}"
    owner.get_by_label(ja("Title"), exact=True).fill(title)
    owner.get_by_label(ja("What the project needs")).fill("電子申請フォームの設計と、利用者向け説明の作成")
    owner.get_by_label(ja("Skills and qualifications")).fill("業務改善、電子申請")
    owner.get_by_label(ja("Expected time share (%%)").replace("%%", "%")).fill("20")
    owner.get_by_label(ja("From"), exact=True).fill(today.isoformat())
    owner.get_by_label(ja("To"), exact=True).fill((today + timedelta(days=120)).isoformat())
    owner.get_by_label(ja("Number of people")).fill("1")
    owner.get_by_label(ja("Deadline for applications")).fill((today + timedelta(days=14)).isoformat())
    owner.get_by_test_id("post-recruitment").click()
    expect(owner.get_by_test_id("recruitment-title")).to_have_text(title)

    # A staff member of another 部局 finds it among the open 公募 and applies.
    applicant = signed_in_page(new_context, APPLICANT)
    applicant.goto("/recruitments")
    _axe(applicant, problems, "/recruitments")
    applicant.get_by_label(ja("Words")).fill(token)
    applicant.get_by_role("button", name=ja("Show")).click()
    found = applicant.get_by_test_id("recruitment")
    expect(found).to_have_count(1)
    found.get_by_role("link", name=title).click()
    _axe(applicant, problems, "recruitment")
    applicant.get_by_label(ja("A short message to the project")).fill("道路課で電子申請の窓口を担当しています。")
    applicant.get_by_test_id("apply").click()
    expect(applicant.get_by_test_id("done")).to_have_text(ja("Your application has been sent to the project's owners."))
    expect(applicant.get_by_test_id("application-state")).to_have_attribute("data-state", "applied")
    application_url = applicant.url.split("?")[0]
    _axe(applicant, problems, "application (applicant)")

    # The owner sees it counted on the project's page, and asks the applicant's head for consent.
    owner.goto(f"/projects/{made['id']}/settings")
    row = owner.get_by_test_id("project-recruitment")
    expect(row.get_by_test_id("application-counts")).to_contain_text("1")
    _axe(owner, problems, "project settings with its recruitments")
    row.get_by_role("link", name=title).click()
    owner.get_by_test_id("application-row").filter(has_text=APPLICANT_NAME).get_by_test_id("proceed").click()
    expect(owner.get_by_test_id("done")).to_have_text(ja("The applicant's head of unit has been asked for consent."))

    # The 所属長 signs in, finds it waiting on /consents and consents.
    head = signed_in_page(new_context, HEAD)
    head.goto("/consents")
    _axe(head, problems, "/consents")
    waiting = head.get_by_test_id("pending-row").filter(has_text=f"電子申請の普及 {token}")
    expect(waiting).to_have_count(1)
    waiting.get_by_role("link", name=APPLICANT_NAME).click()
    expect(head).to_have_url(re.compile(re.escape(application_url.split("/applications/")[1])))
    _axe(head, problems, "application (head)")
    head.get_by_label(ja("Comment (optional)")).fill("繁忙期を避けて参加してください。")
    override = head.get_by_test_id("override")
    if override.count():  # the person's share is already taken elsewhere: the recorded override
        override.check()
        head.get_by_label(ja("Why (kept with the consent)")).fill("課内で業務を調整済みのため")
    head.get_by_test_id("consent").click()
    expect(head.get_by_test_id("done")).to_have_text(ja("You consented: the applicant is now a member of the project."))
    expect(head.get_by_test_id("application-state")).to_have_attribute("data-state", "joined")

    # The applicant is a member with the 公募's share; the 公募 is filled.
    applicant.goto(f"/projects/{made['id']}/settings")
    member = applicant.locator(f'[data-testid="member-row"][data-staff-id="{APPLICANT}"]')
    expect(member).to_contain_text("20 %")
    _axe(applicant, problems, "project settings (new member)")
    filled = applicant.get_by_test_id("project-recruitment").get_by_test_id("filled")
    expect(filled).to_have_text(ja("%(filled)s of %(positions)s") % {"filled": 1, "positions": 1})
    assert {name: v for name, v in problems.items() if v} == {}
