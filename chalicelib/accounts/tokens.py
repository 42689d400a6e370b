"""Verifies Cognito JWTs: signature against the pool's JWKS (cached), issuer, client, expiry.

Only RS256 is accepted, so a token with `alg: none` or signed with an HMAC of the public key
is rejected before any claim is read.

PyJWT (and the cryptography it loads) is imported inside the verifying functions: only sign-in,
a token refresh and bearer-token API calls verify a signature, and those imports cost a
signed-in request's cold start about 40 ms (bench/cold_start.py). A session's stored token is
read back with `stored_identity`, which needs neither.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.cognito import pool_ids
from chalicelib.core.errors import Unauthenticated

if TYPE_CHECKING:
    import jwt

JWKS_CACHE_SECONDS = 6 * 3600
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Identity:
    username: str
    expires_at: int
    claims: dict[str, Any]


@functools.cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=10)


def reset() -> None:
    _jwks_client.cache_clear()


def verify_id_token(token: str) -> Identity:
    """The identity in a Cognito ID token, or Unauthenticated if anything is off."""
    import jwt

    ids = pool_ids()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 is accepted")
        key = _jwks_client(ids.jwks_url).get_signing_key(header.get("kid", ""))
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=ids.client_id,
            issuer=ids.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
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
    import jwt

    ids = pool_ids()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 is accepted")
        key = _jwks_client(ids.jwks_url).get_signing_key(header.get("kid", ""))
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=ids.issuer,
            leeway=LEEWAY_SECONDS,
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


def stored_identity(token: str) -> Identity:
    """The identity in an ID token that `verify_id_token` accepted before it was stored.

    A session's ID token is written only by the accounts service, after sign-in or a refresh
    verified it (signature, issuer, client, use), so a request reads its claims back without
    checking the signature again: no PyJWT and cryptography imports, no JWKS fetch from
    Cognito on a cold start. Expiry is still the caller's to check. Unauthenticated when the
    token cannot be read.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        username = claims.get("cognito:username") or claims["sub"]
        return Identity(username=str(username), expires_at=int(claims["exp"]), claims=claims)
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise Unauthenticated("Your sign-in could not be verified. Sign in again.") from None
