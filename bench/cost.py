"""What Kumo costs to run: a staff day's requests replayed against the local stack, priced for a month.

    .venv/bin/python bench/cost.py              # replay (3 rounds of each action), price 500 / 5,000 / 20,000 staff
    .venv/bin/python bench/cost.py --rounds 5 --staff 500,5000,20000

For the budget request (予算要求). The bench starts `kumo dev` (tests/support/stack.py) with a
meter loaded into it (bench/cost_meter/sitecustomize.py: nothing in Kumo's code changes) and
replays each action of a typical staff day --rounds times, one action at a time, waiting after
each for the queue functions it set off to finish. The meter records, per API request and per
function invocation, the handler's wall and CPU time and every AWS call made, with the DynamoDB
read and write request units computed from the items' sizes (moto reports a fixed figure). The
browser's own S3 calls (presigned POST/GET) are counted by the bench.

The month is then priced with the Tokyo (ap-northeast-1) list prices in PRICES, each with its
source and the date it was read. Those are prices as known, written down here: this machine has
no network, so check each against its page before the figures go into a budget. What is assumed
rather than measured (how many requests a person makes, file sizes, Lambda's speed at 256 MB, ...)
is in ASSUMPTIONS and printed with the result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_USD = 200.0  # issue 8: a month for 5,000 staff, without the search domain
PRICES_READ = "2025-06 (AWS list prices as known then; not re-checked: no network here)"


# --- prices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    key: str
    service: str
    what: str
    usd: float
    per: float  # units the price is for
    unit: str
    source: str


P = "https://aws.amazon.com/{}/pricing/"
PRICES = {
    p.key: p
    for p in (
        Price("lambda_gbs", "Lambda", "duration, arm64", 0.0000133334, 1, "GB-second", P.format("lambda")),
        Price("lambda_req", "Lambda", "requests", 0.20, 1e6, "requests", P.format("lambda")),
        Price(
            "apigw_req", "API Gateway", "REST API calls (first 333 M)", 4.25, 1e6, "requests", P.format("api-gateway")
        ),
        Price(
            "ddb_wru",
            "DynamoDB",
            "on-demand write request units",
            0.7150,
            1e6,
            "WRU",
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price(
            "ddb_rru",
            "DynamoDB",
            "on-demand read request units",
            0.1425,
            1e6,
            "RRU",
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price(
            "ddb_gb",
            "DynamoDB",
            "storage (first 25 GB free, not applied)",
            0.285,
            1,
            "GB-month",
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price("s3_gb", "S3", "Standard storage (first 50 TB)", 0.025, 1, "GB-month", P.format("s3")),
        Price("s3_put", "S3", "PUT, COPY, POST, LIST requests", 0.0047, 1e3, "requests", P.format("s3")),
        Price("s3_get", "S3", "GET, SELECT and other requests", 0.00037, 1e3, "requests", P.format("s3")),
        Price("s3_out", "S3", "data transfer out to the internet (first 10 TB)", 0.114, 1, "GB", P.format("s3")),
        Price("sqs_req", "SQS", "standard queue requests (64 KB chunks)", 0.40, 1e6, "requests", P.format("sqs")),
        Price(
            "eb_event",
            "EventBridge",
            "custom events published (64 KB chunks)",
            1.00,
            1e6,
            "events",
            P.format("eventbridge"),
        ),
        Price(
            "eb_sched",
            "EventBridge",
            "Scheduler invocations (14 M a month free, not applied)",
            1.00,
            1e6,
            "invocations",
            P.format("eventbridge"),
        ),
        Price("ses_mail", "SES", "outbound e-mail", 0.10, 1e3, "messages", P.format("ses")),
        Price(
            "cognito_mau",
            "Cognito",
            "Lite tier, monthly active users above 10,000",
            0.0055,
            1,
            "MAU",
            P.format("cognito"),
        ),
        Price(
            "os_t3m",
            "OpenSearch",
            "t3.medium.search instance (the stack's default, 1 node)",
            0.094,
            1,
            "instance-hour",
            "https://aws.amazon.com/opensearch-service/pricing/",
        ),
        Price(
            "os_m6g",
            "OpenSearch",
            "m6g.large.search instance (production: 2 nodes, 2 AZ)",
            0.157,
            1,
            "instance-hour",
            "https://aws.amazon.com/opensearch-service/pricing/",
        ),
        Price(
            "os_gp3",
            "OpenSearch",
            "gp3 EBS storage",
            0.146,
            1,
            "GB-month",
            "https://aws.amazon.com/opensearch-service/pricing/",
        ),
        Price("waf_acl", "WAF", "web ACL", 5.00, 1, "ACL-month", P.format("waf")),
        Price("waf_rule", "WAF", "rule or managed rule group", 1.00, 1, "rule-month", P.format("waf")),
        Price("waf_req", "WAF", "requests inspected", 0.60, 1e6, "requests", P.format("waf")),
        Price("cw_logs", "CloudWatch", "Logs ingestion (Standard)", 0.76, 1, "GB", P.format("cloudwatch")),
        Price("cw_store", "CloudWatch", "Logs storage (compressed)", 0.033, 1, "GB-month", P.format("cloudwatch")),
        Price(
            "cw_metric",
            "CloudWatch",
            "custom metrics (Powertools EMF)",
            0.30,
            1,
            "metric-month",
            P.format("cloudwatch"),
        ),
        Price("cw_alarm", "CloudWatch", "standard alarms", 0.10, 1, "alarm-month", P.format("cloudwatch")),
        Price("xray_trace", "X-Ray", "traces recorded", 5.00, 1e6, "traces", P.format("xray")),
        Price(
            "cf_req",
            "CloudFront",
            "HTTPS requests, Japan (10 M a month free, not applied)",
            0.0120,
            1e4,
            "requests",
            P.format("cloudfront"),
        ),
        Price("cf_out", "CloudFront", "data transfer out, Japan (first 10 TB)", 0.114, 1, "GB", P.format("cloudfront")),
        Price("kms_key", "KMS", "customer managed key", 1.00, 1, "key-month", P.format("kms")),
        Price("kms_req", "KMS", "requests", 0.03, 1e4, "requests", P.format("kms")),
    )
}


# --- assumptions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    per_day: float  # per staff member per working day
    what: str


ACTIONS = (
    Action("sign-in", 1, "sign-in: GET /login, POST /login (Cognito), GET / (once a day)"),
    Action("browse", 15, "a folder page: GET /files/{folder}"),
    Action(
        "poll",
        60,
        "unread badge: GET /api/notifications/unread-count once a minute while a Kumo tab "
        "is in view (assumed 1 h a day; kumo.js polled every 15 s before: 240)",
    ),
    Action("inbox", 2, "GET /api/notifications"),
    Action("upload", 2, "upload: ticket, the browser's POST to S3, complete (+ indexer, notifier)"),
    Action("download", 6, "download: POST /api/files/{id}/download + the browser's S3 GET"),
    Action("share", 0.2, "a share link: POST /api/shares (+ notifier)"),
    Action("partner", 0.2, "a partner opens that link and downloads one file (/api/share/*, S3 GET)"),
    Action("search", 3, "GET /api/search"),
    Action("suggest", 6, "GET /api/search/suggest (as the search box is typed into)"),
)


@dataclass(frozen=True)
class Assumptions:
    working_days: int = 20  # a month
    file_mb: float = 0.5  # an uploaded or downloaded file, on average (Word, Excel, PDF)
    headers_kb: float = 1.0  # response headers through CloudFront (the bodies are measured, not compressed)
    retention_months: int = 12  # storage priced after a year of uploads, nothing deleted
    versions_factor: float = 1.3  # old versions kept
    ddb_gb_per_1000_staff: float = 2.0  # DynamoDB storage (files, audit, sessions, notices)
    api_memory_mb: int = 256  # the brief: price the API at 256 MB arm64 (the stack's Chalice config says 512)
    full_vcpu_mb: int = 1769  # Lambda gives one vCPU at 1,769 MB: CPU-bound time scales by this / memory
    cold_share_api: float = 0.02  # API invocations that start a new container
    cold_share_fn: float = 0.05
    init_ms: float = 2500  # a cold start's INIT at 256 MB (billed since 2025-08-01); bench/cold_start.py
    latency_ms: dict[str, float] = field(
        default_factory=lambda: {
            "dynamodb": 5,
            "s3": 15,
            "sqs": 8,
            "events": 10,
            "sesv2": 30,
            "ses": 30,
            "cognito-idp": 40,
            "kms": 8,
        }
    )
    opensearch_ms: float = 40  # a query on the domain, per search/suggest request
    indexer_ms_per_file: float = 150  # extraction + bulk on the domain, beyond what is measured here
    log_kb_per_request: float = 1.2  # Lambda START/END/REPORT + Powertools line + API Gateway access log
    log_kb_per_invocation: float = 0.8
    traced_share: float = 0.10  # X-Ray: default sampling (1/s reservoir + 5 %)
    custom_metrics: int = 20
    alarms: int = 12
    waf_rules: int = 3  # the common managed rule group + two rate rules (/api/share/*, /s/*)
    scheduler_runs: int = 4 * 24 * 30  # rate(15 minutes)
    esm_idle_requests: float = 5 * 3 * 60 * 24 * 30  # per queue: 5 pollers, each a 20 s long poll (3 a minute)
    queues: int = 3
    search_nodes_hours: float = 730


ASSUME = Assumptions()


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Measured:
    """Per action (averaged over rounds): API requests, function invocations, AWS calls, times."""

    requests: float = 0
    cpu_ms: float = 0  # API handler CPU
    wall_ms: float = 0
    aws: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # "svc:op" -> calls
    tables: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # "op table" -> API calls
    rru: float = 0
    wru: float = 0
    events: float = 0
    fn: dict[str, dict[str, float]] = field(default_factory=dict)  # function -> invocations, cpu, records, ...
    browser_s3_put: float = 0
    browser_s3_get: float = 0
    bytes_out: float = 0  # response bodies of the API requests
    api_io_ms: float = 0  # modelled latency of the API handlers' own AWS calls


class Meter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read_new(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            f.seek(self.offset)
            data = f.read()
        complete = data[: data.rfind("\n") + 1]
        self.offset += len(complete.encode("utf-8"))
        return [json.loads(line) for line in complete.splitlines() if line.strip()]


def _drain(meter: Meter, quiet_s: float = 3.0, bound_s: float = 60.0) -> list[dict[str, Any]]:
    """Everything the meter writes until the functions have been quiet for quiet_s (at most bound_s)."""
    got: list[dict[str, Any]] = []
    started = last = time.monotonic()
    while time.monotonic() - started < bound_s:
        new = meter.read_new()
        if any(r["t"] in ("fn", "req") for r in new):
            last = time.monotonic()
        got += new
        if time.monotonic() - last >= quiet_s:
            break
        time.sleep(0.3)
    return got


def _add_calls(m: Measured, calls: list[dict[str, Any]], weight: float) -> None:
    for c in calls:
        m.aws[f"{c['svc']}:{c['op']}"] += weight
        m.rru += c.get("rru", 0) * weight
        m.wru += c.get("wru", 0) * weight
        if c["svc"] == "events" and c["op"] == "PutEvents":
            m.events += c.get("n", 1) * weight


def summarise(records: list[dict[str, Any]], rounds: int, step: str) -> Measured:
    m = Measured()
    w = 1 / rounds
    for r in records:
        if r["t"] == "req" and r.get("step") == step:
            m.requests += w
            m.cpu_ms += r["cpu_ms"] * w
            m.wall_ms += r["wall_ms"] * w
            m.bytes_out += r.get("bytes", 0) * w
            m.api_io_ms += sum(ASSUME.latency_ms.get(c["svc"], 10) for c in r["aws"]) * w
            for c in r["aws"]:
                if c["svc"] == "dynamodb":
                    m.tables[f"{c['op']} {c.get('table', '?')}"] += w
            _add_calls(m, r["aws"], w)
        elif r["t"] == "fn":
            f = m.fn.setdefault(r["fn"], defaultdict(float))
            f["invocations"] += w
            f["records"] += r["records"] * w
            f["cpu_ms"] += r["cpu_ms"] * w
            f["wall_ms"] += r["wall_ms"] * w
            f["aws_calls"] += len(r["aws"]) * w
            f["io_ms"] += sum(ASSUME.latency_ms.get(c["svc"], 10) for c in r["aws"]) * w
            _add_calls(m, r["aws"], w)
    return m


class Replay:
    """The actions, as a browser and a partner do them, against one running stack."""

    def __init__(self, stack: Any) -> None:
        import requests

        from tests.conftest import sign_in

        self.stack = stack
        self.requests = requests
        self.me = sign_in(stack.base_url, "yamada.k")
        self.folder = self._api(
            "setup", "POST", "/api/folders/dept:somu/folders", json={"name": f"cost-{uuid.uuid4().hex[:6]}"}
        ).json()["id"]
        self.file_id = self._upload("setup", 0)
        self.partner_url = ""
        self.body = ("予算要求の資料です。" * 2000).encode()  # ~60 KB of text: extraction and indexing run

    def _api(self, step: str, method: str, path: str, session: Any = None, **kw: Any) -> Any:
        s = session or self.me
        response = s.request(method, f"{self.stack.base_url}{path}", headers={"X-Bench-Step": step}, timeout=60, **kw)
        if response.status_code >= 400:
            raise RuntimeError(f"{step}: {method} {path} -> {response.status_code} {response.text[:300]}")
        return response

    def _upload(self, step: str, i: int) -> str:
        data = getattr(self, "body", b"x" * 1000)
        ticket = self._api(
            step,
            "POST",
            "/api/files/uploads",
            json={
                "folder_id": self.folder,
                "name": f"予算資料_{i}_{uuid.uuid4().hex[:4]}.txt",
                "size": len(data),
                "content_type": "text/plain",
            },
        ).json()
        sent = self.requests.post(
            ticket["url"], data=ticket["fields"], files={"file": ("f.txt", data, "text/plain")}, timeout=60
        )
        if sent.status_code not in (200, 204):
            raise RuntimeError(f"S3 POST failed: {sent.status_code}")
        return str(self._api(step, "POST", f"/api/files/uploads/{ticket['upload_id']}/complete").json()["id"])

    # each returns (browser S3 PUT-class calls, browser S3 GET calls)
    def sign_in(self, i: int) -> tuple[int, int]:
        from tests.support.stack import csrf_from

        fresh = self.requests.Session()
        page = self._api("sign-in", "GET", "/login", session=fresh)
        self._api(
            "sign-in",
            "POST",
            "/login",
            session=fresh,
            allow_redirects=False,
            data={"csrf_token": csrf_from(page.text), "staff_id": "ogata.r", "password": "Kumo-Demo-2026", "next": "/"},
        )
        self._api("sign-in", "GET", "/", session=fresh)
        return 0, 0

    def browse(self, i: int) -> tuple[int, int]:
        self._api("browse", "GET", f"/files/{self.folder}")
        return 0, 0

    def poll(self, i: int) -> tuple[int, int]:
        self._api("poll", "GET", "/api/notifications/unread-count")
        return 0, 0

    def inbox(self, i: int) -> tuple[int, int]:
        self._api("inbox", "GET", "/api/notifications")
        return 0, 0

    def upload(self, i: int) -> tuple[int, int]:
        self._upload("upload", i + 1)
        return 1, 0

    def download(self, i: int) -> tuple[int, int]:
        url = self._api("download", "POST", f"/api/files/{self.file_id}/download", json={}).json()["url"]
        self.requests.get(url, timeout=60).raise_for_status()
        return 0, 1

    def share(self, i: int) -> tuple[int, int]:
        link = self._api("share", "POST", "/api/shares", json={"target_id": self.file_id}).json()
        self.partner_url = link["url"]
        return 0, 0

    def partner(self, i: int) -> tuple[int, int]:
        if not self.partner_url:
            self.share(0)
        http = self.requests.Session()
        token = self.partner_url.split("#", 1)[1]
        first = http.get(f"{self.stack.base_url}/api/share", headers={"X-Bench-Step": "partner"}, timeout=60)
        if first.status_code != 401:
            raise RuntimeError(f"partner: expected 401 before opening, got {first.status_code}")
        http.headers["X-CSRF-Token"] = http.cookies["kumo_csrf"]
        self._api("partner", "POST", "/api/share/open", session=http, json={"token": token})
        self._api("partner", "GET", "/api/share/folder", session=http)
        url = self._api("partner", "POST", f"/api/share/files/{self.file_id}/download", session=http).json()["url"]
        self.requests.get(url, timeout=60).raise_for_status()
        return 0, 1

    def search(self, i: int) -> tuple[int, int]:
        self._api("search", "GET", "/api/search", params={"q": ("予算 要求", "資料", "会議")[i % 3]})
        return 0, 0

    def suggest(self, i: int) -> tuple[int, int]:
        self._api("suggest", "GET", "/api/search/suggest", params={"q": "予算"})
        return 0, 0


def measure(rounds: int) -> tuple[dict[str, Measured], Measured, dict[str, float]]:
    from tests.support.stack import RunningStack

    meter_file = Path(tempfile.mkdtemp(prefix="kumo-cost-")) / "meter.jsonl"
    os.environ["BENCH_COST_METER"] = str(meter_file)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "bench" / "cost_meter"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    stack = RunningStack(Path(tempfile.mkdtemp(prefix="kumo-cost-state-")))
    stack.start()
    meter = Meter(meter_file)
    try:
        replay = Replay(stack)
        _drain(meter)  # the set-up's own work, not counted
        measured: dict[str, Measured] = {}
        for action in ACTIONS:
            do: Callable[[int], tuple[int, int]] = getattr(replay, action.key.replace("-", "_"))
            do(0)  # warm-up, not counted: a warm container has its imports, templates and clients
            _drain(meter)
            puts = gets = 0
            for i in range(rounds):
                p, g = do(i + 1)
                puts, gets = puts + p, gets + g
            m = summarise(_drain(meter), rounds, action.key)
            m.browser_s3_put, m.browser_s3_get = puts / rounds, gets / rounds
            measured[action.key] = m
            print(
                f"  measured {action.key}: {m.requests:.0f} request(s), {m.cpu_ms:.0f} ms CPU, "
                f"{m.rru:.1f} RRU / {m.wru:.1f} WRU, functions {sorted(m.fn)}",
                file=sys.stderr,
            )
        # The scheduler's housekeeping, once, as its Lambda would run it (a process of its own).
        t0 = time.monotonic()
        stack.kumo("sweep", check=True)
        sweep_wall = (time.monotonic() - t0) * 1000
        sweep = Measured()
        _add_calls(sweep, [r for r in _drain(meter, quiet_s=1) if r["t"] == "other"], 1)
        return measured, sweep, {"sweep_wall_ms": sweep_wall}
    finally:
        stack.stop()


# --- pricing -----------------------------------------------------------------------------------

S3_PUT_OPS = {
    "PutObject",
    "CopyObject",
    "CreateMultipartUpload",
    "UploadPart",
    "UploadPartCopy",
    "CompleteMultipartUpload",
    "ListObjectsV2",
    "ListObjects",
    "ListObjectVersions",
    "PutObjectTagging",
    "ListParts",
    "ListMultipartUploads",
    "RestoreObject",
}
S3_FREE_OPS = {"DeleteObject", "DeleteObjects", "AbortMultipartUpload"}


def _io_ms(aws: dict[str, float]) -> float:
    return sum(n * ASSUME.latency_ms.get(k.split(":")[0], 10) for k, n in aws.items())


def _lambda_ms(cpu_ms: float, io_ms: float, memory_mb: int) -> float:
    return cpu_ms * ASSUME.full_vcpu_mb / memory_mb + io_ms


def monthly_units(measured: dict[str, Measured], sweep: Measured, staff: int) -> dict[str, float]:
    """Units of each price for one month."""
    a = ASSUME
    u: dict[str, float] = defaultdict(float)
    fn_memory = {"notifier": 512, "scanner": 512, "indexer": 1024}
    for action in ACTIONS:
        m = measured[action.key]
        n = staff * a.working_days * action.per_day  # actions a month
        reqs = m.requests * n
        extra_io = a.opensearch_ms * m.requests if action.key in ("search", "suggest") else 0.0
        ms = _lambda_ms(m.cpu_ms, m.api_io_ms + extra_io, a.api_memory_mb)
        u["lambda_gbs"] += n * ms / 1000 * a.api_memory_mb / 1024
        u["lambda_gbs"] += reqs * a.cold_share_api * a.init_ms / 1000 * a.api_memory_mb / 1024
        u["lambda_req"] += reqs
        u["apigw_req"] += reqs
        u["waf_req"] += reqs
        u["cf_req"] += reqs
        u["cf_out"] += (m.bytes_out + m.requests * a.headers_kb * 1024) * n / 1024**3
        u["cw_logs"] += reqs * a.log_kb_per_request / 1024 / 1024
        u["xray_trace"] += reqs * a.traced_share
        for name, f in m.fn.items():
            inv = f["invocations"] * n
            memory = fn_memory.get(name, 512)
            fms = (
                _lambda_ms(f["cpu_ms"], f["io_ms"], memory)
                + (a.indexer_ms_per_file * f["records"] if name == "indexer" else 0)
            ) * n
            u["lambda_gbs"] += fms / 1000 * memory / 1024 + inv * a.cold_share_fn * a.init_ms / 1000 * memory / 1024
            u["lambda_req"] += inv
            u["cw_logs"] += inv * a.log_kb_per_invocation / 1024 / 1024
            # each message: delivered to the queue (by S3, EventBridge or the app), received and deleted by Lambda
            u["sqs_req"] += f["records"] * n + 2 * inv
        u["ddb_rru"] += m.rru * n
        u["ddb_wru"] += m.wru * n
        u["eb_event"] += m.events * n
        for key, calls in m.aws.items():
            svc, op = key.split(":")
            if svc == "s3" and op not in S3_FREE_OPS:
                u["s3_put" if op in S3_PUT_OPS else "s3_get"] += calls * n
            elif svc == "sqs" and op in ("SendMessage", "SendMessageBatch"):
                u["sqs_req"] += calls * n
            elif svc in ("ses", "sesv2") and op.startswith("Send"):
                u["ses_mail"] += calls * n
            elif svc == "kms":
                u["kms_req"] += calls * n
        u["s3_put"] += m.browser_s3_put * n
        u["s3_get"] += m.browser_s3_get * n
        u["s3_out"] += m.browser_s3_get * n * a.file_mb / 1024
    # the scheduler's sweep, every 15 minutes
    u["eb_sched"] += a.scheduler_runs
    u["lambda_req"] += a.scheduler_runs
    u["lambda_gbs"] += a.scheduler_runs * (_lambda_ms(0, _io_ms(sweep.aws), 512) + 300) / 1000 * 0.5
    u["ddb_rru"] += sweep.rru * a.scheduler_runs
    u["ddb_wru"] += sweep.wru * a.scheduler_runs
    for key, calls in sweep.aws.items():
        svc, op = key.split(":")
        if svc == "s3" and op not in S3_FREE_OPS:
            u["s3_put" if op in S3_PUT_OPS else "s3_get"] += calls * a.scheduler_runs
    u["sqs_req"] += a.esm_idle_requests * a.queues
    # storage and fixed monthly items
    uploads_month = staff * a.working_days * next(x.per_day for x in ACTIONS if x.key == "upload")
    u["s3_gb"] += uploads_month * a.retention_months * a.file_mb * a.versions_factor / 1024
    u["ddb_gb"] += staff / 1000 * a.ddb_gb_per_1000_staff
    u["cw_store"] += u["cw_logs"] * 0.15 * a.retention_months / 2  # compressed, a year kept (average fill)
    u["cognito_mau"] += max(0, staff - 10_000)
    u["waf_acl"] += 1
    u["waf_rule"] += a.waf_rules
    u["cw_metric"] += a.custom_metrics
    u["cw_alarm"] += a.alarms
    u["kms_key"] += 1
    u["kms_req"] += staff * a.working_days * 8  # a refresh-token decryption per hour of work
    return u


def search_domain_units() -> dict[str, float]:
    return {"os_t3m": ASSUME.search_nodes_hours, "os_gp3": 20}


def cost(units: dict[str, float]) -> dict[str, float]:
    return {k: units[k] * PRICES[k].usd / PRICES[k].per for k in units if k in PRICES}


# --- report ------------------------------------------------------------------------------------


def print_prices() -> None:
    print(f"Tokyo (ap-northeast-1) list prices, USD, as known {PRICES_READ}; check each page before a budget:")
    print(f"  {'key':<12}{'service':<13}{'what':<58}{'USD':>12}  {'per':<22}source")
    for p in PRICES.values():
        per = f"{p.per:,.0f} {p.unit}" if p.per != 1 else p.unit
        print(f"  {p.key:<12}{p.service:<13}{p.what:<58}{p.usd:>12.7g}  {per:<22}{p.source}")


def print_assumptions() -> None:
    a = ASSUME
    print("\nAssumptions (not measured):")
    print(f"  a staff member's working day ({a.working_days} working days a month):")
    for act in ACTIONS:
        print(f"    {act.per_day:>6g} x {act.what}")
    print(
        f"  files average {a.file_mb} MB (uploads and downloads); storage is priced after {a.retention_months} "
        f"months of uploads, nothing deleted, x{a.versions_factor} for old versions; DynamoDB "
        f"{a.ddb_gb_per_1000_staff} GB per 1,000 staff"
    )
    print(
        "  partners: one partner per share link opens it and downloads one file "
        f"({next(x.per_day for x in ACTIONS if x.key == 'share')} links per staff member a day)"
    )
    print(
        f"  Lambda: the API at {a.api_memory_mb} MB arm64 (notifier/scanner 512 MB, indexer 1,024 MB as in "
        f"resources.py); duration = handler CPU measured here x {a.full_vcpu_mb}/memory (Lambda's CPU share) + "
        f"{', '.join(f'{k} {v:g} ms' for k, v in a.latency_ms.items())} per AWS call, OpenSearch "
        f"{a.opensearch_ms:g} ms per query, indexer +{a.indexer_ms_per_file:g} ms per file"
    )
    print(
        f"  cold starts: {a.cold_share_api:.0%} of API and {a.cold_share_fn:.0%} of function invocations, "
        f"{a.init_ms:g} ms INIT each (billed since 2025-08)"
    )
    print(
        f"  every API request passes CloudFront, WAF ({a.waf_rules} rules) and API Gateway; "
        f"bodies as measured + {a.headers_kb:g} KB of headers out per request; logs {a.log_kb_per_request} KB "
        f"per request, {a.log_kb_per_invocation} KB per function run, kept a year; X-Ray traces {a.traced_share:.0%}"
    )
    print(
        "  SQS: each message delivered, received and deleted (3 requests) + Lambda's idle long polling on "
        f"{a.queues} queues; the scheduler every 15 minutes"
    )
    print("  free tiers are not applied (Cognito's first 10,000 MAU are its Lite price, applied); no tax")


def print_measured(measured: dict[str, Measured], sweep: Measured, rounds: int) -> None:
    print(f"\nMeasured per action (mean of {rounds} rounds; local machine, handler CPU = thread CPU time):")
    print(
        f"  {'action':<10}{'API req':>8}{'CPU ms':>8}{'wall ms':>9}{'RRU':>7}{'WRU':>7}{'S3':>5}{'SQS':>5}"
        f"{'events':>7}  functions set off (invocations: CPU ms)"
    )
    for act in ACTIONS:
        m = measured[act.key]
        s3 = sum(v for k, v in m.aws.items() if k.startswith("s3:")) + m.browser_s3_put + m.browser_s3_get
        sqs = sum(v for k, v in m.aws.items() if k.startswith("sqs:"))
        fns = ", ".join(f"{k} {f['invocations']:.1f}: {f['cpu_ms']:.0f}" for k, f in sorted(m.fn.items())) or "-"
        print(
            f"  {act.key:<10}{m.requests:>8.1f}{m.cpu_ms:>8.1f}{m.wall_ms:>9.1f}{m.rru:>7.1f}{m.wru:>7.1f}"
            f"{s3:>5.1f}{sqs:>5.1f}{m.events:>7.1f}  {fns}"
        )
    print("  DynamoDB calls of the API handlers per action:")
    for act in ACTIONS:
        tables = measured[act.key].tables
        print(f"    {act.key:<10}" + ", ".join(f"{k} {v:g}" for k, v in sorted(tables.items(), key=lambda kv: -kv[1])))
    print(
        f"  sweep (kumo sweep, once): {sum(sweep.aws.values()):.0f} AWS calls, {sweep.rru:.1f} RRU, {sweep.wru:.1f} WRU"
    )
    calls: dict[str, float] = defaultdict(float)
    for act in ACTIONS:
        for k, v in measured[act.key].aws.items():
            calls[k] += v
    print("  AWS calls seen (all actions, per round): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(calls.items())))


def print_month(measured: dict[str, Measured], sweep: Measured, staff_counts: list[int]) -> None:
    per_size = {n: cost(monthly_units(measured, sweep, n)) for n in staff_counts}
    search = cost(search_domain_units())
    services = list(dict.fromkeys(p.service for p in PRICES.values() if p.service != "OpenSearch"))
    print(f"\nA month, USD ({ASSUME.working_days} working days):")
    header = f"  {'service':<14}" + "".join(f"{f'{n:,} staff':>14}" for n in staff_counts)
    print(header)
    print("  " + "-" * (len(header) - 2))
    totals = dict.fromkeys(staff_counts, 0.0)
    for service in services:
        keys = [p.key for p in PRICES.values() if p.service == service]
        row = {n: sum(per_size[n].get(k, 0.0) for k in keys) for n in staff_counts}
        for n in staff_counts:
            totals[n] += row[n]
        print(f"  {service:<14}" + "".join(f"{row[n]:>14,.2f}" for n in staff_counts))
    print("  " + "-" * (len(header) - 2))
    print(f"  {'total':<14}" + "".join(f"{totals[n]:>14,.2f}" for n in staff_counts) + "   (without search)")
    domain = sum(search.values())
    print(
        f"  {'+ search':<14}"
        + "".join(f"{domain:>14,.2f}" for _ in staff_counts)
        + "   (1 x t3.medium.search + 20 GB gp3, the stack's default)"
    )
    print(f"  {'total':<14}" + "".join(f"{totals[n] + domain:>14,.2f}" for n in staff_counts) + "   (with search)")
    production = 2 * ASSUME.search_nodes_hours * PRICES["os_m6g"].usd + 2 * 20 * PRICES["os_gp3"].usd
    print(
        f"  a production search domain (2 x m6g.large.search in two AZs, 2 x 20 GB) would add "
        f"{production:,.2f} instead of {domain:,.2f}"
    )
    for n in staff_counts:
        lines = sorted(per_size[n].items(), key=lambda kv: -kv[1])[:4]
        print(
            f"  {n:>6,} staff: totals {totals[n]:,.2f} without search, {totals[n] + domain:,.2f} with; largest "
            "lines: " + ", ".join(f"{k} {v:,.2f}" for k, v in lines)
        )
    if 5000 in per_size:
        verdict = "meets" if totals[5000] <= GOAL_USD else "MISSES"
        print(
            f"\ngoal: <= {GOAL_USD:.0f} USD a month for 5,000 staff without the search domain: "
            f"{totals[5000]:,.2f} USD -> {verdict}"
        )
        poll, per_day = measured["poll"], next(a.per_day for a in ACTIONS if a.key == "poll")
        now = sum(cost(_one_action_units(poll, 5000, per_day)).values())
        before = sum(cost(_one_action_units(poll, 5000, 240)).values())
        print(
            f"  of which the unread badge's polling: {now:,.2f} USD ({per_day:g} requests per staff member a day); "
            f"at the former 15 s interval (240 a day) it was {before:,.2f}, "
            f"the month {totals[5000] - now + before:,.2f}"
        )


def _one_action_units(m: Measured, staff: int, per_day: float) -> dict[str, float]:
    a = ASSUME
    n = staff * a.working_days * per_day
    reqs = m.requests * n
    ms = _lambda_ms(m.cpu_ms, m.api_io_ms, a.api_memory_mb)
    return {
        "lambda_gbs": n * ms / 1000 * a.api_memory_mb / 1024
        + reqs * a.cold_share_api * a.init_ms / 1000 * a.api_memory_mb / 1024,
        "lambda_req": reqs,
        "apigw_req": reqs,
        "waf_req": reqs,
        "cf_req": reqs,
        "cf_out": (m.bytes_out + m.requests * a.headers_kb * 1024) * n / 1024**3,
        "cw_logs": reqs * a.log_kb_per_request / 1024 / 1024,
        "xray_trace": reqs * a.traced_share,
        "ddb_rru": m.rru * n,
        "ddb_wru": m.wru * n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3, help="times each action is replayed (averaged)")
    parser.add_argument("--staff", default="500,5000,20000", help="staff counts to price, comma-separated")
    args = parser.parse_args(argv)
    staff_counts = [int(x) for x in args.staff.split(",")]
    t0 = time.monotonic()
    measured, sweep, _extra = measure(args.rounds)
    print("\nKumo - what a month costs (bench/cost.py)")
    print_prices()
    print_assumptions()
    print_measured(measured, sweep, args.rounds)
    print_month(measured, sweep, staff_counts)
    print(f"\n(bench took {time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
