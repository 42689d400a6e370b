"""Surveys through real HTTP on the local stack: issue → forward to a 係 → merge → submit →
approve → return → resubmit → board → reminders once → who may see what."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
JST = timezone(timedelta(hours=9))

# The demo organisation (chalicelib/local/demo.py): who issues, who answers, who approves.
ISSUER = "yamada.k"  # 総務部 総務課, its 取りまとめ担当
TARGET = "doro"  # 土木部 道路課
TARGET_HEAD = "sakamoto.j"  # its 所属長
TARGET_COORDINATOR = "fujita.e"  # its 取りまとめ担当
TARGET_MEMBER = "fujii.r"  # in its 道路建設係
TARGET_SECTION = "doro-kensetsu"
SECOND_TARGET = "jinji"  # 総務部 人事課
SECOND_COORDINATOR = "kondo.m"
STRANGER = "ogata.r"  # デジタル推進課: neither issuer nor target

FORM = {
    "questions": [
        {
            "question_id": "q_people",
            "type": "number",
            "label": "担当職員数",
            "unit": "人",
            "required": True,
            "minimum": "0",
        },
        {"question_id": "q_done", "type": "yes_no", "label": "点検を実施しましたか", "required": True},
        {
            "question_id": "q_when",
            "type": "date",
            "label": "実施日",
            "condition": {"question_id": "q_done", "values": ["yes"]},
            "required": True,
        },
        {
            "question_id": "q_sites",
            "type": "table",
            "label": "点検箇所",
            "min_rows": 1,
            "max_rows": 50,
            "columns": [
                {"column_id": "name", "label": "箇所名", "type": "text", "required": True},
                {"column_id": "cost", "label": "費用", "type": "number", "unit": "千円", "total": True},
            ],
        },
    ]
}


def _api(session: requests.Session, stack: RunningStack, method: str, path: str, **kw: Any) -> requests.Response:
    return session.request(method, f"{stack.base_url}{path}", timeout=60, **kw)


def _deadline(days: int = 7) -> str:
    return (datetime.now(JST) + timedelta(days=days)).strftime("%Y-%m-%dT17:00")


def issue_survey(stack: RunningStack, signed_in: Signed, targets: list[str], **extra: Any) -> dict[str, Any]:
    issuer = signed_in(ISSUER)
    body = {
        "title": f"道路施設の点検状況について（照会）{uuid.uuid4().hex[:4]}",
        "deadline": _deadline(),
        "targets": targets,
        "form": FORM,
        "instructions": "各所属で取りまとめて回答してください。",
        **extra,
    }
    created = _api(issuer, stack, "POST", "/api/surveys", json=body)
    assert created.status_code == 201, created.text
    issued = _api(issuer, stack, "POST", f"/api/surveys/{created.json()['id']}/issue", json={})
    assert issued.status_code == 200, issued.text
    return dict(issued.json())


def _answer(session: requests.Session, stack: RunningStack, survey_id: str, unit: str) -> dict[str, Any]:
    response = _api(session, stack, "GET", f"/api/surveys/{survey_id}/answers/{unit}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _board(stack: RunningStack, signed_in: Signed, survey_id: str) -> dict[str, str]:
    rows = _api(signed_in(ISSUER), stack, "GET", f"/api/surveys/{survey_id}/board").json()["rows"]
    return {r["unit_id"]: r["state"] for r in rows}


def test_issue_forward_merge_approve_return_resubmit(stack: RunningStack, signed_in: Signed) -> None:
    survey = issue_survey(stack, signed_in, [TARGET, SECOND_TARGET])
    sid = survey["id"]
    assert survey["number"].startswith("総務第") and survey["number"].endswith("号")
    assert _board(stack, signed_in, sid) == {TARGET: "not_started", SECOND_TARGET: "not_started"}

    coordinator = signed_in(TARGET_COORDINATOR)
    forwarded = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/forward",
        json={"assignees": [f"unit:{TARGET_SECTION}"], "note": "維持係の分をお願いします"},
    )
    assert forwarded.status_code == 200, forwarded.text
    part = forwarded.json()["items"][0]

    member = signed_in(TARGET_MEMBER)
    mine = _api(member, stack, "GET", "/api/surveys").json()["parts"]
    assert [p["part_id"] for p in mine if p["survey_id"] == sid] == [part["part_id"]]
    part_path = f"/api/surveys/{sid}/answers/{TARGET}/parts/{part['part_id']}"
    saved = _api(
        member,
        stack,
        "PUT",
        part_path,
        json={
            "revision": part["revision"],
            "values": {
                "q_sites": [{"name": "県道12号 橋梁", "cost": "1,200"}, {"name": "県道40号 トンネル", "cost": "３５０"}]
            },
        },
    )
    assert saved.status_code == 200, saved.text
    assert _api(member, stack, "POST", part_path + "/send").status_code == 200

    answer = _answer(coordinator, stack, sid, TARGET)["answer"]
    base = _api(
        coordinator,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/{TARGET}",
        json={
            "revision": answer["revision"],
            "values": {
                "q_people": "12",
                "q_done": "yes",
                "q_when": "令和8年11月20日",
                "q_sites": [{"name": "本庁舎前 歩道橋", "cost": "80"}],
            },
        },
    )
    assert base.status_code == 200, base.text
    assert base.json()["answer"]["values"]["q_when"] == "2026-11-20"
    merged = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/merge",
        json={"revision": base.json()["answer"]["revision"]},
    )
    assert merged.status_code == 200, merged.text
    rows = merged.json()["answer"]["values"]["q_sites"]
    assert [r["name"] for r in rows] == ["本庁舎前 歩道橋", "県道12号 橋梁", "県道40号 トンネル"]
    assert [r["cost"] for r in rows] == ["80", "1200", "350"]
    assert _board(stack, signed_in, sid)[TARGET] == "draft"

    submitted = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/submit",
        json={"revision": merged.json()["answer"]["revision"]},
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "pending_approval"
    assert _board(stack, signed_in, sid)[TARGET] == "pending_approval"
    # Only the 所属長 approves; the coordinator cannot approve their own submission.
    assert _api(coordinator, stack, "POST", f"/api/surveys/{sid}/answers/{TARGET}/approve").status_code == 400

    head = signed_in(TARGET_HEAD)
    approved = _api(head, stack, "POST", f"/api/surveys/{sid}/answers/{TARGET}/approve")
    assert approved.status_code == 200, approved.text
    assert _board(stack, signed_in, sid)[TARGET] == "submitted"

    issuer = signed_in(ISSUER)
    returned = _api(
        issuer,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/return",
        json={"comment": "費用の単位を確認してください。"},
    )
    assert returned.status_code == 200, returned.text
    assert _board(stack, signed_in, sid)[TARGET] == "returned"
    view = _answer(coordinator, stack, sid, TARGET)
    assert view["answer"]["return_comment"] == "費用の単位を確認してください。"
    assert [h["action"] for h in view["history"]][-3:] == ["submitted", "approved", "returned"]

    again = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/submit",
        json={"revision": view["answer"]["revision"]},
    )
    assert again.status_code == 200, again.text
    assert _api(head, stack, "POST", f"/api/surveys/{sid}/answers/{TARGET}/approve").status_code == 200
    assert _board(stack, signed_in, sid) == {TARGET: "submitted", SECOND_TARGET: "not_started"}


def test_a_submit_with_missing_answers_names_the_problems(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [TARGET])["id"]
    coordinator = signed_in(TARGET_COORDINATOR)
    answer = _answer(coordinator, stack, sid, TARGET)["answer"]
    saved = _api(
        coordinator,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/{TARGET}",
        json={"revision": answer["revision"], "values": {"q_people": "十二", "q_done": "yes"}},
    )
    assert saved.status_code == 200  # a draft keeps what it can
    assert [p["question_id"] for p in saved.json()["problems"]] == ["q_people"]
    refused = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/submit",
        json={"revision": saved.json()["answer"]["revision"]},
    )
    assert refused.status_code == 400
    problems = {e["question_id"] for e in refused.json()["details"]["errors"]}
    assert problems == {"q_people", "q_when", "q_sites"}
    assert _board(stack, signed_in, sid)[TARGET] == "draft"


def test_two_editors_at_once_one_wins_the_other_reloads(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [TARGET])["id"]
    first, second = signed_in(TARGET_COORDINATOR), signed_in(TARGET_MEMBER)
    revision = _answer(first, stack, sid, TARGET)["answer"]["revision"]
    ok = _api(
        first,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/{TARGET}",
        json={"revision": revision, "values": {"q_people": "3"}},
    )
    stale = _api(
        second,
        stack,
        "PUT",
        f"/api/surveys/{sid}/answers/{TARGET}",
        json={"revision": revision, "values": {"q_people": "4"}},
    )
    assert ok.status_code == 200 and stale.status_code == 409
    assert _answer(second, stack, sid, TARGET)["answer"]["values"]["q_people"] == "3"


def test_who_sees_what(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [TARGET, SECOND_TARGET])["id"]
    member = signed_in(TARGET_MEMBER)
    assert _api(member, stack, "GET", f"/api/surveys/{sid}").status_code == 200
    assert _api(member, stack, "GET", f"/api/surveys/{sid}/answers/{TARGET}").status_code == 200
    # Never another 所属's answer, never the board; 404, not 403.
    assert _api(member, stack, "GET", f"/api/surveys/{sid}/answers/{SECOND_TARGET}").status_code == 404
    assert _api(member, stack, "GET", f"/api/surveys/{sid}/board").status_code == 404
    stranger = signed_in(STRANGER)
    for path in (f"/api/surveys/{sid}", f"/api/surveys/{sid}/answers/{TARGET}", f"/api/surveys/{sid}/board"):
        assert _api(stranger, stack, "GET", path).status_code == 404, path
    assert _api(stranger, stack, "POST", f"/api/surveys/{sid}/remind", json={}).status_code == 404
    # A target member cannot edit the issued survey nor chase other units.
    assert _api(member, stack, "POST", f"/api/surveys/{sid}/remind", json={}).status_code == 404


def _inbox(session: requests.Session, stack: RunningStack) -> list[dict[str, Any]]:
    return list(session.get(f"{stack.base_url}/api/notifications", timeout=30).json()["items"])


def test_issue_notifies_the_coordinator_and_a_reminder_goes_once(stack: RunningStack, signed_in: Signed) -> None:
    survey = issue_survey(stack, signed_in, [TARGET, SECOND_TARGET])
    sid, number = survey["id"], survey["number"]
    coordinator = signed_in(TARGET_COORDINATOR)
    eventually(lambda: any(number in n["text"] for n in _inbox(coordinator, stack)))

    head = signed_in(TARGET_HEAD)
    answer = _answer(coordinator, stack, sid, TARGET)["answer"]
    assert (
        _api(
            coordinator,
            stack,
            "POST",
            f"/api/surveys/{sid}/answers/{TARGET}/not-applicable",
            json={"revision": answer["revision"]},
        ).status_code
        == 200
    )
    assert _board(stack, signed_in, sid)[TARGET] == "not_applicable"

    # Two days before the deadline the scheduler reminds the 所属 that has not answered, once,
    # however often it runs; the one that answered 該当なし hears nothing.
    at = (datetime.fromisoformat(survey["deadline"]) - timedelta(days=1)).isoformat()
    for _ in range(2):
        assert stack.kumo("sweep", "--at", at, check=True).returncode == 0

    def reminders(session: requests.Session) -> list[dict[str, Any]]:
        return [n for n in _inbox(session, stack) if number in n["text"] and n["kind"] == "survey_reminder"]

    eventually(lambda: reminders(signed_in(SECOND_COORDINATOR)))
    assert len(reminders(signed_in(SECOND_COORDINATOR))) == 1
    assert reminders(coordinator) == [] and reminders(head) == []
