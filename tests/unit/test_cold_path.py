"""What a signed-in request pays on a cold start (bench/cold_start.py measures it; these keep it so)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.accounts import tokens
from chalicelib.core.errors import Unauthenticated

ROOT = Path(__file__).resolve().parents[2]


def _unsigned(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def test_the_session_path_imports_neither_pyjwt_nor_cryptography() -> None:
    """A session's stored token was verified when stored: the request path does not load PyJWT."""
    code = (
        "import sys; import chalicelib.accounts.middleware; "
        "print(sorted(m for m in ('jwt', 'cryptography') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_stored_token_is_read_back_without_its_signature() -> None:
    identity = tokens.stored_identity(
        _unsigned({"cognito:username": "yamada.k", "exp": 2_000_000_000, "sub": "uuid-1"})
    )
    assert (identity.username, identity.expires_at) == ("yamada.k", 2_000_000_000)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.!!!.c", "a.e30.c", _unsigned({"sub": "x", "exp": "soon"})])
def test_an_unreadable_stored_token_is_unauthenticated(token: str) -> None:
    with pytest.raises(Unauthenticated):
        tokens.stored_identity(token)


def test_every_model_on_a_thread_shares_one_dynamodb_client(aws_mock: None) -> None:
    from chalicelib.accounts.storage import SessionRecord
    from chalicelib.accounts.storage import bind as bind_sessions
    from chalicelib.directory.storage import StaffRecord
    from chalicelib.directory.storage import bind as bind_directory
    from chalicelib.notifications.storage import NotificationRecord
    from chalicelib.notifications.storage import bind as bind_notifications

    bind_sessions()
    bind_directory()
    bind_notifications()
    assert SessionRecord.count() == 0 and NotificationRecord.count() == 0
    first = SessionRecord._get_connection().connection.client
    assert NotificationRecord._get_connection().connection.client is first
    assert StaffRecord._get_connection().connection.client is first


def test_botocore_still_knows_its_services_and_refuses_unknown_ones(aws_mock: None) -> None:
    from botocore.exceptions import DataNotFoundError, UnknownServiceError

    from chalicelib.core import aws

    loader = aws.botocore_session().get_component("data_loader")
    listed = loader.list_available_services("service-2")
    assert {"dynamodb", "s3", "sqs", "events", "sesv2", "cognito-idp"} <= set(listed)
    assert not [name for name in listed if "." in name]
    assert aws.client("dynamodb").list_tables()["TableNames"]
    with pytest.raises((UnknownServiceError, DataNotFoundError)):
        aws.botocore_session().create_client("no-such-service", "ap-northeast-1")


def test_a_sessions_staff_record_is_read_again_after_the_cache_seconds(
    aws_mock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request needs the staff record; a warm container re-reads it every STAFF_CACHE_SECONDS."""
    import hashlib
    from datetime import UTC, datetime, timedelta

    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.storage import SessionRecord
    from chalicelib.accounts.storage import bind as bind_sessions
    from chalicelib.core.auth import Role
    from chalicelib.directory import service as directory
    from chalicelib.directory.storage import StaffRecord

    directory.save_department(directory.Department("somu", "総務部", "General Affairs", 10))
    directory.save_staff(directory.Staff("cache.t", "キャッシュ 太郎", "cache@pref.example.lg.jp", "somu", Role.MEMBER))
    bind_sessions()
    now = datetime.now(UTC)
    SessionRecord(
        hashlib.sha256(b"cookie-1").hexdigest(),
        staff_id="cache.t",
        csrf_token="c",
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=1),
        ttl=0,
        id_token=_unsigned({"cognito:username": "cache.t", "exp": int(now.timestamp()) + 3600}),
    ).save()
    clock = [1000.0]
    monkeypatch.setattr(accounts.time, "monotonic", lambda: clock[0])

    first = accounts.resolve("cookie-1")
    assert first is not None and first.principal.department_id == "somu"
    StaffRecord.get("cache.t").delete()  # gone from the directory
    clock[0] += accounts.STAFF_CACHE_SECONDS - 1
    assert accounts.resolve("cookie-1") is not None, "within the cache seconds: no second read"
    clock[0] += 2
    assert accounts.resolve("cookie-1") is None, "after them the directory decides again"


def test_the_cut_endpoint_data_is_botocores_own_for_kumos_services() -> None:
    """`make aws-endpoints` after a botocore upgrade: the cut copy must be the installed file's."""
    import botocore

    from chalicelib.core import aws_endpoints

    installed = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text(encoding="utf-8"))
    assert json.loads(aws_endpoints.DATA.read_text(encoding="utf-8")) == aws_endpoints.trim(installed)


@pytest.mark.parametrize(
    ("service", "region"),
    [
        ("dynamodb", "ap-northeast-1"),
        ("s3", "ap-northeast-1"),
        ("sesv2", "ap-northeast-1"),
        ("cognito-idp", "ap-northeast-3"),
        ("sts", "us-east-1"),
        ("iam", "ap-northeast-1"),  # not Kumo's: botocore's whole file (a global endpoint)
        ("guardduty", "ap-northeast-1"),
    ],
)
def test_a_client_goes_where_botocore_alone_would_send_it(
    service: str, region: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against AWS (no emulator endpoint): same URL, signing name and region as plain botocore."""
    import botocore.session

    from chalicelib.core import aws, aws_endpoints
    from chalicelib.core.config import settings

    monkeypatch.setenv("KUMO_AWS_ENDPOINT", "")
    settings.cache_clear()
    aws.reset()
    try:
        ours = aws.botocore_session().create_client(service, region, aws_access_key_id="k", aws_secret_access_key="s")
        plain = botocore.session.get_session().create_client(
            service, region, aws_access_key_id="k", aws_secret_access_key="s"
        )
        for client in (ours, plain):
            assert client.meta.endpoint_url.startswith("https://")
        assert ours.meta.endpoint_url == plain.meta.endpoint_url
        assert ours._request_signer.signing_name == plain._request_signer.signing_name
        assert ours._request_signer.region_name == plain._request_signer.region_name
        resolver = aws.botocore_session()._get_internal_component("endpoint_resolver")
        assert (resolver._whole is None) == (ours.meta.service_model.endpoint_prefix in aws_endpoints.SERVICES)
    finally:
        settings.cache_clear()
        aws.reset()
