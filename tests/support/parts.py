"""A multipart part as Kumo's browser uploader sends it: its CRC-32 signed into the URL and sent
as x-amz-checksum-crc32 (S3 refuses a part whose bytes do not match it)."""

from __future__ import annotations

import base64
import zlib

import requests


def crc32(data: bytes) -> str:
    """S3's form of a CRC-32: 4 bytes, big-endian, base64."""
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def put_part(url: str, data: bytes, checksum: str | None = None) -> requests.Response:
    return requests.put(url, data=data, headers={"x-amz-checksum-crc32": checksum or crc32(data)}, timeout=120)
