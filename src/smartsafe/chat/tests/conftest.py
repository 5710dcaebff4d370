"""Chat tests: always open (the hours have their own tests), a fresh cache, a temporary vault."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from smartsafe import testing


@pytest.fixture(autouse=True)
def always_open(settings):
    settings.SMARTSAFE_CHAT_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    settings.SMARTSAFE_CHAT_OPENS = "00:00"
    settings.SMARTSAFE_CHAT_CLOSES = "24:00"
    settings.SMARTSAFE_CLOSED_DAYS = []
    settings.SMARTSAFE_COUNTRY = "none"  # no public holidays unless a test names a country


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    return testing.use_test_vault(settings, tmp_path / "media")


@pytest.fixture(autouse=True)
def chat_channel(db):
    """The shipped channel (transactional tests flush the reference data between tests)."""
    from smartsafe.taxonomy.models import Channel

    Channel.objects.update_or_create(
        code="web_chat",
        defaults={"name_sr": "Чет на сајту", "name_en": "Web chat", "kind": "chat", "active": True},
    )
    Channel.objects.update_or_create(
        code="web_form",
        defaults={"name_sr": "Веб-пријава", "name_en": "Web form", "kind": "web", "active": True},
    )


def run_async(function) -> None:
    """Run ``async def function()`` to the end in a thread of its own: a browser test earlier in
    the same process leaves Playwright's event loop in the main thread, where async_to_sync refuses."""
    import threading

    from asgiref.sync import async_to_sync

    errors: list[BaseException] = []

    def target():
        try:
            async_to_sync(function)()
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
