"""Personas for every test: one user per role, and an institution with its liaison."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from smartsafe import testing

# CI runs the same examples every time (a gate must not change its mind between two runs of one
# commit) and never fails on wall-clock deadlines of a loaded machine. Locally, every run explores
# new random examples, which is how the property tests keep finding things.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def counsellor(db):
    return testing.make_user("counsellor")


@pytest.fixture
def other_counsellor(db):
    return testing.make_user("counsellor")


@pytest.fixture
def supervisor(db):
    return testing.make_user("supervisor")


@pytest.fixture
def auditor(db):
    return testing.make_user("auditor")


@pytest.fixture
def analyst(db):
    return testing.make_user("analyst")


@pytest.fixture
def prevention(db):
    return testing.make_user("prevention")


@pytest.fixture
def administrator(db):
    return testing.make_user("admin")


@pytest.fixture
def police(db):
    return testing.make_institution("police-test", "police")


@pytest.fixture
def school(db):
    return testing.make_institution("school-test", "education")


@pytest.fixture
def police_liaison(police):
    return testing.make_user("liaison", institution=police)


@pytest.fixture
def school_liaison(school):
    return testing.make_user("liaison", institution=school)


@pytest.fixture(autouse=True)
def _taxonomy_from_the_database():
    """Each test's own rows: a term cached by an earlier (rolled-back) test must not leak in."""
    from smartsafe.taxonomy import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_this_test(settings, tmp_path):
    """Checkpoints live outside the database: each test gets its own folder, as each gets its own rows."""
    settings.SMARTSAFE_AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
