"""Every evidence test stores ciphertext in its own temporary MEDIA_ROOT under a fixed test key."""

import pytest

from smartsafe import testing


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    return testing.use_test_vault(settings, tmp_path / "media")


@pytest.fixture(autouse=True)
def fresh_indexes():
    """Each test starts with empty in-memory PDQ indexes (its database starts empty too)."""
    from smartsafe.evidence import matching

    matching.vault_index.reset()
    matching.list_index._version = None
    yield
    matching.vault_index.reset()
    matching.list_index._version = None
