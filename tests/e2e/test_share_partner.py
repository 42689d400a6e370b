"""A partner with no account, in a browser of their own, using only the link a staff member e-mailed.

The staff side is set up through the JSON API (a signed-in requests.Session); everything the
partner does happens in a fresh Chromium context: opening the link, the password, downloading,
sending files with Uppy, and the pages that say a link no longer works.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, Response, expect

from tests.conftest import eventually
from tests.e2e.conftest import ja
from tests.e2e.test_security_headers import csp_problems
from tests.integration.test_files import _api, _folder, upload
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
Signed = Callable[[str], requests.Session]
PHONE = {"width": 375, "height": 812}
UPLOAD_TIMEOUT_MS = 30_000


def _share(owner: requests.Session, stack: RunningStack, target: str, **options: Any) -> dict[str, Any]:
    response = _api(owner, stack, "POST", "/api/shares", json={"target_id": target, **options})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _token(link: dict[str, Any]) -> str:
    return str(link["url"]).split("#", 1)[1]


def open_link(page: Page, url: str) -> Response:
    """Follow the e-mailed link; returns the response of the request that traded the token."""
    with page.expect_response(lambda r: r.url.endswith("/s/open")) as opened:
        page.goto(url)
    page.wait_for_load_state()
    return opened.value


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def item(page: Page, name: str) -> Any:
    return page.locator(f'[data-testid="share-item"][data-name="{name}"]')


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


# --- tests --------------------------------------------------------------------------------------


def test_a_password_link_asks_first_then_the_partner_downloads_identical_bytes(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext]
) -> None:
    owner = signed_in("tanaka.h")
    name = f"委託仕様書_{uuid.uuid4().hex[:6]}.txt"
    content = "令和8年度 庁舎清掃業務委託 仕様書\n第1条 目的\n".encode()
    entry = upload(owner, stack, _folder(owner, stack, "dept:somu"), name, content).json()
    link = _share(
        owner, stack, entry["id"], password="s3cret-pass", message="仕様書をご確認ください。", max_downloads=3
    )
    page = new_context().new_page()
    problems = csp_problems(page)

    opened = open_link(page, link["url"])

    assert opened.status == 303
    expect(heading(page)).to_have_text(ja("Enter the password"))
    assert _token(link) not in page.url and "#" not in page.url
    expect(page.get_by_test_id("share-from")).to_contain_text("総務部")
    assert name not in page.content() and "仕様書をご確認" not in page.content(), "nothing before the password"
    expect(page.get_by_test_id("file-list")).to_have_count(0)

    page.get_by_label(ja("Password"), exact=True).fill("wrong-password")
    with page.expect_response(lambda r: r.url.endswith("/s/password")) as wrong:
        page.get_by_role("button", name=ja("Open the files")).click()
    assert wrong.value.status == 401
    expect(page.get_by_test_id("form-error")).to_have_text(ja("The password is wrong."))
    expect(page.get_by_label(ja("Password"), exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label(ja("Password"), exact=True).fill("s3cret-pass")
    page.get_by_role("button", name=ja("Open the files")).click()

    expect(heading(page)).to_have_text(name)
    expect(page.get_by_test_id("share-from")).to_contain_text("田中 ひかり")
    expect(page.get_by_test_id("share-message")).to_have_text("仕様書をご確認ください。")
    expect(page.get_by_test_id("downloads-left")).to_have_text("3")
    row = item(page, name)
    expect(row).to_be_visible()
    expect(row.get_by_test_id("size")).to_have_text(f"{len(content)} B")

    with page.expect_download() as info:
        row.get_by_role("button", name=re.compile("^" + re.escape(ja("Download")))).click()
    got = info.value
    assert got.suggested_filename == name
    assert Path(got.path()).read_bytes() == content
    expect(page.get_by_test_id("downloads-left")).to_have_text("2")
    assert _api(owner, stack, "GET", f"/api/shares/{link['id']}").json()["download_count"] == 1
    wrong_password = "Failed to load resource: the server responded with a status of 401"  # the page for it
    assert [p for p in problems if wrong_password not in p] == []

    # The owner changes the password: the partner's open page ends, and says to open the link again.
    assert _api(owner, stack, "PATCH", f"/api/shares/{link['id']}", json={"password": "new-s3cret-pass"}).ok
    ended = page.reload()
    assert ended is not None and ended.status == 401
    expect(page.get_by_test_id("share-error-message")).to_have_text(
        ja("The link was changed by the person who shared it. Open it again.")
    )
    assert name not in page.content()


def test_a_file_request_takes_the_name_first_then_files_and_the_owner_is_told(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    owner = signed_in("sakamoto.j")
    folder = _folder(owner, stack, "dept:doboku")
    link = _share(owner, stack, folder, kind="request", message="図面をこちらにお送りください。")
    drawing = tmp_path / f"平面図_{uuid.uuid4().hex[:6]}.txt"
    drawing.write_bytes("1階 平面図（縮尺 1/100）\n".encode())
    page = new_context().new_page()
    problems = csp_problems(page)

    open_link(page, link["url"])

    expect(heading(page)).to_have_text(ja("Send files to %(department)s") % {"department": "土木部"})
    expect(page.get_by_test_id("upload-limits")).to_contain_text("10 GB")
    expect(page.get_by_test_id("upload-limits")).to_contain_text(".exe")
    expect(page.get_by_test_id("file-list")).to_have_count(0)  # a file request shows no files
    expect(page.get_by_test_id("sent-empty")).to_be_visible()
    next_step = page.get_by_role("button", name=ja("Next: choose the files"))
    next_step.click()
    expect(page.locator("#uploader-name-error")).to_have_text(ja("Enter your name (and organisation) first."))
    expect(page.locator("#uploader")).to_be_hidden()

    page.get_by_label(ja("Your name and organisation")).fill("山田建設 鈴木")
    next_step.click()
    expect(page.get_by_test_id("uploader-as")).to_have_text("山田建設 鈴木")
    page.locator("#uploader input[type=file]:not([webkitdirectory])").set_input_files(drawing)

    expect(page.get_by_test_id("upload-status")).to_have_text(
        ja("Sent: {count} files. Thank you.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect(page.get_by_test_id("upload-errors")).to_be_empty()
    sent = page.locator(f'[data-testid="sent-item"][data-name="{drawing.name}"]')
    expect(sent).to_be_visible()
    page.reload()  # the list is the server's, not only the page's memory
    expect(sent).to_be_visible()
    expect(page.get_by_test_id("uploader-as")).to_have_text("山田建設 鈴木")

    notices = eventually(
        lambda: [
            n
            for n in _api(owner, stack, "GET", "/api/notifications").json()["items"]
            if n["kind"] == "partner_upload" and drawing.name in n["text"]
        ],
        timeout_s=20,
    )
    assert "山田建設 鈴木" in notices[0]["text"]
    assert problems == []


def test_a_link_for_named_people_confirms_the_address_with_a_code_from_the_e_mail(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext]
) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    name = f"見積依頼書_{uuid.uuid4().hex[:6]}.txt"
    upload(owner, stack, folder, name, "見積依頼".encode())
    address = f"kobayashi-{uuid.uuid4().hex[:6]}@partner.example.co.jp"
    link = _share(owner, stack, folder, verify_email=True, recipients=[address])
    page = new_context().new_page()
    open_link(page, link["url"])
    expect(heading(page)).to_have_text(ja("Confirm your e-mail address"))
    assert name not in page.content()

    page.get_by_label(ja("Your e-mail address")).fill(address)
    page.get_by_role("button", name=ja("Send me a code")).click()
    code_field = page.get_by_label(ja("Code from the e-mail"))
    expect(code_field).to_be_focused()

    def code_in_outbox() -> str | None:
        found = re.search(r"確認コード: (\d{6})", stack.kumo("outbox", "--to", address, check=True).stdout)
        return found.group(1) if found else None

    code = str(eventually(code_in_outbox, timeout_s=20))
    code_field.fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name=ja("Confirm"), exact=True).click()
    expect(page.get_by_test_id("form-error")).to_have_text(ja("The code is wrong."))
    page.get_by_label(ja("Code from the e-mail")).fill(code)
    page.get_by_role("button", name=ja("Confirm"), exact=True).click()

    expect(item(page, name)).to_be_visible()
    expect(page.get_by_test_id("share-from")).to_contain_text("田中 ひかり")


def test_expired_withdrawn_and_made_up_links_each_have_their_own_page(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext]
) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    secret = f"人事異動案_{uuid.uuid4().hex[:6]}.txt"
    upload(owner, stack, folder, secret, "内示前".encode())
    expired, revoked = _share(owner, stack, folder), _share(owner, stack, folder)
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    stack.boto3("dynamodb").update_item(
        TableName="kumo-share_links",
        Key={"link_id": {"S": expired["id"]}},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"S": past}},
    )
    assert _api(owner, stack, "POST", f"/api/shares/{revoked['id']}/revoke").ok
    cases = [
        (expired["url"], 410, ja("This link has expired. Ask the person who sent it for a new one.")),
        (revoked["url"], 410, ja("This link was withdrawn by the person who shared it.")),
        (f"{stack.base_url}/s/#{'A' * 32}", 404, ja("This link does not work. Check that you copied all of it.")),
    ]
    for url, status, message in cases:
        page = new_context().new_page()

        response = open_link(page, url)

        assert response.status == status, url
        expect(page.get_by_test_id("share-error")).to_have_attribute("data-status", str(status))
        expect(page.get_by_test_id("share-error-message")).to_have_text(message)
        assert secret not in page.content() and folder not in page.content()
        assert "#" not in page.url
        assert response.headers.get("referrer-policy") == "no-referrer"

    # A browser without JavaScript is told so (the token is never sent without the script).
    page = new_context(java_script_enabled=False).new_page()
    page.goto(expired["url"])
    expect(page.get_by_test_id("needs-javascript")).to_be_visible()


def test_a_phone_sees_the_files_and_the_upload_area_without_sideways_scrolling(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext]
) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    long_name = "令和8年度_第3回_庁舎整備検討委員会_配布資料_最終版_修正反映済み_" + uuid.uuid4().hex[:6] + ".txt"
    upload(owner, stack, folder, long_name, b"minutes")
    link = _share(owner, stack, folder, kind="exchange", message="資料の確認と、修正版のご返送をお願いします。" * 3)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    problems = csp_problems(page)

    open_link(page, link["url"])

    expect(item(page, long_name)).to_be_visible()
    expect(page.get_by_role("button", name=ja("Next: choose the files"))).to_be_visible()
    expect(page.get_by_test_id("zip-form")).to_be_visible()
    assert _token(link) not in page.url and "#" not in page.url
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert no_horizontal_scroll(page), f"the share page scrolls sideways on a phone: {widths}"
    page.get_by_label(ja("Your name and organisation")).fill("九州設計 佐藤")
    page.get_by_role("button", name=ja("Next: choose the files")).click()
    expect(page.locator("#uploader .uppy-Dashboard")).to_be_visible()
    assert no_horizontal_scroll(page), "the uploader pushes the phone page sideways"
    assert problems == []


def test_a_partner_is_told_before_sending_that_a_taken_name_gets_a_new_one(
    stack: RunningStack, signed_in: Signed, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    upload(owner, stack, folder, "見積書.txt", "県の見積書".encode())
    link = _share(owner, stack, folder, kind="exchange")
    mine = tmp_path / "見積書.txt"
    mine.write_bytes("業者の見積書".encode())
    page = new_context().new_page()
    open_link(page, link["url"])
    expect(page.get_by_test_id("upload-types")).to_contain_text(".pdf")
    page.get_by_label(ja("Your name and organisation")).fill("山田建設 鈴木")
    page.get_by_role("button", name=ja("Next: choose the files")).click()
    page.locator("#uploader input[type=file]:not([webkitdirectory])").set_input_files(mine)

    expect(page.get_by_test_id("plan-item")).to_have_text(
        ja("{requested} is already here: yours is saved as {name}.").format(
            requested="見積書.txt", name="見積書 (2).txt"
        )
    )
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(page.get_by_test_id("upload-status")).to_have_text(
        ja("Sent: {count} files. Thank you.").format(count=1), timeout=UPLOAD_TIMEOUT_MS
    )
    expect(page.locator('[data-testid="sent-item"][data-name="見積書 (2).txt"]')).to_be_visible()
    names = sorted(i["name"] for i in _api(owner, stack, "GET", f"/api/folders/{folder}").json()["items"])
    assert names == ["見積書 (2).txt", "見積書.txt"]
