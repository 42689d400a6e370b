"""Settings, parsed from the environment once into a frozen object, validated when parsed.

In AWS the CDK stack sets these variables on every function (infra/components/runtime.py
kumo_environment); locally `kumo dev` sets them before the app is loaded. Nothing else in the
code reads the environment.

Fail closed: outside stage ``local`` every name in REQUIRED_OUTSIDE_LOCAL must be set, or
parsing raises SettingsError naming each missing one. The app and every function parse the
settings at import, so a deployment with a gap refuses to start instead of, say, sending share
links that point at http://127.0.0.1:8000. The local defaults below apply to stage local only.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chalicelib.core.resources import RESOURCES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL_STAGE = "local"
LOCAL_ACCOUNT = "123456789012"
LOCAL_BASE_URL = "http://127.0.0.1:8000"
LOCAL_MAIL_FROM = "no-reply@kumo.example.lg.jp"
SCANNERS = ("local", "guardduty")

# What a deployed stage must be told (the stack sets each one; tests/infra checks that it does).
REQUIRED_OUTSIDE_LOCAL = (
    "KUMO_PREFIX",
    "KUMO_ACCOUNT",
    "KUMO_FILES_BUCKET",
    "KUMO_USER_POOL_ID",
    "KUMO_USER_POOL_CLIENT_ID",
    "KUMO_MAIL_FROM",
    "KUMO_BASE_URL",
    "KUMO_FRONTEND_DIR",
    "KUMO_STATIC_MANIFEST",
    "KUMO_TOKEN_KEY_ID",
    "KUMO_MAIL_LINK_SECRET_ARN",
    "KUMO_WEBHOOK_KEY_ID",
)
# Set by the Lambda runtime itself (reserved: a function's configuration cannot set it).
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


class SettingsError(ValueError):
    """A required setting is missing or malformed: the process must not start."""


@dataclass(frozen=True)
class Settings:
    stage: str
    prefix: str
    region: str
    account: str
    aws_endpoint_url: str | None  # None means the real AWS endpoints
    search_url: str | None  # None: this service does not talk to the search domain
    files_bucket: str
    user_pool_id: str | None  # None: looked up by name (local bootstrap creates it)
    user_pool_client_id: str | None
    mail_from: str
    secure_cookies: bool
    session_idle_minutes: int
    frontend_dir: Path
    default_language: str
    tracing: bool  # X-Ray through Powertools Tracer: only inside Lambda, unless turned off
    base_url: str  # how people reach the app (links in e-mails and share links)
    share_max_days: int  # the longest a share link may live (set by administrators)
    scanner: str  # which malware scanner adapter reports results: "local" or "guardduty"
    scan_max_bytes: int  # the local scanner's cap: a larger object is "unscannable" (too large to scan)
    search_sigv4: bool = False  # sign search requests with SigV4 (Amazon OpenSearch Service: IAM roles)
    # The content-hashed names of frontend/static (chalicelib/core/assets.py); None: /static from disk.
    static_manifest: Path | None = None
    # The KMS key that seals refresh tokens at rest; None: a local key (stage local only).
    token_key_id: str | None = None
    # The Secrets Manager secret that keys the HMAC of the unsubscribe links in mail
    # (notifications/unsubscribe.py); None: a key derived locally (stage local only).
    mail_link_secret_arn: str | None = None
    search_api_role_arn: str | None = None  # the indexer admits this role to the index (AWS)
    viewer_ip_header: str | None = None  # set by the front door (CloudFront) with the viewer's address
    # Local stack only (chalicelib/local/faults.py): the share of queue-function invocations the
    # local consumers make fail on purpose, and the seed of that choice. Refused outside `local`.
    # Quiet hours for everyone who did not turn theirs off (notifications/quiet.py); off: mail
    # is never held (the local test stack, whose tests must not depend on the hour).
    quiet_hours: bool = True
    # Chat channels and webhooks (notifications/channels): the KMS key that seals their URLs and
    # signing secrets (None: the local key, stage local only); the hosts an administrator lets
    # them reach although they resolve to internal addresses (the SSRF guard refuses those
    # otherwise); how long a channel may fail before it is paused, and the first retry's delay
    # (each further retry waits twice as long).
    webhook_key_id: str | None = None
    webhook_allowed_hosts: frozenset[str] = frozenset()
    channel_pause_after_s: int = 24 * 3600
    channel_retry_base_s: int = 30
    # Local stack only: the receiver that records what each channel would have received.
    dev_receiver_url: str | None = None
    fault_rate: float = 0.0
    fault_seed: int = 0

    def table_name(self, key: str) -> str:
        return RESOURCES.table(key).physical_name(self.prefix)

    def queue_name(self, key: str) -> str:
        return RESOURCES.queue(key).physical_name(self.prefix)

    @property
    def event_bus_name(self) -> str:
        return RESOURCES.event_bus_name(self.prefix)

    @property
    def search_alias(self) -> str:
        return RESOURCES.search_alias(self.prefix)

    @property
    def upload_origin(self) -> str:
        """Where browsers send presigned uploads and fetch downloads (for the CSP)."""
        if self.aws_endpoint_url:
            return self.aws_endpoint_url.rstrip("/")
        return f"https://{self.files_bucket}.s3.{self.region}.amazonaws.com"

    @property
    def is_local(self) -> bool:
        """Only for wiring decisions (cookie flags, dev pages), never for domain rules."""
        return self.stage == LOCAL_STAGE


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class _Reader:
    """Reads variables, collecting every problem so one error names them all."""

    def __init__(self, env: Mapping[str, str], *, local: bool) -> None:
        self.env = env
        self.local = local
        self.missing: list[str] = []
        self.invalid: list[str] = []

    def optional(self, name: str) -> str | None:
        return self.env.get(name) or None

    def text(self, name: str, default: str) -> str:
        return self.env.get(name) or default

    def required(self, name: str, local_default: str) -> str:
        """A value outside local; the local default only in stage local."""
        value = self.env.get(name, "").strip()
        if value:
            return value
        if not self.local:
            self.missing.append(name)
        return local_default

    def integer(self, name: str, default: int, *, minimum: int = 1) -> int:
        raw = self.env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            self.invalid.append(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
            return default
        return value

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.env.get(name) or default
        if value not in allowed:
            self.invalid.append(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
            return default
        return value

    def fault_rate(self) -> float:
        raw = self.env.get("KUMO_FAULT_RATE", "").strip()
        try:
            rate = float(raw or 0)
        except ValueError:
            rate = -1
        if not 0 <= rate < 1:
            self.invalid.append(f"KUMO_FAULT_RATE must be at least 0 and below 1, not {raw!r}")
            return 0.0
        if rate and not self.local:
            self.invalid.append("KUMO_FAULT_RATE is for the local stack only")
            return 0.0
        return rate

    def hosts(self, name: str) -> frozenset[str]:
        """A comma-separated list of host names or IP addresses (lower case); absent or empty: none."""
        raw = self.env.get(name, "")
        found = frozenset(h.strip().lower().rstrip(".") for h in raw.split(",") if h.strip())
        bad = sorted(h for h in found if "/" in h or " " in h)
        if bad:
            self.invalid.append(f"{name} lists host names (no scheme or path), not {', '.join(bad)}")
            return frozenset()
        return found

    def local_only(self, name: str) -> str | None:
        value = self.optional(name)
        if value and not self.local:
            self.invalid.append(f"{name} is for the local stack only")
            return None
        return value

    def raise_if_wrong(self, stage: str) -> None:
        problems = []
        if self.missing:
            problems.append(f"missing required settings: {', '.join(self.missing)}")
        problems.extend(self.invalid)
        if problems:
            raise SettingsError(f"Kumo cannot start (KUMO_STAGE={stage}): " + "; ".join(problems))


def from_environ(env: Mapping[str, str]) -> Settings:
    """Parse and validate; raises SettingsError naming every missing or malformed variable."""
    stage = env.get("KUMO_STAGE") or LOCAL_STAGE
    read = _Reader(env, local=stage == LOCAL_STAGE)
    prefix = read.required("KUMO_PREFIX", "kumo")
    account = read.required("KUMO_ACCOUNT", LOCAL_ACCOUNT)
    region = next((env[name] for name in REGION_VARIABLES if env.get(name)), "")
    if not region:
        if not read.local:
            read.missing.append("AWS_REGION")
        region = "ap-northeast-1"
    base_url = read.required("KUMO_BASE_URL", LOCAL_BASE_URL).rstrip("/")
    if not read.local and "KUMO_BASE_URL" not in read.missing and not base_url.startswith("https://"):
        read.invalid.append(f"KUMO_BASE_URL must be an https:// address outside local, not {base_url!r}")
    manifest = read.required("KUMO_STATIC_MANIFEST", "")
    settings = Settings(
        stage=stage,
        prefix=prefix,
        region=region,
        account=account,
        aws_endpoint_url=read.optional("KUMO_AWS_ENDPOINT"),
        search_url=read.optional("KUMO_SEARCH_URL"),
        files_bucket=read.required("KUMO_FILES_BUCKET", RESOURCES.bucket("files").physical_name(prefix, account)),
        user_pool_id=read.required("KUMO_USER_POOL_ID", "") or None,
        user_pool_client_id=read.required("KUMO_USER_POOL_CLIENT_ID", "") or None,
        mail_from=read.required("KUMO_MAIL_FROM", LOCAL_MAIL_FROM),
        secure_cookies=_flag(env.get("KUMO_SECURE_COOKIES"), default=not read.local),
        session_idle_minutes=read.integer("KUMO_SESSION_IDLE_MINUTES", 480),
        frontend_dir=Path(read.required("KUMO_FRONTEND_DIR", str(PROJECT_ROOT / "frontend"))),
        default_language=read.text("KUMO_DEFAULT_LANGUAGE", "ja"),
        tracing=bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        and not _flag(env.get("POWERTOOLS_TRACE_DISABLED"), default=False),
        base_url=base_url,
        share_max_days=read.integer("KUMO_SHARE_MAX_DAYS", 90),
        scanner=read.choice("KUMO_SCANNER", "local", SCANNERS),
        scan_max_bytes=read.integer("KUMO_SCAN_MAX_MB", 512) * 1024 * 1024,
        search_sigv4=_flag(env.get("KUMO_SEARCH_SIGV4"), default=False),
        static_manifest=Path(manifest) if manifest else None,
        token_key_id=read.required("KUMO_TOKEN_KEY_ID", "") or None,
        mail_link_secret_arn=read.required("KUMO_MAIL_LINK_SECRET_ARN", "") or None,
        search_api_role_arn=read.optional("KUMO_SEARCH_API_ROLE_ARN"),
        viewer_ip_header=(read.optional("KUMO_VIEWER_IP_HEADER") or "").lower() or None,
        quiet_hours=_flag(env.get("KUMO_QUIET_HOURS"), default=True),
        webhook_key_id=read.required("KUMO_WEBHOOK_KEY_ID", "") or None,
        webhook_allowed_hosts=read.hosts("KUMO_WEBHOOK_ALLOWED_HOSTS"),
        channel_pause_after_s=read.integer("KUMO_CHANNEL_PAUSE_AFTER_S", 24 * 3600),
        channel_retry_base_s=read.integer("KUMO_CHANNEL_RETRY_BASE_S", 30),
        dev_receiver_url=read.local_only("KUMO_DEV_RECEIVER_URL"),
        fault_rate=read.fault_rate(),
        fault_seed=read.integer("KUMO_FAULT_SEED", 0, minimum=0),
    )
    read.raise_if_wrong(stage)
    return settings


@functools.cache
def settings() -> Settings:
    return from_environ(os.environ)


def reset() -> None:
    """Forget the cached settings (tests and the local runner change the environment)."""
    settings.cache_clear()
