"""Portal tests: a temporary evidence vault, a fresh cache (rate limits), and a walk through the form."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartsafe import testing


@pytest.fixture(autouse=True)
def vault(settings, tmp_path):
    return testing.use_test_vault(settings, tmp_path / "media")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def png_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def png(name="screenshot.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def bad_file(name="virus.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/octet-stream")


DETAILS = {
    "description": "A man on Instagram keeps asking my friend for photos and says it is our secret.",
    "when_date": "2025-03-14",
    "when_time": "21:30",
    "when_timezone": "Europe/Belgrade",
    "platforms": ["instagram"],
    "urls": "https://www.instagram.com/p/abc123/",
    "people": "@bad.guy_77",
    "age_band": "13-15",
    "municipality": "rs-beograd",
    "in_danger": "no",
    "reported_to": ["platform"],
    "report_tickets": "IG-555",
}
ABOUT = {"reporter": "child", "reply": "anonymous", "consent": "on"}


class Walker:
    """Files a report through the real pages, as a person would."""

    def __init__(self, client: Client):
        self.client = client

    def step(self, number, data, **extra):
        return self.client.post(f"/public/report/{number}/", data, **extra)

    def file(self, category="predators", details=None, uploads=(), about=None):
        assert self.step(1, {"category": category, "go": "next"}).status_code == 302
        response = self.step(2, {**DETAILS, **(details or {}), "go": "next"})
        assert response.status_code == 302, response.content.decode()[:3000]
        if uploads:
            response = self.step(3, {"files": list(uploads), "go": "upload"})
            assert response.status_code == 302, response.content.decode()[:3000]
        assert self.step(3, {"go": "next"}).status_code == 302
        return self.step(4, {**ABOUT, **(about or {}), "go": "send"})


@pytest.fixture
def walker(db):
    return Walker(Client(REMOTE_ADDR="203.0.113.7"))


def answers(category="cyberbullying", **overrides) -> dict:
    """Stored answers as ``answers.build`` makes them, for tests that file through the action."""
    base = {
        "category": category,
        "description": "They post mean things about me in the class group every night.",
        "when": {
            "date": "2025-03-14",
            "time": "21:30",
            "timezone": "Europe/Belgrade",
            "unsure": False,
            "at": "",
        },
        "platforms": ["instagram"],
        "urls": ["https://www.instagram.com/p/abc123/"],
        "people": ["@bully_one"],
        "age_band": "13-15",
        "municipality": "rs-beograd",
        "in_danger": "no",
        "reported_to": ["none"],
        "report_tickets": "",
        "reporter": "child",
        "anonymous": True,
        "language": "en",
    }
    return {**base, **overrides}


@pytest.fixture
def filed(db):
    """A filed report: ``(report, secret)``."""
    from smartsafe.portal import actions
    from smartsafe.portal.models import PublicReport

    receipt = actions.submit_report(answers=answers(), named_files=[("chat.png", png_bytes())])
    return PublicReport.objects.get(reference=receipt.reference), receipt.secret
