"""Share links made in the staff's browser, used by a partner in a browser of their own.

(a) A folder uploaded with progress, a password-protected download link made on its page, and
    a partner who downloads a file from it byte for byte.
(b) A file-request link made on a folder's page, a partner's upload through it, and the
    notice in the owner's inbox.
Nothing here goes through the JSON API: the staff member uses the Files pages, the partner the
share pages, the owner the inbox.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ja, reload_until, signed_in_page
from tests.e2e.test_files import (
    MiB,
    choose_folder,
    create_folder,
    download,
    download_button,
    expect_uploaded,
    row,
    unique,
    write,
)
from tests.e2e.test_share_partner import UPLOAD_TIMEOUT_MS, heading, item, open_link

pytestmark = pytest.mark.e2e


def create_link(page: Page, kind: str | None = None, password: str | None = None) -> str:
    """Fill in the Share panel of the page shown, create the link, copy it; returns the link."""
    panel = page.get_by_test_id("share-panel")
    expect(panel.get_by_test_id("no-share-links")).to_be_visible()
    panel.get_by_text(ja("Create a share link"), exact=True).click()
    form = panel.get_by_test_id("share-form")
    if kind:
        form.get_by_label(kind, exact=True).check()
    expires = form.get_by_label(ja("Valid until"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires.input_value()), "a default date is filled in"
    if password:
        form.get_by_label(re.compile("^" + re.escape(ja("Password")))).fill(password)
    form.get_by_role("button", name=ja("Create the link")).click()

    issued = page.get_by_test_id("issued-link")
    expect(issued).to_contain_text(ja("This is the only time the link is shown."))
    issued.get_by_role("button", name=ja("Copy"), exact=True).click()
    expect(page.get_by_test_id("copy-status")).to_have_text(ja("Copied."))
    url = page.get_by_test_id("issued-url").input_value()
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    return url


def test_a_folder_uploaded_with_progress_is_shared_with_a_password_and_downloaded_identical(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = signed_in_page(new_context, "yamada.k", permissions=["clipboard-read", "clipboard-write"])
    tree = tmp_path / f"委託資料_{uuid.uuid4().hex[:6]}"
    spec = write(tree / "仕様書.pdf", os.urandom(6 * MiB))
    write(tree / "図面" / "平面図.txt", "1階 平面図\n".encode())
    page.goto("/files/dept:somu")
    create_folder(page, unique("e2e_共有"))
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {  # ~2 MB/s up: the progress can be seen
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": 2 * MiB,
        },
    )

    choose_folder(page, tree)

    expect(page.get_by_test_id("upload-status")).to_have_text(
        re.compile(
            re.escape(ja("Uploading: {done} of {total} files done."))
            .replace(r"\{done\}", r"\d")
            .replace(r"\{total\}", "2")
        )
    )
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", re.compile(r"^([1-9]|[1-9][0-9])$"))
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect_uploaded(page, 2)
    row(page, tree.name).get_by_role("link", name=tree.name).click()
    expect(heading(page)).to_have_text(tree.name)
    folder_url = page.url

    url = create_link(page, password="partner-pass-2026")

    expect(page.get_by_test_id("link-password")).to_have_text(ja("Yes"))
    assert url.split("#", 1)[1] not in page.url, "the token is never in the address bar"
    page.reload()  # the page after the form: a reload makes no second link and shows the address no more
    expect(page.get_by_test_id("issued-link")).to_have_count(0)
    expect(page.get_by_test_id("done")).to_contain_text(
        ja(
            "The link was made. Its address was shown only once and cannot be shown again: if it was not copied, "
            "re-issue the link to get a new address."
        )
    )
    partner = new_context().new_page()  # a fresh browser: no staff session, no clipboard
    open_link(partner, url)
    expect(heading(partner)).to_have_text(ja("Enter the password"))
    partner.get_by_label(ja("Password"), exact=True).fill("partner-pass-2026")
    partner.get_by_role("button", name=ja("Open the files")).click()
    expect(heading(partner)).to_have_text(tree.name)
    expect(item(partner, "図面")).to_be_visible()
    name, content = download(partner, download_button(item(partner, spec.name)))
    assert name == spec.name
    assert hashlib.sha256(content).hexdigest() == hashlib.sha256(spec.read_bytes()).hexdigest()

    page.goto(folder_url)  # the owner sees the link, and the download on the link's own page
    links = page.get_by_test_id("share-link-row")
    expect(links).to_have_count(1)
    expect(links.get_by_test_id("link-state")).to_have_attribute("data-state", "active")
    links.get_by_role("link", name=ja("Settings and audit log")).click()
    expect(page.get_by_test_id("link-downloads")).to_have_text(ja("%(used)s (no limit)") % {"used": 1})
    expect(page.get_by_test_id("audit-row").first).to_have_attribute("data-action", "downloaded")
    assert url.split("#", 1)[1] not in page.content(), "the token is not shown again"

    page.goto(folder_url)  # the folder's share activity: every link's trail in one place
    page.get_by_test_id("share-activity-link").click()
    expect(heading(page)).to_have_text(ja("Share activity: %(name)s") % {"name": tree.name})
    activity = page.get_by_test_id("activity-row")
    expect(activity.first).to_have_attribute("data-action", "downloaded")
    expect(activity.first).to_contain_text(spec.name)
    expect(activity.last).to_have_attribute("data-action", "created")


def test_a_file_request_made_on_the_folder_page_brings_the_partners_upload_to_the_inbox(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    owner = signed_in_page(new_context, "sakamoto.j", permissions=["clipboard-read", "clipboard-write"])
    owner.goto("/files/dept:doboku")
    create_folder(owner, unique("e2e_図面受付"))
    url = create_link(owner, kind=ja("File request (upload only)"))
    expect(owner.get_by_test_id("link-facts")).to_contain_text(ja("File request (upload only)"))
    drawing = write(tmp_path / f"立面図_{uuid.uuid4().hex[:6]}.txt", "南立面図\n".encode())

    partner = new_context().new_page()
    open_link(partner, url)
    expect(heading(partner)).to_have_text(ja("Send files to %(department)s") % {"department": "土木部"})
    partner.get_by_label(ja("Your name and organisation")).fill("九州設計 佐藤")
    partner.get_by_role("button", name=ja("Next: choose the files")).click()
    partner.locator("#uploader input[type=file]:not([webkitdirectory])").set_input_files(drawing)
    expect(partner.get_by_test_id("upload-status")).to_have_text(
        ja("Sent: {count} files. Thank you.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect(partner.locator(f'[data-testid="sent-item"][data-name="{drawing.name}"]')).to_be_visible()

    owner.goto("/notifications")
    inbox = owner.get_by_test_id("notification-list")
    reload_until(owner, lambda: inbox.filter(has_text=drawing.name).count() > 0, timeout_s=30)
    expect(inbox).to_contain_text("九州設計 佐藤")
