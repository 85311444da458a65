"""Envelope encryption with AES-256-GCM: a random data key per object, wrapped by the master key.

The master key (COMITY_MASTER_KEY, base64 of 32 bytes) never touches the database. A wrapped key is
`v1:` + base64(nonce || ciphertext+tag); rotating the master key re-wraps data keys only.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
VERSION = "v1"


class DecryptionError(Exception):
    """The data or key was altered, or the wrong key was used."""


def master_key(value: str | None = None) -> bytes:
    raw = value if value is not None else settings.COMITY_MASTER_KEY
    try:
        key = base64.b64decode(raw or "", validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("COMITY_MASTER_KEY must be base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("COMITY_MASTER_KEY must decode to 32 bytes.")
    return key


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, plaintext: bytes, associated_data: bytes | None = None) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def decrypt(key: bytes, blob: bytes, associated_data: bytes | None = None) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("decryption failed") from exc


def wrap_key(data_key: bytes, master: bytes | None = None) -> str:
    blob = encrypt(master or master_key(), data_key, VERSION.encode())
    return f"{VERSION}:" + base64.b64encode(blob).decode()


def unwrap_key(wrapped: str, master: bytes | None = None) -> bytes:
    version, _, payload = wrapped.partition(":")
    if version != VERSION:
        raise DecryptionError(f"unknown key version {version!r}")
    return decrypt(master or master_key(), base64.b64decode(payload), VERSION.encode())


def rewrap_key(wrapped: str, old_master: bytes, new_master: bytes) -> str:
    return wrap_key(unwrap_key(wrapped, old_master), new_master)
