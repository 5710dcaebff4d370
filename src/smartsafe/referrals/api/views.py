"""``/api/v1/referrals/``: parse → access → act → respond, through referrals' actions and queries.

Liaison tokens are institution-scoped by ``queries.referrals_visible_to``: another institution's
referral (or one not sent yet) is a 404, exactly like a missing id, on every endpoint.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from smartsafe.accounts.roles import CASE_READER_ROLES, Role
from smartsafe.api.permissions import require
from smartsafe.api.views import ScopedViewSet
from smartsafe.cases.queries import cases_visible_to

from .. import actions, queries
from ..filters import ReferralFilter
from ..models import Referral
from ..permissions import can_post_message, can_work_referrals, is_liaison_of
from ..routing import suggest_institutions
from .serializers import (
    ReferralCreateSerializer,
    ReferralDeliverySerializer,
    ReferralListSerializer,
    ReferralMessageSerializer,
    ReferralSerializer,
    ReferralSuggestionSerializer,
    ReferralTransitionSerializer,
    ReferralUpdateSerializer,
)

_CONFLICT = OpenApiResponse(description="Illegal transition (with `allowed`) or stale version.")


@extend_schema_view(
    list=extend_schema(
        summary="List referrals",
        description="Urgent first, then newest. Liaisons: their institution's sent referrals only. Audited.",
    ),
    retrieve=extend_schema(summary="Read one referral", description="With its events and packet. Audited."),
    create=extend_schema(
        summary="Draft a referral", request=ReferralCreateSerializer, responses={201: ReferralSerializer}
    ),
    partial_update=extend_schema(
        summary="Edit a draft",
        request=ReferralUpdateSerializer,
        responses={200: ReferralSerializer, 409: _CONFLICT},
    ),
)
class ReferralViewSet(ScopedViewSet):
    reader_roles = CASE_READER_ROLES | {Role.LIAISON}
    filterset_class = ReferralFilter
    lookup_value_regex = r"[^/]{1,40}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Referral.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return queries.referral_list(self.request.user)

    def get_serializer_class(self):
        return ReferralListSerializer if self.action == "list" else ReferralSerializer

    def access(self, key, *, audit=True):
        return queries.access_referral(self.request.user, key, audit=audit)

    def record_list(self, *, filters, count):
        queries.record_list_read(self.request.user, filters=filters, count=count)

    def _respond(self, referral, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=referral.pk).first() or referral
        return Response(
            ReferralSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def _valid(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _staff(self):
        referral = self.get_object(audit=False)
        require(
            can_work_referrals(self.request.user),
            _("Only the centre's counsellors and supervisors may do this."),
        )
        return referral

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        require(
            can_work_referrals(request.user),
            _("Only the centre's counsellors and supervisors may refer cases."),
        )
        data = self._valid(ReferralCreateSerializer)
        referral = actions.create_referral(actor=request.user, **data)
        return self._respond(referral, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        referral = self._staff()
        data = self._valid(ReferralUpdateSerializer, partial=True)
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": [_("Send the version you read.")]})
        referral = actions.update_draft(
            actor=request.user, referral=referral, expected_version=version, **data
        )
        return self._respond(referral)

    @extend_schema(
        summary="Move a referral through its workflow",
        description="Institution actions (acknowledge, accept, reject, complete) are the liaison's; "
        "staff record them with `on_behalf: true`. `reject` and `revoke` need a `reason`, `complete` "
        "needs `feedback`.",
        request=ReferralTransitionSerializer,
        responses={
            200: ReferralSerializer,
            403: OpenApiResponse(description="Not your action."),
            409: _CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        referral = self.get_object(audit=False)
        user = request.user
        require(
            can_work_referrals(user) or is_liaison_of(user, referral),
            _("Your role may not change referrals."),
        )
        data = self._valid(ReferralTransitionSerializer)
        referral = actions.transition_referral(
            actor=user,
            referral=referral,
            action=data["action"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
            feedback=data.get("feedback", ""),
            institution_reference=data.get("institution_reference", ""),
            expected_version=data.get("version"),
            on_behalf=data.get("on_behalf", False),
        )
        return self._respond(referral)

    @extend_schema(
        methods=["GET"],
        summary="Messages about a referral",
        request=None,
        responses=ReferralMessageSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Write a message",
        request=ReferralMessageSerializer,
        responses={201: ReferralMessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def messages(self, request, pk=None):
        if request.method == "GET":
            referral = self.get_object()
            page = self.paginate_queryset(queries.messages_of(referral))
            return self.get_paginated_response(ReferralMessageSerializer(page, many=True).data)
        referral = self.get_object(audit=False)
        require(can_post_message(request.user, referral), _("You may not write about this referral."))
        data = self._valid(ReferralMessageSerializer)
        message = actions.post_message(
            actor=request.user, referral=referral, body=data["body"], on_behalf=data.get("on_behalf", False)
        )
        return Response(ReferralMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a delivery by phone or on paper",
        request=ReferralDeliverySerializer,
        responses={200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def delivery(self, request, pk=None):
        referral = self._staff()
        data = self._valid(ReferralDeliverySerializer)
        referral = actions.record_manual_delivery(
            actor=request.user,
            referral=referral,
            method=data["method"],
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self._respond(referral)

    @extend_schema(
        summary="Suggested institutions for a case",
        description="From the routing rules (categories, urgency, municipality). "
        "The counsellor confirms or changes them.",
        parameters=[
            OpenApiParameter("case", OpenApiTypes.STR, description="The case's reference.", required=True)
        ],
        responses=ReferralSuggestionSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def suggestions(self, request):
        require(
            can_work_referrals(request.user),
            _("Only the centre's counsellors and supervisors may refer cases."),
        )
        key = request.query_params.get("case", "")
        if not key.strip():
            raise ValidationError({"case": [_("Give the case's reference.")]})
        clean = key.strip().upper()
        case = None
        if len(clean) <= 40 and "\x00" not in clean:
            case = cases_visible_to(request.user).filter(reference=clean).first()
        if case is None:
            raise ValidationError(
                {"case": [_("Unknown case “%(value)s”.") % {"value": clean[:40].replace("\x00", "")}]}
            )
        return Response(ReferralSuggestionSerializer(suggest_institutions(case), many=True).data)
