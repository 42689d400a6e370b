"""DynamoDB: every TableSpec of resources.py, with its keys, indexes and protections."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.resources import RESOURCES, KeyAttr, TableSpec
from tests.infra.conftest import Synthesized


def _key_schema(partition: KeyAttr, sort: KeyAttr | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def _table(synth: Synthesized, name: str) -> dict[str, Any]:
    tables = [r for r in synth.resources("AWS::DynamoDB::Table").values() if r["Properties"]["TableName"] == name]
    assert len(tables) == 1, f"table {name} not found exactly once"
    return tables[0]


def test_no_table_beyond_resources_py(synthesized: Synthesized) -> None:
    names = sorted(r["Properties"]["TableName"] for r in synthesized.resources("AWS::DynamoDB::Table").values())
    assert names == sorted(spec.physical_name("kumo") for spec in RESOURCES.tables)


@pytest.mark.parametrize("spec", RESOURCES.tables, ids=lambda s: s.key)
def test_table_shape(synthesized: Synthesized, spec: TableSpec) -> None:
    props = _table(synthesized, spec.physical_name("kumo"))["Properties"]
    assert props["KeySchema"] == _key_schema(spec.partition, spec.sort)
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        ({"AttributeName": a.name, "AttributeType": a.type} for a in spec.attributes()),
        key=lambda a: a["AttributeName"],
    )
    indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {i.name for i in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == _key_schema(index.partition, index.sort)
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    if spec.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    # SSEEnabled without a key: KMS with the AWS-managed key aws/dynamodb.
    assert props["SSESpecification"] == {"SSEEnabled": True}


@pytest.mark.parametrize("spec", RESOURCES.tables, ids=lambda s: s.key)
def test_deletion_protection_follows_context(
    synthesized: Synthesized,
    unprotected: Synthesized,
    spec: TableSpec,
) -> None:
    protected = _table(synthesized, spec.physical_name("kumo"))
    assert protected["Properties"]["DeletionProtectionEnabled"] is True
    assert protected["DeletionPolicy"] == "Retain"
    throwaway = _table(unprotected, spec.physical_name("kumo-test"))
    assert throwaway["Properties"]["DeletionProtectionEnabled"] is False
    assert throwaway["DeletionPolicy"] == "Delete"


def test_a_hot_board_partition_raises_an_alarm(synthesized: Synthesized) -> None:
    alarms = [r["Properties"] for r in synthesized.resources("AWS::CloudWatch::Alarm").values()]
    throttles = [a for a in alarms if a.get("MetricName") == "WriteThrottleEvents"]
    watched = {spec.key for spec in RESOURCES.tables if spec.throttle_alarm}
    assert {"board_items", "project_activity"} <= watched
    assert len(throttles) == len(watched)
    for alarm in throttles:
        assert alarm["Namespace"] == "AWS/DynamoDB" and alarm["Threshold"] == 1
        assert [d["Name"] for d in alarm["Dimensions"]] == ["TableName"]
        assert "partition" in alarm["AlarmDescription"]
