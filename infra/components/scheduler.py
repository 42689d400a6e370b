"""Housekeeping on a timer: EventBridge Scheduler invokes functions/scheduler (chalicelib/maintenance/sweep.py).

- the function (declared here until chalicelib/core/resources.py has a FunctionSpec for it;
  infra/components/functions.py builds it like every other function, from functions/scheduler);
- one schedule per SCHEDULES entry, every 15 minutes: a share link's owner hears about its expiry
  well within the day before, an abandoned upload is gone within the quarter hour (the local
  runner's timer does the same every 300 s);
- failures end in one SQS dead-letter queue with an alarm: an invocation EventBridge Scheduler
  could not deliver after its retries, and a run that failed after Lambda's own retries (the
  scheduler invokes asynchronously, so a failing sweep is retried by Lambda, not by the schedule).
  A sweep is idempotent and the next one starts a quarter hour later: events older than that
  are dropped rather than run late;
- the sweep's S3 and event bus permissions (its tables are in functions.py PERMISSIONS).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from chalicelib.core.resources import SCAN_PREFIX, FunctionSpec
from infra.components.storage import ARCHIVE_PREFIX, UPLOADS_PREFIX
from infra.config import InfraConfig

# The sweep scans a few tables and lists the bucket's multipart uploads: minutes at most.
SCHEDULER_FUNCTION = FunctionSpec(
    "scheduler",
    handler="app.handler",
    source_queue=None,
    timeout_s=300,
    memory_mb=512,
    purpose="housekeeping: expired uploads, stale multipart uploads and archives, the trash, "
    "partner sessions, share link expiry notices and token retirement",
)
DEAD_LETTER_RETENTION = Duration.days(14)


@dataclass(frozen=True)
class ScheduleSpec:
    function: str  # FunctionSpec.key
    expression: str  # EventBridge Scheduler: rate(...), cron(...) or at(...)
    retry_attempts: int = 3  # delivery retries by EventBridge Scheduler
    max_event_age_minutes: int = 15  # an invocation later than the next run is dropped
    purpose: str = ""

    def physical_name(self, prefix: str, key: str) -> str:
        return f"{prefix}-{key}"


SCHEDULES: dict[str, ScheduleSpec] = {
    "housekeeping": ScheduleSpec(
        "scheduler",
        "rate(15 minutes)",
        purpose="runs chalicelib/maintenance/sweep.py: expiry clean-up and expiry notices",
    ),
}


def dead_letter_queue_name(prefix: str) -> str:
    return f"{prefix}-{SCHEDULER_FUNCTION.key}-dlq"


class Housekeeping(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        functions: dict[str, lambda_.Function],
        bucket: s3.IBucket,
        bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=dead_letter_queue_name(config.prefix),
            retention_period=DEAD_LETTER_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.dead_letters,
            [
                NagPackSuppression(
                    id="AwsSolutions-SQS3",
                    reason="This queue is itself a dead-letter queue: EventBridge Scheduler's for undeliverable "
                    "invocations and the scheduler function's on-failure destination (cdk-nag only "
                    "recognises DLQs named in another queue's redrive policy).",
                )
            ],
        )
        # What EventBridge Scheduler assumes to invoke the targets (and to dead-letter an invocation).
        self.role = iam.Role(
            self,
            "InvokeRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="EventBridge Scheduler: invokes Kumo's housekeeping function",
        )
        self.function = functions[SCHEDULER_FUNCTION.key]
        # Lambda's own retries of a failed (asynchronous) run, then the DLQ.
        self.function.configure_async_invoke(
            retry_attempts=2,
            max_event_age=Duration.minutes(15),
            on_failure=destinations.SqsDestination(self.dead_letters),
        )
        self.schedules = {
            key: self._schedule(key, spec, config, functions[spec.function]) for key, spec in SCHEDULES.items()
        }
        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="CDK grants lambda:InvokeFunction on the function and its versions (<function arn>:*); "
                    "only the scheduler function, never another.",
                    applies_to=[RegexAppliesTo(regex="/^Resource::<FunctionsScheduler[0-9A-F]{8}\\.Arn>:\\*$/g")],
                )
            ],
            apply_to_children=True,
        )
        self._grant_sweep(self.function, bucket, bus)
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLettersAlarm",
            alarm_description="A housekeeping run failed or could not be invoked after its retries: "
            "expiry notices and clean-up wait for the next run; look at the scheduler DLQ "
            "and the function's logs.",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _schedule(
        self, key: str, spec: ScheduleSpec, config: InfraConfig, function: lambda_.IFunction
    ) -> scheduler.Schedule:
        return scheduler.Schedule(
            self,
            f"{key.title()}Schedule",
            schedule_name=spec.physical_name(config.prefix, key),
            description=spec.purpose or None,
            schedule=scheduler.ScheduleExpression.expression(spec.expression),
            target=scheduler_targets.LambdaInvoke(
                function,
                retry_attempts=spec.retry_attempts,
                max_event_age=Duration.minutes(spec.max_event_age_minutes),
                dead_letter_queue=self.dead_letters,
                role=self.role,
            ),
        )

    def _grant_sweep(self, function: lambda_.Function, bucket: s3.IBucket, bus: events.IEventBus) -> None:
        """chalicelib/maintenance/sweep.py: what it deletes, aborts and lists in the files bucket."""
        statements: list[tuple[str, list[str], list[str], dict[str, object] | None]] = [
            # Expired uploads (uploads/), day-old archives (archives/), purged trash (spaces/).
            (
                "DeleteExpiredObjects",
                ["s3:DeleteObject"],
                [bucket.arn_for_objects(f"{p}*") for p in (UPLOADS_PREFIX, ARCHIVE_PREFIX, SCAN_PREFIX)],
                None,
            ),
            # Multipart uploads: an expired upload's, and any S3 still holds after a day (a large copy's too).
            ("AbortStaleMultipartUploads", ["s3:AbortMultipartUpload"], [bucket.arn_for_objects("*")], None),
            ("ListMultipartUploads", ["s3:ListBucketMultipartUploads"], [bucket.bucket_arn], None),
            (
                "ListArchives",
                ["s3:ListBucket"],
                [bucket.bucket_arn],
                {"StringLike": {"s3:prefix": f"{ARCHIVE_PREFIX}*"}},
            ),
        ]
        for sid, actions, resources, conditions in statements:
            function.add_to_role_policy(
                iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
            )
        bus.grant_put_events_to(function)  # ShareLinkExpiringSoon
        assert function.role is not None
        NagSuppressions.add_resource_suppressions(
            function.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The sweep deletes expired objects by prefix (uploads/, archives/, spaces/) and aborts "
                    "multipart uploads S3 lists for the bucket: object keys are only known at run time.",
                    applies_to=[
                        RegexAppliesTo(
                            regex="/^Resource::<StorageFiles[0-9A-F]{8}\\.Arn>\\/((uploads|archives|spaces)\\/)?\\*$/g"
                        )
                    ],
                )
            ],
            apply_to_children=True,
        )
