"""The GuardDuty adapter: a Malware Protection for S3 result event becomes a Verdict.

GuardDuty scans each new object under the protected prefix of the files bucket, tags it
(GuardDutyMalwareScanStatus) and publishes "GuardDuty Malware Protection Object Scan Result" on
the account's default event bus; a rule there sends it to the scan queue. The event:

    {"source": "aws.guardduty", "detail-type": "GuardDuty Malware Protection Object Scan Result",
     "resources": ["arn:aws:guardduty:<region>:<account>:malware-protection-plan/<id>"],
     "detail": {"scanStatus": "COMPLETED" | "SKIPPED" | "FAILED", "resourceType": "S3_OBJECT",
                "s3ObjectDetails": {"bucketName", "objectKey", "eTag", "versionId", "s3Throttled"},
                "scanResultDetails": {"scanResultStatus": "NO_THREATS_FOUND" | "THREATS_FOUND" |
                                      "UNSUPPORTED" | "ACCESS_DENIED" | "FAILED",
                                      "threats": [{"name": ...}] | null}}}

Only NO_THREATS_FOUND is clean. Anything else, including a status this code does not know, is
not: THREATS_FOUND is "infected", the rest "unscannable" (fail closed).
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.event_catalogue import PartnerUploaded
from chalicelib.core.observability import logger
from chalicelib.core.resources import GUARDDUTY_CLEAN, GUARDDUTY_SCAN_RESULT_RULE, GUARDDUTY_STATUS_TAG
from chalicelib.scanning import objects
from chalicelib.scanning.port import Subject, Verdict, subject_for_key

SOURCE = GUARDDUTY_SCAN_RESULT_RULE.pattern["source"][0]
DETAIL_TYPE = GUARDDUTY_SCAN_RESULT_RULE.pattern["detail-type"][0]
_UNSCANNABLE = {
    "UNSUPPORTED": "GuardDuty cannot scan this kind of object (e.g. a password-protected archive, or over its limits)",
    "ACCESS_DENIED": "GuardDuty was denied access to the object",
    "FAILED": "GuardDuty's scan failed",
}


def verdict_from_result(detail: dict[str, Any]) -> Verdict:
    result = detail.get("scanResultDetails") or {}
    status = str(result.get("scanResultStatus") or "")
    if status == GUARDDUTY_CLEAN:
        return Verdict.clean("GuardDuty: no threats found")
    if status == "THREATS_FOUND":
        names = [str(t.get("name")) for t in result.get("threats") or [] if isinstance(t, dict) and t.get("name")]
        return Verdict.infected(f"GuardDuty: {', '.join(names) or 'threats found'}")
    reason = _UNSCANNABLE.get(status, f"GuardDuty reported an unknown result {status or '(none)'}")
    return Verdict.unscannable(f"{reason} [{status or detail.get('scanStatus', '?')}]")


class GuardDutyScanner:
    name = "guardduty"

    def subject_of(self, event: dict[str, Any]) -> Subject | None:
        if PartnerUploaded.matches(event):  # GuardDuty may have scanned before the upload was recorded
            detail = PartnerUploaded.parse(event)
            return subject_for_key(detail.s3_key)
        if (event.get("source"), event.get("detail-type")) != (SOURCE, DETAIL_TYPE):
            return None
        details = (event.get("detail") or {}).get("s3ObjectDetails") or {}
        if details.get("bucketName") != settings().files_bucket:
            logger.warning("scan result for another bucket ignored", extra={"bucket": details.get("bucketName")})
            return None
        return subject_for_key(str(details.get("objectKey", "")))

    def verdict_on(self, subject: Subject, event: dict[str, Any]) -> Verdict | None:
        if PartnerUploaded.matches(event):
            # The browser writes straight to the version's key, so GuardDuty may scan (and its
            # result event arrive, find no version yet and be dropped) before /complete records
            # it. Its result tag on the object says what it found; no tag yet: its event follows.
            status = objects.tags(subject.key).get(GUARDDUTY_STATUS_TAG)
            if status is None:
                return None
            return verdict_from_result({"scanResultDetails": {"scanResultStatus": status}})
        return verdict_from_result(event.get("detail") or {})
