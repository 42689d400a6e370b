"""Transfers: Kumo's presigned uploads and downloads beside boto3's own, and the API's memory.

Files never pass through Kumo's API: a browser asks it for a ticket, sends the bytes straight
to S3 (one presigned POST form up to 64 MiB, presigned UploadPart PUTs above), asks it to
complete, and downloads from a presigned GET. This bench does exactly that, as the browser
(frontend/static/uploader.js with Uppy) does it: 16 MiB parts, 6 at a time, each part signed just
before it is sent, with its CRC-32 (S3 checks the part against it); the download is one GET
streamed to disk. The baseline is boto3's managed transfer (`upload_file` / `download_file`,
default TransferConfig, default client) to the same emulated S3 endpoint and bucket. Figures are
throughputs and their ratio, Kumo / boto3.

    .venv/bin/python bench/transfer.py                     # 10 MiB x3 rounds, 1 GiB x1
    .venv/bin/python bench/transfer.py --quick             # 10 MiB and 100 MiB
    .venv/bin/python bench/transfer.py --sizes 10M,256M,1G --runs 5 --large-runs 2 --budget 900

How it runs:
- one `kumo dev` (tests.support.stack.RunningStack: moto server, search, demo data, the app) on
  free ports with a throw-away state directory, started once and stopped at the end;
- for each size, one file of random bytes written to disk once (streamed, never held whole);
- rounds interleaved: each round runs the Kumo path and the boto3 path once (upload, then
  download), the order swapped every round; every download is checked against the file's
  sha256 (outside the timed part); the objects are deleted after each run (untimed);
- sizes below 256 MiB get one uncounted warm-up round first (connections, lazily made
  clients); --runs rounds are counted for them, --large-runs for the larger ones;
- before each timed transfer the bench waits (untimed, at most 5 s) until the API and moto are
  idle, so what one transfer leaves behind (moto freeing a large object) does not land in the next;
- one more baseline download per round: boto3's download_file as a single GET (multipart_threshold
  above the size), the like-for-like figure for Kumo's single-GET download (see below);
- while each transfer runs, a thread samples VmRSS of the `kumo dev` process (which runs the
  API) and of its moto child every 20 ms; VmHWM (the kernel's own peak) is read between sizes.

The S3 here is moto, which is not S3: it reads a whole object for every GET, ranged ones included
(so boto3's default download, 8 MiB ranges, is quadratic in the size here), and copies every part
on CompleteMultipartUpload. Throughputs are those of this machine's loopback and this emulator;
the ratios and the split of the upload time are what carry over. moto needs about 5 GB of RAM at
1 GiB. The default run (10M,1G) takes about 2.5 minutes on 2 cores; --budget stops rounds early
(never below one per size).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024**2
STAFF = "ogata.r"  # demo member; uploads go to the personal space
SPACE = f"user:{STAFF}"
ADMIN = "admin"  # demo system administrator (only to raise the quota when a long run needs it)
CONTENT_TYPE = "application/octet-stream"
BENCH_PREFIX = "bench/"  # where the boto3 baseline puts its objects
LARGE = 256 * MiB  # from this size on: --large-runs, no warm-up round
MIN_ROUNDS = 1
CHUNK = MiB  # write block of Kumo's streamed download
SAMPLE_S = 0.02
STOP_S = 30  # kept free in the budget for stopping the stack
SETTLE_MAX_S = 5.0


# --- sizes and files -----------------------------------------------------------------------

UNITS = {"K": 1024, "M": MiB, "G": 1024**3}


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in UNITS:
        return int(float(text[:-1]) * UNITS[text[-1]])
    return int(text)


def human(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", MiB), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def make_file(path: Path, size: int) -> str:
    """Random bytes written block by block; returns the sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(16 * MiB, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(16 * MiB):
            digest.update(block)
    return digest.hexdigest()


# --- memory --------------------------------------------------------------------------------

Pids = dict[str, tuple[int, ...]]  # "api" -> the web worker processes, "moto" -> the emulator


def peak_kib(pids: tuple[int, ...], name: str) -> int:
    """The largest of a field of /proc/<pid>/status over some processes (e.g. the web workers)."""
    return max((status_kib(pid, name) or 0 for pid in pids), default=0)


def status_kib(pid: int, name: str) -> int | None:
    """A field of /proc/<pid>/status in KiB (VmRSS: now, VmHWM: peak since the process started)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def purge(s3: Any, bucket: str, prefix: str) -> None:
    """Every version and delete marker under `prefix` (the files bucket is versioned): a deleted
    1 GiB object would otherwise stay in moto's memory and slow the next round, whichever path."""
    listed = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    for item in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]:
        s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])


def find_child(parent: int, needle: str) -> int | None:
    """The child of `parent` whose command line contains `needle` (no psutil: /proc)."""
    found = find_children(parent, needle)
    return found[0] if found else None


def find_children(parent: int, needle: str) -> tuple[int, ...]:
    """Every child of `parent` whose command line contains `needle`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != parent:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if needle.encode() in f.read():
                    found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return tuple(sorted(found))


def cpu_ticks(pids: Pids) -> int:
    """utime + stime of the processes, in clock ticks."""
    total = 0
    for pid in (pid for group in pids.values() for pid in group):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total


def settle(pids: Pids, max_s: float = SETTLE_MAX_S) -> float:
    """Wait (untimed) until the API and moto are idle: what the last transfer left behind (moto freeing a
    large object, event consumers) otherwise lands in the next one. Idle = under 10% of a CPU for 0.2 s."""
    t0 = time.monotonic()
    tick = os.sysconf("SC_CLK_TCK")
    last, quiet = cpu_ticks(pids), 0
    while quiet < 2 and time.monotonic() - t0 < max_s:
        time.sleep(0.1)
        now = cpu_ticks(pids)
        quiet = quiet + 1 if (now - last) / tick < 0.01 else 0
        last = now
    return time.monotonic() - t0


class PeakRss:
    """While open, samples VmRSS of each watched process every SAMPLE_S seconds; keeps the peak (KiB)."""

    def __init__(self, pids: Pids) -> None:
        self.pids = pids
        self.peak = {name: 0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        for name, group in self.pids.items():
            self.peak[name] = max(self.peak[name], peak_kib(group, "VmRSS"))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._sample()

    def __enter__(self) -> PeakRss:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# --- the two paths -------------------------------------------------------------------------


@dataclass
class Timing:
    up_s: float
    down_s: float
    complete_s: float  # Kumo: the API's /complete (ListParts or HEAD, CompleteMultipartUpload, the records);
    # boto3: its CompleteMultipartUpload (0 for a single PUT, below 8 MiB)
    down1_s: float | None = None  # boto3 only: download_file as one GET (multipart_threshold above the size)
    peaks: dict[str, int] = field(default_factory=dict)  # KiB, over upload and download


class KumoPath:
    """As the browser does it: ticket, presigned POST or parts (signed one by one, 6 in flight), complete;
    download through the presigned GET from POST /api/files/{id}/download."""

    label = "Kumo"

    def __init__(
        self, base_url: str, api: requests.Session, s3: Any, bucket: str, part_size: int, parallel: int
    ) -> None:
        self.base_url, self.api, self.s3, self.bucket = base_url, api, s3, bucket
        self.part_size, self.parallel = part_size, parallel
        self.pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="part")
        self.local = threading.local()
        self.plain = requests.Session()  # to S3: no cookies, as a cross-origin browser request
        self.created: list[str] = []

    def _sessions(self) -> tuple[requests.Session, requests.Session]:
        """One API session (same cookies and CSRF header) and one S3 session per part thread."""
        if not hasattr(self.local, "api"):
            api = requests.Session()
            api.cookies.update(self.api.cookies)
            api.headers.update(self.api.headers)
            self.local.api, self.local.s3 = api, requests.Session()
        return self.local.api, self.local.s3

    def _call(self, session: requests.Session, method: str, path: str, ok: int = 200, **kw: Any) -> Any:
        response = session.request(method, f"{self.base_url}{path}", timeout=300, **kw)
        if response.status_code != ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def _part(self, fd: int, upload_id: str, number: int, offset: int, length: int) -> None:
        api, s3 = self._sessions()
        data = os.pread(fd, length, offset)
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()  # as the browser does (crc-32)
        url = self._call(api, "POST", f"/api/files/uploads/{upload_id}/parts/{number}", json={"crc32": crc})["url"]
        sent = s3.put(url, data=data, headers={"x-amz-checksum-crc32": crc}, timeout=600)
        if sent.status_code != 200:
            raise RuntimeError(f"part {number}: {sent.status_code} {sent.text[:300]}")

    def upload(self, path: Path, size: int) -> tuple[str, float, float]:
        name = f"bench-{uuid.uuid4().hex[:8]}.bin"
        t0 = time.perf_counter()
        ticket = self._call(
            self.api,
            "POST",
            "/api/files/uploads",
            ok=201,
            json={"folder_id": SPACE, "name": name, "size": size, "content_type": CONTENT_TYPE},
        )
        if ticket["method"] == "post":  # requests builds the form in memory: at most 64 MiB
            with path.open("rb") as f:
                sent = self.plain.post(
                    ticket["url"], data=ticket["fields"], files={"file": (name, f, CONTENT_TYPE)}, timeout=600
                )
            if sent.status_code not in (200, 204):
                raise RuntimeError(f"form post: {sent.status_code} {sent.text[:300]}")
        else:
            fd = os.open(path, os.O_RDONLY)
            try:
                jobs = [
                    self.pool.submit(
                        self._part, fd, ticket["upload_id"], number, offset, min(self.part_size, size - offset)
                    )
                    for number, offset in enumerate(range(0, size, self.part_size), start=1)
                ]
                for job in jobs:
                    job.result()
            finally:
                os.close(fd)
        t1 = time.perf_counter()
        entry = self._call(self.api, "POST", f"/api/files/uploads/{ticket['upload_id']}/complete", ok=201)
        t2 = time.perf_counter()
        self.created.append(entry["id"])
        return entry["id"], t2 - t0, t2 - t1

    def download(self, file_id: str, dest: Path) -> float:
        t0 = time.perf_counter()
        url = self._call(self.api, "POST", f"/api/files/{file_id}/download", json={})["url"]
        with self.plain.get(url, stream=True, timeout=600) as got, dest.open("wb") as out:
            got.raise_for_status()
            for block in got.iter_content(CHUNK):
                out.write(block)
        return time.perf_counter() - t0

    def remove(self, file_id: str) -> None:
        """Into the trash through the API, then its objects out of the emulator (there is no API to purge)."""
        self.api.delete(f"{self.base_url}/api/files/{file_id}", timeout=60)
        purge(self.s3, self.bucket, f"spaces/{SPACE}/{file_id}/")
        if file_id in self.created:
            self.created.remove(file_id)

    def close(self) -> None:
        for file_id in list(self.created):
            try:
                self.remove(file_id)
            except Exception as exc:  # the stack goes anyway
                print(f"  could not remove {file_id}: {exc}", file=sys.stderr)
        self.pool.shutdown(wait=False, cancel_futures=True)


class Boto3Path:
    label = "boto3"

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket = s3, bucket
        self._complete_started = 0.0
        self._complete_s = 0.0
        # Its CompleteMultipartUpload, timed from botocore's own events (upload_file sends it from a worker thread).
        s3.meta.events.register("before-call.s3.CompleteMultipartUpload", self._before_complete)
        s3.meta.events.register("after-call.s3.CompleteMultipartUpload", self._after_complete)

    def _before_complete(self, **_: Any) -> None:
        self._complete_started = time.perf_counter()

    def _after_complete(self, **_: Any) -> None:
        self._complete_s = time.perf_counter() - self._complete_started

    def upload(self, path: Path, size: int) -> tuple[str, float, float]:
        key = f"{BENCH_PREFIX}{uuid.uuid4().hex[:8]}-{size}.bin"
        self._complete_s = 0.0
        t0 = time.perf_counter()
        self.s3.upload_file(str(path), self.bucket, key)
        return key, time.perf_counter() - t0, self._complete_s

    def download(self, key: str, dest: Path) -> float:
        t0 = time.perf_counter()
        self.s3.download_file(self.bucket, key, str(dest))
        return time.perf_counter() - t0

    def download_one_get(self, key: str, dest: Path, size: int) -> float:
        from boto3.s3.transfer import TransferConfig

        t0 = time.perf_counter()
        self.s3.download_file(self.bucket, key, str(dest), Config=TransferConfig(multipart_threshold=size + 1))
        return time.perf_counter() - t0

    def remove(self, key: str) -> None:
        purge(self.s3, self.bucket, key)

    def close(self) -> None:
        purge(self.s3, self.bucket, BENCH_PREFIX)


def check(dest: Path, want: str, what: str) -> None:
    got = sha256_of(dest)
    dest.unlink()
    if got != want:
        raise RuntimeError(f"{what}: the downloaded file's sha256 {got[:16]}... is not the upload's {want[:16]}...")


def run_once(
    path: KumoPath | Boto3Path, src: Path, size: int, sha: str, work: Path, pids: Pids, one_get: bool
) -> Timing:
    dest = work / f"down-{path.label}.bin"
    settle(pids)
    with PeakRss(pids) as up_mem:
        ref, up_s, complete_s = path.upload(src, size)
    try:
        settle(pids)
        down1_s = None
        if one_get and isinstance(path, Boto3Path):  # first, so it reads a fresh object as Kumo's download does
            down1_s = path.download_one_get(ref, dest, size)
            check(dest, sha, f"{path.label} one-GET {human(size)}")
            settle(pids)
        with PeakRss(pids) as down_mem:
            down_s = path.download(ref, dest)
        check(dest, sha, f"{path.label} {human(size)}")
    finally:
        path.remove(ref)
    peaks = {name: max(up_mem.peak[name], down_mem.peak[name]) for name in pids}
    return Timing(up_s, down_s, complete_s, down1_s, peaks)


# --- rounds --------------------------------------------------------------------------------


@dataclass
class SizeResult:
    size: int
    rounds: int
    kumo: list[Timing]
    boto3: list[Timing]
    hwm_kib: dict[str, int]  # VmHWM after this size's rounds
    idle_kib: dict[str, int]  # "api VmRSS", "api VmHWM", ...: just before its first counted round
    seconds: float


def run_size(
    paths: tuple[KumoPath, Boto3Path],
    size: int,
    runs: int,
    warmup: int,
    work: Path,
    pids: Pids,
    deadline: float,
    one_get: bool,
) -> SizeResult:
    t_size = time.monotonic()
    src = work / f"source-{size}.bin"
    t0 = time.monotonic()
    sha = make_file(src, size)
    print(f"  {human(size)}: file written in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    kumo, baseline = paths
    results: dict[str, list[Timing]] = {"Kumo": [], "boto3": []}
    last_round_s, done = 0.0, 0
    idle: dict[str, int] = {}
    try:
        for round_no in range(warmup + runs):
            if done >= MIN_ROUNDS and time.monotonic() + last_round_s > deadline:
                print(f"  time budget reached: {human(size)} stops after {done} round(s)", file=sys.stderr)
                break
            if round_no == warmup:
                idle = {
                    f"{name} {key}": peak_kib(group, key) for name, group in pids.items() for key in ("VmRSS", "VmHWM")
                }
            t_round = time.monotonic()
            order = [kumo, baseline] if round_no % 2 == 0 else [baseline, kumo]
            timings = {p.label: run_once(p, src, size, sha, work, pids, one_get) for p in order}
            last_round_s = time.monotonic() - t_round
            if round_no >= warmup:
                done += 1
                for label, timing in timings.items():
                    results[label].append(timing)
            label = "warm-up round" if round_no < warmup else f"round {done}/{runs}"
            summary = ", ".join(f"{name} up {t.up_s:.2f} s down {t.down_s:.2f} s" for name, t in timings.items())
            print(f"  {human(size)} {label}: {last_round_s:.1f} s ({summary})", file=sys.stderr)
    finally:
        src.unlink()
    hwm = {name: peak_kib(group, "VmHWM") for name, group in pids.items()}
    return SizeResult(size, done, results["Kumo"], results["boto3"], hwm, idle, time.monotonic() - t_size)


# --- report --------------------------------------------------------------------------------

Seconds = Callable[[Timing], float]


def _up(t: Timing) -> float:
    return t.up_s


def _down(t: Timing) -> float:
    return t.down_s


def _down1(t: Timing) -> float:
    return t.down1_s or 0.0


def _bytes(t: Timing) -> float:
    """The upload before its completion call."""
    return t.up_s - t.complete_s


def _complete(t: Timing) -> float:
    return t.complete_s


def _rate(size: int, timings: list[Timing], sec: Seconds) -> float:
    """Median throughput, MiB/s."""
    return statistics.median(size / MiB / sec(t) for t in timings)


def _paired(kumo: list[Timing], base: list[Timing], sec: Seconds, base_sec: Seconds | None = None) -> float:
    """Median of the per-round throughput ratios, Kumo / baseline (same round: the machine's load cancels)."""
    return statistics.median((base_sec or sec)(b) / sec(k) for k, b in zip(kumo, base, strict=True))


def print_speed(results: list[SizeResult], one_get: bool) -> None:
    counted = [r for r in results if r.rounds]
    extra = f"{'boto3 1 GET':>13}{'ratio':>7}" if one_get else ""
    header = f"{'size':>8}{'runs':>5} |{'Kumo':>8}{'boto3':>8}{'ratio':>7} |{'Kumo':>8}{'boto3':>8}{'ratio':>7}{extra}"
    print(f"{'':>13} |{'upload MiB/s':^23} |{'download MiB/s':^23}")
    print(header)
    print("-" * len(header))
    for r in counted:
        line = (
            f"{human(r.size):>8}{r.rounds:>5} |{_rate(r.size, r.kumo, _up):>8.1f}"
            f"{_rate(r.size, r.boto3, _up):>8.1f}{_paired(r.kumo, r.boto3, _up):>7.2f} |"
            f"{_rate(r.size, r.kumo, _down):>8.1f}{_rate(r.size, r.boto3, _down):>8.1f}"
            f"{_paired(r.kumo, r.boto3, _down):>7.2f}"
        )
        if one_get:
            line += f"{_rate(r.size, r.boto3, _down1):>13.1f}{_paired(r.kumo, r.boto3, _down, _down1):>7.2f}"
        print(line)
    print()
    print(
        "MiB/s = size / wall time, median of the counted rounds; ratio = Kumo's throughput / boto3's, the median of "
        "the\nper-round ratios (1.00 = as fast, below 1 = Kumo slower). Kumo's upload runs from the ticket request "
        "to the\nanswer of /complete, its download from the request for the URL to the last byte on disk."
    )
    if one_get:
        print(
            "'boto3 1 GET' = download_file with multipart_threshold above the size: one streamed GET, as Kumo's "
            "(and a\nbrowser's) download; measured first on its object, so it reads a fresh object as Kumo's does."
        )
    print()
    print("where the upload time goes (medians)")
    header = (
        f"{'size':>8} |{'Kumo bytes s':>13}{'/complete s':>12} |{'boto3 parts s':>14}{'Complete s':>11} |"
        f"{'bytes MiB/s: Kumo':>18}{'boto3':>8}{'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in counted:
        kb, kc = (statistics.median(f(t) for t in r.kumo) for f in (_bytes, _complete))
        bb, bc = (statistics.median(f(t) for t in r.boto3) for f in (_bytes, _complete))
        print(
            f"{human(r.size):>8} |{kb:>13.2f}{kc:>12.2f} |{bb:>14.2f}{bc:>11.2f} |"
            f"{_rate(r.size, r.kumo, _bytes):>18.1f}{_rate(r.size, r.boto3, _bytes):>8.1f}"
            f"{_paired(r.kumo, r.boto3, _bytes):>7.2f}"
        )
    print()
    print(
        "Kumo bytes = ticket, part signing and the bytes to S3; /complete = the API reads the sizes from S3 "
        "(ListParts or\nHEAD), sends CompleteMultipartUpload and records the version (the object is already at its "
        "key: no copy).\nboto3 parts = everything before its CompleteMultipartUpload (0 s when it sent one PUT)."
    )


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def print_memory(results: list[SizeResult], names: dict[str, str]) -> None:
    counted = [r for r in results if r.rounds]
    if not counted:
        return
    cols = "".join(f"{'during ' + human(r.size):>16}" for r in counted)
    diff = len(counted) > 1
    header = f"{'peak RSS, MiB (sampled every 20 ms)':<52}{'before':>8}{cols}" + (f"{'difference':>12}" if diff else "")
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, str, str, Callable[[SizeResult], int]]] = [
        ("api", "VmRSS", "API process (kumo dev), Kumo transfers", lambda r: max(t.peaks["api"] for t in r.kumo)),
        (
            "api",
            "VmRSS",
            "API process (kumo dev), boto3 transfers (control)",
            lambda r: max(t.peaks["api"] for t in r.boto3),
        ),
        ("api", "VmHWM", "API process VmHWM (kernel's peak since start)", lambda r: r.hwm_kib["api"]),
        ("moto", "VmRSS", "moto server (child), Kumo transfers", lambda r: max(t.peaks["moto"] for t in r.kumo)),
        ("moto", "VmRSS", "moto server (child), boto3 transfers", lambda r: max(t.peaks["moto"] for t in r.boto3)),
        ("moto", "VmHWM", "moto server VmHWM", lambda r: r.hwm_kib["moto"]),
    ]
    for proc, key, label, pick in rows:
        if proc not in names:
            continue
        values = [pick(r) for r in counted]
        before = counted[0].idle_kib.get(f"{proc} {key}", 0)
        line = f"{label:<52}{_mib(before):>8}" + "".join(f"{_mib(v):>16}" for v in values)
        if diff:
            line += f"{(values[-1] - values[0]) / 1024:>+12.0f}"
        print(line)
    print()
    print(
        f"'before' = VmRSS (VmHWM) after sign-in and warm-up, before the first counted transfer. 'difference' = "
        f"largest "
        f"size minus smallest.\nThe API process is `kumo dev` (pid {names['api']}): the Chalice app, and also the "
        f"local queue consumers and scheduler\nthreads, so it is an upper bound on the API's own memory. moto (pid "
        f"{names.get('moto', '?')}) is the S3 emulator, not Kumo: it\nholds the whole object in memory on every "
        "GET (ranged ones too) and on multipart completion, so its RSS grows with\nthe file size; real S3 has no "
        "such process on our side."
    )


def memory_verdict(results: list[SizeResult]) -> str:
    counted = [r for r in results if r.rounds]
    if len(counted) < 2:
        return "one size only: no growth to judge"
    small, large = counted[0], counted[-1]
    grew = max(t.peaks["api"] for t in large.kumo) - max(t.peaks["api"] for t in small.kumo)
    hwm_grew = large.hwm_kib["api"] - small.hwm_kib["api"]
    span = (large.size - small.size) / 1024  # KiB
    flat = grew < 32 * 1024 and hwm_grew < 32 * 1024
    word = "does not grow with the file size" if flat else "GROWS with the file size"
    return (
        f"API process: peak RSS {grew / 1024:+.0f} MiB and VmHWM {hwm_grew / 1024:+.0f} MiB from "
        f"{human(small.size)} to {human(large.size)} (the file grew by {span / 1024:.0f} MiB): {word}."
    )


# --- setup ---------------------------------------------------------------------------------


def ensure_quota(base_url: str, api: requests.Session, needed: int, notes: list[str]) -> None:
    """Kumo's uploads count against the personal quota (trashing does not free it): raise it if a long run needs."""
    space = next(s for s in api.get(f"{base_url}/api/spaces", timeout=30).json()["items"] if s["space_id"] == SPACE)
    free = space["quota_bytes"] - space["used_bytes"]
    if needed <= free:
        return
    from tests.conftest import sign_in

    admin = sign_in(base_url, ADMIN)
    quota = space["used_bytes"] + needed + 1024**3
    answer = admin.put(f"{base_url}/api/spaces/{SPACE}/quota", json={"quota_bytes": quota}, timeout=30)
    answer.raise_for_status()
    notes.append(f"{SPACE}'s quota raised to {human(quota)} (by {ADMIN}) for this run's {human(needed)} of uploads.")


def plan(args: argparse.Namespace) -> list[tuple[int, int, int]]:
    """(size, counted runs, warm-up rounds) per size."""
    sizes = [parse_size(s) for s in (args.sizes or ("10M,100M" if args.quick else "10M,1G")).split(",") if s.strip()]
    return [
        (size, args.runs if size < LARGE else args.large_runs, args.warmup if size < LARGE else 0) for size in sizes
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated sizes, K/M/G = KiB/MiB/GiB (default 10M,1G)")
    parser.add_argument("--quick", action="store_true", help="sizes 10M,100M (unless --sizes is given)")
    parser.add_argument("--runs", type=int, default=3, help=f"counted rounds for sizes below {human(LARGE)}")
    parser.add_argument("--large-runs", type=int, default=1, help=f"counted rounds from {human(LARGE)} on")
    parser.add_argument("--warmup", type=int, default=1, help=f"uncounted rounds first, sizes below {human(LARGE)}")
    parser.add_argument(
        "--part-size", type=parse_size, default=16 * MiB, help="Kumo's part size (default 16M, as files.js)"
    )
    parser.add_argument(
        "--parallel", type=int, default=6, help="Kumo's parts in flight (default 6, as uploader.js sets Uppy)"
    )
    parser.add_argument(
        "--no-one-get", dest="one_get", action="store_false", help="skip the extra boto3 download as one GET"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=240.0,
        help="seconds for the whole bench; rounds stop early (after one per size) to stay within it",
    )
    return parser.parse_args(argv)


def start_stack(state: Path) -> Any:
    from tests.support.stack import RunningStack

    stack = RunningStack(state)
    stack.start()
    return stack


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from chalicelib.core.config import from_environ
    from tests.conftest import sign_in

    t0 = time.monotonic()
    sizes = plan(args)
    notes: list[str] = []
    stack = kumo = baseline = None
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="kumo-bench-") as tmp:
        work = Path(tmp)
        try:
            stack = start_stack(work / "state")
            assert stack.proc is not None
            started_s = time.monotonic() - t0
            # The app runs in `kumo dev`'s web workers (one request at a time each, like Lambda
            # containers); the emulator is chalicelib.local.emulator (moto with atomic DynamoDB writes).
            workers = find_children(stack.proc.pid, "chalicelib.local.workers")
            pids: Pids = {"api": workers or (stack.proc.pid,)}
            moto_pid = find_child(stack.proc.pid, "chalicelib.local.emulator")
            if moto_pid:
                pids["moto"] = (moto_pid,)
            bucket = from_environ(stack.env()).files_bucket
            s3 = stack.boto3("s3")
            s3.head_bucket(Bucket=bucket)
            api = sign_in(stack.base_url, STAFF)
            ensure_quota(stack.base_url, api, sum(size * (runs + warm) for size, runs, warm in sizes), notes)
            kumo = KumoPath(stack.base_url, api, s3, bucket, args.part_size, args.parallel)
            baseline = Boto3Path(s3, bucket)
            print(
                f"  kumo dev up in {started_s:.1f} s (web workers {pids['api']}, moto pid {moto_pid})", file=sys.stderr
            )
            deadline = t0 + args.budget - STOP_S
            for size, runs, warmup in sizes:
                result = run_size((kumo, baseline), size, runs, warmup, work, pids, deadline, args.one_get)
                results.append(result)
                if result.rounds < runs:
                    notes.append(
                        f"{human(size)}: only {result.rounds} of {runs} rounds ran (--budget {args.budget:.0f} s)."
                    )
            report(args, results, pids, notes, started_s, work)
        finally:
            for path in (kumo, baseline):
                if path is not None and stack is not None and stack.proc is not None and stack.proc.poll() is None:
                    path.close()
            if stack is not None:
                try:
                    code = stack.stop()
                    if code != 0:
                        print(f"kumo dev exited with {code}:\n{''.join(stack.output[-20:])}", file=sys.stderr)
                except Exception as exc:
                    print(f"kumo dev did not stop cleanly ({exc}); killed", file=sys.stderr)
                    stack.kill()
    print(f"(bench took {time.monotonic() - t0:.0f} s, stack start and stop included)", flush=True)
    return 0


def report(
    args: argparse.Namespace, results: list[SizeResult], pids: Pids, notes: list[str], started_s: float, work: Path
) -> None:
    import boto3
    import moto

    print()
    print(
        f"Kumo transfers - Python {platform.python_version()}, {os.cpu_count()} CPUs, boto3 {boto3.__version__}, "
        f"moto {moto.__version__} (S3 emulator, on this machine), files in {work.parent}"
    )
    print(
        f"kumo dev started once in {started_s:.1f} s (not timed). Rounds interleaved (Kumo and boto3 once each, "
        "order swapped every round),"
    )
    print(
        f"each download checked against the upload's sha256. Kumo: presigned POST up to 64 MiB, above it "
        f"{human(args.part_size)} parts, {args.parallel} in flight,"
    )
    print(
        "each signed by the API just before it is sent (as files.js/Uppy). boto3: upload_file/download_file, "
        "default TransferConfig"
    )
    print(
        "(multipart from 8 MiB, 8 MiB parts and ranges, 10 threads) - so at 10 MiB boto3 already sends 2 parts in "
        "parallel while Kumo posts one form."
    )
    print(
        "Against moto, not S3: moto answers each ranged GET by reading the whole object (one at a time), so boto3's "
        "default\ndownload (8 MiB ranges) costs O(size^2) here, and its CompleteMultipartUpload copies every part; "
        "'boto3 1 GET'\nbelow is the like-for-like download figure."
    )
    for note in notes:
        print(note)
    print()
    print_speed(results, args.one_get)
    print()
    print_memory(results, {name: ",".join(str(pid) for pid in group) for name, group in pids.items()})
    print()
    print(memory_verdict(results))
    print(
        "seconds per size (file, rounds, checks): " + ", ".join(f"{human(r.size)} {r.seconds:.0f} s" for r in results)
    )


if __name__ == "__main__":
    sys.exit(main())
