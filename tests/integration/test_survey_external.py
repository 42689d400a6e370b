"""Surveys to organisations outside the prefecture, end to end over HTTP on the local stack: the
issuer adds them, issues, each contact gets an invitation with their own link, verifies by code,
saves and submits on the respondent page; the board shows it; nobody reaches another's answer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import eventually, translated
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "回答者名", "required": True},
        {"question_id": "q2", "type": "number", "label": "避難所の数", "required": True, "unit": "か所"},
    ]
}


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def _mail(stack: RunningStack, address: str, pattern: str) -> str:
    """The first capture of `pattern` in the newest mail to `address` that has it."""

    def find() -> str | None:
        out = stack.kumo("outbox", "--to", address, check=True).stdout
        match = re.search(pattern, out)
        return match.group(1) if match else None

    return str(eventually(find, timeout_s=20))


class Respondent:
    """A browser with no Kumo account at an outside organisation: only the invitation's link."""

    def __init__(self, stack: RunningStack, email: str) -> None:
        self.stack, self.email = stack, email
        self.url = _mail(stack, email, rf"({re.escape(stack.base_url)}/r/#[A-Za-z0-9_-]+)")
        self.token = self.url.split("#", 1)[1]
        self.http = requests.Session()

    def page(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(f"{self.stack.base_url}{path}", timeout=60, **kw)

    def post(self, path: str, data: dict[str, str], csrf: str) -> requests.Response:
        return self.http.post(
            f"{self.stack.base_url}{path}", data={**data, "csrf_token": csrf}, allow_redirects=False, timeout=60
        )

    def open(self) -> requests.Response:
        opener = self.page("/r")
        assert opener.status_code == 200 and 'action="/r/open"' in opener.text
        return self.post("/r/open", {"token": self.token}, csrf_from(opener.text))

    def verify(self) -> None:
        assert self.open().status_code == 303
        gate = self.page("/r/view")
        assert 'data-testid="email-form"' in gate.text
        assert self.post("/r/email", {"email": self.email}, csrf_from(gate.text)).status_code == 303
        code = _mail(self.stack, self.email, r"確認コード: (\d{6})")
        form = self.page("/r/view")
        assert 'data-testid="code-form"' in form.text
        assert self.post("/r/code", {"code": code}, csrf_from(form.text)).status_code == 303
        self.http.headers["X-CSRF-Token"] = self.http.cookies["kumo_csrf"]

    def api(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, f"{self.stack.base_url}/api/respond{path}", timeout=60, **kw)


@pytest.fixture
def issued(stack: RunningStack, signed_in: Signed) -> dict[str, Any]:
    issuer = signed_in("tanaka.h")
    tag = uuid.uuid4().hex[:6]
    emails = {"kitami": f"kikaku-{tag}@city.kitami.example.lg.jp", "abashiri": f"somu-{tag}@town.abashiri.example.jp"}
    deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    draft = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": f"避難所の開設状況調査 {tag}",
            "deadline": deadline,
            "instructions": "管内の避難所の数をご回答ください。",
            "targets": ["jinji"],
            "form": FORM,
            "external_targets": [
                {"name": "北見市 企画課", "email": emails["kitami"]},
                {"name": "網走町 総務課", "email": emails["abashiri"]},
            ],
        },
    )
    assert draft.status_code == 201, draft.text
    survey = draft.json()
    assert [t["name"] for t in survey["external_targets"]] == ["北見市 企画課", "網走町 総務課"]
    assert all(re.match(r"^org_[0-9a-f]+$", t["org_id"]) for t in survey["external_targets"])
    sent = _api(issuer, stack, "POST", f"/api/surveys/{survey['id']}/issue", json={})
    assert sent.status_code == 200, sent.text
    units = {t["email"]: f"ext:{t['org_id']}" for t in survey["external_targets"]}
    return {"issuer": issuer, "survey": sent.json(), "emails": emails, "units": units}


def test_an_outside_organisation_answers_through_its_link_and_the_board_shows_it(
    stack: RunningStack, issued: dict[str, Any]
) -> None:
    survey, email = issued["survey"], issued["emails"]["kitami"]
    unit = issued["units"][email]
    mail = stack.kumo("outbox", "--to", email, check=True).stdout
    assert survey["title"] in mail and survey["number"] in mail and "回答期限" in mail and "Deadline" in mail
    kitami = Respondent(stack, email)
    assert kitami.token not in "".join(stack.output), "the token is never logged"

    kitami.verify()
    page = kitami.page("/r/view")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    for shown in (survey["title"], survey["number"], "管内の避難所の数をご回答ください。", "北見市 企画課", "か所"):
        assert shown in page.text, shown
    assert f'data-save-url="/api/respond/surveys/{survey["id"]}/answers/{unit}"' in page.text
    answer_path = f"/surveys/{survey['id']}/answers/{unit}"
    saved = kitami.api("PUT", answer_path, json={"values": {"q1": "佐々木 一郎"}, "revision": 0})
    assert saved.status_code == 200, saved.text
    revision = saved.json()["answer"]["revision"]
    early = kitami.post("/r/submit", {"revision": str(revision)}, csrf_from(page.text))
    assert early.status_code == 400 and "避難所の数" in early.text, "an incomplete answer: the problem at its question"
    saved = kitami.api("PUT", answer_path, json={"values": {"q1": "佐々木 一郎", "q2": "14"}, "revision": revision})
    submitted = kitami.post("/r/submit", {"revision": str(saved.json()["answer"]["revision"])}, csrf_from(page.text))
    assert submitted.status_code == 303 and submitted.headers["Location"].endswith("/r/view?done=submitted")
    done = kitami.page("/r/view?done=submitted")
    assert 'data-done="submitted"' in done.text and 'data-testid="take-back-form"' in done.text

    board = _api(issued["issuer"], stack, "GET", f"/api/surveys/{survey['id']}/board").json()
    row = next(r for r in board["rows"] if r["unit_id"] == unit)
    assert (row["unit_name"], row["state"], row["department_name"]) == (
        "北見市 企画課",
        "submitted",
        translated("Outside organisations"),
    )
    issuer_page = _api(issued["issuer"], stack, "GET", f"/surveys/{survey['id']}")
    assert "北見市 企画課" in issuer_page.text and translated("Submitted") in issuer_page.text
    reached = _api(issued["issuer"], stack, "GET", f"/api/surveys/{survey['id']}/answers/{unit}").json()
    assert reached["answer"]["values"] == {"q1": "佐々木 一郎", "q2": "14"}
    inbox = eventually(
        lambda: [
            n
            for n in _api(issued["issuer"], stack, "GET", "/api/notifications").json()["items"]
            if n["kind"] == "survey_answered" and survey["title"] in n["text"]
        ]
    )
    assert "北見市 企画課" in inbox[0]["text"], "the issuer hears who answered, by the organisation's name"
    export = _api(
        issued["issuer"], stack, "GET", f"/api/surveys/{survey['id']}/export?format=csv", allow_redirects=False
    )
    assert export.status_code == 303, export.text
    csv = requests.get(export.headers["Location"], timeout=30).content.decode("utf-8-sig")
    assert "北見市 企画課" in csv and "佐々木 一郎" in csv, "the export lists the organisation like a 所属"
    found = eventually(
        lambda: [
            h
            for h in _api(issued["issuer"], stack, "GET", "/api/search", params={"q": "北見市"}).json()["items"]
            if h["kind"] == "answer" and h["link"] == f"/surveys/{survey['id']}/answers/{unit}"
        ]
    )
    assert "北見市 企画課" in found[0]["name"], "search finds the answer by the organisation's name"
    answer_page = _api(issued["issuer"], stack, "GET", f"/surveys/{survey['id']}/answers/{unit}")
    assert 'data-testid="outside-contact"' in answer_page.text and email in answer_page.text
    assert (
        translated("Invitation mailed") in answer_page.text and translated("Submitted for approval") in answer_page.text
    )


def test_one_organisations_session_cannot_reach_anothers_answer(stack: RunningStack, issued: dict[str, Any]) -> None:
    survey = issued["survey"]
    kitami_unit = issued["units"][issued["emails"]["kitami"]]
    abashiri = Respondent(stack, issued["emails"]["abashiri"])
    abashiri.verify()
    own = abashiri.api("GET", "").json()
    assert own["answer"]["unit_id"] == issued["units"][issued["emails"]["abashiri"]]
    assert own["answer"]["unit_name"] == "網走町 総務課" and "targets" not in own["survey"]
    mine = f"/surveys/{survey['id']}/answers/{own['answer']['unit_id']}"
    assert abashiri.api("PUT", mine, json={"values": "x", "revision": 0}).status_code == 400
    assert abashiri.api("PUT", mine, json={"values": {}}).status_code == 400, "the revision is needed"
    other = f"/surveys/{survey['id']}/answers/{kitami_unit}"
    assert abashiri.api("GET", other).status_code == 404
    assert abashiri.api("PUT", other, json={"values": {"q1": "x"}, "revision": 0}).status_code == 404
    assert abashiri.api("POST", other + "/submit", json={"revision": 0}).status_code == 404
    staff_path = f"{stack.base_url}/api/surveys/{survey['id']}/answers/{kitami_unit}"
    assert abashiri.http.get(staff_path, timeout=30).status_code == 401, "a respondent is no staff member"
    # The other organisation's contact cannot verify on this link either: no code goes to them.
    second = Respondent(stack, issued["emails"]["abashiri"])
    second.open()
    gate = second.page("/r/view")
    before = stack.kumo("outbox", "--to", issued["emails"]["kitami"], check=True).stdout.count("確認コード")
    second.post("/r/email", {"email": issued["emails"]["kitami"]}, csrf_from(gate.text))
    after = stack.kumo("outbox", "--to", issued["emails"]["kitami"], check=True).stdout.count("確認コード")
    assert after == before


def test_wrong_codes_are_limited_and_an_expired_link_is_refused(stack: RunningStack, issued: dict[str, Any]) -> None:
    email = issued["emails"]["kitami"]
    kitami = Respondent(stack, email)
    kitami.open()
    gate = kitami.page("/r/view")
    kitami.post("/r/email", {"email": email}, csrf_from(gate.text))
    code = _mail(stack, email, r"確認コード: (\d{6})")
    wrong = "000000" if code != "000000" else "111111"
    form = csrf_from(kitami.page("/r/view").text)
    statuses = [kitami.post("/r/code", {"code": wrong}, form).status_code for _ in range(5)]
    assert statuses == [401] * 5
    limited = kitami.post("/r/code", {"code": code}, form)
    assert limited.status_code == 429 and translated("Too many wrong codes. Ask for a new one.") in limited.text

    link_id = _link_of(stack, issued["survey"]["id"], issued["units"][email])
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    stack.boto3("dynamodb").update_item(
        TableName="kumo-share_links",
        Key={"link_id": {"S": link_id}},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"S": past}},
    )
    gone = Respondent(stack, email).open()
    assert gone.status_code == 410 and 'data-testid="respond-error"' in gone.text
    assert kitami.page("/r/view").status_code == 410


def _link_of(stack: RunningStack, survey_id: str, unit_id: str) -> str:
    found = stack.boto3("dynamodb").query(
        TableName="kumo-share_links",
        IndexName="by_target",
        KeyConditionExpression="target_id = :k",
        ExpressionAttributeValues={":k": {"S": f"{survey_id}/{unit_id}"}},
    )["Items"]
    assert len(found) == 1
    return str(found[0]["link_id"]["S"])


def test_the_token_is_stored_only_as_its_hash(stack: RunningStack, issued: dict[str, Any]) -> None:
    token = Respondent(stack, issued["emails"]["kitami"]).token
    dynamodb = stack.boto3("dynamodb")
    for table in ("share_links", "share_tokens", "survey_answers", "survey_history", "surveys"):
        items = dynamodb.scan(TableName=f"kumo-{table}")["Items"]
        assert token not in str(items), table


def test_closing_the_survey_leaves_the_answer_readable_and_stops_changes(
    stack: RunningStack, issued: dict[str, Any]
) -> None:
    email = issued["emails"]["abashiri"]
    unit = issued["units"][email]
    abashiri = Respondent(stack, email)
    abashiri.verify()
    path = f"/surveys/{issued['survey']['id']}/answers/{unit}"
    assert abashiri.api("PUT", path, json={"values": {"q1": "高橋"}, "revision": 0}).status_code == 200
    closed = _api(issued["issuer"], stack, "POST", f"/api/surveys/{issued['survey']['id']}/close")
    assert closed.status_code == 200, closed.text
    page = abashiri.page("/r/view")
    assert 'data-testid="closed-note"' in page.text and "data-save-url" not in page.text
    assert 'value="高橋"' in page.text and 'data-testid="submit-form"' not in page.text
    assert abashiri.api("PUT", path, json={"values": {"q1": "x"}, "revision": 1}).status_code == 409


def test_the_respondent_pages_speak_english_too(stack: RunningStack, issued: dict[str, Any]) -> None:
    kitami = Respondent(stack, issued["emails"]["kitami"])
    kitami.verify()
    ja = kitami.page("/r/view")
    assert 'lang="ja"' in ja.text and "回答" in ja.text
    switched = kitami.post("/language", {"language": "en", "next": "/r/view"}, csrf_from(ja.text))
    assert switched.status_code == 303
    en = kitami.page("/r/view")
    assert 'lang="en"' in en.text and "Your answer" in en.text and "Submit" in en.text
    opened_elsewhere = kitami.page("/s/view", allow_redirects=False)
    assert opened_elsewhere.status_code == 303 and opened_elsewhere.headers["Location"].endswith("/r/view")


def test_the_issuer_sends_an_invitation_again_and_the_old_link_stops(
    stack: RunningStack, issued: dict[str, Any]
) -> None:
    email = issued["emails"]["kitami"]
    old = Respondent(stack, email)
    org_id = issued["units"][email].removeprefix("ext:")
    again = _api(issued["issuer"], stack, "POST", f"/api/surveys/{issued['survey']['id']}/external/{org_id}/resend")
    assert again.status_code == 200, again.text
    new = eventually(lambda: (r := Respondent(stack, email)).token != old.token and r)
    assert old.open().status_code == 404
    new.verify()
    assert new.api("GET", "").status_code == 200
