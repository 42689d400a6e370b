"""The files bucket: presigned uploads and downloads, multipart plumbing. The only S3 code.

Object keys never contain a file's name (names live in DynamoDB): a key is
`spaces/<space>/<file id>/v<version>`, so no name can traverse paths or collide. A browser
uploads straight to that key (the version number is reserved when the upload starts), so
completing an upload never copies the object.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.resources import SCAN_REQUIRED_TAG

UPLOAD_URL_SECONDS = 3600  # a part or form is used within the hour it was signed
DOWNLOAD_URL_SECONDS = 120  # a download link is good for a couple of minutes, no more
# Types a browser may show inline. Never HTML, SVG, XML or anything else that runs script.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


def _s3() -> Any:
    return aws.client("s3")


def _bucket() -> str:
    return settings().files_bucket


def version_key(space_id: str, file_id: str, version: int) -> str:
    return f"spaces/{space_id}/{file_id}/v{version:08d}"


def _scan_tagging() -> str:
    """`kumo-scan=required` as S3's POST form wants it (XML) and the bucket policy reads it."""
    key, value = SCAN_REQUIRED_TAG
    return f"<Tagging><TagSet><Tag><Key>{key}</Key><Value>{value}</Value></Tag></TagSet></Tagging>"


def presigned_post(key: str, size: int, content_type: str, *, scan_required: bool = False) -> dict[str, Any]:
    """A form upload that S3 accepts only at exactly the declared size and type.

    A partner's upload carries `kumo-scan=required` from its first byte: in AWS the bucket
    policy denies reading such an object until the malware scan's result tag says it is clean.
    """
    fields: dict[str, str] = {"Content-Type": content_type}
    conditions: list[Any] = [["content-length-range", size, size], {"Content-Type": content_type}]
    if scan_required:
        fields["tagging"] = _scan_tagging()
        conditions.append({"tagging": fields["tagging"]})
    return dict(
        _s3().generate_presigned_post(
            Bucket=_bucket(), Key=key, ExpiresIn=UPLOAD_URL_SECONDS, Fields=fields, Conditions=conditions
        )
    )


def ensure_scan_tag(key: str) -> None:
    """Make sure a partner's object carries `kumo-scan=required` (the form's own tag, if it was kept).

    S3 applies the POST form's `tagging` field; an emulator may not. Other tags on the object
    (GuardDuty's result, if it came first) are kept.
    """
    s3 = _s3()
    tags = s3.get_object_tagging(Bucket=_bucket(), Key=key).get("TagSet", [])
    wanted = {"Key": SCAN_REQUIRED_TAG[0], "Value": SCAN_REQUIRED_TAG[1]}
    if wanted not in tags:
        s3.put_object_tagging(Bucket=_bucket(), Key=key, Tagging={"TagSet": [*tags, wanted]})


# Every part carries the CRC-32 its sender computed, signed into the part's URL: S3 refuses a part
# whose bytes do not match it (a flipped bit between the person's disk and S3 fails that part, which
# the browser sends again), and the object gets a composite checksum of its parts. Without one, S3
# (and the emulator, which reads the whole object again to do it) works out a full-object CRC64 at
# completion.
PART_CHECKSUM = "CRC32"


def start_multipart(key: str, content_type: str, *, scan_required: bool = False) -> str:
    extra: dict[str, str] = {"Tagging": urllib.parse.urlencode([SCAN_REQUIRED_TAG])} if scan_required else {}
    created = _s3().create_multipart_upload(
        Bucket=_bucket(), Key=key, ContentType=content_type, ChecksumAlgorithm=PART_CHECKSUM, **extra
    )
    return str(created["UploadId"])


def presigned_part(key: str, multipart_id: str, part_number: int, size: int | None, crc32: str) -> str:
    """A URL for one part with its CRC-32 (base64) signed in, and with a size, its length too:
    S3 takes only those bytes at that length (the browser sends the checksum as x-amz-checksum-crc32)."""
    params: dict[str, Any] = {
        "Bucket": _bucket(),
        "Key": key,
        "UploadId": multipart_id,
        "PartNumber": part_number,
        "ChecksumCRC32": crc32,
    }
    if size is not None:
        params["ContentLength"] = size
    return str(_s3().generate_presigned_url("upload_part", ExpiresIn=UPLOAD_URL_SECONDS, Params=params))


def list_parts(key: str, multipart_id: str) -> list[dict[str, Any]]:
    """The parts S3 holds: number, ETag, size, and the part's CRC-32 where S3 reports it."""
    parts: list[dict[str, Any]] = []
    paginator = _s3().get_paginator("list_parts")
    for page in paginator.paginate(Bucket=_bucket(), Key=key, UploadId=multipart_id):
        for p in page.get("Parts", []):
            part = {"PartNumber": p["PartNumber"], "ETag": p["ETag"], "Size": p["Size"]}
            if p.get("ChecksumCRC32"):
                part["ChecksumCRC32"] = p["ChecksumCRC32"]
            parts.append(part)
    return parts


COMPLETE_SECONDS = 600  # S3 may take minutes to assemble a many-GB object


def complete_multipart(key: str, multipart_id: str, parts: list[dict[str, Any]]) -> None:
    aws.client("s3", read_timeout=COMPLETE_SECONDS).complete_multipart_upload(
        Bucket=_bucket(),
        Key=key,
        UploadId=multipart_id,
        MultipartUpload={"Parts": [_completed_part(p) for p in parts]},
    )


def _completed_part(part: dict[str, Any]) -> dict[str, Any]:
    done = {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
    if part.get("ChecksumCRC32"):
        done["ChecksumCRC32"] = part["ChecksumCRC32"]
    return done


def abort_multipart(key: str, multipart_id: str) -> None:
    s3 = _s3()
    try:
        s3.abort_multipart_upload(Bucket=_bucket(), Key=key, UploadId=multipart_id)
    except s3.exceptions.NoSuchUpload:
        pass


def object_size(key: str) -> int | None:
    s3 = _s3()
    try:
        return int(s3.head_object(Bucket=_bucket(), Key=key)["ContentLength"])
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise


def copy(source_key: str, target_key: str, content_type: str) -> None:
    _s3().copy_object(
        Bucket=_bucket(),
        Key=target_key,
        CopySource={"Bucket": _bucket(), "Key": source_key},
        ContentType=content_type,
        MetadataDirective="REPLACE",
    )


def put_object(key: str, body: bytes, content_type: str) -> None:
    """A small object the API itself writes (a survey's Excel 様式), never served to a browser."""
    _s3().put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)


def get_object(key: str) -> bytes | None:
    s3 = _s3()
    try:
        return bytes(s3.get_object(Bucket=_bucket(), Key=key)["Body"].read())
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise


def delete(key: str) -> None:
    _s3().delete_object(Bucket=_bucket(), Key=key)


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 / 5987: an ASCII fallback and the exact (Japanese) name in UTF-8."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "file"
    encoded = urllib.parse.quote(name, safe="")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def presigned_download(key: str, name: str, content_type: str, *, inline: bool = False) -> str:
    inline = inline and content_type in INLINE_TYPES
    return str(
        _s3().generate_presigned_url(
            "get_object",
            ExpiresIn=DOWNLOAD_URL_SECONDS,
            Params={
                "Bucket": _bucket(),
                "Key": key,
                "ResponseContentDisposition": content_disposition(name, inline=inline),
                # Anything not shown inline is served as bytes to save, whatever its stored type.
                "ResponseContentType": content_type if inline else "application/octet-stream",
            },
        )
    )
