"""Refresh tokens at rest: sealed (KMS in AWS, a local AES-GCM key locally), never in clear in the
sessions table or in `kumo backup`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.accounts import cognito, service, tokens
from chalicelib.core import sealing
from chalicelib.core.errors import Unauthenticated

REFRESH_TOKEN = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.refresh-token-of-tanaka"


def _staff() -> Any:
    from chalicelib.core.auth import Role
    from chalicelib.directory.service import Staff

    return Staff("tanaka", "田中 一郎", "tanaka@example.lg.jp", "soumu", next(iter(Role)))


@pytest.fixture
def signed_in(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> service.SignedIn:
    monkeypatch.setattr(tokens, "verify_id_token", lambda token: tokens.Identity("tanaka", 2**40, {}))
    monkeypatch.setattr(service.directory, "find_staff", lambda staff_id: _staff())
    monkeypatch.setattr(service.directory, "mark_first_sign_in", lambda staff_id: False)
    result = service._start_session(
        cognito.Tokens("id-token", "access-token", REFRESH_TOKEN, 3600), ip=None, user_agent=None
    )
    return result


def _stored_items() -> list[dict[str, Any]]:
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    return list(aws.client("dynamodb").scan(TableName=settings().table_name("sessions"))["Items"])


def test_the_stored_session_does_not_contain_the_refresh_token(signed_in: service.SignedIn) -> None:
    (item,) = _stored_items()
    assert REFRESH_TOKEN not in json.dumps(item)
    assert item["refresh_token"]["S"].startswith(sealing.LOCAL_FORMAT)


def test_the_sealed_token_still_refreshes_the_session(
    signed_in: service.SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[str] = []

    def expired(token: str) -> tokens.Identity:
        if token == "id-token":
            raise Unauthenticated("expired")
        return tokens.Identity("tanaka", 2**40, {})

    def refresh(token: str) -> cognito.Tokens:
        used.append(token)
        return cognito.Tokens("fresh-id-token", "access", token, 3600)

    monkeypatch.setattr(tokens, "verify_id_token", expired)
    monkeypatch.setattr(cognito, "refresh", refresh)
    assert service.resolve(signed_in.cookie_value) is not None
    assert used == [REFRESH_TOKEN]


def test_a_sealed_token_copied_to_another_session_does_not_open(signed_in: service.SignedIn) -> None:
    (item,) = _stored_items()
    with pytest.raises(sealing.SealError):
        sealing.unseal(item["refresh_token"]["S"], context="another-session-hash")
    with pytest.raises(sealing.SealError):
        sealing.unseal(REFRESH_TOKEN, context=item["session_hash"]["S"])  # a value stored in clear


def test_backup_never_writes_the_refresh_token(signed_in: service.SignedIn, tmp_path: Path) -> None:
    from chalicelib.ops import backup

    backup.backup(tmp_path / "backup")
    written = b"".join(p.read_bytes() for p in (tmp_path / "backup").rglob("*") if p.is_file())
    assert b"tanaka" in written  # the session itself is in the backup ...
    assert REFRESH_TOKEN.encode() not in written  # ... its refresh token only sealed


def test_with_a_kms_key_tokens_are_sealed_by_kms(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import aws, config

    key_id = aws.client("kms").create_key(Description="test")["KeyMetadata"]["Arn"]
    monkeypatch.setenv("KUMO_TOKEN_KEY_ID", key_id)
    config.reset()
    sealed = sealing.seal(REFRESH_TOKEN, context="session-a")
    assert sealed.startswith(sealing.KMS_FORMAT) and REFRESH_TOKEN not in sealed
    assert sealing.unseal(sealed, context="session-a") == REFRESH_TOKEN
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, context="session-b")
    local = sealing.LOCAL_FORMAT + sealed.removeprefix(sealing.KMS_FORMAT)
    with pytest.raises(sealing.SealError):  # with a key configured, no local key opens anything
        sealing.unseal(local, context="session-a")
