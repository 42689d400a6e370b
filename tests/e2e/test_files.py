"""Files in the browser: folders, uploads with Uppy (many files, folder trees, multipart with
pause and resume), downloads, versions, trash, and who sees what.

Uploads go from Chromium straight to the emulator's S3 through presigned requests, as they go
to S3 in AWS; every byte that comes back down is compared with what went up.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect

from tests.e2e.conftest import ja, sign_in, signed_in_page
from tests.e2e.test_accessibility import axe_violations
from tests.support.parts import crc32
from tests.support.stack import RunningStack

Signed = Callable[[str], requests.Session]

pytestmark = pytest.mark.e2e
MiB = 1024 * 1024
UPLOAD_TIMEOUT_MS = 60_000


# --- what a person does -------------------------------------------------------------------------


def unique(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:6]}"


def row(page: Page, name: str) -> Locator:
    return page.locator(f'tr[data-testid="file-row"][data-name="{name}"]')


def create_folder(page: Page, name: str, visibility: str | None = None) -> None:
    """Make a folder where the page is, with the toolbar's form, and open it."""
    form = page.locator("details", has=page.get_by_text(ja("New folder"), exact=True))
    form.get_by_text(ja("New folder"), exact=True).click()
    form.get_by_label(ja("Folder name")).fill(name)
    if visibility:
        form.get_by_label(ja("Who can see it")).select_option(visibility)
    form.get_by_role("button", name=ja("Create folder")).click()
    expect(page.get_by_test_id("done")).to_have_text(ja("The folder was created."))
    row(page, name).get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def choose_files(page: Page, *paths: Path) -> None:
    """What "choose files" in the uploader leads to: the browser's file picker fills Uppy's input."""
    page.locator("#uploader input[type=file]:not([webkitdirectory])").set_input_files(list(paths))


def choose_folder(page: Page, folder: Path) -> None:
    page.locator("#uploader input[type=file][webkitdirectory]").set_input_files(folder)


def finished_files(page: Page) -> Locator:
    """The uploader's own list of the files it sent, kept after the upload."""
    return page.locator("#uploader").get_by_role("list", name=ja("Files in this upload box")).get_by_role("listitem")


def clear_uploader(page: Page) -> None:
    """Uppy's "Done" (its own Japanese) empties the finished list and shows the pickers again."""
    page.locator(".uppy-StatusBar").get_by_role("button", name="完了しました").click()


def expect_uploaded(page: Page, count: int) -> None:
    try:
        expect(page.get_by_test_id("upload-status")).to_have_text(
            ja("Upload finished: {count} files added.").format(count=count), timeout=UPLOAD_TIMEOUT_MS
        )
    except AssertionError as failed:  # say why, as the page does (a flaky run is then explained)
        shown = page.get_by_test_id("upload-errors").inner_text(timeout=2_000)
        raise AssertionError(f"{failed}\nthe page lists: {shown!r}") from None
    expect(page.get_by_test_id("upload-errors")).to_be_empty()


def download(page: Page, button: Locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        button.click()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def download_button(scope: Locator | Page) -> Locator:
    return scope.get_by_role("button", name=re.compile("^" + re.escape(ja("Download"))))


def write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


# --- tests --------------------------------------------------------------------------------------


def test_upload_files_and_a_folder_tree_then_download_with_the_japanese_name(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = signed_in_page(new_context, "yamada.k")
    minutes = write(
        tmp_path / "files" / "議事録_第3回.txt", "第3回 定例会議 議事録\n電子決裁の運用について確認した。\n".encode()
    )
    roster = write(tmp_path / "files" / "出席者名簿.csv", "\ufeff氏名,所属\n山田 健一,総務部\n".encode())
    tree = tmp_path / "現場写真"
    write(tree / "2026-11" / "北側.txt", b"north side")
    write(tree / "2026-11" / "南側.txt", b"south side, a little longer")
    write(tree / "概要.txt", "現場確認の概要\n".encode())
    folder = unique("e2e_定例会議")

    page.get_by_role("navigation", name=ja("Main")).get_by_role("link", name=ja("Files")).click()

    expect(page).to_have_url(re.compile(r"/files/dept:somu$"))  # the department's space first
    expect(page.get_by_role("heading", level=1)).to_have_text("総務部")
    spaces = page.get_by_role("navigation", name=ja("File spaces"))
    expect(spaces.get_by_role("link", name="総務部")).to_have_attribute("aria-current", "page")
    expect(spaces.get_by_role("link", name=ja("My files"))).to_be_visible()
    expect(page.get_by_test_id("space-usage")).to_contain_text("/ 100 GB")
    expect(page.locator("#upload-limits")).to_contain_text("10 GB")

    create_folder(page, folder)
    crumbs = page.get_by_test_id("breadcrumbs")
    expect(crumbs.get_by_role("link")).to_have_text(["総務部", folder])
    expect(page.get_by_test_id("empty-folder")).to_be_visible()

    choose_files(page, minutes, roster)
    expect_uploaded(page, 2)
    expect(page.locator(".uppy-StatusBar")).to_have_class(re.compile(r"\bis-complete\b"))
    finished = finished_files(page)
    expect(finished).to_have_count(2)  # the finished list stays, and passes axe
    expect(finished.filter(has_text="議事録_第3回.txt")).to_have_class(re.compile(r"\bis-complete\b"))
    assert axe_violations(page) == []
    clear_uploader(page)
    choose_folder(page, tree)
    expect_uploaded(page, 3)

    names = page.get_by_test_id("file-list").locator("tbody tr").locator("th a")
    expect(names).to_have_text(["現場写真", "出席者名簿.csv", "議事録_第3回.txt"])  # folders first, then by name
    expect(row(page, "現場写真")).to_contain_text(ja("Folder"))
    expect(row(page, "議事録_第3回.txt")).to_contain_text(f"{minutes.stat().st_size} B")
    expect(row(page, "議事録_第3回.txt")).to_contain_text("山田 健一")
    expect(row(page, "議事録_第3回.txt")).to_contain_text(ja("Department only"))

    name, content = download(page, download_button(row(page, "議事録_第3回.txt")))
    assert name == "議事録_第3回.txt"
    assert content == minutes.read_bytes()

    row(page, "現場写真").get_by_role("link", name="現場写真").click()
    expect(crumbs.get_by_role("link")).to_have_text(["総務部", folder, "現場写真"])
    expect(names).to_have_text(["2026-11", "概要.txt"])
    row(page, "2026-11").get_by_role("link", name="2026-11").click()
    expect(names).to_have_text(["北側.txt", "南側.txt"])
    size_header = page.get_by_role("columnheader", name=ja("Size"))
    size_header.get_by_role("link").click()  # smallest first
    expect(size_header).to_have_attribute("aria-sort", "ascending")
    size_header.get_by_role("link").click()  # and again: largest first
    expect(size_header).to_have_attribute("aria-sort", "descending")
    expect(names).to_have_text(["南側.txt", "北側.txt"])
    name, content = download(page, download_button(row(page, "南側.txt")))
    assert (name, content) == ("南側.txt", b"south side, a little longer")


def test_the_same_name_again_is_version_2_and_version_1_can_be_made_current(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = signed_in_page(new_context, "yamada.k")
    first = write(tmp_path / "1" / "予算案.txt", "令和9年度 予算案（第1版）\n".encode())
    second = write(tmp_path / "2" / "予算案.txt", "令和9年度 予算案（第2版：課長指摘を反映）\n".encode())
    page.goto("/files")
    create_folder(page, unique("e2e_予算"))
    choose_files(page, first)
    expect_uploaded(page, 1)
    expect(finished_files(page)).to_have_text(re.compile("予算案.txt"))
    assert axe_violations(page) == []  # one finished file: Uppy draws its list differently
    page.reload()

    choose_files(page, second)
    # Said before anything is sent; the person then starts the upload themselves.
    expect(page.get_by_test_id("plan-item")).to_have_text(
        ja("{name} will be saved as its next version (the older ones are kept).").format(name="予算案.txt")
    )
    expect(page.get_by_test_id("upload-status")).to_have_text(
        ja("Check the names below, then press the upload button to start.")
    )
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect_uploaded(page, 1)
    expect(page.get_by_test_id("file-list").locator("tbody tr")).to_have_count(1)  # one file, not two
    row(page, "予算案.txt").get_by_role("link", name="予算案.txt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("予算案.txt")
    expect(page.get_by_test_id("current-version")).to_have_text("2")
    versions = page.get_by_test_id("version-row")
    expect(versions).to_have_count(2)
    assert download(page, download_button(page.get_by_test_id("files-head")))[1] == second.read_bytes()
    version_1 = page.locator('[data-testid="version-row"][data-version="1"]')
    assert download(page, download_button(version_1))[1] == first.read_bytes()

    version_1.get_by_role("button", name=re.compile("^" + re.escape(ja("Restore this version")))).click()

    restored = ja("That version is the current one again (saved as a new version).")
    expect(page.get_by_test_id("done")).to_have_text(restored)
    expect(page.get_by_test_id("current-version")).to_have_text("3")
    expect(versions).to_have_count(3)  # nothing was lost
    name, content = download(page, download_button(page.get_by_test_id("files-head")))
    assert (name, content) == ("予算案.txt", first.read_bytes())


def test_move_to_trash_and_restore(new_context: Callable[..., BrowserContext], tmp_path: Path) -> None:
    page = signed_in_page(new_context, "yamada.k")
    name = unique("廃棄予定") + ".txt"
    note = write(tmp_path / name, "保存期間満了の文書一覧\n".encode())
    page.goto("/files")
    folder = unique("e2e_整理")
    create_folder(page, folder)
    choose_files(page, note)
    expect_uploaded(page, 1)

    item = row(page, name)
    item.locator("summary", has_text=ja("Manage")).click()
    item.get_by_role("button", name=re.compile("^" + re.escape(ja("Move to trash")))).click()

    days = 30
    expect(page.get_by_test_id("done")).to_have_text(
        ja("It was moved to the trash. You can restore it from there for %(days)s days.") % {"days": days}
    )
    expect(row(page, name)).to_have_count(0)
    expect(page.get_by_test_id("empty-folder")).to_be_visible()
    page.get_by_role("link", name=ja("Trash"), exact=True).click()
    trashed = page.locator(f'tr[data-testid="trash-row"][data-name="{name}"]')
    expect(trashed).to_be_visible()

    trashed.get_by_role("button", name=re.compile("^" + re.escape(ja("Restore")))).click()

    expect(page.get_by_test_id("done")).to_have_text(ja("It was restored to its folder."))
    expect(trashed).to_have_count(0)
    page.get_by_test_id("breadcrumbs").get_by_role("link", name="総務部").click()
    row(page, folder).get_by_role("link", name=folder).click()
    assert download(page, download_button(row(page, name))) == (name, note.read_bytes())


def test_another_department_sees_what_is_for_all_staff_and_nothing_private(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    owner = signed_in_page(new_context, "yamada.k")  # 総務部
    private, shared = unique("e2e_人事_非公開"), unique("e2e_全庁周知")
    circular = write(tmp_path / "全庁通知.txt", "全職員向けの通知です。\n".encode())
    secret = write(tmp_path / "人事評価.txt", "非公開の評価メモ\n".encode())
    owner.goto("/files")
    create_folder(owner, private, "private")
    choose_files(owner, secret)
    expect_uploaded(owner, 1)
    private_folder_url = owner.url
    secret_url = row(owner, "人事評価.txt").get_by_role("link").get_attribute("href")
    owner.goto("/files")
    create_folder(owner, shared, "all")
    choose_files(owner, circular)
    expect_uploaded(owner, 1)
    expect(row(owner, "全庁通知.txt")).to_contain_text(ja("All staff"))

    outsider = signed_in_page(new_context, "kimura.t")  # 健康福祉部
    outsider.goto("/files/dept:somu")

    expect(row(outsider, shared)).to_be_visible()
    expect(row(outsider, private)).to_have_count(0)
    expect(outsider.locator("#upload")).to_have_count(0)  # not their space: nothing to add here
    expect(outsider.get_by_text(ja("New folder"), exact=True)).to_have_count(0)
    row(outsider, shared).get_by_role("link", name=shared).click()
    expect(row(outsider, "全庁通知.txt").locator("summary", has_text=ja("Manage"))).to_have_count(0)
    assert download(outsider, download_button(row(outsider, "全庁通知.txt")))[1] == circular.read_bytes()

    for url in (private_folder_url, str(secret_url)):
        response = outsider.goto(url)
        assert response is not None and response.status == 404, url
        expect(outsider.get_by_role("heading", level=1)).to_have_text(ja("Not found"))
        expect(outsider.locator("main")).not_to_contain_text("人事評価")


def test_a_large_file_goes_in_parts_and_survives_a_pause(
    new_context: Callable[..., BrowserContext], stack: RunningStack, tmp_path: Path
) -> None:
    """70 MB (over the 64 MiB threshold): multipart, paused and resumed on a slowed-down link."""
    page = signed_in_page(new_context, "yamada.k")
    big = write(tmp_path / "現場動画_2026-11-05.mp4", os.urandom(70 * MiB))
    part_uploads: list[str] = []
    checksums: dict[str, str] = {}  # part URL -> the x-amz-checksum-crc32 the browser sent with it

    def seen(r: Request) -> None:
        if r.method == "PUT" and r.url.startswith(stack.aws_endpoint) and "partNumber=" in r.url:
            part_uploads.append(r.url)
            checksums[r.url] = r.headers.get("x-amz-checksum-crc32", "")

    page.on("request", seen)
    page.goto("/files/user:yamada.k")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("My files"))
    create_folder(page, unique("e2e_動画"))
    link = page.context.new_cdp_session(page)
    link.send("Network.enable")
    link.send(
        "Network.emulateNetworkConditions",
        {  # ~10 MB/s up: slow enough to pause by hand
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": 10 * MiB,
        },
    )

    choose_files(page, big)

    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", re.compile(r"^([1-9]|[1-8][0-9])$"), timeout=10_000)
    page.get_by_role("button", name="アップロードを一時停止").click()  # Uppy's own Japanese
    expect(page.get_by_test_id("upload-status")).to_have_text(ja("Upload paused."))
    link.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_role("button", name="アップロードを再開").click()
    expect_uploaded(page, 1)

    assert len(set(part_uploads)) >= 2, "a 70 MB file is sent in parts"
    data = big.read_bytes()
    first = next(url for url in part_uploads if "partNumber=1&" in url)
    assert checksums[first] == crc32(data[: 16 * MiB]), "each part carries its CRC-32 (16 MiB parts), which S3 checks"
    assert all(checksums.values()), "no part goes without its checksum"
    item = row(page, big.name)
    expect(item).to_contain_text("70 MB")
    expect(item).to_contain_text(ja("Video"))
    name, content = download(page, download_button(item))
    assert name == big.name
    assert hashlib.sha256(content).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_a_folder_with_its_actions_open_fits_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = signed_in_page(
        new_context, "yamada.k", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    parent, child = unique("e2e_スマホ"), unique("令和9年度_第3四半期_業務報告書_関係資料一式")
    page.goto("/files")
    create_folder(page, parent)
    create_folder(page, child)
    page.get_by_test_id("breadcrumbs").get_by_role("link", name=parent).click()

    row(page, child).locator("summary", has_text=ja("Manage")).click()

    trash_button = row(page, child).get_by_role("button", name=re.compile("^" + re.escape(ja("Move to trash"))))
    expect(trash_button).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"), (
        "the files page scrolls sideways on a phone"
    )
    expect(page.locator("#uploader .uppy-Dashboard-inner")).to_be_visible()


def test_a_refused_upload_says_why_in_the_persons_language(
    new_context: Callable[..., BrowserContext], stack: RunningStack, signed_in: Signed, tmp_path: Path
) -> None:
    """The server's own message (full space) and the uploader's (a blocked type), where the person looks."""
    space = signed_in("ishii.k").get(f"{stack.base_url}/api/folders/user:ishii.k", timeout=30).json()["space"]
    used = space["used_bytes"]
    quota = signed_in("admin").put(
        f"{stack.base_url}/api/spaces/user:ishii.k/quota", json={"quota_bytes": used + 100}, timeout=30
    )  # 100 bytes free
    assert quota.status_code == 200, quota.text
    try:
        page = signed_in_page(new_context, "ishii.k")
        report = write(tmp_path / "報告書.txt", "あ".encode() * 100)  # 300 bytes, over the 100-byte quota
        program = write(tmp_path / "setup.exe", b"MZ")
        page.goto("/files/user:ishii.k")

        choose_files(page, report, program)

        errors = page.get_by_test_id("upload-errors").get_by_role("listitem")
        blocked = ja("Files of type {ext} cannot be stored here.").format(ext=".exe")
        full = ja("There is not enough space: {free} bytes free, the file needs {size}.").format(free=100, size=300)
        expect(errors).to_have_text(
            [
                ja("{name}: {message}").format(name="setup.exe", message=blocked),
                ja("{name}: {message}").format(name="報告書.txt", message=full),
            ]
        )
        expect(page.get_by_test_id("upload-status")).to_contain_text(
            ja("{count} files could not be uploaded (see below).").format(count=1)
        )
        expect(page.get_by_test_id("empty-folder")).to_be_visible()  # nothing half-written

        page.reload()
        choose_folder(page, write(tmp_path / "報告書一式" / "第1章" / "報告書.txt", report.read_bytes()).parents[1])
        expect(errors).to_have_text([ja("{name}: {message}").format(name="報告書.txt", message=full)])
        page.reload()
        expect(page.get_by_test_id("empty-folder")).to_be_visible()  # not even the folders of the refused tree
    finally:  # the space is shared with the other tests of this session
        signed_in("admin").put(
            f"{stack.base_url}/api/spaces/user:ishii.k/quota", json={"quota_bytes": 10 * 1024**3}, timeout=30
        )


def test_a_link_to_a_folder_survives_signing_in_and_switching_language(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    owner = signed_in_page(new_context, "yamada.k")
    folder = unique("e2e_共有リンク先")
    owner.goto("/files")
    create_folder(owner, folder)
    link = owner.url
    page = new_context().new_page()

    page.goto(link)  # a colleague's link, before signing in
    sign_in(page, "tanaka.h")

    expect(page).to_have_url(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(folder)
    page.get_by_role("button", name="English", exact=True).click()
    expect(page).to_have_url(link)
    expect(page.get_by_role("link", name="My files")).to_be_visible()
