"""Deployment settings of the stack, read once from CDK context.

Context (``cdk -c key=value`` or ``build_app(context={...})``):

=====================  ==============================  =======================================
key                    default                         what it sets
=====================  ==============================  =======================================
prefix                 kumo                            KUMO_PREFIX and every physical name
stage                  dev                             KUMO_STAGE, the .chalice/config.json stage
deletion_protection    true                            tables, user pool; RETAIN vs DESTROY
domain_name            (none)                          the custom domain of the CloudFront front door
                                                       (KUMO_BASE_URL https://<domain_name>, the files
                                                       bucket's CORS origin); none: the distribution's
                                                       own *.cloudfront.net domain
certificate_arn        (none)                          the ACM certificate (us-east-1) for domain_name;
                                                       required with it, refused without it
mail_from              no-reply@kumo.example.lg.jp     KUMO_MAIL_FROM, the SES From condition
share_rate_limit       300                             WAF: requests per 5 minutes per viewer address
                                                       to /api/share/* and /s/* before blocking
search_instance_type   t3.medium.search                the search domain's data node type
search_data_nodes      1                               how many data nodes (even, if zone-aware)
search_volume_gb       20                              gp3 EBS volume per data node
search_zone_awareness  false                           spread data nodes over two AZs
apigw_cloudwatch_role  true                            the account-wide API Gateway logging
                                                       role; false for a 2nd stack per account
webhook_allowed_hosts  (none)                          KUMO_WEBHOOK_ALLOWED_HOSTS: hosts chat channels
                                                       may reach although they resolve to internal
                                                       addresses (comma-separated); none: no such host
=====================  ==============================  =======================================
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from layers.build import ARCHITECTURE, PYTHON_VERSION

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = PROJECT_ROOT / "build"
# aws-cdk-lib 2.275's recommended feature flags (what `cdk init` writes into cdk.json), but
# core:enableAdditionalMetadataCollection off (no usage metadata in the template) and
# core:annotationsInValidationReport off: cdk-nag errors stay annotations that tests list
# one by one (infra.synth and the cdk CLI still fail on them).
FEATURE_FLAGS = Path(__file__).with_name("feature_flags.json")
DEFAULT_REGION = "ap-northeast-1"

# One runtime and one architecture for the API, the functions and the layer's wheels.
RUNTIME = next(r for r in lambda_.Runtime.ALL if r.name == f"python{PYTHON_VERSION}")
LAMBDA_ARCHITECTURE = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}[ARCHITECTURE]
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
# Where the layer's frontend/ lands on Lambda (layers/build.py copies it into python/).
LAYER_FRONTEND_DIR = "/opt/python/frontend"


@dataclass(frozen=True)
class InfraConfig:
    prefix: str = "kumo"
    stage: str = "dev"
    region: str = DEFAULT_REGION
    deletion_protection: bool = True
    domain_name: str = ""  # "": the distribution's own domain
    certificate_arn: str = ""
    mail_from: str = "no-reply@kumo.example.lg.jp"
    share_rate_limit: int = 300
    search_instance_type: str = "t3.medium.search"
    search_data_nodes: int = 1
    search_volume_gb: int = 20
    search_zone_awareness: bool = False
    apigw_cloudwatch_role: bool = True
    webhook_allowed_hosts: str = ""

    @classmethod
    def from_context(cls, scope: Construct) -> InfraConfig:
        def get(key: str, default: Any) -> Any:
            value = scope.node.try_get_context(key)
            return default if value is None else value

        return cls(
            prefix=str(get("prefix", cls.prefix)),
            stage=str(get("stage", cls.stage)),
            region=default_region(),
            deletion_protection=_as_bool(get("deletion_protection", cls.deletion_protection)),
            domain_name=str(get("domain_name", cls.domain_name)).strip().lower().rstrip("."),
            certificate_arn=str(get("certificate_arn", cls.certificate_arn)).strip(),
            mail_from=str(get("mail_from", cls.mail_from)),
            share_rate_limit=int(get("share_rate_limit", cls.share_rate_limit)),
            search_instance_type=str(get("search_instance_type", cls.search_instance_type)),
            search_data_nodes=int(get("search_data_nodes", cls.search_data_nodes)),
            search_volume_gb=int(get("search_volume_gb", cls.search_volume_gb)),
            search_zone_awareness=_as_bool(get("search_zone_awareness", cls.search_zone_awareness)),
            apigw_cloudwatch_role=_as_bool(get("apigw_cloudwatch_role", cls.apigw_cloudwatch_role)),
            webhook_allowed_hosts=str(get("webhook_allowed_hosts", cls.webhook_allowed_hosts)).strip(),
        )

    def __post_init__(self) -> None:
        if bool(self.domain_name) != bool(self.certificate_arn):
            raise ValueError(
                "context domain_name and certificate_arn go together: CloudFront serves a "
                "custom domain only with an ACM certificate (in us-east-1) for it"
            )
        if self.certificate_arn and not self.certificate_arn.startswith("arn:aws:acm:us-east-1:"):
            raise ValueError(
                f"certificate_arn must be an ACM certificate in us-east-1 (CloudFront's "
                f"region for certificates), not {self.certificate_arn!r}"
            )
        if not 10 <= self.share_rate_limit <= 2_000_000_000:
            raise ValueError(f"share_rate_limit must be between 10 and 2e9 (WAF), not {self.share_rate_limit}")

    @property
    def removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.RETAIN if self.deletion_protection else RemovalPolicy.DESTROY


def default_region() -> str:
    return os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def feature_flags() -> dict[str, Any]:
    return dict(json.loads(FEATURE_FLAGS.read_text()))


def _as_bool(value: Any) -> bool:
    """Context from the command line arrives as a string ("false"), from code as a bool."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected a boolean in CDK context, got {value!r}")
