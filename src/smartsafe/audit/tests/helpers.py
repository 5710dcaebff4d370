"""Raw-SQL tampering for the tests: what someone with database access could do, bypassing the model."""

from __future__ import annotations

from django.db import connection

from smartsafe.audit.log import record
from smartsafe.audit.models import AuditChainHead, AuditEvent
from smartsafe.audit.sealing import seal_pending

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


def make_events(count: int, actor=None, **fields) -> list[AuditEvent]:
    """``count`` events, sealed (as they are once their transaction commits), in chain order."""
    recorded = [
        record("case.view", actor=actor, object_type="cases.case", object_id=i, n=i, **fields)
        for i in range(count)
    ]
    seal_pending()
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in recorded]).order_by("sequence"))


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(events=EVENTS, head=HEAD), params)
        return cursor.rowcount


def insert_raw(**row) -> None:
    """Insert an event row directly (a forged append)."""
    columns = ", ".join(row)
    placeholders = ", ".join(["%s"] * len(row))
    sql(f"INSERT INTO {{events}} ({columns}) VALUES ({placeholders})", list(row.values()))
