"""Pages of the inbox without counting a million rows.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole filtered set on every page: at a million
contacts that alone is a few hundred milliseconds. The inbox needs less. A page reads one row
more than it shows (so it knows whether there is a next page), and the total is counted only up
to ``COUNT_CAP``: below that it is exact, above it the page says "more than 1,000". Both reads
stop early on the ordering index. Pages go as deep as ``MAX_PAGE``; older contacts are found with
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
    """The page ``raw_page`` of ``queryset`` (already ordered): at most three short queries, and
    one when everything fits on the first page, whatever the size of the set."""

    def rows_of(number: int) -> list:
        offset = (number - 1) * per_page
        return list(queryset[offset : offset + per_page + 1])

    number = page_number(raw_page)
    rows = rows_of(number)
    if number == 1 and len(rows) <= per_page:
        count, capped = len(rows), False
    else:
        counted = queryset.values("pk")[: COUNT_CAP + 1].count()
        count, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
        if not rows and number > 1:  # past the end: the last page, as Paginator.get_page does
            number = max(1, -(-count // per_page)) if not capped else 1
            rows = rows_of(number)
    return Page(
        number=number,
        object_list=rows[:per_page],
        has_next=len(rows) > per_page,
        count=count,
        capped=capped,
        per_page=per_page,
    )
