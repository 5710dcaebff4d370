"""Pieces every API ViewSet shares: role gate, scoped lookup, audited list reads."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from .permissions import RoleGate

# Query parameters that only page through a list; not recorded as filters.
_PAGING = {"page", "page_size"}


class ScopedViewSet(viewsets.GenericViewSet):
    """A ViewSet over records only some roles may see, with every read audited.

    Subclasses set ``reader_roles`` (the role gate), implement ``access(pk, audit)`` with the
    app's audited accessor, and ``record_list(filters, count)``.
    """

    permission_classes = [RoleGate]
    reader_roles: frozenset = frozenset()

    def access(self, key, *, audit: bool = True):
        raise NotImplementedError

    def record_list(self, *, filters: dict, count: int) -> None:
        raise NotImplementedError

    def get_object(self, *, audit: bool = True):
        key = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        return self.access(key, audit=audit)

    def list(self, request, *args, **kwargs):
        # PostgreSQL refuses NUL in text: caught here as a 400, not as a database error (500).
        bad = [key for key, values in request.query_params.lists() if "\x00" in key + "".join(values)]
        if bad:
            raise ValidationError(
                {key.replace("\x00", "")[:50]: [_("Null characters are not allowed.")] for key in bad}
            )
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        filters = {
            key[:50]: [value[:200] for value in request.query_params.getlist(key)][:20]
            for key in list(request.query_params.keys())[:20]
            if key not in _PAGING
        }
        self.record_list(filters=filters, count=self.paginator.total())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
