"""Cold start: the API's first response and each functions/* handler's import, beside an eager baseline.

Every figure is measured in a fresh interpreter (one subprocess per run), from the moment the
bench spawns it to the moment the child is ready (first response returned, handler module
imported, ...). The child stamps that moment with CLOCK_MONOTONIC, which is system-wide on
Linux, so interpreter shutdown is not counted. The variants run interleaved (one run of each per
round, the order rotated every round) because the machine is shared and noisy; the table shows
medians and ratios to the eager baseline measured in the same rounds.

    .venv/bin/python bench/cold_start.py            # 7 rounds, signed-in row via moto server
    .venv/bin/python bench/cold_start.py --runs 11 --offline

Variants:
- eager baseline: every dependency imported up front (boto3 + 4 clients, pynamodb, opensearch-py,
  chalice, jinja2 + Environment, Powertools Logger/Metrics/Tracer, PyJWT with cryptography);
- bare interpreter: the floor every row shares;
- API requests through `app.app(event, context)` with API Gateway proxy events, app.py loaded
  from the project root the way Lambda (and `load_app()`) does:
  GET /healthz (no AWS), GET /api/notifications without a session (the middleware's 401 JSON,
  no AWS), and - unless --offline - GET /api/notifications signed in, against a moto server
  the bench starts once (DynamoDB session + staff + inbox; the session's ID token was verified
  when stored, so the request fetches no JWKS);
- `import functions.<key>.<module>` for every function in RESOURCES.functions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARKER = "BENCH-RESULT "
REGION = "ap-northeast-1"
OFFLINE_ENDPOINT = "http://127.0.0.1:1"  # nothing listens: a request that calls AWS fails loudly
BENCH_STAFF = "bench.admin"
BENCH_PASSWORD = "Bench-Cold-Start-2026"
MIN_ROUNDS = 3
DIAGNOSTICS_S = 10  # kept free in the time budget for the -X importtime runs

# Heavy modules a JSON API request or a handler import should never load. PyJWT and cryptography
# verify tokens at sign-in, refresh and bearer calls only: a session's stored token is not re-verified.
NEVER = (
    "opensearchpy",
    "jinja2",
    "jwt",
    "cryptography",
    "openpyxl",
    "pypdfium2",
    "pypdf",
    "docx",
    "pptx",
    "aws_xray_sdk",
    "grpc",
    "markdown",
    "PIL",
    "moto",
)
# Loaded by design on the API path (storage modules own pynamodb models);
# boto3 itself is imported lazily by chalicelib.core.aws when a client is first needed.
BY_DESIGN = ("botocore", "pynamodb")
LAZY = ("boto3",)
WATCH = (*NEVER, *BY_DESIGN, *LAZY, "requests", "urllib3", "babel")


# --- child programs -----------------------------------------------------------------------
# Plain source strings run with `python -c`, so the child pays for nothing but what it measures.

_START = "import time\n_t_main = time.monotonic_ns()\nimport sys\n_made = {'sessions': 0, 'clients': 0}\n"

_REPORT = """
import json as _json
print(__MARKER__ + _json.dumps({"t_main": _t_main, "t_loaded": _t_loaded, "t_ready": _t_ready,
      "modules": sorted(m for m in __WATCH__ if m in sys.modules), "status": _status, "body": _body[:300],
      "made": _made}))
"""

_BARE = _START + "_t_loaded = _t_ready = time.monotonic_ns()\n_status, _body = None, ''\n"

_EAGER = (
    _START
    + """
import os
import boto3
_clients = [boto3.client(name, region_name=os.environ["AWS_DEFAULT_REGION"],
                         endpoint_url=os.environ["KUMO_AWS_ENDPOINT"])
            for name in ("s3", "dynamodb", "sqs", "events")]
import pynamodb.models
import opensearchpy
import chalice
import jinja2
_env = jinja2.Environment(autoescape=True)
from aws_lambda_powertools import Logger, Metrics, Tracer
_logger, _metrics, _tracer = Logger(service="bench"), Metrics(namespace="Bench", service="bench"), Tracer()
import jwt
from jwt.algorithms import RSAAlgorithm, has_crypto
assert has_crypto and RSAAlgorithm
_t_loaded = _t_ready = time.monotonic_ns()
_status, _body = None, ""
"""
)

_API = (
    _START
    + """
import importlib.util
import os
_spec = importlib.util.spec_from_file_location("app", os.path.join(os.getcwd(), "app.py"))
_module = importlib.util.module_from_spec(_spec)
sys.modules["app"] = _module
_spec.loader.exec_module(_module)
_t_loaded = time.monotonic_ns()

if os.environ.get("BENCH_DIAGNOSE"):  # untimed runs only: count botocore sessions and clients made
    import botocore.session

    def _counting(name, original):
        def wrapper(*args, **kwargs):
            _made[name] += 1
            return original(*args, **kwargs)
        return wrapper

    botocore.session.Session.__init__ = _counting("sessions", botocore.session.Session.__init__)
    botocore.session.Session.create_client = _counting("clients", botocore.session.Session.create_client)


class _LambdaContext:
    function_name = "kumo-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "bench-request"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:kumo-api"
    log_group_name = "/aws/lambda/kumo-api"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 29000


_response = _module.app(__EVENT__, _LambdaContext())
_t_ready = time.monotonic_ns()
_status, _body = _response["statusCode"], str(_response.get("body") or "")
"""
)

_IMPORT = (
    _START
    + """
import importlib
_module = importlib.import_module(__MODULE__)
_handler = getattr(_module, __ATTR__)
_t_loaded = _t_ready = time.monotonic_ns()
_status, _body = None, ""
"""
)


def _program(template: str, **values: Any) -> str:
    source = template + _REPORT
    for name, value in {"MARKER": MARKER, "WATCH": WATCH, **values}.items():
        source = source.replace(f"__{name}__", repr(value))
    return source


def api_event(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event as Lambda hands it to the Chalice app."""
    all_headers = {
        "accept": "application/json",
        "accept-language": "ja,en;q=0.8",
        "host": "api.example.lg.jp",
        "user-agent": "kumo-bench",
        "x-forwarded-proto": "https",
        **(headers or {}),
    }
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "bench-request",
            "identity": {"sourceIp": "127.0.0.1"},
        },
    }


# --- variants -----------------------------------------------------------------------------


@dataclass
class Variant:
    key: str
    label: str
    source: str
    env: dict[str, str] = field(default_factory=dict)
    kind: str = "import"  # baseline | bare | api | import
    allowed: tuple[str, ...] = ()  # heavy modules this variant may load
    check: Callable[[dict[str, Any]], str | None] = lambda _result: None


@dataclass
class Sample:
    total_ms: float  # spawn -> ready
    load_ms: float  # script start -> app/module loaded
    request_ms: float  # loaded -> first response
    modules: list[str]
    status: int | None
    body: str
    made: dict[str, int]  # botocore sessions / clients created by the request (diagnostic runs only)


def expect_status(status: int, needle: str) -> Callable[[dict[str, Any]], str | None]:
    def check(result: dict[str, Any]) -> str | None:
        if result["status"] != status or needle not in result["body"]:
            return f"expected {status} with {needle!r}, got {result['status']}: {result['body'][:200]}"
        return None

    return check


def function_variants() -> list[Variant]:
    sys.path.insert(0, str(ROOT))
    from chalicelib.core.resources import RESOURCES  # pure data: cheap, touches nothing

    variants = []
    for spec in RESOURCES.functions:
        module_name, attr = spec.handler.rsplit(".", 1)
        module = f"functions.{spec.key}.{module_name}"
        variants.append(
            Variant(
                f"fn:{spec.key}", f"import {module}", _program(_IMPORT, MODULE=module, ATTR=attr), allowed=BY_DESIGN
            )
        )
    return variants


def build_variants(signed_in: dict[str, str] | None) -> list[Variant]:
    variants = [
        Variant("eager", "eager baseline (all deps)", _program(_EAGER), kind="baseline", allowed=WATCH),
        Variant("bare", "bare interpreter (floor)", _program(_BARE), kind="bare"),
        Variant(
            "healthz",
            "API GET /healthz -> 200",
            _program(_API, EVENT=api_event("/healthz")),
            kind="api",
            allowed=BY_DESIGN,
            check=expect_status(200, '"ok"'),
        ),
        Variant(
            "notif401",
            "API GET /api/notifications -> 401 (no session)",
            _program(_API, EVENT=api_event("/api/notifications")),
            kind="api",
            allowed=BY_DESIGN,
            check=expect_status(401, ""),
        ),
    ]
    if signed_in is not None:
        cookie = f"kumo_session={signed_in['cookie']}"
        variants.append(
            Variant(
                "notif200",
                "API GET /api/notifications -> 200 (signed in, moto)",
                _program(_API, EVENT=api_event("/api/notifications", {"cookie": cookie})),
                kind="api",
                env=signed_in["env"],
                allowed=(*BY_DESIGN, *LAZY),
                check=expect_status(200, '"items"'),
            )
        )
    return variants + function_variants()


# --- running ------------------------------------------------------------------------------


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: fake credentials, local settings, nothing inherited that changes imports."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "AWS_ACCESS_KEY_ID": "kumo-local",
        "AWS_SECRET_ACCESS_KEY": "kumo-local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "KUMO_STAGE": "local",
        "KUMO_AWS_ENDPOINT": OFFLINE_ENDPOINT,
        "KUMO_SEARCH_URL": OFFLINE_ENDPOINT,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_SERVICE_NAME": "kumo",
    }
    env.update(extra or {})
    return env


def run_child(python: str, variant: Variant, *, importtime: bool = False) -> tuple[Sample, str]:
    cmd = [python, *(["-X", "importtime"] if importtime else []), "-c", variant.source]
    env = child_env({**variant.env, **({"BENCH_DIAGNOSE": "1"} if importtime else {})})
    t_spawn = time.monotonic_ns()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{variant.label}: child failed (exit {proc.returncode})\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len(MARKER) :])
    problem = variant.check(result)
    if problem:
        raise RuntimeError(f"{variant.label}: {problem}")
    sample = Sample(
        total_ms=(result["t_ready"] - t_spawn) / 1e6,
        load_ms=(result["t_loaded"] - result["t_main"]) / 1e6,
        request_ms=(result["t_ready"] - result["t_loaded"]) / 1e6,
        modules=result["modules"],
        status=result["status"],
        body=result["body"],
        made=result["made"],
    )
    return sample, proc.stderr


def run_rounds(
    python: str, variants: list[Variant], runs: int, warmup: int, deadline: float
) -> tuple[dict[str, list[Sample]], int]:
    """Interleaved rounds: each variant once per round, the order rotated every round.

    Stops early (after at least MIN_ROUNDS counted rounds) when another round would pass the deadline.
    """
    samples: dict[str, list[Sample]] = {v.key: [] for v in variants}
    last_round_s = 0.0
    done = 0
    for round_no in range(warmup + runs):
        if done >= MIN_ROUNDS and time.monotonic() + last_round_s > deadline:
            print(f"  time budget reached: stopping after {done} rounds", file=sys.stderr)
            break
        t_round = time.monotonic()
        shift = round_no % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            sample, _ = run_child(python, variant)
            if round_no >= warmup:
                samples[variant.key].append(sample)
        last_round_s = time.monotonic() - t_round
        label = "warm-up round" if round_no < warmup else f"round {round_no + 1 - warmup}/{runs}"
        done += round_no >= warmup
        print(f"  {label}: {last_round_s:.1f} s", file=sys.stderr)
    return samples, done


# --- moto (for the signed-in request) -------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto(python: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return proc, url
        except urllib.error.HTTPError:
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("moto server did not answer within 30 s")


def setup_signed_in() -> None:
    """Run in a child against moto: resources, one staff member, a session, one notice in the inbox."""
    from datetime import UTC, datetime

    from chalicelib.accounts import cognito
    from chalicelib.accounts import service as accounts
    from chalicelib.core.auth import Role
    from chalicelib.directory import service as directory
    from chalicelib.local import bootstrap
    from chalicelib.notifications import service as notifications

    bootstrap.bootstrap(["http://127.0.0.1:8000"], search=False)  # [] gives an invalid CORS rule
    directory.save_department(directory.Department("digital", "デジタル戦略局", "Digital Strategy Bureau", 20))
    directory.save_staff(
        directory.Staff(BENCH_STAFF, "ベンチ 太郎", "bench@pref.example.lg.jp", "digital", Role.MEMBER)
    )
    cognito.upsert_user(BENCH_STAFF, "bench@pref.example.lg.jp", "ベンチ 太郎", permanent_password=BENCH_PASSWORD)
    signed = accounts.sign_in(BENCH_STAFF, BENCH_PASSWORD)
    assert isinstance(signed, accounts.SignedIn), signed
    notifications.deliver(
        [notifications.Delivery(BENCH_STAFF, "welcome", "bench-event", datetime.now(UTC), {"name": "ベンチ 太郎"})]
    )
    ids = cognito.pool_ids()
    print(
        MARKER
        + json.dumps({"cookie": signed.cookie_value, "user_pool_id": ids.user_pool_id, "client_id": ids.client_id})
    )


def prepare_signed_in(python: str, endpoint: str) -> dict[str, Any]:
    env = child_env({"KUMO_AWS_ENDPOINT": endpoint})
    proc = subprocess.run(
        [python, "-c", "import bench.cold_start as b; b.setup_signed_in()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"signed-in setup failed (exit {proc.returncode})\n{proc.stderr[-3000:]}")
    data = json.loads(lines[-1][len(MARKER) :])
    # As in AWS, where the CDK stack sets the pool ids: no Cognito look-up on the request path.
    return {
        "cookie": data["cookie"],
        "env": {
            "KUMO_AWS_ENDPOINT": endpoint,
            "KUMO_USER_POOL_ID": data["user_pool_id"],
            "KUMO_USER_POOL_CLIENT_ID": data["client_id"],
        },
    }


# --- -X importtime ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportLine:
    level: int
    self_us: int
    cumulative_us: int
    name: str


def parse_importtime(stderr: str) -> list[ImportLine]:
    lines = []
    for raw in stderr.splitlines():
        if not raw.startswith("import time:") or "imported package" in raw:
            continue
        parts = raw.split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        indent = len(name) - len(name.lstrip()) - 1  # "| " then two spaces per nesting level
        self_us = int(parts[0].removeprefix("import time:").strip())
        lines.append(ImportLine(indent // 2, self_us, int(parts[1].strip()), name.strip()))
    return lines


def import_chain(lines: list[ImportLine], package: str) -> list[str] | None:
    """Who imported `package` first: the chain from a top-level import down to it.

    importlib.import_module() logs nothing for the module it is asked for (only for what that
    imports), so when the package has no line of its own, its first submodule stands in.
    """
    exact = [i for i, line in enumerate(lines) if line.name == package]
    inside = [i for i, line in enumerate(lines) if line.name.startswith(package + ".")]
    if not exact and not inside:
        return None
    start = exact[0] if exact else inside[0]
    chain, level = [lines[start].name], lines[start].level
    for later in lines[start + 1 :]:  # a parent's line follows its children's, one level up
        if later.level < level:
            chain.append(later.name)
            level = later.level
    chain.reverse()
    first_own = next(i for i, name in enumerate(chain) if name == package or name.startswith(package + "."))
    return chain[: first_own + 1]


def package_costs(lines: list[ImportLine]) -> dict[str, float]:
    """Milliseconds spent in each top-level package's own modules (self times summed)."""
    costs: dict[str, float] = {}
    for line in lines:
        top = line.name.split(".")[0]
        costs[top] = costs.get(top, 0.0) + line.self_us / 1000
    return costs


# --- report -------------------------------------------------------------------------------


def _paired_ratio(samples: list[Sample], baseline: list[Sample], minus: list[Sample] | None = None) -> float:
    ratios = []
    for s, b, *floor in zip(samples, baseline, *([minus] if minus else []), strict=False):
        cut = floor[0].total_ms if floor else 0.0
        ratios.append((s.total_ms - cut) / (b.total_ms - cut))
    return statistics.median(ratios)


def print_table(variants: list[Variant], samples: dict[str, list[Sample]]) -> None:
    med = {k: statistics.median(s.total_ms for s in v) for k, v in samples.items()}
    base, bare = med["eager"], med["bare"]
    header = (
        f"{'what':<54}{'median ms':>10}{'min-max ms':>15}{'vs eager':>10}{'paired':>8}"
        f"{'above bare':>12}{'its ratio':>11}"
    )
    print(header)
    print("-" * len(header))
    for v in variants:
        s = samples[v.key]
        totals = [x.total_ms for x in s]
        above = med[v.key] - bare
        above_ratio = f"{above / (base - bare):>11.2f}" if v.kind != "bare" else ""
        print(
            f"{v.label:<54}{med[v.key]:>10.1f}{f'{min(totals):.0f}-{max(totals):.0f}':>15}"
            f"{med[v.key] / base:>10.2f}{_paired_ratio(s, samples['eager']):>8.2f}"
            f"{(f'{above:.1f}' if v.kind != 'bare' else ''):>12}{above_ratio}"
        )
    print()
    print(
        "'vs eager' = ratio of medians; 'paired' = median of the per-round ratios (same round, so the "
        "machine's load\nat the time cancels out); 'above bare' = median minus the bare interpreter's, i.e. "
        "what the imports\nand the request cost, and its ratio to the baseline's."
    )


GOAL_RATIO = 0.5  # issue 8: a signed-in JSON request's cold start at most half the eager-import baseline's


def print_goal(samples: dict[str, list[Sample]]) -> None:
    if "notif200" not in samples:
        return
    ratio = _paired_ratio(samples["notif200"], samples["eager"])
    each = sorted((s.total_ms / b.total_ms) for s, b in zip(samples["notif200"], samples["eager"], strict=False))
    verdict = "meets" if ratio <= GOAL_RATIO else "MISSES"
    print(
        f"\nsigned-in JSON request (GET /api/notifications) / eager baseline: {ratio:.2f} paired median "
        f"(rounds {each[0]:.2f}-{each[-1]:.2f}); goal <= {GOAL_RATIO}: {verdict}"
    )


def print_api_split(variants: list[Variant], samples: dict[str, list[Sample]]) -> None:
    print()
    print(f"{'inside the child (medians)':<54}{'load app.py ms':>16}{'1st request ms':>16}")
    for v in variants:
        if v.kind == "api":
            s = samples[v.key]
            print(
                f"{v.label:<54}{statistics.median(x.load_ms for x in s):>16.1f}"
                f"{statistics.median(x.request_ms for x in s):>16.1f}"
            )


def module_findings(python: str, variants: list[Variant], samples: dict[str, list[Sample]]) -> list[str]:
    """Which heavy modules each API request / handler import loaded, with import chains from one
    extra `-X importtime` run (not timed)."""
    findings = []
    print()
    print("heavy modules in sys.modules after the request / import (one -X importtime run each for the chains):")
    for v in variants:
        if v.kind not in ("api", "import"):
            continue
        loaded = set(samples[v.key][-1].modules)
        heavy = [m for m in (*NEVER, *BY_DESIGN, *LAZY) if m in loaded]
        unexpected = [m for m in heavy if m not in v.allowed]
        absent = [m for m in (*NEVER, *LAZY) if m not in loaded]
        print(f"  {v.label}")
        print(f"    not imported: {', '.join(absent) or '-'}")
        print(f"    imported: {', '.join(heavy) or '-'}   UNEXPECTED: {', '.join(unexpected) or 'none'}")
        diagnosed, stderr = run_child(python, v, importtime=True)
        made = diagnosed.made
        if v.kind == "api":
            print(
                f"    during the first request: {made['sessions']} botocore session(s) and {made['clients']} "
                "client(s) created"
            )
        if made["sessions"] > 1:  # each session loads the endpoint rules and service models from disk again
            findings.append(f"{v.label}: {made['sessions']} botocore sessions (one would do)")
        lines = parse_importtime(stderr)
        costs = package_costs(lines)
        if heavy:
            print("    first import chains (ms = that package's own modules, under -X importtime):")
        for module in heavy:
            chain = import_chain(lines, module)
            if chain:
                root = "app.py" if v.kind == "api" else v.label.removeprefix("import ")
                chain = [c for c in chain if c != root]
                flag = "UNEXPECTED " if module in unexpected else ""
                print(f"      {flag}{module} {costs.get(module, 0):.0f} ms: {' > '.join([root, *chain])}")
        tops = sorted(costs.items(), key=lambda item: -item[1])[:8]
        print(f"    largest packages (ms, own modules): {', '.join(f'{n} {ms:.0f}' for n, ms in tops)}")
        findings += [f"{v.label}: imported {m}" for m in unexpected]
    return findings


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds counted (each runs every variant once)")
    parser.add_argument("--warmup", type=int, default=1, help="rounds run first and not counted (pyc, disk cache)")
    parser.add_argument("--offline", action="store_true", help="no moto server: skip the signed-in request")
    parser.add_argument(
        "--budget",
        type=float,
        default=110.0,
        help=f"seconds for the whole bench; rounds stop early (after {MIN_ROUNDS}) to stay within it",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.monotonic()
    moto: subprocess.Popen[bytes] | None = None
    signed_in = None
    notes = []
    try:
        if not args.offline:
            try:
                moto, endpoint = start_moto(args.python)
                signed_in = prepare_signed_in(args.python, endpoint)
                notes.append(
                    f"signed-in row: moto server on {endpoint}, started once with its setup (bootstrap, one "
                    f"staff member, sign-in, one notice: {time.monotonic() - t0:.1f} s, not timed); each run "
                    "sends the session cookie and reads DynamoDB (session, staff, inbox) from moto."
                )
            except Exception as exc:  # the rest of the bench is still worth running
                notes.append(f"signed-in row skipped: {str(exc).splitlines()[0]}")
        else:
            notes.append("signed-in row skipped (--offline).")
        variants = build_variants(signed_in)
        samples, done = run_rounds(
            args.python, variants, args.runs, args.warmup, deadline=t0 + args.budget - DIAGNOSTICS_S
        )
        version = subprocess.run(
            [args.python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=True
        ).stdout.strip()
        print()
        print(
            f"Kumo cold start - Python {version} ({platform.python_implementation()}, {args.python}), "
            f"{os.cpu_count()} CPUs"
        )
        print(
            f"Figures are medians of {done} fresh processes per row, measured interleaved (every row once per "
            f"round, order rotated), after {args.warmup} uncounted warm-up round(s) (so .pyc caches are warm)."
        )
        print(
            "Time = from spawning the interpreter to ready (first response returned / module imported / deps loaded)."
        )
        print("/healthz and the 401 touch no AWS (endpoint http://127.0.0.1:1, nothing listens there).")
        for note in notes:
            print(note)
        if done < args.runs:
            print(f"Only {done} of {args.runs} rounds ran: the --budget of {args.budget:.0f} s was reached.")
        print()
        print_table(variants, samples)
        print_goal(samples)
        print_api_split(variants, samples)
        findings = module_findings(args.python, variants, samples)
        print()
        print("findings: " + ("; ".join(findings) if findings else "none"))
        print(f"(bench took {time.monotonic() - t0:.0f} s)", flush=True)
    finally:
        if moto is not None:
            moto.terminate()
            try:
                moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                moto.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
