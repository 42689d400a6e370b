"""Content-hashed names for frontend/static, and the URL a template uses for a static file.

In AWS the static files are not served by Lambda: the stack copies each one to an S3 bucket under
a name that carries a hash of its content (``kumo.css`` -> ``kumo.3f2a9c1b04de.css``), CloudFront
serves ``/static/*`` from there with a one-year immutable cache, and the layer carries the
manifest (original name -> hashed name) that KUMO_STATIC_MANIFEST points at. A changed file gets a
new name, so no browser ever keeps an old copy. Locally there is no manifest and ``/static/<name>``
is served from disk by chalicelib/shell/pages.py.

Standard library only: infra/ imports it at synth time to name the uploaded copies.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from pathlib import Path, PurePosixPath

from chalicelib.core.config import settings

STATIC_PATH = "/static/"
HASH_LENGTH = 12  # hex digits of SHA-256: collisions between two versions of one file are out of reach
MANIFEST_NAME = "static-manifest.json"
# Never published: editor and OS litter.
_SKIPPED = (".DS_Store",)


def hashed_name(relative: str, content: bytes) -> str:
    """``vendor/uppy.min.js`` -> ``vendor/uppy.min.<hash>.js`` (the hash of the content)."""
    path = PurePosixPath(relative)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def static_files(static_dir: Path) -> dict[str, Path]:
    """Every publishable file under static_dir, by its path relative to it (POSIX)."""
    return {
        path.relative_to(static_dir).as_posix(): path
        for path in sorted(static_dir.rglob("*"))
        if path.is_file() and path.name not in _SKIPPED
    }


def build_manifest(static_dir: Path) -> dict[str, str]:
    return {relative: hashed_name(relative, path.read_bytes()) for relative, path in static_files(static_dir).items()}


def publish(static_dir: Path, out_dir: Path) -> dict[str, str]:
    """Copy every static file to out_dir under its hashed name; return the manifest."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    manifest = build_manifest(static_dir)
    for relative, path in static_files(static_dir).items():
        target = out_dir / manifest[relative]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return manifest


def write_manifest(static_dir: Path, manifest_file: Path) -> dict[str, str]:
    manifest = build_manifest(static_dir)
    manifest_file.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
    return manifest


@functools.cache
def manifest() -> dict[str, str] | None:
    """The configured manifest (read once per process), or None: serve /static from disk."""
    path = settings().static_manifest
    if path is None:
        return None
    return dict(json.loads(path.read_text("utf-8")))


def static_url(name: str) -> str:
    """The URL of a file of frontend/static, e.g. ``static_url("kumo.css")``."""
    names = manifest()
    if names is None:
        return STATIC_PATH + name
    try:
        return STATIC_PATH + names[name]
    except KeyError:
        # A template names a file that was not published: fail where it shows, not with a 404 later.
        raise LookupError(f"static file {name!r} is not in the manifest {settings().static_manifest}") from None


def reset() -> None:
    manifest.cache_clear()
