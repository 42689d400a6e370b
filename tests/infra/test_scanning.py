"""Malware scanning in AWS: the GuardDuty plan and role, the default-bus rule, the bucket policy gate.

moto has no GuardDuty and ignores bucket policy conditions, so what AWS enforces here is checked
in the synthesized template.
"""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.resources import (
    GUARDDUTY_CLEAN,
    GUARDDUTY_SCAN_RESULT_RULE,
    GUARDDUTY_STATUS_TAG,
    QUARANTINE_PREFIX,
    RESOURCES,
    SCAN_PREFIX,
    SCAN_REQUIRED_TAG,
)
from tests.infra.conftest import Synthesized


def _ids(synth: Synthesized) -> dict[str, str]:
    stack = synth.stack
    return {
        "bucket": synth.logical_id(stack.storage.files),
        "role": synth.logical_id(stack.scanning.role),
        "scanner_role": synth.logical_id(stack.functions.functions["scanner"].role),
        "queue": synth.logical_id(stack.messaging.queues["scan"]),
        "dlq": synth.logical_id(stack.messaging.dead_letter_queues["scan"]),
        "bus": synth.logical_id(stack.messaging.bus),
        "rule": synth.logical_id(stack.scanning.results_rule),
    }


def _objects(bucket_id: str, pattern: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, f"/{pattern}"]]}


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    return [
        s
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_plan_protects_the_stored_versions_and_tags_results(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    (plan,) = synthesized.resources("AWS::GuardDuty::MalwareProtectionPlan").values()
    assert plan["Properties"] == {
        "ProtectedResource": {"S3Bucket": {"BucketName": {"Ref": ids["bucket"]}, "ObjectPrefixes": [SCAN_PREFIX]}},
        "Actions": {"Tagging": {"Status": "ENABLED"}},
        "Role": _arn(ids["role"]),
    }
    assert ids["role"] in plan["DependsOn"], "the plan validates its role's permissions when it is created"
    assert any(d.startswith("ScanningGuardDutyRoleDefaultPolicy") for d in plan["DependsOn"])


def test_guardduty_role_is_the_documented_one_scoped_to_the_bucket(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    role = synthesized.resources("AWS::IAM::Role")[ids["role"]]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "malware-protection-plan.guardduty.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    by_sid = {s["Sid"]: s for s in _statements(synthesized, ids["role"])}
    assert set(by_sid) == {
        "AllowManagedRuleToSendS3EventsToGuardDuty",
        "AllowGuardDutyToMonitorEventBridgeManagedRule",
        "AllowPostScanTag",
        "AllowEnableS3EventBridgeEvents",
        "AllowPutValidationObject",
        "AllowCheckBucketOwnership",
        "AllowMalwareScan",
    }
    managed = by_sid["AllowManagedRuleToSendS3EventsToGuardDuty"]
    assert managed["Condition"] == {"StringLike": {"events:ManagedBy": trust["Principal"]["Service"]}}
    assert "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*" in str(managed["Resource"])
    for sid in ("AllowPostScanTag", "AllowMalwareScan"):
        assert by_sid[sid]["Resource"] == _objects(ids["bucket"], f"{SCAN_PREFIX}*"), sid
    assert by_sid["AllowPutValidationObject"]["Resource"] == _objects(
        ids["bucket"], "malware-protection-resource-validation-object"
    )


def test_results_on_the_default_bus_reach_the_scan_queue(synthesized: Synthesized, template: Template) -> None:
    ids = _ids(synthesized)
    rule = synthesized.resources("AWS::Events::Rule")[ids["rule"]]["Properties"]
    assert "EventBusName" not in rule, "GuardDuty publishes on the account's default bus"
    assert rule["Name"] == GUARDDUTY_SCAN_RESULT_RULE.physical_name("kumo")
    assert rule["EventPattern"] == {
        **GUARDDUTY_SCAN_RESULT_RULE.pattern,
        "detail": {"s3ObjectDetails": {"bucketName": [{"Ref": ids["bucket"]}]}},
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == _arn(ids["queue"])
    assert target["DeadLetterConfig"] == {"Arn": _arn(ids["dlq"])}
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": ids["queue"]}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Condition": {"ArnEquals": {"aws:SourceArn": _arn(ids["rule"])}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_partner_uploads_are_unreadable_until_guardduty_clears_them(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    policies = [
        p["Properties"]
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": ids["bucket"]}
    ]
    (policy,) = policies
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"] if "Sid" in s}
    tag_key, tag_value = SCAN_REQUIRED_TAG

    gate = by_sid["DenyReadingPartnerUploadsUntilClean"]
    assert (gate["Effect"], gate["Principal"]) == ("Deny", {"AWS": "*"})
    assert set(gate["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    assert gate["Resource"] == _objects(ids["bucket"], f"{SCAN_PREFIX}*")
    assert gate["Condition"] == {
        # Scoped to partner uploads: staff uploads carry no kumo-scan tag and are never gated.
        "StringEquals": {f"s3:ExistingObjectTag/{tag_key}": tag_value},
        # Absent (not scanned yet) or anything but clean: denied.
        "StringNotEquals": {f"s3:ExistingObjectTag/{GUARDDUTY_STATUS_TAG}": GUARDDUTY_CLEAN},
        # GuardDuty must read it to scan it; the scanner, to move it into quarantine.
        "ArnNotEquals": {"aws:PrincipalArn": [_arn(ids["role"]), _arn(ids["scanner_role"])]},
    }

    only_guardduty = by_sid["OnlyGuardDutyWritesItsScanTag"]
    assert only_guardduty["Effect"] == "Deny"
    assert {"s3:PutObject", "s3:PutObjectTagging"} <= set(only_guardduty["Action"])
    assert only_guardduty["Condition"] == {
        "ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": [GUARDDUTY_STATUS_TAG]},
        "ArnNotEquals": {"aws:PrincipalArn": _arn(ids["role"])},
    }

    untouchable = by_sid["NoOneElseRetagsPartnerUploads"]
    assert {"s3:DeleteObjectTagging", "s3:PutObjectTagging"} <= set(untouchable["Action"])
    assert untouchable["Condition"]["StringEquals"] == {f"s3:ExistingObjectTag/{tag_key}": tag_value}

    quarantine = by_sid["DenyReadingQuarantine"]
    assert (quarantine["Effect"], quarantine["Resource"]) == ("Deny", _objects(ids["bucket"], f"{QUARANTINE_PREFIX}*"))
    assert "Condition" not in quarantine


def test_scanner_runs_the_guardduty_adapter_with_least_privilege(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    function = synthesized.stack.functions.functions["scanner"]
    props = synthesized.resources("AWS::Lambda::Function")[synthesized.logical_id(function)]["Properties"]
    assert props["Environment"]["Variables"]["KUMO_SCANNER"] == "guardduty"
    spec = RESOURCES.function("scanner")
    assert RESOURCES.queue(spec.source_queue or "").visibility_timeout_s >= 6 * spec.timeout_s

    statements = _statements(synthesized, ids["scanner_role"])
    s3_statements = [s for s in statements if any(a.startswith("s3:") for a in _list(s["Action"]))]
    versions, quarantine = _objects(ids["bucket"], f"{SCAN_PREFIX}*"), _objects(ids["bucket"], f"{QUARANTINE_PREFIX}*")
    where = {str(r) for s in s3_statements for r in _list(s["Resource"])}
    assert where == {str(versions), str(quarantine), str(_arn(ids["bucket"]))}
    writes_in_quarantine = next(s for s in s3_statements if s["Resource"] == quarantine)
    assert "s3:GetObject" not in _list(writes_in_quarantine["Action"]), "the scanner never reads quarantine"
    (put_events,) = [s for s in statements if "events:PutEvents" in _list(s["Action"])]
    assert put_events["Resource"] == _arn(ids["bus"])
    actions = {a for s in statements for a in _list(s["Action"])}
    assert not any(a.startswith(("cognito-idp:", "ses:", "es:")) for a in actions)
    tables = synthesized.stack.tables.by_key
    touched = {
        key
        for key, table in tables.items()
        if any(_arn(synthesized.logical_id(table)) in _list(s["Resource"]) for s in statements)
    }
    assert touched == {"files", "file_versions", "idempotency"}


def test_a_dead_lettered_scan_raises_an_alarm(synthesized: Synthesized) -> None:
    ids = _ids(synthesized)
    alarms = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [ids["dlq"], "QueueName"]}}]
    ]
    (alarm,) = alarms
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_partner_uploads_and_staff_uploads_that_ask_for_a_scan_reach_the_scanner_on_the_kumo_bus_too() -> None:
    """Locally the scanner scans on PartnerUploaded, and on a FileUploaded that asks for a scan (a
    file on a survey answer); in AWS the guardduty adapter ignores both (GuardDuty scans the object)."""
    patterns = sorted((r.pattern for r in BUS_RULES if r.target_queue == "scan"), key=lambda p: p["detail-type"])
    assert patterns == [
        {"source": ["kumo.files"], "detail-type": ["FileUploaded"], "detail": {"scan_required": [True]}},
        {"source": ["kumo.sharing"], "detail-type": ["PartnerUploaded"]},
    ], "a staff upload that did not ask for a scan never reaches the scanner"
    assert RESOURCES.function("scanner").source_queue == "scan"
