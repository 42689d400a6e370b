"""Cognito: the staff user pool and the web client."""

from __future__ import annotations

from typing import Any

from chalicelib.core.resources import RESOURCES
from tests.infra.conftest import Synthesized


def _pool(synth: Synthesized) -> dict[str, Any]:
    (pool,) = synth.resources("AWS::Cognito::UserPool").values()
    return pool


def _client(synth: Synthesized) -> dict[str, Any]:
    (client,) = synth.resources("AWS::Cognito::UserPoolClient").values()
    return client["Properties"]  # type: ignore[no-any-return]


def test_pool_is_for_staff_created_by_administrators(synthesized: Synthesized) -> None:
    props = _pool(synthesized)["Properties"]
    assert props["UserPoolName"] == RESOURCES.user_pool_name("kumo")
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    # username = staff id: no e-mail or phone sign-in alias
    assert "UsernameAttributes" not in props
    assert "AliasAttributes" not in props
    assert props["UsernameConfiguration"] == {"CaseSensitive": False}


def test_password_policy_and_mfa(synthesized: Synthesized) -> None:
    props = _pool(synthesized)["Properties"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # TOTP; no SMS


def test_pool_deletion_protection_follows_context(synthesized: Synthesized, unprotected: Synthesized) -> None:
    assert _pool(synthesized)["Properties"]["DeletionProtection"] == "ACTIVE"
    assert _pool(synthesized)["DeletionPolicy"] == "Retain"
    assert _pool(unprotected)["Properties"]["DeletionProtection"] == "INACTIVE"
    assert _pool(unprotected)["Properties"]["UserPoolName"] == RESOURCES.user_pool_name("kumo-test")


def test_web_client_flows_and_tokens(synthesized: Synthesized) -> None:
    client = _client(synthesized)
    assert client["ClientName"] == RESOURCES.user_pool_client_name("kumo")
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert client["GenerateSecret"] is False
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "AllowedOAuthFlows" not in client
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (60, "minutes")
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (60, "minutes")
    minutes = {"minutes": 1, "hours": 60, "days": 1440}[units["RefreshToken"]]
    assert client["RefreshTokenValidity"] * minutes == 12 * 60
