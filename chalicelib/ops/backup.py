"""`kumo backup DIR` / `kumo restore DIR`: every table's items and every stored object.

Works against any endpoint (AWS or the local emulator): it only uses DynamoDB Scan/BatchWrite
and S3 List/Get/Put. A backup is written to a temporary directory next to DIR and renamed into
place only when complete, so a crash never leaves a half-written backup where a good one was.

Layout:
    manifest.json                  format version, time, tables, object count
    tables/<key>.jsonl             one DynamoDB-JSON item per line
    objects/index.jsonl            one line per object version: key, metadata, blob file
    objects/blobs/<n>              the bytes
Objects are kept with every version (oldest first), their content type, disposition and
user metadata. On restore the versions are written again in order (S3 gives them new ids).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.resources import RESOURCES
from chalicelib.directory import service as directory

FORMAT_VERSION = 1
OBJECT_FIELDS = ("ContentType", "ContentDisposition", "ContentEncoding", "ContentLanguage", "CacheControl")


@dataclass(frozen=True)
class Summary:
    items: dict[str, int]
    objects: int

    def describe(self) -> str:
        tables = ", ".join(f"{k}={v}" for k, v in self.items.items())
        return f"{sum(self.items.values())} items ({tables}); {self.objects} object versions"


def _scan(table_name: str) -> Iterator[dict[str, Any]]:
    paginator = aws.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=table_name, ConsistentRead=True):
        yield from page.get("Items", [])


def _object_versions(bucket: str) -> Iterator[dict[str, Any]]:
    """Every version of every object, oldest first per key; latest delete markers included."""
    paginator = aws.client("s3").get_paginator("list_object_versions")
    per_key: dict[str, list[dict[str, Any]]] = {}
    for page in paginator.paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            per_key.setdefault(v["Key"], []).append({**v, "IsDeleteMarker": False})
        for m in page.get("DeleteMarkers", []):
            per_key.setdefault(m["Key"], []).append({**m, "IsDeleteMarker": True})
    for key in sorted(per_key):
        yield from sorted(per_key[key], key=lambda v: v["LastModified"])


def backup(target: Path) -> Summary:
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        summary = _write_backup(work)
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, target)
        return summary
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _write_backup(work: Path) -> Summary:
    s = settings()
    (work / "tables").mkdir()
    counts: dict[str, int] = {}
    for table in RESOURCES.tables:
        with open(work / "tables" / f"{table.key}.jsonl", "w", encoding="utf-8") as out:
            n = 0
            for item in _scan(table.physical_name(s.prefix)):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
                n += 1
        counts[table.key] = n
    blobs = work / "objects" / "blobs"
    blobs.mkdir(parents=True)
    s3 = aws.client("s3")
    n_objects = 0
    with open(work / "objects" / "index.jsonl", "w", encoding="utf-8") as index:
        for version in _object_versions(s.files_bucket):
            entry: dict[str, Any] = {"key": version["Key"], "delete_marker": version["IsDeleteMarker"]}
            if not version["IsDeleteMarker"]:
                obj = s3.get_object(Bucket=s.files_bucket, Key=version["Key"], VersionId=version["VersionId"])
                blob_name = f"{n_objects:08d}"
                with open(blobs / blob_name, "wb") as out:
                    shutil.copyfileobj(obj["Body"], out)
                entry.update(
                    {
                        "blob": blob_name,
                        "metadata": obj.get("Metadata", {}),
                        **{f: obj[f] for f in OBJECT_FIELDS if obj.get(f)},
                    }
                )
            index.write(json.dumps(entry, ensure_ascii=False) + "\n")
            n_objects += 1
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "prefix": s.prefix,
        "items": counts,
        "objects": n_objects,
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return Summary(counts, n_objects)


def restore(source: Path) -> Summary:
    """Write a backup's items and objects into the (existing, normally empty) resources."""
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise ValueError(f"{source} is a backup of format {manifest.get('format')}, expected {FORMAT_VERSION}")
    s = settings()
    ddb = aws.client("dynamodb")
    counts: dict[str, int] = {}
    for table in RESOURCES.tables:
        path = source / "tables" / f"{table.key}.jsonl"
        items = (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
            if path.exists()
            else []
        )
        _batch_write(ddb, table.physical_name(s.prefix), items)
        counts[table.key] = len(items)
    # The staff were written behind the directory's back, and the stamp restored may be one a
    # notifier kept other people under: a fresh stamp makes every process read them again.
    directory.staff_changed()
    s3 = aws.client("s3")
    n_objects = 0
    index_path = source / "objects" / "index.jsonl"
    for line in index_path.read_text(encoding="utf-8").splitlines() if index_path.exists() else []:
        entry = json.loads(line)
        if entry["delete_marker"]:
            s3.delete_object(Bucket=s.files_bucket, Key=entry["key"])
        else:
            extra = {f: entry[f] for f in OBJECT_FIELDS if entry.get(f)}
            with open(source / "objects" / "blobs" / entry["blob"], "rb") as body:
                s3.put_object(
                    Bucket=s.files_bucket, Key=entry["key"], Body=body, Metadata=entry.get("metadata", {}), **extra
                )
        n_objects += 1
    return Summary(counts, n_objects)


def _batch_write(ddb: Any, table_name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests: dict[str, Any] = {table_name: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        for _ in range(8):
            unprocessed = ddb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            if not unprocessed:
                break
            requests = unprocessed
        else:
            raise RuntimeError(f"could not write every item to {table_name}")
