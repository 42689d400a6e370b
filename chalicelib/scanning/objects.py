"""The files bucket as the scanner sees it: reading an object, and moving one into quarantine.

Reads are streamed (one GET, chunk by chunk) or ranged (a seekable view for ZIP readers), so
memory stays bounded whatever the object's size. Quarantine is a move: a copy under
`quarantine/<original key>`, tagged with the verdict, then every version of the original is
deleted, so no presigned URL, old version or indexer can serve those bytes again.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterator
from typing import IO, Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.resources import QUARANTINE_PREFIX, SCAN_REQUIRED_TAG
from chalicelib.scanning.engine import CHUNK, SourceError
from chalicelib.scanning.port import Verdict

STATUS_TAG = "kumo-scan-status"
REASON_TAG = "kumo-scan-reason"
_TAG_VALUE_UNSAFE = re.compile(r"[^\w +\-=.:/@]")  # what S3 accepts in a tag value
_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}


def _s3() -> Any:
    return aws.client("s3")


def _bucket() -> str:
    return settings().files_bucket


def _missing(exc: Exception) -> bool:
    return getattr(exc, "response", {}).get("Error", {}).get("Code") in _MISSING


def size(key: str) -> int | None:
    """The object's size, or None when there is no such object."""
    try:
        return int(_s3().head_object(Bucket=_bucket(), Key=key)["ContentLength"])
    except Exception as exc:
        if _missing(exc):
            return None
        raise SourceError(f"cannot read {key}: {exc}") from exc


def read_range(key: str, start: int, length: int) -> bytes:
    if length <= 0:
        return b""
    try:
        body = _s3().get_object(Bucket=_bucket(), Key=key, Range=f"bytes={start}-{start + length - 1}")["Body"]
        with body:
            return bytes(body.read())
    except Exception as exc:
        raise SourceError(f"cannot read {key}: {exc}") from exc


def stream(key: str) -> Iterator[bytes]:
    """The whole object, chunk by chunk, from one GET."""
    try:
        body = _s3().get_object(Bucket=_bucket(), Key=key)["Body"]
    except Exception as exc:
        raise SourceError(f"cannot read {key}: {exc}") from exc
    with body:
        while True:
            try:
                chunk = body.read(CHUNK)
            except Exception as exc:
                raise SourceError(f"cannot read {key}: {exc}") from exc
            if not chunk:
                return
            yield chunk


class _RangedObject(io.RawIOBase):
    """A read-only, seekable file over an S3 object: each read is a ranged GET."""

    def __init__(self, key: str, size: int) -> None:
        super().__init__()
        self._key = key
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = read_range(self._key, self._pos, min(len(view), self._size - self._pos))
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


def open_seekable(key: str, size: int) -> IO[bytes]:
    return io.BufferedReader(_RangedObject(key, size), buffer_size=CHUNK)


# --- quarantine --------------------------------------------------------------------------------


def quarantine_key(key: str) -> str:
    return f"{QUARANTINE_PREFIX}{key}"


def _tag_value(text: str) -> str:
    return _TAG_VALUE_UNSAFE.sub("_", text)[:256]


def quarantine(key: str, verdict: Verdict) -> str:
    """Move the object under quarantine/, tagged with the verdict. Safe to repeat."""
    s3 = _s3()
    target = quarantine_key(key)
    if size(key) is not None:
        tags = urllib.parse.urlencode(
            {
                SCAN_REQUIRED_TAG[0]: SCAN_REQUIRED_TAG[1],
                STATUS_TAG: verdict.status,
                REASON_TAG: _tag_value(verdict.reason),
            }
        )
        # The managed copy switches to a multipart copy above CopyObject's 5 GB limit.
        s3.copy(
            {"Bucket": _bucket(), "Key": key},
            _bucket(),
            target,
            ExtraArgs={"Tagging": tags, "TaggingDirective": "REPLACE"},
        )
    _delete_every_version(key)
    return target


def _delete_every_version(key: str) -> None:
    """The bucket is versioned: a plain delete would leave the bytes behind as an old version."""
    s3 = _s3()
    listing = s3.list_object_versions(Bucket=_bucket(), Prefix=key)
    versions = [v for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])] if v["Key"] == key]
    for v in versions:
        s3.delete_object(Bucket=_bucket(), Key=key, VersionId=v["VersionId"])


def tags(key: str) -> dict[str, str]:
    """The object's tags (e.g. GuardDuty's result tag), or {} when the object is not there."""
    try:
        tag_set = _s3().get_object_tagging(Bucket=_bucket(), Key=key)["TagSet"]
    except Exception as exc:
        if _missing(exc):
            return {}
        raise
    return {t["Key"]: t["Value"] for t in tag_set}


def quarantined(key: str) -> Verdict | None:
    """The verdict a quarantined copy of this object was filed with, if there is one."""
    try:
        tag_set = _s3().get_object_tagging(Bucket=_bucket(), Key=quarantine_key(key))["TagSet"]
    except Exception as exc:
        if _missing(exc):
            return None
        raise
    tags = {t["Key"]: t["Value"] for t in tag_set}
    status = tags.get(STATUS_TAG)
    if status not in ("infected", "unscannable"):
        return None
    return Verdict(status, tags.get(REASON_TAG, ""))
