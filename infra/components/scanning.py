"""Malware scanning of partner uploads: GuardDuty Malware Protection for S3 and what gates on it.

- a Malware Protection plan on the files bucket (prefix spaces/, result tagging on) with the
  service role GuardDuty documents for it (its managed EventBridge rule, the bucket notification,
  reading and tagging the protected objects, its validation object);
- a rule on the account's default event bus (where GuardDuty publishes) sending the results for
  this bucket to the scan queue, which functions/scanner consumes (KUMO_SCANNER=guardduty);
- bucket policy statements: an object tagged kumo-scan=required (a partner's upload) cannot be
  read until GuardDuty's own tag says NO_THREATS_FOUND; only GuardDuty writes that tag and no one
  else can strip the gate; nothing under quarantine/ can be read at all, nor deleted by anyone but
  the scanner and the sweep (functions/scheduler);
- the scanner's S3 and bus permissions, and an alarm when a scan message reaches the DLQ.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from chalicelib.core.resources import (
    GUARDDUTY_CLEAN,
    GUARDDUTY_SCAN_RESULT_RULE,
    GUARDDUTY_STATUS_TAG,
    QUARANTINE_PREFIX,
    SCAN_PREFIX,
    SCAN_REQUIRED_TAG,
)
from infra.config import InfraConfig

GUARDDUTY_PRINCIPAL = "malware-protection-plan.guardduty.amazonaws.com"
MANAGED_RULE_PREFIX = "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3"
VALIDATION_OBJECT = "malware-protection-resource-validation-object"
# events.Rule needs a typed pattern; the raw JSON of the RuleSpec replaces it (as in messaging.py).
_PATTERN_PLACEHOLDER = events.EventPattern(source=["replaced-by-RuleSpec.pattern"])
Statement = tuple[str, list[str], list[str], dict[str, Any] | None]  # sid, actions, resources, conditions


class MalwareScanning(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        bucket: s3.Bucket,
        bus: events.IEventBus,
        queue: sqs.IQueue,
        dead_letters: sqs.IQueue,
        scanner: lambda_.Function,
        sweeper: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        assert scanner.role is not None and sweeper.role is not None
        self.role = self._guardduty_role(bucket)
        self.plan = guardduty.CfnMalwareProtectionPlan(
            self,
            "Plan",
            role=self.role.role_arn,
            protected_resource=guardduty.CfnMalwareProtectionPlan.CFNProtectedResourceProperty(
                s3_bucket=guardduty.CfnMalwareProtectionPlan.S3BucketProperty(
                    bucket_name=bucket.bucket_name, object_prefixes=[SCAN_PREFIX]
                )
            ),
            actions=guardduty.CfnMalwareProtectionPlan.CFNActionsProperty(
                tagging=guardduty.CfnMalwareProtectionPlan.CFNTaggingProperty(status="ENABLED")
            ),
        )
        self.plan.node.add_dependency(self.role)  # the plan checks its role's permissions when created
        self.results_rule = self._results_rule(config, bucket, queue, dead_letters)
        self._gate_reads(
            bucket,
            exempt=[self.role.role_arn, scanner.role.role_arn],
            may_delete_quarantine=[scanner.role.role_arn, sweeper.role.role_arn],
        )
        self._grant_scanner(scanner, bucket, bus)
        scanner.add_environment("KUMO_SCANNER", "guardduty")
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLettersAlarm",
            alarm_description="A scan result could not be recorded after every retry: a partner's upload "
            "stays 'pending' until someone looks at the scan DLQ.",
            metric=dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _guardduty_role(self, bucket: s3.Bucket) -> iam.Role:
        """The role GuardDuty assumes for the plan, with the permissions AWS documents for it."""
        role = iam.Role(
            self,
            "GuardDutyRole",
            assumed_by=iam.ServicePrincipal(
                GUARDDUTY_PRINCIPAL, conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="GuardDuty Malware Protection for S3: scans and tags new objects of the files bucket",
        )
        managed_rules = f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/{MANAGED_RULE_PREFIX}*"
        protected = bucket.arn_for_objects(f"{SCAN_PREFIX}*")
        statements: list[Statement] = [
            (
                "AllowManagedRuleToSendS3EventsToGuardDuty",
                ["events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets"],
                [managed_rules],
                {"StringLike": {"events:ManagedBy": GUARDDUTY_PRINCIPAL}},
            ),
            (
                "AllowGuardDutyToMonitorEventBridgeManagedRule",
                ["events:DescribeRule", "events:ListTargetsByRule"],
                [managed_rules],
                None,
            ),
            (
                "AllowPostScanTag",
                [
                    "s3:PutObjectTagging",
                    "s3:GetObjectTagging",
                    "s3:PutObjectVersionTagging",
                    "s3:GetObjectVersionTagging",
                ],
                [protected],
                None,
            ),
            (
                "AllowEnableS3EventBridgeEvents",
                ["s3:PutBucketNotification", "s3:GetBucketNotification"],
                [bucket.bucket_arn],
                None,
            ),
            ("AllowPutValidationObject", ["s3:PutObject"], [bucket.arn_for_objects(VALIDATION_OBJECT)], None),
            ("AllowCheckBucketOwnership", ["s3:ListBucket"], [bucket.bucket_arn], None),
            ("AllowMalwareScan", ["s3:GetObject", "s3:GetObjectVersion"], [protected], None),
        ]
        for sid, actions, resources, conditions in statements:
            role.add_to_policy(
                iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
            )
        NagSuppressions.add_resource_suppressions(
            role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="GuardDuty's documented plan role: its managed rules are named "
                    f"{MANAGED_RULE_PREFIX}<suffix> (narrowed by events:ManagedBy), and it reads and tags "
                    f"each new object under the protected prefix {SCAN_PREFIX}.",
                    applies_to=[
                        RegexAppliesTo(
                            regex=f"/^Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:"
                            f"rule\\/{MANAGED_RULE_PREFIX}\\*$/g"
                        ),
                        RegexAppliesTo(regex="/^Resource::<StorageFiles[0-9A-F]{8}\\.Arn>\\/spaces\\/\\*$/g"),
                    ],
                )
            ],
            apply_to_children=True,
        )
        return role

    def _results_rule(
        self, config: InfraConfig, bucket: s3.Bucket, queue: sqs.IQueue, dead_letters: sqs.IQueue
    ) -> events.Rule:
        spec = GUARDDUTY_SCAN_RESULT_RULE
        rule = events.Rule(
            self,
            "ResultsRule",
            rule_name=spec.physical_name(config.prefix),
            description=spec.purpose,
            event_pattern=_PATTERN_PLACEHOLDER,  # no event_bus: GuardDuty publishes on the default bus
        )
        cfn_rule = rule.node.default_child
        assert isinstance(cfn_rule, events.CfnRule)
        cfn_rule.add_property_override(
            "EventPattern", {**spec.pattern, "detail": {"s3ObjectDetails": {"bucketName": [bucket.bucket_name]}}}
        )
        rule.add_target(
            targets.SqsQueue(queue, dead_letter_queue=dead_letters, retry_attempts=8, max_event_age=Duration.hours(24))
        )
        return rule

    def _gate_reads(self, bucket: s3.Bucket, *, exempt: list[str], may_delete_quarantine: list[str]) -> None:
        """Deny what the app also refuses, where real AWS enforces it (moto ignores these conditions)."""
        tag_key, tag_value = SCAN_REQUIRED_TAG
        guardduty_role = exempt[0]
        statements: list[Statement] = [
            # A partner's upload (tagged by the files feature) is unreadable until GuardDuty clears it.
            # The GuardDuty role must read it to scan it, the scanner to move it into quarantine.
            (
                "DenyReadingPartnerUploadsUntilClean",
                ["s3:GetObject", "s3:GetObjectVersion"],
                [bucket.arn_for_objects(f"{SCAN_PREFIX}*")],
                {
                    "StringEquals": {f"s3:ExistingObjectTag/{tag_key}": tag_value},
                    "StringNotEquals": {f"s3:ExistingObjectTag/{GUARDDUTY_STATUS_TAG}": GUARDDUTY_CLEAN},
                    "ArnNotEquals": {"aws:PrincipalArn": exempt},
                },
            ),
            # Only GuardDuty writes its verdict tag ...
            (
                "OnlyGuardDutyWritesItsScanTag",
                ["s3:PutObject", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
                [bucket.arn_for_objects("*")],
                {
                    "ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": [GUARDDUTY_STATUS_TAG]},
                    "ArnNotEquals": {"aws:PrincipalArn": guardduty_role},
                },
            ),
            # ... and no one else can retag or untag a partner's upload to lift the gate.
            (
                "NoOneElseRetagsPartnerUploads",
                [
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                    "s3:DeleteObjectTagging",
                    "s3:DeleteObjectVersionTagging",
                ],
                [bucket.arn_for_objects(f"{SCAN_PREFIX}*")],
                {
                    "StringEquals": {f"s3:ExistingObjectTag/{tag_key}": tag_value},
                    "ArnNotEquals": {"aws:PrincipalArn": guardduty_role},
                },
            ),
            # Quarantined objects are kept for investigation, never served (lift this statement to look).
            (
                "DenyReadingQuarantine",
                ["s3:GetObject", "s3:GetObjectVersion"],
                [bucket.arn_for_objects(f"{QUARANTINE_PREFIX}*")],
                None,
            ),
            # Evidence stays until S3's lifecycle rule expires it: the API's role (whose grant covers
            # the whole bucket) and every other principal cannot remove it.
            (
                "OnlyScannerAndSweepDeleteQuarantine",
                ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                [bucket.arn_for_objects(f"{QUARANTINE_PREFIX}*")],
                {"ArnNotEquals": {"aws:PrincipalArn": may_delete_quarantine}},
            ),
        ]
        for sid, actions, resources, conditions in statements:
            bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=actions,
                    resources=resources,
                    conditions=conditions,
                )
            )

    def _grant_scanner(self, scanner: lambda_.Function, bucket: s3.Bucket, bus: events.IEventBus) -> None:
        """Read and move partner uploads, file them under quarantine/, announce the verdicts."""
        versions = bucket.arn_for_objects(f"{SCAN_PREFIX}*")
        quarantine = bucket.arn_for_objects(f"{QUARANTINE_PREFIX}*")
        statements: list[Statement] = [
            # GetObjectTagging: GuardDuty's result tag, when its scan came before the upload was recorded.
            (
                "ReadAndRemoveStoredVersions",
                ["s3:GetObject", "s3:GetObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion"],
                [versions],
                None,
            ),
            ("FileIntoQuarantine", ["s3:PutObject", "s3:PutObjectTagging", "s3:GetObjectTagging"], [quarantine], None),
            # A missing object then answers 404 (not 403): "not there" is told apart from "not allowed".
            ("ListTheBucket", ["s3:ListBucket"], [bucket.bucket_arn], None),
            (
                "ListVersionsOfStoredVersions",
                ["s3:ListBucketVersions"],
                [bucket.bucket_arn],
                {"StringLike": {"s3:prefix": f"{SCAN_PREFIX}*"}},
            ),
        ]
        for sid, actions, resources, conditions in statements:
            scanner.add_to_role_policy(
                iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
            )
        bus.grant_put_events_to(scanner)
        assert scanner.role is not None
        NagSuppressions.add_resource_suppressions(
            scanner.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The scanner handles any stored file version (spaces/<space>/<file>/v<n>) and files "
                    "rejected ones under quarantine/<original key>: object keys are only known per event.",
                    applies_to=[
                        RegexAppliesTo(
                            regex="/^Resource::<StorageFiles[0-9A-F]{8}\\.Arn>\\/(spaces|quarantine)\\/\\*$/g"
                        )
                    ],
                )
            ],
            apply_to_children=True,
        )
