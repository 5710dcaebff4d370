"""A referral with everything an institution wants to know, and a bare one, for packet and delivery tests.

The reporter's name, contact and channel identity are filled in on purpose: the tests assert that
none of it ever reaches a packet, a PDF or an e-mail.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from smartsafe import testing
from smartsafe.cases.actions import add_artefact
from smartsafe.intake.models import Contact
from smartsafe.referrals.models import Referral
from smartsafe.taxonomy.models import AgeBand, Category, Municipality, Platform, ReporterType, Sex

BELGRADE = ZoneInfo("Europe/Belgrade")

REPORTER_NAME = "Марија Јовановић"
REPORTER_NAME_LATIN = "Marija Jovanović"
REPORTER_CONTACT = "+381 64 555 0101, marija.jovanovic@example.org"
SENDER_HINT = "+38164***0101"
REPORTER_TRACES = (
    REPORTER_NAME,
    REPORTER_NAME_LATIN,
    "555 0101",
    "marija.jovanovic",
    SENDER_HINT,
    "Јовановић",
)


def make_rich_referral(actor, institution, *, language: str = "sr", urgent: bool = True) -> Referral:
    """An urgent sextortion case from Niš: two contacts (winter and summer time), four artefacts."""
    parent = ReporterType.objects.get(code="parent")
    first = testing.make_contact(
        actor,
        summary="Непознати профил на Инстаграму тражи слике од сина и прети да ће објавити преписку.",
        received_at=dt.datetime(2026, 3, 1, 14, 5, tzinfo=BELGRADE),
        reporter_type=parent,
        reporter_name=REPORTER_NAME,
        reporter_contact=REPORTER_CONTACT,
    )
    second = testing.make_contact(
        actor,
        summary="Исти профил сада пише и на Телеграму; договорен је сусрет.",
        received_at=dt.datetime(2026, 7, 2, 9, 30, tzinfo=BELGRADE),
        reporter_name=REPORTER_NAME,
        reporter_contact=REPORTER_CONTACT,
    )
    Contact.objects.filter(pk__in=[first.pk, second.pk]).update(sender_hint=SENDER_HINT, sender_hash="f" * 64)
    instagram, telegram = Platform.objects.get(code="instagram"), Platform.objects.get(code="telegram")
    case = testing.make_case(
        actor,
        contacts=[first, second],
        title="Уцена дечака на Инстаграму",
        summary="Дечак (13) добија претње од непознатог профила који тражи интимне слике.",
        categories=[Category.objects.get(code="threats_blackmail"), Category.objects.get(code="csam")],
        platforms=[instagram],
        urgent=True,
        urgent_reason="Договорен сусрет сутра у 18 часова",
        child_age_band=AgeBand.objects.get(code="13-15"),
        child_sex=Sex.objects.get(code="male"),
        municipality=Municipality.objects.get(code="rs-nis"),
    )
    add_artefact(
        actor=actor,
        case=case,
        kind="profile_url",
        value="https://www.instagram.com/Predator.Example/?igshid=x",
    )
    add_artefact(actor=actor, case=case, kind="url", value="https://example.com/chat/123?utm_source=x")
    add_artefact(actor=actor, case=case, kind="username", value="@dark_knight_77", platform=telegram)
    add_artefact(actor=actor, case=case, kind="phone", value="064 123 4567")
    sent = dt.datetime(2026, 7, 2, 10, 0, tzinfo=BELGRADE)
    return Referral.objects.create(
        case=case,
        institution=institution,
        created_by=actor,
        urgent=urgent,
        reason="Уцена и договорен сусрет: надлежност ВТК.",
        packet_language=language,
        sent_at=sent,
        acknowledge_due_at=sent + dt.timedelta(hours=1),
        respond_due_at=sent + dt.timedelta(days=1),
    )


def make_bare_referral(actor, institution) -> Referral:
    """A case with nothing actionable: no contacts, platforms, artefacts, age band or municipality."""
    case = testing.make_case(actor, contacts=[], title="Пријава без детаља")
    return Referral.objects.create(case=case, institution=institution, created_by=actor, packet_language="en")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# Named fixtures, so test modules import them without shadowing the argument names.
@pytest.fixture(name="institution")
def institution_fixture(police):
    police.name_sr = "Министарство унутрашњих послова — Одељење за борбу против ВТК"
    police.name_en = "Ministry of Interior — High-Tech Crime Department"
    police.email = "vtk@example.gov.rs"
    police.save()
    return police


@pytest.fixture(name="referral")
def referral_fixture(counsellor, institution):
    return make_rich_referral(counsellor, institution)


@pytest.fixture(name="vault")
def vault_fixture(settings, tmp_path):
    """The evidence vault in a temporary folder under a fixed test key (no virus scanner)."""
    import base64

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    return tmp_path / "media"


CHAT_EXPORT = "[12.03.26 21:14] dark_knight_77: пошаљи слику или објављујем све\n".encode()


def add_evidence(actor, referral, data: bytes = CHAT_EXPORT, filename: str = "prepiska.txt"):
    """A file received on the referral's first contact (it follows the contact to the case)."""
    from smartsafe.evidence.actions import receive_file

    contact = referral.case.contacts.order_by("received_at", "pk").first()
    return receive_file(data=data, filename=filename, contact=contact, via="staff", actor=actor)
