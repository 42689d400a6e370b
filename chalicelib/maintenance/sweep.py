"""What the scheduler does every few minutes (EventBridge Scheduler in AWS, a timer locally).

Expiry is always decided in code at the moment of use; this only tidies up afterwards and
announces what is about to expire:
- uploads never completed: the multipart upload is aborted, a half-sent object deleted;
- multipart uploads S3 still holds after a day, and ZIP archives after a day (in AWS the
  bucket's lifecycle rules do both; locally the emulator has no lifecycle, so this does);
- the trash: what has been there longer than files.trash.TRASH_DAYS is deleted for good;
- partner sessions past their end (DynamoDB TTL may lag for days);
- share links: their owner hears a day before one expires (ShareLinkExpiringSoon); the token
  of a link expired for a month is retired (the link and its audit trail stay);
- transfers (人事異動) whose day (JST) has come are written into the staff records. Access
  already follows them from that day (reads apply them); this keeps the 部局 index right;
- surveys: a scheduled survey is issued when its time comes, and 所属 that have not answered
  are reminded before and after the deadline (each step once);
- project cards: their people hear the day before a card's due date and the day after it
  (each step once per card and date; projects/reminders.py);
- the daily digest: on working days from 08:30 JST, each person with notices waiting gets one
  mail listing them, once (notifications/digest.py);
- time shares: once a month has ended, members with a time share are reminded (once) to record
  their 実績 for it (ActualsDue).
Each step on a slice's tables is that slice's own function; the sweep only calls them in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

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
    _transfers(now, report)
    _surveys(now, report)
    _cards(now, report)
    _digests(now, report)
    _actuals_due(now, report)
    logger.info("sweep done", extra={"counts": report.counts})
    return report


def _expired_uploads(now: datetime, report: SweepReport) -> None:
    from chalicelib.files import open_uploads

    expired = open_uploads.expire_abandoned(now)
    if expired:
        report.add("uploads_expired", expired)


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
    from chalicelib.files import trash

    purged = trash.purge_all_expired_trash(at=now)
    if purged:
        report.add("trash_purged", purged)


def _partner_sessions(now: datetime, report: SweepReport) -> None:
    from chalicelib.sharing import partner

    ended = partner.end_expired_sessions(now)
    if ended:
        report.add("partner_sessions_ended", ended)


def _links(now: datetime, report: SweepReport) -> None:
    from chalicelib.sharing import link_expiry

    warned, retired = link_expiry.warn_expiring_and_retire_tokens(now)
    if retired:
        report.add("tokens_retired", retired)
    report.add("expiry_warnings", warned)


def _transfers(now: datetime, report: SweepReport) -> None:
    from chalicelib.directory import placement
    from chalicelib.directory import service as directory

    moved = directory.apply_due_transfers(placement.jst_today(now))
    if moved:
        report.add("transfers_applied", moved)


def _surveys(now: datetime, report: SweepReport) -> None:
    from chalicelib.surveys import issuing, reminders

    issued = issuing.issue_scheduled(now)
    if issued:
        report.add("surveys_issued", issued)
    report.add("survey_reminders", reminders.send_due_reminders(now))


def _cards(now: datetime, report: SweepReport) -> None:
    from chalicelib.projects import reminders

    report.add("card_reminders", reminders.send_due_reminders(now))


def _digests(now: datetime, report: SweepReport) -> None:
    from chalicelib.notifications import digest

    sent = digest.send_due(now)
    if sent:
        report.add("digests_sent", sent)


def _actuals_due(now: datetime, report: SweepReport) -> None:
    from chalicelib.projects.recruiting import actuals

    reminded = actuals.send_actuals_due(now)
    if reminded:
        report.add("actuals_reminders", reminded)
