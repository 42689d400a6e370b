"""What the scheduler does every few minutes (EventBridge Scheduler in AWS, a timer locally).

Expiry is always decided in code at the moment of use; this only tidies up afterwards and
announces what is about to expire:
- uploads never completed: the multipart upload is aborted, a half-sent object deleted;
- multipart uploads S3 still holds after a day, and ZIP archives after a day (in AWS the
  bucket's lifecycle rules do both; locally the emulator has no lifecycle, so this does);
- the trash: what has been there longer than files.service.TRASH_DAYS is deleted for good;
- partner sessions past their end (DynamoDB TTL may lag for days);
- share links: their owner hears a day before one expires (ShareLinkExpiringSoon); the token
  of a link expired for a month is retired (the link and its audit trail stay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chalicelib.core import aws, events
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

EXPIRY_WARNING = timedelta(hours=24)
TOKEN_RETIREMENT = timedelta(days=30)
STALE_MULTIPART = timedelta(days=1)
ARCHIVE_LIFETIME = timedelta(days=1)


@dataclass
class SweepReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


def run(at: datetime | None = None) -> SweepReport:
    now = at or datetime.now(UTC)
    report = SweepReport()
    _expired_uploads(now, report)
    _stale_multipart_and_archives(now, report)
    _trash(now, report)
    _partner_sessions(now, report)
    _links(now, report)
    logger.info("sweep done", extra={"counts": report.counts})
    return report


def _expired_uploads(now: datetime, report: SweepReport) -> None:
    from chalicelib.files import s3
    from chalicelib.files.storage import UploadRecord, bind

    bind()
    for upload in UploadRecord.scan(UploadRecord.expires_at < now):
        if upload.multipart_id:
            s3.abort_multipart(upload.s3_key, upload.multipart_id)
        else:
            s3.delete(upload.s3_key)
        upload.delete()
        report.add("uploads_expired")


def _stale_multipart_and_archives(now: datetime, report: SweepReport) -> None:
    from chalicelib.files.archive import ARCHIVE_PREFIX

    client = aws.client("s3")
    bucket = settings().files_bucket
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            if upload["Initiated"] < now - STALE_MULTIPART:
                client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                report.add("multipart_aborted")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=ARCHIVE_PREFIX):
        for obj in page.get("Contents", []):
            if obj["LastModified"] < now - ARCHIVE_LIFETIME:
                client.delete_object(Bucket=bucket, Key=obj["Key"])
                report.add("archives_deleted")


def _trash(now: datetime, report: SweepReport) -> None:
    from chalicelib.files import service as files
    from chalicelib.files.storage import SpaceRecord, bind

    bind()
    for space in SpaceRecord.scan():
        purged = files.purge_expired_trash(space.space_id, at=now)
        if purged:
            report.add("trash_purged", purged)


def _partner_sessions(now: datetime, report: SweepReport) -> None:
    from chalicelib.sharing.storage import PartnerSessionRecord, bind

    bind()
    for session in PartnerSessionRecord.scan(PartnerSessionRecord.expires_at < now):
        session.delete()
        report.add("partner_sessions_ended")


def _links(now: datetime, report: SweepReport) -> None:
    from chalicelib.core.storage import update_if
    from chalicelib.sharing.storage import LinkRecord, TokenRecord, bind

    bind()
    warnings = []
    for link in LinkRecord.scan(LinkRecord.revoked_at.does_not_exist()):
        if now < link.expires_at <= now + EXPIRY_WARNING and not link.expiry_warned:
            # Conditional, so two sweeps at once announce it once.
            if update_if(link, [LinkRecord.expiry_warned.set(True)], LinkRecord.expiry_warned.does_not_exist()):
                warnings.append(events.DomainEvent("sharing", "ShareLinkExpiringSoon", {
                    "link_id": link.link_id, "owner_id": link.owner_id, "target_id": link.target_id,
                    "expires_at": link.expires_at.isoformat()}))
        elif link.expires_at <= now - TOKEN_RETIREMENT and link.token_hash:
            TokenRecord(link.token_hash).delete()
            link.update(actions=[LinkRecord.token_hash.set("")])
            report.add("tokens_retired")
    events.publish(warnings)
    report.add("expiry_warnings", len(warnings))
