"""Amazon OpenSearch Service: the domain behind document search, and who may reach it.

Endpoint: **public, not in a VPC**, closed by its resource-based policy to exactly two IAM roles
(the API's and the indexer's), with fine-grained access control on top.
Why not a VPC: the project has none, and a VPC would have to come with the domain: private
subnets in two AZs, the API and every function moved into them (ENIs, cold starts), and a NAT
gateway or interface endpoints for S3, DynamoDB, SQS, EventBridge, SES and Cognito — a fixed
monthly cost larger than the domain's and more to operate, for a platform meant to cost next to
nothing when idle. A public endpoint here is not an open one:

- the access policy allows es:ESHttp* only to the two roles' ARNs (no "*" principal, no
  anonymous access), so every request must be SigV4-signed with their credentials;
- fine-grained access control (the security plugin) is on, with IAM as the only identity
  source: no internal user database, no master password in the template. The indexer's role
  is the master user (it creates the versioned index, its mapping and the alias); the API's role
  gets its in-cluster permissions from a role mapping the indexer (or `kumo`) creates at
  bootstrap — its ARN is in the indexer's KUMO_SEARCH_API_ROLE_ARN;
- HTTPS only, TLS 1.2 minimum (Policy-Min-TLS-1-2-PFS-2023-10), node-to-node encryption and
  encryption at rest.

Moving into a VPC later is a new domain (AWS cannot move one) and a reindex, which `kumo reindex`
already does without a gap.

Sizing: one t3.medium.search data node with a gp3 volume, no dedicated masters, no zone
awareness — a prefecture's documents, not a log cluster. All of it is CDK context (infra/config.py):
``search_zone_awareness=true`` with ``search_data_nodes=2`` spreads the nodes over two AZs.
Analysis: kuromoji (analysis-kuromoji) is built into OpenSearch Service; ICU is not used.

The indexer also gets here what it needs beyond its tables: reading stored file versions
(``spaces/``) and an alarm when an index message reaches the DLQ.
"""

from __future__ import annotations

import re

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from chalicelib.core.resources import SCAN_PREFIX
from infra.config import LOG_RETENTION, InfraConfig

ENGINE_VERSION = opensearch.EngineVersion.OPENSEARCH_2_19
TLS_POLICY = opensearch.TLSSecurityPolicy.TLS_1_2_PFS
# What the API and the indexer may send (the security plugin decides per index and action).
HTTP_ACTIONS = ("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete")
_DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9-]{2,27}$")


def domain_name(prefix: str) -> str:
    """The domain's name: 3-28 characters, lower-case letters, digits and hyphens."""
    name = f"{prefix}-search"
    if not _DOMAIN_NAME.match(name):
        raise ValueError(
            f"search domain name {name!r} is not valid: the prefix must be at most 21 "
            "lower-case letters, digits or hyphens, starting with a letter"
        )
    return name


class Search(Construct):
    """The domain, its log groups and their resource policy. Call :meth:`admit` once the API's
    and the indexer's roles exist (they need the endpoint, the domain needs their ARNs)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.domain_name = domain_name(config.prefix)
        # Built from the name, not read from the domain: the log policy must exist before it.
        self.domain_arn = f"arn:{Aws.PARTITION}:es:{Aws.REGION}:{Aws.ACCOUNT_ID}:domain/{self.domain_name}"
        self.log_groups = {
            kind: logs.LogGroup(self, f"{kind}Logs", retention=LOG_RETENTION, removal_policy=config.removal_policy)
            for kind in ("SearchSlow", "IndexSlow", "Application")
        }
        self.logs_policy = self._logs_policy()
        zone_aware = config.search_zone_awareness
        self.domain = opensearch.Domain(
            self,
            "Domain",
            domain_name=self.domain_name,
            version=ENGINE_VERSION,
            capacity=opensearch.CapacityConfig(
                data_nodes=config.search_data_nodes,
                data_node_instance_type=config.search_instance_type,
                multi_az_with_standby_enabled=False,
            ),
            ebs=opensearch.EbsOptions(
                enabled=True, volume_size=config.search_volume_gb, volume_type=ec2.EbsDeviceVolumeType.GP3
            ),
            zone_awareness=opensearch.ZoneAwarenessConfig(
                enabled=zone_aware, availability_zone_count=2 if zone_aware else None
            ),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=TLS_POLICY,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=self.log_groups["SearchSlow"],
                slow_index_log_enabled=True,
                slow_index_log_group=self.log_groups["IndexSlow"],
                app_log_enabled=True,
                app_log_group=self.log_groups["Application"],
            ),
            # CDK's own policy is a custom resource (a Lambda); ours is a plain AWS::Logs::ResourcePolicy.
            suppress_logs_resource_policy=True,
            enable_version_upgrade=True,
            removal_policy=config.removal_policy,
        )
        self.domain.node.add_dependency(self.logs_policy)
        self._suppress(zone_aware)

    @property
    def endpoint_url(self) -> str:
        return f"https://{self.domain.domain_endpoint}"

    @property
    def cfn_domain(self) -> opensearch.CfnDomain:
        cfn = self.domain.node.default_child
        assert isinstance(cfn, opensearch.CfnDomain)
        return cfn

    def admit(self, *, api: iam.IRole, indexer: iam.IRole) -> None:
        """The only two principals: the access policy, the master user and their IAM grants."""
        self.cfn_domain.access_policies = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OnlyTheApiAndTheIndexer",
                    "Effect": "Allow",
                    "Principal": {"AWS": [api.role_arn, indexer.role_arn]},
                    "Action": list(HTTP_ACTIONS),
                    "Resource": f"{self.domain_arn}/*",
                }
            ],
        }
        self.cfn_domain.advanced_security_options = opensearch.CfnDomain.AdvancedSecurityOptionsInputProperty(
            enabled=True,
            internal_user_database_enabled=False,  # IAM only: no users, no password in the template
            anonymous_auth_enabled=False,
            master_user_options=opensearch.CfnDomain.MasterUserOptionsProperty(master_user_arn=indexer.role_arn),
        )
        for role in (api, indexer):
            self.grant(role)

    def grant(self, role: iam.IRole) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="SearchDomainHttp", actions=list(HTTP_ACTIONS), resources=[f"{self.domain.domain_arn}/*"]
            )
        )
        NagSuppressions.add_resource_suppressions(
            role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The search domain's indexes and documents are addressed as <domain arn>/<path>; the "
                    "security plugin (fine-grained access control) narrows what each role may do there.",
                    applies_to=[RegexAppliesTo(regex="/^Resource::<SearchDomain[0-9A-F]{8}\\.Arn>\\/\\*$/g")],
                )
            ],
            apply_to_children=True,
        )

    def _logs_policy(self) -> logs.ResourcePolicy:
        return logs.ResourcePolicy(
            self,
            "LogsPolicy",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("es.amazonaws.com")],
                    actions=["logs:PutLogEvents", "logs:CreateLogStream"],
                    resources=[group.log_group_arn for group in self.log_groups.values()],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": self.domain_arn},
                    },
                )
            ],
        )

    def _suppress(self, zone_aware: bool) -> None:
        suppressions = [
            NagPackSuppression(
                id="AwsSolutions-OS1",
                reason="Deliberate: no VPC (see infra/components/search.py). The endpoint is public but its "
                "access policy admits only the API's and the indexer's IAM roles, SigV4-signed, over "
                "TLS 1.2, with fine-grained access control on top.",
            ),
            NagPackSuppression(
                id="AwsSolutions-OS3",
                reason="Access is by IAM identity, not by IP: the callers are Lambda functions outside a "
                "VPC, which have no fixed addresses to allowlist.",
            ),
            NagPackSuppression(
                id="AwsSolutions-OS4",
                reason="Deliberate: a small domain (one or two data nodes) for a prefecture's documents; "
                "dedicated master nodes would triple its cost for no stability it needs.",
            ),
        ]
        if not zone_aware:
            suppressions.append(
                NagPackSuppression(
                    id="AwsSolutions-OS7",
                    reason="Deliberate default: one data node, one AZ. The index is rebuilt from S3 and DynamoDB "
                    "(kumo reindex); context search_zone_awareness=true spreads the nodes over two AZs.",
                )
            )
        NagSuppressions.add_resource_suppressions(self.domain, suppressions, apply_to_children=True)


class Indexing(Construct):
    """What the indexer needs besides its tables and the domain: the stored versions, an alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        indexer: lambda_.Function,
        bucket: s3.IBucket,
        dead_letters: sqs.IQueue,
        api_role: iam.IRole,
    ) -> None:
        super().__init__(scope, construct_id)
        assert indexer.role is not None
        # Read only the stored file versions (spaces/<space>/<file>/v<n>): never uploads in progress,
        # archives or quarantine/; the bucket policy still hides partner uploads until they are clean.
        indexer.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReadStoredVersions",
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects(f"{SCAN_PREFIX}*")],
            )
        )
        # The security plugin's role mapping for the API is made by the master user (the indexer).
        indexer.add_environment("KUMO_SEARCH_API_ROLE_ARN", api_role.role_arn)
        NagSuppressions.add_resource_suppressions(
            indexer.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The indexer reads any stored file version (spaces/<space>/<file>/v<n>); object keys "
                    "are only known per event.",
                    applies_to=[RegexAppliesTo(regex="/^Resource::<StorageFiles[0-9A-F]{8}\\.Arn>\\/spaces\\/\\*$/g")],
                )
            ],
            apply_to_children=True,
        )
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLettersAlarm",
            alarm_description="A file change could not be indexed after every retry: search is out of step "
            "with the files until someone looks at the index DLQ (and redrives it).",
            metric=dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
