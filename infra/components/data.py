"""DynamoDB: one table per TableSpec in chalicelib/core/resources.py."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from chalicelib.core.resources import RESOURCES, KeyAttr, TableSpec
from infra.config import InfraConfig

# What Table.grant_read_write_data grants (aws-cdk-lib 2.x), for a policy built by hand.
TABLE_READ_WRITE = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
)
# 25 tables' two ARNs each keep a managed policy well inside IAM's 6,144 characters.
TABLES_PER_POLICY = 25
_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(key: KeyAttr) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_TYPES[key.type])


class Tables(Construct):
    """Every table, on-demand, with point-in-time recovery and AWS-managed encryption."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.by_key: dict[str, dynamodb.Table] = {spec.key: self._table(spec, config) for spec in RESOURCES.tables}
        self.throttle_alarms = {
            spec.key: self._throttle_alarm(spec) for spec in RESOURCES.tables if spec.throttle_alarm
        }

    def _throttle_alarm(self, spec: TableSpec) -> cloudwatch.Alarm:
        """Any throttled write in 5 minutes: on-demand tables throttle only a partition past its
        limit (1,000 writes/s), which for these tables is one busy board or project."""
        return cloudwatch.Alarm(
            self,
            f"{spec.key.title()}ThrottleAlarm",
            alarm_description=spec.throttle_alarm,
            metric=self.by_key[spec.key].metric("WriteThrottleEvents", period=Duration.minutes(5), statistic="Sum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _table(self, spec: TableSpec, config: InfraConfig) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.key.title(),
            table_name=spec.physical_name(config.prefix),
            partition_key=_attribute(spec.partition),
            sort_key=_attribute(spec.sort) if spec.sort else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=config.deletion_protection,
            removal_policy=config.removal_policy,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort) if index.sort else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    def grant_read_write(self, grantee: iam.IGrantable, *keys: str) -> None:
        for key in keys:
            self.by_key[key].grant_read_write_data(grantee)

    def read_write_policies(self, scope: Construct, construct_id: str, role: iam.IRole) -> list[iam.ManagedPolicy]:
        """Read/write on every table, as customer-managed policies of their own attached to the role.

        The API serves every feature, so it reaches every table: two ARNs (table, its indexes) per
        table. In the role's inline policy those outgrow the role's size budget (CDK then splits it
        into overflow policies that cdk-nag suppressions and reviewers do not see); a managed policy
        has a budget of its own (6,144 characters: about 35 tables at today's ARN lengths), so the
        tables are dealt into policies of TABLES_PER_POLICY each: "<id>", then "<id>2", "<id>3" …
        (the first keeps its id, so adding tables never replaces a policy already deployed).
        """
        tables = list(self.by_key.values())
        policies = []
        for n, start in enumerate(range(0, len(tables), TABLES_PER_POLICY), start=1):
            policy = iam.ManagedPolicy(
                scope,
                construct_id if n == 1 else f"{construct_id}{n}",
                description=f"Kumo API: read/write on Kumo's tables (part {n})",
            )
            chunk = tables[start : start + TABLES_PER_POLICY]
            arns = [arn for table in chunk for arn in (table.table_arn, f"{table.table_arn}/index/*")]
            policy.add_statements(iam.PolicyStatement(actions=list(TABLE_READ_WRITE), resources=arns))
            role.add_managed_policy(policy)
            policies.append(policy)
        return policies

    def grant_update(self, grantee: iam.IGrantable, *keys: str) -> None:
        """UpdateItem only: the delivery counters' ADD (notifications/stats.py) needs no more."""
        for key in keys:
            self.by_key[key].grant(grantee, "dynamodb:UpdateItem")

    def grant_read(self, grantee: iam.IGrantable, *keys: str) -> None:
        for key in keys:
            self.by_key[key].grant_read_data(grantee)
