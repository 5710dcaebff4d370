"""Pages of the inbox without counting a million rows.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole filtered set on every page: at a million
contacts that alone is a few hundred milliseconds. The inbox needs less: the total is counted only
up to ``COUNT_CAP`` (below that it is exact, above it the page says "more than 1,000"), from the
same read that finds the page's ids. Pages go as deep as ``MAX_PAGE``; older contacts are found with
the date filters, which is what a counsellor does anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNT_CAP = 1000
MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    number: int
    object_list: list
    has_next: bool
    count: int  # exact when not ``capped``; otherwise COUNT_CAP
    capped: bool
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        """Known only when the count is exact."""
        if self.capped:
            return None
        return max(1, -(-self.count // self.per_page))


def page_number(raw) -> int:
    """What someone put in ``?page=``, as a page to show: anything odd is the first page."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(queryset, raw_page, per_page: int) -> Page:
    """The page ``raw_page`` of ``queryset`` (already ordered), in two short queries whatever the
    size of the set: the ordered ids of the first ``COUNT_CAP + 1`` matches (an index-only walk
    for the default order; one pass over the trigram index for a search, which also gives the
    count), then the page's rows by id. Pages past the cap are read by offset."""
    number = page_number(raw_page)
    ids = list(queryset.values_list("pk", flat=True)[: COUNT_CAP + 1])
    count, capped = min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP
    if not capped:  # a page past the end shows the last one, as Paginator.get_page does
        number = min(number, max(1, -(-count // per_page)))
    offset = (number - 1) * per_page
    if offset + per_page < len(ids):
        wanted = ids[offset : offset + per_page]
        place = {pk: i for i, pk in enumerate(wanted)}
        rows = sorted(queryset.filter(pk__in=wanted), key=lambda contact: place[contact.pk])
        has_next = True
    else:
        rows = list(queryset[offset : offset + per_page + 1])
        has_next = len(rows) > per_page
        rows = rows[:per_page]
    return Page(
        number=number, object_list=rows, has_next=has_next, count=count, capped=capped, per_page=per_page
    )
