"""Monthly 実績 on in-process moto: recorded inside the membership only, locked months refused, the
所属長's view, the monthly reminder sent once, and the plan-vs-actual files for 人事."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from chalicelib.core.errors import BadRequest, Conflict, Forbidden
from tests.unit.recruiting_support import (
    ADMIN,
    APPLICANT,
    APPLICANT_HEAD,
    OTHER_HEAD,
    OWNER,
    build_world,
    joined,
    post,
    project,
    who,
)

TRICKY_PROJECT = '=HYPERLINK("http://evil.example","詳細") 😀'


@pytest.fixture
def world(aws_mock: None) -> None:
    build_world()


def _month(n: int = 0) -> str:
    from chalicelib.projects.recruiting.model import add_months, month_of, today

    return add_months(month_of(today()), n)


def test_a_member_records_the_months_inside_the_membership(world: None) -> None:
    from chalicelib.projects.recruiting import actuals, caps

    pid = project()
    joined(post(pid, share=20))
    form = actuals.month_form(who(APPLICANT), _month())
    assert [(r.commitment.project_id, r.commitment.share_percent, r.editable) for r in form.rows] == [(pid, 20, True)]
    assert form.months == (_month(),), "the person joined this month: nothing before it"

    row = actuals.record(who(APPLICANT), _month(), pid, percent=15, hours=None)
    assert row.recorded is not None and row.recorded.actual_percent == 15
    row = actuals.record(who(APPLICANT), _month(), pid, percent=None, hours=24.25)
    assert row.recorded is not None and row.recorded.actual_hours == 24.2
    assert actuals.month_form(who(APPLICANT), _month()).rows[0].recorded is not None

    with pytest.raises(BadRequest):
        actuals.record(who(APPLICANT), _month(-1), pid, percent=10, hours=None)  # before joining
    with pytest.raises(Conflict):
        actuals.record(who(APPLICANT), _month(1), pid, percent=10, hours=None)  # not begun
    with pytest.raises(BadRequest):
        actuals.record(who(APPLICANT), _month(), pid, percent=None, hours=None)
    with pytest.raises(BadRequest):
        actuals.record(who(APPLICANT), _month(), pid, percent=120, hours=None)
    with pytest.raises(BadRequest):
        actuals.record(who(OWNER), _month(), pid, percent=10, hours=None)  # an owner has no time share

    caps.set_lock(who(ADMIN), _month())
    with pytest.raises(Conflict):
        actuals.record(who(APPLICANT), _month(), pid, percent=10, hours=None)
    assert not actuals.month_form(who(APPLICANT), _month()).rows[0].editable


def test_the_head_sees_their_staffs_commitments_and_actuals(world: None) -> None:
    from chalicelib.projects.recruiting import actuals

    pid = project()
    joined(post(pid, share=20))
    actuals.record(who(APPLICANT), _month(), pid, percent=18, hours=None)
    [line] = actuals.staff_overview(who(APPLICANT_HEAD))
    assert (line.staff_id, line.committed_percent, line.cap_percent) == (APPLICANT, 20, 20)
    [commitment] = line.lines
    assert commitment.counting and commitment.commitment.project_id == pid
    assert dict(commitment.actuals)[_month()].actual_percent == 18  # type: ignore[union-attr]
    assert actuals.staff_overview(who(OTHER_HEAD)) == [], "another unit's head sees none of it"
    with pytest.raises(Forbidden):
        actuals.staff_overview(who(APPLICANT))


def _notify_messages() -> list[dict[str, object]]:
    from chalicelib.core import aws

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="kumo-notify")["QueueUrl"]
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        found += [json.loads(m["Body"]) for m in batch]


def test_the_monthly_reminder_goes_out_once_from_the_sweep(world: None) -> None:
    from chalicelib.maintenance import sweep
    from chalicelib.projects.recruiting.model import month_end

    joined(post(project(), share=20))
    _notify_messages()  # what the steps above announced
    next_month_day = datetime.combine(month_end(_month()), datetime.min.time(), tzinfo=UTC) + timedelta(days=2)
    first = sweep.run(at=next_month_day)
    second = sweep.run(at=next_month_day + timedelta(hours=1))
    assert first.counts.get("actuals_reminders") == 1
    assert "actuals_reminders" not in second.counts
    due = [m for m in _notify_messages() if m.get("detail-type") == "ActualsDue"]
    assert len(due) == 1
    detail = due[0]["detail"]
    assert isinstance(detail, dict) and detail["month"] == _month() and detail["staff_ids"] == [APPLICANT]


def test_the_export_puts_plan_beside_actual_and_keeps_formulas_as_text(world: None) -> None:
    from chalicelib.projects.recruiting import actuals, reports

    pid = project(TRICKY_PROJECT)
    joined(post(pid, share=20))
    actuals.record(who(APPLICANT), _month(), pid, percent=15, hours=30)
    with pytest.raises(Forbidden):
        reports.lines(who(APPLICANT_HEAD), _month(), _month())

    lines = reports.lines(who(ADMIN), _month(-1), _month(1))
    assert [(x.unit_name, x.staff_name, x.month, x.plan_percent, x.actual_percent) for x in lines] == [
        ("道路課", "藤井 涼", _month(), 20, 15),
        ("道路課", "藤井 涼", _month(1), 20, None),  # planned, not yet recorded; nothing before joining
    ]

    xlsx = reports.download(who(ADMIN), _month(), _month(), fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.body))
    assert book.sheetnames == ["所属別", "個人別"]
    units = [[c.value for c in row] for row in book["所属別"].iter_rows()]
    assert units[1] == ["土木部", "道路課", 1, 0.2, 0.15, 30, 0]
    detail = book["個人別"]
    header = [c.value for c in detail[1]]
    cell = detail.cell(row=2, column=header.index("プロジェクト") + 1)
    assert cell.value == TRICKY_PROJECT and cell.data_type == "s" and cell.quotePrefix

    text = reports.download(who(ADMIN), _month(), _month(), fmt="csv").body
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("プロジェクト")] == "'" + TRICKY_PROJECT
    assert rows[1][rows[0].index("差（%）")] == "-5"

    with pytest.raises(BadRequest) as refused:
        reports.download(who(ADMIN), _month(), _month(), fmt="csv", encoding="cp932")
    assert refused.value.details["codepoint"] == "U+1F600"
    assert [p.codepoint for p in reports.cp932_report(who(ADMIN), _month(), _month())] == ["U+1F600"]
    with pytest.raises(BadRequest):
        reports.lines(who(ADMIN), _month(), _month(-1))
