"""``/api/v1/cases/``: parse → access → act → respond, through cases' actions and queries."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from smartsafe.accounts.roles import CASE_READER_ROLES, Role
from smartsafe.api.exceptions import validation_errors
from smartsafe.api.permissions import require
from smartsafe.api.schema import with_string_params
from smartsafe.api.views import ScopedViewSet

from .. import actions, queries
from ..filters import CaseFilter
from ..models import Case
from ..permissions import can_read_cases, can_work_cases
from .serializers import (
    ArtefactAddedSerializer,
    ArtefactSerializer,
    CaseAssignSerializer,
    CaseCreateSerializer,
    CaseListSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    NoteSerializer,
    TimelineEntrySerializer,
    TransitionSerializer,
)

_CONFLICT = OpenApiResponse(description="Illegal state transition (with `allowed`) or stale version.")


@extend_schema_view(
    list=extend_schema(
        summary="List cases", description="Urgent first, then newest. Audited (one event a request)."
    ),
    retrieve=extend_schema(
        summary="Read one case", description="By reference (SS-2026-000001) or id. Audited."
    ),
    create=extend_schema(
        summary="Open a case", request=CaseCreateSerializer, responses={201: CaseSerializer}
    ),
    partial_update=extend_schema(
        summary="Edit a case", request=CaseUpdateSerializer, responses={200: CaseSerializer, 409: _CONFLICT}
    ),
)
class CaseViewSet(ScopedViewSet):
    # Liaisons see the cases shared with their institution, read-only.
    reader_roles = CASE_READER_ROLES | {Role.LIAISON}
    filterset_class = with_string_params(CaseFilter, "category", "platform")
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]{1,40}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Case.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return queries.case_list(self.request.user)

    def _detail(self, case):
        """One case with everything its detail representation shows, in a fixed number of queries."""
        return (
            self.get_queryset()
            .select_related("child_sex", "closure_requested_by", "closed_by")
            .prefetch_related("platforms", "contacts")
            .get(pk=case.pk)
        )

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def access(self, key, *, audit=True):
        return queries.access_case(self.request.user, key, audit=audit)

    def record_list(self, *, filters, count):
        queries.record_list_read(self.request.user, filters=filters, count=count)

    def _respond(self, case, status_code=status.HTTP_200_OK):
        return Response(
            CaseSerializer(self._detail(case), context=self.get_serializer_context()).data, status=status_code
        )

    def _writable(self):
        case = self.get_object(audit=False)
        require(can_work_cases(self.request.user), _("Your role may not change cases."))
        return case

    def _staff_readable(self):
        """Notes and the timeline are the centre's internal record: never for institution liaisons,
        so the role is checked before the lookup (403 whichever case is asked for)."""
        require(can_read_cases(self.request.user), _("Only the centre's staff may read this."))
        return self.get_object()

    def _page(self, queryset, serializer_class):
        """A case's notes, artefacts or timeline, paginated like every list (oldest first)."""
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @staticmethod
    def _valid(serializer_class, request, context, **kwargs):
        serializer = serializer_class(data=request.data, context=context, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def retrieve(self, request, reference=None):
        return Response(self.get_serializer(self._detail(self.get_object())).data)

    def create(self, request):
        require(can_work_cases(request.user), _("Your role may not open cases."))
        data = self._valid(CaseCreateSerializer, request, self.get_serializer_context())
        try:
            case = actions.open_case(actor=request.user, contacts=data.pop("contacts", []), **data)
        except DjangoValidationError as exc:
            # A contact linked elsewhere in the meantime: the message names it.
            raise ValidationError(validation_errors(exc, rename={"__all__": "contacts"})) from None
        return self._respond(case, status.HTTP_201_CREATED)

    def partial_update(self, request, reference=None):
        case = self._writable()
        data = self._valid(CaseUpdateSerializer, request, self.get_serializer_context(), partial=True)
        version = data.pop("version", None)
        if version is None:
            return Response(
                {"version": [_("Send the version you read.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        case = actions.update_case(actor=request.user, case=case, expected_version=version, **data)
        return self._respond(case)

    @extend_schema(
        summary="Move a case through its workflow",
        request=TransitionSerializer,
        responses={
            200: CaseSerializer,
            409: _CONFLICT,
            403: OpenApiResponse(description="Supervisor-only action."),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, reference=None):
        case = self._writable()
        data = self._valid(TransitionSerializer, request, self.get_serializer_context())
        try:
            case = actions.transition_case(
                actor=request.user,
                case=case,
                action=data["action"],
                expected_version=data.get("version"),
                resolution=data.get("resolution", ""),
                note=data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise ValidationError(validation_errors(exc, rename={"resolution_note": "note"})) from None
        return self._respond(case)

    @extend_schema(
        methods=["GET"], summary="A case's notes", request=None, responses=NoteSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"], summary="Add a note", request=NoteSerializer, responses={201: NoteSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def notes(self, request, reference=None):
        if request.method == "GET":
            case = self._staff_readable()
            return self._page(queries.case_notes(case), NoteSerializer)
        case = self._writable()
        data = self._valid(NoteSerializer, request, self.get_serializer_context())
        note = actions.add_note(actor=request.user, case=case, body=data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="A case's online artefacts",
        request=None,
        responses=ArtefactSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record an online artefact",
        description="Cases that share the artefact (same normalised identity) are linked and listed.",
        request=ArtefactSerializer,
        responses={201: ArtefactAddedSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def artefacts(self, request, reference=None):
        if request.method == "GET":
            case = self.get_object()
            return self._page(case.artefacts.select_related("platform", "added_by"), ArtefactSerializer)
        case = self._writable()
        data = self._valid(ArtefactSerializer, request, self.get_serializer_context())
        artefact, linked = actions.add_artefact(
            actor=request.user,
            case=case,
            kind=data["kind"],
            value=data["value"],
            platform=data.get("platform"),
        )
        body = {"artefact": ArtefactSerializer(artefact).data, "linked_cases": [c.reference for c in linked]}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="A case's timeline", responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, reference=None):
        case = self._staff_readable()
        return self._page(queries.case_timeline(case), TimelineEntrySerializer)

    @extend_schema(summary="Assign a case", request=CaseAssignSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, reference=None):
        case = self._writable()
        data = self._valid(CaseAssignSerializer, request, self.get_serializer_context())
        case = actions.assign_case(actor=request.user, case=case, assignee=data["assignee"])
        return self._respond(case)
