"""A survey's attachments in the browser: the issuer, writing the survey, uploads its 様式 into
their 所属's space from the attach page (the shared uploader), attaches it and issues; a member
of the target 所属 downloads it from their answer page. axe-core checks every page visited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import ja, signed_in_page
from tests.e2e.test_files import UPLOAD_TIMEOUT_MS, choose_files, download
from tests.e2e.test_surveys import HEAD, ISSUER, MEMBER, SAVED, TARGET_UNIT, no_axe_findings

pytestmark = pytest.mark.e2e


def test_the_issuer_uploads_and_attaches_a_form_and_the_target_downloads_it(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:4]
    title = f"福祉施設の点検について（照会）{tag}"
    name = f"点検様式_{tag}.csv"
    content = "施設名,点検日,結果\n".encode() * 20
    (tmp_path / name).write_bytes(content)

    issuer = signed_in_page(new_context, ISSUER)
    issuer.goto("/surveys/new")
    issuer.locator("#title").fill(title)
    issuer.locator("#new-question-type").select_option("short_text")
    issuer.get_by_test_id("add-question").click()
    issuer.get_by_test_id("question-editor").last.get_by_label(ja("Question text")).fill("点検した施設数")
    issuer.get_by_test_id("target-filter").fill("福祉政策")
    issuer.locator(f"input[name='targets'][value='{TARGET_UNIT}']").check()
    issuer.get_by_test_id("save-survey").click()
    expect(issuer.get_by_test_id("save-status")).to_contain_text(SAVED)
    edit_path = issuer.url
    issuer.goto(edit_path)  # the saved draft's page offers its attachments
    issuer.get_by_test_id("attach-files").click()
    expect(issuer).to_have_url(re.compile(r"/surveys/sv_[0-9a-f]+/attachments$"))
    no_axe_findings(issuer)

    choose_files(issuer, tmp_path / name)
    row = issuer.locator(f"[data-testid=attach-row][data-name='{name}']")
    expect(row).to_be_visible(timeout=UPLOAD_TIMEOUT_MS)  # the list shows the file once it is filed
    row.get_by_test_id("attach-file").click()
    expect(issuer.get_by_test_id("done")).to_have_attribute("data-done", "attached")
    expect(issuer.get_by_test_id("attachment-list")).to_contain_text(name)
    no_axe_findings(issuer)
    issuer.get_by_test_id("issue-survey").click()
    expect(issuer.get_by_test_id("done")).to_have_attribute("data-done", "issued")
    expect(issuer.get_by_test_id("survey-attachments")).to_contain_text(name)

    for reader in (MEMBER, HEAD):
        target = signed_in_page(new_context, reader)
        target.goto("/surveys")
        target.get_by_role("link", name=title).click()
        link = target.get_by_test_id("survey-attachments").get_by_role("link", name=name)
        expect(link).to_be_visible()
        no_axe_findings(target)
        suggested, got = download(target, link)
        assert (suggested, got) == (name, content), reader
