"""Surveys in the browser, end to end: an issuer builds a survey with a repeating table and
issues it to a 所属; a member fills the table (rows added, the total follows), submits; the
所属長 approves; the issuer's board shows 提出済. axe-core checks every page on the way."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

# Demo staff (chalicelib/local/demo.py): the issuer, and a target 所属 with a member and its 所属長.
ISSUER = "yamada.k"
TARGET_UNIT = "fukushi-seisaku"
MEMBER = "kimura.t"
HEAD = "inoue.a"
SAVED = re.compile(r"\d{2}:\d{2}")


def no_axe_findings(page: Page) -> None:
    found = axe_violations(page)
    assert found == [], f"{page.url}: {found}"


def build_survey(page: Page, title: str) -> None:
    page.goto("/surveys")
    no_axe_findings(page)
    page.get_by_role("link", name=ja("New survey")).click()
    page.locator("#title").fill(title)
    page.locator("#new-question-type").select_option("table")
    page.get_by_test_id("add-question").click()
    question = page.get_by_test_id("question-editor").last
    question.get_by_label(ja("Question text")).fill("事業ごとの予算額")
    question.get_by_label(ja("Column heading")).fill("事業名")
    question.get_by_test_id("add-column").click()
    column = page.get_by_test_id("question-editor").last.locator("[data-column-index='1']")
    column.get_by_label(ja("Column heading")).fill("予算額")
    column.get_by_label(ja("Kind"), exact=True).select_option("number")
    column = page.get_by_test_id("question-editor").last.locator("[data-column-index='1']")
    column.get_by_label(ja("Unit of measure (件, 千円)")).fill("千円")
    column.get_by_label(ja("Show a total")).check()
    page.get_by_test_id("target-filter").fill("福祉政策")
    page.locator(f"input[name='targets'][value='{TARGET_UNIT}']").check()
    page.get_by_test_id("save-survey").click()
    expect(page.get_by_test_id("save-status")).to_contain_text(SAVED)
    expect(page).to_have_url(re.compile(r"/surveys/sv_[0-9a-f]+/edit$"))
    no_axe_findings(page)


def test_a_survey_with_a_table_goes_from_the_editor_to_the_board_as_submitted(
    new_context: Callable[..., BrowserContext],
) -> None:
    title = f"補助事業の予算について（照会）{uuid.uuid4().hex[:4]}"
    issuer = signed_in_page(new_context, ISSUER)
    build_survey(issuer, title)

    issuer.get_by_test_id("preview-survey").click()
    preview = issuer.get_by_test_id("preview")
    expect(preview).to_be_visible()
    expect(preview.get_by_role("columnheader", name=re.compile("予算額"))).to_be_visible()
    no_axe_findings(issuer)
    issuer.get_by_test_id("issue-survey").click()
    expect(issuer.get_by_test_id("done")).to_have_attribute("data-done", "issued")
    survey_path = issuer.url.split("?")[0]
    row = issuer.locator(f"[data-testid=board-row][data-unit-id='{TARGET_UNIT}']")
    expect(row).to_have_attribute("data-state", "not_started")
    no_axe_findings(issuer)

    member = signed_in_page(new_context, MEMBER)
    member.goto("/surveys")
    member.get_by_role("link", name=title).click()
    table = member.get_by_test_id("answer-table")
    first = table.locator("tbody tr").nth(0)
    first.get_by_label(re.compile("^事業名")).fill("子育て相談")
    first.get_by_label(re.compile("^予算額")).fill("1,200")
    member.get_by_role("button", name=ja("Add a row")).click()
    second = table.locator("tbody tr").nth(1)
    expect(second.get_by_label(re.compile("^事業名"))).to_be_focused()
    second.get_by_label(re.compile("^事業名")).fill("健診事業")
    second.get_by_label(re.compile("^予算額")).fill("350.5")
    expect(member.get_by_test_id("total-c2")).to_have_text("1550.5")
    expect(member.get_by_test_id("save-status")).to_contain_text(SAVED)
    no_axe_findings(member)
    member.get_by_test_id("submit-answer").click()
    expect(member.get_by_test_id("done")).to_have_attribute("data-done", "submitted")
    answer_path = member.url.split("?")[0]

    head = signed_in_page(new_context, HEAD)
    head.goto(answer_path)
    expect(head.get_by_test_id("state")).to_have_attribute("data-state", "pending_approval")
    no_axe_findings(head)
    head.get_by_test_id("approve-answer").click()
    expect(head.get_by_test_id("done")).to_have_attribute("data-done", "approved")

    issuer.goto(survey_path)
    expect(row).to_have_attribute("data-state", "submitted")
    expect(issuer.get_by_test_id("count-submitted")).to_have_text("1")
    row.get_by_role("link").click()
    expect(issuer.get_by_test_id("total-c2")).to_have_text("1550.5")
    no_axe_findings(issuer)


def test_a_hidden_question_shows_when_its_condition_is_met_and_dates_read_as_wareki(
    new_context: Callable[..., BrowserContext],
) -> None:
    issuer = signed_in_page(new_context, ISSUER)
    api = issuer.request
    token = issuer.locator("meta[name=csrf-token]").get_attribute("content") or ""
    form = {
        "questions": [
            {"question_id": "q1", "type": "yes_no", "label": "研修を実施しましたか", "required": True},
            {
                "question_id": "q2",
                "type": "date",
                "label": "実施日",
                "condition": {"question_id": "q1", "values": ["yes"]},
            },
        ]
    }
    created = api.post(
        "/api/surveys",
        data={
            "title": "研修の実施について（照会）",
            "deadline": "2099-03-31T17:00",
            "targets": [TARGET_UNIT],
            "form": form,
        },
        headers={"X-CSRF-Token": token},
    )
    survey_id = created.json()["id"]
    assert api.post(f"/api/surveys/{survey_id}/issue", data={}, headers={"X-CSRF-Token": token}).ok

    member = signed_in_page(new_context, MEMBER)
    member.goto(f"/surveys/{survey_id}/answers/{TARGET_UNIT}")
    date = member.locator("#q-q2")
    expect(date).to_be_hidden()
    member.get_by_label(ja("Yes"), exact=True).check()
    expect(date).to_be_visible()
    member.get_by_role("textbox", name=re.compile("実施日")).fill("R8.4.1")
    expect(date.locator("output")).to_have_text("令和8年4月1日")
    expect(member.get_by_test_id("save-status")).to_contain_text(SAVED)
    member.reload()
    expect(date).to_be_visible()  # shown on first render too, from the saved answer
    expect(date.locator("input")).to_have_value("2026-04-01")
    expect(date.locator("output")).to_have_text("令和8年4月1日")


def test_an_excel_form_fills_the_editor_and_a_condition_is_set_on_a_later_question(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    from tests.integration.test_survey_pages import _workbook

    workbook = tmp_path / "防災訓練調査票.xlsx"
    workbook.write_bytes(_workbook())
    page = signed_in_page(new_context, ISSUER)
    page.goto("/surveys/new")

    page.get_by_test_id("import-form").locator("summary").click()
    page.get_by_label(ja("Excel file (.xlsx, up to 5 MB)")).set_input_files(workbook)
    page.get_by_role("button", name=ja("Read the form")).click()

    editors = page.get_by_test_id("question-editor")
    expect(editors).to_have_count(2)
    expect(page.locator("#title")).to_have_value("防災訓練の実施状況調査票")
    expect(editors.nth(1).get_by_label(ja("Question text"))).to_have_value("参加人数（人）")
    page.locator("#new-question-type").select_option("yes_no")
    page.get_by_test_id("add-question").click()
    expect(editors).to_have_count(3)
    editors.nth(2).get_by_label(ja("Question text")).fill("訓練を実施しましたか")
    editors.nth(2).get_by_role("button", name=re.compile("^" + ja("Up"))).click()
    expect(editors.nth(1).get_by_role("button", name=re.compile("^" + ja("Up")))).to_be_focused()  # it moved along
    editors.nth(1).get_by_role("button", name=re.compile("^" + ja("Up"))).click()
    expect(editors.nth(0).get_by_label(ja("Question text"))).to_have_value("訓練を実施しましたか")
    editors.nth(2).get_by_label(ja("Show only when")).select_option(
        label=ja("Question %(n)s") % {"n": 1} + " 訓練を実施しましたか"
    )
    editors.nth(2).get_by_label(ja("Yes"), exact=True).check()
    page.get_by_test_id("save-survey").click()
    expect(page.get_by_test_id("save-status")).to_contain_text(SAVED)
    no_axe_findings(page)

    page.reload()
    condition = page.get_by_test_id("question-editor").nth(2).get_by_label(ja("Show only when"))
    expect(condition).to_have_value(re.compile("^q"))
    expect(page.get_by_test_id("question-editor").nth(2).get_by_label(ja("Yes"), exact=True)).to_be_checked()
