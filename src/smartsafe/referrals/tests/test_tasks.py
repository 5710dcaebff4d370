"""The hourly reminder and escalation job, with a frozen clock and the locmem mail outbox."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.referrals import actions
from smartsafe.referrals.models import Referral
from smartsafe.referrals.models import ReferralState as S
from smartsafe.referrals.tasks import check_overdue_referrals

BELGRADE = ZoneInfo("Europe/Belgrade")


def at(day, hour=10, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BELGRADE)  # 2 March 2026 is a Monday


def run(moment):
    with time_machine.travel(moment, tick=False):
        mail.outbox.clear()
        return check_overdue_referrals.call()


@pytest.fixture
def sent(counsellor, supervisor, school, school_liaison):
    """A referral to a school administration, sent on Monday 2 March at 10:00 (acknowledge by
    Tuesday 10:00, respond by Monday 16 March 10:00; escalate 2 days after a reminder)."""
    school.email = "skolska.uprava@example.org"
    school.save()
    school_liaison.email = "liaison@su.example.org"
    school_liaison.save()
    supervisor.email = "supervisor@centre.example"
    supervisor.save()
    testing.make_user("supervisor").save()  # a supervisor without an address: skipped
    with time_machine.travel(at(2), tick=False):
        referral = actions.create_referral(
            actor=counsellor, case=testing.make_case(counsellor), institution=school
        )
        return actions.transition_referral(actor=supervisor, referral=referral, action="send")


def test_nothing_before_the_deadline(sent):
    assert run(at(3, 9, 59)) == {"reminded": 0, "escalated": 0, "failed": 0}
    assert mail.outbox == []


def test_reminder_once_then_escalation_then_nothing(sent, supervisor):
    assert run(at(3, 10, 30))["reminded"] == 1
    assert len(mail.outbox) == 1
    reminder = mail.outbox[0]
    assert sorted(reminder.to) == ["liaison@su.example.org", "skolska.uprava@example.org"]
    assert sent.case.reference in reminder.subject
    assert "потврдите пријем" in reminder.subject  # "please acknowledge", in the institution's language
    referral = Referral.objects.get(pk=sent.pk)
    assert referral.reminded_at == at(3, 10, 30) and referral.escalated_at is None
    assert referral.version == sent.version  # a system stamp does not make a person's edit stale
    assert referral.case.timeline.filter(kind="referral_remind", data__deadline="acknowledge").exists()
    assert AuditEvent.objects.filter(action="referral.remind", object_id=str(sent.pk)).count() == 1

    # The next hourly runs: no second reminder, no escalation before two days have passed.
    assert run(at(3, 11, 30)) == {"reminded": 0, "escalated": 0, "failed": 0}
    assert run(at(5, 10, 29))["escalated"] == 0
    assert mail.outbox == []

    assert run(at(5, 10, 30))["escalated"] == 1
    assert [m.to for m in mail.outbox] == [["supervisor@centre.example"]]
    assert "no answer after a reminder" in mail.outbox[0].subject
    referral.refresh_from_db()
    assert referral.escalated_at == at(5, 10, 30)
    assert referral.case.timeline.filter(kind="referral_escalate").exists()
    assert AuditEvent.objects.filter(action="referral.escalate").count() == 1

    assert run(at(9, 10)) == {"reminded": 0, "escalated": 0, "failed": 0}
    assert mail.outbox == []


def test_an_answer_stops_the_reminders_and_the_next_deadline_gets_its_own(sent, school_liaison):
    run(at(3, 11))
    referral = Referral.objects.get(pk=sent.pk)
    with time_machine.travel(at(3, 12), tick=False):
        referral = actions.transition_referral(actor=school_liaison, referral=referral, action="acknowledge")
    assert referral.reminded_at is None and referral.escalated_at is None
    assert run(at(5, 12))["escalated"] == 0
    assert mail.outbox == []
    # The response deadline (Monday 16 March 10:00) passes: a new reminder, about answering.
    assert run(at(16, 10, 1))["reminded"] == 1
    assert "одговорите" in mail.outbox[0].subject  # "please answer", in the institution's language


def test_urgent_referral_is_reminded_after_an_hour(counsellor, supervisor, school):
    school.email = "su@example.org"
    school.save()
    with time_machine.travel(at(7, 22), tick=False):  # a Saturday night
        case = testing.make_case(counsellor, urgent=True, urgent_reason="Дете у опасности")
        referral = actions.create_referral(actor=counsellor, case=case, institution=school)
        actions.transition_referral(actor=supervisor, referral=referral, action="send")
    assert run(at(7, 22, 59))["reminded"] == 0
    assert run(at(7, 23, 1))["reminded"] == 1
    assert run(at(8, 1, 2))["escalated"] == 1  # two hours after the reminder


def test_no_address_still_stamps_so_escalation_follows(counsellor, supervisor, police):
    supervisor.email = "s@centre.example"
    supervisor.save()
    with time_machine.travel(at(2), tick=False):
        referral = actions.create_referral(
            actor=counsellor, case=testing.make_case(counsellor), institution=police
        )
        actions.transition_referral(actor=supervisor, referral=referral, action="send")
    assert run(at(2, 15))["reminded"] == 1  # police: acknowledge within 4 hours
    assert mail.outbox == []
    assert Referral.objects.get(pk=referral.pk).reminded_at is not None
    assert run(at(3, 15))["escalated"] == 1


def test_a_mail_server_failure_leaves_no_stamp_and_is_retried(sent, settings):
    settings.EMAIL_BACKEND = "smartsafe.referrals.tests.test_tasks.BrokenBackend"
    assert run(at(3, 11))["failed"] == 1
    assert Referral.objects.get(pk=sent.pk).reminded_at is None
    assert not AuditEvent.objects.filter(action="referral.remind").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(at(3, 12))["reminded"] == 1


def test_final_and_unsent_referrals_are_never_reminded(counsellor, make_referral, school):
    school.email = "su@example.org"
    school.save()
    with time_machine.travel(at(2), tick=False):
        for state in (S.DRAFT, S.PENDING_APPROVAL, S.REJECTED, S.COMPLETED, S.REVOKED):
            make_referral(counsellor, school, state=state)
    assert run(at(30)) == {"reminded": 0, "escalated": 0, "failed": 0}


def test_the_job_is_scheduled_hourly():
    jobs = {job["task"]: job for job in settings.SMARTSAFE_SCHEDULE}
    assert jobs["smartsafe.referrals.tasks.check_overdue_referrals"]["every"] == dt.timedelta(hours=1)


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")
