"""The portal's rate limit counts right with several processes writing at once (portal/ratelimit.py).

Four processes, as four web processes of an installation without Redis, count reports from one
school's address at the same moment through the database cache. Every attempt is counted once:
exactly the limit is let through, whatever the interleaving. On PostgreSQL the counts are taken
under an advisory lock; on SQLite under its write lock.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from tests.test_concurrent_writes import database_url

from smartsafe.core.liveserver import child_env

PROCESSES = 4
EACH = 25
LIMIT = 60
TABLE = "ratelimit_concurrent_cache"
CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}}

CHILD = f"""
import django
django.setup()
from django.test import RequestFactory
from django.test.utils import override_settings

cache = {{"default": {{"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "{TABLE}"}}}}
with override_settings(CACHES=cache, SMARTSAFE_PORTAL_REPORTS_PER_HOUR={LIMIT}):
    from smartsafe.portal import ratelimit

    request = RequestFactory().post("/public/report/4/", REMOTE_ADDR="203.0.113.50")
    print(sum(ratelimit.hit(request, "report") is None for _ in range({EACH})))
"""


@pytest.mark.django_db(transaction=True)
def test_four_processes_count_one_address_exactly(tmp_path):
    with override_settings(CACHES=CACHE):
        call_command("createcachetable", verbosity=0)
    env = child_env(
        database_url(),
        SMARTSAFE_SECRET_KEY=settings.SECRET_KEY,
        SMARTSAFE_PSEUDONYM_KEY=settings.SMARTSAFE_PSEUDONYM_KEY,
        SMARTSAFE_DEMO="1",
        SMARTSAFE_DATA_DIR=str(tmp_path),
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(PROCESSES)
    ]
    allowed = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err[-3000:]
        allowed.append(int(out.strip().splitlines()[-1]))
    assert sum(allowed) == LIMIT, allowed  # 100 attempts, exactly the limit let through
