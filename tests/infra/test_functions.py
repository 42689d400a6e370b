"""The event-driven functions: code, layer, queue subscription and least privilege."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.resources import RESOURCES, FunctionSpec
from infra.components.functions import PERMISSIONS, function_specs
from layers.build import ARCHITECTURE, PYTHON_VERSION
from tests.infra.conftest import Synthesized

READ_ONLY = {
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:Scan",
}
WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _function(synth: Synthesized, spec: FunctionSpec) -> tuple[str, dict[str, Any]]:
    function = synth.stack.functions.functions[spec.key]
    logical_id = synth.logical_id(function)
    return logical_id, synth.resources("AWS::Lambda::Function")[logical_id]["Properties"]


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    statements = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _table_actions(statements: list[dict[str, Any]], table_id: str) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if {"Fn::GetAtt": [table_id, "Arn"]} in resources:
            actions |= set(statement["Action"]) if isinstance(statement["Action"], list) else {statement["Action"]}
    return actions


@pytest.mark.parametrize("spec", function_specs(), ids=lambda s: s.key)
def test_function_runs_the_folder_with_the_layer(synthesized: Synthesized, spec: FunctionSpec) -> None:
    _, props = _function(synthesized, spec)
    assert props["FunctionName"] == spec.physical_name("kumo")
    assert props["Handler"] == spec.handler
    assert props["Runtime"] == f"python{PYTHON_VERSION}"
    assert props["Architectures"] == [ARCHITECTURE]
    assert props["Timeout"] == spec.timeout_s
    assert props["MemorySize"] == spec.memory_mb
    assert props["TracingConfig"] == {"Mode": "Active"}
    layer_id = synthesized.logical_id(synthesized.stack.layer.layer)
    assert props["Layers"] == [{"Ref": layer_id}]
    env = props["Environment"]["Variables"]
    assert env["KUMO_PREFIX"] == "kumo"
    assert env["KUMO_FRONTEND_DIR"] == "/opt/python/frontend"
    assert env["POWERTOOLS_SERVICE_NAME"] == f"kumo-{spec.key}"


@pytest.mark.parametrize("spec", function_specs(), ids=lambda s: s.key)
def test_function_logs_are_kept_a_year(synthesized: Synthesized, spec: FunctionSpec) -> None:
    _, props = _function(synthesized, spec)
    log_group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
    assert synthesized.resources("AWS::Logs::LogGroup")[log_group_id]["Properties"]["RetentionInDays"] == 365


@pytest.mark.parametrize("spec", [f for f in RESOURCES.functions if f.source_queue], ids=lambda s: s.key)
def test_function_consumes_its_queue_with_partial_batch_failures(synthesized: Synthesized, spec: FunctionSpec) -> None:
    function_id, _ = _function(synthesized, spec)
    queue_id = synthesized.logical_id(synthesized.stack.messaging.queues[spec.source_queue or ""])
    mappings = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert mappings == [
        {
            "BatchSize": spec.batch_size,
            "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
            "FunctionName": {"Ref": function_id},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
    ]


def test_notifier_has_least_privilege(synthesized: Synthesized) -> None:
    spec = RESOURCES.function("notifier")
    _, props = _function(synthesized, spec)
    statements = _statements(synthesized, props["Role"]["Fn::GetAtt"][0])
    tables = synthesized.stack.tables.by_key
    granted = {key: _table_actions(statements, synthesized.logical_id(table)) for key, table in tables.items()}
    # notification_digest: notices held for a person's daily digest (and mail held in quiet hours)
    written = ("notifications", "idempotency", "notification_digest")
    for key in written:
        assert WRITES | READ_ONLY <= granted[key], key
    # project_members: who muted a project; notification_prefs: each person's settings;
    # notification_mutes: the share links and surveys each person muted; directory_stamp: whether
    # the staff it keeps from batch to batch changed
    read = ("staff", "departments", "directory_stamp", "project_members", "notification_prefs", "notification_mutes")
    for key in read:
        assert granted[key] == READ_ONLY, key
    # notification_stats: the delivery counters, raised with ADD and never read here
    assert granted["notification_stats"] == {"dynamodb:UpdateItem"}
    untouched = set(tables) - {*written, *read, "notification_stats"}
    assert untouched and all(not granted[key] for key in untouched)
    actions = {a for s in statements for a in _list(s["Action"])}
    # It sends no mail (the mailer does): no SES, no mail links' secret; it hands mail jobs to the mail queue only.
    assert not any(a.startswith(("s3:", "events:", "cognito-idp:", "es:", "ses:", "secretsmanager:")) for a in actions)
    assert "sqs:ReceiveMessage" in actions
    sends = [s for s in statements if "sqs:SendMessage" in _list(s["Action"])]
    mail_queue = synthesized.logical_id(synthesized.stack.messaging.queues["mail"])
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": [mail_queue, "Arn"]}]


def test_the_mailer_has_least_privilege_and_sends_only_from_kumos_address(synthesized: Synthesized) -> None:
    """Mail jobs become mails (chalicelib/notifications/email.py): its claims, the people, SES."""
    spec = RESOURCES.function("mailer")
    _, props = _function(synthesized, spec)
    statements = _statements(synthesized, props["Role"]["Fn::GetAtt"][0])
    tables = synthesized.stack.tables.by_key
    granted = {key: _table_actions(statements, synthesized.logical_id(table)) for key, table in tables.items()}
    assert WRITES | READ_ONLY <= granted["idempotency"]  # each mail claimed per event and address
    assert granted["staff"] == READ_ONLY  # the person's address and name, read when the mail goes
    assert granted["notification_stats"] == {"dynamodb:UpdateItem"}
    untouched = set(tables) - {"idempotency", "staff", "notification_stats"}
    assert all(not granted[key] for key in untouched)
    actions = {a for s in statements for a in _list(s["Action"])}
    assert not any(a.startswith(("s3:", "events:", "cognito-idp:", "es:", "sqs:SendMessage")) for a in actions)
    # It signs the unsubscribe link of each mail with the stack's secret, which it may only read.
    secret = synthesized.logical_id(synthesized.stack.mail_links.secret)
    (reads_secret,) = [s for s in statements if any(a.startswith("secretsmanager:") for a in _list(s["Action"]))]
    assert set(_list(reads_secret["Action"])) == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    assert reads_secret["Resource"] == {"Ref": secret}
    (ses,) = [s for s in statements if any(a.startswith("ses:") for a in _list(s["Action"]))]
    assert set(_list(ses["Action"])) == {"ses:SendEmail", "ses:SendRawEmail"}
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": synthesized.stack.config.mail_from}}
    assert ses["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ses:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":identity/*",
            ],
        ]
    }
    assert props["Environment"]["Variables"]["KUMO_MAIL_FROM"] == synthesized.stack.config.mail_from


def test_indexer_has_least_privilege(synthesized: Synthesized) -> None:
    spec = RESOURCES.function("indexer")
    _, props = _function(synthesized, spec)
    assert (props["MemorySize"], props["Timeout"]) == (1024, spec.timeout_s)
    statements = _statements(synthesized, props["Role"]["Fn::GetAtt"][0])
    tables = synthesized.stack.tables.by_key
    granted = {key: _table_actions(statements, synthesized.logical_id(table)) for key, table in tables.items()}
    # files: "not searchable: reason" on the file record. No idempotency table: the indexer reads
    # each file's (survey's, answer's) current state, so a redelivered event is harmless by construction.
    assert WRITES | READ_ONLY <= granted["files"]
    read = ("file_versions", "staff", "departments", "surveys", "survey_answers")
    read += ("projects", "project_members", "board_items", "project_activity")  # project cards
    for key in read:
        assert granted[key] == READ_ONLY, key
    untouched = set(tables) - {"files", *read}
    assert untouched and all(not granted[key] for key in untouched)

    bucket_id = synthesized.logical_id(synthesized.stack.storage.files)
    s3_statements = [s for s in statements if any(a.startswith("s3:") for a in _list(s["Action"]))]
    assert s3_statements == [
        {
            "Sid": "ReadStoredVersions",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/spaces/*"]]},
        }
    ]
    actions = {a for s in statements for a in _list(s["Action"])}
    assert not any("*" in a for a in actions if a.startswith(("s3:", "es:"))), "no wildcard S3 or search action"
    assert {a for a in actions if a.startswith("es:")} == {
        "es:ESHttpGet",
        "es:ESHttpHead",
        "es:ESHttpPost",
        "es:ESHttpPut",
        "es:ESHttpDelete",
    }
    assert not any(a.startswith(("events:", "cognito-idp:", "ses:")) for a in actions)


def test_every_function_has_declared_permissions() -> None:
    assert {spec.key for spec in function_specs()} <= set(PERMISSIONS)
    assert {spec.key for spec in RESOURCES.functions} <= {spec.key for spec in function_specs()}


def test_infra_declares_no_function_twice() -> None:
    keys = [spec.key for spec in function_specs()]
    assert len(keys) == len(set(keys))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_only_the_indexer_and_the_notifier_send_to_a_queue_each(synthesized: Synthesized) -> None:
    """A change to a big folder is split into one message per file on the index queue; the
    notifier hands its mails to the mail queue. No other function sends to any queue."""
    queue_ids = {key: synthesized.logical_id(q) for key, q in synthesized.stack.messaging.queues.items()}
    senders = {"indexer": "index", "notifier": "mail"}
    for spec in RESOURCES.functions:
        _, props = _function(synthesized, spec)
        statements = _statements(synthesized, props["Role"]["Fn::GetAtt"][0])
        sends = [s for s in statements if "sqs:SendMessage" in _list(s["Action"])]
        if spec.key in senders:
            (send,) = sends
            assert send["Resource"] == {"Fn::GetAtt": [queue_ids[senders[spec.key]], "Arn"]}
        else:
            assert not sends, spec.key
