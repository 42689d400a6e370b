"""Least privilege across roles: the key that seals refresh tokens, quarantine deletes, Cognito."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.resources import QUARANTINE_PREFIX
from chalicelib.core.sealing import CONTEXT_KEY
from tests.infra.conftest import Synthesized


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements_by_role(synth: Synthesized) -> dict[str, list[dict[str, Any]]]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for policy in synth.resources("AWS::IAM::Policy").values():
        for role in policy["Properties"].get("Roles", []):
            by_role.setdefault(role["Ref"], []).extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return by_role


def _api_role(synth: Synthesized) -> str:
    return synth.resources("AWS::Serverless::Function")["APIHandler"]["Properties"]["Role"]["Fn::GetAtt"][0]  # type: ignore[no-any-return]


def test_the_token_key_rotates_and_is_kept(synthesized: Synthesized, unprotected: Synthesized) -> None:
    key_id = synthesized.logical_id(synthesized.stack.token_key.key)
    key = synthesized.resources("AWS::KMS::Key")[key_id]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # a lost key ends every session, nothing worse
    (alias,) = [
        a["Properties"]
        for a in synthesized.resources("AWS::KMS::Alias").values()
        if a["Properties"]["TargetKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    ]
    assert alias["AliasName"] == "alias/kumo-session-tokens"
    other = unprotected.resources("AWS::KMS::Key")[unprotected.logical_id(unprotected.stack.token_key.key)]
    assert other["DeletionPolicy"] == "Delete"


def test_only_the_api_may_seal_and_open_tokens_with_kumos_context(synthesized: Synthesized) -> None:
    key_arn = {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.token_key.key), "Arn"]}
    users = {
        role: [s for s in statements if key_arn in _list(s["Resource"])]
        for role, statements in _statements_by_role(synthesized).items()
    }
    users = {role: statements for role, statements in users.items() if statements}
    assert set(users) == {_api_role(synthesized)}
    (grant,) = users[_api_role(synthesized)]
    assert set(_list(grant["Action"])) == {"kms:Encrypt", "kms:Decrypt"}
    assert grant["Condition"] == {"StringLike": {f"kms:EncryptionContext:{CONTEXT_KEY}": "*"}}
    env = synthesized.resources("AWS::Serverless::Function")["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["KUMO_TOKEN_KEY_ID"] == key_arn


def test_no_role_but_the_scanner_and_the_sweep_may_delete_quarantine(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    bucket = synthesized.logical_id(stack.storage.files)
    (policy,) = [
        p["Properties"]
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    by_sid = {s.get("Sid"): s for s in policy["PolicyDocument"]["Statement"]}
    deny = by_sid["OnlyScannerAndSweepDeleteQuarantine"]
    assert (deny["Effect"], deny["Principal"]) == ("Deny", {"AWS": "*"})
    assert set(deny["Action"]) == {"s3:DeleteObject", "s3:DeleteObjectVersion"}
    assert deny["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{QUARANTINE_PREFIX}*"]]}
    exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    allowed = [
        {"Fn::GetAtt": [synthesized.logical_id(stack.functions.functions[key].role), "Arn"]}
        for key in ("scanner", "scheduler")
    ]
    assert exempt == allowed
    # The API's grant covers the whole bucket, quarantine/ included: the deny above is what stops it.
    api_deletes = [
        s
        for s in _statements_by_role(synthesized)[_api_role(synthesized)]
        if any(a.startswith("s3:DeleteObject") for a in _list(s["Action"]))
    ]
    assert api_deletes and _api_role(synthesized) not in str(exempt)


def test_the_api_seals_webhooks_and_the_channels_function_only_opens_them(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    key_id = synthesized.logical_id(stack.webhook_key.key)
    assert synthesized.resources("AWS::KMS::Key")[key_id]["Properties"]["EnableKeyRotation"] is True
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    users = {
        role: [s for s in statements if key_arn in _list(s["Resource"])]
        for role, statements in _statements_by_role(synthesized).items()
    }
    users = {role: statements for role, statements in users.items() if statements}
    poster = synthesized.logical_id(stack.functions.functions["channels"].role)
    assert set(users) == {_api_role(synthesized), poster}
    (api,) = users[_api_role(synthesized)]
    (channels,) = users[poster]
    assert set(_list(api["Action"])) == {"kms:Encrypt", "kms:Decrypt"}
    assert _list(channels["Action"]) == ["kms:Decrypt"]
    for grant in (api, channels):
        assert grant["Condition"] == {"StringLike": {f"kms:EncryptionContext:{CONTEXT_KEY}": "channel:*"}}
    functions = synthesized.resources("AWS::Lambda::Function")
    (env,) = [
        f["Properties"]["Environment"]["Variables"]
        for f in functions.values()
        if f["Properties"].get("FunctionName") == "kumo-channels"
    ]
    assert env["KUMO_WEBHOOK_KEY_ID"] == key_arn and env["KUMO_WEBHOOK_ALLOWED_HOSTS"] == ""


@pytest.mark.parametrize("queue", ["channels", "notify", "mail"])
def test_the_notifications_dead_letters_raise_an_alarm(synthesized: Synthesized, queue: str) -> None:
    dlq = synthesized.logical_id(synthesized.stack.messaging.dead_letter_queues[queue])
    alarms = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}} in a["Properties"].get("Dimensions", [])
    ]
    assert len(alarms) == 1 and alarms[0]["Threshold"] == 1
