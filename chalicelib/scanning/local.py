"""The local scanner adapter: reads an upload awaiting a verdict from the bucket and checks it.

It acts on PartnerUploaded events, and on FileUploaded events of staff uploads that asked for a
scan (a file on a survey answer), both routed to the scan queue by rules on the Kumo bus, and
scans the object itself with engine.py. This is what `kumo dev` runs; in AWS, GuardDuty does
the scanning and guardduty.py reads its results instead.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.event_catalogue import FileUploaded, PartnerUploaded
from chalicelib.scanning import objects
from chalicelib.scanning.engine import Limits, is_zip, scan_archive, scan_chunks
from chalicelib.scanning.port import Subject, Verdict, subject_for_key

ARCHIVE_EXPANSION = 4  # an archive may expand to this many times the object size cap, all members together


class LocalScanner:
    name = "local"

    def __init__(self, max_bytes: int) -> None:
        self.limits = Limits(max_bytes=max_bytes, max_expanded_bytes=max_bytes * ARCHIVE_EXPANSION)

    def subject_of(self, event: dict[str, Any]) -> Subject | None:
        detail: PartnerUploaded | FileUploaded
        if PartnerUploaded.matches(event):
            detail = PartnerUploaded.parse(event)
        elif FileUploaded.matches(event):
            detail = FileUploaded.parse(event)
            if not detail.scan_required:
                return None
        else:
            return None
        subject = subject_for_key(detail.s3_key)
        if subject is None or subject.file_id != detail.file_id or subject.version != detail.version:
            raise ValueError(f"{type(detail).__name__} event with an inconsistent object key: {detail!r}")
        return subject

    def verdict_on(self, subject: Subject, event: dict[str, Any]) -> Verdict:
        return self.scan(subject.key)

    def scan(self, key: str) -> Verdict:
        size = objects.size(key)
        if size is None:
            raise FileNotFoundError(f"{key} is not in the bucket")  # retried, then the DLQ: someone looks
        if size > self.limits.max_bytes:
            return Verdict.unscannable(f"too large to scan ({size} bytes; the limit is {self.limits.max_bytes})")
        if is_zip(objects.read_range(key, 0, 4)):
            with objects.open_seekable(key, size) as f:
                return scan_archive(f, self.limits)
        return scan_chunks(objects.stream(key))
