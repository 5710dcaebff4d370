"""Retention: the dry run counts and changes nothing; the run empties exactly what is due, leaves
held cases alone, crypto-shreds evidence, prunes task results and sessions — and every statistic
reads the same before and after, also when recounted from the rows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import Case, CaseNote
from smartsafe.evidence import actions as evidence_actions
from smartsafe.evidence.models import EvidenceFile
from smartsafe.intake import actions as intake_actions
from smartsafe.intake.models import Contact
from smartsafe.privacy import actions, retention
from smartsafe.privacy.models import RetentionPolicy
from smartsafe.stats import queries as stats
from smartsafe.stats import rollups

pytestmark = pytest.mark.django_db

PLANTED = "Planted-Marija-Kovač-0641112233"
YEARS_AGO = timezone.now() - dt.timedelta(days=365 * 12)


def _png() -> bytes:
    from smartsafe.evidence.tests.samples import png

    return png(3)


def closed_case(counsellor, supervisor, *, referred=False, title=PLANTED):
    contact = testing.make_contact(
        counsellor, summary=f"{PLANTED} called", reporter_name=PLANTED, reporter_contact="064 111 2233"
    )
    case = testing.make_case(
        counsellor,
        contacts=[contact],
        title=title,
        summary=PLANTED,
        kind="referred" if referred else "advisory",
        categories=[testing.category("cyberbullying")],
    )
    case_actions.add_note(actor=counsellor, case=case, body=f"Note about {PLANTED}")
    case_actions.add_artefact(actor=counsellor, case=case, kind="phone", value="064 111 2233")
    case = case_actions.transition_case(
        actor=counsellor, case=case, action="close", resolution="advice_given", note=PLANTED
    )
    case = case_actions.transition_case(actor=supervisor, case=case, action="approve_closure")
    assert case.state == "closed"
    return case, contact


@pytest.fixture
def world(counsellor, supervisor, time_machine):
    """Old and recent work: two closed advisory cases and one referred case from twelve years
    ago (one of them held), non-data contacts, an evidence file, a task result, a session, and
    the same again from this week."""
    now = timezone.now()
    time_machine.move_to(YEARS_AGO, tick=False)
    old_case, old_contact = closed_case(counsellor, supervisor)
    held_case, held_contact = closed_case(counsellor, supervisor)
    referred_case, _referred_contact = closed_case(counsellor, supervisor, referred=True)
    phone = testing.channel("phone")
    silent = intake_actions.log_non_data_contact(actor=counsellor, channel=phone, kind="silent")
    Contact.objects.filter(pk=silent.pk).update(sender_hash="h" * 64, sender_hint="…2233")
    evidence = evidence_actions.receive_file(
        data=_png(), filename=f"{PLANTED}.png", case=old_case, via="staff", actor=counsellor
    )
    held_evidence = evidence_actions.receive_file(
        data=_png(), filename="held.png", case=held_case, via="staff", actor=counsellor
    )
    time_machine.move_to(now, tick=False)
    recent_case, recent_contact = closed_case(counsellor, supervisor)
    actions.place_hold(actor=supervisor, case=held_case, reason="Police investigation KT-1/2026")
    old_task = DBTaskResult.objects.create(
        task_path="smartsafe.inbox.tasks.process_webhook",
        args_kwargs={"args": [], "kwargs": {"payload": PLANTED}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        status="SUCCESSFUL",
        finished_at=timezone.now() - dt.timedelta(days=30),
    )
    fresh_task = DBTaskResult.objects.create(
        task_path="smartsafe.inbox.tasks.process_webhook",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        status="SUCCESSFUL",
        finished_at=timezone.now(),
    )
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - dt.timedelta(days=1))
    return {
        "old_case": old_case,
        "old_contact": old_contact,
        "held_case": held_case,
        "held_contact": held_contact,
        "referred_case": referred_case,
        "silent": silent,
        "evidence": evidence,
        "held_evidence": held_evidence,
        "recent_case": recent_case,
        "recent_contact": recent_contact,
        "old_task": old_task,
        "fresh_task": fresh_task,
        "session": store.session_key,
    }


def figures() -> dict:
    """Everything the statistics pages show, for the whole time the data spans."""
    start, end = (YEARS_AGO - dt.timedelta(days=2)).date(), (timezone.now() + dt.timedelta(days=1)).date()
    return {
        "summary": stats.summary(start, end),
        "trends": stats.trends("month", start, end),
        "by_kind": stats.contacts_by_channel_kind(start, end),
        "response_times": stats.response_times(start, end),
        "workload": stats.workload(start, end),
        "reports": stats.complete_reports(start, end),
    }


def test_the_dry_run_counts_and_changes_nothing(world):
    before = Case.objects.get(pk=world["old_case"].pk)
    run = retention.apply(dry_run=True)
    assert run.counts["advisory"] == {"case": 1, "contact": 1}
    # Referred cases are kept ten years after closure by default: twelve years old is due.
    assert run.counts["referred"] == {"case": 1, "contact": 1}
    assert run.counts["nondata_contacts"] == {"contact": 1}
    assert run.counts["evidence"] == {"evidence": 1}
    assert run.counts["task_results"] == {"task": 1}
    assert run.counts["sessions"] == {"session": 1}
    assert run.held == 1
    after = Case.objects.get(pk=world["old_case"].pk)
    assert (after.title, after.summary) == (before.title, before.summary) == (PLANTED, PLANTED)
    assert DBTaskResult.objects.filter(pk=world["old_task"].pk).exists()
    assert AuditEvent.objects.filter(action="retention.dry_run").count() == 1


def test_the_run_empties_what_is_due_and_keeps_the_rest(world):
    retention.apply(dry_run=False)
    old = Case.objects.get(pk=world["old_case"].pk)
    assert old.title == retention.ANONYMISED_TITLE and old.summary == "" and old.resolution_note == ""
    assert not CaseNote.objects.filter(case=old).exists() and not old.artefacts.exists()
    assert not Case.history.filter(id=old.pk, title=PLANTED).exists()
    contact = Contact.objects.get(pk=world["old_contact"].pk)
    assert (contact.summary, contact.reporter_name, contact.reporter_contact) == ("", "", "")
    assert not Contact.history.filter(id=contact.pk, reporter_name=PLANTED).exists()
    silent = Contact.objects.get(pk=world["silent"].pk)
    assert (silent.sender_hash, silent.sender_hint) == ("", "")
    # Evidence: its key is gone, its hashes stay.
    shredded = EvidenceFile.objects.get(pk=world["evidence"].pk)
    assert shredded.is_deleted and bytes(shredded.wrapped_key) == b"" and shredded.sha256
    assert AuditEvent.objects.filter(action="evidence.delete", object_id=str(shredded.pk)).exists()
    assert not DBTaskResult.objects.filter(pk=world["old_task"].pk).exists()
    assert DBTaskResult.objects.filter(pk=world["fresh_task"].pk).exists()
    assert not Session.objects.filter(pk=world["session"]).exists()
    # Held and recent work is untouched.
    for key in ("held_case", "recent_case"):
        assert Case.objects.get(pk=world[key].pk).title == PLANTED
    assert Contact.objects.get(pk=world["held_contact"].pk).reporter_name == PLANTED
    assert not EvidenceFile.objects.get(pk=world["held_evidence"].pk).is_deleted
    # Nothing is due any more; a second run changes nothing.
    again = retention.apply(dry_run=True)
    assert sum(sum(c.values()) for c in again.counts.values()) == 0
    assert AuditEvent.objects.filter(action="retention.apply").count() == 1


def test_statistics_are_exactly_the_same_after_anonymisation(world):
    rollups.rebuild()
    before = figures()
    assert before["summary"]["contacts"]["total"] >= 5
    retention.apply(dry_run=False)
    assert figures() == before
    # Recounted from the rows themselves, not only from the roll-ups made before.
    rollups.rebuild()
    assert figures() == before


def test_lifting_a_hold_makes_the_case_due(world, supervisor):
    hold = world["held_case"].legal_holds.get()
    actions.lift_hold(actor=supervisor, hold=hold)
    assert retention.report()["counts"]["advisory"]["case"] == 2
    assert AuditEvent.objects.filter(action="legal_hold.lift").count() == 1


def test_only_the_dpo_sets_periods_and_each_change_is_audited(auditor, counsellor, administrator):
    for user in (counsellor, administrator):
        with pytest.raises(PermissionDenied):
            actions.set_retention(actor=user, kind="advisory", keep_days=10)
    actions.set_retention(actor=auditor, kind="advisory", keep_days=1000, note="Agreed with the board")
    assert RetentionPolicy.objects.get(kind="advisory").keep_days == 1000
    event = AuditEvent.objects.get(action="retention.policy_change")
    assert event.details["before"] == 730 and event.details["after"] == 1000
    with pytest.raises(ValidationError):
        actions.set_retention(actor=auditor, kind="audit_events", keep_days=30)
    with pytest.raises(ValidationError):
        actions.set_retention(actor=auditor, kind="nonsense", keep_days=30)


def test_a_case_has_one_hold_at_a_time(counsellor, supervisor, auditor):
    case = testing.make_case(counsellor)
    actions.place_hold(actor=auditor, case=case, reason="KT-2/2026")
    with pytest.raises(ValidationError):
        actions.place_hold(actor=supervisor, case=case, reason="again")
    with pytest.raises(PermissionDenied):
        actions.place_hold(actor=counsellor, case=case, reason="x")
    with pytest.raises(ValidationError):
        actions.place_hold(actor=auditor, case=testing.make_case(counsellor), reason=" ")


def test_the_command(world):
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and "advisory: kept 730 days; case 1, contact 1" in out.getvalue()
    assert Case.objects.get(pk=world["old_case"].pk).title == PLANTED
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "Retention applied" in out.getvalue()
    assert Case.objects.get(pk=world["old_case"].pk).title == retention.ANONYMISED_TITLE


def test_the_scheduled_job_is_registered(settings):
    from django.utils.module_loading import import_string

    job = next(j for j in settings.SMARTSAFE_SCHEDULE if j["name"] == "apply-retention")
    assert import_string(job["task"]).func is not None


def test_the_privacy_page_is_the_dpos(client, world, auditor, counsellor, administrator):
    url = reverse("privacy:home")
    for user in (counsellor, administrator):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(auditor)
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-due="advisory-case">case: 1<' in page.content.decode()
    assert PLANTED not in page.content.decode()
    assert client.post(reverse("privacy:dry_run")).status_code == 302
    assert Case.objects.get(pk=world["old_case"].pk).title == PLANTED
    response = client.post(reverse("privacy:set_policy", args=["advisory"]), {"keep_days": "5000"})
    assert response.status_code == 302 and RetentionPolicy.objects.get(kind="advisory").keep_days == 5000
    bad = client.post(reverse("privacy:set_policy", args=["advisory"]), {"keep_days": "-3"})
    assert bad.status_code == 302 and RetentionPolicy.objects.get(kind="advisory").keep_days == 5000
    hold = client.post(reverse("privacy:place_hold"), {"case": world["old_case"].reference, "reason": "KT"})
    assert hold.status_code == 302 and world["old_case"].legal_holds.filter(lifted_at__isnull=True).exists()
    unknown = client.post(reverse("privacy:place_hold"), {"case": "NOPE-1", "reason": "KT"})
    assert unknown.status_code == 400
