"""Where ciphertext lives: Django's default storage, under ``evidence/`` with random names.

Local files in the embedded mode (``MEDIA_ROOT/evidence/``, never served: ``MEDIA_URL`` points
nowhere), S3-compatible storage in production by configuring ``STORAGES["default"]``. Only the
encrypted bytes ever reach the storage; names carry nothing of the original file name.
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PREFIX = "evidence"


def new_name() -> str:
    token = secrets.token_hex(16)
    return f"{PREFIX}/{token[:2]}/{token}.bin"


def put(name: str, ciphertext: bytes) -> None:
    saved = default_storage.save(name, ContentFile(ciphertext))
    if saved != name:
        # The name is authenticated with the content, so it must be exactly the one we chose.
        default_storage.delete(saved)
        raise OSError(f"storage renamed {name} to {saved}")


def get(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def delete(name: str) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
