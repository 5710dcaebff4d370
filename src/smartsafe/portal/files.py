"""The one way the portal touches evidence files: check, hold in a draft, hand to the vault.

Every file a reporter sends goes through ``accept()`` (the vault's own validation: size, type
sniffed from content, no scripts or archive bombs) and, once the report is filed, ``store()``
(``evidence.actions.receive_file``: hashes, encryption, chain of custody). Until then an accepted
file waits in the draft sealed with the vault's master key (``evidence.crypto``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from smartsafe.evidence import crypto
from smartsafe.evidence.actions import receive_file
from smartsafe.evidence.validation import EvidenceRejected, validate_upload

MB = 1024 * 1024


class FileRefused(Exception):
    """A file the portal will not take; ``str(exc)`` is the message for the reporter."""


def max_file_bytes() -> int:
    return int(settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB) * MB


def max_report_bytes() -> int:
    return int(settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB) * MB


def max_files() -> int:
    return int(settings.SMARTSAFE_PORTAL_MAX_FILES)


def display_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "file").replace("\x00", "")
    return name.replace("/", "_").replace("\\", "_")[-200:] or "file"


def read(upload, *, already: int = 0, count: int = 0) -> tuple[str, bytes]:
    """``(name, content)`` of an uploaded file after every check; FileRefused otherwise.

    ``already``/``count``: bytes and files already accepted for the same report.
    """
    name = display_name(upload)
    size = int(getattr(upload, "size", 0) or 0)
    if count >= max_files():
        raise FileRefused(
            _("%(name)s: you can send at most %(n)d files with one report.")
            % {"name": name, "n": max_files()}
        )
    if size > max_file_bytes():
        raise FileRefused(
            _("%(name)s is too big. Each file can be at most %(mb)d MB.")
            % {"name": name, "mb": max_file_bytes() // MB}
        )
    if already + size > max_report_bytes():
        raise FileRefused(
            _("%(name)s does not fit: all files together can be at most %(mb)d MB.")
            % {"name": name, "mb": max_report_bytes() // MB}
        )
    data = upload.read()
    try:
        validate_upload(name, data)
    except EvidenceRejected as exc:
        raise FileRefused(f"{name}: {exc}") from None
    return name, data


def seal(data: bytes) -> dict:
    """Fields for a ``DraftFile``: the content sealed with the vault's master key."""
    context = "portal-draft-" + secrets.token_hex(16)
    sealed = crypto.seal(data, context=context)
    return {
        "context": context,
        "ciphertext": sealed.ciphertext,
        "nonce": sealed.nonce,
        "wrapped_key": sealed.wrapped_key,
        "key_id": sealed.key_id,
    }


def unseal(draft_file) -> bytes:
    return crypto.open_sealed(
        bytes(draft_file.ciphertext),
        nonce=bytes(draft_file.nonce),
        wrapped_key=bytes(draft_file.wrapped_key),
        key_id=draft_file.key_id,
        context=draft_file.context,
    )


def store(*, contact, name: str, data: bytes, via: str):
    """Hand a file to the vault, attached to ``contact`` (its case follows the contact)."""
    return receive_file(data=data, filename=name, contact=contact, via=via)
