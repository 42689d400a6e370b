"""The trash and the folder tree end to end: what is below a trashed folder is out of everyone's
reach (partners through their links, staff by an old id) until it is restored; no move makes a loop."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.integration.test_files import _api, _folder, upload
from tests.integration.test_sharing import Partner, _share
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]


class PartnerBrowser:
    """The partner's HTML pages, as a browser without JavaScript sees them."""

    def __init__(self, stack: RunningStack, url: str) -> None:
        self.stack = stack
        self.http = requests.Session()
        opener = self.http.get(f"{stack.base_url}/s", timeout=30)
        self.csrf = csrf_from(opener.text)
        self.opened = self.http.post(
            f"{stack.base_url}/s/open",
            timeout=30,
            allow_redirects=False,
            data={"token": url.split("#", 1)[1], "csrf_token": self.csrf},
        )

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.stack.base_url}{path}", timeout=30, allow_redirects=False)

    def post(self, path: str, form: dict[str, str] | None = None) -> requests.Response:
        return self.http.post(
            f"{self.stack.base_url}{path}",
            data={"csrf_token": self.csrf, **(form or {})},
            timeout=60,
            allow_redirects=False,
        )


def _gone_page(response: requests.Response, *secrets: str) -> None:
    """The partner's own 'no longer available' page, as for a withdrawn link, telling nothing more."""
    assert response.status_code == 410, (response.status_code, response.text[:300])
    assert 'data-testid="share-error"' in response.text and 'data-status="410"' in response.text
    for secret in secrets:
        assert secret not in response.text


def _gone(response: requests.Response, *secrets: str) -> None:
    assert response.status_code == 410, (response.status_code, response.text[:300])
    assert response.json()["error"] == "link_gone"
    for secret in secrets:
        assert secret not in response.text


def _upload_ticket(partner: Partner, name: str) -> requests.Response:
    return partner.call(
        "POST",
        "/uploads",
        json={"uploader_name": "山田建設 鈴木", "name": name, "size": 4, "content_type": "text/plain"},
    )


@pytest.fixture
def tree(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    """dept:somu / outer / shared / inner / 図面.txt, shared by an exchange link (and the file by its own)."""
    owner = signed_in("tanaka.h")
    outer = _folder(owner, stack, "dept:somu")
    shared = _folder(owner, stack, outer)
    inner = _folder(owner, stack, shared)
    name = f"図面_{uuid.uuid4().hex[:6]}.txt"
    doc = upload(owner, stack, inner, name, b"drawing").json()
    return {
        "owner": owner,
        "outer": outer,
        "shared": shared,
        "inner": inner,
        "doc": doc,
        "name": name,
        "folder_link": _share(owner, stack, shared, kind="exchange"),
        "file_link": _share(owner, stack, doc["id"]),
    }


def test_trashing_a_folder_above_a_shared_one_ends_its_links_at_once_and_restoring_brings_them_back(
    stack: RunningStack, tree: dict[str, Any]
) -> None:
    owner, doc, name = tree["owner"], tree["doc"], tree["name"]
    partner = Partner(stack, tree["folder_link"]["url"])
    assert partner.open().status_code == 200
    browser = PartnerBrowser(stack, tree["folder_link"]["url"])
    assert browser.opened.status_code == 303
    assert name in browser.get(f"/s/view?folder={tree['inner']}").text
    assert partner.call("POST", f"/files/{doc['id']}/download").status_code == 200
    assert partner.call("POST", "/zip", json={"folder_id": tree["inner"]}).status_code == 200
    started = _upload_ticket(partner, "途中.txt")  # an upload on its way when the folder goes
    assert started.status_code == 201, started.text

    assert _api(owner, stack, "DELETE", f"/api/files/{tree['outer']}").json()["status"] == "trashed"

    # JSON API: every request of an open session, and a fresh opening of either link.
    _gone(partner.call("GET", "/folder"), name)
    _gone(partner.call("GET", f"/folders/{tree['inner']}"), name)
    _gone(partner.call("POST", f"/files/{doc['id']}/download"))
    _gone(partner.call("POST", "/zip", json={}))
    _gone(partner.call("POST", "/zip", json={"folder_id": tree["inner"]}))
    _gone(_upload_ticket(partner, "回答書.txt"))
    _gone(partner.call("POST", f"/uploads/{started.json()['upload_id']}/complete"))
    _gone(partner.call("GET", "/uploads"))
    _gone(Partner(stack, tree["folder_link"]["url"]).open(), name)
    _gone(Partner(stack, tree["file_link"]["url"]).open(), name)
    # The pages: the same page as a withdrawn link, whatever the partner does.
    _gone_page(browser.get("/s/view"), name)
    _gone_page(browser.get(f"/s/view?folder={tree['inner']}"), name)
    _gone_page(browser.post(f"/s/download/{doc['id']}"))
    _gone_page(browser.post("/s/zip", {"folder_id": tree["inner"]}))
    _gone_page(PartnerBrowser(stack, tree["file_link"]["url"]).opened, name)
    assert _api(owner, stack, "GET", f"/api/shares/{tree['folder_link']['id']}").json()["state"] == "active", (
        "the link itself is kept: it works again if the folder comes back"
    )

    assert _api(owner, stack, "POST", f"/api/files/{tree['outer']}/restore").status_code == 200
    assert [i["name"] for i in partner.call("GET", f"/folders/{tree['inner']}").json()["items"]] == [name]
    assert partner.call("POST", f"/files/{doc['id']}/download").status_code == 200
    assert partner.call("POST", "/zip", json={}).status_code == 200
    assert name in browser.get(f"/s/view?folder={tree['inner']}").text
    assert Partner(stack, tree["file_link"]["url"]).open().status_code == 200


def test_a_trashed_link_target_is_gone_at_once_and_back_when_restored_unless_expired(
    stack: RunningStack, tree: dict[str, Any]
) -> None:
    owner, doc = tree["owner"], tree["doc"]
    partner = Partner(stack, tree["file_link"]["url"])
    assert partner.open().status_code == 200
    assert _api(owner, stack, "DELETE", f"/api/files/{doc['id']}").status_code == 200
    _gone(partner.call("POST", f"/files/{doc['id']}/download"))
    _gone(partner.call("GET", "/folder"))
    _gone(Partner(stack, tree["file_link"]["url"]).open())
    assert _api(owner, stack, "POST", f"/api/files/{doc['id']}/restore").status_code == 200
    assert partner.call("POST", f"/files/{doc['id']}/download").status_code == 200

    # A link that expired while its folder was in the trash stays expired after the restore.
    folder_partner = Partner(stack, tree["folder_link"]["url"])
    assert folder_partner.open().status_code == 200
    assert _api(owner, stack, "DELETE", f"/api/files/{tree['shared']}").status_code == 200
    _gone(folder_partner.call("GET", "/folder"))
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    stack.boto3("dynamodb").update_item(
        TableName="kumo-share_links",
        Key={"link_id": {"S": tree["folder_link"]["id"]}},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"S": past}},
    )
    assert _api(owner, stack, "POST", f"/api/files/{tree['shared']}/restore").status_code == 200
    _gone(folder_partner.call("GET", "/folder"))
    _gone(Partner(stack, tree["folder_link"]["url"]).open())


def test_staff_reach_nothing_under_a_trashed_folder_by_an_old_id(
    stack: RunningStack, tree: dict[str, Any], signed_in: Signed
) -> None:
    owner, doc = tree["owner"], tree["doc"]
    colleague = signed_in("kondo.m")  # same department: sees the file while it is reachable
    assert _api(colleague, stack, "GET", f"/api/files/{doc['id']}").status_code == 200
    assert _api(owner, stack, "DELETE", f"/api/files/{tree['outer']}").status_code == 200
    for who in (owner, colleague, signed_in("admin")):
        calls = [
            ("GET", f"/api/files/{doc['id']}", None),
            ("POST", f"/api/files/{doc['id']}/download", {}),
            ("GET", f"/api/files/{doc['id']}/versions", None),
            ("POST", "/api/shares", {"target_id": doc["id"]}),
            ("POST", "/api/shares", {"target_id": tree["inner"], "kind": "exchange"}),
            ("GET", f"/api/folders/{tree['inner']}", None),
            ("POST", f"/api/files/{tree['inner']}/zip", {}),
            ("PATCH", f"/api/files/{doc['id']}", {"folder_id": "dept:somu"}),
            (
                "POST",
                "/api/files/uploads",
                {"folder_id": tree["inner"], "name": "新.txt", "size": 1, "content_type": "text/plain"},
            ),
        ]
        for method, path, body in calls:
            response = _api(who, stack, method, path, json=body)
            assert response.status_code == 404, (method, path, response.status_code, response.text)
        page = who.get(f"{stack.base_url}/files/{doc['id']}", timeout=30)
        assert page.status_code == 404 and tree["name"] not in page.text
    in_trash = [i["id"] for i in _api(owner, stack, "GET", "/api/spaces/dept:somu/trash").json()["items"]]
    assert tree["outer"] in in_trash and doc["id"] not in in_trash, "it is in the trash with its folder"
    assert _api(owner, stack, "POST", f"/api/files/{tree['outer']}/restore").status_code == 200
    assert _api(colleague, stack, "GET", f"/api/files/{doc['id']}").status_code == 200


def _chain(owner: requests.Session, stack: RunningStack, levels: int) -> list[str]:
    ids: list[str] = []
    parent = "dept:somu"
    for _ in range(levels):
        parent = _folder(owner, stack, parent)
        ids.append(parent)
    return ids


def test_no_move_makes_a_loop_however_deep_the_tree(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("tanaka.h")
    chain = _chain(owner, stack, 70)
    for target in (chain[-1], chain[64], chain[1], chain[0]):
        refused = _api(owner, stack, "PATCH", f"/api/files/{chain[0]}", json={"folder_id": target})
        assert refused.status_code == 400, (chain.index(target), refused.status_code, refused.text)
        assert refused.json()["details"] == {"field": "folder_id"}
        assert "フォルダ" in refused.json()["message"]
    listed = _api(owner, stack, "GET", f"/api/folders/{chain[-1]}").json()
    assert [p["id"] for p in listed["path"]] == chain, "the tree is as it was"

    # Moving the 70 levels under a 27-level chain would make 97: deeper than folders may nest.
    other = _chain(owner, stack, 27)
    deep = _api(owner, stack, "PATCH", f"/api/files/{chain[0]}", json={"folder_id": other[-1]})
    assert deep.status_code == 400 and deep.json()["details"] == {"limit": 96}, deep.text
    assert _api(owner, stack, "PATCH", f"/api/files/{chain[0]}", json={"folder_id": other[-2]}).status_code == 200
