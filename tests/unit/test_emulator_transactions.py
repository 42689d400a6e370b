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


def test_fast_reads_answer_exactly_what_the_generic_serializer_does() -> None:
    """The emulator's json.dumps shortcut for DynamoDB reads changes speed, not answers."""
    from moto.dynamodb import responses

    from chalicelib.local import emulator

    item = {
        "k": {"S": "カード"},
        "n": {"N": "1.50"},
        "b": {"B": b"hello"},
        "l": {"L": [{"S": "x"}, {"N": "2"}, {"NULL": True}]},
        "m": {"M": {"done": {"BOOL": False}, "tags": {"SS": ["a", "b"]}}},
        "ns": {"NS": ["1", "2"]},
    }
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-northeast-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item=item)
        asks = [
            lambda: client.get_item(TableName="t", Key={"k": {"S": "カード"}}),
            lambda: client.query(
                TableName="t", KeyConditionExpression="k = :k", ExpressionAttributeValues={":k": {"S": "カード"}}
            ),
            lambda: client.scan(TableName="t", Limit=1),
            lambda: client.batch_get_item(RequestItems={"t": {"Keys": [{"k": {"S": "カード"}}]}}),
        ]
        generic = [{k: v for k, v in ask().items() if k != "ResponseMetadata"} for ask in asks]
        assert not getattr(responses.DynamoResult, "_kumo_fast", False), "compare with moto's own first"
        emulator.fast_reads()
        fast = [{k: v for k, v in ask().items() if k != "ResponseMetadata"} for ask in asks]
    assert fast == generic
    assert fast[0]["Item"]["b"]["B"] == b"hello" and fast[1]["Count"] == 1
