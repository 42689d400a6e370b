"""A file question in the browser: the 所属長 of a target 所属 uploads a file in the question's upload
box on the answer page, the file shows in the answer, and once the virus check is done the answer
is submitted; the issuer finds it under 「受け取ったファイル」 on the results page and downloads it.
axe-core checks each page on the way. An outside organisation does the same on its
respondent page, through the partner upload API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.conftest import eventually
from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_files import UPLOAD_TIMEOUT_MS, download
from tests.e2e.test_survey_outside import _mail
from tests.e2e.test_surveys import HEAD, ISSUER, SAVED, TARGET_UNIT, no_axe_findings
from tests.integration.test_files import _api
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
Signed = Callable[[str], requests.Session]
FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "担当者名"},
        {"question_id": "q2", "type": "file", "label": "点検結果の報告書", "required": True},
    ]
}


# A 所属 with a 係 (chalicelib/local/demo.py): its 所属長 forwards, a member of the 係 answers.
ROAD_UNIT, ROAD_SECTION, ROAD_HEAD, ROAD_SECTION_MEMBER = "doro", "doro-kensetsu", "sakamoto.j", "fujii.r"


def _call(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON API with the page's own session (and its CSRF token)."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    response = page.request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": token})
    assert response.ok, response.text()
    return response.json()


def expect_finished(box: Locator, name: str) -> None:
    """The box keeps its finished list after the upload: one list item, the file's name, marked done."""
    finished = box.get_by_role("list", name=ja("Files in this upload box")).get_by_role("listitem")
    expect(finished).to_have_count(1)
    expect(finished).to_contain_text(name)
    expect(finished).to_have_class(re.compile(r"\bis-complete\b"))
    expect(box.locator(".uppy-StatusBar")).to_contain_text("完了しました")  # Uppy's own Japanese


def test_a_file_uploaded_on_the_answer_page_reaches_the_issuer(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:4]
    title = f"福祉施設の点検結果について（照会）{tag}"
    name = f"点検報告書_{tag}.csv"
    content = "施設名,点検日,結果\n本庁舎,2026-11-30,異常なし\n".encode() * 10
    (tmp_path / name).write_bytes(content)

    issuer = signed_in_page(new_context, ISSUER)
    issuer.goto("/surveys")
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    created = _call(
        issuer, "POST", "/api/surveys", {"title": title, "deadline": deadline, "targets": [TARGET_UNIT], "form": FORM}
    )
    sid = created["id"]
    _call(issuer, "POST", f"/api/surveys/{sid}/issue", {})

    head = signed_in_page(new_context, HEAD)
    head.goto(f"/surveys/{sid}/answers/{TARGET_UNIT}")
    box = head.get_by_test_id("answer-upload")
    expect(box.locator(".uppy-Dashboard-inner")).to_be_visible()
    no_axe_findings(head)
    head.locator("#f-q1").fill("井上")
    box.locator("input[type=file]:not([webkitdirectory])").set_input_files(tmp_path / name)
    expect(box.get_by_test_id("upload-status")).to_have_text(
        ja("Upload finished: {count} files added.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect_finished(box, name)
    files = head.get_by_test_id("answer-files")
    expect(files.get_by_role("link", name=name)).to_be_visible()
    expect(files.get_by_test_id("scan-status")).to_have_text(ja("Virus check in progress"))
    expect(head.get_by_test_id("save-status")).to_contain_text(SAVED)
    no_axe_findings(head)  # the finished list included

    # The answer goes once the virus check is done (the page would otherwise say it is still running).
    answer = _call(head, "GET", f"/api/surveys/{sid}/answers/{TARGET_UNIT}")["answer"]
    (attached,) = answer["values"]["q2"]
    assert attached["name"] == name
    eventually(lambda: _call(head, "GET", f"/api/files/{attached['file_id']}")["scan_status"] == "clean")
    head.reload()
    expect(head.get_by_test_id("answer-files").get_by_test_id("scan-status")).to_have_count(0)
    head.get_by_test_id("submit-answer").click()
    expect(head.get_by_test_id("done")).to_have_attribute("data-done", "submitted")

    issuer.goto(f"/surveys/{sid}/results")
    received = issuer.get_by_test_id("received-files")
    expect(received).to_contain_text(ja("Files received"))
    link = received.get_by_role("link", name=name)
    expect(link).to_be_visible()
    no_axe_findings(issuer)
    suggested, got = download(issuer, link)
    assert (suggested, got) == (name, content)


def test_a_section_member_uploads_on_the_part_forwarded_to_the_section(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:4]
    title = f"道路施設の点検結果について（照会）{tag}"
    name = f"橋梁点検表_{tag}.csv"
    (tmp_path / name).write_bytes("橋梁名,判定\n北見大橋,II\n".encode())
    issuer = signed_in_page(new_context, ISSUER)
    issuer.goto("/surveys")
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    created = _call(
        issuer, "POST", "/api/surveys", {"title": title, "deadline": deadline, "targets": [ROAD_UNIT], "form": FORM}
    )
    sid = created["id"]
    _call(issuer, "POST", f"/api/surveys/{sid}/issue", {})
    head = signed_in_page(new_context, ROAD_HEAD)
    head.goto("/surveys")
    assignee = {"assignees": [f"unit:{ROAD_SECTION}"], "question_ids": ["q2"], "note": "点検表を添付してください"}
    _call(head, "POST", f"/api/surveys/{sid}/answers/{ROAD_UNIT}/forward", assignee)

    member = signed_in_page(new_context, ROAD_SECTION_MEMBER)
    member.goto("/surveys")
    member.get_by_test_id("parts").get_by_role("link", name=title).click()
    expect(member).to_have_url(re.compile(rf"/surveys/{sid}/answers/{ROAD_UNIT}/parts/"))
    expect(member.get_by_test_id("part-note")).to_contain_text("点検表を添付してください")
    expect(member.locator("#f-q1")).to_have_count(0)  # only the question forwarded
    box = member.get_by_test_id("answer-upload")
    expect(box.locator(".uppy-Dashboard-inner")).to_be_visible()
    no_axe_findings(member)
    box.locator("input[type=file]:not([webkitdirectory])").set_input_files(tmp_path / name)
    expect(box.get_by_test_id("upload-status")).to_have_text(
        ja("Upload finished: {count} files added.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect_finished(box, name)
    files = member.get_by_test_id("answer-files")
    expect(files.get_by_role("link", name=name)).to_be_visible()
    expect(files.get_by_test_id("scan-status")).to_have_text(ja("Virus check in progress"))
    expect(member.get_by_test_id("save-status")).to_contain_text(SAVED)
    no_axe_findings(member)

    member.reload()  # the part kept the file
    expect(member.get_by_test_id("answer-files").get_by_role("link", name=name)).to_be_visible()


def test_an_outside_organisation_uploads_in_its_answer_page(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    contact = f"kikaku-{tag}@city.kitami.example.lg.jp"
    name = f"避難所一覧_{tag}.csv"
    content = "避難所名,収容人数\n北見市民会館,300\n".encode()
    (tmp_path / name).write_bytes(content)
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    issuer = signed_in("tanaka.h")
    draft = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"避難所一覧の提出 {tag}",
            "deadline": deadline,
            "targets": ["jinji"],
            "form": FORM,
            "external_targets": [{"name": "北見市 企画課", "email": contact}],
        },
    ).json()
    assert _api(issuer, stack, "POST", f"/api/surveys/{draft['id']}/issue", json={}).status_code == 200

    respondent = new_context().new_page()
    respondent.goto(_mail(stack, contact, rf"{re.escape(stack.base_url)}(/r/#[A-Za-z0-9_-]+)"))
    respondent.get_by_label(ja("Your e-mail address")).fill(contact)
    respondent.get_by_role("button", name=ja("Send me a code")).click()
    respondent.get_by_label(ja("Code from the e-mail")).fill(_mail(stack, contact, r"確認コード: (\d{6})"))
    respondent.get_by_role("button", name=ja("Confirm")).click()

    box = respondent.get_by_test_id("answer-upload")
    expect(box.locator(".uppy-Dashboard-inner")).to_be_visible()
    expect(respondent.locator("[data-file-address]")).to_have_count(0)  # nothing in Kumo to paste
    no_axe_findings(respondent)
    box.locator("input[type=file]:not([webkitdirectory])").set_input_files(tmp_path / name)
    expect(box.get_by_test_id("upload-status")).to_have_text(
        ja("Upload finished: {count} files added.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect_finished(box, name)
    expect(respondent.get_by_test_id("answer-files").get_by_role("link", name=name)).to_be_visible()
    expect(respondent.get_by_test_id("save-status")).to_contain_text(SAVED)
    no_axe_findings(respondent)
    href = respondent.get_by_test_id("answer-files").get_by_role("link", name=name).get_attribute("href") or ""
    file_id = href.rsplit("/", 1)[-1]
    assert href == f"/r/answer-files/{file_id}", "its own files open through its session"
    scanned = lambda: _api(issuer, stack, "GET", f"/api/files/{file_id}").json()["scan_status"] == "clean"  # noqa: E731
    eventually(scanned)
    respondent.reload()
    respondent.get_by_test_id("submit-answer").click()
    expect(respondent.get_by_test_id("done")).to_be_visible()
    unit = f"ext:{draft['external_targets'][0]['org_id']}"
    got = _api(issuer, stack, "GET", f"/surveys/{draft['id']}/answers/{unit}/files/{file_id}")
    assert got.content == content
