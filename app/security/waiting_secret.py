"""A secret written to the database while a re-key waits, sealed under the waiting key.

While a revocation's re-key waits for other windows to close, the file keeps the key the
revoked officer held. The signing key the revocation makes must not be readable under that
key meanwhile (she could copy the file and read it), so its row holds it sealed with a key
derived from the *waiting* database key: the windows that know that key (the revoking one,
sign-ins since) sign with it; she, knowing only the old one, reads nothing. The re-key that
gives the file the waiting key opens the seal for good (``app.security.rekey``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MARKER = b"qorgau-waiting-secret:1:"
_INFO = b"qorgau: a secret sealed until a re-key finishes"
_NONCE_BYTES = 12


def _aead(database_key: bytes) -> AESGCM:
    # Derived, never the database key itself: SQLCipher uses that one for its pages.
    derived = HKDF(hashes.SHA256(), 32, salt=None, info=_INFO).derive(database_key)
    return AESGCM(derived)


def is_sealed(value: bytes) -> bool:
    return value.startswith(MARKER)


def seal(value: bytes, database_key: bytes, name: str) -> bytes:
    """``value`` (the row ``name``'s) readable only with ``database_key``."""
    nonce = os.urandom(_NONCE_BYTES)
    return MARKER + nonce + _aead(database_key).encrypt(nonce, value, name.encode())


def unseal(value: bytes, keys: Iterable[bytes | None], name: str) -> bytes | None:
    """The secret a sealed row holds, opened with the first of ``keys`` that opens it (None
    when none does); a value that is not sealed is returned as it is."""
    if not is_sealed(value):
        return value
    body = value[len(MARKER) :]
    nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
    for key in keys:
        if key is None:
            continue
        try:
            return _aead(key).decrypt(nonce, sealed, name.encode())
        except InvalidTag:
            continue
    return None
