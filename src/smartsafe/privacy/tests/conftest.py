import base64

import pytest

TEST_KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    """Evidence in a temporary MEDIA_ROOT under a fixed test key, as the evidence tests do."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = TEST_KEY
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    return tmp_path / "media"
