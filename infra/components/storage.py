"""S3: the files bucket (BucketSpec "files") and the bucket its access logs go to."""

from __future__ import annotations

import re

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from chalicelib.core.resources import QUARANTINE_PREFIX, RESOURCES, BucketSpec
from infra.config import InfraConfig

ACCESS_LOG_DAYS = 365
NONCURRENT_VERSION_DAYS = 30
MULTIPART_DAYS = 1
# Where the app writes (tests check these against chalicelib; infra does not import the feature code).
UPLOADS_PREFIX = "uploads/"  # chalicelib/files/s3.py upload_key
ARCHIVE_PREFIX = "archives/"  # chalicelib/files/archive.py ARCHIVE_PREFIX
UPLOAD_DAYS = 2
ARCHIVE_DAYS = 1
QUARANTINE_DAYS = 90


def _event_type(name: str) -> s3.EventType:
    """S3's event name ("s3:ObjectRemoved:*") as CDK's enum member (OBJECT_REMOVED)."""
    parts = name.removeprefix("s3:").removesuffix(":*").split(":")
    return s3.EventType["_".join(re.sub(r"(?<!^)(?=[A-Z])", "_", p).upper() for p in parts)]


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        queues: dict[str, sqs.Queue],
    ) -> None:
        super().__init__(scope, construct_id)
        spec = RESOURCES.bucket("files")
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # log delivery does not support SSE-KMS
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(ACCESS_LOG_DAYS))],
            removal_policy=config.removal_policy,
        )
        NagSuppressions.add_resource_suppressions(
            self.access_logs,
            [
                NagPackSuppression(
                    id="AwsSolutions-S1",
                    reason="This is the access-log bucket itself; logging it into itself would loop.",
                )
            ],
        )
        self.spec = spec
        self.files = self._files_bucket(spec, config)
        self._notifications(spec, queues)

    def allow_browser_origin(self, origin: str) -> None:
        """Browsers upload and download with presigned URLs from the pages of this origin
        (KUMO_BASE_URL: the front door), and from no other."""
        self.files.add_cors_rule(
            allowed_origins=[origin],
            allowed_methods=[s3.HttpMethods(m) for m in self.spec.cors_methods],
            allowed_headers=["*"],
            exposed_headers=list(self.spec.cors_expose_headers),
            max_age=self.spec.cors_max_age_s,
        )

    def _files_bucket(self, spec: BucketSpec, config: InfraConfig) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Files",
            bucket_name=spec.physical_name(config.prefix, Aws.ACCOUNT_ID),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{spec.key}/",
            lifecycle_rules=self._lifecycle_rules(),
            removal_policy=config.removal_policy,
        )

    @staticmethod
    def _lifecycle_rules() -> list[s3.LifecycleRule]:
        """What S3 removes by itself (locally, chalicelib/maintenance/sweep.py does the first three)."""
        return [
            s3.LifecycleRule(
                id="abort-incomplete-multipart", abort_incomplete_multipart_upload_after=Duration.days(MULTIPART_DAYS)
            ),
            # Uploads land under uploads/ and move to spaces/ when completed; what is left there
            # was abandoned (the sweep normally removes it within the upload's own expiry).
            s3.LifecycleRule(
                id="expire-abandoned-uploads", prefix=UPLOADS_PREFIX, expiration=Duration.days(UPLOAD_DAYS)
            ),
            # ZIP downloads built for partners and staff: fetched right away, never kept.
            s3.LifecycleRule(id="expire-archives", prefix=ARCHIVE_PREFIX, expiration=Duration.days(ARCHIVE_DAYS)),
            # Infected or unscannable uploads are kept for investigation, then go.
            s3.LifecycleRule(
                id="expire-quarantine", prefix=QUARANTINE_PREFIX, expiration=Duration.days(QUARANTINE_DAYS)
            ),
            # Versioning guards against overwrites and slips; old versions do not need to
            # outlive a month (a deleted file should not linger for years). A delete marker
            # left with no version behind it goes too.
            s3.LifecycleRule(
                id="expire-old-versions", noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS)
            ),
            s3.LifecycleRule(id="remove-expired-delete-markers", expired_object_delete_marker=True),
        ]

    def _notifications(self, spec: BucketSpec, queues: dict[str, sqs.Queue]) -> None:
        for event_names, queue_key in spec.notifications:
            destination = s3n.SqsDestination(queues[queue_key])
            for name in event_names:
                self.files.add_event_notification(_event_type(name), destination)
        stack = Stack.of(self)
        for child in stack.node.children:
            # CDK's singleton Lambda that writes the bucket's notification configuration.
            if child.node.id.startswith("BucketNotificationsHandler"):
                NagSuppressions.add_resource_suppressions(
                    child,
                    [
                        NagPackSuppression(
                            id="AwsSolutions-IAM4",
                            reason="CDK's BucketNotificationsHandler custom resource uses the "
                            "AWS-managed basic execution role for its own logs.",
                            applies_to=[
                                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                            ],
                        )
                    ],
                    apply_to_children=True,
                )
