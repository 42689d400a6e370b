"""Verifies Cognito JWTs: signature against the pool's JWKS (cached), issuer, client, expiry.

Only RS256 is accepted, so a token with `alg: none` or signed with an HMAC of the public key
is rejected before any claim is read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.accounts.cognito import pool_ids
from chalicelib.core.errors import Unauthenticated

JWKS_CACHE_SECONDS = 6 * 3600
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Identity:
    username: str
    expires_at: int
    claims: dict[str, Any]


@functools.cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=10)


def reset() -> None:
    _jwks_client.cache_clear()


def verify_id_token(token: str) -> Identity:
    """The identity in a Cognito ID token, or Unauthenticated if anything is off."""
    ids = pool_ids()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 is accepted")
        key = _jwks_client(ids.jwks_url).get_signing_key(header.get("kid", ""))
        claims = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=ids.client_id, issuer=ids.issuer,
            leeway=LEEWAY_SECONDS, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your session has expired. Sign in again.") from None
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthenticated("Your sign-in could not be verified. Sign in again.") from None
    if claims.get("token_use") != "id":
        raise Unauthenticated("Your sign-in could not be verified. Sign in again.")
    username = claims.get("cognito:username") or claims["sub"]
    return Identity(username=str(username), expires_at=int(claims["exp"]), claims=claims)


def verify_access_token(token: str) -> Identity:
    """For API clients sending `Authorization: Bearer`: Cognito access tokens carry client_id."""
    ids = pool_ids()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 is accepted")
        key = _jwks_client(ids.jwks_url).get_signing_key(header.get("kid", ""))
        claims = jwt.decode(
            token, key.key, algorithms=["RS256"], issuer=ids.issuer, leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your session has expired. Sign in again.") from None
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthenticated("Your sign-in could not be verified. Sign in again.") from None
    if claims.get("token_use") != "access" or claims.get("client_id") != ids.client_id:
        raise Unauthenticated("Your sign-in could not be verified. Sign in again.")
    username = claims.get("username") or claims.get("cognito:username") or claims["sub"]
    return Identity(username=str(username), expires_at=int(claims["exp"]), claims=claims)
