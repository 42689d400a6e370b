"""Files through real HTTP and real presigned S3 requests against the local stack."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from tests.support.parts import crc32, put_part
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
MiB = 1024 * 1024


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def _folder(session: requests.Session, stack: RunningStack, parent: str, visibility: str | None = None) -> str:
    body: dict[str, Any] = {"name": f"テスト_{uuid.uuid4().hex[:6]}"}
    if visibility:
        body["visibility"] = visibility
    response = _api(session, stack, "POST", f"/api/folders/{parent}/folders", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def upload(
    session: requests.Session,
    stack: RunningStack,
    folder: str,
    name: str,
    data: bytes,
    *,
    content_type: str = "text/plain",
    relative_path: str | None = None,
    declared_size: int | None = None,
) -> requests.Response:
    """As a browser does it: ask for a ticket, send the bytes to S3, then complete."""
    ticket = _api(
        session,
        stack,
        "POST",
        "/api/files/uploads",
        json={
            "folder_id": folder,
            "name": name,
            "size": len(data) if declared_size is None else declared_size,
            "content_type": content_type,
            "relative_path": relative_path,
        },
    )
    if ticket.status_code != 201:
        return ticket
    t = ticket.json()
    if t["method"] == "post":
        sent = requests.post(t["url"], data=t["fields"], files={"file": (name, data, content_type)}, timeout=60)
        assert sent.status_code in (200, 204), sent.text
    else:
        for number, start in enumerate(range(0, len(data), 8 * MiB), start=1):
            part = data[start : start + 8 * MiB]
            url = _api(
                session,
                stack,
                "POST",
                f"/api/files/uploads/{t['upload_id']}/parts/{number}",
                json={"crc32": crc32(part)},
            ).json()["url"]
            put = put_part(url, part)
            assert put.status_code == 200, put.text
    return _api(session, stack, "POST", f"/api/files/uploads/{t['upload_id']}/complete")


def download(session: requests.Session, stack: RunningStack, file_id: str, **body: Any) -> requests.Response:
    link = _api(session, stack, "POST", f"/api/files/{file_id}/download", json=body)
    assert link.status_code == 200, link.text
    return requests.get(link.json()["url"], timeout=60)


def test_upload_list_and_download_a_japanese_named_file(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    content = "第3回 定例会議の議事録\n電子決裁の運用について確認した。\n".encode()
    done = upload(me, stack, folder, "議事録_第3回.txt", content)
    assert done.status_code == 201, done.text
    entry = done.json()
    assert entry["version"] == 1 and entry["size"] == len(content) and entry["visibility"] == "department"

    listing = _api(me, stack, "GET", f"/api/folders/{folder}").json()
    assert [i["name"] for i in listing["items"]] == ["議事録_第3回.txt"]
    assert listing["space"]["used_bytes"] >= len(content)

    got = download(me, stack, entry["id"])
    assert got.content == content
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "議事録_第3回.txt"
    assert got.headers["Content-Type"] == "application/octet-stream"


def test_html_is_never_served_inline_and_pdf_may_be(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    page = upload(me, stack, folder, "page.html", b"<script>alert(1)</script>", content_type="text/html").json()
    pdf = upload(me, stack, folder, "資料.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf").json()
    html_get = download(me, stack, page["id"], inline=True)
    assert html_get.headers["Content-Disposition"].startswith("attachment;")
    assert html_get.headers["Content-Type"] == "application/octet-stream"
    pdf_get = download(me, stack, pdf["id"], inline=True)
    assert pdf_get.headers["Content-Disposition"].startswith("inline;")
    assert pdf_get.headers["Content-Type"] == "application/pdf"


def test_same_name_makes_a_version_and_an_old_version_can_be_restored(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("tanaka.h")
    folder = _folder(me, stack, "dept:somu")
    first = upload(me, stack, folder, "予算案.txt", b"version one").json()
    second = upload(me, stack, folder, "予算案.TXT", b"version two, longer").json()  # same name, other case
    assert second["id"] == first["id"] and second["version"] == 2
    versions = _api(me, stack, "GET", f"/api/files/{first['id']}/versions").json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert download(me, stack, first["id"], version=1).content == b"version one"
    restored = _api(me, stack, "POST", f"/api/files/{first['id']}/versions/1/restore")
    assert restored.status_code == 200 and restored.json()["version"] == 3
    assert download(me, stack, first["id"]).content == b"version one"


def test_a_folder_upload_keeps_the_tree(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    for path in ("現場写真/2026-11/a.txt", "現場写真/2026-11/b.txt", "現場写真/概要.txt"):
        assert upload(me, stack, folder, path.rsplit("/", 1)[1], path.encode(), relative_path=path).status_code == 201
    top = _api(me, stack, "GET", f"/api/folders/{folder}").json()["items"]
    assert [(i["kind"], i["name"]) for i in top] == [("folder", "現場写真")]
    photos = _api(me, stack, "GET", f"/api/folders/{top[0]['id']}").json()
    assert [(i["kind"], i["name"]) for i in photos["items"]] == [("folder", "2026-11"), ("file", "概要.txt")]
    assert [p["id"] for p in photos["path"]] == [folder, top[0]["id"]]  # breadcrumbs from the space root


def test_trash_and_restore(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    entry = upload(me, stack, folder, "古い資料.txt", b"old").json()
    assert _api(me, stack, "DELETE", f"/api/files/{entry['id']}").json()["status"] == "trashed"
    assert _api(me, stack, "GET", f"/api/folders/{folder}").json()["items"] == []
    assert _api(me, stack, "GET", f"/api/files/{entry['id']}").status_code == 404
    trash = _api(me, stack, "GET", "/api/spaces/dept:somu/trash").json()["items"]
    assert entry["id"] in [t["id"] for t in trash]
    # The name is free while the file is in the trash; restoring then takes "(2)".
    assert upload(me, stack, folder, "古い資料.txt", b"new").status_code == 201
    back = _api(me, stack, "POST", f"/api/files/{entry['id']}/restore").json()
    assert back["status"] == "active" and back["name"] == "古い資料 (2).txt"


def test_names_are_checked(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    for bad in ("../etc/passwd", "a/b", "", " ", "con\x00.txt", "x" * 300):
        response = _api(me, stack, "POST", f"/api/folders/{folder}/folders", json={"name": bad})
        assert response.status_code == 400, bad
        assert response.json()["message"]
    blocked = upload(me, stack, folder, "setup.exe", b"MZ")
    assert blocked.status_code == 400 and "exe" in blocked.json()["message"]
    duplicate = _api(me, stack, "POST", f"/api/folders/{folder}/folders", json={"name": "同じ名前"})
    again = _api(me, stack, "POST", f"/api/folders/{folder}/folders", json={"name": "同じ名前"})
    assert duplicate.status_code == 201 and again.status_code == 409


def test_a_size_other_than_declared_is_refused_and_nothing_recorded(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    # The browser declares 5 bytes but sends 7. Real S3 refuses the form (content-length-range);
    # the emulator does not check POST policies, so the API must catch it at completion.
    refused = upload(me, stack, folder, "嘘の大きさ.txt", b"1234567", declared_size=5)
    assert refused.status_code == 400
    assert _api(me, stack, "GET", f"/api/folders/{folder}").json()["items"] == []


def test_quota_is_enforced_and_shown(stack: RunningStack, signed_in: Signed) -> None:
    admin, member = signed_in("admin"), signed_in("fujita.e")  # 土木部
    set_quota = _api(admin, stack, "PUT", "/api/spaces/dept:doboku/quota", json={"quota_bytes": 1000})
    assert set_quota.status_code == 200, set_quota.text
    folder = _folder(member, stack, "dept:doboku")
    try:
        assert upload(member, stack, folder, "small.txt", b"x" * 600).status_code == 201
        too_big = upload(member, stack, folder, "big.txt", b"y" * 600)
        assert too_big.status_code == 409
        assert "space" in too_big.json()["message"] or too_big.json()["message"]
        assert (
            _api(member, stack, "PUT", "/api/spaces/dept:doboku/quota", json={"quota_bytes": 10**12}).status_code == 403
        )
    finally:
        _api(admin, stack, "PUT", "/api/spaces/dept:doboku/quota", json={"quota_bytes": 100 * 1024**3})


@pytest.mark.parametrize(("visibility", "outsider_sees"), [("private", False), ("department", False), ("all", True)])
def test_visibility_decides_who_sees_a_file(
    stack: RunningStack, signed_in: Signed, visibility: str, outsider_sees: bool
) -> None:
    owner, colleague, outsider = signed_in("yamada.k"), signed_in("tanaka.h"), signed_in("kimura.t")
    folder = _folder(owner, stack, "dept:somu", visibility="all")
    entry = upload(owner, stack, folder, f"{visibility}.txt", b"secret?").json()
    assert (
        _api(owner, stack, "PATCH", f"/api/files/{entry['id']}", json={"visibility": visibility}).json()["visibility"]
        == visibility
    )
    assert _api(outsider, stack, "GET", f"/api/files/{entry['id']}").status_code == (200 if outsider_sees else 404)
    names = [i["name"] for i in _api(outsider, stack, "GET", f"/api/folders/{folder}").json()["items"]]
    assert (f"{visibility}.txt" in names) is outsider_sees
    dl = _api(outsider, stack, "POST", f"/api/files/{entry['id']}/download", json={})
    assert dl.status_code == (200 if outsider_sees else 404)
    # The department admin sees everything in the department's space, private included.
    assert _api(colleague, stack, "GET", f"/api/files/{entry['id']}").status_code == 200
    # Nobody but the owner and administrators may change it.
    assert _api(outsider, stack, "DELETE", f"/api/files/{entry['id']}").status_code in (403, 404)


def test_a_private_folder_hides_what_is_in_it(stack: RunningStack, signed_in: Signed) -> None:
    owner, outsider = signed_in("yamada.k"), signed_in("kimura.t")
    folder = _folder(owner, stack, "dept:somu", visibility="private")
    inside = upload(owner, stack, folder, "中身.txt", b"x").json()
    assert inside["visibility"] == "private", "nothing is more visible than its folder"
    asked = _api(owner, stack, "PATCH", f"/api/files/{inside['id']}", json={"visibility": "all"}).json()
    assert asked["visibility"] == "private"
    assert _api(outsider, stack, "GET", f"/api/folders/{folder}").status_code == 404


def test_other_peoples_spaces_and_uploads_are_off_limits(stack: RunningStack, signed_in: Signed) -> None:
    me, other = signed_in("yamada.k"), signed_in("kimura.t")
    assert upload(other, stack, "dept:somu", "侵入.txt", b"x").status_code == 403
    assert upload(other, stack, "user:yamada.k", "侵入.txt", b"x").status_code == 404
    ticket = _api(
        me,
        stack,
        "POST",
        "/api/files/uploads",
        json={"folder_id": "user:yamada.k", "name": "mine.txt", "size": 3, "content_type": "text/plain"},
    ).json()
    stolen = _api(other, stack, "POST", f"/api/files/uploads/{ticket['upload_id']}/complete")
    assert stolen.status_code == 404
    assert _api(me, stack, "DELETE", f"/api/files/uploads/{ticket['upload_id']}").status_code == 204


def test_a_50_mb_multipart_upload(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("ogata.r")
    data = os.urandom(50 * MiB)
    ticket = _api(
        me,
        stack,
        "POST",
        "/api/files/uploads",
        json={
            "folder_id": "user:ogata.r",
            "name": "大きな図面.bin",
            "size": len(data),
            "content_type": "application/octet-stream",
        },
    ).json()
    # 50 MB is under the 64 MiB threshold: the API asks for one form post. Force parts by size:
    assert ticket["method"] == "post"
    _api(me, stack, "DELETE", f"/api/files/uploads/{ticket['upload_id']}")
    big = data + os.urandom(20 * MiB)  # 70 MB: multipart
    done = upload(me, stack, "user:ogata.r", "大きな図面.bin", big, content_type="application/octet-stream")
    assert done.status_code == 201, done.text
    got = download(me, stack, done.json()["id"])
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(big).hexdigest()


def test_a_multipart_upload_can_be_resumed_from_its_parts(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("ogata.r")
    data = os.urandom(66 * MiB)
    ticket = _api(
        me,
        stack,
        "POST",
        "/api/files/uploads",
        json={
            "folder_id": "user:ogata.r",
            "name": f"resume-{uuid.uuid4().hex[:4]}.bin",
            "size": len(data),
            "content_type": "application/octet-stream",
        },
    ).json()
    assert ticket["method"] == "multipart"
    head, rest = data[: 33 * MiB], data[33 * MiB :]
    first = _api(me, stack, "POST", f"/api/files/uploads/{ticket['upload_id']}/parts/1", json={"crc32": crc32(head)})
    put_part(first.json()["url"], head).raise_for_status()
    # ... the connection drops; the browser asks what arrived and sends only the rest.
    parts = _api(me, stack, "GET", f"/api/files/uploads/{ticket['upload_id']}/parts").json()["parts"]
    assert [p["PartNumber"] for p in parts] == [1] and parts[0]["Size"] == 33 * MiB
    early = _api(me, stack, "POST", f"/api/files/uploads/{ticket['upload_id']}/complete")
    assert early.status_code == 400, early.text
    assert early.json()["details"] == {"real": 33 * MiB, "declared": 66 * MiB}, "says how much has arrived"
    second = _api(me, stack, "POST", f"/api/files/uploads/{ticket['upload_id']}/parts/2", json={"crc32": crc32(rest)})
    put_part(second.json()["url"], rest).raise_for_status()
    done = _api(me, stack, "POST", f"/api/files/uploads/{ticket['upload_id']}/complete")
    assert done.status_code == 201, done.text
    assert hashlib.sha256(download(me, stack, done.json()["id"]).content).digest() == hashlib.sha256(data).digest()
