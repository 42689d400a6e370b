"""Secrets at rest (a staff session's Cognito refresh token): sealed before they are stored.

In AWS a KMS key declared in the stack seals them (KUMO_TOKEN_KEY_ID); the API's role may use that
key for Encrypt and Decrypt with Kumo's encryption context only. Locally (stage local, no key id)
an AES-256-GCM key derived from the prefix does it: it keeps tokens out of the emulator's tables,
of `kumo backup` and of the state directory in clear, which is what a local stack can promise.

A sealed value is bound to its context (the session's hash): copied onto another item it does
not open. ``kumo backup`` only ever sees sealed values.
"""

from __future__ import annotations

import base64
import hashlib
import os

from chalicelib.core import aws
from chalicelib.core.config import settings

KMS_FORMAT = "kms1:"
LOCAL_FORMAT = "local1:"
CONTEXT_KEY = "kumo:sealed-for"
_NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value that cannot be opened here (another key, another context, tampered)."""


def seal(secret: str, *, context: str) -> str:
    key_id = settings().token_key_id
    if key_id:
        result = aws.client("kms").encrypt(
            KeyId=key_id, Plaintext=secret.encode(), EncryptionContext={CONTEXT_KEY: context}
        )
        return KMS_FORMAT + base64.b64encode(result["CiphertextBlob"]).decode()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_local_key()).encrypt(nonce, secret.encode(), context.encode())
    return LOCAL_FORMAT + base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, context: str) -> str:
    if sealed.startswith(KMS_FORMAT):
        return _unseal_kms(sealed.removeprefix(KMS_FORMAT), context)
    if sealed.startswith(LOCAL_FORMAT) and not settings().token_key_id:
        return _unseal_local(sealed.removeprefix(LOCAL_FORMAT), context)
    raise SealError("not a value sealed by this deployment")


def _unseal_kms(body: str, context: str) -> str:
    from botocore.exceptions import ClientError

    try:
        result = aws.client("kms").decrypt(
            CiphertextBlob=base64.b64decode(body),
            EncryptionContext={CONTEXT_KEY: context},
            KeyId=settings().token_key_id,
        )
    except (ClientError, ValueError) as exc:
        raise SealError("the sealed value does not open with this key and context") from exc
    return bytes(result["Plaintext"]).decode()


def _unseal_local(body: str, context: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(body)
        opened = AESGCM(_local_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError("the sealed value does not open with this key and context") from exc
    return opened.decode()


def _local_key() -> bytes:
    s = settings()
    if not s.is_local:  # settings already refuse this; a second lock on the same door
        raise SealError("KUMO_TOKEN_KEY_ID is required outside stage local")
    return hashlib.sha256(f"kumo-local-sealing-key:{s.prefix}".encode()).digest()
