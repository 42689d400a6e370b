"""Secrets at rest (a staff session's Cognito refresh token): sealed before they are stored.

In AWS a KMS key declared in the stack seals them (KUMO_TOKEN_KEY_ID); the API's role may use that
key for Encrypt and Decrypt with Kumo's encryption context only. Locally (stage local, no key id)
an AES-256-GCM key derived from the prefix does it: it keeps tokens out of the emulator's tables,
of `kumo backup` and of the state directory in clear, which is what a local stack can promise.

A sealed value is bound to its context (the session's hash): copied onto another item it does
not open. ``kumo backup`` only ever sees sealed values.

Chat channels' webhook URLs and signing secrets (notifications/channels) are sealed the same way
with a key of their own (``key=WEBHOOKS``: KUMO_WEBHOOK_KEY_ID), so the roles that post to
channels never hold the key of staff sessions, nor the API's session key a channel's.
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


SESSIONS = "sessions"  # KUMO_TOKEN_KEY_ID
WEBHOOKS = "webhooks"  # KUMO_WEBHOOK_KEY_ID


def _key_id(key: str) -> str | None:
    s = settings()
    return s.webhook_key_id if key == WEBHOOKS else s.token_key_id


class SealError(Exception):
    """A sealed value that cannot be opened here (another key, another context, tampered)."""


def seal(secret: str, *, context: str, key: str = SESSIONS) -> str:
    key_id = _key_id(key)
    if key_id:
        result = aws.client("kms").encrypt(
            KeyId=key_id, Plaintext=secret.encode(), EncryptionContext={CONTEXT_KEY: context}
        )
        return KMS_FORMAT + base64.b64encode(result["CiphertextBlob"]).decode()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_local_key(key)).encrypt(nonce, secret.encode(), context.encode())
    return LOCAL_FORMAT + base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, context: str, key: str = SESSIONS) -> str:
    if sealed.startswith(KMS_FORMAT):
        return _unseal_kms(sealed.removeprefix(KMS_FORMAT), context, key)
    if sealed.startswith(LOCAL_FORMAT) and not _key_id(key):
        return _unseal_local(sealed.removeprefix(LOCAL_FORMAT), context, key)
    raise SealError("not a value sealed by this deployment")


def _unseal_kms(body: str, context: str, key: str) -> str:
    from botocore.exceptions import ClientError

    try:
        result = aws.client("kms").decrypt(
            CiphertextBlob=base64.b64decode(body),
            EncryptionContext={CONTEXT_KEY: context},
            KeyId=_key_id(key),
        )
    except (ClientError, ValueError) as exc:
        raise SealError("the sealed value does not open with this key and context") from exc
    return bytes(result["Plaintext"]).decode()


def _unseal_local(body: str, context: str, key: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(body)
        opened = AESGCM(_local_key(key)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError("the sealed value does not open with this key and context") from exc
    return opened.decode()


def _local_key(key: str = SESSIONS) -> bytes:
    s = settings()
    if not s.is_local:  # settings already refuse this; a second lock on the same door
        raise SealError("a KMS key id (KUMO_TOKEN_KEY_ID, KUMO_WEBHOOK_KEY_ID) is required outside stage local")
    # The sessions' key keeps its old derivation: values sealed before webhooks existed still open.
    label = "kumo-local-sealing-key" if key == SESSIONS else f"kumo-local-sealing-key-{key}"
    return hashlib.sha256(f"{label}:{s.prefix}".encode()).digest()
