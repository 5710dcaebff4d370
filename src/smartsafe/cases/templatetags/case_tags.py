"""Display helpers for the case pages: the timeline as sentences, badges, ages.

A ``TimelineEntry`` stores a stable ``kind`` and plain ``data``; the sentence is composed here at
display time, so the same history reads in whichever language the reader uses.
"""

from __future__ import annotations

import time

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from smartsafe.cases.models import ArtefactKind, Case, CaseLink, CaseState
from smartsafe.cases.states import TRANSITIONS
from smartsafe.directory.models import Institution
from smartsafe.inbox.models import ChannelKind  # the inbox app writes the message entries
from smartsafe.intake.titles import render as render_title
from smartsafe.referrals.states import LABELS as REFERRAL_STEP_LABELS
from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import Channel
from smartsafe.taxonomy.translation import pick

register = template.Library()


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _field_label(name: str) -> str:
    try:
        return str(Case._meta.get_field(name).verbose_name)
    except Exception:  # a field renamed since the entry was written
        return name


def _case_link(reference: str):
    if not reference:
        return ""
    return format_html(
        '<a href="{}">{}</a>', reverse("cases:detail", kwargs={"reference": reference}), reference
    )


def _sentence(entry, actor) -> str:
    """The sentence for one entry; ``actor`` is already-safe HTML, every other value is escaped."""
    data = entry.data or {}
    kind = entry.kind
    if kind == "opened":
        title = render_title(data.get("title_template", ""), data.get("title_args")) or data.get("title", "")
        return format_html(_("{actor} opened the case “{title}”."), actor=actor, title=title)
    if kind == "contact_linked":
        return format_html(
            _("{actor} linked contact {contact} ({channel})."),
            actor=actor,
            contact=data.get("contact", ""),
            channel=_channel_name(data.get("channel", "")),
        )
    if kind == "updated":
        fields = ", ".join(_field_label(f) for f in data.get("fields", []))
        return format_html(_("{actor} changed: {fields}."), actor=actor, fields=fields)
    if kind == "urgent_set":
        return format_html(
            _("{actor} flagged the child as in immediate danger: {reason}"),
            actor=actor,
            reason=data.get("reason", ""),
        )
    if kind == "urgent_cleared":
        return format_html(_("{actor} cleared the immediate-danger flag."), actor=actor)
    if kind == "state_changed":
        action = data.get("action", "")
        sentence = format_html(
            _("{actor}: {action} — from “{before}” to “{after}”."),
            actor=actor,
            action=str(TRANSITIONS[action].label) if action in TRANSITIONS else action,
            before=_label(CaseState, data.get("before")),
            after=_label(CaseState, data.get("after")),
        )
        if data.get("note"):
            sentence = format_html("{} {}", sentence, format_html(_("Note: {note}"), note=data["note"]))
        return sentence
    if kind == "assigned":
        if data.get("assignee"):
            return format_html(
                _("{actor} assigned the case to {assignee}."), actor=actor, assignee=_person(data["assignee"])
            )
        return format_html(_("{actor} left the case unassigned."), actor=actor)
    if kind == "note_added":
        return format_html(_("{actor} added a note."), actor=actor)
    if kind == "artefact_added":
        return format_html(
            _("{actor} added an online artefact ({kind}): {value}"),
            actor=actor,
            kind=_label(ArtefactKind, data.get("artefact_kind") or data.get("kind")),
            value=data.get("value", ""),
        )
    if kind == "case_linked":
        if data.get("reason") == CaseLink.Reason.SAME_ARTEFACT:
            return format_html(
                _("{actor}: linked with {other} — the same artefact {detail} appears there."),
                actor=actor,
                other=_case_link(data.get("other", "")),
                detail=data.get("detail", ""),
            )
        if data.get("reason") == CaseLink.Reason.SAME_EVIDENCE:
            return format_html(
                _(
                    "Linked with {other}: the same or a near-identical evidence file was received there ({detail})."
                ),
                other=_case_link(data.get("other", "")),
                detail=data.get("detail", ""),
            )
        return format_html(
            _("{actor} linked this case with {other}."), actor=actor, other=_case_link(data.get("other", ""))
        )
    if kind == "shared":
        return format_html(
            _("{actor} shared the case with {institution}."),
            actor=actor,
            institution=_institution_name(data.get("institution", "")),
        )
    if kind == "unshared":
        return format_html(
            _("{actor} stopped sharing the case with {institution}."),
            actor=actor,
            institution=_institution_name(data.get("institution", "")),
        )
    if kind == "email_sent":
        return format_html(
            _("{actor} replied by e-mail on {contact}: “{subject}”"),
            actor=actor,
            contact=data.get("contact", ""),
            subject=data.get("subject", ""),
        )
    if kind == "email_received":
        return format_html(
            _("An e-mail arrived on {contact}: “{subject}”"),
            contact=data.get("contact", ""),
            subject=data.get("subject", ""),
        )
    if kind in ("message_sent", "message_received"):
        channel = _label(ChannelKind, data.get("channel", ""))
        if kind == "message_sent":
            return format_html(
                _("{actor} replied to {contact} on {channel}."),
                actor=actor,
                contact=data.get("contact", ""),
                channel=channel,
            )
        return format_html(
            _("A {channel} message arrived on {contact}."), contact=data.get("contact", ""), channel=channel
        )
    if kind.startswith("referral_"):
        return _referral_sentence(kind.removeprefix("referral_"), data, actor)
    return format_html(_("{actor}: {kind}"), actor=actor, kind=kind)


def _channel_name(code: str) -> str:
    """A channel's name in the reader's language (``web_form`` → "Web form"); the code if unknown."""
    term = taxonomy_cache.by_code(Channel, code or "")
    return term.name if term else code


_PEOPLE: dict[str, tuple[float, str]] = {}


def _person(username: str) -> str:
    """The name a colleague is known by, for an entry that stored their username (kept a few
    minutes per process: a long timeline names the same few people many times)."""
    cached = _PEOPLE.get(username)
    if cached is None or time.monotonic() - cached[0] > _NAMES_TTL:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        cached = _PEOPLE[username] = (time.monotonic(), str(user) if user else username)
    return cached[1]


_INSTITUTION_NAMES: dict[str, tuple[float, str, str]] = {}
_NAMES_TTL = 300  # seconds; institutions are renamed rarely, and a timeline can name many


def _institution_name(code: str) -> str:
    """An institution's name in the reader's language, without a query per timeline line."""
    cached = _INSTITUTION_NAMES.get(code)
    if cached is None or time.monotonic() - cached[0] > _NAMES_TTL:
        _INSTITUTION_NAMES.clear()
        for each in Institution.objects.only("code", "name_sr", "name_en"):
            _INSTITUTION_NAMES[each.code] = (time.monotonic(), each.name_sr, each.name_en)
        cached = _INSTITUTION_NAMES.get(code)
    return pick(sr=cached[1], en=cached[2]) if cached else code


def _referral_sentence(event: str, data: dict, actor) -> str:
    """Referral events written by the referral workflow (``referrals/actions.py``, ``delivery.py``)."""
    institution = _institution_name(data.get("institution", ""))
    sentences = {
        "create": _("{actor} drafted a referral to {institution}."),
        "update": _("{actor} edited the draft referral to {institution}."),
        "message": _("{actor} wrote about the referral to {institution}."),
        "manual_delivery": _(
            "{actor} recorded that the referral reached {institution} by phone or on paper."
        ),
        "remind": _("A reminder went to {institution}: the referral is overdue."),
        "escalate": _("The overdue referral to {institution} was escalated to the supervisors."),
        "delivered": _("The referral was delivered to {institution} by e-mail."),
        "delivery_failed": _("Delivery of the referral to {institution} failed: {error}"),
    }
    if event in sentences:
        sentence = format_html(
            sentences[event], actor=actor, institution=institution, error=data.get("error", "")
        )
    else:
        sentence = format_html(
            _("{actor}: referral to {institution} — {step}."),
            actor=actor,
            institution=institution,
            step=REFERRAL_STEP_LABELS.get(event, event),
        )
    extras = []
    if data.get("on_behalf"):
        extras.append(format_html('<span class="muted">{}</span>', _("recorded on the institution's behalf")))
    if data.get("institution_reference"):
        extras.append(format_html(_("their reference {reference}"), reference=data["institution_reference"]))
    if data.get("note"):
        extras.append(format_html("“{}”", data["note"]))
    if extras:
        sentence = format_html("{} ({})", sentence, format_html_join(", ", "{}", ((e,) for e in extras)))
    return sentence


@register.simple_tag
def timeline_sentence(entry):
    """A translated sentence for a ``TimelineEntry``, actor included, safely escaped."""
    actor = format_html(
        '<span class="timeline-actor">{}</span>', str(entry.actor) if entry.actor else _("The system")
    )
    return _sentence(entry, actor)


@register.filter
def age_days(value) -> int:
    """Whole days since ``value`` (a datetime)."""
    if not value:
        return 0
    return max((timezone.now() - value).days, 0)


@register.inclusion_tag("cases/_state_badge.html")
def state_badge(case):
    return {"state": case.state, "label": case.get_state_display()}
