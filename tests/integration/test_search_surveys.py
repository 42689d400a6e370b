"""Surveys and answers found beside files, through the real path: the surveys JSON API -> bus ->
index queue -> indexer function -> /api/search, under the survey pages' own access rules.

Each test uses words of its own, so tests share the stack without seeing each other's surveys.
People (chalicelib/local/demo.py): the survey comes from デジタル推進課 (dx) and goes to 道路課
(doro) and 農業振興課 (nogyo); 健康福祉政策課 (kimura.t) has nothing to do with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.integration.test_files import _api
from tests.integration.test_search import gone, ids, search
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]

ISSUER, ISSUER_HEAD = "ogata.r", "nakamura.s"  # デジタル推進課: 取りまとめ担当, 所属長
TARGET, TARGET_HEAD = "fujita.e", "sakamoto.j"  # 道路課: 取りまとめ担当, 所属長 (approves)
OTHER_TARGET = "mori.n"  # 農業振興課: also asked, must never see 道路課's answer
STRANGER = "kimura.t"  # 健康福祉政策課: not asked

FORM = {
    "questions": [
        {"question_id": "q_name", "type": "short_text", "label": "担当者名"},
        {"question_id": "q_cars", "type": "number", "label": "公用車の台数", "unit": "台"},
        {
            "question_id": "q_list",
            "type": "table",
            "label": "車両一覧",
            "columns": [
                {"column_id": "c_type", "label": "車種", "type": "text"},
                {"column_id": "c_count", "label": "台数", "type": "number"},
            ],
        },
    ]
}


def _ok(response: requests.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _draft(me: requests.Session, stack: RunningStack, word: str) -> dict[str, Any]:
    body = {
        "title": f"公用車の利用状況調査 {word}",
        "deadline": (date.today() + timedelta(days=14)).isoformat(),
        "issuer_unit_id": "dx",
        "instructions": f"各課で保有する車両について、{word}の欄も含めて回答してください。",
        "targets": ["doro", "nogyo"],
        "form": FORM,
    }
    return _ok(_api(me, stack, "POST", "/api/surveys", json=body), 201)


def _issued(stack: RunningStack, signed_in: Signed, word: str) -> str:
    issuer = signed_in(ISSUER)
    survey_id = str(_draft(issuer, stack, word)["id"])
    _ok(_api(issuer, stack, "POST", f"/api/surveys/{survey_id}/issue", json={}))
    return survey_id


def _hit(
    session: requests.Session,
    stack: RunningStack,
    doc_id: str,
    *,
    issued: bool = False,
    **params: Any,
) -> dict[str, Any]:
    """Wait until the document is among the results (indexing is asynchronous), and return it.

    A draft is indexed too (its issuer finds it), so with `issued` the wait goes on until the
    issued version, which carries the 照会番号, has replaced the draft's."""

    def found() -> dict[str, Any] | None:
        hit = next((i for i in search(session, stack, **params)["items"] if i["id"] == doc_id), None)
        return hit if hit is not None and (hit.get("number") or not issued) else None

    return dict(eventually(found, timeout_s=30))


def _answer_and_approve(stack: RunningStack, signed_in: Signed, survey_id: str, word: str) -> None:
    member, head = signed_in(TARGET), signed_in(TARGET_HEAD)
    path = f"/api/surveys/{survey_id}/answers/doro"
    revision = _ok(_api(member, stack, "GET", path))["answer"]["revision"]
    values = {
        "q_name": f"藤田 {word}",
        "q_cars": "7",
        "q_list": [{"c_type": "電気自動車", "c_count": "2"}, {"c_type": "軽トラック", "c_count": "5"}],
    }
    revision = _ok(_api(member, stack, "PUT", path, json={"values": values, "revision": revision}))["answer"][
        "revision"
    ]
    _ok(_api(member, stack, "POST", f"{path}/submit", json={"revision": revision}))
    _ok(_api(head, stack, "POST", f"{path}/approve", json={}))


def test_an_issued_survey_is_found_by_its_issuer_and_targets_not_by_a_stranger(
    stack: RunningStack, signed_in: Signed
) -> None:
    word = f"照会語{uuid.uuid4().hex[:6]}"
    survey_id = _issued(stack, signed_in, word)
    doc_id = f"survey:{survey_id}"
    for person in (ISSUER, ISSUER_HEAD, TARGET, TARGET_HEAD, OTHER_TARGET):
        hit = _hit(signed_in(person), stack, doc_id, issued=True, q=word)
        assert (hit["kind"], hit["link"]) == ("survey", f"/surveys/{survey_id}"), person
        assert hit["unit_id"] == "dx" and hit["number"].endswith("号"), "the 所属 and 照会番号 come with it"
    hit = _hit(signed_in(TARGET), stack, doc_id, q="公用車の台数", kind="survey")
    assert "<mark>" in hit["snippet_html"], "a question's label finds it, highlighted"
    facets = search(signed_in(TARGET), stack, q=word)["facets"]["kind"]
    assert {"value": "survey", "count": 1} in facets
    for params in ({"q": word}, {"q": word, "kind": "survey"}, {"q": "", "kind": "survey", "per_page": "50"}):
        assert doc_id not in ids(search(signed_in(STRANGER), stack, **params)), params
    assert doc_id not in ids(search(signed_in(TARGET), stack, q=word, kind="file")), "a file filter leaves it out"


def test_an_approved_answer_is_found_by_the_issuer_and_its_unit_only_and_leaves_when_returned(
    stack: RunningStack, signed_in: Signed
) -> None:
    word = f"回答語{uuid.uuid4().hex[:6]}"
    survey_id = _issued(stack, signed_in, word)
    doc_id = f"answer:{survey_id}:doro"
    _answer_and_approve(stack, signed_in, survey_id, word)
    for person in (ISSUER, ISSUER_HEAD, TARGET, TARGET_HEAD):
        hit = _hit(signed_in(person), stack, doc_id, q="軽トラック")
        assert (hit["kind"], hit["link"]) == ("answer", f"/surveys/{survey_id}/answers/doro"), person
        assert hit["unit_id"] == "doro" and "<mark>" in hit["snippet_html"]
    for person in (OTHER_TARGET, STRANGER):  # another target 所属, and a 所属 not asked at all
        for params in ({"q": "軽トラック"}, {"q": word}, {"q": word, "kind": "answer"}):
            assert doc_id not in ids(search(signed_in(person), stack, **params)), (person, params)
    assert f"survey:{survey_id}" in ids(search(signed_in(OTHER_TARGET), stack, q=word)), "the survey itself, yes"

    # Returned (差戻し) by the issuer: it is the 所属's draft again, found by nobody until it comes back.
    issuer = signed_in(ISSUER)
    path = f"/api/surveys/{survey_id}/answers/doro"
    _ok(_api(issuer, stack, "POST", f"{path}/return", json={"comment": "台数を確認してください。"}))
    gone(issuer, stack, doc_id, q=word)
    assert doc_id not in ids(search(signed_in(TARGET), stack, q=word))
    member = signed_in(TARGET)
    revision = _ok(_api(member, stack, "GET", path))["answer"]["revision"]
    changed = {"q_name": f"藤田 {word}", "q_cars": "8", "q_list": [{"c_type": "マイクロバス", "c_count": "8"}]}
    revision = _ok(_api(member, stack, "PUT", path, json={"values": changed, "revision": revision}))["answer"][
        "revision"
    ]
    assert doc_id not in ids(search(issuer, stack, q="マイクロバス")), "an edit that has not reached the issuer"
    _ok(_api(member, stack, "POST", f"{path}/submit", json={"revision": revision}))
    _ok(_api(signed_in(TARGET_HEAD), stack, "POST", f"{path}/approve", json={}))
    _hit(issuer, stack, doc_id, q="マイクロバス")
    assert doc_id not in ids(search(issuer, stack, q="軽トラック")), "the resubmitted answer replaced the first"


def test_a_draft_is_found_by_its_issuing_unit_only(stack: RunningStack, signed_in: Signed) -> None:
    word = f"下書き語{uuid.uuid4().hex[:6]}"
    issuer = signed_in(ISSUER)
    draft = _draft(issuer, stack, word)
    doc_id = f"survey:{draft['id']}"
    _hit(signed_in(ISSUER_HEAD), stack, doc_id, q=word)
    for person in (TARGET, OTHER_TARGET, STRANGER):
        assert doc_id not in ids(search(signed_in(person), stack, q=word)), person
    renamed = {**{k: draft[k] for k in ("deadline", "instructions", "targets", "form")}, "revision": draft["revision"]}
    renamed["title"] = f"車両台数の調査 {word}"
    renamed["deadline"] = (date.today() + timedelta(days=14)).isoformat()
    _ok(_api(issuer, stack, "PUT", f"/api/surveys/{draft['id']}", json=renamed))
    eventually(lambda: _hit(issuer, stack, doc_id, q=word)["name"] == renamed["title"], timeout_s=30)


def test_reindex_keeps_surveys_and_answers(stack: RunningStack, signed_in: Signed) -> None:
    word = f"再索引照会{uuid.uuid4().hex[:6]}"
    survey_id = _issued(stack, signed_in, word)
    _answer_and_approve(stack, signed_in, survey_id, word)
    issuer = signed_in(ISSUER)
    _hit(issuer, stack, f"answer:{survey_id}:doro", q=word)
    done = stack.kumo("reindex", check=True)
    assert "survey records" in done.stdout and "answer records" in done.stdout, done.stdout
    found = ids(search(issuer, stack, q=word))
    assert {f"survey:{survey_id}", f"answer:{survey_id}:doro"} <= set(found), found
    assert f"answer:{survey_id}:doro" not in ids(search(signed_in(OTHER_TARGET), stack, q=word))


def test_the_search_page_labels_surveys_and_answers(stack: RunningStack, signed_in: Signed) -> None:
    word = f"画面照会{uuid.uuid4().hex[:6]}"
    survey_id = _issued(stack, signed_in, word)
    _answer_and_approve(stack, signed_in, survey_id, word)
    issuer = signed_in(ISSUER)
    _hit(issuer, stack, f"answer:{survey_id}:doro", q=word)
    html = issuer.get(f"{stack.base_url}/search", params={"q": word}, timeout=30).text
    assert f'href="/surveys/{survey_id}"' in html and f'href="/surveys/{survey_id}/answers/doro"' in html
    assert ">照会</span>" in html and ">回答</span>" in html and "道路課 の回答" in html
    assert "照会元: デジタル推進課" in html
