"""``load()``: plan the demo centre and write it, in one transaction. Used by ``manage.py load_demo``."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from smartsafe.cases.models import Case, CaseLink
from smartsafe.directory.models import Institution
from smartsafe.intake.models import Contact

from . import profile
from .bulk import HistoryWriter
from .live import LiveWriter
from .plan import Plan, build_plan
from .users import ensure_staff
from .vocabulary import Vocabulary
from .vocabulary import load as load_vocabulary

MARKER_PREFIX = "demo-"


def external_prefix(seed: int) -> str:
    return f"{MARKER_PREFIX}{seed}-"


def is_loaded(seed: int | None = None) -> bool:
    """Whether demo data (of ``seed``, or of any seed) is already in the database."""

    prefix = external_prefix(seed) if seed is not None else MARKER_PREFIX
    return Contact.objects.filter(external_id__startswith=prefix).exists()


@dataclass
class Result:
    seed: int
    seconds: float
    contacts_by_channel: dict[str, int]
    cases_by_state: dict[str, int]
    referred: int
    urgent_open: int
    linked_case_pairs: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def contacts(self) -> int:
        return sum(self.contacts_by_channel.values())

    @property
    def cases(self) -> int:
        return sum(self.cases_by_state.values())


def _institutions() -> dict:
    found = {}
    for institution in Institution.objects.filter(active=True).order_by("code"):
        found.setdefault(institution.kind, institution)
    return found


def make_plan(*, seed: int, size: int, now: dt.datetime, vocab: Vocabulary, staff) -> Plan:
    return build_plan(
        seed=seed,
        size=size,
        now=now,
        zone=timezone.get_default_timezone(),
        counsellors=len(staff.counsellors),
        supervisors=len(staff.supervisors),
        municipalities=[(m.code, w) for m, w in vocab.municipalities],
        closure_needs_approval=settings.SMARTSAFE_CLOSURE_NEEDS_APPROVAL,
    )


def load(*, seed: int, size: int = profile.DEFAULT_CONTACTS, now: dt.datetime | None = None) -> Result:
    """Write the demo dataset for ``seed``. Raises ``vocabulary.TaxonomyMissing`` before writing anything."""

    started = time.monotonic()
    vocab = load_vocabulary()
    with transaction.atomic():
        staff = ensure_staff()
        if not staff.counsellors or not staff.supervisors:
            raise RuntimeError("the demo needs at least one counsellor and one supervisor")
        plan = make_plan(seed=seed, size=size, now=now or timezone.now(), vocab=vocab, staff=staff)
        institutions = _institutions()
        HistoryWriter(plan, vocab, staff, institutions).write()
        LiveWriter(
            plan, vocab, staff, institutions, approval=settings.SMARTSAFE_CLOSURE_NEEDS_APPROVAL
        ).write()
        contacts = Contact.objects.filter(external_id__startswith=external_prefix(seed))
        # Rows written in bulk or by the actions were "created" when they were received / opened.
        contacts.update(created_at=F("received_at"))
        cases = Case.objects.filter(pk__in=contacts.exclude(case=None).values("case_id"))
        cases.update(created_at=F("opened_at"))
    by_channel = dict(contacts.values_list("channel__code").annotate(n=Count("pk")).order_by("channel__code"))
    by_state = dict(cases.values_list("state").annotate(n=Count("pk")).order_by("state"))
    return Result(
        seed=seed,
        seconds=time.monotonic() - started,
        contacts_by_channel=by_channel,
        cases_by_state=by_state,
        referred=cases.filter(kind="referred").count(),
        urgent_open=cases.filter(urgent=True).exclude(state="closed").count(),
        linked_case_pairs=CaseLink.objects.filter(from_case__in=cases.values("pk")).count(),
        logins=staff.logins,
    )
