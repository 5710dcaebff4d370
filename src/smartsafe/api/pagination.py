from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-numbered lists with a total ``count``; clients may ask for up to 200 a page.

    A ``page`` or ``page_size`` that is not a positive integer is a 400 with a field error (DRF
    would answer 404 or silently use the default); a page past the end stays a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            raw = request.query_params.get(name)
            if raw is None or raw == "last" and name == self.page_query_param:
                continue
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) > 0):
                errors[name] = [_("Give a positive whole number.")]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def total(self) -> int:
        """The number of rows across all pages (after ``paginate_queryset``)."""
        return self.page.paginator.count
