"""``manage.py load_demo``: refuses outside demo mode, loads a working centre, once per seed, reproducibly."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from smartsafe import testing
from smartsafe.cases.actions import open_case
from smartsafe.cases.models import (
    Artefact,
    Case,
    CaseLink,
    CaseNote,
    ReferenceSequence,
    TimelineEntry,
)
from smartsafe.core.text import fold, fold_many
from smartsafe.demo import loader, phrases, profile
from smartsafe.demo.plan import build_plan
from smartsafe.demo.render import Child, fill, subject_for
from smartsafe.demo.stories import REFERRAL_STORIES
from smartsafe.demo.stories_advisory import ADVISORY_STORIES
from smartsafe.demo.vocabulary import REFERRAL_CATEGORIES
from smartsafe.intake.models import Contact

BELGRADE = ZoneInfo("Europe/Belgrade")
SMALL = 300
STATES = ("new", "in_progress", "awaiting_institution", "pending_closure", "closed")


@pytest.fixture
def taxonomy(db):
    """The codes the demo needs. The taxonomy's data migration ships them; the builders only fill
    gaps (get_or_create), so these tests do not depend on how complete that migration is."""
    for code in profile.CHANNEL_MIX:
        testing.channel(code)
    for code in REFERRAL_CATEGORIES:
        testing.category(code)


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(taxonomy):
    return load("--contacts", str(SMALL), "--seed", "7")


# --- refusing ----------------------------------------------------------------------------------


def test_refuses_outside_demo_mode(taxonomy, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        load("--contacts", "50")
    assert not Contact.objects.exists()


def test_says_taxonomy_not_loaded_and_writes_nothing(taxonomy):
    from smartsafe.taxonomy.models import Channel

    Channel.objects.filter(code="letter").delete()
    with pytest.raises(CommandError, match="taxonomy not loaded.*channel letter"):
        load("--contacts", "50")
    assert not Contact.objects.exists() and not Case.objects.exists()


def test_rejects_a_senseless_size(taxonomy):
    with pytest.raises(CommandError, match="at least 1"):
        load("--contacts", "0")


# --- what it loads -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_loads_a_working_centre(demo):
    contacts = Contact.objects.filter(external_id__startswith="demo-7-")
    assert contacts.count() == SMALL
    assert "Contacts by channel" in demo and "Demo logins" in demo
    # The privacy page opens on a dated dry run of the retention rules; nothing was emptied.
    from smartsafe.privacy.models import Anonymised, RetentionRun

    assert "Retention dry run recorded" in demo
    assert RetentionRun.objects.filter(dry_run=True).count() == 1 and not Anonymised.objects.exists()

    # Every channel, the web form first and the helpline second.
    by_channel = Counter(contacts.values_list("channel__code", flat=True))
    assert set(by_channel) == set(profile.CHANNEL_MIX)
    ranked = [code for code, _n in by_channel.most_common()]
    assert ranked[:2] == ["web_form", "phone"]

    # Non-data contacts: counted, closed, mostly on the phone.
    non_data = contacts.exclude(non_data_kind="")
    assert 0.1 <= non_data.count() / SMALL <= 0.25
    assert non_data.filter(channel__code="phone").count() > non_data.count() / 2
    assert not non_data.exclude(state="closed").exists()

    cases = Case.objects.filter(contacts__in=contacts).distinct()
    states = set(cases.values_list("state", flat=True))
    assert states == set(STATES)
    assert cases.filter(reopen_count__gt=0).exists()
    assert not cases.filter(state="closed", resolution="").exists()

    # Referred cases cover the seven referral categories.
    referred = {code for code in cases.filter(kind="referred").values_list("categories__code", flat=True)}
    assert set(REFERRAL_CATEGORIES) <= referred

    # Urgent and open right now (the dashboard banner), each with its reason.
    urgent_open = cases.filter(urgent=True).exclude(state="closed")
    assert urgent_open.count() >= 2
    assert not urgent_open.filter(urgent_reason="").exists()

    # Some cases share an artefact (spelt differently) and are linked because of it.
    shared = Artefact.objects.values("normalized").annotate(n=Count("case", distinct=True)).filter(n__gt=1)
    assert shared.exists()
    linked = CaseLink.objects.filter(reason=CaseLink.Reason.SAME_ARTEFACT)
    assert linked.exists()
    some = linked.first()
    common = set(some.from_case.artefacts.values_list("normalized", flat=True)) & set(
        some.to_case.artefacts.values_list("normalized", flat=True)
    )
    assert common

    # Work is spread over several counsellors; today's new messages wait unassigned in the inbox.
    assert cases.values("assigned_to").distinct().count() >= 4
    today = contacts.filter(received_at__date=timezone.localdate())
    assert today.filter(state="new", assigned_to=None).exists()


@pytest.mark.django_db
def test_the_demo_centre_runs_prevention_and_referrals(demo):
    from smartsafe.prevention.models import Event
    from smartsafe.referrals.models import Referral

    assert Event.objects.filter(venue__kind="primary_school").exists()
    assert Event.objects.filter(venue__kind="secondary_school").exists()
    assert Referral.objects.filter(institution__code="rs-police-vtk").exists()


def test_texts_are_serbian_and_searchable(demo):
    data = Contact.objects.filter(external_id__startswith="demo-7-", non_data_kind="")
    for contact in data:
        assert re.search(r"[А-Яа-яЂђЈјЉљЊњЋћЏџ]", contact.summary), contact.summary
        assert not re.search(r"[\[\]{}<>|]", contact.summary), contact.summary  # every slot filled
        assert contact.search_text == fold_many(
            contact.subject, contact.summary, contact.advice_given, contact.reporter_name
        )
    for case in Case.objects.all():
        assert case.search_text == fold_many(case.reference, case.title, case.summary, case.resolution_note)
    # The folded copy finds Cyrillic text from a Latin or upper-case query, as the real search does.
    with_profile = set(data.filter(summary__contains="профил").values_list("pk", flat=True))
    assert with_profile
    assert with_profile <= set(data.filter(search_text__contains=fold("ПРОФИЛ")).values_list("pk", flat=True))
    assert fold("ПРОФИЛ") == fold("profil")


@pytest.mark.django_db
def test_history_is_consistent_in_time(demo):
    now = timezone.now()
    for contact in Contact.objects.all():
        assert contact.received_at <= now
        assert contact.created_at == contact.received_at
        for stamp in (contact.triaged_at, contact.linked_at, contact.closed_at):
            assert stamp is None or contact.received_at <= stamp <= now, contact.external_id
        if contact.state == "linked":
            assert contact.case_id and contact.linked_at
    for case in Case.objects.prefetch_related("timeline"):
        assert case.opened_at <= now
        for name in ("in_progress_at", "awaiting_institution_at", "pending_closure_at", "closed_at"):
            stamp = getattr(case, name)
            assert stamp is None or case.opened_at <= stamp <= now, (case.reference, name)
        first_contact = case.contacts.order_by("received_at").first()
        assert first_contact.received_at <= case.opened_at
        kinds = [entry.kind for entry in case.timeline.all()]
        assert kinds[0] == "opened" and "contact_linked" in kinds
        assert all(entry.at >= case.opened_at for entry in case.timeline.all())
        assert case.reference.startswith(
            f"SS-{timezone.localtime(case.opened_at).year}-"
        ) or case.opened_at >= (
            now - dt.timedelta(days=profile.RECENT_DAYS)  # live cases are numbered when they are replayed
        )
    # Notes and their timeline entries say the same time.
    for note in CaseNote.objects.all():
        entry = TimelineEntry.objects.get(kind="note_added", data__note=note.pk)
        assert entry.at == note.created_at


@pytest.mark.django_db
def test_live_weeks_went_through_the_actions(demo):
    from smartsafe.audit.models import AuditEvent
    from smartsafe.audit.verify import verify_chain

    recent = timezone.now() - dt.timedelta(days=profile.RECENT_DAYS - 1)
    live_cases = Case.objects.filter(opened_at__gte=recent)
    assert live_cases.exists()
    for case in live_cases:
        assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="case.transition").exists()
    assert AuditEvent.objects.filter(action="contact.receive").exists()
    assert verify_chain().ok


@pytest.mark.django_db
def test_new_cases_continue_the_reference_numbering(demo):
    year = timezone.localdate().year
    sequence = ReferenceSequence.objects.get(prefix="SS", year=year)
    this_year = Case.objects.filter(reference__startswith=f"SS-{year}-")
    assert sequence.last == max(
        int(ref.rsplit("-", 1)[1]) for ref in this_year.values_list("reference", flat=True)
    )
    for earlier in ReferenceSequence.objects.exclude(year=year):
        assert Case.objects.filter(reference=f"SS-{earlier.year}-{earlier.last:06d}").exists()

    case = open_case(actor=testing.make_user("counsellor"), title="Нови случај после демо података")
    assert case.reference == f"SS-{year}-{sequence.last + 1:06d}"


# --- once only, and the same every time --------------------------------------------------------


@pytest.mark.django_db
def test_second_run_adds_nothing(demo):
    counts = (Contact.objects.count(), Case.objects.count(), TimelineEntry.objects.count())
    assert "demo data already loaded" in load("--contacts", str(SMALL), "--seed", "7")
    assert "demo data already loaded" in load("--contacts", "50", "--seed", "8")  # any demo data counts
    assert "already loaded for seed 7" in load("--contacts", str(SMALL), "--seed", "7", "--force")
    assert (Contact.objects.count(), Case.objects.count(), TimelineEntry.objects.count()) == counts


@pytest.mark.django_db
def test_force_adds_a_dataset_for_another_seed(demo):
    before = Case.objects.count()
    load("--contacts", "120", "--seed", "8", "--force")
    assert Contact.objects.filter(external_id__startswith="demo-8-").count() == 120
    assert Case.objects.count() > before
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))


def _fingerprint() -> dict:
    contacts = list(
        Contact.objects.order_by("external_id").values_list(
            "external_id",
            "channel__code",
            "received_at",
            "state",
            "non_data_kind",
            "summary",
            "advice_given",
            "subject",
            "reporter_type__code",
            "urgent",
            "assigned_to__username",
            "case__reference",
        )
    )
    topics = sorted(Contact.topics.through.objects.values_list("contact__external_id", "category__code"))
    cases = list(
        Case.objects.order_by("reference").values_list(
            "reference",
            "state",
            "kind",
            "title",
            "urgent",
            "opened_at",
            "closed_at",
            "resolution",
            "municipality__code",
            "child_age_band__code",
            "assigned_to__username",
            "reopen_count",
        )
    )
    artefacts = sorted(Artefact.objects.values_list("case__reference", "kind", "normalized", "created_at"))
    links = sorted(CaseLink.objects.values_list("from_case__reference", "to_case__reference"))
    timeline = sorted(TimelineEntry.objects.values_list("case__reference", "kind", "at"))
    return {
        "contacts": contacts,
        "topics": topics,
        "cases": cases,
        "artefacts": artefacts,
        "links": links,
        "timeline": timeline,
    }


def _wipe() -> None:
    TimelineEntry.objects.all().delete()
    Contact.objects.all().delete()
    Case.objects.all().delete()
    ReferenceSequence.objects.all().delete()


@pytest.mark.django_db
def test_same_seed_same_data(taxonomy):
    now = timezone.now().replace(microsecond=0)
    loader.load(seed=11, size=200, now=now)
    first = _fingerprint()
    _wipe()
    loader.load(seed=11, size=200, now=now)
    assert _fingerprint() == first
    _wipe()
    loader.load(seed=12, size=200, now=now)
    assert _fingerprint()["contacts"] != first["contacts"]


# --- the plan on its own (no database) -----------------------------------------------------------


def _plan(seed: int = 3, size: int = 6000):
    now = dt.datetime(2026, 11, 23, 15, 30, tzinfo=BELGRADE)
    return build_plan(
        seed=seed,
        size=size,
        now=now,
        zone=BELGRADE,
        counsellors=7,
        supervisors=2,
        municipalities=[("rs-beograd", 3.0), ("rs-nis", 1.0)],
    )


def test_plan_follows_the_profile():
    plan = _plan()
    contacts = plan.contacts
    assert contacts[0].at.date() >= profile.FOUNDED and contacts[-1].at <= plan.now
    assert all(c.at.tzinfo is not None for c in contacts)

    share = Counter(c.channel for c in contacts)
    for channel, expected in profile.CHANNEL_MIX.items():
        assert abs(share[channel] / len(contacts) - expected) < max(0.02, expected * 0.6), channel

    non_data = sum(1 for c in contacts if c.non_data) / len(contacts)
    assert 0.14 <= non_data <= 0.21
    data = [c for c in contacts if not c.non_data]
    assert 0.17 <= len(plan.cases) / len(data) <= 0.24  # about one in five
    referred = sum(1 for case in plan.cases if case.referred) / len(plan.cases)
    assert 0.06 <= referred <= 0.11

    per_year = Counter(c.at.year for c in contacts)
    assert per_year[2018] < per_year[2021] < per_year[2025]  # growing
    weekday = Counter(c.at.weekday() for c in contacts)
    assert weekday[1] > 1.5 * weekday[6]  # Tuesday busier than Sunday
    phone_hours = Counter(c.at.hour for c in contacts if c.channel == "phone")
    assert phone_hours[10] > 10 * max(phone_hours[3], 1)  # the helpline is staffed by day


def test_plan_is_deterministic():
    assert _plan(seed=5, size=800) == _plan(seed=5, size=800)
    assert _plan(seed=5, size=800) != _plan(seed=6, size=800)


# --- the text material -------------------------------------------------------------------------


def test_at_least_forty_situations_per_referral_category():
    assert set(REFERRAL_STORIES) == set(REFERRAL_CATEGORIES)
    for category, stories in REFERRAL_STORIES.items():
        assert len(set(stories)) >= 40, category
    for topic, stories in ADVISORY_STORIES.items():
        assert len(set(stories)) >= 25, topic


def test_every_template_renders_to_clean_cyrillic():
    latin_word = re.compile(r"\b[A-Za-z]{2,}\b")
    templates = [t for stories in (*REFERRAL_STORIES.values(), *ADVISORY_STORIES.values()) for t in stories]
    templates += [t for group in phrases.OPENERS.values() for t in group]
    templates += [t for group in phrases.TITLES.values() for t in group]
    templates += [t for group in phrases.FOLLOW_UPS.values() for t in group]
    for template in templates:
        for female in (True, False):
            for reporter in ("child", "parent", "teacher", "anonymous"):
                child = Child(female=female, age=13)
                text = fill(
                    template,
                    child=child,
                    subject=subject_for(reporter, child),
                    platform="instagram",
                    verb="Позива",
                    reporter_female=female,
                )
                assert not re.search(r"[\[\]{}<>|]", text), text
                assert not latin_word.search(text), text
                assert text[0].isupper(), text
                # A clitic never opens a sentence.
                assert not re.match(r"(Је|Се|Јој|Му|Га|Ће|Су) ", text), text
