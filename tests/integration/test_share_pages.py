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
from tests.integration.test_sharing import Partner, _share
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


def _create(session: requests.Session, stack: RunningStack, item_id: str, form: dict[str, Any]) -> tuple[str, str]:
    """Create a link with the Share panel's form as a browser does: POST, 303, GET. Returns (link id, address)."""
    created = _post(session, stack, f"/files/{item_id}/shares", {"expires_on": _in_days(7), **form})
    assert created.status_code == 303, created.text
    location = created.headers["Location"]
    match = re.fullmatch(r"/shares/(sl_[0-9a-f]+)\?done=created", location)
    assert match, location
    shown = _page(session, stack, location)
    assert shown.status_code == 200
    return match.group(1), _issued_url(shown.text)


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

    link_id, url = _create(
        owner,
        stack,
        file_id,
        {
            "kind": "download",
            "expires_on": _in_days(3),
            "password": "partner-pass-1",
            "max_downloads": "2",
            "message": "ご確認ください",
            "notify_on_access": "on",
        },
    )
    assert url.startswith(f"{stack.base_url}/s/#")
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
    assert reissued.status_code == 303 and reissued.headers["Location"] == f"/shares/{link_id}?done=reissued"
    assert "#" not in reissued.headers["Location"] and "/s/" not in reissued.text
    fresh = _issued_url(_page(owner, stack, reissued.headers["Location"]).text)
    assert 'data-testid="issued-link"' not in _page(owner, stack, reissued.headers["Location"]).text
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
    form = html[html.index('data-testid="settings-form"') :]
    form = form[: form.index("</form>")]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and (' type="checkbox"' not in tag or " checked" in tag):
            values[name.group(1)] = value.group(1) if value else ""
    values.update({m[0]: m[1] for m in re.findall(r'name="(\w+)"[^>]*>([^<]*)</textarea>', form)})
    return values


@pytest.mark.parametrize(
    ("form", "field_text"),
    [
        ({"kind": "request"}, "folder"),
        ({"password": "short"}, "8"),
        ({"expires_on": "2020-01-01"}, ""),
        ({"expires_on": "not-a-date"}, ""),
        ({"max_downloads": "0"}, "10000"),
        ({"recipients": "not-an-address"}, "not-an-address"),
        ({"verify_email": "on"}, ""),
    ],
)
def test_a_bad_form_shows_the_page_again_with_the_reason(
    stack: RunningStack, owned: dict[str, Any], form: dict[str, str], field_text: str
) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    sent = {"kind": "download", "expires_on": _in_days(7), "message": "残したい文", **form}
    response = _post(owner, stack, f"/files/{file_id}/shares", sent)
    assert response.status_code == 400, response.text
    assert 'data-testid="form-error"' in response.text and field_text in response.text
    assert "残したい文</textarea>" in response.text, "what was typed is kept"
    assert '<details class="share-new" open>' in response.text


def test_the_longest_allowed_date_is_accepted_and_a_later_one_refused(
    stack: RunningStack, owned: dict[str, Any]
) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    ok = _post(owner, stack, f"/files/{file_id}/shares", {"kind": "download", "expires_on": _in_days(90)})
    assert ok.status_code == 303, ok.text
    too_late = _post(owner, stack, f"/files/{file_id}/shares", {"kind": "download", "expires_on": _in_days(92)})
    assert too_late.status_code == 400 and "90" in too_late.text


def test_a_folder_offers_every_kind_of_link(stack: RunningStack, owned: dict[str, Any]) -> None:
    owner, folder = owned["owner"], owned["folder"]
    page = _page(owner, stack, f"/files/{folder}").text
    assert all(f'value="{k}"' in page for k in ("download", "request", "exchange"))
    link_id, _ = _create(owner, stack, folder, {"kind": "request", "notify_on_upload": "on"})
    link = _api(owner, stack, "GET", f"/api/shares/{link_id}").json()
    assert link["kind"] == "request" and link["notify_on_upload"] and not link["notify_on_access"]


def test_other_people_reach_nothing_of_a_link(stack: RunningStack, owned: dict[str, Any], signed_in: Signed) -> None:
    owner, file_id = owned["owner"], owned["file"]["id"]
    link_id, _ = _create(owner, stack, file_id, {"kind": "download"})
    outsider = signed_in("kimura.t")  # another department
    colleague = signed_in("kondo.m")  # same department, not the link's owner nor an administrator
    for person in (outsider, colleague):
        assert _page(person, stack, f"/shares/{link_id}").status_code == 404
        for action in ("settings", "revoke", "reissue"):
            assert _post(person, stack, f"/shares/{link_id}/{action}", {"max_downloads": "1"}).status_code == 404
    assert _post(outsider, stack, f"/files/{file_id}/shares", {"kind": "download"}).status_code == 404
    assert _page(outsider, stack, f"/files/{file_id}").status_code == 404
    everyone = _folder(owner, stack, "dept:somu", visibility="all")
    assert 'data-testid="share-panel"' not in _page(outsider, stack, f"/files/{everyone}").text, (
        "someone who may only look at a folder is not offered to share it"
    )
    colleague_view = _page(colleague, stack, f"/files/{file_id}").text
    assert link_id not in colleague_view, "a colleague does not see someone else's links"
    assert _api(owner, stack, "GET", f"/api/shares/{link_id}").json()["state"] == "active"
    admin = signed_in("admin")
    assert _page(admin, stack, f"/shares/{link_id}").status_code == 200

    anonymous = requests.Session()
    first = anonymous.get(f"{stack.base_url}/shares/{link_id}", allow_redirects=False, timeout=30)
    assert first.status_code == 302 and first.headers["Location"].startswith("/login")
    page = anonymous.get(f"{stack.base_url}/login", timeout=30)
    refused = anonymous.post(
        f"{stack.base_url}/shares/{link_id}/revoke",
        data={"csrf_token": csrf_from(page.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code == 302
    no_csrf = requests.Session()  # the owner's cookie, sent by a form on another site
    no_csrf.cookies.update(owner.cookies)
    assert (
        no_csrf.post(
            f"{stack.base_url}/shares/{link_id}/revoke", data={}, allow_redirects=False, timeout=30
        ).status_code
        == 403
    )
    assert _api(owner, stack, "GET", f"/api/shares/{link_id}").json()["state"] == "active"


def test_a_new_link_is_shown_once_and_a_reload_creates_nothing(
    stack: RunningStack, owned: dict[str, Any], signed_in: Signed
) -> None:
    """Post/Redirect/Get: the address waits, sealed, for the one view by the browser that made the link."""
    owner, file_id = owned["owner"], owned["file"]["id"]
    created = _post(owner, stack, f"/files/{file_id}/shares", {"kind": "download", "expires_on": _in_days(7)})
    assert created.status_code == 303
    location = created.headers["Location"]
    link_id = location.split("/")[2].split("?")[0]
    assert location == f"/shares/{link_id}?done=created", "nothing of the token in the address"

    admin = signed_in("admin")  # someone else opening the same page first takes nothing away
    assert 'data-testid="issued-link"' not in _page(admin, stack, location).text

    first = _page(owner, stack, location)
    assert first.status_code == 200 and 'data-testid="issued-link"' in first.text
    url = _issued_url(first.text)
    token = url.split("#", 1)[1]
    assert Partner(stack, url).open().status_code == 200, "the address shown is the link's"

    again = _page(owner, stack, location)  # a reload
    assert again.status_code == 200 and 'data-testid="issued-link"' not in again.text and token not in again.text
    assert 'data-done="created"' in again.text, "instead: the address was shown once; re-issue for a new one"
    listed = _api(owner, stack, "GET", f"/api/shares?target_id={file_id}").json()["items"]
    assert [link["id"] for link in listed] == [link_id], "a reload made no second link"

    reissued = _post(owner, stack, f"/shares/{link_id}/reissue", {})
    assert reissued.status_code == 303 and reissued.headers["Location"] == f"/shares/{link_id}?done=reissued"
    fresh = _issued_url(_page(owner, stack, reissued.headers["Location"]).text)
    assert fresh != url
    after = _page(owner, stack, reissued.headers["Location"]).text
    assert 'data-testid="issued-link"' not in after and fresh.split("#", 1)[1] not in after
    assert 'data-done="reissued"' in after


@pytest.fixture
def shared_member_file(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    """A member's file, reached by partners through a link to it and through a link to its folder."""
    owner = signed_in("yamada.k")  # a member of 総務部, not an administrator
    folder = _folder(owner, stack, "dept:somu")
    entry = upload(owner, stack, folder, "契約書.txt", "契約の内容".encode()).json()
    file_link, file_url = _create(owner, stack, entry["id"], {"kind": "download", "password": "partner-pass-9"})
    partner = Partner(stack, file_url)
    assert partner.open().status_code == 200
    assert partner.call("POST", "/password", json={"password": "wrong-one"}).status_code == 401
    assert partner.call("POST", "/password", json={"password": "partner-pass-9"}).status_code == 200
    assert partner.call("POST", f"/files/{entry['id']}/download").status_code == 200
    folder_link = _share(owner, stack, folder, kind="exchange")
    visitor = Partner(stack, folder_link["url"])
    assert visitor.open().status_code == 200
    assert visitor.call("POST", f"/files/{entry['id']}/download").status_code == 200
    return {"owner": owner, "folder": folder, "file": entry, "file_link": file_link, "folder_link": folder_link["id"]}


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="activity-row" data-action="(\w+)" data-link-id="(sl_[0-9a-f]+)"', html)


@pytest.mark.parametrize(
    ("who", "page_status", "sees_link"),
    [
        ("yamada.k", 200, True),  # the file's owner
        ("kondo.m", 403, False),  # same department: reads the file, not its audit trail
        ("tanaka.h", 200, True),  # the department's administrator
        ("kimura.t", 404, False),  # another department: cannot read the file at all
        ("admin", 200, True),  # system administrator
    ],
)
def test_share_activity_of_a_file_per_role(
    stack: RunningStack,
    shared_member_file: dict[str, Any],
    signed_in: Signed,
    who: str,
    page_status: int,
    sees_link: bool,
) -> None:
    file_id = shared_member_file["file"]["id"]
    person = signed_in(who)
    file_page = _page(person, stack, f"/files/{file_id}")
    assert file_page.status_code == (404 if page_status == 404 else 200)
    assert (f'href="/files/{file_id}/share-activity"' in file_page.text) is sees_link

    activity = _page(person, stack, f"/files/{file_id}/share-activity")
    assert activity.status_code == page_status
    csv = _api(person, stack, "GET", f"/api/files/{file_id}/audit?format=csv")
    assert csv.status_code == page_status
    if page_status != 200:
        assert "契約書" not in activity.text and 'data-testid="activity-row"' not in activity.text
        return

    rows = _rows(activity.text)
    file_link, folder_link = shared_member_file["file_link"], shared_member_file["folder_link"]
    assert [a for a, link in rows if link == file_link] == [
        "downloaded",
        "password_ok",
        "password_failed",
        "opened",
        "created",
    ]
    assert ("downloaded", folder_link) in rows, "a download through the folder's link is the file's activity too"
    times = re.findall(r'<th scope="row"><time datetime="([^"]+)"', activity.text)
    assert times == sorted(times, reverse=True) and len(times) == len(rows)
    assert f'href="/shares/{file_link}"' in activity.text, "the link's own page is one click away"
    assert "契約書.txt" in activity.text
    assert 'href="/api/files/' + file_id + '/audit?format=csv"' in activity.text

    assert csv.content.startswith(b"\xef\xbb\xbf")
    disposition = csv.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + len(rows) and sum("password_failed" in line for line in lines) == 1


def test_share_activity_of_a_folder_covers_its_links(
    stack: RunningStack, shared_member_file: dict[str, Any], signed_in: Signed
) -> None:
    owner, folder = shared_member_file["owner"], shared_member_file["folder"]
    page = _page(owner, stack, f"/files/{folder}")
    assert f'href="/files/{folder}/share-activity"' in page.text
    activity = _page(owner, stack, f"/files/{folder}/share-activity")
    assert activity.status_code == 200
    rows = _rows(activity.text)
    assert {link for _, link in rows} == {shared_member_file["folder_link"]}, "only the folder's own links"
    assert [a for a, _ in rows] == ["downloaded", "opened", "created"]
    assert 'data-testid="activity-capped"' not in activity.text
    assert _page(signed_in("kondo.m"), stack, f"/files/{folder}/share-activity").status_code == 403
    json_items = _api(owner, stack, "GET", f"/api/files/{folder}/audit").json()["items"]
    assert [i["action"] for i in json_items] == ["downloaded", "opened", "created"]
