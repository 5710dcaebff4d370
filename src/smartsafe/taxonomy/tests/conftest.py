import pytest

from smartsafe.taxonomy.loading import load


@pytest.fixture
def taxonomy(db):
    """The shipped taxonomy, whatever earlier transactional tests flushed (the loader is idempotent).

    Tests that prove the data migration itself did the loading use plain ``db`` instead.
    """
    load("rs")


@pytest.fixture
def superuser(db):
    from smartsafe.testing import make_user

    user = make_user("admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user
