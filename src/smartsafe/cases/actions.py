"""Every write to cases. Each action checks permission, writes, adds a timeline entry and audits,
all in one transaction; a stale version or an illegal transition changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.concurrency import lock_for_update
from smartsafe.core.retry import retry_on_conflict
from smartsafe.intake import actions as intake_actions
from smartsafe.intake import facts as contact_facts
from smartsafe.taxonomy.models import Platform

from . import artefacts as artefact_rules
from .models import Artefact, Case, CaseLink, CaseNote, CaseShare, CaseState, Resolution, TimelineEntry
from .permissions import can_assign, can_transition, can_work_cases, is_supervisor
from .references import next_reference
from .states import STAGE_TIMESTAMP, transition_for

# Case fields a counsellor edits on the case form / API.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "summary",
    "urgent",
    "urgent_reason",
    "child_age_band",
    "child_sex",
    "municipality",
)


def _require_casework(actor) -> None:
    if not can_work_cases(actor):
        raise PermissionDenied(_("Your role may not change cases."))


def add_timeline_entry(case: Case, kind: str, actor=None, /, **data) -> TimelineEntry:
    """Put a line on the case's timeline: the one way any app writes one (a referral's answer, a
    message received or sent). ``kind`` is a stable code that the case page turns into a sentence
    (templatetags/case_tags.py); ``data`` names what it is about, never the content. The caller's
    transaction is the line's: it is written with the change it reports, or not at all."""
    return TimelineEntry.objects.create(case=case, kind=kind, actor=actor, data=data)


def _check_urgency(case: Case) -> None:
    if case.urgent and not case.urgent_reason.strip():
        raise ValidationError({"urgent_reason": _("Say why the child is in immediate danger.")})


@retry_on_conflict
@transaction.atomic
def open_case(
    *, actor, contacts=(), title: str, categories=(), platforms=None, assigned_to=None, **fields
) -> Case:
    """Open a case from zero or more contacts (which become ``linked``).

    What the contacts' channels know in structured form (``intake.facts``: a web report's age band,
    municipality, platforms and online artefacts) comes with them: the artefacts always, the age
    band, municipality and platforms where the caller did not give them (the case form shows
    them pre-filled, so a counsellor who clears one clears it)."""
    _require_casework(actor)
    contacts = list(contacts)
    facts = contact_facts.facts_for(contacts)
    fields.setdefault("child_age_band", facts.age_band)
    fields.setdefault("municipality", facts.municipality)
    if platforms is None:
        platforms = facts.platforms
    if not title.strip():
        raise ValidationError({"title": _("Give the case a short title.")})
    case = Case(
        reference=next_reference(), title=title.strip(), owner=actor, assigned_to=assigned_to or actor
    )
    generated = next((c for c in contacts if c.subject_template), None)
    if generated is not None and case.title == generated.display_subject:
        # The contact's generated subject, taken unchanged: it stays readable in every language.
        case.title_template, case.title_args = generated.subject_template, generated.subject_args
        case.title = generated.subject[:200]
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be set here.")})
        setattr(case, name, value)
    if any(c.urgent for c in contacts) and not case.urgent:
        # Urgency flagged at intake carries over; a counsellor's own flag needs their reason.
        case.urgent, case.urgent_reason = True, case.urgent_reason or _("Flagged urgent at intake")
    _check_urgency(case)
    case.save()
    case.categories.set(categories)
    case.platforms.set(platforms or [])
    generated_title = {"title_template": case.title_template, "title_args": case.title_args}
    add_timeline_entry(
        case,
        "opened",
        actor,
        title=case.title,
        urgent=case.urgent,
        **(generated_title if case.title_template else {}),
    )
    record(
        codes.CASE_CREATE, actor=actor, obj=case, urgent=case.urgent, categories=[c.code for c in categories]
    )
    for contact in contacts:
        _link_contact(case, contact, actor)
    for fact in facts.artefacts:
        _record_artefact(case, fact.kind, fact.value, fact.normalized, fact.platform, actor)
    return case


def _link_contact(case: Case, contact, actor) -> None:
    if contact.case_id == case.pk:
        return
    intake_actions.mark_linked(contact, case=case, actor=actor)
    add_timeline_entry(case, "contact_linked", actor, contact=contact.reference, channel=contact.channel.code)
    if contact.urgent and not case.urgent:
        # The caller saves the case (``open_case`` computed urgency before; ``link_contact`` saves after).
        case.urgent, case.urgent_reason = True, _("Flagged urgent at intake")


@retry_on_conflict
@transaction.atomic
def link_contact(*, actor, case: Case, contact) -> Case:
    _require_casework(actor)
    case = lock_for_update(Case.objects.all(), case.pk)
    if not case.is_open:
        raise ValidationError(_("Reopen the case before adding contacts to it."))
    _link_contact(case, contact, actor)
    case.save()
    return case


@transaction.atomic
def link_follow_up_contact(*, case: Case, contact) -> bool:
    """The system puts a reporter's own follow-up (sent with their report's secret on the public
    portal) on the case of their first report. No actor: nobody on staff decided it. A closed case
    takes no contacts; returns False and the follow-up waits in the inbox for a counsellor."""
    case = lock_for_update(Case.objects.all(), case.pk)
    if not case.is_open:
        return False
    _link_contact(case, contact, None)
    case.save()
    return True


@transaction.atomic
def update_case(
    *, actor, case: Case, expected_version: int | None, categories=None, platforms=None, **fields
) -> Case:
    """Edit a case's details. ``expected_version`` is the version the editor read."""
    _require_casework(actor)
    case = lock_for_update(Case.objects.all(), case.pk, expected_version=expected_version)
    changed = []
    was_urgent = case.urgent
    if case.title_template and "title" in fields:
        # The form showed the generated title in the editor's language: kept unless rewritten.
        if fields["title"].strip() == case.display_title:
            del fields["title"]
        else:
            case.title_template, case.title_args = "", {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be set here.")})
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if "title" in changed and not case.title.strip():
        raise ValidationError({"title": _("Give the case a short title.")})
    if not case.urgent:
        case.urgent_reason = ""
    _check_urgency(case)
    for name, values in (("categories", categories), ("platforms", platforms)):
        if values is None:
            continue
        manager = getattr(case, name)
        if set(manager.values_list("pk", flat=True)) != {v.pk for v in values}:
            manager.set(values)
            changed.append(name)
    if not changed:
        return case
    case.save()
    if case.urgent != was_urgent:
        add_timeline_entry(
            case, "urgent_set" if case.urgent else "urgent_cleared", actor, reason=case.urgent_reason
        )
        record(codes.CASE_URGENT, actor=actor, obj=case, urgent=case.urgent)
    add_timeline_entry(case, "updated", actor, fields=sorted(changed))
    record(codes.CASE_UPDATE, actor=actor, obj=case, fields=sorted(changed))
    return case


@transaction.atomic
def transition_case(
    *,
    actor,
    case: Case,
    action: str,
    expected_version: int | None = None,
    resolution: str = "",
    note: str = "",
) -> Case:
    """Move ``case`` through its state machine (``cases/states.py``)."""
    case = lock_for_update(Case.objects.all(), case.pk, expected_version=expected_version)
    transition = transition_for(action, case.state)
    if not can_transition(actor, transition):
        raise PermissionDenied(
            _("Only a supervisor may do this.")
            if transition.supervisor_only
            else _("Your role may not change cases.")
        )
    target = transition.target
    now = timezone.now()
    if action == "close":
        if resolution not in Resolution.values:
            raise ValidationError({"resolution": _("Choose how the case was resolved.")})
        if resolution == Resolution.OTHER and not note.strip():
            raise ValidationError({"resolution_note": _("Explain the resolution.")})
        case.resolution, case.resolution_note = resolution, note.strip()
        if settings.SMARTSAFE_CLOSURE_NEEDS_APPROVAL and not is_supervisor(actor):
            target = CaseState.PENDING_CLOSURE
            case.closure_requested_by = actor
    if target == CaseState.CLOSED:
        case.closed_by = actor
    if action == "reject_closure":
        case.closure_requested_by = None
    if action == "reopen":
        case.reopened_at, case.reopen_count = now, case.reopen_count + 1
        case.closed_by = None
    previous = case.state
    case.state = target
    if target in STAGE_TIMESTAMP:
        setattr(case, STAGE_TIMESTAMP[target], now)
    case.save()
    add_timeline_entry(
        case, "state_changed", actor, action=action, before=previous, after=target, note=note.strip()[:500]
    )
    record(codes.CASE_TRANSITION, actor=actor, obj=case, transition=action, before=previous, after=target)
    return case


@transaction.atomic
def assign_case(*, actor, case: Case, assignee) -> Case:
    case = lock_for_update(Case.objects.all(), case.pk)
    if not can_assign(actor, case, assignee):
        raise PermissionDenied(_("You may not assign this case."))
    if assignee is not None and not can_work_cases(assignee):
        raise ValidationError({"assignee": _("Cases can only be assigned to counsellors and supervisors.")})
    case.assigned_to = assignee
    case.save()
    add_timeline_entry(case, "assigned", actor, assignee=assignee.get_username() if assignee else None)
    record(codes.CASE_ASSIGN, actor=actor, obj=case, assignee=assignee.get_username() if assignee else None)
    return case


@transaction.atomic
def add_note(*, actor, case: Case, body: str) -> CaseNote:
    _require_casework(actor)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("The note is empty.")})
    note = CaseNote.objects.create(case=case, author=actor, body=body)
    add_timeline_entry(case, "note_added", actor, note=note.pk)
    record(codes.CASE_NOTE, actor=actor, obj=case, note=note.pk)
    return note


@transaction.atomic
def add_artefact(*, actor, case: Case, kind: str, value: str, platform=None) -> tuple[Artefact, list[Case]]:
    """Record an online artefact; cases that share it are linked. Returns (artefact, newly linked cases)."""
    _require_casework(actor)
    try:
        normalized = artefact_rules.identity(kind, value, platform.code if platform else None)
    except artefact_rules.ArtefactError as exc:
        raise ValidationError({"value": str(exc)}) from None
    if platform is None and (code := artefact_rules.platform_of(normalized)):
        platform = Platform.objects.filter(code=code).first()
    if Artefact.objects.filter(case=case, kind=kind, normalized=normalized).exists():
        raise ValidationError({"value": _("This case already has that artefact.")})
    return _record_artefact(case, kind, value, normalized, platform, actor)


def _record_artefact(case: Case, kind, value, normalized, platform, actor) -> tuple[Artefact, list[Case]]:
    """Store a normalised artefact (once per case), link the cases that share it, note it."""
    artefact, created = Artefact.objects.get_or_create(
        case=case,
        kind=kind,
        normalized=normalized,
        defaults={"value": value.strip()[:500], "platform": platform, "added_by": actor},
    )
    if not created:
        return artefact, []
    add_timeline_entry(case, "artefact_added", actor, artefact_kind=kind, value=artefact.value)
    record(codes.CASE_ARTEFACT, actor=actor, obj=case, kind=kind)
    linked = []
    others = Case.objects.filter(artefacts__normalized=normalized).exclude(pk=case.pk).distinct()
    for other in others:
        if _link_cases(case, other, CaseLink.Reason.SAME_ARTEFACT, artefact.value, actor):
            linked.append(other)
    if platform is not None:
        case.platforms.add(platform)
    return artefact, linked


def _link_cases(a: Case, b: Case, reason: str, detail: str, actor) -> bool:
    first, second = (a, b) if a.pk < b.pk else (b, a)
    try:
        with transaction.atomic():
            CaseLink.objects.create(from_case=first, to_case=second, reason=reason, detail=detail[:500])
    except IntegrityError:
        return False  # already linked
    for this, other in ((a, b), (b, a)):
        add_timeline_entry(
            this, "case_linked", actor, other=other.reference, reason=reason, detail=detail[:200]
        )
    record(codes.CASE_LINK, actor=actor, obj=a, other=b.reference, reason=reason)
    return True


@transaction.atomic
def link_cases_automatically(*, case: Case, other: Case, reason: str, detail: str, actor=None) -> bool:
    """A link found by the platform itself (same evidence file, same artefact); no permission check
    because no person asked for it. Returns False when the cases were already linked."""
    if case.pk == other.pk:
        return False
    return _link_cases(case, other, reason, detail, actor)


@transaction.atomic
def link_cases(*, actor, case: Case, other: Case) -> bool:
    _require_casework(actor)
    if case.pk == other.pk:
        raise ValidationError({"other": _("A case cannot be linked to itself.")})
    return _link_cases(case, other, CaseLink.Reason.MANUAL, "", actor)


@transaction.atomic
def share_with_institution(*, actor, case: Case, institution, referral=None, reason: str = "") -> CaseShare:
    """Let ``institution``'s liaisons see this case (docs/decisions/0006-case-shares-follow-referrals.md).

    There are two ways, both audited: a referral of this case to this institution being sent
    (``referral``), or a supervisor's explicit share with a ``reason`` (kept on the case's timeline;
    the audit event says only that it was explicit). Anything else is refused.
    """
    if referral is not None:
        if referral.case_id != case.pk or referral.institution_id != institution.pk:
            raise ValidationError(_("This referral is not a referral of this case to this institution."))
        basis = {"referral": referral.pk}
        timeline = {"referral": referral.pk}
    else:
        if not is_supervisor(actor):
            raise PermissionDenied(
                _("Only a supervisor may share a case with an institution without a referral.")
            )
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the case is shared without a referral.")})
        basis = {"explicit": True}
        timeline = {"reason": reason[:500]}
    share, created = CaseShare.objects.get_or_create(
        case=case, institution=institution, defaults={"created_by": actor}
    )
    if created:
        add_timeline_entry(case, "shared", actor, institution=institution.code, **timeline)
        record(codes.CASE_SHARE, actor=actor, obj=case, institution=institution.code, **basis)
    return share


@transaction.atomic
def revoke_share(*, actor, case: Case, institution) -> None:
    deleted, _count = CaseShare.objects.filter(case=case, institution=institution).delete()
    if deleted:
        add_timeline_entry(case, "unshared", actor, institution=institution.code)
        record(codes.CASE_UNSHARE, actor=actor, obj=case, institution=institution.code)
