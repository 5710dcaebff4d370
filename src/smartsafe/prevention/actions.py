"""Every write to the prevention programme, each with its audit event in the same transaction.

Actions take plain values (model instances for relations) and raise ``ValidationError`` with
field errors, ``PermissionDenied`` for a role that may not write, ``StaleVersion`` for an edit
of an event someone else saved meanwhile. The import (``importers``) calls the same actions, one
atomic block per row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.concurrency import lock_for_update
from smartsafe.core.text import fold_many

from .models import AUDIENCE_FIELDS, Event, EventKind, EventStatus, Venue, VenueKind, home_country
from .permissions import can_write_prevention

# The event's own columns an action may set (relations and the M2M lists are handled apart).
EVENT_FIELDS = (
    "kind",
    "status",
    "title",
    "date",
    "start_time",
    "duration_minutes",
    "language",
    "venue",
    "country",
    "municipality",
    "town",
    *AUDIENCE_FIELDS,
    "materials",
    "feedback_responses",
    "feedback_average",
    "feedback_comments",
    "notes",
)
EVENT_M2M = ("presenters", "partners", "topics")
VENUE_FIELDS = (
    "name",
    "kind",
    "country",
    "municipality",
    "town",
    "address",
    "external_id",
    "notes",
    "active",
)
# Events that need no place: they reach people wherever they are.
PLACELESS_KINDS = (EventKind.WEBINAR, EventKind.CAMPAIGN)


def _require_writer(actor, *, system: bool = False) -> None:
    # ``system``: a management command run by an operator on the server, with no account.
    if system and actor is None:
        return
    if not can_write_prevention(actor):
        raise PermissionDenied(_("Only prevention coordinators and supervisors record prevention work."))


def local_today() -> dt.date:
    return timezone.localdate()


# --- venues ---------------------------------------------------------------------------------------


def _check_venue(venue: Venue) -> None:
    errors: dict[str, list[str]] = {}
    try:
        venue.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    venue.country = (venue.country or "").strip().upper()
    if len(venue.country) != 2 or not venue.country.isalpha() or not venue.country.isascii():
        errors.setdefault("country", []).append(_("Give the country as a two-letter code, e.g. RS or ME."))
    elif venue.municipality_id and venue.municipality.country.upper() != venue.country:
        errors.setdefault("municipality", []).append(_("This municipality is not in the venue's country."))
    if venue.kind != VenueKind.ONLINE and not venue.municipality_id and not venue.town.strip():
        errors.setdefault("municipality", []).append(_("Choose the municipality, or name the town."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_venue(*, actor, system: bool = False, **fields) -> Venue:
    """Add a place to the register. ``fields``: see ``VENUE_FIELDS``; ``name`` and ``kind`` required."""
    _require_writer(actor, system=system)
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"create_venue: unknown fields {sorted(unknown)}")
    fields.setdefault(
        "country", fields["municipality"].country if fields.get("municipality") else home_country()
    )
    venue = Venue(**{k: v for k, v in fields.items()})
    venue.name = (venue.name or "").strip()
    venue.town = (venue.town or "").strip()
    _check_venue(venue)
    venue.save()
    record(codes.PREVENTION_VENUE_CREATE, actor=actor, obj=venue, kind=venue.kind)
    return venue


@transaction.atomic
def update_venue(*, actor, venue: Venue, **fields) -> Venue:
    _require_writer(actor)
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"update_venue: unknown fields {sorted(unknown)}")
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    changed = [name for name, value in fields.items() if getattr(venue, name) != value]
    for name, value in fields.items():
        setattr(venue, name, value.strip() if isinstance(value, str) and name in ("name", "town") else value)
    _check_venue(venue)
    if not changed:
        return venue
    venue.save()
    if {"country", "municipality", "town"} & set(changed):
        # Events copy the place from their venue; a corrected venue corrects its events.
        venue.events.update(country=venue.country, municipality=venue.municipality, town=venue.town)
    record(codes.PREVENTION_VENUE_UPDATE, actor=actor, obj=venue, fields=sorted(changed))
    return venue


@transaction.atomic
def merge_venues(*, actor, keep: Venue, duplicate: Venue) -> Venue:
    """Move every event of ``duplicate`` to ``keep``, fill ``keep``'s empty details from it, and
    delete ``duplicate``. The events take ``keep``'s place (country, municipality, town)."""
    _require_writer(actor)
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A venue cannot be merged into itself.")})
    keep = Venue.objects.select_for_update().get(pk=keep.pk)
    duplicate = Venue.objects.select_for_update().get(pk=duplicate.pk)
    filled = []
    for name in ("address", "external_id", "notes", "town"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    if filled:
        keep.save()
    moved = Event.objects.filter(venue=duplicate).update(
        venue=keep, country=keep.country, municipality=keep.municipality, town=keep.town
    )
    label, duplicate_pk = str(duplicate), duplicate.pk
    duplicate.delete()
    record(
        codes.PREVENTION_VENUE_MERGE,
        actor=actor,
        obj=keep,
        duplicate=duplicate_pk,
        duplicate_label=label[:200],
        events_moved=moved,
        filled=filled,
    )
    return keep


# --- events ---------------------------------------------------------------------------------------


def _check_event(event: Event, m2m: dict, *, today: dt.date) -> None:
    """Every rule an event must keep, as field errors (all of them at once)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if event.venue_id:
        # The place is the venue's: copy it so statistics group events without a join.
        event.country, event.municipality, event.town = (
            event.venue.country,
            event.venue.municipality,
            event.venue.town,
        )
    event.country = (event.country or "").strip().upper()
    event.town = (event.town or "").strip()
    event.pupils = sum(getattr(event, name) or 0 for name in AUDIENCE_FIELDS[:3])
    try:
        event.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    if len(event.country) != 2 or not event.country.isalpha() or not event.country.isascii():
        add("country", _("Give the country as a two-letter code, e.g. RS or ME."))
    elif event.municipality_id and event.municipality.country.upper() != event.country:
        add("municipality", _("This municipality is not in the event's country."))
    if not (event.venue_id or event.municipality_id or event.town or event.kind in PLACELESS_KINDS):
        add("venue", _("Choose the venue, or give the municipality or town where it was held."))
    if event.date and event.status == EventStatus.HELD and event.date > today:
        add("date", _("An event in the future cannot have been held yet; record it as planned."))
    if event.status == EventStatus.CANCELLED and not event.cancel_reason.strip():
        add("cancel_reason", _("Say why the event was cancelled."))
    if event.feedback_average is not None:
        if not event.feedback_responses:
            add("feedback_responses", _("An average rating needs the number of responses it comes from."))
    if event.feedback_responses and event.audience_total and event.feedback_responses > event.audience_total:
        add("feedback_responses", _("More feedback responses than people present."))
    presenters = m2m.get("presenters")
    if presenters:
        inactive = [p for p in presenters if not getattr(p, "is_active", False)]
        if inactive:
            add("presenters", _("Presenters must be active staff accounts."))
    if errors:
        raise ValidationError(errors)


def _refresh_search_text(event: Event) -> None:
    municipality = event.municipality
    venue = event.venue
    text = fold_many(
        event.title,
        venue.name if venue else "",
        venue.external_id if venue else "",
        event.town,
        municipality.name_sr if municipality else "",
        municipality.name_en if municipality else "",
        event.notes,
        event.materials,
        " ".join(o.name for o in event.partners.all()),
        " ".join(o.acronym for o in event.partners.all() if o.acronym),
        " ".join(f"{t.name_sr} {t.name_en}" for t in event.topics.all()),
    )
    Event.objects.filter(pk=event.pk).update(search_text=text)
    event.search_text = text


def _set_m2m(event: Event, m2m: dict) -> None:
    for name in EVENT_M2M:
        if name in m2m and m2m[name] is not None:
            getattr(event, name).set(list(m2m[name]))


def _split(fields: dict) -> tuple[dict, dict]:
    unknown = set(fields) - set(EVENT_FIELDS) - set(EVENT_M2M) - {"cancel_reason"}
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    return (
        {k: v for k, v in fields.items() if k not in EVENT_M2M},
        {k: v for k, v in fields.items() if k in EVENT_M2M},
    )


@transaction.atomic
def create_event(
    *, actor, via: str = "form", today: dt.date | None = None, system: bool = False, **fields
) -> Event:
    """Record an event (planned, or held in the past). ``fields``: ``EVENT_FIELDS`` and the lists
    ``presenters`` (users), ``partners`` (directory organisations), ``topics`` (categories)."""
    _require_writer(actor, system=system)
    plain, m2m = _split(fields)
    event = Event(created_by=actor, **plain)
    if not plain.get("country") and not plain.get("venue"):
        event.country = plain["municipality"].country if plain.get("municipality") else home_country()
    _check_event(event, m2m, today=today or local_today())
    event.save()
    _set_m2m(event, m2m)
    _refresh_search_text(event)
    record(
        codes.PREVENTION_EVENT_CREATE, actor=actor, obj=event, kind=event.kind, status=event.status, via=via
    )
    return event


@transaction.atomic
def update_event(
    *, actor, event: Event, expected_version: int | None = None, today: dt.date | None = None, **fields
) -> Event:
    """Change an event; ``expected_version`` (what the form read) refuses a stale edit."""
    _require_writer(actor)
    plain, m2m = _split(fields)
    event = lock_for_update(Event.objects.all(), event.pk, expected_version=expected_version)
    before = {name: getattr(event, name) for name in plain}
    before_m2m = {name: {o.pk for o in getattr(event, name).all()} for name in m2m}
    for name, value in plain.items():
        setattr(event, name, value)
    if event.status != EventStatus.CANCELLED:
        event.cancel_reason = ""
    _check_event(event, m2m, today=today or local_today())
    changed = [name for name in plain if getattr(event, name) != before[name]]
    changed += [name for name in m2m if {o.pk for o in m2m[name] or []} != before_m2m[name]]
    if not changed:
        return event
    event.save()
    _set_m2m(event, m2m)
    _refresh_search_text(event)
    record(codes.PREVENTION_EVENT_UPDATE, actor=actor, obj=event, fields=sorted(changed))
    return event


@transaction.atomic
def cancel_event(*, actor, event: Event, reason: str, expected_version: int | None = None) -> Event:
    """Cancel a planned event. A held event is not cancelled: correct it instead."""
    _require_writer(actor)
    event = lock_for_update(Event.objects.all(), event.pk, expected_version=expected_version)
    reason = (reason or "").strip()
    if event.status == EventStatus.HELD:
        raise ValidationError({"reason": _("This event was held; edit it rather than cancel it.")})
    if event.status == EventStatus.CANCELLED:
        raise ValidationError({"reason": _("This event is already cancelled.")})
    if not reason:
        raise ValidationError({"reason": _("Say why the event was cancelled.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    record(codes.PREVENTION_EVENT_CANCEL, actor=actor, obj=event, reason=reason)
    return event
