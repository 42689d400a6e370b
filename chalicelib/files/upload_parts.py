"""The parts of a large upload (over upload_start.MULTIPART_THRESHOLD).

Each part goes to S3 through a presigned UploadPart URL signed for its declared length and
its CRC-32, so S3 takes only those bytes. A browser can pause, resume and retry part by part
(Uppy's AWS S3 plugin does this): it asks what S3 already holds and sends the rest.
"""

from __future__ import annotations

import base64
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest
from chalicelib.files import s3
from chalicelib.files.open_uploads import own_upload

MIN_PART_BYTES = 5 * 1024**2  # S3's smallest part (all but the last)
MAX_PART_BYTES = 5 * 1024**3  # S3's largest part
MAX_PARTS = 10_000


def sign_part(
    principal: Principal | None,
    upload_id: str,
    part_number: int,
    size: int | None,
    crc32: str,
    *,
    via_link_session: str | None = None,
) -> str:
    """A URL for one part with its CRC-32 signed in: S3 accepts only those bytes (and with a
    size, only that length)."""
    record = own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        raise BadRequest("This upload is a single form post, not multipart.")
    if not 1 <= part_number <= MAX_PARTS:
        raise BadRequest("Part numbers go from 1 to {max}.", max=MAX_PARTS)
    declared = int(record.size)
    if (part_number - 1) * MIN_PART_BYTES >= declared:
        raise BadRequest(
            "Part {number} lies beyond the end of the file ({declared} bytes).",
            field="part_number",
            number=part_number,
            declared=declared,
        )
    if size is not None and not 1 <= size <= min(MAX_PART_BYTES, declared):
        raise BadRequest(
            "A part is between 1 byte and {limit} bytes.", field="size", limit=min(MAX_PART_BYTES, declared)
        )
    if not is_crc32(crc32):
        raise BadRequest("Send the part's CRC-32 checksum (4 bytes, base64) to have it signed.", field="crc32")
    return s3.presigned_part(record.s3_key, record.multipart_id, part_number, size, crc32)


def is_crc32(text: str) -> bool:
    """A CRC-32 as S3 writes it: 4 bytes, big-endian, base64 (8 characters with the padding)."""
    try:
        return len(text) == 8 and len(base64.b64decode(text, validate=True)) == 4
    except (ValueError, TypeError):
        return False


def parts(principal: Principal | None, upload_id: str, *, via_link_session: str | None = None) -> list[dict[str, Any]]:
    """What S3 already holds, so a browser can resume after a dropped connection."""
    record = own_upload(principal, upload_id, via_link_session)
    if not record.multipart_id:
        return []
    return s3.list_parts(record.s3_key, record.multipart_id)
