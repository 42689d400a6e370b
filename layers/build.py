"""Build the shared Lambda layer: runtime dependencies, chalicelib/ and frontend/.

What Lambda mounts at /opt (``/opt/python`` is on ``sys.path``)::

    python/<site-packages from requirements/runtime.txt, minus what the runtime ships>
    python/chalicelib/
    python/frontend/            KUMO_FRONTEND_DIR=/opt/python/frontend

The pip install is the slow part, so its result is cached under ``build/layer-cache/<key>/``,
where the key hashes requirements/runtime.txt with the target platform, the Python version
and the stripping rules below. An unchanged key reuses the cache: no network, a second or so.

``.pyc`` files are compiled for the target Python when a matching interpreter is found
(``KUMO_LAYER_PYTHON``, ``python3.12`` on PATH, or a pyenv install): /opt is read-only on
Lambda, so without them every cold start compiles each imported module again (measured here:
importing Powertools, pynamodb, jinja2, PyJWT and opensearch-py took ~585 ms from source and
~170 ms from .pyc).

    python -m layers.build --report     build (or reuse) and print the layer / API sizes
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = PROJECT_ROOT / "requirements" / "runtime.txt"
BUILD_DIR = PROJECT_ROOT / "build"
DEFAULT_OUT = BUILD_DIR / "layer"
CACHE_DIR = BUILD_DIR / "layer-cache"

PYTHON_VERSION = "3.12"
# Graviton: ~20% cheaper per GB-second than x86_64 and as fast for this I/O-bound code.
# infra/ reads these two constants, so the functions and the layer's wheels always agree.
ARCHITECTURE = "arm64"
# Lambda's python3.12 runtime runs on Amazon Linux 2023 (glibc 2.34); manylinux2014 wheels
# (glibc 2.17) are the ones AWS documents for layers and every dependency ships them.
PLATFORMS = {
    "arm64": ("manylinux2014_aarch64",),
    "x86_64": ("manylinux2014_x86_64",),
}
# Shipped by the Lambda Python runtime itself: leaving them out saves ~33 MB unzipped.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
# Directories that are never imported at run time.
STRIP_DIRS = ("__pycache__", "tests", "test", "bin")
# Bump when the stripping rules change, so old caches are not reused.
CACHE_FORMAT = "2"
# Lambda's limit for a function's code plus all its layers, unzipped.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024

# node_modules: npm's install folder for the browser libraries; only static/vendor/ is served.
_COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store", "node_modules", "package*.json")
# What Chalice packages into the API's deployment.zip.
API_FILES = ("app.py", "requirements.txt", ".chalice/config.json")
API_DIRS = ("chalicelib", "vendor")


def build_layer(
    out_dir: Path = DEFAULT_OUT,
    *,
    architecture: str = ARCHITECTURE,
    python_version: str = PYTHON_VERSION,
    requirements: Path = REQUIREMENTS,
    cache_dir: Path = CACHE_DIR,
    quiet: bool = True,
) -> Path:
    """Assemble the layer under ``out_dir`` (which gets a ``python/`` folder); return it."""
    interpreter = find_interpreter(python_version)
    site_packages = _cached_site_packages(
        requirements,
        architecture=architecture,
        python_version=python_version,
        cache_dir=cache_dir,
        interpreter=interpreter,
        quiet=quiet,
    )
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    target = out_dir / "python"
    shutil.copytree(site_packages, target, copy_function=_link_or_copy)
    for name in ("chalicelib", "frontend"):
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=_COPY_IGNORE)
    if interpreter:
        _compile(interpreter, target / "chalicelib")
    _warn_uncompiled_catalogs(target / "frontend")
    return out_dir


def _warn_uncompiled_catalogs(frontend: Path) -> None:
    missing = [po for po in frontend.rglob("*.po") if not po.with_suffix(".mo").is_file()]
    if missing:
        print(
            f"warning: the layer has no compiled catalog for {', '.join(map(str, missing))} "
            "(run `make catalogs`): those pages would fall back to untranslated text",
            file=sys.stderr,
        )


def cache_key(requirements: Path, architecture: str, python_version: str, *, compiled: bool) -> str:
    digest = hashlib.sha256()
    for part in (
        requirements.read_bytes(),
        architecture.encode(),
        python_version.encode(),
        ",".join(PLATFORMS[architecture]).encode(),
        ",".join(RUNTIME_PROVIDED + STRIP_DIRS).encode(),
        CACHE_FORMAT.encode(),
        b"pyc" if compiled else b"source",
    ):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def find_interpreter(python_version: str) -> str | None:
    """A CPython of the target version, to compile .pyc files with (None: ship sources)."""
    candidates = [os.environ.get("KUMO_LAYER_PYTHON"), shutil.which(f"python{python_version}")]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(
        glob.glob(f"{pyenv_root}/versions/{python_version}.*/bin/python{python_version}"),
        reverse=True,
    )
    for candidate in candidates:
        if candidate and _reports_version(candidate, python_version):
            return candidate
    return None


def _reports_version(interpreter: str, python_version: str) -> bool:
    try:
        result = subprocess.run(
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == python_version


def _cached_site_packages(
    requirements: Path,
    *,
    architecture: str,
    python_version: str,
    cache_dir: Path,
    interpreter: str | None,
    quiet: bool,
) -> Path:
    key = cache_key(requirements, architecture, python_version, compiled=interpreter is not None)
    entry = cache_dir / key
    if (entry / "python").is_dir():
        return entry / "python"
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=cache_dir))
    try:
        _pip_install(
            requirements, staging / "python", architecture=architecture, python_version=python_version, quiet=quiet
        )
        _strip(staging / "python")
        if interpreter:
            _compile(interpreter, staging / "python")
        (staging / "key.json").write_text(
            json.dumps(
                {
                    "requirements": requirements.read_text(),
                    "architecture": architecture,
                    "python": python_version,
                    "compiled_with": interpreter,
                },
                indent=2,
            )
        )
        for old in cache_dir.iterdir():  # one cache entry is enough
            if old != staging:
                shutil.rmtree(old, ignore_errors=True)
        staging.rename(entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return entry / "python"


def _pip_install(requirements: Path, target: Path, *, architecture: str, python_version: str, quiet: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-compile",
        "--disable-pip-version-check",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
        "--target",
        str(target),
        "-r",
        str(requirements),
    ]
    for platform in PLATFORMS[architecture]:
        command += ["--platform", platform]
    result = subprocess.run(command, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        details = (result.stdout or "") + (result.stderr or "")
        raise RuntimeError(f"pip install for the layer failed:\n{details}")


def _strip(site_packages: Path) -> None:
    for entry in list(site_packages.iterdir()):
        name = entry.name.split("-")[0].lower()
        if name in RUNTIME_PROVIDED or entry.name in STRIP_DIRS:
            _remove(entry)
    for package in site_packages.iterdir():
        if package.is_dir():
            for name in STRIP_DIRS:
                _remove(package / name)
    for pycache in site_packages.rglob("__pycache__"):
        _remove(pycache)
    for record in site_packages.glob("*.dist-info/RECORD"):
        record.unlink()  # lists files we just removed; METADATA and licences stay


def _compile(interpreter: str, path: Path) -> None:
    # unchecked-hash: the .pyc does not depend on file mtimes, which zipping does not keep.
    subprocess.run(
        [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(path)],
        check=True,
        capture_output=True,
    )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _link_or_copy(src: str, dst: str) -> object:
    try:
        os.link(src, dst)
        return dst
    except OSError:
        return shutil.copy2(src, dst)


def stage_api_source(target: Path) -> Path:
    """Copy what Chalice packages for the API (app.py, chalicelib/, config) without bytecode.

    Chalice zips every file under chalicelib/, so a developer's __pycache__ (bytecode for
    the local Python, useless on Lambda) would ride along and change the package, and its
    asset hash, from one machine to the next. Packaging a clean copy also keeps Chalice's
    package cache (.chalice/deployments/) out of the working tree.
    """
    for name in (*API_FILES, *API_DIRS):
        _remove(target / name)
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=_COPY_IGNORE)
        elif source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


# --- sizes -------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def zipped_size(path: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    zf.write(file, file.relative_to(path))
        return archive.stat().st_size


def api_package_sizes(stage: str = "dev") -> tuple[int, int]:
    """(unzipped, zipped) bytes of the Chalice deployment package of the API."""
    from chalice.api import package_app

    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    source = stage_api_source(BUILD_DIR / "api-source")
    with tempfile.TemporaryDirectory() as tmp:
        package_app(project_dir=str(source), output_dir=tmp, stage=stage)
        archive = Path(tmp) / "deployment.zip"
        with zipfile.ZipFile(archive) as zf:
            unzipped = sum(info.file_size for info in zf.infolist())
        return unzipped, archive.stat().st_size


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def report(out_dir: Path, architecture: str) -> None:
    layer = build_layer(out_dir, architecture=architecture)
    layer_unzipped = tree_size(layer)
    print(
        f"layer: {_mb(layer_unzipped)} unzipped, {_mb(zipped_size(layer))} zipped "
        f"({architecture}, python{PYTHON_VERSION}, "
        f"{'with' if find_interpreter(PYTHON_VERSION) else 'WITHOUT'} precompiled .pyc)"
    )
    biggest = sorted(
        ((tree_size(p) if p.is_dir() else p.stat().st_size, p.name) for p in (layer / "python").iterdir()), reverse=True
    )[:5]
    print("  largest: " + ", ".join(f"{name} {_mb(size)}" for size, name in biggest))
    if not (PROJECT_ROOT / "app.py").is_file():
        print("api package: app.py is missing, not measured")
        return
    api_unzipped, api_zipped = api_package_sizes()
    print(f"api package: {_mb(api_unzipped)} unzipped, {_mb(api_zipped)} zipped")
    total = api_unzipped + layer_unzipped
    print(f"api + layer: {_mb(total)} unzipped of Lambda's {_mb(LAMBDA_UNZIPPED_LIMIT)} limit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="layer directory")
    parser.add_argument("--architecture", choices=sorted(PLATFORMS), default=ARCHITECTURE)
    parser.add_argument("--report", action="store_true", help="print layer and API sizes")
    args = parser.parse_args(argv)
    if args.report:
        report(args.out, args.architecture)
    else:
        print(build_layer(args.out, architecture=args.architecture, quiet=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
