"""SQS queues with their dead-letter queues, the EventBridge bus and its rules."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.resources import RESOURCES, QueueSpec, RuleSpec
from infra.components.scheduler import dead_letter_queue_name
from tests.infra.conftest import Synthesized


def _queue(synth: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    found = [
        (lid, r["Properties"])
        for lid, r in synth.resources("AWS::SQS::Queue").items()
        if r["Properties"]["QueueName"] == name
    ]
    assert len(found) == 1, f"queue {name} not found exactly once"
    return found[0]


def test_no_queue_beyond_resources_py(synthesized: Synthesized) -> None:
    names = sorted(r["Properties"]["QueueName"] for r in synthesized.resources("AWS::SQS::Queue").values())
    expected = [n for spec in RESOURCES.queues for n in (spec.physical_name("kumo"), spec.dlq_physical_name("kumo"))]
    # ... but the dead-letter queue of EventBridge Scheduler's housekeeping runs (no app code reads it).
    assert names == sorted([*expected, dead_letter_queue_name("kumo")])


@pytest.mark.parametrize("spec", RESOURCES.queues, ids=lambda s: s.key)
def test_queue_has_its_dead_letter_queue(synthesized: Synthesized, spec: QueueSpec) -> None:
    dlq_id, dlq = _queue(synthesized, spec.dlq_physical_name("kumo"))
    _, queue = _queue(synthesized, spec.physical_name("kumo"))
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    assert queue["VisibilityTimeout"] == spec.visibility_timeout_s
    assert queue["MessageRetentionPeriod"] == spec.retention_s
    assert dlq["MessageRetentionPeriod"] == spec.dlq_retention_s
    for props in (queue, dlq):
        assert props["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("spec", RESOURCES.queues, ids=lambda s: s.key)
def test_queues_refuse_plain_http(synthesized: Synthesized, template: Template, spec: QueueSpec) -> None:
    for name in (spec.physical_name("kumo"), spec.dlq_physical_name("kumo")):
        queue_id, _ = _queue(synthesized, name)
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "sqs:*",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )


def test_event_bus_name(template: Template) -> None:
    template.resource_count_is("AWS::Events::EventBus", 1)
    template.has_resource_properties("AWS::Events::EventBus", {"Name": RESOURCES.event_bus_name("kumo")})


@pytest.mark.parametrize("spec", BUS_RULES, ids=lambda s: s.key)
def test_rule_pattern_and_target(synthesized: Synthesized, spec: RuleSpec) -> None:
    rules = [
        r["Properties"]
        for r in synthesized.resources("AWS::Events::Rule").values()
        if r["Properties"]["Name"] == spec.physical_name("kumo")
    ]
    assert len(rules) == 1
    (rule,) = rules
    assert rule["EventPattern"] == spec.pattern  # exactly the spec's JSON, nothing added
    assert rule["EventBusName"] == {"Ref": synthesized.logical_id(synthesized.stack.messaging.bus)}
    queue_id, _ = _queue(synthesized, RESOURCES.queue(spec.target_queue).physical_name("kumo"))
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    dlq_id, _ = _queue(synthesized, RESOURCES.queue(spec.target_queue).dlq_physical_name("kumo"))
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}


@pytest.mark.parametrize("spec", BUS_RULES, ids=lambda s: s.key)
def test_rule_may_send_to_its_queue(synthesized: Synthesized, template: Template, spec: RuleSpec) -> None:
    rule_id = synthesized.logical_id(synthesized.stack.messaging.rules[spec.key])
    queue_id, _ = _queue(synthesized, RESOURCES.queue(spec.target_queue).physical_name("kumo"))
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}},
                            }
                        )
                    ]
                )
            },
        },
    )
