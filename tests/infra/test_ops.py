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


def test_the_notifier_the_mailer_the_poster_and_the_sweep_only_raise_the_counters(synthesized: Synthesized) -> None:
    stats_table = synthesized.logical_id(synthesized.stack.tables.by_key["notification_stats"])
    for key in ("notifier", "mailer", "channels", "scheduler"):
        role = synthesized.stack.functions.functions[key].role
        statements = _statements(synthesized, synthesized.logical_id(role))
        assert _table_actions(statements, stats_table) == {"dynamodb:UpdateItem"}, key
    for key in ("indexer", "scanner"):
        role = synthesized.stack.functions.functions[key].role
        assert not _table_actions(_statements(synthesized, synthesized.logical_id(role)), stats_table), key


def _as_deployed(resource: Any, tables: dict[str, str]) -> str:
    """A table ARN of the template as it reads once deployed (a long prefix and region, for margin)."""
    arn = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/kumo-production-{}"
    if "Fn::GetAtt" in resource:
        return arn.format(tables[resource["Fn::GetAtt"][0]])
    parts = resource["Fn::Join"][1]
    return _as_deployed(parts[0], tables) + "".join(p for p in parts[1:] if isinstance(p, str))


def test_the_api_reads_and_writes_every_table_through_managed_policies_small_enough(synthesized: Synthesized) -> None:
    statements = _role_statements(synthesized)
    for key, table in synthesized.stack.tables.by_key.items():
        arn = {"Fn::GetAtt": [synthesized.logical_id(table), "Arn"]}
        assert any(arn in _resources(s) and "dynamodb:UpdateItem" in _actions(s) for s in statements), key
    tables = {synthesized.logical_id(t): key for key, t in synthesized.stack.tables.by_key.items()}
    policies = [p for i, p in synthesized.resources("AWS::IAM::ManagedPolicy").items() if i.startswith("ApiData")]
    assert len(policies) >= 2, "the tables are dealt into more than one policy"
    for policy in policies:
        document = policy["Properties"]["PolicyDocument"]
        deployed = {
            **document,
            "Statement": [
                {**s, "Resource": [_as_deployed(r, tables) for r in _resources(s)]} for s in document["Statement"]
            ],
        }
        assert len(json.dumps(deployed, separators=(",", ":"))) < 6144  # IAM's limit for a managed policy


def test_the_api_may_read_queue_depths_and_replay_dead_letters_only(synthesized: Synthesized) -> None:
    role_id = _handler(synthesized)["Role"]["Fn::GetAtt"][0]
    (replay,) = [
        p["Properties"]
        for logical_id, p in synthesized.resources("AWS::IAM::Policy").items()
        if "DeadLetterReplay" in logical_id and {"Ref": role_id} in p["Properties"]["Roles"]
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
