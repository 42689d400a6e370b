"""A file question answered by an organisation outside the prefecture, over HTTP on the local stack:
its respondent session opens an upload on its answer, sends the bytes, completes it through the
partner upload API, the scanner clears it (PartnerUploaded on the bus), the answer is submitted,
and the 照会元 downloads it as an attachment; another organisation reaches nothing of it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.integration.test_survey_external import Respondent
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "回答者名"},
        {"question_id": "q2", "type": "file", "label": "避難所一覧", "required": True},
    ]
}


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def test_an_outside_organisation_sends_a_file_with_its_answer(stack: RunningStack, signed_in: Signed) -> None:
    issuer = signed_in("tanaka.h")
    tag = uuid.uuid4().hex[:6]
    kitami_mail, abashiri_mail = f"kikaku-{tag}@city.kitami.example.lg.jp", f"somu-{tag}@town.abashiri.example.jp"
    draft = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"避難所一覧の提出について {tag}",
            "deadline": (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00"),
            "targets": ["jinji"],
            "form": FORM,
            "external_targets": [
                {"name": "北見市 企画課", "email": kitami_mail},
                {"name": "網走町 総務課", "email": abashiri_mail},
            ],
        },
    )
    assert draft.status_code == 201, draft.text
    issued = _api(issuer, stack, "POST", f"/api/surveys/{draft.json()['id']}/issue", json={})
    assert issued.status_code == 200, issued.text  # a file question no longer keeps outside organisations out
    sid = issued.json()["id"]

    kitami = Respondent(stack, kitami_mail)
    kitami.verify()
    unit = kitami.api("GET", "").json()["answer"]["unit_id"]
    content = "避難所名,収容人数\n北見市民会館,300\n".encode()
    ticket = kitami.api(
        "POST", f"/surveys/{sid}/answers/{unit}/uploads", json={"name": "避難所一覧.csv", "size": len(content)}
    )
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    requests.post(
        t["url"], data=t["fields"], files={"file": ("避難所一覧.csv", content)}, timeout=30
    ).raise_for_status()
    filed = kitami.http.post(f"{stack.base_url}/api/share/uploads/{t['upload_id']}/complete", timeout=60)
    assert filed.status_code == 201, filed.text
    file_id = filed.json()["id"]

    answer = kitami.api("GET", f"/surveys/{sid}/answers/{unit}").json()["answer"]
    saved = kitami.api(
        "PUT",
        f"/surveys/{sid}/answers/{unit}",
        json={"revision": answer["revision"], "values": {"q1": "佐々木", "q2": [{"file_id": file_id, "name": "x"}]}},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["answer"]["values"]["q2"] == [{"file_id": file_id, "name": "避難所一覧.csv"}]

    def scanned() -> str | None:
        status = _api(issuer, stack, "GET", f"/api/files/{file_id}").json()["scan_status"]
        return None if status == "pending" else str(status)

    assert eventually(scanned) == "clean", "scanned like every partner upload"
    own = kitami.page(f"/r/answer-files/{file_id}", allow_redirects=False)
    assert own.status_code == 302 and requests.get(own.headers["Location"], timeout=30).content == content

    link = f"/surveys/{sid}/answers/{unit}/files/{file_id}"
    assert _api(issuer, stack, "GET", link, allow_redirects=False).status_code == 404, "not before it is submitted"
    revision = saved.json()["answer"]["revision"]
    submitted = kitami.api("POST", f"/surveys/{sid}/answers/{unit}/submit", json={"revision": revision})
    assert submitted.status_code == 200, submitted.text
    got = _api(issuer, stack, "GET", link, allow_redirects=False)
    assert got.status_code == 302, got.text
    fetched = requests.get(got.headers["Location"], timeout=30)
    assert fetched.content == content and fetched.headers["Content-Disposition"].startswith("attachment;")

    abashiri = Respondent(stack, abashiri_mail)
    abashiri.verify()
    assert abashiri.page(f"/r/answer-files/{file_id}", allow_redirects=False).status_code == 404
    other = abashiri.api("POST", f"/surveys/{sid}/answers/{unit}/uploads", json={"name": "x.csv", "size": 3})
    assert other.status_code == 404
