"""Domain events arriving in people's inboxes, seen in the browser."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import ja, reload_until, sign_in, signed_in_page, unread_count
from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e


def test_a_department_notice_reaches_the_members_inbox_and_no_one_elses(
    new_context: Callable[..., BrowserContext], stack: RunningStack
) -> None:
    member = signed_in_page(new_context, "yamada.k")  # already on the home page
    outsider = signed_in_page(new_context, "kimura.t")  # 健康福祉部, not 総務部
    admin = signed_in_page(new_context, "tanaka.h")
    before = unread_count(member)
    title = f"防災訓練のお知らせ e2e-{uuid.uuid4().hex[:8]}"

    admin.goto("/departments/somu")
    admin.get_by_label(ja("Title")).fill(title)
    admin.get_by_label(ja("Text")).fill("11月5日 10時から庁舎全体で避難訓練を行います。")
    admin.get_by_role("button", name=ja("Post notice")).click()

    expect(admin).to_have_url(re.compile(r"/departments/somu\?posted=1$"))
    expect(admin.locator("#notices-heading + ul")).to_contain_text(title)

    reload_until(member, lambda: unread_count(member) > before)
    expect(member.get_by_role("link", name=title)).to_be_visible()  # the home page lists the notice too
    member.get_by_role("navigation").get_by_role("link", name=ja("Notifications")).click()
    text = ja("{author} posted a notice to your department: {title}").format(author="田中 ひかり", title=title)
    inbox = member.get_by_test_id("notification-list")
    expect(inbox).to_contain_text(text)
    expect(inbox.locator("li.unread", has_text=title)).to_have_count(1)

    member.get_by_role("button", name=ja("Mark all as read")).click()

    expect(member).to_have_url(re.compile(r"/notifications$"))
    expect(member.get_by_test_id("unread-count")).to_have_count(0)
    expect(inbox.locator("li.unread")).to_have_count(0)
    expect(inbox).to_contain_text(text)  # read, not gone

    # The member has it, so the event has been routed: the outsider and the author got nothing.
    outsider.goto("/notifications")
    expect(outsider.locator("main")).not_to_contain_text(title)
    admin.goto("/notifications")
    expect(admin.locator("main")).not_to_contain_text(title)


def test_a_newly_imported_person_sets_a_password_and_is_welcomed(
    new_context: Callable[..., BrowserContext], stack: RunningStack, tmp_path: Path
) -> None:
    staff_id = f"e2e.newbie-{uuid.uuid4().hex[:8]}"
    csv_path = tmp_path / "staff.csv"
    csv_path.write_text(
        "staff_id,display_name,email,department,role\n"
        f"{staff_id},新人 花子,{staff_id}@pref.example.lg.jp,somu,member\n",
        encoding="utf-8",
    )
    stack.kumo("users", "import", str(csv_path), "--temporary-password", "Temp-Passw0rd-1", check=True)
    new_password = "Hanako-Kumo-2026"
    page = new_context().new_page()

    page.goto("/")
    sign_in(page, staff_id, "Temp-Passw0rd-1")

    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Set a new password"))
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    page.get_by_label(ja("New password"), exact=True).fill(new_password)
    page.get_by_label(ja("New password again")).fill(new_password + "x")
    page.get_by_role("button", name=ja("Set password and sign in")).click()
    expect(page.get_by_role("alert")).to_have_text(ja("The two passwords do not match."))

    page.get_by_label(ja("New password"), exact=True).fill(new_password)
    page.get_by_label(ja("New password again")).fill(new_password)
    page.get_by_role("button", name=ja("Set password and sign in")).click()

    expect(page).to_have_url(f"{stack.base_url}/")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("総務部")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("新人 花子")
    page.goto("/notifications")
    welcome = ja("Welcome to Kumo, {name}. Notices about your work will arrive here.").format(name="新人 花子")
    reload_until(page, lambda: page.get_by_test_id("notification-list").filter(has_text=welcome).count() > 0)
    assert unread_count(page) >= 1

    # The chosen password is the one that works from now on.
    page.get_by_role("button", name=ja("Sign out")).click()
    sign_in(page, staff_id, new_password)
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("新人 花子")
