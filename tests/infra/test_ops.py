"""The administrators' delivery health: the counters' table and grants, the API's rights to read
queue depths and replay dead letters (chalicelib/notifications/stats.py, chalicelib/ops/dlq.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.infra.conftest import Synthesized
from tests.infra.test_api import _actions, _handler, _role_statements
from tests.infra.test_functions import _statements, _table_actions


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def _queue_arn(synth: Synthesized, queue: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [synth.logical_id(queue), "Arn"]}


def test_the_notifier_the_poster_and_the_sweep_only_raise_the_counters(synthesized: Synthesized) -> None:
    stats_table = synthesized.logical_id(synthesized.stack.tables.by_key["notification_stats"])
    for key in ("notifier", "channels", "scheduler"):
        role = synthesized.stack.functions.functions[key].role
        statements = _statements(synthesized, synthesized.logical_id(role))
        assert _table_actions(statements, stats_table) == {"dynamodb:UpdateItem"}, key
    for key in ("indexer", "scanner"):
        role = synthesized.stack.functions.functions[key].role
        assert not _table_actions(_statements(synthesized, synthesized.logical_id(role)), stats_table), key


def test_the_api_reads_and_writes_every_table_through_managed_policies_small_enough(synthesized: Synthesized) -> None:
    statements = _role_statements(synthesized)
    for key, table in synthesized.stack.tables.by_key.items():
        arn = {"Fn::GetAtt": [synthesized.logical_id(table), "Arn"]}
        assert any(arn in _resources(s) and "dynamodb:UpdateItem" in _actions(s) for s in statements), key
    for policy in synthesized.resources("AWS::IAM::ManagedPolicy").values():
        # the template's ARNs are references; a real ARN is at most ~90 characters
        size = len(json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":")))
        tables = sum(1 for s in policy["Properties"]["PolicyDocument"]["Statement"] for _ in _resources(s)) // 2
        assert size + tables * 2 * 90 < 6144


def test_the_api_may_read_queue_depths_and_replay_dead_letters_only(synthesized: Synthesized) -> None:
    role_id = _handler(synthesized)["Role"]["Fn::GetAtt"][0]
    (replay,) = [
        p["Properties"]
        for p in synthesized.resources("AWS::IAM::Policy").values()
        if p["Properties"]["PolicyName"].startswith("DeadLetterReplay") and {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    messaging = synthesized.stack.messaging
    queues = [_queue_arn(synthesized, q) for q in messaging.queues.values()]
    dead = [_queue_arn(synthesized, q) for q in messaging.dead_letter_queues.values()]
    by_actions = {frozenset(_actions(s)): _resources(s) for s in replay["PolicyDocument"]["Statement"]}
    assert sorted(map(json.dumps, by_actions[frozenset({"sqs:GetQueueUrl", "sqs:GetQueueAttributes"})])) == sorted(
        map(json.dumps, queues + dead)
    )
    taken = by_actions[frozenset({"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"})]
    assert sorted(map(json.dumps, taken)) == sorted(map(json.dumps, dead))  # never from a live queue
    assert sorted(map(json.dumps, by_actions[frozenset({"sqs:SendMessage"})])) == sorted(map(json.dumps, queues))
