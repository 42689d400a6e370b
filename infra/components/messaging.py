"""SQS queues (each with its dead-letter queue), the EventBridge bus and its rules."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.resources import RESOURCES, QueueSpec, RuleSpec
from infra.config import InfraConfig

# events.Rule needs a typed EventPattern to validate; RuleSpec holds raw EventBridge JSON,
# which replaces this placeholder unchanged in the template (see _rule).
_PATTERN_PLACEHOLDER = events.EventPattern(source=["replaced-by-RuleSpec.pattern"])


class Messaging(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in RESOURCES.queues:
            self._queue(spec, config)
        self.bus = events.EventBus(self, "Bus", event_bus_name=RESOURCES.event_bus_name(config.prefix))
        self.rules = {spec.key: self._rule(spec, config) for spec in BUS_RULES}

    def _queue(self, spec: QueueSpec, config: InfraConfig) -> None:
        name = spec.key.title()
        dlq = sqs.Queue(
            self,
            f"{name}DeadLetters",
            queue_name=spec.dlq_physical_name(config.prefix),
            retention_period=Duration.seconds(spec.dlq_retention_s),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.dead_letter_queues[spec.key] = dlq
        self.queues[spec.key] = sqs.Queue(
            self,
            f"{name}Queue",
            queue_name=spec.physical_name(config.prefix),
            visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
            retention_period=Duration.seconds(spec.retention_s),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=spec.max_receive_count),
        )

    def _rule(self, spec: RuleSpec, config: InfraConfig) -> events.Rule:
        rule = events.Rule(
            self,
            f"{spec.key.title()}Rule",
            rule_name=spec.physical_name(config.prefix),
            description=spec.purpose or None,
            event_bus=self.bus,
            event_pattern=_PATTERN_PLACEHOLDER,
        )
        cfn_rule = rule.node.default_child
        assert isinstance(cfn_rule, events.CfnRule)
        cfn_rule.add_property_override("EventPattern", spec.pattern)
        # Events EventBridge cannot deliver (after its retries) land in the queue's DLQ too.
        rule.add_target(
            targets.SqsQueue(
                self.queues[spec.target_queue],
                dead_letter_queue=self.dead_letter_queues[spec.target_queue],
                retry_attempts=8,
                max_event_age=Duration.hours(24),
            )
        )
        return rule
