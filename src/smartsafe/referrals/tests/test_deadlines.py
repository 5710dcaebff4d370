import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartsafe import testing
from smartsafe.referrals import actions, deadlines
from smartsafe.referrals.defaults import parse_duration
from smartsafe.referrals.models import DeadlinePolicy

BELGRADE = ZoneInfo("Europe/Belgrade")
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


def at(day, hour=10, minute=0):
    """A moment in March 2026 in Belgrade: the 2nd is a Monday, the 7th/8th a weekend."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BELGRADE)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (at(2), DAY, at(3)),  # Monday → Tuesday
        (at(6), DAY, at(9)),  # Friday → Monday
        (at(6, 16), DAY + 4 * HOUR, at(9, 20)),  # Friday 16:00 + 1 day 4 hours → Monday 20:00
        (at(7, 15), DAY, at(10, 0)),  # Saturday: counting starts Monday 00:00 → Tuesday 00:00
        (at(8, 23), 2 * DAY, at(11, 0)),  # Sunday night → Wednesday 00:00
        (at(2), 10 * DAY, at(16)),  # ten working days = two weeks
        (at(5), 3 * DAY, at(10)),  # Thursday + 3 → Tuesday
        (at(6, 22), 4 * HOUR, at(9, 2)),  # hours spilling into Saturday roll to Monday
    ],
)
def test_working_days_skip_weekends(start, duration, due):
    assert deadlines.add_duration(start, duration, working_days=True) == due


def test_calendar_time_ignores_weekends():
    assert deadlines.add_duration(at(6, 23, 30), HOUR, working_days=False) == at(7, 0, 30)


def test_a_day_is_a_wall_clock_day_across_the_dst_change():
    # Summer time starts on Sunday 29 March 2026: Friday 10:00 + 1 working day is Monday 10:00 local.
    due = deadlines.add_duration(at(27), DAY, working_days=True)
    assert due == dt.datetime(2026, 3, 30, 10, tzinfo=BELGRADE)
    assert due.astimezone(dt.UTC) - at(27).astimezone(dt.UTC) == dt.timedelta(days=3) - HOUR  # one hour less


def test_policies_shipped_and_looked_up_most_specific_first(db):
    assert DeadlinePolicy.objects.filter(institution_kind="", urgent=False).exists()
    default = deadlines.policy_for("education", urgent=False)
    assert (default.acknowledge_within, default.acknowledge_in_working_days) == (DAY, True)
    assert (default.respond_within, default.respond_in_working_days) == (10 * DAY, True)
    urgent = deadlines.policy_for("education", urgent=True)
    assert (urgent.acknowledge_within, urgent.acknowledge_in_working_days) == (HOUR, False)
    assert urgent.respond_within == DAY
    police = deadlines.policy_for("police", urgent=False)
    assert police.acknowledge_within < default.acknowledge_within
    assert police.respond_within < default.respond_within
    assert deadlines.policy_for("police", urgent=True).acknowledge_within < HOUR
    assert deadlines.policy_for("prosecutor", urgent=False).respond_within < default.respond_within


def test_built_in_defaults_when_the_table_is_empty(db):
    DeadlinePolicy.objects.all().delete()
    assert deadlines.policy_for("police", urgent=True).acknowledge_within == HOUR
    assert deadlines.policy_for("", urgent=False).respond_within == 10 * DAY


def test_an_edited_policy_applies_to_the_next_referral(db):
    DeadlinePolicy.objects.filter(institution_kind="", urgent=False).update(
        acknowledge_within=2 * DAY, respond_within=3 * DAY
    )
    assert deadlines.due_dates("health", False, at(2)) == (at(4), at(5))


@time_machine.travel(at(6, 14), tick=False)
def test_sending_sets_the_deadlines(counsellor, supervisor, school):
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=school
    )
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    assert referral.sent_at == at(6, 14)
    assert referral.acknowledge_due_at == at(9, 14)  # Friday → Monday
    assert referral.respond_due_at == at(20, 14)  # ten working days


@time_machine.travel(at(7, 23), tick=False)
def test_urgent_referral_must_be_acknowledged_within_an_hour_even_on_a_saturday(
    counsellor, supervisor, school
):
    case = testing.make_case(counsellor, urgent=True, urgent_reason="Састанак са одраслим вечерас")
    referral = actions.create_referral(actor=counsellor, case=case, institution=school)
    assert referral.urgent
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    assert referral.acknowledge_due_at == at(8, 0)
    assert referral.respond_due_at == at(8, 23)


@time_machine.travel(at(2, 9), tick=False)
def test_police_deadlines_are_shorter(counsellor, supervisor, police):
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=police
    )
    referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    assert referral.acknowledge_due_at == at(2, 13)
    assert referral.respond_due_at == at(9, 9)


@pytest.mark.parametrize(
    ("text", "value"), [("1d", DAY), ("4h", 4 * HOUR), ("30m", dt.timedelta(minutes=30))]
)
def test_duration_format_of_the_data_file(text, value):
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["", "1", "1w", "-1d", "1.5h", "d"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


# --- public holidays (core/calendar.py) ----------------------------------------------------------


def at_date(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=BELGRADE)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Statehood Day: Sunday 15 and Monday 16 February 2026, observed on Tuesday 17.
        (at_date(2026, 2, 13), DAY, at_date(2026, 2, 18)),
        # Orthodox Easter 2026: Good Friday 10 April to Easter Monday 13 April.
        (at_date(2026, 4, 9), DAY, at_date(2026, 4, 14)),
        # Sent on Easter Monday: counting starts on Tuesday 00:00.
        (at_date(2026, 4, 13, 9), DAY, at_date(2026, 4, 15, 0)),
        # Labour Day, Friday 1 and Saturday 2 May 2026: Thursday + 2 working days is Tuesday.
        (at_date(2026, 4, 30), 2 * DAY, at_date(2026, 5, 5)),
        # Orthodox Christmas, Wednesday 7 January 2027.
        (at_date(2027, 1, 6), DAY, at_date(2027, 1, 8)),
    ],
)
def test_working_days_skip_the_countrys_public_holidays(start, duration, due):
    assert deadlines.add_duration(start, duration, working_days=True) == due


def test_hours_that_end_on_a_holiday_roll_to_the_next_working_day():
    # Thursday 9 April 22:00 + 4 hours would be Good Friday 02:00 → Tuesday 14 April 02:00.
    assert deadlines.add_duration(at_date(2026, 4, 9, 22), 4 * HOUR, working_days=True) == at_date(
        2026, 4, 14, 2
    )


def test_the_centres_own_closed_days_count_as_days_off(settings):
    settings.SMARTSAFE_CLOSED_DAYS = ["2026-03-03"]
    assert deadlines.add_duration(at(2), DAY, working_days=True) == at(4)
    settings.SMARTSAFE_CLOSED_DAYS = []
    assert deadlines.add_duration(at(2), DAY, working_days=True) == at(3)


def test_a_country_the_holiday_calendar_does_not_know_has_weekends_only(settings):
    settings.SMARTSAFE_COUNTRY = "zz"
    assert deadlines.add_duration(at_date(2026, 4, 9), DAY, working_days=True) == at_date(2026, 4, 10)


def test_urgent_deadlines_run_around_the_clock_even_on_a_holiday():
    assert deadlines.add_duration(at_date(2026, 4, 12), HOUR, working_days=False) == at_date(2026, 4, 12, 11)
