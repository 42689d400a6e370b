"""Files on a survey answer over HTTP on the local stack: a member uploads for a file question
(the answer's folder, a malware scan through the bus and the scan queue), submit is refused while
the scan runs, then the 照会元 downloads the file once the answer reached them — as an attachment
— while another target 所属 and a stranger get 404. The results page lists the file."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
ISSUER = "kondo.m"  # 人事課
HEAD = "ohashi.t"  # 総務課 所属長: submits straight to the 照会元
OTHER_UNIT = "aoki.h"  # 政策課: a target of the same survey
STRANGER = "ueda.s"  # 産業振興課
FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "担当者名"},
        {"question_id": "q2", "type": "file", "label": "研修の実施計画書", "required": True},
    ]
}


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def _issue(stack: RunningStack, signed_in: Signed) -> str:
    issuer = signed_in(ISSUER)
    created = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"職員研修の実施計画について（照会） {uuid.uuid4().hex[:4]}",
            "deadline": (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00"),
            "targets": ["somuka", "seisaku"],
            "form": FORM,
        },
    )
    assert created.status_code == 201, created.text
    sid = str(created.json()["id"])
    assert _api(issuer, stack, "POST", f"/api/surveys/{sid}/issue", json={}).status_code == 200
    return sid


def _upload(session: requests.Session, stack: RunningStack, sid: str, name: str, data: bytes) -> requests.Response:
    """As the answer page's upload box does it: open on the answer, send to S3, complete in Files."""
    ticket = _api(
        session,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/somuka/uploads",
        json={"name": name, "size": len(data), "content_type": "application/pdf"},
    )
    if ticket.status_code != 201:
        return ticket
    t = ticket.json()
    assert t["adds_version"] is False
    requests.post(t["url"], data=t["fields"], files={"file": (name, data)}, timeout=30).raise_for_status()
    return _api(session, stack, "POST", f"/api/files/uploads/{t['upload_id']}/complete")


def _save(session: requests.Session, stack: RunningStack, sid: str, files: list[dict[str, Any]]) -> requests.Response:
    current = _api(session, stack, "GET", f"/api/surveys/{sid}/answers/somuka").json()["answer"]
    return _api(
        session,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/somuka",
        json={
            "revision": current["revision"],
            "values": {"q1": "大橋", "q2": [{"file_id": f["id"], "name": f["name"]} for f in files]},
        },
    )


def _submit(session: requests.Session, stack: RunningStack, sid: str) -> requests.Response:
    current = _api(session, stack, "GET", f"/api/surveys/{sid}/answers/somuka").json()["answer"]
    return _api(
        session, stack, "POST", f"/api/surveys/{sid}/answers/somuka/submit", json={"revision": current["revision"]}
    )


def _scan_status(session: requests.Session, stack: RunningStack, file_id: str) -> str | None:
    status = _api(session, stack, "GET", f"/api/files/{file_id}").json()["scan_status"]
    return None if status == "pending" else str(status)


def test_upload_scan_submit_and_the_issuer_downloads(stack: RunningStack, signed_in: Signed) -> None:
    sid = _issue(stack, signed_in)
    head = signed_in(HEAD)
    issuer = signed_in(ISSUER)
    content = "令和8年度 職員研修実施計画書\n".encode() * 20

    assert _upload(signed_in(STRANGER), stack, sid, "計画書.pdf", content).status_code == 404
    assert _upload(issuer, stack, sid, "計画書.pdf", content).status_code == 404
    stored = _upload(head, stack, sid, "実施計画書.pdf", content)
    assert stored.status_code == 201, stored.text
    plan = stored.json()
    assert plan["space_id"] == "dept:somuka" and plan["scan_status"] == "pending"
    saved = _save(head, stack, sid, [plan])
    assert saved.status_code == 200, saved.text

    # Until the scan has spoken, the answer cannot go (the local scanner is usually quick, so
    # this is checked only while the status is still pending).
    if _scan_status(head, stack, plan["id"]) is None:
        refused = _submit(head, stack, sid)
        if _scan_status(head, stack, plan["id"]) is None:
            assert refused.status_code == 409, refused.text
            assert "実施計画書.pdf" in refused.json()["message"] and "研修の実施計画書" in refused.json()["message"]
    assert eventually(lambda: _scan_status(head, stack, plan["id"])) == "clean", "scanned through the bus"

    link = f"/surveys/{sid}/answers/somuka/files/{plan['id']}"
    assert _api(issuer, stack, "GET", link, allow_redirects=False).status_code == 404, "a draft is the 所属's"
    submitted = _submit(head, stack, sid)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"

    got = _api(issuer, stack, "GET", link, allow_redirects=False)
    assert got.status_code == 302, got.text
    fetched = requests.get(got.headers["Location"], timeout=30)
    assert fetched.status_code == 200 and fetched.content == content
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    for outsider in (OTHER_UNIT, STRANGER):
        assert _api(signed_in(outsider), stack, "GET", link, allow_redirects=False).status_code == 404
    # The file stays the 所属's in Files: the 照会元 reads it only through the survey.
    assert _api(issuer, stack, "GET", f"/api/files/{plan['id']}").status_code == 404

    results = _api(issuer, stack, "GET", f"/surveys/{sid}/results")
    assert results.status_code == 200
    assert "受け取ったファイル" in results.text and link in results.text and "実施計画書.pdf" in results.text


def test_an_infected_upload_keeps_the_answer_from_being_submitted(stack: RunningStack, signed_in: Signed) -> None:
    from chalicelib.scanning.engine import EICAR

    sid = _issue(stack, signed_in)
    head = signed_in(HEAD)
    infected = _upload(head, stack, sid, "eicar.txt", EICAR)
    assert infected.status_code == 201, infected.text
    assert _save(head, stack, sid, [infected.json()]).status_code == 200
    assert eventually(lambda: _scan_status(head, stack, infected.json()["id"])) == "infected"
    refused = _submit(head, stack, sid)
    assert refused.status_code == 409, refused.text
    assert "eicar.txt" in refused.json()["message"]
