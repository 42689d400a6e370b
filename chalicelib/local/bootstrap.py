"""Creates every resource in resources.py on the configured endpoint. Idempotent.

The same names and shapes as `infra/` declares, because both read `RESOURCES`. Running it
twice changes nothing: each step looks before it creates, and settings that can be re-applied
(CORS, notifications, rules, targets) are written with the same values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import aws
from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.config import settings
from chalicelib.core.resources import RESOURCES, BucketSpec, QueueSpec, TableSpec

PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 7,
}


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    def note(self, name: str, created: bool) -> None:
        (self.created if created else self.existing).append(name)


def bootstrap(web_origins: list[str], *, search: bool = True) -> Report:
    if not web_origins:
        raise ValueError("give at least one web origin: browsers upload to the bucket from it")
    report = Report()
    for table in RESOURCES.tables:
        report.note(f"table {table.key}", ensure_table(table))
    queue_arns = {q.key: ensure_queue(q, report) for q in RESOURCES.queues}
    for bucket in RESOURCES.buckets:
        report.note(f"bucket {bucket.key}", ensure_bucket(bucket, queue_arns, web_origins))
    report.note("event bus", ensure_event_bus(queue_arns))
    report.note("user pool", ensure_user_pool())
    report.note("mail identity", ensure_mail_identity())
    if search:
        from chalicelib.search import index

        report.note("search index", index.ensure_index())
    return report


def ensure_table(spec: TableSpec) -> bool:
    ddb = aws.client("dynamodb")
    name = spec.physical_name(settings().prefix)
    try:
        existing = ddb.describe_table(TableName=name)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        existing = None
    if existing is not None:
        _add_missing_indexes(ddb, name, spec, existing)
        return False
    keys = [{"AttributeName": spec.partition.name, "KeyType": "HASH"}]
    if spec.sort:
        keys.append({"AttributeName": spec.sort.name, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a.name, "AttributeType": a.type} for a in spec.attributes()],
    }
    if spec.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": i.partition.name, "KeyType": "HASH"}]
                + ([{"AttributeName": i.sort.name, "KeyType": "RANGE"}] if i.sort else []),
            }
            for i in spec.indexes
        ]
    ddb.create_table(**kwargs)
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    if spec.ttl_attribute:
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
        )
    return True


def _index_schema(index: Any) -> dict[str, Any]:
    return {
        "IndexName": index.name,
        "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [{"AttributeName": index.partition.name, "KeyType": "HASH"}]
        + ([{"AttributeName": index.sort.name, "KeyType": "RANGE"}] if index.sort else []),
    }


def _add_missing_indexes(ddb: Any, name: str, spec: TableSpec, existing: dict[str, Any]) -> None:
    """A table made by an older version lacks an index added since (the staff table's
    by_elsewhere): add it, one per update as DynamoDB asks, so old state keeps working."""
    have = {i["IndexName"] for i in existing.get("GlobalSecondaryIndexes") or []}
    for index in spec.indexes:
        if index.name in have:
            continue
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": a.name, "AttributeType": a.type} for a in spec.attributes()],
            GlobalSecondaryIndexUpdates=[{"Create": _index_schema(index)}],
        )
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _find_queue(sqs: Any, name: str) -> str | None:
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        return None


def ensure_queue(spec: QueueSpec, report: Report) -> str:
    sqs = aws.client("sqs")
    prefix = settings().prefix
    dlq_name = spec.dlq_physical_name(prefix)
    dlq_url = _find_queue(sqs, dlq_name)
    report.note(f"queue {dlq_name}", dlq_url is None)
    if dlq_url is None:
        dlq_url = sqs.create_queue(
            QueueName=dlq_name,
            Attributes={"MessageRetentionPeriod": str(spec.dlq_retention_s), "SqsManagedSseEnabled": "true"},
        )["QueueUrl"]
    attributes = {
        "VisibilityTimeout": str(spec.visibility_timeout_s),
        "MessageRetentionPeriod": str(spec.retention_s),
        "SqsManagedSseEnabled": "true",
        "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": _queue_arn(sqs, dlq_url), "maxReceiveCount": spec.max_receive_count}
        ),
    }
    name = spec.physical_name(prefix)
    url = _find_queue(sqs, name)
    report.note(f"queue {name}", url is None)
    if url is None:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return _queue_arn(sqs, url)


def ensure_bucket(spec: BucketSpec, queue_arns: dict[str, str], web_origins: list[str]) -> bool:
    s3 = aws.client("s3")
    s = settings()
    name = s.files_bucket if spec.key == "files" else spec.physical_name(s.prefix, s.account)
    created = False
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s.region})
        created = True
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": web_origins,
                    "AllowedMethods": list(spec.cors_methods),
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": list(spec.cors_expose_headers),
                    "MaxAgeSeconds": spec.cors_max_age_s,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "abort-incomplete-multipart",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }
            ]
        },
    )
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": f"{spec.key}-to-{queue}", "QueueArn": queue_arns[queue], "Events": list(event_names)}
                for event_names, queue in spec.notifications
            ]
        },
    )
    return created


def ensure_event_bus(queue_arns: dict[str, str]) -> bool:
    events = aws.client("events")
    bus = settings().event_bus_name
    created = False
    try:
        events.describe_event_bus(Name=bus)
    except events.exceptions.ResourceNotFoundException:
        events.create_event_bus(Name=bus)
        created = True
    for rule in BUS_RULES:
        name = rule.physical_name(settings().prefix)
        events.put_rule(
            Name=name,
            EventBusName=bus,
            EventPattern=json.dumps(rule.pattern),
            State="ENABLED",
            Description=rule.purpose,
        )
        events.put_targets(
            Rule=name, EventBusName=bus, Targets=[{"Id": rule.target_queue, "Arn": queue_arns[rule.target_queue]}]
        )
    return created


def ensure_user_pool() -> bool:
    idp = aws.client("cognito-idp")
    s = settings()
    pool_name = RESOURCES.user_pool_name(s.prefix)
    pool_id = None
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == pool_name:
                pool_id = pool["Id"]
    created = pool_id is None
    if pool_id is None:
        pool_id = idp.create_user_pool(
            PoolName=pool_name,
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            Schema=[
                {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
                {"Name": "name", "AttributeDataType": "String", "Required": False, "Mutable": True},
            ],
            UsernameConfiguration={"CaseSensitive": False},
        )["UserPool"]["Id"]
    client_name = RESOURCES.user_pool_client_name(s.prefix)
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if not any(c["ClientName"] == client_name for c in clients):
        idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=client_name,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
            AccessTokenValidity=60,
            IdTokenValidity=60,
            RefreshTokenValidity=12,
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"},
        )
        created = True
    return created


def ensure_mail_identity() -> bool:
    ses = aws.client("ses")
    sender = settings().mail_from
    known = ses.list_identities(IdentityType="EmailAddress").get("Identities", [])
    if sender in known:
        return False
    ses.verify_email_identity(EmailAddress=sender)
    return True
