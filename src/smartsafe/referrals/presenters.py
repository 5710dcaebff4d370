"""What the referral pages show, computed once here so the templates stay plain.

Nothing here writes, and nothing decides *who* may see a referral (``queries.py`` does); these
helpers only shape what a page already may show: the event history with its labels, the deadline
that counts now, the institution's last answer, and the buttons a person may press.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.directory.models import Institution
from smartsafe.directory.queries import search_institutions

from .models import DeliveryMethod, DeliveryStatus, Referral, ReferralEvent, ReferralState
from .permissions import actions_for, can_work_referrals, is_liaison_of
from .states import INSTITUTION_ACTIONS, LABELS

# Events that are not transitions, with their labels.
OTHER_EVENT_LABELS = {
    "create": _("Drafted"),
    "update": _("Draft changed"),
    "manual_delivery": _("Delivery recorded"),
    "remind": _("Reminder sent to the institution"),
    "escalate": _("Escalated to the supervisors"),
}
# What an institution sees of the centre's internal workflow: nothing before the referral was
# sent (the same rule as the API's).
INTERNAL_EVENTS = frozenset({"create", "update", "submit", "return", "remind", "escalate"})
# The order the centre's buttons appear in; revoke, which needs a reason, comes last on its own.
CENTRE_BUTTONS = ("submit", "approve", "send", "return")
# Institution actions that may carry the institution's own reference number.
REFERENCE_ACTIONS = frozenset({"acknowledge", "accept"})
# The most institutions offered in the "another institution" list at once.
INSTITUTION_CHOICES_MAX = 300


def action_label(action: str) -> str:
    if action in LABELS:
        return str(LABELS[action])
    return str(OTHER_EVENT_LABELS.get(action, action))


def state_label(state: str) -> str:
    try:
        return str(ReferralState(state).label)
    except ValueError:
        return state or ""


def with_events(queryset):
    """``queryset`` with each referral's events fetched in one more query (``last_answer``)."""
    return queryset.prefetch_related(
        Prefetch("events", queryset=ReferralEvent.objects.select_related("actor").order_by("at", "pk"))
    )


@dataclass
class EventRow:
    at: object
    action: str
    label: str
    actor: str
    from_state: str
    to_state: str
    from_label: str
    to_label: str
    on_behalf: bool
    note: str

    @property
    def changes_state(self) -> bool:
        return bool(self.from_state) and self.from_state != self.to_state


def event_rows(referral: Referral, *, for_institution: bool = False) -> list[EventRow]:
    """The referral's history, oldest first. An institution sees it from sending on, and the
    centre's people only as "the centre" (their names are the centre's business)."""
    rows = []
    for event in referral.events.all():
        if for_institution and event.action in INTERNAL_EVENTS:
            continue
        if event.actor is None:
            actor = str(_("The system"))
        elif for_institution and not (event.action in INSTITUTION_ACTIONS and not event.on_behalf):
            actor = str(_("The centre"))
        else:
            actor = str(event.actor)
        rows.append(
            EventRow(
                at=event.at,
                action=event.action,
                label=action_label(event.action),
                actor=actor,
                from_state=event.from_state,
                to_state=event.to_state,
                from_label=state_label(event.from_state),
                to_label=state_label(event.to_state),
                on_behalf=event.on_behalf,
                # How the centre delivered it by hand is the centre's own note.
                note="" if for_institution and event.action == "manual_delivery" else event.note,
            )
        )
    return rows


def current_deadline(referral: Referral) -> tuple[object, str, bool]:
    """``(when, label, overdue)`` for the deadline of the referral's current stage, or
    ``(None, "", False)`` when none counts (not sent yet, or answered)."""
    now = timezone.now()
    if referral.state == ReferralState.SENT and referral.acknowledge_due_at:
        return referral.acknowledge_due_at, str(_("acknowledge by")), now > referral.acknowledge_due_at
    if referral.state in (ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED) and referral.respond_due_at:
        return referral.respond_due_at, str(_("respond by")), now > referral.respond_due_at
    return None, "", False


def last_answer(referral: Referral) -> str:
    """The institution's latest words: the feedback, the reason for rejecting, or the note of its
    latest answer. Uses the prefetched events when there are any."""
    if referral.state == ReferralState.COMPLETED and referral.feedback:
        return referral.feedback
    if referral.state == ReferralState.REJECTED and referral.rejection_reason:
        return referral.rejection_reason
    answers = [e for e in referral.events.all() if e.action in INSTITUTION_ACTIONS and e.note]
    return answers[-1].note if answers else ""


def delivery_failed(referral: Referral) -> bool:
    return referral.delivery_status == DeliveryStatus.FAILED


def can_retry(user, referral: Referral) -> bool:
    return (
        can_work_referrals(user)
        and referral.delivery_method == DeliveryMethod.EMAIL
        and referral.delivery_status == DeliveryStatus.FAILED
        and referral.state in (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED)
    )


def can_record_delivery(user, referral: Referral) -> bool:
    """Staff record a delivery by phone or on paper once the referral is sent and not delivered."""
    return (
        can_work_referrals(user)
        and referral.state in (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED)
        and referral.delivery_status != DeliveryStatus.DELIVERED
    )


def can_write_messages(user, referral: Referral) -> bool:
    sent = referral.state not in (ReferralState.DRAFT, ReferralState.PENDING_APPROVAL, ReferralState.REVOKED)
    return sent and (can_work_referrals(user) or is_liaison_of(user, referral))


@dataclass
class Buttons:
    """The actions a person may take on a referral now, split the way the pages show them."""

    centre: list[dict]
    revoke: bool
    institution: list[dict]

    @property
    def any(self) -> bool:
        return bool(self.centre or self.revoke or self.institution)


def buttons_for(user, referral: Referral) -> Buttons:
    allowed = actions_for(user, referral)
    centre = [
        {"action": a, "label": LABELS[a], "primary": a in ("approve", "send", "submit")}
        for a in CENTRE_BUTTONS
        if a in allowed
    ]
    institution = [{"action": a, "label": LABELS[a]} for a in allowed if a in INSTITUTION_ACTIONS]
    return Buttons(centre=centre, revoke="revoke" in allowed, institution=institution)


def institution_choices(text: str = "", *, keep: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """Active institutions for the "another institution" select, grouped by type, optionally
    narrowed by ``text`` (the directory's folded search: "nis" finds "Ниш"). ``keep`` (a code the
    person already chose) stays in the list whatever the search says, so a choice is never lost."""
    found = list(search_institutions(text=text or "")[:INSTITUTION_CHOICES_MAX])
    if keep and all(i.code != keep for i in found):
        kept = Institution.objects.filter(code=keep, active=True).first()
        if kept is not None:
            found.insert(0, kept)
    groups: dict[str, list[tuple[str, str]]] = {}
    labels = dict(Institution.Kind.choices)
    for institution in sorted(found, key=lambda i: (i.kind, i.name)):
        groups.setdefault(str(labels.get(institution.kind, institution.kind)), []).append(
            (institution.code, institution.name)
        )
    return list(groups.items())
