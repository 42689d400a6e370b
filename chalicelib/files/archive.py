"""'Download all' for a folder: one ZIP, streamed from S3 into S3, then a presigned GET.

The archive is written part by part into an S3 multipart upload while the files are read
one by one, so the API never holds more than one part in memory, whatever the folder's size.
It is built within the request, so it is capped: at most MAX_ZIP_BYTES of files and
MAX_ZIP_FILES files (a Lambda request has 30 s). Larger folders are downloaded file by file.
Files are stored (not deflated): office documents and images are already compressed.
Archives live under `archives/`, which a lifecycle rule (and the local sweep) empties daily.
"""

from __future__ import annotations

import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.core import aws
from chalicelib.core.auth import Principal
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest
from chalicelib.files import listing, policy, s3, versions
from chalicelib.files.entries import Entry

MAX_ZIP_BYTES = 1024**3
MAX_ZIP_FILES = 1000
PART_BYTES = 16 * 1024**2
ARCHIVE_PREFIX = "archives/"


@dataclass(frozen=True)
class Member:
    path: str  # inside the ZIP, relative to the folder
    entry: Entry


def members(reader: Principal, folder: Entry) -> list[Member]:
    """Every file under the folder that `reader` may see and that passed its virus check.

    listing.walk goes down the tree without recursion and leaves out what is in the trash; the
    limits stop it as soon as they are passed, however large the folder.
    """
    found: list[Member] = []
    total = 0
    for names, item in listing.walk(reader, folder.file_id):
        if item.is_folder or not item.usable or not policy.can_read(reader, item.item):
            continue
        found.append(Member("".join(f"{n}/" for n in names) + item.name, item))
        total += item.size
        if len(found) > MAX_ZIP_FILES or total > MAX_ZIP_BYTES:
            raise BadRequest(
                "This folder is too large to download as one ZIP (at most {gb} GB and {n} "
                "files). Download the files one by one, or a smaller folder.",
                gb=MAX_ZIP_BYTES // 1024**3,
                n=MAX_ZIP_FILES,
            )
    if not found:
        raise BadRequest("There is nothing to download in this folder.")
    return found


class _MultipartWriter:
    """A write-only, unseekable file that streams into an S3 multipart upload."""

    def __init__(self, key: str) -> None:
        self.client = aws.client("s3")
        self.bucket = settings().files_bucket
        self.key = key
        self.upload_id = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType="application/zip"
        )["UploadId"]
        self.parts: list[dict[str, Any]] = []
        self.buffer = bytearray()
        self.position = 0

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.position += len(data)
        if len(self.buffer) >= PART_BYTES:
            self._flush()
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def _flush(self) -> None:
        number = len(self.parts) + 1
        etag = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=bytes(self.buffer)
        )["ETag"]
        self.parts.append({"PartNumber": number, "ETag": etag})
        self.buffer.clear()

    def close(self) -> None:
        if self.buffer or not self.parts:
            self._flush()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
        )

    def abort(self) -> None:
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


def _chunks(key: str) -> Iterator[bytes]:
    body = aws.client("s3").get_object(Bucket=settings().files_bucket, Key=key)["Body"]
    yield from body.iter_chunks(chunk_size=1024 * 1024)


def build(reader: Principal, folder: Entry) -> str:
    """Write the folder's ZIP to S3; returns a presigned URL valid for two minutes."""
    chosen = members(reader, folder)
    key = f"{ARCHIVE_PREFIX}{secrets.token_hex(12)}.zip"
    writer = _MultipartWriter(key)
    try:
        with zipfile.ZipFile(writer, mode="w", compression=zipfile.ZIP_STORED) as archive:
            for member in chosen:
                record = versions.version_record(member.entry.file_id, member.entry.version)
                info = zipfile.ZipInfo(member.path, date_time=member.entry.updated_at.timetuple()[:6])
                with archive.open(info, mode="w", force_zip64=True) as out:
                    for chunk in _chunks(record.s3_key):
                        out.write(chunk)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return s3.presigned_download(key, f"{folder.name}.zip", "application/zip")
