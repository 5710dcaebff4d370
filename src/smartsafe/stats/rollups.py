"""Keeping the roll-up tables (models.py) equal to a full recount of the source records.

The rule is simple on purpose: when a contact or a case changes, every *day* it touched (its old
and its new day) is marked dirty — one appended ``DirtyDay`` row, in the same transaction as the
change, so a rolled-back change marks nothing and a committed one is never forgotten. ``drain()``
then deletes and recounts the roll-up rows of the dirty days from the source, outside the writer's
transaction: before every statistics read, and every few seconds in the background. Exact whatever
the change was (edit, link to a case, delete, a new category) — no increments that could drift —
and no writer ever rewrites a row another writer needs: a busy day with many people reporting at
once costs each of them one INSERT (docs/decisions/0007-statistics-from-a-dirty-day-queue.md).
Bulk loads (the demo) skip the hooks and call ``rebuild()`` at the end.

Days are local days in ``settings.TIME_ZONE``: a call at 00:30 in Belgrade counts on that date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Count, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models import Case as When_
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from smartsafe.cases.models import Case
from smartsafe.intake.models import Contact

from .models import (
    CaseCategoryDaily,
    CaseCategoryMonthly,
    CaseDaily,
    CaseMonthly,
    ContactDaily,
    ContactMonthly,
    ContactTopicDaily,
    ContactTopicMonthly,
    DirtyDay,
    WorkloadDaily,
    WorkloadMonthly,
)

# daily table → (monthly twin, the dimensions it keeps)
MONTHLY = {
    ContactDaily: (ContactMonthly, ("channel_id", "reporter_type_id")),
    ContactTopicDaily: (ContactTopicMonthly, ("category_id", "channel_id", "reporter_type_id")),
    CaseDaily: (CaseMonthly, ("kind", "channel_id", "reporter_type_id")),
    CaseCategoryDaily: (CaseCategoryMonthly, ("kind", "category_id", "channel_id", "reporter_type_id")),
    WorkloadDaily: (WorkloadMonthly, ("user_id", "source")),
}

BATCH = 5000
# Markers consumed by one drain transaction; a backlog larger than this takes several.
DRAIN_BATCH = 20_000
# PostgreSQL advisory lock that lets one recount run at a time (any constant unique to this use).
_RECOUNT_LOCK = 0x5EC0_0001


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware [start, end) of a local day (DST days are 23 or 25 hours long)."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


def _in_days(field: str, days: Iterable[dt.date] | None) -> Q:
    if days is None:
        return Q()
    q = Q(pk__in=[])
    for day in days:
        start, end = day_bounds(day)
        q |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return q


def _day(field: str):
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _origin(field: str, case_ref: str):
    """The ``field`` of a case's earliest contact (by time received, then id)."""
    first = Contact.objects.filter(case=OuterRef(case_ref)).order_by("received_at", "pk").values(field)[:1]
    return Subquery(first)


def _write(model, rows: Iterable[dict]) -> int:
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(objs, batch_size=BATCH)
    return len(objs)


# --- contacts ------------------------------------------------------------------------------------


def _contact_rows(days):
    contacts = Contact.objects.filter(_in_days("received_at", days)).order_by()
    non_data = When_(
        When(non_data_kind="", then=Value(False)), default=Value(True), output_field=BooleanField()
    )
    for row in (
        contacts.annotate(d=_day("received_at"), nd=non_data)
        .values("d", "channel_id", "reporter_type_id", "nd", "urgent")
        .annotate(n=Count("pk"))
    ):
        yield {
            "day": row["d"],
            "channel_id": row["channel_id"],
            "reporter_type_id": row["reporter_type_id"],
            "non_data": row["nd"],
            "urgent": row["urgent"],
            "count": row["n"],
        }


def _contact_topic_rows(days):
    through = Contact.topics.through.objects.filter(_in_days("contact__received_at", days)).order_by()
    for row in (
        through.annotate(d=_day("contact__received_at"))
        .values("d", "category_id", "contact__channel_id", "contact__reporter_type_id")
        .annotate(n=Count("pk"))
    ):
        yield {
            "day": row["d"],
            "category_id": row["category_id"],
            "channel_id": row["contact__channel_id"],
            "reporter_type_id": row["contact__reporter_type_id"],
            "count": row["n"],
        }


def _contact_workload_rows(days):
    contacts = Contact.objects.filter(_in_days("received_at", days), created_by__isnull=False).order_by()
    for row in contacts.annotate(d=_day("received_at")).values("d", "created_by_id").annotate(n=Count("pk")):
        yield {"day": row["d"], "user_id": row["created_by_id"], "source": "contacts", "count": row["n"]}


# --- cases ---------------------------------------------------------------------------------------


def _case_rows(days):
    cases = Case.objects.filter(_in_days("opened_at", days)).order_by()
    for row in (
        cases.annotate(
            d=_day("opened_at"), ch=_origin("channel_id", "pk"), rt=_origin("reporter_type_id", "pk")
        )
        .values("d", "kind", "state", "urgent", "municipality_id", "ch", "rt")
        .annotate(n=Count("pk"))
    ):
        yield {
            "day": row["d"],
            "kind": row["kind"],
            "state": row["state"],
            "urgent": row["urgent"],
            "municipality_id": row["municipality_id"],
            "channel_id": row["ch"],
            "reporter_type_id": row["rt"],
            "count": row["n"],
        }


def _case_category_rows(days):
    through = Case.categories.through.objects.filter(_in_days("case__opened_at", days)).order_by()
    for row in (
        through.annotate(
            d=_day("case__opened_at"),
            ch=_origin("channel_id", "case_id"),
            rt=_origin("reporter_type_id", "case_id"),
        )
        .values("d", "case__kind", "category_id", "case__municipality_id", "ch", "rt")
        .annotate(n=Count("pk"))
    ):
        yield {
            "day": row["d"],
            "kind": row["case__kind"],
            "category_id": row["category_id"],
            "municipality_id": row["case__municipality_id"],
            "channel_id": row["ch"],
            "reporter_type_id": row["rt"],
            "count": row["n"],
        }


def _case_workload_rows(days):
    cases = Case.objects.filter(_in_days("opened_at", days)).order_by()
    for row in cases.annotate(d=_day("opened_at")).values("d", "owner_id").annotate(n=Count("pk")):
        yield {"day": row["d"], "user_id": row["owner_id"], "source": "cases", "count": row["n"]}


# --- entry points ---------------------------------------------------------------------------------


def _scope(model, days, **extra):
    rows = model.objects.filter(**extra)
    return rows if days is None else rows.filter(day__in=list(days))


def refresh_contact_days(days: Iterable[dt.date]) -> None:
    """Recount the contact roll-ups of ``days`` (local dates) from the contacts."""
    days = sorted(set(days))
    if not days:
        return
    with transaction.atomic():
        _scope(ContactDaily, days).delete()
        _scope(ContactTopicDaily, days).delete()
        _scope(WorkloadDaily, days, source="contacts").delete()
        _write(ContactDaily, _contact_rows(days))
        _write(ContactTopicDaily, _contact_topic_rows(days))
        _write(WorkloadDaily, _contact_workload_rows(days))
        _refresh_months((ContactDaily, ContactTopicDaily, WorkloadDaily), days)


def refresh_case_days(days: Iterable[dt.date]) -> None:
    """Recount the case roll-ups of ``days`` (local dates) from the cases."""
    days = sorted(set(days))
    if not days:
        return
    with transaction.atomic():
        _scope(CaseDaily, days).delete()
        _scope(CaseCategoryDaily, days).delete()
        _scope(WorkloadDaily, days, source="cases").delete()
        _write(CaseDaily, _case_rows(days))
        _write(CaseCategoryDaily, _case_category_rows(days))
        _write(WorkloadDaily, _case_workload_rows(days))
        _refresh_months((CaseDaily, CaseCategoryDaily, WorkloadDaily), days)


def _month_rows(daily, dims, months):
    rows = daily.objects.order_by()
    if months is not None:
        q = Q(pk__in=[])
        for month in months:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            q |= Q(day__gte=month, day__lt=following)
        rows = rows.filter(q)
    for row in rows.annotate(m=TruncMonth("day")).values("m", *dims).annotate(n=Sum("count")):
        yield {"day": row["m"], **{d: row[d] for d in dims}, "count": row["n"]}


def _refresh_months(dailies, days) -> None:
    """Recount the monthly twins of ``dailies`` for the months of ``days`` from the daily rows."""
    months = sorted({d.replace(day=1) for d in days})
    for daily in dailies:
        monthly, dims = MONTHLY[daily]
        # Workload months hold both sources; recounting both from the daily rows is still exact.
        monthly.objects.filter(day__in=months).delete()
        _write(monthly, _month_rows(daily, dims, months))


def mark_dirty(family: str, days: Iterable[dt.date]) -> None:
    """Queue ``days`` (local dates) of ``family`` for a recount: an INSERT, nothing else."""
    DirtyDay.objects.bulk_create([DirtyDay(family=family, day=day) for day in sorted(set(days))])


def _recount_lock() -> None:
    """Serialise recounts (drain, rebuild) with each other — never with the writers.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the IMMEDIATE write transaction that
    wraps every recount already excludes every other writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RECOUNT_LOCK])


def drain() -> int:
    """Recount every dirty day and remove the markers that were recounted; return their number.

    Markers appended while this runs stay for the next drain: a marker is read in the first
    statement and its record committed with it, so every later statement of the recount sees the
    record. Cheap when nothing is pending (one indexed probe), so every statistics read calls it.
    """
    consumed = 0
    while DirtyDay.objects.exists():
        with transaction.atomic():
            _recount_lock()
            markers = list(DirtyDay.objects.order_by("pk").values_list("pk", "family", "day")[:DRAIN_BATCH])
            if not markers:
                break
            refresh_contact_days({day for _pk, family, day in markers if family == DirtyDay.Family.CONTACTS})
            refresh_case_days({day for _pk, family, day in markers if family == DirtyDay.Family.CASES})
            DirtyDay.objects.filter(pk__in=[pk for pk, _family, _day in markers]).delete()
            consumed += len(markers)
        if len(markers) < DRAIN_BATCH:
            break
    return consumed


def _refresh_planner_statistics() -> None:
    """``ANALYZE`` the tables a full recount reads (the same statement on both engines).

    A rebuild follows bulk loads (the demo centre, an import), often in the loading transaction
    itself, when the planner's figures still describe the tables as they were before: on
    PostgreSQL a table it believes nearly empty gets its per-case "first contact" subquery as a
    sequential scan, once per case — minutes instead of seconds for 37,000 contacts. ANALYZE
    counts the rows the current transaction wrote too.
    """
    tables = [
        Contact._meta.db_table,
        Contact.topics.through._meta.db_table,
        Case._meta.db_table,
        Case.categories.through._meta.db_table,
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def rebuild() -> dict[str, int]:
    """Recount every roll-up from scratch (after bulk loads; safe to run any time)."""
    with transaction.atomic():
        _recount_lock()
        _refresh_planner_statistics()
        pending = list(DirtyDay.objects.values_list("pk", flat=True))
        for model in (ContactDaily, ContactTopicDaily, CaseDaily, CaseCategoryDaily, WorkloadDaily):
            model.objects.all().delete()
            MONTHLY[model][0].objects.all().delete()
        written = {
            "contact_daily": _write(ContactDaily, _contact_rows(None)),
            "contact_topic_daily": _write(ContactTopicDaily, _contact_topic_rows(None)),
            "case_daily": _write(CaseDaily, _case_rows(None)),
            "case_category_daily": _write(CaseCategoryDaily, _case_category_rows(None)),
            "workload_daily": _write(
                WorkloadDaily, list(_contact_workload_rows(None)) + list(_case_workload_rows(None))
            ),
        }
        for daily, (monthly, dims) in MONTHLY.items():
            written[monthly._meta.model_name] = _write(monthly, _month_rows(daily, dims, None))
        # Everything marked before this transaction's recount is counted now.
        DirtyDay.objects.filter(pk__in=pending).delete()
        return written


# The roll-up tables as a full recount computes them, for ``check``: daily rows from the source.
_DAILY_SOURCES = (
    (ContactDaily, lambda: _contact_rows(None)),
    (ContactTopicDaily, lambda: _contact_topic_rows(None)),
    (CaseDaily, lambda: _case_rows(None)),
    (CaseCategoryDaily, lambda: _case_category_rows(None)),
    (WorkloadDaily, lambda: [*_contact_workload_rows(None), *_case_workload_rows(None)]),
)


def _counted(rows, dims) -> Counter:
    counter: Counter = Counter()
    for row in rows:
        if row["count"]:
            counter[tuple(row[d] for d in dims)] += row["count"]
    return counter


def _dims(model) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "count"))


def check() -> dict[str, int]:
    """Drain, then compare every roll-up table with a full recount; ``{table: rows that differ}``.

    An empty answer means the statistics are exactly what the source records say. Reads only (the
    recount happens in memory), so it is safe on a live system.
    """
    drain()
    differences: dict[str, int] = {}
    with transaction.atomic():
        _recount_lock()  # no drain may run halfway through the comparison
        for daily, source in _DAILY_SOURCES:
            dims = _dims(daily)
            expected_daily = list(source())
            tables = [(daily, _counted(expected_daily, dims))]
            monthly, month_dims = MONTHLY[daily]
            months: Counter = Counter()
            for row in expected_daily:
                months[(row["day"].replace(day=1), *(row[d] for d in month_dims))] += row["count"]
            tables.append((monthly, +months))
            for model, expected in tables:
                stored = _counted(model.objects.values(*_dims(model), "count"), _dims(model))
                wrong = len(set(expected.items()) ^ set(stored.items()))
                if wrong:
                    differences[model._meta.db_table] = wrong
    return differences


def case_days(case_ids: Iterable[int]) -> set[dt.date]:
    ids = [i for i in set(case_ids) if i]
    if not ids:
        return set()
    return {local_day(at) for at in Case.objects.filter(pk__in=ids).values_list("opened_at", flat=True)}
