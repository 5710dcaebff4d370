"""GET /api/v1/stats/summary/?from=YYYY-MM-DD&to=YYYY-MM-DD — the headline figures (queries.summary)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from smartsafe.api.permissions import RoleGate

from .. import queries
from ..permissions import API_ROLES


class SummaryQuery(serializers.Serializer):
    """``from`` and ``to`` are Python keywords, so the fields are declared here."""

    def get_fields(self):
        return {
            "from": serializers.DateField(required=False, input_formats=["%Y-%m-%d"]),
            "to": serializers.DateField(required=False, input_formats=["%Y-%m-%d"]),
        }

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": [_("The start must not be after the end.")]})
        return attrs


_counts = serializers.DictField(child=serializers.IntegerField())
SummarySchema = inline_serializer(
    "StatsSummary",
    {
        "contacts": inline_serializer(
            "StatsContacts", {"total": serializers.IntegerField(), "by_channel": _counts}
        ),
        "cases": inline_serializer(
            "StatsCases",
            {n: serializers.IntegerField() for n in ("total", "advisory", "referred")},
        ),
        "referred_by_category": _counts,
        "prevention": inline_serializer(
            "StatsPrevention", {n: serializers.IntegerField() for n in queries.PREVENTION_KEYS}
        ),
    },
)


class StatsViewSet(viewsets.ViewSet):
    permission_classes = [RoleGate]
    reader_roles = API_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive, local time)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive, local time)."),
        ],
        responses=SummarySchema,
    )
    @action(detail=False, methods=["get"], url_path="summary")
    def summary(self, request):
        params = SummaryQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return Response(queries.summary(data.get("from"), data.get("to")))
