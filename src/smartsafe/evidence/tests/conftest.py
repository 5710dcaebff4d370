"""Every evidence test stores ciphertext in its own temporary MEDIA_ROOT under a fixed test key."""

import base64

import pytest

TEST_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = TEST_KEY
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_indexes():
    """Each test starts with empty in-memory PDQ indexes (its database starts empty too)."""
    from smartsafe.evidence import matching

    matching.vault_index.reset()
    matching.list_index._version = None
    yield
    matching.vault_index.reset()
    matching.list_index._version = None
