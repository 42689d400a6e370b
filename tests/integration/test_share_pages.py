"""The staff's share-link pages through real HTTP: forms with CSRF, 303s, the token shown once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from chalicelib.core.templating import JST
from tests.integration.test_files import _api, _folder, upload
from tests.integration.test_sharing import Partner
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]


def _post(session: requests.Session, stack: RunningStack, path: str, form: dict[str, Any]) -> requests.Response:
    """As the browser sends a form: the CSRF field is always in it."""
    data = {"csrf_token": str(session.headers.get("X-CSRF-Token", "")), **form}
    return session.post(f"{stack.base_url}{path}", data=data, allow_redirects=False, timeout=60)


def _page(session: requests.Session, stack: RunningStack, path: str) -> requests.Response:
    return session.get(f"{stack.base_url}{path}", allow_redirects=False, timeout=60)


def _issued_url(html: str) -> str:
    match = re.search(r'id="issued-url" class="issued-url" value="([^"]+)"', html)
    assert match, "the new link is shown on the page"
    return match.group(1).replace("&amp;", "&")


def _link_id(html: str) -> str:
    match = re.search(r'action="/shares/(sl_[0-9a-f]+)/settings"', html)
    assert match
    return match.group(1)


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).astimezone(JST).date().isoformat()


@pytest.fixture
def owned(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    entry = upload(owner, stack, folder, "見積書.txt", "見積の内容".encode()).json()
    return {"owner": owner, "folder": folder, "file": entry}


def test_create_a_link_see_it_once_then_manage_it(stack: RunningStack, owned: dict[str, Any]) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    before = _page(owner, stack, f"/files/{file_id}")
    assert before.status_code == 200 and 'data-testid="share-panel"' in before.text
    assert 'data-testid="no-share-links"' in before.text
    assert f'max="{_in_days(90)}"' in before.text and f'value="{_in_days(7)}"' in before.text

    created = _post(owner, stack, f"/files/{file_id}/shares", {
        "kind": "download", "expires_on": _in_days(3), "password": "partner-pass-1", "max_downloads": "2",
        "message": "ご確認ください", "notify_on_access": "on"})
    assert created.status_code == 200, created.text
    url = _issued_url(created.text)
    assert url.startswith(f"{stack.base_url}/s/#")
    link_id = _link_id(created.text)
    detail = _api(owner, stack, "GET", f"/api/shares/{link_id}").json()
    assert detail["has_password"] and detail["max_downloads"] == 2 and detail["notify_on_access"]
    assert detail["message"] == "ご確認ください" and detail["kind"] == "download"
    assert datetime.fromisoformat(detail["expires_at"]).astimezone(JST).date().isoformat() == _in_days(3)

    token = url.split("#", 1)[1]
    partner = Partner(stack, url)
    assert partner.open().json()["gates"] == ["password"]
    assert partner.call("POST", "/password", json={"password": "partner-pass-1"}).status_code == 200

    shown = _page(owner, stack, f"/shares/{link_id}")
    assert shown.status_code == 200 and token not in shown.text, "the token is shown only once"
    assert 'data-state="active"' in shown.text
    assert [a for a in re.findall(r'data-action="(\w+)"', shown.text)][:3] == ["password_ok", "opened", "created"]
    assert f'href="/api/shares/{link_id}/audit?format=csv"' in shown.text
    listed = _page(owner, stack, f"/files/{file_id}").text
    assert f'data-link-id="{link_id}"' in listed and f'href="/shares/{link_id}"' in listed

    same = _post(owner, stack, f"/shares/{link_id}/settings", {**_values(shown.text)})
    assert same.status_code == 303 and same.headers["Location"].endswith("?done=unchanged")
    assert partner.call("GET", "/folder").status_code == 200, "an unchanged form ends no partner's session"

    changed = _post(owner, stack, f"/shares/{link_id}/settings", {**_values(shown.text), "max_downloads": "5"})
    assert changed.status_code == 303 and changed.headers["Location"] == f"/shares/{link_id}?done=changed"
    assert _api(owner, stack, "GET", f"/api/shares/{link_id}").json()["max_downloads"] == 5
    assert partner.call("GET", "/folder").status_code == 200

    reissued = _post(owner, stack, f"/shares/{link_id}/reissue", {})
    assert reissued.status_code == 200
    fresh = _issued_url(reissued.text)
    assert fresh != url and Partner(stack, url).open().status_code == 404
    assert partner.call("GET", "/folder").status_code == 401

    revoked = _post(owner, stack, f"/shares/{link_id}/revoke", {})
    assert revoked.status_code == 303 and revoked.headers["Location"].endswith("?done=revoked")
    after = _page(owner, stack, f"/shares/{link_id}?done=revoked")
    assert 'data-state="revoked"' in after.text and 'data-testid="settings-form"' not in after.text
    assert Partner(stack, fresh).open().status_code == 410
    again = _post(owner, stack, f"/shares/{link_id}/reissue", {})
    assert again.status_code == 400 and 'data-testid="form-error"' in again.text


def _values(html: str) -> dict[str, str]:
    """The settings form as the browser would send it untouched."""
    form = html[html.index('data-testid="settings-form"'):]
    form = form[:form.index("</form>")]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and (' type="checkbox"' not in tag or " checked" in tag):
            values[name.group(1)] = value.group(1) if value else ""
    values.update({m[0]: m[1] for m in re.findall(r'name="(\w+)"[^>]*>([^<]*)</textarea>', form)})
    return values


@pytest.mark.parametrize(("form", "field_text"), [
    ({"kind": "request"}, "folder"),
    ({"password": "short"}, "8"),
    ({"expires_on": "2020-01-01"}, ""),
    ({"expires_on": "not-a-date"}, ""),
    ({"max_downloads": "0"}, "10000"),
    ({"recipients": "not-an-address"}, "not-an-address"),
    ({"verify_email": "on"}, ""),
])
def test_a_bad_form_shows_the_page_again_with_the_reason(stack: RunningStack, owned: dict[str, Any],
                                                          form: dict[str, str], field_text: str) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    sent = {"kind": "download", "expires_on": _in_days(7), "message": "残したい文", **form}
    response = _post(owner, stack, f"/files/{file_id}/shares", sent)
    assert response.status_code == 400, response.text
    assert 'data-testid="form-error"' in response.text and field_text in response.text
    assert "残したい文</textarea>" in response.text, "what was typed is kept"
    assert "<details class=\"share-new\" open>" in response.text


def test_the_longest_allowed_date_is_accepted_and_a_later_one_refused(stack: RunningStack,
                                                                       owned: dict[str, Any]) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    ok = _post(owner, stack, f"/files/{file_id}/shares", {"kind": "download", "expires_on": _in_days(90)})
    assert ok.status_code == 200, ok.text
    too_late = _post(owner, stack, f"/files/{file_id}/shares", {"kind": "download", "expires_on": _in_days(92)})
    assert too_late.status_code == 400 and "90" in too_late.text


def test_a_folder_offers_every_kind_of_link(stack: RunningStack, owned: dict[str, Any]) -> None:
    owner, folder = owned["owner"], owned["folder"]
    page = _page(owner, stack, f"/files/{folder}").text
    assert all(f'value="{k}"' in page for k in ("download", "request", "exchange"))
    created = _post(owner, stack, f"/files/{folder}/shares", {"kind": "request", "expires_on": _in_days(7),
                                                              "notify_on_upload": "on"})
    assert created.status_code == 200
    link = _api(owner, stack, "GET", f"/api/shares/{_link_id(created.text)}").json()
    assert link["kind"] == "request" and link["notify_on_upload"] and not link["notify_on_access"]


def test_other_people_reach_nothing_of_a_link(stack: RunningStack, owned: dict[str, Any], signed_in: Signed) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    link_id = _link_id(_post(owner, stack, f"/files/{file_id}/shares",
                             {"kind": "download", "expires_on": _in_days(7)}).text)
    outsider = signed_in("kimura.t")  # another department
    colleague = signed_in("kondo.m")  # same department, not the link's owner nor an administrator
    for person in (outsider, colleague):
        assert _page(person, stack, f"/shares/{link_id}").status_code == 404
        for action in ("settings", "revoke", "reissue"):
            assert _post(person, stack, f"/shares/{link_id}/{action}", {"max_downloads": "1"}).status_code == 404
    assert _post(outsider, stack, f"/files/{file_id}/shares", {"kind": "download"}).status_code == 404
    assert _page(outsider, stack, f"/files/{file_id}").status_code == 404
    everyone = _folder(owner, stack, "dept:somu", visibility="all")
    assert 'data-testid="share-panel"' not in _page(outsider, stack, f"/files/{everyone}").text, \
        "someone who may only look at a folder is not offered to share it"
    colleague_view = _page(colleague, stack, f"/files/{file_id}").text
    assert link_id not in colleague_view, "a colleague does not see someone else's links"
    assert _api(owner, stack, "GET", f"/api/shares/{link_id}").json()["state"] == "active"
    admin = signed_in("admin")
    assert _page(admin, stack, f"/shares/{link_id}").status_code == 200

    anonymous = requests.Session()
    first = anonymous.get(f"{stack.base_url}/shares/{link_id}", allow_redirects=False, timeout=30)
    assert first.status_code == 302 and first.headers["Location"].startswith("/login")
    page = anonymous.get(f"{stack.base_url}/login", timeout=30)
    refused = anonymous.post(f"{stack.base_url}/shares/{link_id}/revoke", data={"csrf_token": csrf_from(page.text)},
                             allow_redirects=False, timeout=30)
    assert refused.status_code == 302
    no_csrf = requests.Session()  # the owner's cookie, sent by a form on another site
    no_csrf.cookies.update(owner.cookies)
    assert no_csrf.post(f"{stack.base_url}/shares/{link_id}/revoke", data={}, allow_redirects=False,
                        timeout=30).status_code == 403
    assert _api(owner, stack, "GET", f"/api/shares/{link_id}").json()["state"] == "active"
