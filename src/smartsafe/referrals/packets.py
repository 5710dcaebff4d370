"""The referral packet: what an institution receives about a case (docs/domain.md §3 and §4).

``build_packet(referral) -> dict`` builds the JSON twin, frozen into ``Referral.packet`` when the
referral is sent. ``packet_pdf.render_pdf(packet, language) -> bytes`` prints that same
dict, so the PDF and the JSON can never say different things. ``packet_bytes`` is the one
serialisation that is attached and hashed: ``packet_sha256(packet)`` is the SHA-256 printed in
the PDF footer and stored in ``Referral.packet_sha256``, and anyone holding the attached JSON file
can check it with ``sha256sum``.

Contracts:

- **Deterministic**: the same referral gives the same dict and the same bytes (no "generated at",
  every list in a stable order), so a re-built packet can be compared with the frozen one.
- **Never the reporter**: nothing of ``Contact.reporter_name``, ``reporter_contact``,
  ``sender_hint`` or ``sender_hash`` goes in; the child is described by age band, sex and
  municipality only.
- **Evidence by hash, not by content**: files are listed with their SHA-256 and size; a file is
  marked ``attached`` only when its id is in ``referral.shared_evidence`` (the counsellor's
  deliberate choice).
- **One language**: names, labels and (for Serbian Latin) the free text are in the packet
  language; Latin is generated from Cyrillic, never the reverse. Codes stay as they are.

The field-by-field description is in docs/referral-packet.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from smartsafe.evidence.models import EvidenceFile
from smartsafe.taxonomy.translation import pick, to_latin

SCHEMA = "smartsafe.referral-packet/1"
LANGUAGES = ("sr", "sr-latn", "en")

# Artefact kinds by the question they answer (docs/domain.md §4): where it happened, who did it.
WHERE_KINDS = ("url",)
WHO_KINDS = ("username", "profile_url", "platform_user_id", "phone", "email")

# The actionable facts a packet may lack, in the order an institution asks for them. Labels are
# translated into the packet language when the packet is built.
MISSING_LABELS = {
    "time": _("When it happened (date and time)"),
    "platform": _("Platform or service"),
    "urls": _("Exact URLs"),
    "profiles": _("Profiles, user names, IDs or numbers of the people involved"),
    "age_band": _("The child's age band"),
    "municipality": _("The child's municipality"),
}


# --- language -----------------------------------------------------------------------------------


def normalise_language(language: str | None) -> str:
    """``sr`` (Cyrillic), ``sr-latn`` or ``en`` for any spelling the directory or a caller uses."""
    value = (language or "").strip().lower().replace("_", "-")
    if value.startswith("sr-latn") or value == "sr-latin":
        return "sr-latn"
    if value.startswith("sr"):
        return "sr"
    return "en" if value.startswith("en") else "sr"


@contextmanager
def in_language(language: str):
    """Activate the catalogue a packet language reads from: Serbian Latin is derived from ``sr``."""
    with translation.override("en" if language == "en" else "sr"):
        yield


def localise(text, language: str) -> str:
    """A translated label (or authored free text) as the packet language shows it.

    Call inside ``in_language``. Only Serbian Latin changes the text: it is transliterated from
    the Cyrillic, so the institution that asked for Latin script gets Latin throughout.
    """
    text = "" if text is None else str(text)
    return to_latin(text) if language == "sr-latn" else text


# --- serialisation ------------------------------------------------------------------------------


def packet_bytes(packet: dict) -> bytes:
    """The packet as the JSON file that is attached and hashed: canonical JSON (sorted keys, no
    spaces, UTF-8) — byte for byte what ``actions.canonical_json`` freezes, so the hash stored on
    the referral, the one in the PDF footer and ``sha256sum`` of the attachment are one value."""
    return json.dumps(
        packet, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def packet_sha256(packet: dict) -> str:
    return hashlib.sha256(packet_bytes(packet)).hexdigest()


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset of the centre's time zone, e.g. ``2026-03-01T14:05:00+01:00``."""
    if value is None:
        return None
    return value.astimezone(_zone()).isoformat(timespec="seconds")


# --- building -----------------------------------------------------------------------------------


def build_packet(referral) -> dict:
    """The JSON twin of the referral packet, in ``referral.packet_language``."""
    language = normalise_language(referral.packet_language)
    with in_language(language):
        return _build(referral, language)


def _build(referral, language: str) -> dict:
    case = referral.case
    text = lambda value: localise(value, language)  # noqa: E731 — free text in the packet's script
    contacts = _contacts(case, language)
    artefacts = list(case.artefacts.select_related("platform").order_by("created_at", "pk"))
    platforms = _platforms(case, artefacts, language)
    where = [_artefact(a, language) for a in artefacts if a.kind in WHERE_KINDS]
    who = [_artefact(a, language) for a in artefacts if a.kind in WHO_KINDS]
    first_contact_at, last_contact_at = _first_last(contacts)
    child = _child(case, language)
    evidence = _evidence(referral, case)
    packet = {
        "schema": SCHEMA,
        "language": language,
        "time_zone": settings.TIME_ZONE,
        "centre": {
            # A proper name: Latin script for Latin and English readers.
            "name": settings.SMARTSAFE_CENTRE_NAME
            if language == "sr"
            else to_latin(settings.SMARTSAFE_CENTRE_NAME),
            "helpline": settings.SMARTSAFE_HELPLINE,
        },
        "referral": {
            "id": referral.pk,
            "kind": {"code": referral.kind, "name": text(referral.get_kind_display())},
            "urgent": bool(referral.urgent),
            "reason": text(referral.reason),
            "sent_at": _iso(referral.sent_at),
            "acknowledge_due_at": _iso(referral.acknowledge_due_at),
            "respond_due_at": _iso(referral.respond_due_at),
        },
        "institution": {
            "code": referral.institution.code,
            "kind": referral.institution.kind,
            "name": pick(sr=referral.institution.name_sr, en=referral.institution.name_en, language=language),
        },
        "case": {
            "reference": case.reference,
            "title": text(case.title),
            "summary": text(case.summary),
            "opened_at": _iso(case.opened_at),
            "categories": _categories(case, language),
        },
        "what": {
            "summary": text(case.summary),
            "contacts": contacts,
            "first_contact_at": first_contact_at,
        },
        "when": {
            "time_zone": settings.TIME_ZONE,
            # Contacts are stored in UTC; every time here is in the centre's zone, with its offset.
            "first_contact_at": first_contact_at,
            "last_contact_at": last_contact_at,
        },
        "where": {"platforms": platforms, "urls": where},
        "who": who,
        "child": child,
        "urgency": {
            "urgent": bool(referral.urgent),
            "reason": text(case.urgent_reason) if referral.urgent else "",
        },
        "evidence": evidence,
    }
    packet["missing"] = _missing(packet, language)
    return packet


def _named(term, language: str) -> dict | None:
    if term is None:
        return None
    return {"code": term.code, "name": term.name_in(language)}


def _categories(case, language: str) -> list[dict]:
    items = []
    for category in case.categories.order_by("sort_order", "code"):
        items.append(
            {
                "code": category.code,
                "name": category.name_in(language),
                "chi_code": category.chi_code,
                "chi_name": localise(category.get_chi_code_display(), language) if category.chi_code else "",
                "insafe_code": category.insafe_code,
                "insafe_name": localise(category.get_insafe_code_display(), language)
                if category.insafe_code
                else "",
            }
        )
    return items


def _contacts(case, language: str) -> list[dict]:
    """What each contact said, without who said it or how to reach them."""
    contacts = (
        case.contacts.select_related("channel", "reporter_type")
        .filter(non_data_kind="")
        .order_by("received_at", "pk")
    )
    return [
        {
            "reference": contact.reference,
            "received_at": _iso(contact.received_at),
            "channel": _named(contact.channel, language),
            "reporter_type": _named(contact.reporter_type, language),
            "summary": localise(contact.summary, language),
        }
        for contact in contacts
    ]


def _first_last(contacts: list[dict]) -> tuple[str | None, str | None]:
    # Contacts come ordered by time; comparing the strings would be wrong across a DST change.
    times = [c["received_at"] for c in contacts if c["received_at"]]
    return (times[0], times[-1]) if times else (None, None)


def _platforms(case, artefacts, language: str) -> list[dict]:
    """The case's platforms and those of its artefacts, once each, in taxonomy order."""
    seen = {p.pk: p for p in case.platforms.all()}
    for artefact in artefacts:
        if artefact.platform is not None:
            seen.setdefault(artefact.platform.pk, artefact.platform)
    ordered = sorted(seen.values(), key=lambda p: (p.sort_order, p.code))
    return [_named(p, language) for p in ordered]


def _artefact(artefact, language: str) -> dict:
    # Values are identifiers: never transliterated, never "corrected".
    return {
        "kind": artefact.kind,
        "kind_name": localise(artefact.get_kind_display(), language),
        "value": artefact.value,
        "normalized": artefact.normalized,
        "platform": _named(artefact.platform, language),
    }


def _child(case, language: str) -> dict:
    """The child as an institution needs it to decide jurisdiction: never a name or an address."""
    municipality = None
    if case.municipality is not None:
        m = case.municipality
        municipality = {
            "code": m.code,
            "name": m.name_in(language),
            "district": pick(sr=m.district, en=m.district_en, language=language),
            "region": pick(sr=m.region, en=m.region_en, language=language),
            "country": m.country,
        }
    return {
        "age_band": _named(case.child_age_band, language),
        "sex": _named(case.child_sex, language),
        "municipality": municipality,
    }


def _evidence_items(case) -> list[dict]:
    """The case's evidence files (its own and its contacts'), oldest first, as metadata only.

    Name, type, size and the SHA-256 computed on arrival: reading the content is the evidence
    app's business, with its own custody log. Deleted files are left out (their content is gone,
    and a deletion may answer an erasure request).
    """
    files = EvidenceFile.objects.for_case(case).present().order_by("received_at", "pk")
    return [
        {
            "id": item.pk,
            "filename": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "received_at": _iso(item.received_at),
            **_known_content(item),
        }
        for item in files
    ]


def _known_content(item) -> dict:
    """For a file on a partner's list of known abuse material: which list, and how it matched."""
    if not item.known_content:
        return {}
    return {
        "known_content": [
            {"list": m.list_name, "source": m.hash_list.source, "method": m.method, "distance": m.distance}
            for m in item.known_matches.select_related("hash_list").order_by("pk")
        ]
    }


def _evidence(referral, case) -> dict:
    shared = {int(i) for i in (referral.shared_evidence or []) if str(i).isdigit()}
    files = [{**item, "attached": item["id"] in shared} for item in _evidence_items(case)]
    return {"files": files, "count": len(files), "attached_count": sum(1 for f in files if f["attached"])}


def _missing(packet: dict, language: str) -> list[dict]:
    """The actionable facts that are empty, each with a label for the checklist."""
    empty = {
        "time": not packet["when"]["first_contact_at"],
        "platform": not packet["where"]["platforms"],
        "urls": not packet["where"]["urls"],
        "profiles": not packet["who"],
        "age_band": packet["child"]["age_band"] is None,
        "municipality": packet["child"]["municipality"] is None,
    }
    return [
        {"code": code, "label": localise(label, language)}
        for code, label in MISSING_LABELS.items()
        if empty[code]
    ]
