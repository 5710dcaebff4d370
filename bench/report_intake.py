#!/usr/bin/env python
"""Report intake through the public API: reports per second, with and without a 1 MB file.

    .venv/bin/python bench/report_intake.py                      # SQLite (a throw-away file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartsafe \\
        .venv/bin/python bench/report_intake.py                  # PostgreSQL (test_smartsafe)
    .venv/bin/python bench/report_intake.py -n 200 --files-n 40  # more reports

What it measures: ``POST /api/v1/reports/`` through Django's full request stack (middleware,
DRF, the report forms; a JSON report is then sealed and queued, and "its registration" times what
the task worker does next — contact creation, completeness, audit chain; for the file run the
evidence vault in the request: type sniffing, SHA-256/MD5, PDQ, AES-GCM encryption, custody log), one report
after another from one client, as Django's test client sends it — no network, no web server,
so the figures are the application's own cost per report, an upper bound for one process. "first"
and "last" are the medians of the first and last tenth of the run.

Bounded and local: at most 1,000 reports a run; it never touches an existing database — it creates
the test database Django would use for tests (``test_<name>``; a temporary SQLite file by
default), migrates it, and drops it at the end. Evidence is written to a temporary folder with a
random key. The per-client rate limit is switched off for the run.
"""

from __future__ import annotations

import argparse
import base64
import io
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from smartsafe.core.samples import EXAMPLE_REPORT as BODY  # noqa: E402

MAX_REPORTS = 1000
FILE_BYTES = 1_000_000


def configure(media: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartsafe.config.settings")
    os.environ.setdefault("SMARTSAFE_DEMO", "1")
    os.environ["SMARTSAFE_PORTAL_REPORTS_PER_HOUR"] = "0"  # the limits would stop the run
    os.environ["SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES"] = "0"
    os.environ["SMARTSAFE_EVIDENCE_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ["SMARTSAFE_EVIDENCE_KEY_FILE"] = ""
    os.environ["SMARTSAFE_CLAMD_SOCKET"] = ""
    os.environ["SMARTSAFE_CLAMD_HOST"] = ""
    os.environ["SMARTSAFE_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = media
    # Audit events sealed in the request that wrote them (as in the tests): the figure includes the
    # seal, and no background thread outlives the throw-away database.
    settings.SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND = False
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(media.parent / "bench.sqlite3")


def screenshot(seed: int) -> bytes:
    """A distinct PNG of about 1 MB (noise does not compress): one screenshot-sized upload."""
    from PIL import Image

    side = 577  # 577 × 577 × 3 bytes of noise ≈ 1.0 MB as PNG
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def run(client, count: int, *, with_file: bool) -> list[float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [screenshot(i) for i in range(count)] if with_file else []  # made before the clock runs
    timings = []
    for i in range(count):
        if with_file:
            upload = SimpleUploadedFile(f"screenshot-{i}.png", files[i], content_type="image/png")
            body = {**BODY, "files": [upload]}
            start = time.perf_counter()
            response = client.post("/api/v1/reports/", body, format="multipart")
        else:
            start = time.perf_counter()
            response = client.post("/api/v1/reports/", BODY, format="json")
        timings.append(time.perf_counter() - start)
        if response.status_code != 201:
            raise SystemExit(f"report {i}: HTTP {response.status_code}: {response.content[:500]!r}")
    return timings


def check_stored(reports: int, files: int) -> None:
    """The figures count only if every report and file really arrived."""
    from smartsafe.evidence.models import EvidenceFile
    from smartsafe.portal.models import PublicReport

    got_reports, got_files = PublicReport.objects.count(), EvidenceFile.objects.count()
    print(f"stored: {got_reports} reports, {got_files} evidence files")
    if (got_reports, got_files) != (reports + files, files):
        raise SystemExit(f"expected {reports + files} reports and {files} files")


def register_accepted() -> list[float]:
    """What the task worker does next for each accepted JSON report (portal/submissions.py), timed
    one by one in this process."""
    from smartsafe.portal import submissions
    from smartsafe.portal.models import ReportSubmission

    timings = []
    for pk in ReportSubmission.objects.order_by("pk").values_list("pk", flat=True):
        began = time.perf_counter()
        submissions.register.call(pk)
        timings.append(time.perf_counter() - began)
    return timings


def line(label: str, timings: list[float]) -> str:
    total = sum(timings)
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
    tenth = max(1, len(timings) // 10)
    first, last = statistics.median(timings[:tenth]), statistics.median(timings[-tenth:])
    return (
        f"{label:<22} {len(timings):>5} {total:>8.2f} s {len(timings) / total:>9.1f} /s "
        f"{statistics.median(timings) * 1000:>8.1f} ms {p95 * 1000:>8.1f} ms "
        f"{first * 1000:>8.1f} ms {last * 1000:>8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="reports without a file (default 200)")
    parser.add_argument("--files-n", type=int, default=50, help="reports with a 1 MB file (default 50)")
    args = parser.parse_args()
    n, files_n = (min(max(1, value), MAX_REPORTS) for value in (args.n, args.files_n))

    with tempfile.TemporaryDirectory(prefix="smartsafe-bench-") as tmp:
        media = Path(tmp) / "media"
        media.mkdir()
        configure(media)
        from django.db import connection
        from django.test.utils import setup_test_environment
        from rest_framework.test import APIClient

        setup_test_environment()
        engine = connection.vendor
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            client = APIClient(REMOTE_ADDR="192.0.2.10")
            run(client, 3, with_file=False)  # warm up: first queries, caches, imports
            run(client, 1, with_file=True)
            register_accepted()
            plain = run(client, n, with_file=False)
            registered = register_accepted()
            with_file = run(client, files_n, with_file=True)
            print(f"report intake via POST /api/v1/reports/ on {engine} ({connection.settings_dict['NAME']})")
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"machine: {os.cpu_count()} CPUs, load average {load}; one client, one process")
            # first/last: the median of the first and the last tenth (does a report cost more as the
            # database fills?)
            header = ("n", "total", "rate", "median", "p95", "first", "last")
            print(
                f"{'':<22} "
                + " ".join(f"{h:>{w}}" for h, w in zip(header, (5, 10, 12, 11, 11, 11, 11), strict=True))
            )
            print(line("JSON, no file", plain))
            print(line("  its registration", registered))
            print(line("multipart, 1 MB PNG", with_file))
            check_stored(n + 3, files_n + 1)
        finally:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
