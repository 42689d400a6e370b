"""The 照会元's downloads through real HTTP: XLSX read back with openpyxl, CSV in UTF-8 and
Shift_JIS (refused, with the place named, when a character does not fit), drafts kept private."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest
import requests

from tests.integration.test_surveys import (
    ISSUER,
    SECOND_COORDINATOR,
    SECOND_TARGET,
    STRANGER,
    TARGET,
    TARGET_COORDINATOR,
    TARGET_HEAD,
    Signed,
    _answer,
    _api,
    issue_survey,
)
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration


def _answer_and_approve(stack: RunningStack, signed_in: Signed, sid: str, values: dict[str, Any]) -> None:
    coordinator = signed_in(TARGET_COORDINATOR)
    revision = _answer(coordinator, stack, sid, TARGET)["answer"]["revision"]
    saved = _api(
        coordinator, stack, "PUT", f"/api/surveys/{sid}/answers/{TARGET}", json={"revision": revision, "values": values}
    )
    assert saved.status_code == 200 and not saved.json()["problems"], saved.text
    submitted = _api(
        coordinator,
        stack,
        "POST",
        f"/api/surveys/{sid}/answers/{TARGET}/submit",
        json={"revision": saved.json()["answer"]["revision"]},
    )
    assert submitted.status_code == 200, submitted.text
    assert (
        _api(signed_in(TARGET_HEAD), stack, "POST", f"/api/surveys/{sid}/answers/{TARGET}/approve").status_code == 200
    )


def _download(session: requests.Session, stack: RunningStack, sid: str, **params: str) -> requests.Response:
    response = _api(session, stack, "GET", f"/api/surveys/{sid}/export", params=params, allow_redirects=False)
    assert response.status_code == 303, response.text
    file = requests.get(response.headers["Location"], timeout=60)
    assert file.status_code == 200
    return file


VALUES = {
    "q_people": "12",
    "q_done": "yes",
    "q_when": "2026-11-20",
    "q_sites": [{"name": "県道12号 橋梁", "cost": "1200"}, {"name": '=HYPERLINK("http://x")', "cost": "350"}],
}


def test_the_xlsx_has_every_unit_with_typed_values_and_formulas_kept_as_text(
    stack: RunningStack, signed_in: Signed
) -> None:
    survey = issue_survey(stack, signed_in, [TARGET, SECOND_TARGET])
    sid = survey["id"]
    _answer_and_approve(stack, signed_in, sid, VALUES)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(signed_in(ISSUER), stack, sid).content))
    summary = workbook.worksheets[0]
    assert summary.title == "集計"
    rows = [[c.value for c in row] for row in summary.iter_rows()]
    header = rows[0]
    by_unit = {r[header.index("所属")]: dict(zip(header, r, strict=False)) for r in rows[1:] if r[0]}
    assert set(by_unit) == {"道路課", "人事課"}
    answered = by_unit["道路課"]
    people = next(k for k in header if k and k.startswith("担当職員数"))
    assert answered[people] == 12 and isinstance(answered[people], int)
    assert isinstance(answered["実施日"], datetime) and answered["実施日"].date().isoformat() == "2026-11-20"
    assert by_unit["人事課"][people] is None  # not answered yet: its state, no values
    sites = workbook["集計_点検箇所"]
    cells = [[c.value for c in row] for row in sites.iter_rows()]
    names = [r for r in cells if "県道12号 橋梁" in r or '=HYPERLINK("http://x")' in r]
    assert len(names) == 2, cells  # the formula-looking name is stored as the text typed
    assert all(c.data_type != "f" for row in sites.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert summary.freeze_panes and summary.auto_filter.ref


def test_csv_in_utf8_and_shift_jis_and_what_shift_jis_cannot_hold(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [TARGET])["id"]
    _answer_and_approve(stack, signed_in, sid, {**VALUES, "q_sites": [{"name": "髙橋橋 😀", "cost": "10"}]})
    issuer = signed_in(ISSUER)
    body = _download(issuer, stack, sid, format="csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any("髙橋橋 😀" in row for row in rows)
    report = _api(issuer, stack, "GET", f"/api/surveys/{sid}/export/cp932").json()["problems"]
    assert [(p["char"], p["codepoint"]) for p in report] == [("😀", "U+1F600")]
    refused = _api(issuer, stack, "GET", f"/api/surveys/{sid}/export", params={"format": "csv", "encoding": "cp932"})
    assert refused.status_code == 400 and "U+1F600" in refused.json()["message"]


def test_the_issuer_sees_an_answer_only_once_it_has_reached_them(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [SECOND_TARGET])["id"]
    coordinator = signed_in(SECOND_COORDINATOR)
    revision = _answer(coordinator, stack, sid, SECOND_TARGET)["answer"]["revision"]
    assert (
        _api(
            coordinator,
            stack,
            "PUT",
            f"/api/surveys/{sid}/answers/{SECOND_TARGET}",
            json={"revision": revision, "values": {"q_people": "7"}},
        ).status_code
        == 200
    )
    seen = _answer(signed_in(ISSUER), stack, sid, SECOND_TARGET)
    assert seen["answer"]["state"] == "draft" and seen["answer"]["values"] == {}
    # and only the 照会元 downloads
    assert _api(signed_in(STRANGER), stack, "GET", f"/api/surveys/{sid}/export").status_code == 404
    assert _api(coordinator, stack, "GET", f"/api/surveys/{sid}/export").status_code == 404


def test_the_results_page_sums_up_what_reached_the_issuer(stack: RunningStack, signed_in: Signed) -> None:
    sid = issue_survey(stack, signed_in, [TARGET, SECOND_TARGET])["id"]
    _answer_and_approve(stack, signed_in, sid, VALUES)
    page = _api(signed_in(ISSUER), stack, "GET", f"/surveys/{sid}/results")
    assert page.status_code == 200
    html = page.text
    assert "2所属中1所属の回答が届いています" in html
    summary = html.split('data-testid="summary-q_done"', 1)[1].split('data-testid="summary-', 1)[0]
    assert "<svg" in summary and '<th scope="row">はい</th><td>1</td>' in summary
    assert "県道12号 橋梁" in html and "1,550" in html  # the table's rows, and its total over every unit
    assert 'href="/api/surveys/' in html
    # a target member, and anyone else, get the site's 404
    assert _api(signed_in(TARGET_COORDINATOR), stack, "GET", f"/surveys/{sid}/results").status_code == 404
    assert _api(signed_in(STRANGER), stack, "GET", f"/surveys/{sid}/results").status_code == 404


def _form_workbook() -> bytes:
    """A 様式 as a 課 would mail it: a merged title, two label/answer rows, a table with a 合計 row."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "調査票"
    ws["A1"] = "庁舎の節電取組状況調査票"
    ws.merge_cells("A1:D1")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row, label in ((3, "回答者名"), (4, "対象職員数（人）")):
        ws.cell(row, 1, label)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        for column in range(2, 5):
            ws.cell(row, column).border = box
    for column, label in enumerate(("No.", "取組内容", "削減量（kWh）"), start=1):
        ws.cell(6, column, label).border = box
    for row in range(7, 12):
        ws.cell(row, 1, row - 6).border = box
        for column in (2, 3):
            ws.cell(row, column).border = box
    ws.cell(12, 2, "合計")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_survey_made_from_an_excel_form_comes_back_in_its_layout(stack: RunningStack, signed_in: Signed) -> None:
    issuer = signed_in(ISSUER)
    read = issuer.post(
        f"{stack.base_url}/api/surveys/import-form",
        data=_form_workbook(),
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    )
    assert read.status_code == 200, read.text
    imported = read.json()
    questions = {q["label"]: q for q in imported["form"]["questions"]}
    table = next(q for q in imported["form"]["questions"] if q["type"] == "table")
    amount = next(c for c in table["columns"] if "削減量" in c["label"])
    assert amount["type"] == "number" and amount.get("total")
    created = _api(
        issuer,
        stack,
        "POST",
        "/api/surveys",
        json={
            "title": imported["title"],
            "deadline": "2099-03-31T17:00",
            "targets": [TARGET],
            "form": imported["form"],
            "template_id": imported["template_id"],
            "layout": imported["layout"],
        },
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert _api(issuer, stack, "POST", f"/api/surveys/{sid}/issue", json={}).status_code == 200
    content = next(c for c in table["columns"] if "取組" in c["label"])
    values = {
        questions["回答者名"]["question_id"]: "道路 花子",
        questions["対象職員数（人）"]["question_id"]: "42",
        table["question_id"]: [
            {content["column_id"]: "照明の間引き", amount["column_id"]: "1200"},
            {content["column_id"]: "空調の設定温度", amount["column_id"]: "800"},
        ],
    }
    _answer_and_approve(stack, signed_in, sid, values)

    workbook = openpyxl.load_workbook(io.BytesIO(_download(issuer, stack, sid).content))
    assert workbook.sheetnames[0] == "集計"
    unit_sheet = next(ws for ws in workbook.worksheets if "道路課" in ws.title)
    layout = imported["layout"]
    cells = layout["cells"]
    assert unit_sheet[cells[questions["回答者名"]["question_id"]]].value == "道路 花子"
    assert unit_sheet[cells[questions["対象職員数（人）"]["question_id"]]].value == 42
    rows = layout["tables"][table["question_id"]]
    first, letter = rows["first_row"], rows["columns"][content["column_id"]]
    assert [unit_sheet[f"{letter}{first + i}"].value for i in range(2)] == ["照明の間引き", "空調の設定温度"]
    assert unit_sheet["A1"].value == "庁舎の節電取組状況調査票" and "A1:D1" in {
        str(r) for r in unit_sheet.merged_cells.ranges
    }
