"""A survey's attachments over HTTP on the local stack: the issuer attaches a file of their 所属's
space, issues, and each role downloads it (or not): the issuer, a target 所属's member and its
所属長, a stranger (404), and an outside organisation through its respondent session. The outside
organisation also answers 「該当なし」 from its page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.integration.test_files import upload
from tests.integration.test_survey_external import Respondent
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
FORM = {
    "questions": [{"question_id": "q1", "type": "number", "label": "研修の受講者数", "required": True, "unit": "人"}]
}
CONTENT = "様式第1号 研修実績報告\n".encode() * 50


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def _followed(response: requests.Response) -> bytes:
    """The bytes behind a download address (a redirect to a short-lived URL of the copy)."""
    assert response.status_code == 302, response.text
    fetched = requests.get(response.headers["Location"], timeout=30)
    assert fetched.status_code == 200
    return fetched.content


@pytest.fixture
def issued(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    issuer = signed_in("tanaka.h")  # 人事課's 所属長
    tag = uuid.uuid4().hex[:6]
    stored = upload(issuer, stack, "dept:jinji", f"様式1_研修実績_{tag}.xlsx", CONTENT)
    assert stored.status_code == 201, stored.text
    email = f"kikaku-{tag}@city.kitami.example.lg.jp"
    draft = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"職員研修の実施状況について（照会） {tag}",
            "deadline": (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00"),
            "targets": ["somuka"],
            "form": FORM,
            "external_targets": [{"name": "北見市 企画課", "email": email}],
        },
    ).json()
    survey_id = draft["id"]
    picker = _api(issuer, stack, "GET", f"/surveys/{survey_id}/attachments")
    assert picker.status_code == 200 and f"様式1_研修実績_{tag}.xlsx" in picker.text
    assert 'id="upload"' in picker.text, "the issuing 所属's space offers the uploader"
    attached = _api(
        issuer,
        stack,
        "POST",
        f"/surveys/{survey_id}/attachments",
        data={"file_id": stored.json()["id"], "csrf_token": csrf_from(picker.text)},
        allow_redirects=False,
    )
    assert attached.status_code == 303 and attached.headers["Location"].endswith("?done=attached#attachments")
    (attachment,) = _api(issuer, stack, "GET", f"/api/surveys/{survey_id}").json()["attachments"]
    sent = _api(issuer, stack, "POST", f"/api/surveys/{survey_id}/issue", json={})
    assert sent.status_code == 200, sent.text
    return {
        "issuer": issuer,
        "survey_id": survey_id,
        "attachment": attachment,
        "file_id": stored.json()["id"],
        "email": email,
    }


def test_every_reader_of_the_survey_downloads_the_attachment_and_a_stranger_gets_404(
    stack: RunningStack, signed_in: Signed, issued: dict[str, Any]
) -> None:
    survey_id, attachment = issued["survey_id"], issued["attachment"]
    address = f"/surveys/{survey_id}/attachments/{attachment['id']}"
    assert attachment["url"] == address
    for staff_id in ("tanaka.h", "yamada.k", "ohashi.t"):  # issuer, target member, target 所属長
        who = signed_in(staff_id)
        assert _followed(_api(who, stack, "GET", address, allow_redirects=False)) == CONTENT, staff_id
    member_page = _api(signed_in("yamada.k"), stack, "GET", f"/surveys/{survey_id}/answers/somuka")
    assert f'href="{address}"' in member_page.text, "the answer page lists what was sent"
    stranger = signed_in("aoki.h")
    assert _api(stranger, stack, "GET", address, allow_redirects=False).status_code == 404
    assert (
        _api(stranger, stack, "POST", f"/api/surveys/{survey_id}/attachments/{attachment['id']}/download").status_code
        == 404
    )
    # The 所属's own file is no more visible than before.
    assert _api(signed_in("yamada.k"), stack, "GET", f"/api/files/{issued['file_id']}").status_code == 404
    # Once issued, what was sent is fixed.
    removed = _api(issued["issuer"], stack, "DELETE", f"/api/surveys/{survey_id}/attachments/{attachment['id']}")
    assert removed.status_code == 409


def test_an_outside_organisation_downloads_through_its_session_and_answers_not_applicable(
    stack: RunningStack, signed_in: Signed, issued: dict[str, Any]
) -> None:
    survey_id, attachment = issued["survey_id"], issued["attachment"]
    kitami = Respondent(stack, issued["email"])
    kitami.verify()
    page = kitami.page("/r/view")
    address = f"/r/attachments/{attachment['id']}"
    assert f'href="{address}"' in page.text and f"/surveys/{survey_id}/attachments" not in page.text
    assert _followed(kitami.page(address, allow_redirects=False)) == CONTENT
    assert kitami.api("GET", "").json()["survey"]["attachments"][0]["url"] == address
    # Without the session (a staff member's browser, or nobody's) the respondent address gives nothing.
    assert _api(signed_in("yamada.k"), stack, "GET", address, allow_redirects=False).status_code in (401, 403, 404)
    assert requests.get(f"{stack.base_url}{address}", allow_redirects=False, timeout=30).status_code in (401, 403, 404)

    answered = kitami.post("/r/not-applicable", {"revision": "0"}, csrf_from(page.text))
    assert answered.status_code == 303 and answered.headers["Location"].endswith("/r/view?done=not-applicable")
    board = _api(issued["issuer"], stack, "GET", f"/api/surveys/{survey_id}/board").json()
    (row,) = [r for r in board["rows"] if r["unit_id"].startswith("ext:")]
    assert row["state"] == "not_applicable"
