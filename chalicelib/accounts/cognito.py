"""The Cognito user pool: sign-in, refresh, sign-out and user administration.

The pool and client ids come from settings (the CDK stack sets them in AWS); when they are
absent they are looked up by the names in resources.py, which is how the local stack and the
`kumo` CLI find the pool the bootstrap created.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest, TooManyRequests, Unauthenticated
from chalicelib.core.resources import RESOURCES


@dataclass(frozen=True)
class PoolIds:
    user_pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        region = self.user_pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        endpoint = settings().aws_endpoint_url
        if endpoint:  # the emulator serves the pool's keys under its own address
            return f"{endpoint.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class NewPasswordRequired:
    session: str


@functools.cache
def pool_ids() -> PoolIds:
    s = settings()
    if s.user_pool_id and s.user_pool_client_id:
        return PoolIds(s.user_pool_id, s.user_pool_client_id)
    idp = aws.client("cognito-idp")
    pool_name = RESOURCES.user_pool_name(s.prefix)
    client_name = RESOURCES.user_pool_client_name(s.prefix)
    pool_id = s.user_pool_id or _find_pool(idp, pool_name)
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for c in page["UserPoolClients"]:
            if c["ClientName"] == client_name:
                return PoolIds(pool_id, c["ClientId"])
    raise RuntimeError(f"user pool client {client_name} not found in {pool_id}")


def _find_pool(idp: Any, name: str) -> str:
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return str(pool["Id"])
    raise RuntimeError(f"user pool {name} not found: run the bootstrap first")


def _tokens(result: dict[str, Any], refresh_token: str | None = None) -> Tokens:
    return Tokens(
        result["IdToken"],
        result["AccessToken"],
        result.get("RefreshToken") or refresh_token,
        int(result.get("ExpiresIn", 3600)),
    )


def _auth_error(exc: Exception) -> Exception:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    if code in {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}:
        # One message for every case, so the page does not tell which staff ids exist.
        return Unauthenticated("The staff ID or password is wrong.")
    if code in {"TooManyRequestsException", "LimitExceededException"}:
        return TooManyRequests("Too many sign-in attempts. Wait a few minutes and try again.")
    if code == "InvalidPasswordException":
        return BadRequest("The new password does not meet the password rules.")
    return exc


def sign_in(username: str, password: str) -> Tokens | NewPasswordRequired:
    ids = pool_ids()
    try:
        result = aws.client("cognito-idp").initiate_auth(
            ClientId=ids.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except Exception as exc:
        raise _auth_error(exc) from None
    if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return NewPasswordRequired(result["Session"])
    if "AuthenticationResult" not in result:
        raise Unauthenticated(
            "This sign-in step is not supported: {challenge}.", challenge=result.get("ChallengeName", "?")
        )
    return _tokens(result["AuthenticationResult"])


def set_new_password(username: str, session: str, new_password: str) -> Tokens:
    ids = pool_ids()
    try:
        result = aws.client("cognito-idp").respond_to_auth_challenge(
            ClientId=ids.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
        )
    except Exception as exc:
        raise _auth_error(exc) from None
    return _tokens(result["AuthenticationResult"])


def refresh(refresh_token: str) -> Tokens:
    ids = pool_ids()
    try:
        result = aws.client("cognito-idp").initiate_auth(
            ClientId=ids.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except Exception as exc:
        raise _auth_error(exc) from None
    return _tokens(result["AuthenticationResult"], refresh_token)


def sign_out_everywhere(username: str) -> None:
    """Revoke every refresh token of the user, so no session can be renewed.

    AdminUserGlobalSignOut (a signed admin call) rather than GlobalSignOut with the access
    token: it works even when the access token has already expired.
    """
    idp = aws.client("cognito-idp")
    try:
        idp.admin_user_global_sign_out(UserPoolId=pool_ids().user_pool_id, Username=username)
    except idp.exceptions.UserNotFoundException:
        pass


def upsert_user(
    username: str,
    email: str,
    display_name: str,
    *,
    permanent_password: str | None = None,
    send_invitation: bool = False,
) -> bool:
    """Create the user (True) or update its attributes (False)."""
    idp = aws.client("cognito-idp")
    pool_id = pool_ids().user_pool_id
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": display_name},
    ]
    try:
        idp.admin_get_user(UserPoolId=pool_id, Username=username)
        exists = True
    except idp.exceptions.UserNotFoundException:
        exists = False
    if exists:
        idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=attributes)
    else:
        kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Username": username, "UserAttributes": attributes}
        if send_invitation:
            kwargs["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            kwargs["MessageAction"] = "SUPPRESS"
        idp.admin_create_user(**kwargs)
    if permanent_password:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=permanent_password, Permanent=True)
    return not exists


def delete_user(username: str) -> None:
    aws.client("cognito-idp").admin_delete_user(UserPoolId=pool_ids().user_pool_id, Username=username)
