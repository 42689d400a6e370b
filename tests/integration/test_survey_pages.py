"""The survey pages through real HTTP: who sees which list, the board, the answer page's forms
(CSRF, 303, problems shown at their question), and 404 for anyone the survey is not for."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from chalicelib.core.templating import JST
from tests.conftest import translated
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]

# Demo staff (chalicelib/local/demo.py): the issuer's 所属, a target 所属 and its people, and
# someone of neither.
ISSUER = "yamada.k"
TARGET_UNIT = "fukushi-seisaku"
TARGET_MEMBER = "kimura.t"
OUTSIDER = "mori.n"

FORM = {
    "questions": [
        {"question_id": "s1", "type": "section", "label": "実施状況"},
        {"question_id": "q1", "type": "yes_no", "label": "実施していますか", "required": True},
        {
            "question_id": "q2",
            "type": "number",
            "label": "参加人数",
            "unit": "人",
            "condition": {"question_id": "q1", "values": ["yes"]},
        },
        {
            "question_id": "q3",
            "type": "table",
            "label": "事業の内訳",
            "columns": [
                {"column_id": "name", "label": "事業名", "type": "text", "required": True},
                {"column_id": "cost", "label": "金額", "type": "number", "unit": "千円", "total": True},
            ],
            "max_rows": 10,
        },
    ]
}


def _deadline(days: int = 10) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).astimezone(JST).strftime("%Y-%m-%dT17:00")


def _page(session: requests.Session, stack: RunningStack, path: str) -> requests.Response:
    return session.get(f"{stack.base_url}{path}", allow_redirects=False, timeout=60)


def _post(session: requests.Session, stack: RunningStack, path: str, form: dict[str, Any]) -> requests.Response:
    data = {"csrf_token": str(session.headers.get("X-CSRF-Token", "")), **form}
    return session.post(f"{stack.base_url}{path}", data=data, allow_redirects=False, timeout=60)


def _issue(stack: RunningStack, session: requests.Session, title: str) -> str:
    created = session.post(
        f"{stack.base_url}/api/surveys",
        json={"title": title, "deadline": _deadline(), "targets": [TARGET_UNIT], "form": FORM},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    survey_id = str(created.json()["id"])
    issued = session.post(f"{stack.base_url}/api/surveys/{survey_id}/issue", json={}, timeout=60)
    assert issued.status_code == 200, issued.text
    return survey_id


@pytest.fixture(scope="module")
def survey(stack: RunningStack, signed_in: Signed) -> str:
    return _issue(stack, signed_in(ISSUER), "子育て支援事業の実施状況について（照会）")


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</section>', html, re.S)
    assert match, f"no {testid} section"
    return match.group(0)


def test_the_issuer_sees_the_survey_among_those_issued_with_none_answered(
    stack: RunningStack, signed_in: Signed, survey: str
) -> None:
    response = _page(signed_in(ISSUER), stack, "/surveys")

    assert response.status_code == 200
    issued = _section(response.text, "issued")
    row = re.search(rf'data-survey-id="{survey}".*?</tr>', issued, re.S)
    assert row, "the survey is listed as issued"
    assert "子育て支援事業の実施状況について（照会）" in row.group(0)
    assert re.search(r'data-testid="answered">\s*0 / 1', row.group(0))
    assert survey not in _section(response.text, "to-answer")


def test_a_member_of_the_target_unit_sees_it_to_answer_with_its_deadline(
    stack: RunningStack, signed_in: Signed, survey: str
) -> None:
    member = signed_in(TARGET_MEMBER)
    response = _page(member, stack, "/surveys")

    to_answer = _section(response.text, "to-answer")
    assert f'href="/surveys/{survey}/answers/{TARGET_UNIT}"' in to_answer
    assert 'data-state="not_started"' in to_answer
    assert translated("%(days)s days left").replace("%(days)s", "10") in to_answer
    home = _page(member, stack, "/")
    assert f'href="/surveys/{survey}/answers/{TARGET_UNIT}"' in _section(home.text, "home-surveys")


def test_the_issuers_page_shows_the_board_and_a_member_is_sent_to_their_answer(
    stack: RunningStack, signed_in: Signed, survey: str
) -> None:
    board = _page(signed_in(ISSUER), stack, f"/surveys/{survey}")
    assert board.status_code == 200
    assert re.search(rf'data-testid="board-row" data-unit-id="{TARGET_UNIT}" data-state="not_started"', board.text)

    member = _page(signed_in(TARGET_MEMBER), stack, f"/surveys/{survey}")
    assert member.status_code == 302
    assert member.headers["Location"] == f"/surveys/{survey}/answers/{TARGET_UNIT}"


@pytest.mark.parametrize(
    "path", ["/surveys/{id}", "/surveys/{id}/answers/" + TARGET_UNIT, "/surveys/{id}/edit", "/surveys/{id}/preview"]
)
def test_someone_the_survey_is_not_for_gets_the_404_page(
    stack: RunningStack, signed_in: Signed, survey: str, path: str
) -> None:
    response = _page(signed_in(OUTSIDER), stack, path.format(id=survey))

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'data-testid="error"' in response.text and 'data-testid="signed-in-as"' in response.text
    assert "子育て支援事業" not in response.text


def test_a_member_cannot_open_the_answer_of_a_unit_that_is_not_theirs(
    stack: RunningStack, signed_in: Signed, survey: str
) -> None:
    response = _page(signed_in(TARGET_MEMBER), stack, f"/surveys/{survey}/answers/somuka")

    assert response.status_code == 404


def test_an_incomplete_answer_is_shown_again_with_the_problem_at_its_question(
    stack: RunningStack, signed_in: Signed
) -> None:
    survey_id = _issue(stack, signed_in(ISSUER), "提出前の確認について（照会）")
    member = signed_in(TARGET_MEMBER)
    answer = member.get(f"{stack.base_url}/api/surveys/{survey_id}/answers/{TARGET_UNIT}", timeout=60).json()

    refused = _post(
        member, stack, f"/surveys/{survey_id}/answers/{TARGET_UNIT}/submit", {"revision": answer["answer"]["revision"]}
    )

    assert refused.status_code == 400
    question = re.search(r'<div class="([^"]*)"\s+id="q-q1".*?</fieldset>', refused.text, re.S)
    assert question and "has-error" in question.group(1).split()
    assert translated("Please answer this question.") in question.group(0)
    assert 'data-testid="page-error"' in refused.text


def test_an_answer_goes_through_approval_to_the_board(stack: RunningStack, signed_in: Signed) -> None:
    survey_id = _issue(stack, signed_in(ISSUER), "承認の流れについて（照会）")
    member = signed_in(TARGET_MEMBER)
    base = f"/api/surveys/{survey_id}/answers/{TARGET_UNIT}"
    values = {"q1": "yes", "q2": "12", "q3": [{"name": "相談窓口", "cost": "300"}, {"name": "講座", "cost": "150"}]}
    saved = member.put(f"{stack.base_url}{base}", json={"values": values, "revision": 0}, timeout=60)
    assert saved.status_code == 200, saved.text

    submitted = _post(
        member,
        stack,
        f"/surveys/{survey_id}/answers/{TARGET_UNIT}/submit",
        {"revision": saved.json()["answer"]["revision"]},
    )
    assert submitted.status_code == 303
    assert submitted.headers["Location"] == f"/surveys/{survey_id}/answers/{TARGET_UNIT}?done=submitted"

    page = _page(member, stack, submitted.headers["Location"]).text
    assert 'data-done="submitted"' in page
    assert re.search(r'data-testid="total-cost"[^>]*>450<', page), "the totals row sums the column"
    board = _page(signed_in(ISSUER), stack, f"/surveys/{survey_id}").text
    assert re.search(rf'data-unit-id="{TARGET_UNIT}" data-state="(pending_approval|submitted)"', board)


def _workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "防災訓練の実施状況調査票"
    ws.merge_cells("A1:D1")
    thin = Side(style="thin")
    for row, label in ((3, "担当者名"), (4, "参加人数（人）")):
        ws.cell(row, 1, label)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        for column in range(2, 5):
            ws.cell(row, column).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_excel_form_read_through_the_api_gives_the_editor_its_questions(
    stack: RunningStack, signed_in: Signed
) -> None:
    session = signed_in(ISSUER)
    headers = {"Content-Type": "application/octet-stream"}

    read = session.post(f"{stack.base_url}/api/surveys/import-form", data=_workbook(), headers=headers, timeout=60)
    too_big = session.post(
        f"{stack.base_url}/api/surveys/import-form", data=b"0" * (5 * 1024 * 1024 + 1), headers=headers, timeout=60
    )

    assert read.status_code == 200, read.text
    imported = read.json()
    assert imported["title"] == "防災訓練の実施状況調査票"
    kinds = {q["label"]: q["type"] for q in imported["form"]["questions"]}
    assert kinds == {"担当者名": "short_text", "参加人数（人）": "number"}
    assert any("参加人数" in note for note in imported["notes"]), "what was guessed is said"
    assert too_big.status_code == 400 and too_big.json()["details"]["field"] == "file"
