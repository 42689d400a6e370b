"""DynamoDB: one table per TableSpec in chalicelib/core/resources.py."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from chalicelib.core.resources import RESOURCES, KeyAttr, TableSpec
from infra.config import InfraConfig

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(key: KeyAttr) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_TYPES[key.type])


class Tables(Construct):
    """Every table, on-demand, with point-in-time recovery and AWS-managed encryption."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.by_key: dict[str, dynamodb.Table] = {spec.key: self._table(spec, config) for spec in RESOURCES.tables}

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

    def grant_read(self, grantee: iam.IGrantable, *keys: str) -> None:
        for key in keys:
            self.by_key[key].grant_read_data(grantee)
