"""Search in the browser: upload a PDF, find it by a Japanese word, see the highlight, narrow
by department, open the file — and a document's own markup never reaches the page."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests import corpus
from tests.e2e.conftest import ja, reload_until, signed_in_page
from tests.e2e.test_files import choose_files, create_folder, row
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e


def search_for(page: Page, words: str) -> None:
    page.goto("/search")
    page.get_by_label(ja("Search words")).fill(words)
    page.get_by_role("search").get_by_role("button", name=ja("Search"), exact=True).click()


def test_a_person_finds_an_uploaded_pdf_by_a_japanese_word_and_opens_it(
    new_context: Callable[..., BrowserContext], stack: RunningStack, tmp_path: Path
) -> None:
    page = signed_in_page(new_context, "yamada.k")
    fixtures = corpus.build(tmp_path / "corpus")
    name = f"電子決裁の手引き_{uuid.uuid4().hex[:6]}.pdf"
    pdf = tmp_path / name
    shutil.copy(fixtures["kessai_pdf"], pdf)
    page.goto("/files/dept:somu")
    folder = f"検索テスト_{uuid.uuid4().hex[:6]}"
    create_folder(page, folder)
    choose_files(page, pdf)
    expect(row(page, name)).to_be_visible(timeout=60_000)

    word = corpus.CORPUS["kessai_pdf"].found_by[0]  # 押印: only this document says it
    # From the folder's own toolbar: the search is limited to it, and says so.
    in_folder = page.get_by_role("search", name=ja("Search in this folder"))
    in_folder.get_by_role("searchbox").fill(word)
    in_folder.get_by_role("button", name=ja("Search")).click()
    expect(page.get_by_test_id("search-scope")).to_contain_text(folder)
    reload_until(page, lambda: page.get_by_test_id("result").count() == 1, timeout_s=30)
    expect(page.get_by_test_id("result")).to_contain_text(name)

    search_for(page, word)
    result = page.get_by_test_id("result").filter(has_text=name)
    reload_until(page, lambda: result.count() > 0, timeout_s=30)
    expect(result.get_by_test_id("snippet").locator("mark").first).to_have_text(word)

    page.get_by_test_id("facets").get_by_role("link", name="総務部").click()
    expect(page.get_by_test_id("facets").locator("[aria-current=true]")).to_have_text("総務部")
    expect(page.get_by_test_id("result").filter(has_text=name)).to_be_visible()

    page.get_by_test_id("result").filter(has_text=name).get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_no_results_are_explained_and_markup_in_a_document_stays_text(
    new_context: Callable[..., BrowserContext], stack: RunningStack, tmp_path: Path
) -> None:
    page = signed_in_page(new_context, "kondo.m")
    word = f"罠文書{uuid.uuid4().hex[:5]}"
    html = tmp_path / f"{word}.html"
    html.write_text(
        f"<html><body><p>{word} &lt;img src=x onerror=alert(1)&gt; の説明</p>"
        "<script>document.title='hacked'</script></body></html>",
        encoding="utf-8",
    )
    page.goto("/files/dept:somu")
    create_folder(page, f"検索テスト_{uuid.uuid4().hex[:6]}")
    choose_files(page, html)
    expect(row(page, html.name)).to_be_visible(timeout=60_000)

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    search_for(page, word)
    snippet = page.get_by_test_id("result").get_by_test_id("snippet")
    reload_until(page, lambda: snippet.count() > 0, timeout_s=30)
    expect(snippet).to_contain_text("<img src=x onerror=alert(1)>")
    assert snippet.locator("img").count() == 0 and not dialogs
    assert "hacked" not in page.title()

    search_for(page, f"存在しない語{uuid.uuid4().hex[:6]}")
    expect(page.get_by_test_id("no-results")).to_contain_text(ja("Nothing matches."))
