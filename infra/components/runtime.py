"""What every Lambda function of Kumo shares: the layer, the environment, role and logs."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from chalicelib.core.assets import MANIFEST_NAME, write_manifest
from chalicelib.core.resources import VIEWER_IP_HEADER
from infra.config import (
    BUILD_DIR,
    LAMBDA_ARCHITECTURE,
    LAYER_FRONTEND_DIR,
    LOG_RETENTION,
    RUNTIME,
    InfraConfig,
)
from layers.build import ARCHITECTURE, build_layer


class SharedLayer(Construct):
    """Dependencies + chalicelib/ + frontend/, built by layers/build.py at synth time."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        layer_dir = build_layer(BUILD_DIR / "layer", architecture=ARCHITECTURE)
        frontend = layer_dir / "python" / "frontend"
        # The static files as the layer carries them, and their hashed names (KUMO_STATIC_MANIFEST):
        # the front door publishes these very files under these names.
        self.static_dir = frontend / "static"
        write_manifest(self.static_dir, frontend / MANIFEST_NAME)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            layer_version_name=f"{config.prefix}-shared",
            description="Kumo runtime dependencies, chalicelib and frontend",
            code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
        )


STATIC_MANIFEST = f"{LAYER_FRONTEND_DIR}/{MANIFEST_NAME}"


@dataclass(frozen=True)
class Deployed:
    """What the stack created that the settings name (CloudFormation tokens)."""

    files_bucket: str
    user_pool_id: str
    user_pool_client_id: str
    base_url: str  # the front door: https://<custom domain or distribution domain>
    token_key_id: str  # the KMS key that seals refresh tokens
    mail_link_secret_arn: str  # the secret that signs unsubscribe links
    webhook_key_id: str  # the KMS key that seals chat channels' webhook URLs


def kumo_environment(
    config: InfraConfig,
    deployed: Deployed,
    *,
    service: str,
    search_url: str | None = None,
) -> dict[str, str]:
    """The settings chalicelib/core/config.py reads, for the API and every function.

    Every name of config.REQUIRED_OUTSIDE_LOCAL is set for every service (tests/infra checks it):
    a function that misses one refuses to start. ``search_url`` only for the services that talk
    to the search domain (the API, the indexer): Amazon OpenSearch Service admits SigV4-signed
    requests of their IAM roles only.
    """
    env = {
        "KUMO_STAGE": config.stage,
        "KUMO_PREFIX": config.prefix,
        "KUMO_ACCOUNT": Aws.ACCOUNT_ID,
        "KUMO_FILES_BUCKET": deployed.files_bucket,
        "KUMO_USER_POOL_ID": deployed.user_pool_id,
        "KUMO_USER_POOL_CLIENT_ID": deployed.user_pool_client_id,
        "KUMO_MAIL_FROM": config.mail_from,
        "KUMO_BASE_URL": deployed.base_url,
        "KUMO_TOKEN_KEY_ID": deployed.token_key_id,
        "KUMO_MAIL_LINK_SECRET_ARN": deployed.mail_link_secret_arn,
        "KUMO_WEBHOOK_KEY_ID": deployed.webhook_key_id,
        "KUMO_WEBHOOK_ALLOWED_HOSTS": config.webhook_allowed_hosts,
        "KUMO_SECURE_COOKIES": "true",
        "KUMO_FRONTEND_DIR": LAYER_FRONTEND_DIR,
        "KUMO_STATIC_MANIFEST": STATIC_MANIFEST,
        "KUMO_VIEWER_IP_HEADER": VIEWER_IP_HEADER,  # audit logs record the partner's address, not an edge's
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": "Kumo",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    if search_url:
        env["KUMO_SEARCH_URL"] = search_url
        env["KUMO_SEARCH_SIGV4"] = "1"
    return env


class Execution(Construct):
    """A function's role and log group: it may write its own logs and traces, nothing else.

    Our own role instead of the AWSLambdaBasicExecutionRole managed policy, whose
    logs:CreateLogGroup/PutLogEvents apply to every log group in the account.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=config.removal_policy)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        self.log_group.grant_write(self.role)

    def allow_tracing(self) -> None:
        """For a function whose tracing CDK does not configure (the Chalice API)."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
        )


def suppress_tracing_wildcard(role: iam.IRole) -> None:
    NagSuppressions.add_resource_suppressions(
        role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level "
                "permissions; '*' is the only possible resource.",
                applies_to=["Resource::*"],
            )
        ],
        apply_to_children=True,
    )


def suppress_data_wildcards(role: iam.IRole | iam.ManagedPolicy) -> None:
    """The wildcards CDK's grant_* methods produce for DynamoDB indexes and S3 objects."""
    NagSuppressions.add_resource_suppressions(
        role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="Scoped to Kumo's own resources: the indexes of tables it may use "
                "(<table arn>/index/*), the objects of its files bucket (<bucket arn>/*) and "
                "the object-level S3 actions CDK's grant_read_write lists with a wildcard.",
                applies_to=[
                    # logical ids of the tables (construct "Data") and of the files bucket
                    RegexAppliesTo(regex="/^Resource::<Data[A-Za-z0-9]+\\.Arn>\\/index\\/\\*$/g"),
                    RegexAppliesTo(regex="/^Resource::<StorageFiles[0-9A-F]{8}\\.Arn>\\/\\*$/g"),
                    RegexAppliesTo(regex="/^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\\*$/g"),
                ],
            )
        ],
        apply_to_children=True,
    )
