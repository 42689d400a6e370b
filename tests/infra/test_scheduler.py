"""Housekeeping: EventBridge Scheduler runs functions/scheduler (the sweep) with retries and a DLQ."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from infra.components.scheduler import SCHEDULER_FUNCTION, SCHEDULES, dead_letter_queue_name
from tests.infra.conftest import Synthesized
from tests.infra.test_functions import READ_ONLY, WRITES

SWEPT_TABLES = {
    "staff",  # transfers (人事異動) whose day has come are written into the records
    "directory_stamp",  # stamped after the transfers: notifiers read the people again
    "uploads",
    "spaces",
    "files",
    "file_names",
    "file_versions",
    "share_links",
    "share_tokens",
    "share_sessions",
    "surveys",
    "survey_answers",
    "survey_history",
    "survey_numbers",
    "board_items",  # a card's due reminder steps, taken on the card
    "notification_digest",  # the daily digest: reserved per person and day, its notices removed once sent
    "recruiting_settings",  # the monthly 実績 reminder (ActualsDue), taken once per month
}
# the org tree; a card's project and members; who had a time share (ActualsDue); each person's
# digest time (notification_prefs)
READ_TABLES = {"departments", "projects", "project_members", "time_shares", "notification_prefs"}


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ids(synth: Synthesized) -> dict[str, str]:
    stack = synth.stack
    function = stack.functions.functions["scheduler"]
    return {
        "function": synth.logical_id(function),
        "role": synth.logical_id(function.role),
        "invoke_role": synth.logical_id(stack.housekeeping.role),
        "dlq": synth.logical_id(stack.housekeeping.dead_letters),
        "bucket": synth.logical_id(stack.storage.files),
        "bus": synth.logical_id(stack.messaging.bus),
    }


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    """Every statement the role holds: its default policy and, once that grows past IAM's size
    for one inline policy, the managed "overflow" policies the CDK moves the rest into."""
    return [
        s
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        for p in synth.resources(kind).values()
        if {"Ref": role_id} in p["Properties"].get("Roles", [])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _objects(bucket_id: str, pattern: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [_arn(bucket_id), f"/{pattern}"]]}


def test_function_runs_the_sweep_from_its_folder(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    props = synthesized.resources("AWS::Lambda::Function")[ids["function"]]["Properties"]
    assert props["FunctionName"] == "kumo-scheduler"
    assert props["Handler"] == "app.handler"
    assert props["Timeout"] == SCHEDULER_FUNCTION.timeout_s
    assert props["Layers"] == [{"Ref": synthesized.logical_id(synthesized.stack.layer.layer)}]
    mappings = [
        m
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": ids["function"]}
    ]
    assert mappings == [], "no queue: only the schedule invokes it"


def test_schedule_every_15_minutes_invokes_the_function(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    (schedule,) = synthesized.resources("AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["Name"] == "kumo-housekeeping"
    assert props["ScheduleExpression"] == SCHEDULES["housekeeping"].expression == "rate(15 minutes)"
    assert props["State"] == "ENABLED"
    assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = props["Target"]
    assert target["Arn"] == _arn(ids["function"])
    assert target["RoleArn"] == _arn(ids["invoke_role"])
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 900}
    assert target["DeadLetterConfig"] == {"Arn": _arn(ids["dlq"])}


def test_invoke_role_is_the_schedulers_and_may_only_invoke_and_dead_letter(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    role = synthesized.resources("AWS::IAM::Role")[ids["invoke_role"]]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    statements = _statements(synthesized, ids["invoke_role"])
    by_action = {a: s for s in statements for a in _list(s["Action"])}
    assert set(by_action) == {"lambda:InvokeFunction", "sqs:SendMessage"}
    assert _arn(ids["function"]) in _list(by_action["lambda:InvokeFunction"]["Resource"])
    assert by_action["sqs:SendMessage"]["Resource"] == _arn(ids["dlq"])


def test_a_failed_run_ends_in_the_dlq_after_lambdas_retries(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    (config,) = [
        c["Properties"]
        for c in synthesized.resources("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": ids["function"]}
    ]
    assert config["MaximumRetryAttempts"] == 2
    assert config["MaximumEventAgeInSeconds"] == 900
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": _arn(ids["dlq"])}}
    assert any(
        s["Action"] == "sqs:SendMessage" or "sqs:SendMessage" in _list(s["Action"])
        for s in _statements(synthesized, ids["role"])
        if s["Resource"] == _arn(ids["dlq"])
    )


def test_dlq_is_encrypted_tls_only_and_alarmed(synthesized: Synthesized, template: Template) -> None:
    ids = _ids(synthesized)
    queue = synthesized.resources("AWS::SQS::Queue")[ids["dlq"]]["Properties"]
    assert queue["QueueName"] == dead_letter_queue_name("kumo")
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": ids["dlq"]}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )
    (alarm,) = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [ids["dlq"], "QueueName"]}}]
    ]
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_sweep_reaches_exactly_its_tables(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    statements = _statements(synthesized, ids["role"])
    tables = synthesized.stack.tables.by_key
    granted: dict[str, set[str]] = {}
    for key, table in tables.items():
        granted[key] = {
            a
            for s in statements
            if _arn(synthesized.logical_id(table)) in _list(s["Resource"])
            for a in _list(s["Action"])
        }
    for key in SWEPT_TABLES:
        assert WRITES | READ_ONLY <= granted[key], key
    for key in READ_TABLES:
        assert READ_ONLY <= granted[key] and not granted[key] & WRITES, key
    # the digest's delivery counters: raised with ADD, never read (notifications/stats.py)
    assert granted["notification_stats"] == {"dynamodb:UpdateItem"}
    assert all(not granted[key] for key in set(tables) - SWEPT_TABLES - READ_TABLES - {"notification_stats"})


def test_sweep_deletes_and_aborts_in_the_files_bucket_only_where_it_must(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    by_sid = {s.get("Sid"): s for s in _statements(synthesized, ids["role"])}
    delete = by_sid["DeleteExpiredObjects"]
    assert delete["Action"] == "s3:DeleteObject"
    assert sorted(map(str, delete["Resource"])) == sorted(
        str(_objects(ids["bucket"], f"{p}*")) for p in ("uploads/", "archives/", "spaces/")
    )
    assert by_sid["AbortStaleMultipartUploads"]["Action"] == "s3:AbortMultipartUpload"
    assert by_sid["ListMultipartUploads"]["Resource"] == _arn(ids["bucket"])
    listing = by_sid["ListArchives"]
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "archives/*"}}
    s3_actions = {a for s in by_sid.values() for a in _list(s["Action"]) if a.startswith("s3:")}
    assert s3_actions == {
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListBucketMultipartUploads",
        "s3:ListBucket",
    }, "never reads or writes file contents"


def test_sweep_announces_expiring_links_on_the_bus(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    statements = _statements(synthesized, ids["role"])
    (put_events,) = [s for s in statements if "events:PutEvents" in _list(s["Action"])]
    assert put_events["Resource"] == _arn(ids["bus"])
    actions = {a for s in statements for a in _list(s["Action"])}
    assert not any(a.startswith(("es:", "cognito-idp:")) for a in actions)


def test_sweep_mails_the_daily_digest_only_from_kumos_address(synthesized: Synthesized) -> None:
    statements = _statements(synthesized, _ids(synthesized)["role"])
    (ses,) = [s for s in statements if any(a.startswith("ses:") for a in _list(s["Action"]))]
    assert set(_list(ses["Action"])) == {"ses:SendEmail", "ses:SendRawEmail"}
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": synthesized.stack.config.mail_from}}
    # Each digest's unsubscribe links are signed with the stack's secret, which it may only read.
    secret = synthesized.logical_id(synthesized.stack.mail_links.secret)
    (reads,) = [s for s in statements if any(a.startswith("secretsmanager:") for a in _list(s["Action"]))]
    assert reads["Resource"] == {"Ref": secret}
    assert set(_list(reads["Action"])) == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
