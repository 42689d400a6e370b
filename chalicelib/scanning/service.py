"""The scan state machine of one stored file version.

    None (staff upload, never scanned)      -- results are ignored
    pending --clean-----------------------> clean         + kumo.scanning FileCleared
    pending --infected / unscannable------> quarantined:  the object moves to quarantine/<key>,
                                                          the version keeps its status and stays
                                                          listed + kumo.scanning FileQuarantined

files.versions.mark_scanned is the only write to a file's scan state. Every step is safe to
repeat, and a crash between steps is finished by the redelivery: the quarantined copy carries its
verdict (tags), so a version still "pending" whose copy exists resumes from there; a version
already decided only has its event published again, with the same event id (consumers drop
duplicates). A result for a version that no longer exists is a no-op; one for an older version
updates that version only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from chalicelib.core import event_catalogue, events
from chalicelib.core.config import Settings, settings
from chalicelib.core.errors import NotFound
from chalicelib.core.observability import logger
from chalicelib.files import entries, versions
from chalicelib.scanning import objects
from chalicelib.scanning.guardduty import GuardDutyScanner
from chalicelib.scanning.local import LocalScanner
from chalicelib.scanning.port import Scanner, Subject, Verdict

# Event ids derive from (file, version, status): a repeated announcement is the same event.
_EVENT_IDS = uuid.UUID("6f2b61a4-52b0-4c36-9d52-3f0c1a7e5b10")

# Outcomes, for logs and metrics.
IGNORED = "ignored"  # not an event for this scanner, or not about a stored file version
GONE = "gone"  # the file or version was deleted meanwhile
NOT_REQUIRED = "not_required"  # a staff upload: no scan was asked for
ALREADY_DECIDED = "already_decided"  # a redelivery: nothing changes
CLEARED = "cleared"
QUARANTINED = "quarantined"
WAITING = "waiting"  # the scanner has no verdict yet (GuardDuty's result event will bring it)

ADAPTERS: dict[str, Callable[[Settings], Scanner]] = {
    "local": lambda s: LocalScanner(max_bytes=s.scan_max_bytes),
    "guardduty": lambda s: GuardDutyScanner(),
}


def configured_scanner() -> Scanner:
    """The adapter the settings name (KUMO_SCANNER)."""
    s = settings()
    return ADAPTERS[s.scanner](s)


def handle(event: dict[str, Any], scanner: Scanner | None = None) -> str:
    """Take one event from the scan queue through the state machine; returns the outcome."""
    scanner = scanner or configured_scanner()
    subject = scanner.subject_of(event)
    if subject is None:
        return IGNORED
    stored = _stored(subject)
    if isinstance(stored, str):
        return stored
    entry, status = stored
    if status != "pending":
        _announce(entry, subject, _recorded_verdict(subject, status), scanner.name)
        return ALREADY_DECIDED
    # A copy in quarantine means an earlier attempt decided, and stopped before recording it.
    verdict = objects.quarantined(subject.key) or scanner.verdict_on(subject, event)
    if verdict is None:
        return WAITING
    if not verdict.is_clean:
        objects.quarantine(subject.key, verdict)
    if not versions.mark_scanned(subject.file_id, subject.version, verdict.status):
        return GONE
    _announce(entry, subject, verdict, scanner.name)
    logger.info(
        "scan verdict recorded",
        extra={
            "file_id": subject.file_id,
            "version": subject.version,
            "status": verdict.status,
            "reason": verdict.reason,
        },
    )
    return CLEARED if verdict.is_clean else QUARANTINED


def _stored(subject: Subject) -> tuple[entries.Entry, str] | str:
    """The file and the version's scan status, or the outcome when there is nothing to decide."""
    try:
        version = versions.version_record(subject.file_id, subject.version)
        entry = entries.get_entry(subject.file_id)
    except NotFound:
        return GONE
    if version.s3_key != subject.key:
        logger.warning("scan result for an object the version does not use", extra={"key": subject.key})
        return IGNORED
    if version.scan_status is None:
        return NOT_REQUIRED
    return entry, str(version.scan_status)


def _recorded_verdict(subject: Subject, status: str) -> Verdict:
    if status == "clean":
        return Verdict.clean()
    return objects.quarantined(subject.key) or Verdict(status, "")  # type: ignore[arg-type]


def _announce(entry: entries.Entry, subject: Subject, verdict: Verdict, scanner: str) -> None:
    current = entry.version == subject.version
    detail: event_catalogue.FileCleared | event_catalogue.FileQuarantined
    if verdict.is_clean:
        detail = event_catalogue.FileCleared(
            file_id=subject.file_id,
            version=subject.version,
            name=entry.name,
            space_id=entry.space_id,
            folder_id=entry.parent_id,
            owner_id=entry.owner_id,
            current=current,
            scanner=scanner,
            s3_key=subject.key,
        )
    else:
        detail = event_catalogue.FileQuarantined(
            file_id=subject.file_id,
            version=subject.version,
            name=entry.name,
            space_id=entry.space_id,
            folder_id=entry.parent_id,
            owner_id=entry.owner_id,
            current=current,
            scanner=scanner,
            status=verdict.status,
            reason=verdict.reason,
            quarantine_key=objects.quarantine_key(subject.key),
        )
    event_id = str(uuid.uuid5(_EVENT_IDS, f"{subject.file_id}/{subject.version}/{verdict.status}"))
    events.publish([detail.event(event_id=event_id)])
