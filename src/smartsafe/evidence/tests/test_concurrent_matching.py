"""Several processes store and match pictures at the same time, each with its own index.

Turned and mirrored copies of the same drawings are stored by different processes in the same
instant; afterwards every pair of copies is recorded exactly once (with its two custody entries),
and no pair of different drawings is. PostgreSQL only: SQLite has one writer at a time.
"""

import os
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import pytest
from django.db import connection

from smartsafe.core.tests.live import child_env
from smartsafe.evidence.models import CustodyEvent, DuplicateMatch, EvidenceFile
from smartsafe.testing import TEST_VAULT_KEY as TEST_KEY
from smartsafe.testing import make_contact

DRAWINGS = (41, 42, 43, 44)
VERSIONS = ("original", "rotate90", "flip_horizontal")
PROCESSES = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_record_each_pair_once(counsellor, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    contact = make_contact(counsellor)
    specs = [f"{seed}:{version}" for seed in DRAWINGS for version in VERSIONS]
    # Each drawing's versions go to different processes, so its pairs are made concurrently.
    shares = [specs[i::PROCESSES] for i in range(PROCESSES)]
    env = child_env(tmp_path / "data", SMARTSAFE_EVIDENCE_KEY=TEST_KEY)
    env["SMARTSAFE_DATA_DIR"] = str(tmp_path / "data")
    os.makedirs(tmp_path / "data", exist_ok=True)
    start = time.time() + 4  # after every child has started Django
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartsafe.evidence.tests.match_writer",
                str(start),
                str(contact.pk),
                *share,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for share in shares
    ]
    outputs = [child.communicate(timeout=120)[0].decode() for child in children]
    assert [child.returncode for child in children] == [0] * PROCESSES, outputs
    files = {f.filename.removesuffix(".jpg"): f.pk for f in EvidenceFile.objects.all()}
    assert sorted(files) == sorted(specs)
    expected = {
        tuple(sorted((files[a], files[b])))
        for seed in DRAWINGS
        for a, b in combinations([f"{seed}:{v}" for v in VERSIONS], 2)
    }
    recorded = list(DuplicateMatch.objects.values_list("earlier_id", "file_id"))
    assert len(recorded) == len(set(recorded))
    assert set(recorded) == expected
    assert all(earlier < newer for earlier, newer in recorded)
    assert CustodyEvent.objects.filter(action="linked").count() == 2 * len(expected)
    assert not EvidenceFile.objects.filter(matched_at__isnull=True).exists()
    assert Path(tmp_path / "data" / "media").exists()
