"""Personas for every test: one user per role, and an institution with its liaison."""

import pytest

from smartsafe.core import testing


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
