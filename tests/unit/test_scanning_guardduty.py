"""GuardDuty Malware Protection for S3 result events (tests/events) mapped to Verdicts. No AWS needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.resources import GUARDDUTY_SCAN_RESULT_RULE
from chalicelib.scanning.guardduty import GuardDutyScanner, verdict_from_result
from chalicelib.scanning.port import Subject

SAMPLE = Path(__file__).resolve().parents[1] / "events" / "scan_guardduty_result.json"


def _sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_sample_matches_the_rule_pattern() -> None:
    event = _sample()
    pattern = GUARDDUTY_SCAN_RESULT_RULE.pattern
    assert event["source"] in pattern["source"] and event["detail-type"] in pattern["detail-type"]


def test_sample_threat_is_infected_with_the_threat_name() -> None:
    verdict = verdict_from_result(_sample()["detail"])
    assert verdict.status == "infected"
    assert "EICAR-Test-File (not a virus)" in verdict.reason


def test_subject_is_the_version_under_the_object_key() -> None:
    subject = GuardDutyScanner().subject_of(_sample())
    assert subject == Subject("fi_0123456789abcdef0123", 1, "spaces/dept:doboku/fi_0123456789abcdef0123/v00000001")


@pytest.mark.parametrize(
    ("scan_status", "result", "expected"),
    [
        ("COMPLETED", "NO_THREATS_FOUND", "clean"),
        ("COMPLETED", "THREATS_FOUND", "infected"),
        ("SKIPPED", "UNSUPPORTED", "unscannable"),
        ("SKIPPED", "ACCESS_DENIED", "unscannable"),
        ("FAILED", "FAILED", "unscannable"),
        ("COMPLETED", "A_STATUS_FROM_THE_FUTURE", "unscannable"),  # fail closed
        ("FAILED", None, "unscannable"),
    ],
)
def test_every_result_status_maps_to_a_verdict(scan_status: str, result: str | None, expected: str) -> None:
    detail = _sample()["detail"]
    detail["scanStatus"] = scan_status
    detail["scanResultDetails"] = {"scanResultStatus": result, "threats": None}
    verdict = verdict_from_result(detail)
    assert verdict.status == expected
    assert verdict.reason
    if expected == "infected":
        assert verdict.reason == "GuardDuty: threats found"


def test_other_events_are_not_for_this_adapter() -> None:
    scanner = GuardDutyScanner()
    assert scanner.subject_of({"source": "kumo.files", "detail-type": "FileUploaded", "detail": {}}) is None
    other_bucket = _sample()
    other_bucket["detail"]["s3ObjectDetails"]["bucketName"] = "another-bucket"
    assert scanner.subject_of(other_bucket) is None
    validation = _sample()
    validation["detail"]["s3ObjectDetails"]["objectKey"] = "malware-protection-resource-validation-object"
    assert scanner.subject_of(validation) is None
