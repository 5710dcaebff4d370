"""Encryption at rest: AES-256-GCM with a fresh key per file, wrapped by a master key.

Envelope encryption: each file gets a random 256-bit data key and a random 96-bit nonce; the
content is encrypted with AES-GCM, authenticated together with the file's storage name (so a
ciphertext moved to another record fails to open). The data key is wrapped with the master key,
also by AES-GCM (``nonce || ciphertext+tag``), with the storage name as associated data.

Master keys have ids: the first 16 hex digits of an HMAC of a fixed label under the key, so the id
says which key wrapped a file without revealing anything about it. Rotation re-wraps the data
keys under a new master key; the content is never re-encrypted (docs/evidence.md).

Where the master key comes from, in order: ``SMARTSAFE_EVIDENCE_KEY`` (base64 of 32 bytes),
``SMARTSAFE_EVIDENCE_KEY_FILE`` (a file holding that), and only in demo mode a key generated in
``DATA_DIR/evidence.key`` (mode 0600). Outside demo mode a missing key is an ImproperlyConfigured
error the moment the vault is used, and a system check error at start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
_ID_LABEL = b"smartsafe evidence master key id v1"


class DecryptionFailed(Exception):
    """The ciphertext, its nonce or its wrapped key was altered, or the wrong key was used."""


class UnknownKey(Exception):
    """A file was wrapped by a master key that is not configured (rotation not finished?)."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes

    @property
    def id(self) -> str:
        return hmac.new(self.key, _ID_LABEL, hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key itself
        return f"MasterKey(id={self.id})"


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    nonce: bytes
    wrapped_key: bytes
    key_id: str


def parse_key(text: str | bytes, *, source: str) -> MasterKey:
    """A master key from its base64 text; a clear error naming ``source`` otherwise."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{source} is not base64 text.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{source} must hold {KEY_BYTES} bytes (base64), not {len(raw)}.")
    return MasterKey(raw)


def read_key_file(path: str | Path) -> MasterKey:
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the evidence key file {path}: {exc}") from None
    return parse_key(text, source=f"The evidence key file {path}")


def new_key_text() -> str:
    """A new master key as base64 text (what a key file holds)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def write_key_file(path: str | Path) -> MasterKey:
    """Create ``path`` with a new key, readable by its owner only. Refuses to overwrite."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new_key_text() + "\n")
    return read_key_file(path)


def demo_key_path() -> Path:
    return Path(settings.DATA_DIR) / "evidence.key"


def current_key() -> MasterKey:
    """The master key new files are wrapped with."""
    if settings.SMARTSAFE_EVIDENCE_KEY:
        return parse_key(settings.SMARTSAFE_EVIDENCE_KEY, source="SMARTSAFE_EVIDENCE_KEY")
    if settings.SMARTSAFE_EVIDENCE_KEY_FILE:
        return read_key_file(settings.SMARTSAFE_EVIDENCE_KEY_FILE)
    if not settings.DEMO:
        raise ImproperlyConfigured(
            "The evidence vault needs a master key: set SMARTSAFE_EVIDENCE_KEY (base64 of 32 bytes) or "
            "SMARTSAFE_EVIDENCE_KEY_FILE (see docs/evidence.md). Only demo mode generates one."
        )
    path = demo_key_path()
    if not path.exists():
        try:
            return write_key_file(path)
        except FileExistsError:
            pass  # another process created it first
    return read_key_file(path)


def keyring() -> dict[str, MasterKey]:
    """Every master key that may have wrapped a stored file, by id: the current and the previous ones."""
    keys = [current_key()] + [read_key_file(path) for path in settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES]
    return {key.id: key for key in keys}


def _wrap(master: MasterKey, data_key: bytes, context: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master.key).encrypt(nonce, data_key, context)


def _unwrap(master: MasterKey, wrapped: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(master.key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
    except (InvalidTag, ValueError):
        raise DecryptionFailed(
            "The file's key does not unwrap: wrong master key or altered record."
        ) from None


def seal(plaintext: bytes, *, context: str, master: MasterKey | None = None) -> Sealed:
    """Encrypt ``plaintext`` under a fresh data key; ``context`` (the storage name) is authenticated."""
    master = master or current_key()
    aad = context.encode()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, aad)
    return Sealed(
        ciphertext=ciphertext, nonce=nonce, wrapped_key=_wrap(master, data_key, aad), key_id=master.id
    )


def open_sealed(ciphertext: bytes, *, nonce: bytes, wrapped_key: bytes, key_id: str, context: str) -> bytes:
    """Decrypt; DecryptionFailed when anything was altered, UnknownKey when the master key is missing."""
    master = keyring().get(key_id)
    if master is None:
        raise UnknownKey(f"The master key {key_id} is not configured (see docs/evidence.md, key rotation).")
    aad = context.encode()
    data_key = _unwrap(master, bytes(wrapped_key), aad)
    try:
        return AESGCM(data_key).decrypt(bytes(nonce), ciphertext, aad)
    except (InvalidTag, ValueError):
        raise DecryptionFailed(
            "The stored file was altered: its authentication tag does not match."
        ) from None


def rewrap(wrapped_key: bytes, *, old: MasterKey, new: MasterKey, context: str) -> bytes:
    """The same data key, wrapped under ``new`` instead of ``old``."""
    aad = context.encode()
    return _wrap(new, _unwrap(old, bytes(wrapped_key), aad), aad)
