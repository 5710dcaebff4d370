"""Read-only taxonomy lists: the codes the other endpoints accept, with names in the request's
language (``Accept-Language``: ``sr``, ``sr-latn``, ``en``). Any signed-in user may read them.

Lists are small and unpaginated; inactive terms are included (``active: false``) because older
records still carry their codes. ``?active=true`` gives only the terms offered for new records.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from smartsafe.taxonomy.models import AgeBand, Category, Channel, Municipality, Platform, ReporterType, Sex

TERM_FIELDS = ["code", "name", "active", "sort_order"]


class TermSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")


# Each term type has its own "kind" list; codes are documented per endpoint, not as shared enums.
_code = serializers.CharField


def _serializer(model, extra=(), extra_declared=None):
    attrs = {
        "Meta": type(
            "Meta",
            (),
            {"model": model, "fields": [*TERM_FIELDS, *extra], "read_only_fields": [*TERM_FIELDS, *extra]},
        )
    }
    attrs.update(extra_declared or {})
    return type(f"{model.__name__}TermSerializer", (TermSerializer,), attrs)


_kind = {"kind": _code(read_only=True)}

SERIALIZERS = {
    Channel: _serializer(Channel, ["kind"], _kind),
    Category: _serializer(
        Category,
        ["kind", "description", "chi_code", "insafe_code", "suggests_urgent"],
        {
            **_kind,
            "description": _code(read_only=True),
            "chi_code": _code(
                read_only=True, help_text="Child Helpline International data framework category."
            ),
            "insafe_code": _code(read_only=True, help_text="Insafe helpline category."),
        },
    ),
    Platform: _serializer(Platform, ["kind"], _kind),
    ReporterType: _serializer(ReporterType),
    AgeBand: _serializer(AgeBand, ["min_age", "max_age"]),
    Sex: _serializer(Sex),
    Municipality: _serializer(Municipality, ["country", "district", "region"]),
}


class TermViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends: list = []
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,50}"
    model = None

    def get_queryset(self):
        queryset = self.model.objects.all()
        if self.request.query_params.get("active") in ("true", "1"):
            queryset = queryset.filter(active=True)
        return queryset

    def get_serializer_class(self):
        return SERIALIZERS[self.model]


_active_param = OpenApiParameter(
    "active", OpenApiTypes.BOOL, description="Only terms offered for new records."
)


def term_viewset(model, description: str):
    cls = type(f"{model.__name__}ViewSet", (TermViewSet,), {"model": model, "queryset": model.objects.all()})
    return extend_schema_view(
        list=extend_schema(description=description, parameters=[_active_param]),
        retrieve=extend_schema(description=description),
    )(cls)


ROUTES = [
    ("channels", term_viewset(Channel, "Channels a contact can arrive on."), "channel"),
    (
        "categories",
        term_viewset(Category, "Case categories and advisory topics, with their CHI and Insafe mappings."),
        "category",
    ),
    ("platforms", term_viewset(Platform, "Online platforms named in cases and artefacts."), "platform"),
    (
        "reporter-types",
        term_viewset(ReporterType, "Who contacted the centre (child, parent, teacher, …)."),
        "reporter-type",
    ),
    ("age-bands", term_viewset(AgeBand, "Age bands of the child concerned."), "age-band"),
    ("sexes", term_viewset(Sex, "Sex of the child concerned."), "sex"),
    ("municipalities", term_viewset(Municipality, "Municipalities (decide jurisdiction)."), "municipality"),
]
