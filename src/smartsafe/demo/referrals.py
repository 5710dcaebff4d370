"""Demo referrals: every state, several institutions, the police high-tech-crime department's
liaison (the demo ``police`` login) with work waiting in the portal, some overdue, one e-mail that
bounced. Called by ``manage.py load_demo`` after the cases exist.

Everything goes through the real actions (drafting, approval, sending, the institution's answers,
messages), so the packets, deadlines, case timelines and audit trail are what the running system
would have written. Two things are set afterwards, because the actions always use "now": the
times that make a referral overdue, and the bounced e-mail (recorded as the delivery job records
a mail server's refusal, without contacting any server).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartsafe.accounts.roles import Role
from smartsafe.cases.models import Case, CaseState, TimelineEntry
from smartsafe.directory.models import Institution, InstitutionMember
from smartsafe.referrals import actions, packets
from smartsafe.referrals.actions import deliveries as delivery_actions
from smartsafe.referrals.models import DeliveryMethod, Referral, ReferralEvent
from smartsafe.referrals.models import ReferralState as S
from smartsafe.referrals.routing import suggest_institutions

POLICE = "rs-police-vtk"
# The directory's only institution with a referral address: its e-mail is the one that bounces.
HOTLINE = "rs-hotline-netpatrola"
BOUNCE = "550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"


@dataclass(frozen=True)
class Step:
    """One demo referral: to whom, how, which state it ends in, and what makes it interesting."""

    institution: str
    state: str
    method: str = ""  # "": the institution's usual way
    overdue: bool = False
    bounced: bool = False
    question: bool = False


# Every state at least once, the police among several institutions; the police's open ones are
# what its liaison finds in the portal.
STEPS = (
    Step(POLICE, S.SENT, overdue=True),
    Step(POLICE, S.SENT, question=True),
    Step(POLICE, S.ACKNOWLEDGED),
    Step(POLICE, S.ACCEPTED, overdue=True),
    Step(POLICE, S.COMPLETED),
    Step(POLICE, S.REJECTED),
    Step(POLICE, S.PENDING_APPROVAL),
    Step(POLICE, S.REVOKED),
    Step("rs-prosecutor-vtk", S.ACKNOWLEDGED, method=DeliveryMethod.PAPER),
    Step("rs-prosecutor-vtk", S.COMPLETED, method=DeliveryMethod.PAPER),
    Step(HOTLINE, S.SENT, method=DeliveryMethod.EMAIL, bounced=True),
    Step("rs-su-beograd", S.ACCEPTED, method=DeliveryMethod.PHONE),
    Step("rs-csr-nis", S.SENT, method=DeliveryMethod.PAPER, overdue=True),
    Step("rs-csr-beograd", S.DRAFT),
    Step("rs-health-child-psychiatry", S.REJECTED, method=DeliveryMethod.PAPER),
    Step("rs-health-child-psychiatry", S.DRAFT),
)

# The institution's words, in the language the demo is written in (Serbian, Cyrillic).
REASONS = {
    "police": "Дете је у опасности од одрасле особе на мрежи: потребна је хитна провера профила.",
    "prosecutor": "Постоје елементи кривичног дела против полне слободе малолетног лица.",
    "hotline": "Пријава URL адреса са недозвољеним садржајем ради уклањања.",
    "education": "Вршњачко насиље међу ученицима исте школе: потребна је реакција школе.",
    "social_work": "Породици је потребна подршка центра за социјални рад.",
    "health": "Дете показује знаке зависности и анксиозности: упућујемо на саветовање.",
}
FEEDBACK = [
    "Идентификован је осумњичени; предмет је прослеђен тужилаштву.",
    "Профил је уклоњен, родитељи су обавештени и дете је укључено у разговор са психологом.",
    "Обављен је разговор са ученицима и родитељима; школа прати ситуацију.",
]
REJECTIONS = [
    "Није у нашој надлежности: надлежна је полицијска управа по месту пребивалишта.",
    "Нема довољно података за поступање; молимо да доставите URL профила.",
]
# How the institutions' own case numbers look in the demo.
REFERENCE_PREFIX = {"police": "ВТК", "prosecutor": "КТ", "education": "ШУ", "social_work": "ЦСР"}
QUESTIONS = [
    "Да ли је дете сачувало снимке екрана преписке пре блокирања?",
    "Молимо број телефона родитеља ради хитног контакта.",
]


def _people():
    users = get_user_model().objects.filter(is_active=True)
    counsellor = (
        users.filter(username="counsellor", role=Role.COUNSELLOR).first()
        or users.filter(role=Role.COUNSELLOR).order_by("username").first()
    )
    supervisor = (
        users.filter(username="supervisor", role=Role.SUPERVISOR).first()
        or users.filter(role=Role.SUPERVISOR).order_by("username").first()
    )
    liaisons = {
        m.institution.code: m.user
        for m in InstitutionMember.objects.select_related("user", "institution").filter(user__is_active=True)
    }
    return counsellor, supervisor, liaisons


# Cases "in progress" the demo leaves alone: sending a referral moves a case on to "awaiting the
# institution", and a small demo must still show cases in every state.
KEEP_IN_PROGRESS = 3


def _open_cases(rng: random.Random) -> list[Case]:
    """Cases to refer: those already waiting for an institution, then (for a small demo) some in
    progress. New cases are left alone: nobody refers a case before working on it."""
    base = Case.objects.filter(referrals__isnull=True).order_by("pk")
    waiting = list(base.filter(state=CaseState.AWAITING_INSTITUTION))
    working = list(base.filter(state=CaseState.IN_PROGRESS))[KEEP_IN_PROGRESS:]
    rng.shuffle(waiting)
    rng.shuffle(working)
    # Referred cases first: they are the ones that go to institutions.
    return sorted(waiting, key=lambda c: c.kind != "referred") + sorted(
        working, key=lambda c: c.kind != "referred"
    )


def _pick_case(
    cases: list[Case], institution: Institution, used: set[tuple[int, int]], *, old: bool = False
) -> Case | None:
    """A case the routing rules would send to ``institution`` (else any open case), not yet
    referred to it; with ``old``, cases opened long enough ago come first."""
    if old:
        cutoff = timezone.now() - OVERDUE_CASE_AGE
        cases = sorted(cases, key=lambda c: c.opened_at > cutoff)
    fallback = None
    for case in cases[:60]:
        if (case.pk, institution.pk) in used:
            continue
        if any(s.institution.pk == institution.pk for s in suggest_institutions(case)):
            return case
        fallback = fallback or case
    return fallback


def _answer(referral, action, *, liaison, counsellor, **fields):
    """The institution's answer: its liaison in the portal, else recorded by the counsellor."""
    actor = liaison or counsellor
    return actions.transition_referral(
        actor=actor, referral=referral, action=action, on_behalf=liaison is None, **fields
    )


def _drive(referral, step: Step, rng: random.Random, *, counsellor, supervisor, liaison):
    if step.state == S.DRAFT:
        return referral
    if step.state == S.REVOKED:
        return actions.transition_referral(
            actor=counsellor,
            referral=referral,
            action="revoke",
            reason="Случај је упућен погрешној институцији.",
        )
    referral = actions.transition_referral(actor=counsellor, referral=referral, action="submit")
    if step.state == S.PENDING_APPROVAL:
        return referral
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="approve")
    if step.method in (DeliveryMethod.PHONE, DeliveryMethod.PAPER):
        referral = actions.record_manual_delivery(
            actor=counsellor, referral=referral, method=step.method, note="Предато дежурном службенику."
        )
    if step.question:
        actions.post_message(
            actor=liaison or counsellor,
            referral=referral,
            body=rng.choice(QUESTIONS),
            on_behalf=liaison is None,
        )
        actions.post_message(
            actor=counsellor, referral=referral, body="Проверићемо са родитељем и јавити се данас."
        )
    prefix = REFERENCE_PREFIX.get(referral.institution.kind, "Бр")
    reference = f"{prefix}-{rng.randint(100, 9999)}/{timezone.now():%y}"
    if step.state == S.REJECTED:
        return _answer(
            referral, "reject", liaison=liaison, counsellor=counsellor, reason=rng.choice(REJECTIONS)
        )
    if step.state in (S.ACKNOWLEDGED, S.ACCEPTED, S.COMPLETED):
        referral = _answer(
            referral, "acknowledge", liaison=liaison, counsellor=counsellor, institution_reference=reference
        )
    if step.state in (S.ACCEPTED, S.COMPLETED):
        referral = _answer(referral, "accept", liaison=liaison, counsellor=counsellor)
    if step.state == S.COMPLETED:
        referral = _answer(
            referral, "complete", liaison=liaison, counsellor=counsellor, feedback=rng.choice(FEEDBACK)
        )
    return referral


# The times of a referral's story that move together when the demo sets it in the past.
SHIFTED = (
    "created_at",
    "submitted_at",
    "sent_at",
    "acknowledged_at",
    "accepted_at",
    "delivered_at",
    "acknowledge_due_at",
    "respond_due_at",
)
# An overdue demo referral goes to a case at least this old, so it is not sent before it was opened.
OVERDUE_CASE_AGE = dt.timedelta(days=12)


def _make_overdue(referral: Referral, rng: random.Random) -> None:
    """Move the referral's whole story back until its current deadline has passed: its times, its
    events and its lines on the case timeline by the same amount, and the packet rebuilt so it
    states the same times (its hash taken again). Written with ``update()``, like the reminder
    job's stamps: the demo's clock is not an edit anyone made."""
    referral = Referral.objects.select_related("case", "institution").get(pk=referral.pk)
    due = referral.acknowledge_due_at if referral.state == S.SENT else referral.respond_due_at
    if due is None:
        return
    delta = (due - timezone.now()) + dt.timedelta(hours=rng.randint(2, 30))
    changes = {name: getattr(referral, name) - delta for name in SHIFTED if getattr(referral, name)}
    for name, value in changes.items():
        setattr(referral, name, value)
    packet = json.loads(packets.packet_bytes(packets.build_packet(referral)))
    changes.update(packet=packet, packet_sha256=packets.packet_sha256(packet))
    Referral.objects.filter(pk=referral.pk).update(**changes)
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - delta)
    TimelineEntry.objects.filter(case=referral.case, data__referral=referral.pk).update(at=F("at") - delta)


def _bounce(referral: Referral) -> None:
    """The e-mail the mail server refused: recorded as the delivery job records a refusal (state
    stays "sent", status "failed", the server's words kept; the queued job then finds nothing
    pending and sends nothing)."""
    address = referral.institution.email or "referral@example.invalid"
    delivery_actions.finish_attempt(referral.pk, error=BOUNCE.format(address=address), recipient=address)


@transaction.atomic
def load_demo_referrals(rng: random.Random) -> dict[str, int]:
    """Write the demo referrals; returns how many ended in each state. Does nothing (and returns
    ``{}``) when referrals exist already, or when the demo has no counsellor, supervisor or case."""
    if Referral.objects.exists():
        return {}
    counsellor, supervisor, liaisons = _people()
    cases = _open_cases(rng)
    if counsellor is None or supervisor is None or not cases:
        return {}
    institutions = {
        i.code: i for i in Institution.objects.filter(active=True, code__in={s.institution for s in STEPS})
    }
    used: set[tuple[int, int]] = set()
    counts: dict[str, int] = {}
    for step in STEPS:
        institution = institutions.get(step.institution)
        if institution is None:
            continue  # another country's directory: its own demo data
        if step.method == DeliveryMethod.EMAIL and not institution.email:
            continue
        case = _pick_case(cases, institution, used, old=step.overdue)
        if case is None:
            continue
        used.add((case.pk, institution.pk))
        cases.remove(case)
        cases.append(case)  # spread the referrals over the cases
        referral = actions.create_referral(
            actor=counsellor,
            case=case,
            institution=institution,
            reason=REASONS.get(institution.kind, ""),
            delivery_method=step.method,
        )
        liaison = liaisons.get(institution.code) if institution.uses_portal else None
        referral = _drive(referral, step, rng, counsellor=counsellor, supervisor=supervisor, liaison=liaison)
        if step.overdue:
            _make_overdue(referral, rng)
        if step.bounced:
            _bounce(referral)
        counts[referral.state] = counts.get(referral.state, 0) + 1
    return counts
