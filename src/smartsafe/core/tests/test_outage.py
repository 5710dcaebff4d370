"""A database outage answers 503 with Retry-After, keeps what was typed, and heals by itself.

The end-to-end test runs the real server (uvicorn, as ``manage.py serve`` starts it) against a
throw-away PostgreSQL cluster it stops and starts itself (``pgcluster``), never the shared one.
It needs the PostgreSQL server binaries: where they are missing it fails when the suite runs on
PostgreSQL or in CI (both install them), and is skipped only on a developer's SQLite machine.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from smartsafe.core import outage

from . import pgcluster

ROOT = Path(__file__).resolve().parents[4]
# The pool's reconnection backoff doubles from one second while the database is away.
RECOVERY_SECONDS = 30
DETAILS = {
    "description": "A man on Instagram keeps asking my friend for photos and says it is our secret.",
    "when_date": "2025-03-14",
    "when_time": "21:30",
    "when_timezone": "Europe/Belgrade",
    "platforms": "instagram",
    "urls": "https://www.instagram.com/p/abc123/",
    "people": "@bad.guy_77",
    "age_band": "13-15",
    "municipality": "rs-beograd",
    "in_danger": "no",
    "reported_to": "platform",
    "report_tickets": "IG-555",
    "go": "next",
}
REPORT = {
    "category": "threats_blackmail",
    "description": "Someone says they will post my photos unless I pay 100 euros.",
    "when_date": "2025-04-01",
    "platforms": ["instagram"],
    "age_band": "16-17",
    "municipality": "rs-beograd",
    "in_danger": "no",
    "reporter": "parent",
    "consent": True,
}


# --- the error view itself ----------------------------------------------------------------------


def _answer(request, exc: BaseException):
    try:
        raise exc
    except BaseException:
        return outage.server_error(request)


def test_a_database_error_is_a_503_in_the_callers_language_of_formats():
    factory = RequestFactory()
    api = _answer(factory.post("/api/v1/reports/", {}), OperationalError("server closed the connection"))
    assert api.status_code == 503 and api["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert json.loads(api.content)["code"] == "database_unavailable"
    hook = _answer(
        factory.post("/inbox/webhooks/abc/", b"{}", content_type="application/json"), OperationalError()
    )
    assert hook.status_code == 503 and hook["Content-Type"].startswith("text/plain")
    page = _answer(factory.get("/public/", HTTP_ACCEPT="text/html"), OperationalError())
    assert page.status_code == 503 and b"<html" in page.content and page["Cache-Control"] == "no-store"


def test_an_error_raised_while_handling_a_database_error_is_still_an_outage():
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            raise RuntimeError("a template tag failed on the way") from None
    except RuntimeError as exc:
        wrapped = exc
    assert not outage.is_database_outage(wrapped)  # "from None" drops the cause on purpose
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as exc:
            raise RuntimeError("a template tag failed on the way") from exc
    except RuntimeError as exc:
        assert outage.is_database_outage(exc)


def test_other_errors_keep_the_500_page():
    response = _answer(RequestFactory().get("/x/", HTTP_ACCEPT="text/html"), ZeroDivisionError())
    assert response.status_code == 500


def test_the_page_keeps_the_typed_answers_but_never_a_password():
    request = RequestFactory().post(
        "/public/report/2/",
        {"description": "They <b>threaten</b> me", "password": "hunter2-hunter2", "go": "next"},
        HTTP_ACCEPT="text/html",
    )
    page = _answer(request, OperationalError()).content.decode()
    assert "They &lt;b&gt;threaten&lt;/b&gt; me" in page  # shown back, escaped
    assert 'name="description"' in page and 'name="go" value="next"' in page  # sent again as typed
    assert "hunter2" not in page


# --- the real server against a cluster that goes down -------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF tokens, and every answer as (status, headers, text), redirects not followed."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)

    def request(self, method, path, data=None, *, json_body=None, accept="text/html", timeout=30):
        headers = {"Accept": accept, "Referer": self.base + path}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def hidden_fields(page: str) -> list[tuple[str, str]]:
    pairs = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    return [(html.unescape(name), html.unescape(value)) for name, value in pairs]


def _cluster_binaries() -> Path:
    return pgcluster.required_binaries()


def _child_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "SMARTSAFE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")])),
        DATABASE_URL=database_url,
        SMARTSAFE_DEMO="1",
        SMARTSAFE_DATA_DIR=str(data_dir),
        SMARTSAFE_LANGUAGE="en",
        SMARTSAFE_LOG_LEVEL="CRITICAL",
        # With the connection pool, a request waits this long for a connection before its 503.
        SMARTSAFE_DB_POOL_TIMEOUT="2",
    )
    return env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated throw-away cluster and the real server in front of it."""
    bin_dir = _cluster_binaries()
    data_dir = tmp_path_factory.mktemp("outage-site")
    with pgcluster.Cluster(bin_dir) as pg:
        pg.createdb("smartsafe")
        env = _child_env(pg.url("smartsafe"), data_dir)
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=600,
        )
        port = pgcluster.free_port()
        log = open(data_dir / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "smartsafe.config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(lambda: Browser(base).request("GET", "/public/", timeout=5)[0] == 200, 60, server)
            yield pg, server, base
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()


def _wait_for(check, seconds: float, server=None) -> float:
    """Seconds until ``check()`` holds; fails after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if server is not None and server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}")
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s")


def _until_ok(browser, server) -> float:
    """Seconds until the portal answers 200 again; every answer meanwhile is 200 or 503."""
    seen = []

    def ok():
        seen.append(browser.request("GET", "/public/")[0])
        return seen[-1] == 200

    seconds = _wait_for(ok, RECOVERY_SECONDS, server)
    assert set(seen) <= {200, 503}, seen
    return seconds


def test_outage_answers_503_keeps_the_typed_report_and_recovers_without_a_restart(site):
    pg, server, base = site
    person = Browser(base)
    status, _headers, page = person.request("GET", "/public/report/1/")
    assert status == 200
    status, _headers, _page = person.request(
        "POST",
        "/public/report/1/",
        {"csrfmiddlewaretoken": person.csrf(page), "category": "predators", "go": "next"},
    )
    assert status == 302
    status, _headers, page = person.request("GET", "/public/report/2/")
    assert status == 200
    typed = {**DETAILS, "csrfmiddlewaretoken": person.csrf(page)}

    pg.stop()
    down_at = time.monotonic()
    try:
        status, headers, page = person.request("GET", "/public/")
        assert status == 503 and headers["Retry-After"] == str(outage.RETRY_AFTER_SECONDS), page[:500]
        assert "Briefly unavailable" in page
        # The person presses "Next" during the outage: nothing saved, everything kept on the page.
        status, headers, page = person.request("POST", "/public/report/2/", typed)
        assert status == 503 and headers["Retry-After"], page[:500]
        assert html.escape(DETAILS["description"], quote=True) in page
        kept = hidden_fields(page)
        assert ("description", DETAILS["description"]) in kept and (
            "csrfmiddlewaretoken",
            typed["csrfmiddlewaretoken"],
        ) in kept
        # The API and the webhooks say 503 too, so apps and providers retry.
        status, headers, body = Browser(base).request(
            "POST", "/api/v1/reports/", json_body=REPORT, accept="application/json"
        )
        assert status == 503 and headers["Retry-After"] and json.loads(body)["code"] == "database_unavailable"
        status, headers, _body = Browser(base).request(
            "POST", "/inbox/webhooks/some-token/", json_body={}, accept="*/*"
        )
        assert status == 503 and headers["Retry-After"]
    finally:
        pg.start()
        outage_seconds = time.monotonic() - down_at

    # Back without restarting the server. The connection pool reconnects with a backoff that grew
    # during the outage, so the first requests may still wait or get a 503; none gets a 500.
    recovered = _until_ok(person, server)
    print(
        f"database down {outage_seconds:.1f} s; the site answered again {recovered:.1f} s after it was back"
    )
    assert server.poll() is None, "the same server process, never restarted"
    status, headers, _page = person.request("POST", "/public/report/2/", kept)  # "Send again"
    assert status == 302 and headers["Location"].endswith("/public/report/3/")
    status, _headers, body = Browser(base).request(
        "POST", "/api/v1/reports/", json_body=REPORT, accept="application/json"
    )
    assert status == 201, body[:500]
    assert Browser(base).request("POST", "/inbox/webhooks/some-token/", json_body={}, accept="*/*")[0] == 404


def test_a_database_restart_leaves_no_stale_connection_behind(site):
    pg, server, base = site
    visitor = Browser(base)
    for _ in range(3):
        assert visitor.request("GET", "/public/")[0] == 200  # connections in use and pooled
        pg.restart()
        # Every connection the server held was cut: after at most a short wait for fresh ones,
        # none of the dead ones is ever handed out again.
        _until_ok(visitor, server)
        statuses = [visitor.request("GET", "/public/")[0] for _ in range(10)]
        assert statuses == [200] * 10, statuses
    assert server.poll() is None
