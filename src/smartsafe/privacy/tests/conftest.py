import pytest

from smartsafe import testing


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    return testing.use_test_vault(settings, tmp_path / "media")
