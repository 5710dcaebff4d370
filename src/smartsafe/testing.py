"""Test personas and small builders shared by every app's tests.

Builders use ``get_or_create`` on stable codes, so they work whether or not the shipped taxonomy
is in the database.
"""

from __future__ import annotations

import base64
import itertools

from django.contrib.auth import get_user_model

from smartsafe.cases.actions import open_case
from smartsafe.directory.models import Institution, InstitutionMember
from smartsafe.intake.actions import log_contact
from smartsafe.taxonomy.models import Category, Channel, Platform

_counter = itertools.count(1)


def make_user(role: str, username: str | None = None, *, institution=None, password: str = "correct-horse-9"):

    username = username or f"{role}{next(_counter)}"
    user = get_user_model().objects.create_user(username=username, password=password, role=role)
    if institution is not None:
        InstitutionMember.objects.create(user=user, institution=institution)
    return user


def make_institution(code: str = "police-test", kind: str = "police"):

    institution, _ = Institution.objects.get_or_create(
        code=code, defaults={"kind": kind, "name_sr": f"Институција {code}", "name_en": f"Institution {code}"}
    )
    return institution


def channel(code: str = "phone"):

    kind = {"phone": "phone", "email": "email", "web_form": "web", "viber": "social"}.get(code, "other")
    obj, _ = Channel.objects.get_or_create(
        code=code, defaults={"name_sr": code, "name_en": code, "kind": kind}
    )
    return obj


def category(code: str = "cyberbullying", kind: str = "referral"):

    obj, _ = Category.objects.get_or_create(
        code=code, defaults={"name_sr": code, "name_en": code, "kind": kind}
    )
    return obj


def platform(code: str = "instagram"):

    obj, _ = Platform.objects.get_or_create(
        code=code, defaults={"name_sr": code, "name_en": code, "kind": "social"}
    )
    return obj


def make_contact(actor, **fields):

    fields.setdefault("summary", "Дете пријављује узнемиравање на мрежи")
    return log_contact(actor=actor, channel=fields.pop("channel", None) or channel("phone"), **fields)


def make_case(actor, *, contacts=None, **fields):

    if contacts is None:
        contacts = [make_contact(actor)]
    fields.setdefault("title", "Узнемиравање на Инстаграму")
    return open_case(actor=actor, contacts=contacts, **fields)


#: The evidence vault's master key in tests (32 bytes, base64): fixed, so sealed test data opens.
TEST_VAULT_KEY = base64.b64encode(bytes(range(32))).decode()


def use_test_vault(settings, media_root):
    """Point the evidence vault at ``media_root`` under the fixed test key, with no virus scanner;
    for the autouse ``vault`` fixtures of the apps that store files."""
    settings.MEDIA_ROOT = media_root
    settings.SMARTSAFE_EVIDENCE_KEY = TEST_VAULT_KEY
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    return media_root
