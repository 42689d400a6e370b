"""The local emulator's transactions stay all-or-nothing with the item journal that replaced
moto's whole-table copies (chalicelib/local/emulator.py)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chalicelib.local.emulator import journaled_transactions


@pytest.fixture
def dynamodb() -> Any:
    journaled_transactions()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-northeast-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item={"k": {"S": "b"}, "n": {"N": "1"}})
        client.put_item(TableName="t", Item={"k": {"S": "gone"}, "n": {"N": "7"}})
        client.put_item(TableName="t", Item={"k": {"S": "c"}, "n": {"N": "1"}})
        yield client


def _items(client: Any) -> dict[str, str]:
    return {i["k"]["S"]: i["n"]["N"] for i in client.scan(TableName="t")["Items"]}


def _transaction(client: Any, check: str) -> None:
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"k": {"S": "a"}, "n": {"N": "5"}}}},
            {
                "Update": {
                    "TableName": "t",
                    "Key": {"k": {"S": "b"}},
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": "t", "Key": {"k": {"S": "gone"}}}},
            {
                "ConditionCheck": {
                    "TableName": "t",
                    "Key": {"k": {"S": "c"}},
                    "ConditionExpression": "n = :n",
                    "ExpressionAttributeValues": {":n": {"N": check}},
                }
            },
        ]
    )


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as refused:
        _transaction(dynamodb, check="99")
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _items(dynamodb) == {"b": "1", "c": "1", "gone": "7"}


def test_a_transaction_whose_conditions_hold_is_written_whole(dynamodb: Any) -> None:
    _transaction(dynamodb, check="1")
    assert _items(dynamodb) == {"a": "5", "b": "2", "c": "1"}
