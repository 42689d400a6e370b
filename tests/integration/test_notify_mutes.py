"""Muting a share link and a survey from its page, through real HTTP on the local stack: the
「通知をミュート」 form (CSRF, no JavaScript) → the next event of that subject reaches neither the
inbox nor the mail of that person, while the same event still reaches the others → 「ミュート解除」
→ the next one does. Who may: the link's owner (not the space administrator who manages it),
staff of the survey's 所属; anyone else finds nothing (404)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.integration.test_files import _folder, upload
from tests.integration.test_sharing import Partner, _share
from tests.integration.test_surveys import (
    STRANGER,
    TARGET,
    TARGET_COORDINATOR,
    TARGET_HEAD,
    TARGET_MEMBER,
    _api,
    issue_survey,
)
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
LINK_OWNER = "sugimoto.r"  # 総務部 法務課: no other test shares as this person
SPACE_ADMIN = "tanaka.h"  # 総務部's administrator: manages every link of its space


def _inbox(session: requests.Session, stack: RunningStack, kind: str, needle: str) -> list[dict[str, Any]]:
    items = _api(session, stack, "GET", "/api/notifications").json()["items"]
    return [n for n in items if n["kind"] == kind and needle in (n["link"] or "") + n["text"]]


def _outbox(stack: RunningStack, staff_id: str, needle: str) -> list[str]:
    out = str(stack.kumo("outbox", "--to", f"{staff_id}@pref.example.lg.jp", "--limit", "100", check=True).stdout)
    return [m for m in out.split("-" * 60) if needle in m]


def _toggle(session: requests.Session, stack: RunningStack, page_path: str, *, expect_muted: bool) -> None:
    """Presses the toggle on the page as a browser without JavaScript would: the form as it is."""
    page = session.get(f"{stack.base_url}{page_path}", timeout=60)
    assert page.status_code == 200, page.text[:300]
    form = re.search(r'<form method="post" action="([^"]+/mute)".*?</form>', page.text, re.S)
    assert form is not None, "the page has the toggle"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)))
    assert fields["muted"] == ("yes" if expect_muted else "no")
    fields["csrf_token"] = csrf_from(page.text)
    bare = requests.Session()  # the cookie only: the form's own token is what proves the origin
    bare.cookies.update(session.cookies)
    done = bare.post(f"{stack.base_url}{form.group(1)}", data=fields, allow_redirects=False, timeout=60)
    assert done.status_code == 303, done.text[:300]
    back = session.get(f"{stack.base_url}{done.headers['Location']}", timeout=60)
    state = "yes" if expect_muted else "no"
    assert f'data-testid="mute-state" data-muted="{state}"' in back.text, back.text[:500]


def test_a_muted_share_link_tells_its_owner_nothing_until_unmuted(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in(LINK_OWNER)
    folder = _folder(owner, stack, "dept:somu")
    muted_file = upload(owner, stack, folder, "説明資料.txt", "説明資料です。".encode()).json()
    marker_file = upload(owner, stack, folder, "別の資料.txt", "別の資料です。".encode()).json()
    link = _share(owner, stack, muted_file["id"], notify_on_access=True)
    marker = _share(owner, stack, marker_file["id"], notify_on_access=True)
    accessed = lambda file: _inbox(owner, stack, "share_accessed", f"/files/{file['id']}")  # noqa: E731

    assert Partner(stack, link["url"]).open().status_code == 200
    eventually(lambda: len(accessed(muted_file)) == 1)

    page = f"/shares/{link['id']}"
    _toggle(owner, stack, page, expect_muted=True)
    assert Partner(stack, link["url"]).open().status_code == 200
    assert Partner(stack, marker["url"]).open().status_code == 200  # opened after: heard once processed
    eventually(lambda: len(accessed(marker_file)) == 1)
    assert len(accessed(muted_file)) == 1, "muted: the second opening reached no inbox"

    _toggle(owner, stack, page, expect_muted=False)
    assert Partner(stack, link["url"]).open().status_code == 200
    eventually(lambda: len(accessed(muted_file)) == 2)

    # The space's administrator manages the link but hears nothing of it: no toggle, and refused.
    admin = signed_in(SPACE_ADMIN)
    assert 'data-testid="mute"' not in admin.get(f"{stack.base_url}{page}", timeout=60).text
    refused = _api(admin, stack, "POST", f"{page}/mute", data={"muted": "yes"})
    assert refused.status_code == 400
    assert _api(signed_in(STRANGER), stack, "POST", f"{page}/mute", data={"muted": "yes"}).status_code == 404
    forged = requests.Session()
    forged.cookies.update(owner.cookies)
    assert forged.post(f"{stack.base_url}{page}/mute", data={"muted": "yes"}, timeout=60).status_code == 403, "CSRF"


def test_a_muted_survey_reaches_no_inbox_nor_mail_until_unmuted(stack: RunningStack, signed_in: Signed) -> None:
    survey = issue_survey(stack, signed_in, [TARGET])
    sid, number = survey["id"], survey["number"]
    member, head, coordinator = signed_in(TARGET_MEMBER), signed_in(TARGET_HEAD), signed_in(TARGET_COORDINATOR)

    def forward() -> None:
        body = {"assignees": [f"staff:{TARGET_MEMBER}", f"staff:{TARGET_HEAD}"], "note": "ご確認ください"}
        sent = _api(coordinator, stack, "POST", f"/api/surveys/{sid}/answers/{TARGET}/forward", json=body)
        assert sent.status_code == 200, sent.text

    # The member's page of the survey is their 所属's answer: the toggle is there.
    answer_page = f"/surveys/{sid}/answers/{TARGET}"
    _toggle(member, stack, answer_page, expect_muted=True)
    page = member.get(f"{stack.base_url}{answer_page}", timeout=60).text
    assert "督促" in page, "the toggle says a reminder for one's 所属 still comes"

    forward()  # one event for both: the head hears of it, the member who muted does not
    eventually(lambda: _inbox(head, stack, "survey_forwarded", number))
    assert _inbox(member, stack, "survey_forwarded", number) == []
    assert _outbox(stack, TARGET_MEMBER, number) == [], "no mail either"

    _toggle(member, stack, answer_page, expect_muted=False)
    forward()
    eventually(lambda: _inbox(member, stack, "survey_forwarded", number))
    eventually(lambda: _outbox(stack, TARGET_MEMBER, number))

    # Outside the issuing and the answering 所属: no survey to mute.
    stranger = _api(signed_in(STRANGER), stack, "POST", f"/surveys/{sid}/mute", data={"muted": "yes"})
    assert stranger.status_code == 404
