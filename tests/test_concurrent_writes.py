"""Many people at once, as production runs: web processes and task workers writing to one database.

Children's reports (through the API and through the portal's four form pages, as a browser without
JavaScript sends them), signed Viber webhooks processed by the task workers, and counsellors' own
writes (logging calls, opening cases) arrive at the same time from concurrent clients over real
HTTP. Nothing may fail (no 5xx,
no refused connection), nothing acknowledged may be lost or stored twice, and afterwards the
statistics equal a full recount and the audit chain verifies. On PostgreSQL: two web processes
and two workers; on SQLite: the embedded single-writer setup (one of each).
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import random
import re
import secrets
import threading
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from smartsafe import testing
from smartsafe.accounts.actions import create_api_token
from smartsafe.audit.verify import verify_chain
from smartsafe.core.liveserver import Call, Platform, drive, until
from smartsafe.core.samples import viber_delivery
from smartsafe.inbox import actions as inbox_actions
from smartsafe.inbox.models import InboundMessage
from smartsafe.intake.models import Contact
from smartsafe.portal.models import PublicReport, ReportSubmission
from smartsafe.stats import rollups
from smartsafe.taxonomy import loading

VIBER_TOKEN = "concurrency-viber-token-0123456789"
REPORT = {
    "category": "threats_blackmail",
    "description": "Someone says they will post my photos unless I pay.",
    "when_date": "2026-11-30",
    "when_time": "21:30",
    "when_timezone": "Europe/Belgrade",
    "platforms": ["instagram"],
    "urls": ["https://www.instagram.com/p/Cthreat1/"],
    "people": ["@blackmailer.77"],
    "in_danger": "no",
    "reported_to": ["platform"],
    "reporter": "child",
    "consent": True,
}
PER_KIND = 40
FORM_WALKERS = 8


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def viber_call(account, i: int) -> Call:
    raw, signature = viber_delivery(VIBER_TOKEN, i, people=10, first_token=7_000_000_000)
    headers = {"Content-Type": "application/json", "X-Viber-Content-Signature": signature}
    return Call("POST", f"/inbox/webhooks/{account.webhook_token}/", raw, headers)


FORM_STEPS = [
    (1, {"category": "cyberbullying", "go": "next"}),
    (
        2,
        {
            "description": "They post mean things about me in the class group every night.",
            "when_date": "2026-11-30",
            "when_time": "20:15",
            "when_timezone": "Europe/Belgrade",
            "platforms": "instagram",
            "urls": "https://www.instagram.com/p/Cclass42/",
            "people": "@class.bully",
            "in_danger": "no",
            "reported_to": "none",
            "go": "next",
        },
    ),
    (3, {"go": "next"}),
    (4, {"reporter": "child", "reply": "anonymous", "consent": "on", "go": "send"}),
]


def file_through_the_form(base_url: str) -> str:
    """Walk the four pages with cookies and the CSRF token, as a browser does; the reference shown."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(f"{base_url}/public/report/", timeout=60).read()
    for step, fields in FORM_STEPS:
        token = next(c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        page = browser.open(f"{base_url}/public/report/{step}/", data=body, timeout=60)
        html = page.read().decode()
    # The last POST redirects to the receipt, which shows the reference once.
    return re.search(r'id="reference">([^<]+)<', html).group(1)


def api_call(path: str, body: dict, key: str | None = None) -> Call:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Token {key}"
    return Call("POST", path, json.dumps(body).encode(), headers)


@pytest.mark.django_db(transaction=True)
def test_reports_webhooks_and_staff_writes_at_once_lose_nothing(tmp_path):
    loading.load()
    counsellors = [testing.make_user("counsellor") for _ in range(2)]
    keys = [create_api_token(actor=user, user=user, name="load")[1] for user in counsellors]
    testing.channel("viber")
    account = inbox_actions.create_account(kind="viber", name="Viber", settings={}, token=VIBER_TOKEN)
    waiting = [testing.make_contact(counsellors[i % 2]) for i in range(PER_KIND // 4)]

    calls: list[tuple[str, Call]] = []
    calls += [("report", api_call("/api/v1/reports/", REPORT)) for _ in range(PER_KIND)]
    calls += [("webhook", viber_call(account, i)) for i in range(PER_KIND)]
    calls += [
        (
            "call",
            api_call(
                "/api/v1/contacts/",
                {
                    "channel": "phone",
                    "summary": f"Call {i}: advice on privacy settings.",
                    "urgent": i % 5 == 0,
                },
                keys[i % 2],
            ),
        )
        for i in range(PER_KIND)
    ]
    calls += [
        (
            "case",
            api_call(
                "/api/v1/cases/",
                {
                    "title": f"Case {i}",
                    "kind": "advisory",
                    "contacts": [c.pk],
                    "categories": ["cyberbullying"],
                },
                keys[i % 2],
            ),
        )
        for i, c in enumerate(waiting)
    ]
    random.Random(7).shuffle(calls)

    postgres = connection.vendor == "postgresql"
    env = {
        # The same keys as this process, so the children read the channel secrets stored here.
        "SMARTSAFE_SECRET_KEY": settings.SECRET_KEY,
        "SMARTSAFE_PSEUDONYM_KEY": settings.SMARTSAFE_PSEUDONYM_KEY,
        "SMARTSAFE_CHANNEL_SECRETS_KEY": settings.SMARTSAFE_CHANNEL_SECRETS_KEY,
        "SMARTSAFE_DEMO": "1",
        "SMARTSAFE_DATA_DIR": str(tmp_path),
        "SMARTSAFE_PORTAL_REPORTS_PER_HOUR": "0",
        "SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES": "0",
        "SMARTSAFE_EVIDENCE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "SMARTSAFE_DB_POOL_SIZE": "6",
    }
    log = tmp_path / "platform.log"
    with Platform(
        database_url(), web=2 if postgres else 1, workers=2 if postgres else 1, env=env, log_path=log
    ) as site:
        form_references: list[str] = []
        form_errors: list[str] = []

        def walk():
            try:
                form_references.append(file_through_the_form(site.base_url))
            except Exception as error:  # reported by the assertion below
                form_errors.append(repr(error))

        walkers = [threading.Thread(target=walk, daemon=True) for _ in range(FORM_WALKERS)]
        for walker in walkers:
            walker.start()
        outcomes = drive(site.port, [call for _kind, call in calls], clients=16)
        for walker in walkers:
            walker.join(timeout=120)
        assert form_errors == [], log.read_text()[-3000:]
        expected = {"report": 201, "webhook": 200, "call": 201, "case": 201}
        wrong = [
            (kind, outcome.status, outcome.body[:200])
            for (kind, _call), outcome in zip(calls, outcomes, strict=True)
            if outcome.status != expected[kind]
        ]
        assert wrong == [], log.read_text()[-3000:]
        # Every acknowledged webhook becomes exactly one stored message, by the workers; every
        # accepted API report one registered report (portal/submissions.py), by the workers too.
        assert until(lambda: InboundMessage.objects.count() >= PER_KIND, timeout=60), log.read_text()[-3000:]
        registered = PER_KIND + FORM_WALKERS
        assert until(lambda: PublicReport.objects.count() >= registered, timeout=60), log.read_text()[-3000:]
        assert until(lambda: not ReportSubmission.objects.exists(), timeout=30)

    references = [
        json.loads(o.body)["reference"] for (k, _c), o in zip(calls, outcomes, strict=True) if k == "report"
    ]
    assert len(set(references)) == PER_KIND
    assert PublicReport.objects.filter(reference__in=references).count() == PER_KIND
    assert PublicReport.objects.filter(reference__in=form_references).count() == FORM_WALKERS
    assert PublicReport.objects.count() == PER_KIND + FORM_WALKERS
    assert InboundMessage.objects.count() == PER_KIND
    # Each of the ten people is one conversation, though two workers threaded their messages at once.
    assert Contact.objects.filter(channel__code="viber").count() == 10
    assert Contact.objects.filter(channel__code="phone", summary__startswith="Call ").count() == PER_KIND
    assert Contact.objects.filter(case__isnull=False).count() == len(waiting)
    # The statistics equal a full recount; the audit chain is whole (everything sealed).
    assert rollups.check() == {}
    result = verify_chain()
    assert result.ok, result.problem and result.problem.describe()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
