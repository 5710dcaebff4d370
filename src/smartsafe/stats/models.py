"""Roll-up tables: the statistics are read from these, never by scanning contacts per request.

Each table holds counts per *local* day (``settings.TIME_ZONE``) and a handful of dimensions. They
are derived data: ``rollups.py`` recomputes the rows of a whole day from the source records
(exact, whatever changed), and ``rebuild_rollups`` recomputes everything. Nothing else writes here.
A write to a contact or a case only appends a ``DirtyDay`` marker in its own transaction; the
recount happens outside it (``rollups.drain``), so writers never touch a row another writer needs
(docs/decisions/0007-statistics-from-a-dirty-day-queue.md).

Multi-valued dimensions (a case in two categories, a contact with two topics) have their own tables
with one row per value, so a case in two categories counts once in each category — and a category
total never double-counts, because a case is at most once in one category.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DirtyDay(models.Model):
    """A local day whose roll-ups of one family must be recounted: appended by every write.

    Append-only for writers (a plain INSERT, never an update of a shared row); ``rollups.drain``
    recounts the days it finds and deletes exactly the markers it read.
    """

    class Family(models.TextChoices):
        CONTACTS = "contacts"
        CASES = "cases"

    family = models.CharField(max_length=8, choices=Family.choices)
    day = models.DateField()

    def __str__(self) -> str:
        return f"{self.family} {self.day}"


class Rollup(models.Model):
    """Base of the roll-up rows: derived counts, written only by rollups.py."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day}: {self.count}"


class ContactDaily(Rollup):
    """Contacts received per day, channel, reporter type, non-data and urgency."""

    day = models.DateField(db_index=True)
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.CASCADE, related_name="+")
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    non_data = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    count = models.PositiveIntegerField(default=0)


class ContactTopicDaily(Rollup):
    """Contacts per day and topic (one row per topic of a contact), for the category filter."""

    day = models.DateField(db_index=True)
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.CASCADE, related_name="+")
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)


class CaseDaily(Rollup):
    """Cases opened per day, kind, state, municipality, urgency and origin.

    The origin (``channel``, ``reporter_type``) is that of the case's earliest contact: the channel
    and reporter filters of the dashboard select cases by how they first reached the centre.
    """

    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=16)
    state = models.CharField(max_length=24)
    urgent = models.BooleanField(default=False)
    municipality = models.ForeignKey(
        "taxonomy.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(
        "taxonomy.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)


class CaseCategoryDaily(Rollup):
    """Cases opened per day and category: one row per category of a case."""

    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=16)
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        "taxonomy.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(
        "taxonomy.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # "referred by category" reads the referred rows only: a small part of the table.
        indexes = [models.Index(fields=["kind", "day"])]


class WorkloadDaily(Rollup):
    """Per counsellor and day: contacts they logged and cases they own (opened that day)."""

    class Source(models.TextChoices):
        CONTACTS = "contacts"
        CASES = "cases"

    day = models.DateField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices)
    count = models.PositiveIntegerField(default=0)


# --- monthly twins ------------------------------------------------------------------------------
# A day holds a few hundred records spread over many dimension combinations, so the daily tables
# barely compress (at a million contacts they have hundreds of thousands of rows). The monthly
# twins drop the dimensions the figures never group or filter by on a long period (non-data,
# urgency; municipality for cases — a municipality filter reads the daily table, where it is
# selective) and hold one row per month: a long period is read from these, its partial months at
# either end from the daily rows. ``day`` is the first day of the month.


class ContactMonthly(Rollup):
    day = models.DateField(db_index=True)
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.CASCADE, related_name="+")
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)


class ContactTopicMonthly(Rollup):
    day = models.DateField(db_index=True)
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.CASCADE, related_name="+")
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)


class CaseMonthly(Rollup):
    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=16)
    channel = models.ForeignKey(
        "taxonomy.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)


class CaseCategoryMonthly(Rollup):
    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=16)
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        "taxonomy.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # "referred by category" reads the referred rows only: a small part of the table.
        indexes = [models.Index(fields=["kind", "day"])]


class WorkloadMonthly(Rollup):
    day = models.DateField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8)
    count = models.PositiveIntegerField(default=0)
