"""Files on a survey answer over HTTP on the local stack: a member uploads for a file question
(the answer's folder, a malware scan through the bus and the scan queue), submit is refused while
the scan runs, then the 照会元 downloads the file once the answer reached them — as an attachment
— while another target 所属 and a stranger get 404. The results page lists the file."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import eventually, sign_in, translated
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


@pytest.fixture(scope="module")
def unscanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack whose scanner waits for GuardDuty's results, which never come locally: every
    upload that must be scanned stays pending for as long as the test needs."""
    running = RunningStack(tmp_path_factory.mktemp("kumo-unscanned"), settings={"KUMO_SCANNER": "guardduty"})
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_submit_is_refused_while_a_file_is_being_scanned(unscanned: RunningStack) -> None:
    cache: dict[str, requests.Session] = {}

    def signed(staff_id: str) -> requests.Session:
        return cache.setdefault(staff_id, sign_in(unscanned.base_url, staff_id))

    sid = _issue(unscanned, signed)
    head = signed(HEAD)
    stored = _upload(head, unscanned, sid, "実施計画書.pdf", b"%PDF-1.7 plan")
    assert stored.status_code == 201, stored.text
    assert _save(head, unscanned, sid, [stored.json()]).status_code == 200
    refused = _submit(head, unscanned, sid)
    assert refused.status_code == 409, refused.text
    message = refused.json()["message"]
    assert "実施計画書.pdf" in message and "研修の実施計画書" in message and "ウイルスチェック中" in message
    answer = _api(head, unscanned, "GET", f"/api/surveys/{sid}/answers/somuka").json()["answer"]
    assert answer["state"] == "draft", "nothing was submitted"
    page = _api(head, unscanned, "GET", f"/surveys/{sid}/answers/somuka").text
    tag = f'data-testid="scan-status">{translated("Virus check in progress")}'
    assert tag in page, "the page says which file is being checked"
    link = f"/surveys/{sid}/answers/somuka/files/{stored.json()['id']}"
    assert _api(head, unscanned, "GET", link, allow_redirects=False).status_code == 409, "not served unscanned"


def test_a_part_forwarded_to_a_person_takes_uploads_on_its_page(stack: RunningStack, signed_in: Signed) -> None:
    sid = _issue(stack, signed_in)
    coordinator, head = signed_in("yamada.k"), signed_in(HEAD)
    forwarded = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/somuka/forward",
        json={"assignees": ["staff:ohashi.t"], "question_ids": ["q2"], "note": "計画書をお願いします"},
    )
    assert forwarded.status_code == 200, forwarded.text
    (part,) = forwarded.json()["items"]
    page = _api(head, stack, "GET", f"/surveys/{sid}/answers/somuka/parts/{part['part_id']}")
    upload_path = f"/api/surveys/{sid}/answers/somuka/parts/{part['part_id']}/uploads"
    assert page.status_code == 200 and f'data-upload-url="{upload_path}"' in page.text, "the part page's upload box"
    body = {"name": "係の計画書.pdf", "size": 4, "content_type": "application/pdf"}
    assert _api(signed_in(STRANGER), stack, "POST", upload_path, json=body).status_code == 404
    ticket = _api(head, stack, "POST", upload_path, json=body)
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    requests.post(
        t["url"], data=t["fields"], files={"file": ("係の計画書.pdf", b"%PDF")}, timeout=30
    ).raise_for_status()
    filed = _api(head, stack, "POST", f"/api/files/uploads/{t['upload_id']}/complete")
    assert filed.status_code == 201 and filed.json()["scan_status"] == "pending", filed.text
    saved = _api(
        head,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/somuka/parts/{part['part_id']}",
        json={"revision": part["revision"], "values": {"q2": [{"file_id": filed.json()["id"], "name": "x"}]}},
    )
    assert saved.status_code == 200, saved.text
