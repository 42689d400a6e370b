"""Settings, parsed from the environment once into a frozen object.

In AWS the CDK stack sets these variables on every function; locally `kumo dev` sets them
before the app is loaded. Nothing else in the code reads the environment.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from chalicelib.core.resources import RESOURCES

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    stage: str
    prefix: str
    region: str
    account: str
    aws_endpoint_url: str | None  # None means the real AWS endpoints
    search_url: str | None
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
        return self.stage == "local"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SCANNERS = ("local", "guardduty")


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def from_environ(env: dict[str, str] | os._Environ[str]) -> Settings:
    stage = env.get("KUMO_STAGE", "local")
    prefix = env.get("KUMO_PREFIX", "kumo")
    account = env.get("KUMO_ACCOUNT", "123456789012")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-northeast-1"
    frontend = env.get("KUMO_FRONTEND_DIR") or str(PROJECT_ROOT / "frontend")
    return Settings(
        stage=stage,
        prefix=prefix,
        region=region,
        account=account,
        aws_endpoint_url=env.get("KUMO_AWS_ENDPOINT") or None,
        search_url=env.get("KUMO_SEARCH_URL") or None,
        files_bucket=env.get("KUMO_FILES_BUCKET")
        or RESOURCES.bucket("files").physical_name(prefix, account),
        user_pool_id=env.get("KUMO_USER_POOL_ID") or None,
        user_pool_client_id=env.get("KUMO_USER_POOL_CLIENT_ID") or None,
        mail_from=env.get("KUMO_MAIL_FROM", "no-reply@kumo.example.lg.jp"),
        secure_cookies=_flag(env.get("KUMO_SECURE_COOKIES"), default=stage != "local"),
        session_idle_minutes=int(env.get("KUMO_SESSION_IDLE_MINUTES", "480")),
        frontend_dir=Path(frontend),
        default_language=env.get("KUMO_DEFAULT_LANGUAGE", "ja"),
        tracing=bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        and not _flag(env.get("POWERTOOLS_TRACE_DISABLED"), default=False),
        base_url=env.get("KUMO_BASE_URL", "http://127.0.0.1:8000"),
        share_max_days=int(env.get("KUMO_SHARE_MAX_DAYS", "90")),
        scanner=_choice(env.get("KUMO_SCANNER") or "local", SCANNERS, "KUMO_SCANNER"),
        scan_max_bytes=int(env.get("KUMO_SCAN_MAX_MB", "512")) * 1024 * 1024,
        search_sigv4=_flag(env.get("KUMO_SEARCH_SIGV4"), default=False),
    )


@functools.cache
def settings() -> Settings:
    return from_environ(os.environ)


def reset() -> None:
    """Forget the cached settings (tests and the local runner change the environment)."""
    settings.cache_clear()
