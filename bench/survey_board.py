"""The status board's p95 beside a bare DynamoDB query of the same answers (bench/surveys.py "board").

A survey to `units` 所属, each answer holding a `rows`-row table, on the local stack (moto
server, as the tests run it). Kumo: `surveys.board.board()` in this process, the service call a
board page makes (the survey read and its access check, one query of the answers, the states,
the names from the cached tree). Bare: boto3's `query` of the same partition, every page, no
parsing. Both against the same endpoint, interleaved, so the noisy machine hits both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _seed(units: int, rows: int) -> tuple[Any, str]:
    from chalicelib.directory import service as directory
    from chalicelib.directory.org import OrgUnit, UnitKind
    from chalicelib.surveys import issuing, storage
    from chalicelib.surveys.form import Column, ColumnType, Form, Question, QuestionType
    from chalicelib.surveys.storage import AnswerRecord

    directory.save_units(
        [OrgUnit("bench", "計測部", "Bench Department", UnitKind.BUKYOKU, None, "計測", 999)]
        + [
            OrgUnit(f"bench-{i:03d}", f"計測課{i:03d}", f"Bench {i}", UnitKind.SHOZOKU, "bench", "", i)
            for i in range(units)
        ]
    )
    person = directory.find_staff("yamada.k")
    assert person is not None
    issuer = person.principal()
    form = Form(
        (
            Question("q_n", QuestionType.NUMBER, "職員数", required=True),
            Question(
                "q_t",
                QuestionType.TABLE,
                "明細",
                columns=(Column("name", "名称"), Column("amount", "金額", ColumnType.NUMBER, total=True)),
                max_rows=rows,
            ),
        )
    )
    deadline = issuing.parse_deadline("2099-03-31T17:00")
    draft = issuing.SurveyDraft("計測用の照会", deadline, targets=("bench",), form=form)
    survey = issuing.issue(issuer, issuing.create(issuer, draft).survey_id)
    values = json.dumps({"q_n": "12", "q_t": [{"name": f"項目{r}", "amount": str(r * 1000)} for r in range(rows)]})
    storage.bind()
    for i, unit_id in enumerate(survey.targets):
        AnswerRecord(survey.survey_id, unit_id).update(
            actions=[
                AnswerRecord.values_json.set(values),
                AnswerRecord.state.set("submitted" if i % 3 else "draft"),
                AnswerRecord.updated_by_name.set("計測 太郎"),
            ]
        )
    return issuer, survey.survey_id


def board_figures(units: int, rows: int, rounds: int) -> None:
    from tests.support.stack import RunningStack

    stack = RunningStack(Path(tempfile.mkdtemp(prefix="kumo-bench-")))
    stack.start()
    try:
        os.environ.update(stack.env())
        import boto3

        from chalicelib.core.config import settings
        from chalicelib.surveys import board

        started = time.perf_counter()
        issuer, survey_id = _seed(units, rows)
        seeded = time.perf_counter() - started
        client = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name="ap-northeast-1")
        table = settings().table_name("survey_answers")

        def bare() -> int:
            count, start_key = 0, None
            while True:
                kwargs: dict[str, Any] = {
                    "TableName": table,
                    "KeyConditionExpression": "survey_id = :s",
                    "ExpressionAttributeValues": {":s": {"S": survey_id}},
                }
                if start_key:
                    kwargs["ExclusiveStartKey"] = start_key
                page = client.query(**kwargs)
                count += len(page["Items"])
                start_key = page.get("LastEvaluatedKey")
                if not start_key:
                    return count

        def kumo() -> int:
            return len(board.board(issuer, survey_id).rows)

        assert bare() == kumo() == units
        times: dict[str, list[float]] = {"kumo": [], "bare": []}
        for _ in range(rounds):
            for name, call in (("kumo", kumo), ("bare", bare)):
                t = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - t)
        p95 = {name: _percentile(values, 0.95) for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        print(
            f"== status board ({units} 所属, {rows}-row table in each answer; "
            f"{rounds} rounds; seeded in {seeded:.0f} s)"
        )
        print(f"{'case':<34} {'p50 ms':>8} {'p95 ms':>8} {'p95 x bare':>11}")
        for name, label in (("kumo", "Kumo board.board()"), ("bare", "bare DynamoDB query (all pages)")):
            print(f"{label:<34} {median[name] * 1000:>8.1f} {p95[name] * 1000:>8.1f} {p95[name] / p95['bare']:>11.2f}")
    finally:
        stack.stop()
