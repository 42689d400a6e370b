"""20%-rule recruiting through real HTTP on the local stack: a project posts a 公募, a staff member
of another 部局 applies, the owner proceeds, their 所属長 consents, the person joins with the share,
records a month's 実績, and a system administrator reads the plan-vs-actual files back."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
import requests

from chalicelib.directory.placement import jst_today  # the server's dates are Japan's
from tests.integration.recruiting_world import World, make_world
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
FORMULA_NAME = '=HYPERLINK("http://example.invalid","窓口")'


def _day(days: int) -> str:
    return (jst_today() + timedelta(days=days)).isoformat()


def _month() -> str:
    return jst_today().strftime("%Y-%m")


def post_recruitment(w: World, project: str, *, share: int = 20, positions: int = 2, **extra: Any) -> dict[str, Any]:
    body = {
        "project_id": w.projects[project],
        "title": f"窓口DXの仲間募集 {w.tag}",
        "needs": "申請書様式の見直しと、RPA の試行を一緒に進める方",
        "tags": ["業務改善", f"RPA{w.tag}"],
        "share_percent": share,
        "period_start": _day(0),
        "period_end": _day(120),
        "positions": positions,
        "deadline": _day(10),
        **extra,
    }
    created = w.call("owner", "POST", "/api/recruitments", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def applied(w: World, recruitment_id: str, role: str = "applicant") -> dict[str, Any]:
    sent = w.call(
        role,
        "POST",
        f"/api/recruitments/{recruitment_id}/applications",
        json={"message": "道路台帳の電子化を担当しました。"},
    )
    assert sent.status_code == 201, sent.text
    return dict(sent.json())


def proceeded(w: World, application_id: str) -> dict[str, Any]:
    moved = w.call("owner", "POST", f"/api/applications/{application_id}/proceed", json={"comment": "ぜひお願いしたい"})
    assert moved.status_code == 200, moved.text
    return dict(moved.json())


def _download(w: World, **params: str) -> requests.Response:
    answer = w.call("admin", "GET", "/api/admin/time-shares/export", params=params, allow_redirects=False)
    assert answer.status_code == 303, answer.text
    file = requests.get(answer.headers["Location"], timeout=60)
    assert file.status_code == 200
    return file


def _membership(stack: RunningStack, project_id: str, staff_id: str) -> dict[str, Any] | None:
    item = stack.boto3("dynamodb").get_item(
        TableName="kumo-project_members", Key={"project_id": {"S": project_id}, "staff_id": {"S": staff_id}}
    )
    return item.get("Item")


def test_recruit_apply_proceed_consent_join_record_and_export(stack: RunningStack) -> None:
    w = make_world(stack, [{"key": "dx", "name": FORMULA_NAME, "description": "申請手続きを電子化するチーム"}])
    posted = post_recruitment(w, "dx")
    rid = posted["id"]
    assert posted["manages"] and posted["takes_applications"] and posted["state"] == "open"

    # Every staff member finds it and sees the project's name and description, though the
    # project is members-only; the filters narrow it down.
    found = w.call("other", "GET", "/api/recruitments", params={"q": f"rpa{w.tag}"}).json()["items"]
    assert [r["id"] for r in found] == [rid]
    assert (
        found[0]["project_name"].startswith(FORMULA_NAME)
        and found[0]["project_description"] == "申請手続きを電子化するチーム"
    )
    assert not found[0]["manages"]
    assert w.call("other", "GET", "/api/recruitments", params={"q": w.tag, "share": "10"}).json()["items"] == []
    by_tag = w.call("other", "GET", "/api/recruitments", params={"tag": f"rpa{w.tag}", "department": "somu"}).json()
    assert [r["id"] for r in by_tag["items"]] == [rid]
    assert (
        w.call("other", "GET", "/api/recruitments", params={"tag": f"rpa{w.tag}", "department": "doboku"}).json()[
            "items"
        ]
        == []
    )

    application = applied(w, rid)
    aid = application["id"]
    assert application["state"] == "applied" and application["as_applicant"]
    again = w.call("applicant", "POST", f"/api/recruitments/{rid}/applications", json={"message": "もう一度"})
    assert again.status_code == 409
    owners_view = w.call("owner", "GET", f"/api/recruitments/{rid}/applications").json()["items"]
    assert [a["id"] for a in owners_view] == [aid] and owners_view[0]["message"] == "道路台帳の電子化を担当しました。"
    assert w.call("head", "GET", f"/api/applications/{aid}").status_code == 404, "not sent for consent yet"
    assert w.call("owner", "GET", "/api/applications").json()["to_review"][0]["id"] == aid

    sent = proceeded(w, aid)
    assert sent["state"] == "consent_requested" and not sent["over_cap"]
    head_view = w.call("head", "GET", f"/api/applications/{aid}").json()
    assert head_view["as_head"] and head_view["cap"] == {
        "committed_percent": 0,
        "cap_percent": 20,
        "total_percent": 20,
        "over": False,
    }
    assert [a["id"] for a in w.call("head", "GET", "/api/applications").json()["to_consent"]] == [aid]

    consented = w.call("head", "POST", f"/api/applications/{aid}/consent", json={"comment": "業務に支障のない範囲で"})
    assert consented.status_code == 200, consented.text
    assert consented.json()["state"] == "joined" and consented.json()["consent_by_name"].startswith("応募 課長")
    member = _membership(stack, w.projects["dx"], w.id("applicant"))
    assert member is not None and member["share_percent"] == {"N": "20"} and member["via"] == {"S": aid}
    assert member["period_end"] == {"S": _day(120)}
    assert w.call("head", "GET", "/api/applications").json()["to_consent"] == []

    # The member records this month's 実績, pre-filled from the plan.
    form = w.call("applicant", "GET", "/api/actuals", params={"month": _month()}).json()
    assert [(r["project_id"], r["plan_percent"], r["editable"]) for r in form["rows"]] == [(w.projects["dx"], 20, True)]
    saved = w.call(
        "applicant",
        "PUT",
        f"/api/actuals/{_month()}/{w.projects['dx']}",
        json={"actual_percent": 15, "actual_hours": 30},
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["actual_percent"], saved.json()["actual_hours"]) == (15, 30.0)
    staff = w.call("head", "GET", "/api/actuals/staff").json()["items"]
    [person] = [s for s in staff if s["staff_id"] == w.id("applicant")]
    assert person["committed_percent"] == 20
    assert person["commitments"][0]["actuals"][-1] == {"month": _month(), "actual_percent": 15, "actual_hours": 30.0}

    # 人事's files: plan beside actual, the formula-like project name kept as text.
    book = openpyxl.load_workbook(io.BytesIO(_download(w, **{"from": _month(), "to": _month()}).content))
    assert book.sheetnames == ["所属別", "個人別"]
    rows = [[c for c in row] for row in book["個人別"].iter_rows(min_row=1)]
    header = [c.value for c in rows[0]]
    mine = [r for r in rows[1:] if r[header.index("職員ID")].value == w.id("applicant")]
    assert len(mine) == 1
    line = {h: c for h, c in zip(header, mine[0], strict=True)}
    assert (line["計画（%）"].value, line["実績（%）"].value, line["実績（時間）"].value, line["差（%）"].value) == (
        20,
        15,
        30,
        -5,
    )
    assert line["プロジェクト"].value.startswith(FORMULA_NAME) and line["プロジェクト"].quotePrefix
    assert line["所属"].value == f"道路保全課{w.tag}"
    units = [[c.value for c in row] for row in book["所属別"].iter_rows()]
    assert [u for u in units if u[1] == f"道路保全課{w.tag}"] == [["土木部", f"道路保全課{w.tag}", 1, 0.2, 0.15, 30, 0]]

    for encoding, codec in (("utf-8", "utf-8-sig"), ("cp932", "cp932")):
        body = _download(w, **{"from": _month(), "to": _month(), "format": "csv", "encoding": encoding}).content
        assert body.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8")
        table = list(csv.reader(io.StringIO(body.decode(codec))))
        mine_rows = [r for r in table[1:] if r[table[0].index("職員ID")] == w.id("applicant")]
        assert mine_rows[0][table[0].index("プロジェクト")].startswith("'" + FORMULA_NAME)
        assert mine_rows[0][table[0].index("実績（%）")] == "15"
    assert w.call(
        "admin", "GET", "/api/admin/time-shares/export/cp932", params={"from": _month(), "to": _month()}
    ).json() == {"problems": []}


def test_over_the_units_cap_the_head_consents_only_with_a_recorded_reason(stack: RunningStack) -> None:
    w = make_world(stack, [{"key": "a", "name": "防災訓練の見直し", "description": "訓練の計画づくり"}])
    capped = w.call("admin", "PUT", f"/api/admin/time-shares/units/{w.units['home']}", json={"cap_percent": 10})
    assert capped.status_code == 200, capped.text
    assert {u["unit_id"]: u["cap_percent"] for u in capped.json()["units"]}[w.units["home"]] == 10
    aid = applied(w, post_recruitment(w, "a", share=20)["id"])["id"]
    assert proceeded(w, aid)["over_cap"], "flagged to the 所属長 when asked"
    assert w.call("head", "GET", f"/api/applications/{aid}").json()["cap"]["over"]

    refused = w.call("head", "POST", f"/api/applications/{aid}/consent", json={})
    assert refused.status_code == 409 and refused.json()["details"]["field"] == "override"
    assert "10" in refused.json()["message"] and "20" in refused.json()["message"], "it names the cap and the total"
    no_reason = w.call("head", "POST", f"/api/applications/{aid}/consent", json={"override": True})
    assert no_reason.status_code == 400 and no_reason.json()["details"]["field"] == "override_reason"
    done = w.call(
        "deputy",
        "POST",
        f"/api/applications/{aid}/consent",
        json={"override": True, "override_reason": "防災の繁忙期だけ"},
    )
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["override_reason"]) == ("joined", "防災の繁忙期だけ")
    assert done.json()["consent_by_name"].startswith("応募 副課長"), "any 所属長 of the applicant's 所属 may consent"
    [person] = [
        s for s in w.call("head", "GET", "/api/actuals/staff").json()["items"] if s["staff_id"] == w.id("applicant")
    ]
    assert person["cap_percent"] == 10 and person["committed_percent"] == 20
    assert person["commitments"][0]["override_reason"] == "防災の繁忙期だけ" and person["commitments"][0]["over_cap"]
    cleared = w.call("admin", "DELETE", f"/api/admin/time-shares/units/{w.units['home']}")
    assert w.units["home"] not in {u["unit_id"] for u in cleared.json()["units"]}


def test_withdrawing_and_declining_leave_history_and_free_nothing(stack: RunningStack) -> None:
    w = make_world(stack, [{"key": "a", "name": "観光データ分析", "description": "来訪者の動向を見る"}])
    rid = post_recruitment(w, "a")["id"]
    first = applied(w, rid)["id"]
    assert w.call("applicant", "POST", f"/api/applications/{first}/withdraw").json()["state"] == "withdrawn"
    assert applied(w, rid)["id"] == first, "after withdrawing, applying again reopens the same application"
    missing_comment = w.call("owner", "POST", f"/api/applications/{first}/decline", json={"comment": ""})
    assert missing_comment.status_code == 400
    declined = w.call(
        "owner", "POST", f"/api/applications/{first}/decline", json={"comment": "今回は統計の経験者を探しています"}
    )
    assert (
        declined.json()["state"] == "declined"
        and declined.json()["owner_comment"] == "今回は統計の経験者を探しています"
    )
    assert (
        w.call("applicant", "GET", f"/api/applications/{first}").json()["owner_comment"]
        == "今回は統計の経験者を探しています"
    )
    assert w.call("owner", "POST", f"/api/applications/{first}/proceed", json={}).status_code == 409
    other = applied(w, rid, "other")["id"]
    proceeded(w, other)
    withdrawn = w.call("owner", "POST", f"/api/recruitments/{rid}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert w.call("other", "GET", f"/api/applications/{other}").json()["state"] == "cancelled"
    assert w.call("otherhead", "POST", f"/api/applications/{other}/consent", json={}).status_code == 409
    assert rid not in [
        r["id"] for r in w.call("other", "GET", "/api/recruitments", params={"q": w.tag}).json()["items"]
    ]
    assert w.call("other", "GET", f"/api/recruitments/{rid}").json()["state"] == "withdrawn", "still readable"
