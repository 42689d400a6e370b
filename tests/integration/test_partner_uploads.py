"""A partner never changes what they may only read; each is recorded as who they are; links cap uploads.

Issue 8, items 1, 6 and 9: a partner's upload with a taken name gets a new name instead of
becoming a version of someone else's file; each file-request session has its own subfolder by
id; the uploader's name is checked as that field; partners send only allowed types; a link's
byte and file caps hold, and a multipart part is signed for its length.
"""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import Any

import pytest
import requests

from tests.integration.test_files import _api, _folder, download, upload
from tests.integration.test_sharing import Partner, Signed, _share
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
BUCKET = "kumo-files-123456789012"


def _ticket(partner: Partner, who: str, name: str, size: int, **extra: Any) -> requests.Response:
    return partner.call(
        "POST",
        "/uploads",
        json={"uploader_name": who, "name": name, "size": size, "content_type": "text/plain", **extra},
    )


def _send(partner: Partner, who: str, name: str, data: bytes) -> requests.Response:
    ticket = _ticket(partner, who, name, len(data))
    if ticket.status_code != 201:
        return ticket
    t = ticket.json()
    requests.post(t["url"], data=t["fields"], files={"file": (name, data)}, timeout=30).raise_for_status()
    return partner.call("POST", f"/uploads/{t['upload_id']}/complete")


def _parent(owner: requests.Session, stack: RunningStack, file_id: str) -> str:
    return str(_api(owner, stack, "GET", f"/api/files/{file_id}").json()["parent_id"])


def _versions(owner: requests.Session, stack: RunningStack, file_id: str) -> list[dict[str, Any]]:
    return _api(owner, stack, "GET", f"/api/files/{file_id}/versions").json()["items"]  # type: ignore[no-any-return]


def test_a_partner_on_an_exchange_never_makes_a_version_of_a_staff_file(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("tanaka.h")
    colleague = signed_in("yamada.k")  # same 所属, owns the estimate
    folder = _folder(owner, stack, "dept:somu")
    estimate = upload(colleague, stack, folder, "見積書.txt", b"the colleague's estimate").json()
    link = _share(owner, stack, folder, kind="exchange")
    partner = Partner(stack, link["url"])
    partner.open()

    plan = partner.call("POST", "/upload-plan", json={"uploader_name": "山田建設 鈴木", "names": ["見積書.txt"]})
    assert plan.status_code == 200, plan.text
    assert plan.json()["items"] == [
        {"requested": "見積書.txt", "name": "見積書 (2).txt", "adds_version": False, "renamed": True}
    ], "said before the upload starts"
    sent = _send(partner, "山田建設 鈴木", "見積書.txt", b"the partner's estimate")
    assert sent.status_code == 201, sent.text
    assert sent.json()["name"] == "見積書 (2).txt" and sent.json()["id"] != estimate["id"]
    assert len(_versions(owner, stack, estimate["id"])) == 1, "the colleague's file is untouched"
    assert download(owner, stack, estimate["id"]).content == b"the colleague's estimate"

    # The partner's own file: sending it again is a new version of *their* file, recorded as theirs.
    again = _send(partner, "山田建設 鈴木", "見積書 (2).txt", b"corrected")
    assert (again.json()["id"], again.json()["version"]) == (sent.json()["id"], 2)
    versions = _versions(owner, stack, sent.json()["id"])
    assert [(v["version"], v["partner_name"], v["via_link"]) for v in versions] == [
        (2, "山田建設 鈴木", link["id"]),
        (1, "山田建設 鈴木", link["id"]),
    ]
    trail = _api(owner, stack, "GET", f"/api/shares/{link['id']}/audit").json()["items"]
    uploads = [e for e in trail if e["action"] == "uploaded"]
    assert len(uploads) == 2 and all("山田建設 鈴木" in e["detail"] for e in uploads)


def test_two_bidders_with_the_same_name_in_the_same_minute_get_folders_of_their_own(
    stack: RunningStack, signed_in: Signed
) -> None:
    owner = signed_in("sakamoto.j")
    folder = _folder(owner, stack, "dept:doboku")
    link = _share(owner, stack, folder, kind="request")
    first, second = Partner(stack, link["url"]), Partner(stack, link["url"])
    first.open()
    second.open()
    a = _send(first, "入札者", "入札書.txt", b"bid A: 1,000,000 yen")
    b = _send(second, "入札者", "入札書.txt", b"bid B: 900,000 yen")
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    assert a.json()["id"] != b.json()["id"]
    assert _parent(owner, stack, a.json()["id"]) != _parent(owner, stack, b.json()["id"])
    assert download(owner, stack, a.json()["id"]).content == b"bid A: 1,000,000 yen"
    subfolders = _api(owner, stack, "GET", f"/api/folders/{folder}").json()["items"]
    assert len(subfolders) == 2 and all(f["name"].startswith("入札者 (") for f in subfolders)


def test_one_sessions_parallel_first_uploads_share_one_subfolder(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("sakamoto.j")
    folder = _folder(owner, stack, "dept:doboku")
    link = _share(owner, stack, folder, kind="request")
    partner = Partner(stack, link["url"])
    partner.open()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: _send(partner, "測量会社", f"写真{i}.jpg", b"x" * (i + 1)), range(4)))
    assert [r.status_code for r in results] == [201] * 4
    assert len({_parent(owner, stack, r.json()["id"]) for r in results}) == 1
    active = _api(owner, stack, "GET", f"/api/folders/{folder}").json()["items"]
    assert len(active) == 1, "one subfolder for the session (a loser of the race is trashed at once)"


def test_a_trashed_request_subfolder_stops_further_uploads(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("sakamoto.j")
    folder = _folder(owner, stack, "dept:doboku")
    link = _share(owner, stack, folder, kind="request")
    partner = Partner(stack, link["url"])
    partner.open()
    first = _send(partner, "測量会社", "a.txt", b"a").json()
    assert _api(owner, stack, "DELETE", f"/api/files/{_parent(owner, stack, first['id'])}").status_code in (200, 204)
    refused = _ticket(partner, "測量会社", "b.txt", 1)
    assert refused.status_code == 409, "not re-created elsewhere, not written into the trash"


@pytest.mark.parametrize(
    ("raw", "field"), [("山田\u202e建設", "uploader_name"), ("", "uploader_name"), ("鈴木\u200b一郎", "uploader_name")]
)
def test_a_refused_uploader_name_names_its_field(stack: RunningStack, signed_in: Signed, raw: str, field: str) -> None:
    owner = signed_in("tanaka.h")
    link = _share(owner, stack, _folder(owner, stack, "dept:somu"), kind="request")
    partner = Partner(stack, link["url"])
    partner.open()
    refused = _ticket(partner, raw, "a.txt", 1)
    assert refused.status_code == 400
    assert refused.json()["details"]["field"] == field


@pytest.mark.parametrize("name", ["invoice\u202eexe.txt", "x.exe.", "x.exe . ", "run.ps1", "macro.xlsm", "page.html"])
def test_partners_send_only_allowed_types_and_names_cannot_lie(
    stack: RunningStack, signed_in: Signed, name: str
) -> None:
    owner = signed_in("tanaka.h")
    link = _share(owner, stack, _folder(owner, stack, "dept:somu"), kind="request")
    partner = Partner(stack, link["url"])
    partner.open()
    refused = _ticket(partner, "山田建設", name, 1)
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"]["field"] == "name"


def test_an_administrator_changes_what_partners_may_send(stack: RunningStack, signed_in: Signed) -> None:
    admin, member = signed_in("admin"), signed_in("tanaka.h")
    path = "/api/share-settings/partner-upload-types"
    before = _api(member, stack, "GET", path).json()["types"]
    assert ".pdf" in before and ".sfc" in before and ".exe" not in before
    assert _api(member, stack, "PUT", path, json={"types": [".pdf"]}).status_code == 403
    bad = _api(admin, stack, "PUT", path, json={"types": ".pdf .exe"})
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "types"
    try:
        assert _api(admin, stack, "PUT", path, json={"types": before + [".xlsm"]}).status_code == 200
        link = _share(member, stack, _folder(member, stack, "dept:somu"), kind="request")
        partner = Partner(stack, link["url"])
        partner.open()
        assert _ticket(partner, "山田建設", "集計.xlsm", 1).status_code == 201
        assert ".xlsm" in partner.call("GET", "").json()["upload_types"]
    finally:
        _api(admin, stack, "PUT", path, json={"types": before})


def test_a_links_upload_caps_hold_under_parallel_starts(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("tanaka.h")
    folder = _folder(owner, stack, "dept:somu")
    too_big = _api(
        owner, stack, "POST", "/api/shares", json={"target_id": folder, "kind": "request", "upload_max_mb": 10**9}
    )
    assert too_big.status_code == 400 and too_big.json()["details"]["field"] == "upload_max_mb"
    link = _share(owner, stack, folder, kind="request", upload_max_mb=1, upload_max_files=5)
    assert (link["upload_max_bytes"], link["upload_max_files"]) == (1024**2, 5)
    partner = Partner(stack, link["url"])
    partner.open()
    assert _ticket(partner, "山田建設", "big.txt", 1024**2 + 1).status_code == 429
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda i: _ticket(partner, "山田建設", f"f{i}.txt", 10).status_code, range(20)))
    assert sorted(codes) == [201] * 5 + [429] * 15, codes
    shown = _api(owner, stack, "GET", f"/api/shares/{link['id']}").json()
    assert (shown["upload_files"], shown["upload_bytes"]) == (5, 50)


def test_an_abandoned_upload_gives_its_share_of_the_cap_back(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("tanaka.h")
    link = _share(owner, stack, _folder(owner, stack, "dept:somu"), kind="request", upload_max_files=1)
    partner = Partner(stack, link["url"])
    partner.open()
    ticket = _ticket(partner, "山田建設", "a.txt", 3).json()
    assert _ticket(partner, "山田建設", "b.txt", 3).status_code == 429
    assert partner.call("DELETE", f"/uploads/{ticket['upload_id']}").status_code == 204
    assert _send(partner, "山田建設", "b.txt", b"bbb").status_code == 201


def test_multipart_parts_are_checked_and_signed_for_their_length(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("ogata.r")
    size = 70 * 1024**2
    ticket = _api(
        me,
        stack,
        "POST",
        "/api/files/uploads",
        json={
            "folder_id": "user:ogata.r",
            "name": f"parts-{uuid.uuid4().hex[:4]}.bin",
            "size": size,
            "content_type": "application/octet-stream",
        },
    ).json()
    base = f"/api/files/uploads/{ticket['upload_id']}/parts"
    crc = "AAAAAA=="
    assert _api(me, stack, "POST", f"{base}/15", json={"crc32": crc}).status_code == 400, "beyond a 70 MB file's end"
    assert _api(me, stack, "POST", f"{base}/1", json={"size": size + 1, "crc32": crc}).status_code == 400
    unchecked = _api(me, stack, "POST", f"{base}/1", json={"size": 8 * 1024**2})
    assert unchecked.status_code == 400 and unchecked.json()["details"]["field"] == "crc32", (
        "no part is signed without its CRC-32"
    )
    signed = _api(me, stack, "POST", f"{base}/1", json={"size": 8 * 1024**2, "crc32": crc}).json()["url"]
    signed_headers = signed.lower().split("x-amz-signedheaders=")[1].split("&")[0]
    assert "content-length" in signed_headers, "the part's length is part of the signature"
    assert "x-amz-checksum-crc32" in signed_headers, "so is its checksum: S3 takes only those bytes"
    _api(me, stack, "DELETE", f"/api/files/uploads/{ticket['upload_id']}")
