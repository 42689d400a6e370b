"""S3: the files bucket's protections, CORS, lifecycle, access logs and notifications."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from chalicelib.core.resources import QUARANTINE_PREFIX, RESOURCES
from tests.infra.conftest import OTHER_ORIGIN, Synthesized

SPEC = RESOURCES.bucket("files")


def _files_bucket(synth: Synthesized) -> tuple[str, dict[str, Any]]:
    logical_id = synth.logical_id(synth.stack.storage.files)
    return logical_id, synth.resources("AWS::S3::Bucket")[logical_id]


def test_bucket_name_comes_from_the_spec(synthesized: Synthesized) -> None:
    _, bucket = _files_bucket(synthesized)
    assert bucket["Properties"]["BucketName"] == {
        "Fn::Join": ["", [SPEC.physical_name("kumo", ""), {"Ref": "AWS::AccountId"}]]
    }


def test_bucket_is_private_encrypted_and_versioned(synthesized: Synthesized) -> None:
    _, bucket = _files_bucket(synthesized)
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["DeletionPolicy"] == "Retain"


def test_bucket_policy_denies_plain_http(synthesized: Synthesized, template: Template) -> None:
    logical_id, _ = _files_bucket(synthesized)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": logical_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Principal": {"AWS": "*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_cors_admits_the_front_door_only(synthesized: Synthesized, unprotected: Synthesized) -> None:
    distribution = synthesized.logical_id(synthesized.stack.front_door.distribution)
    expected = {
        "AllowedMethods": list(SPEC.cors_methods),
        "AllowedOrigins": [{"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}],
        "AllowedHeaders": ["*"],
        "ExposedHeaders": list(SPEC.cors_expose_headers),
        "MaxAge": SPEC.cors_max_age_s,
    }
    _, bucket = _files_bucket(synthesized)
    assert bucket["Properties"]["CorsConfiguration"] == {"CorsRules": [expected]}
    _, other = _files_bucket(unprotected)
    assert other["Properties"]["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [OTHER_ORIGIN]


def test_incomplete_multipart_uploads_are_aborted_after_a_day(synthesized: Synthesized) -> None:
    _, bucket = _files_bucket(synthesized)
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        "Id": "abort-incomplete-multipart",
        "Status": "Enabled",
    } in rules


def test_access_logs_go_to_a_separate_locked_down_bucket(synthesized: Synthesized) -> None:
    _, bucket = _files_bucket(synthesized)
    log_bucket_id = synthesized.logical_id(synthesized.stack.storage.access_logs)
    assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_bucket_id}
    log_bucket = synthesized.resources("AWS::S3::Bucket")[log_bucket_id]["Properties"]
    assert log_bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert "LoggingConfiguration" not in log_bucket


def test_notifications_reach_the_named_queue(synthesized: Synthesized, template: Template) -> None:
    bucket_id, _ = _files_bucket(synthesized)
    (notifications,) = synthesized.resources("Custom::S3BucketNotifications").values()
    props = notifications["Properties"]
    assert props["BucketName"] == {"Ref": bucket_id}
    configured = {
        (c["Events"][0], c["QueueArn"]["Fn::GetAtt"][0])
        for c in props["NotificationConfiguration"]["QueueConfigurations"]
    }
    expected = {
        (event, synthesized.logical_id(synthesized.stack.messaging.queues[queue]))
        for events, queue in SPEC.notifications
        for event in events
    }
    assert configured == expected
    # ... and the queue lets this bucket (only) send to it.
    for _, queue in SPEC.notifications:
        queue_id = synthesized.logical_id(synthesized.stack.messaging.queues[queue])
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "s3.amazonaws.com"},
                                    "Action": Match.array_with(["sqs:SendMessage"]),
                                    "Condition": {"ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [bucket_id, "Arn"]}}},
                                }
                            )
                        ]
                    )
                },
            },
        )


def _lifecycle(synth: Synthesized) -> dict[str, dict[str, Any]]:
    _, bucket = _files_bucket(synth)
    return {rule["Id"]: rule for rule in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}


def test_abandoned_uploads_expire_after_two_days(synthesized: Synthesized) -> None:
    assert _lifecycle(synthesized)["expire-abandoned-uploads"] == {
        "Id": "expire-abandoned-uploads",
        "Prefix": "uploads/",
        "ExpirationInDays": 2,
        "Status": "Enabled",
    }


def test_zip_archives_expire_after_a_day(synthesized: Synthesized) -> None:
    assert _lifecycle(synthesized)["expire-archives"] == {
        "Id": "expire-archives",
        "Prefix": "archives/",
        "ExpirationInDays": 1,
        "Status": "Enabled",
    }


def test_quarantine_is_kept_ninety_days_for_investigation(synthesized: Synthesized) -> None:
    assert _lifecycle(synthesized)["expire-quarantine"] == {
        "Id": "expire-quarantine",
        "Prefix": QUARANTINE_PREFIX,
        "ExpirationInDays": 90,
        "Status": "Enabled",
    }


def test_old_versions_and_bare_delete_markers_go(synthesized: Synthesized) -> None:
    _, bucket = _files_bucket(synthesized)
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = _lifecycle(synthesized)
    assert rules["expire-old-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert "Prefix" not in rules["expire-old-versions"]
    assert rules["remove-expired-delete-markers"]["ExpiredObjectDeleteMarker"] is True


def test_no_lifecycle_rule_touches_stored_versions(synthesized: Synthesized) -> None:
    """Current objects under spaces/ (every stored file) never expire by themselves."""
    for rule in _lifecycle(synthesized).values():
        if "ExpirationInDays" in rule or "ExpirationDate" in rule:
            assert rule.get("Prefix") in {"uploads/", "archives/", QUARANTINE_PREFIX}, rule["Id"]


def test_lifecycle_prefixes_are_where_the_app_writes() -> None:
    from chalicelib.core.resources import SCAN_PREFIX
    from chalicelib.files import s3 as files_s3
    from chalicelib.files.archive import ARCHIVE_PREFIX
    from infra.components import storage

    # Browsers upload straight to the version key, under the prefix GuardDuty scans.
    assert files_s3.version_key("dept:somu", "fi_1", 1).startswith(SCAN_PREFIX)
    assert storage.ARCHIVE_PREFIX == ARCHIVE_PREFIX
