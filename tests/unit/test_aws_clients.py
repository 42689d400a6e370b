"""The S3 client's presigned URLs: virtual-hosted in AWS (the CSP's upload origin), path-style locally.

Presigning needs no network, so both shapes are checked on the real client.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.core import aws, config
from chalicelib.files import s3


def _presigned_put() -> str:
    return s3.presigned_part("uploads/up_1", "mp-1", 1, 16 * 1024**2, "AAAAAA==")


def test_in_aws_presigned_urls_are_virtual_hosted_sigv4_on_the_upload_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.unit.test_settings import DEPLOYED

    for name, value in DEPLOYED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KUMO_FILES_BUCKET", "kumo-files-123456789012")
    config.reset()
    aws.reset()
    url = _presigned_put()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == config.settings().upload_origin
    assert parts.netloc == "kumo-files-123456789012.s3.ap-northeast-1.amazonaws.com"
    assert parts.path == "/uploads/up_1"
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in parts.query
    signed = parse_qs(parts.query)["X-Amz-SignedHeaders"][0].split(";")
    assert "x-amz-checksum-crc32" in signed and "content-length" in signed, "S3 takes only those bytes"
    download = urlsplit(s3.presigned_download("spaces/dept:somu/fi_1/v00000001", "報告書.pdf", "application/pdf"))
    assert download.netloc == parts.netloc and "X-Amz-Signature=" in download.query


def test_against_the_emulator_the_bucket_stays_in_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUMO_AWS_ENDPOINT", "http://127.0.0.1:5000")
    monkeypatch.setenv("KUMO_FILES_BUCKET", "kumo-files-123456789012")
    config.reset()
    aws.reset()
    parts = urlsplit(_presigned_put())
    assert f"{parts.scheme}://{parts.netloc}" == config.settings().upload_origin == "http://127.0.0.1:5000"
    assert parts.path == "/kumo-files-123456789012/uploads/up_1"
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in parts.query
    signed = parse_qs(parts.query)["X-Amz-SignedHeaders"][0].split(";")
    assert "x-amz-checksum-crc32" in signed and "content-length" in signed, "S3 takes only those bytes"
