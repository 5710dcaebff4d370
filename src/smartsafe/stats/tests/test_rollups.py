"""Roll-ups stay equal to a full recount after any sequence of creates, edits, merges (a contact
linked to a case) and deletions — checked with random operation sequences (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smartsafe import testing
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import Case
from smartsafe.intake import actions as intake_actions
from smartsafe.intake.models import Contact, ContactState
from smartsafe.stats import rollups
from smartsafe.stats.models import CaseDaily, ContactDaily, DirtyDay
from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType

from .recount import expected, stored

ZONE = timezone.get_default_timezone()
# Three local days, with moments near midnight where UTC and local dates differ.
MOMENTS = [
    timezone.make_aware(dt.datetime(2024, 3, day, hour, minute), ZONE)
    for day in (9, 10, 11)
    for hour, minute in ((0, 20), (12, 0), (23, 50))
]

op = st.one_of(
    st.tuples(st.just("contact"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.booleans()),
    st.tuples(st.just("non_data"), st.integers(0, 99)),
    st.tuples(st.just("edit_contact"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("open_case"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("link"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("edit_case"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("move_case"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("delete_contact"), st.integers(0, 99)),
    st.tuples(st.just("delete_case"), st.integers(0, 99)),
    st.tuples(st.just("drop_category"), st.integers(0, 99)),
)


class World:
    def __init__(self, counsellors):
        self.users = counsellors
        self.channels = list(Channel.objects.filter(code__in=["phone", "email", "viber", "web_form"]))
        self.reporters = [None, *ReporterType.objects.all()[:2]]
        self.categories = list(Category.objects.all()[:4])
        self.places = [None, *Municipality.objects.all()[:2]]

    @staticmethod
    def pick(items, i):
        return items[i % len(items)] if items else None

    def contacts(self):
        return list(Contact.objects.order_by("pk"))

    def cases(self):
        return list(Case.objects.order_by("pk"))

    def linkable(self):
        """Contacts a case may take: on none, with data, in a state that allows linking. A contact
        whose case was deleted underneath it (``delete_case``, a raw delete) stays "linked", and
        linking it again is refused by the state machine, as it should be."""
        return [
            c
            for c in self.contacts()
            if c.case_id is None and not c.is_non_data and c.state != ContactState.LINKED
        ]

    def run(self, operation):  # noqa: C901 - one branch per operation, read top to bottom
        name, *args = operation
        user = self.pick(self.users, args[0])
        if name == "contact":
            a, b, c, urgent = args
            contact = intake_actions.log_contact(
                actor=user,
                channel=self.pick(self.channels, a),
                received_at=self.pick(MOMENTS, b),
                reporter_type=self.pick(self.reporters, c),
                topics=self.categories[: c % 3],
                summary="x",
                urgent=urgent,
            )
            assert contact.pk
        elif name == "non_data":
            intake_actions.log_non_data_contact(
                actor=user,
                channel=self.pick(self.channels, args[0]),
                kind="silent",
                received_at=self.pick(MOMENTS, args[0]),
            )
        elif name == "edit_contact":
            contact = self.pick(self.contacts(), args[0])
            if contact and not contact.is_non_data:
                intake_actions.update_contact(
                    actor=user,
                    contact=contact,
                    expected_version=None,
                    channel=self.pick(self.channels, args[1]),
                    received_at=self.pick(MOMENTS, args[2]),
                    reporter_type=self.pick(self.reporters, args[1] + args[2]),
                    topics=self.categories[args[2] % 4 :],
                )
        elif name == "open_case":
            free = self.linkable()
            contacts = free[args[0] % 3 : args[0] % 3 + 1 + args[1] % 2] if free else []
            case = case_actions.open_case(
                actor=user,
                contacts=contacts,
                title="t",
                categories=self.categories[args[1] % 3 : args[1] % 3 + 2],
                municipality=self.pick(self.places, args[2]),
                kind="referred" if args[2] % 2 else "advisory",
                urgent=bool(args[2] % 5 == 0),
                urgent_reason="r" if args[2] % 5 == 0 else "",
            )
            assert case.pk  # opened "now": a day outside the three, moved later by move_case
        elif name == "link":
            free = self.linkable()
            case = self.pick([c for c in self.cases() if c.is_open], args[1])
            if free and case:
                case_actions.link_contact(actor=user, case=case, contact=self.pick(free, args[0]))
        elif name == "edit_case":
            case = self.pick(self.cases(), args[0])
            if case:
                case_actions.update_case(
                    actor=user,
                    case=case,
                    expected_version=None,
                    kind="referred" if args[1] % 2 else "advisory",
                    municipality=self.pick(self.places, args[2]),
                    categories=self.categories[args[1] % 4 : args[1] % 4 + args[2] % 3],
                )
        elif name == "move_case":
            case = self.pick(self.cases(), args[0])
            if case:
                case.opened_at = self.pick(MOMENTS, args[1])
                case.save()
        elif name == "delete_contact":
            contact = self.pick(self.contacts(), args[0])
            if contact:
                contact.delete()
        elif name == "delete_case":
            case = self.pick(self.cases(), args[0])
            if case:
                for contact in case.contacts.all():
                    contact.case = None
                    contact.save()
                case.delete()
        elif name == "drop_category":
            # From the other side of the relation: a category loses all its cases and contacts.
            category = self.pick(self.categories, args[0])
            category.cases.clear()
            category.contacts.clear()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(op, min_size=1, max_size=14))
# Found by the search: a case deleted underneath its contact, then a case opened with that contact.
@example(
    operations=[
        ("contact", 82, 38, 70, False),
        ("open_case", 0, 48, 83),
        ("delete_case", 62),
        ("open_case", 30, 19, 93),
    ]
)
def test_rollups_equal_a_full_recount_after_any_operations(counsellor, supervisor, operations):
    world = World([counsellor, supervisor])
    with transaction.atomic():
        for operation in operations:
            world.run(operation)
            # After every step: a later step touching the same day must not hide a stale row.
            assert stored() == expected(), operation
        # And a rebuild from scratch gives the same rows' totals.
        rollups.rebuild()
        assert stored() == expected()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_rollups_untouched(counsellor):
    testing.make_contact(counsellor, received_at=MOMENTS[1])
    before = stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        testing.make_contact(counsellor, received_at=MOMENTS[4])
        raise RuntimeError
    assert stored() == before == expected()


@pytest.mark.django_db
def test_a_contact_counts_on_its_local_day(counsellor):
    # 00:20 in Belgrade on 10 March is still 9 March in UTC.
    testing.make_contact(counsellor, received_at=MOMENTS[3])
    rollups.drain()
    assert list(ContactDaily.objects.values_list("day", "count")) == [(dt.date(2024, 3, 10), 1)]


@pytest.mark.django_db
def test_rebuild_command_recounts_after_bulk_writes(counsellor):
    phone = Channel.objects.get(code="phone")
    Contact.objects.bulk_create([Contact(channel=phone, received_at=MOMENTS[1], created_by=counsellor)] * 1)
    assert not ContactDaily.objects.exists()
    from django.core.management import call_command

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))
    assert stored() == expected()
    assert ContactDaily.objects.get().count == 1
    assert not CaseDaily.objects.exists()


@pytest.mark.django_db
def test_edits_that_move_a_record_to_another_day_or_origin_leave_no_stale_row(counsellor):
    """Explicit cases of what the random sequences look for."""
    world = World([counsellor])
    steps = [
        ("contact", 0, 1, 0, False),  # phone-ish contact on 9 March
        ("edit_contact", 0, 0, 7),  # moved to 11 March: the 9 March row must go
        ("open_case", 0, 0, 1),  # a case from it
        ("edit_contact", 0, 1, 7),  # its first contact changes channel: the case's origin changes
        ("move_case", 0, 4),  # the case moves to 10 March
        ("delete_case", 0),
        ("delete_contact", 0),
    ]
    for step in steps:
        world.run(step)
        assert stored() == expected(), step
    assert not ContactDaily.objects.exists() and not CaseDaily.objects.exists()


@pytest.mark.django_db
def test_a_write_only_marks_its_day_and_the_drain_recounts_it(counsellor):
    """The writer's transaction appends a marker and touches no roll-up row; a drain consumes it."""
    testing.make_contact(counsellor, received_at=MOMENTS[1])
    assert not ContactDaily.objects.exists()
    assert set(DirtyDay.objects.values_list("family", "day")) == {("contacts", dt.date(2024, 3, 9))}
    assert rollups.drain() >= 1
    assert not DirtyDay.objects.exists()
    assert ContactDaily.objects.get().count == 1
    assert rollups.drain() == 0  # nothing left: a second drain is a single probe


@pytest.mark.django_db
def test_a_save_of_fields_no_figure_counts_marks_nothing(counsellor):
    contact = testing.make_contact(counsellor, received_at=MOMENTS[1])
    rollups.drain()
    contact.summary = "A longer summary written after the call."
    contact.save(update_fields=["summary"])
    assert not DirtyDay.objects.exists()
    contact.urgent = True
    contact.save(update_fields=["urgent"])
    assert DirtyDay.objects.filter(family="contacts").exists()
    assert stored() == expected()


@pytest.mark.django_db
def test_check_finds_a_tampered_rollup_and_nothing_after_a_rebuild(counsellor):
    testing.make_contact(counsellor, received_at=MOMENTS[1])
    testing.make_contact(counsellor, received_at=MOMENTS[5])
    assert rollups.check() == {}
    ContactDaily.objects.filter(day=dt.date(2024, 3, 9)).update(count=5)
    assert rollups.check() == {ContactDaily._meta.db_table: 2}
    rollups.rebuild()
    assert rollups.check() == {}


@pytest.mark.django_db
def test_rebuild_rollups_check_command_exit_status(counsellor):
    from django.core.management import CommandError, call_command

    testing.make_contact(counsellor, received_at=MOMENTS[1])
    call_command("rebuild_rollups", "--check", stdout=open("/dev/null", "w"))  # drains, then equal
    ContactDaily.objects.update(count=9)
    with pytest.raises(CommandError, match="differ"):
        quiet = {"stdout": open("/dev/null", "w"), "stderr": open("/dev/null", "w")}
        call_command("rebuild_rollups", "--check", **quiet)


def _planner_rows(table: str) -> int:
    """How many rows the database's planner believes ``table`` has."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else 0


@pytest.mark.django_db
def test_a_rebuild_after_a_bulk_load_gives_the_planner_the_new_row_counts(counsellor):
    """On either engine: the rows the loading transaction wrote are in the planner's figures
    before the recount reads them (a stale "empty table" made PostgreSQL scan per case)."""
    phone = Channel.objects.get(code="phone")
    with transaction.atomic():
        Contact.objects.bulk_create(
            [Contact(channel=phone, received_at=MOMENTS[1], created_by=counsellor) for _ in range(300)]
        )
        rollups.rebuild()
        assert _planner_rows(Contact._meta.db_table) >= 300
    assert stored() == expected()
