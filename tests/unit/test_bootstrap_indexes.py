"""`kumo bootstrap` on a table made by an older version adds the indexes added since."""

from __future__ import annotations

import boto3
from moto import mock_aws

from chalicelib.core.config import settings
from chalicelib.core.resources import RESOURCES
from chalicelib.local import bootstrap


def test_an_old_staff_table_gets_the_new_index_and_keeps_its_items() -> None:
    with mock_aws():
        spec = RESOURCES.table("staff")
        ddb = boto3.client("dynamodb", region_name=settings().region)
        name = spec.physical_name(settings().prefix)
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "staff_id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "staff_id", "AttributeType": "S"}],
        )
        ddb.put_item(TableName=name, Item={"staff_id": {"S": "yamada.k"}})
        assert bootstrap.ensure_table(spec) is False  # existed: not made again
        table = ddb.describe_table(TableName=name)["Table"]
        assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {i.name for i in spec.indexes}
        assert ddb.get_item(TableName=name, Key={"staff_id": {"S": "yamada.k"}})["Item"]
