"""``/api/v1/contacts/``: parse → access → act → respond, through intake's actions and queries."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from smartsafe.accounts.roles import CASE_READER_ROLES, Role
from smartsafe.api.permissions import require
from smartsafe.api.schema import with_string_params
from smartsafe.api.views import ScopedViewSet

from .. import actions, queries
from ..filters import ContactFilter
from ..models import Contact
from ..permissions import can_log_contacts
from .serializers import (
    AssignSerializer,
    ContactCreateSerializer,
    ContactListSerializer,
    ContactSerializer,
    ContactTriageSerializer,
    ContactUpdateSerializer,
    VersionSerializer,
)

_CONFLICT = OpenApiResponse(description="Illegal state transition or stale version.")


@extend_schema_view(
    list=extend_schema(
        summary="List contacts", description="Urgent first, then newest. Audited (one event a request)."
    ),
    retrieve=extend_schema(summary="Read one contact", description="Audited: every read is recorded."),
    create=extend_schema(
        summary="Log a contact",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer},
        description="With `non_data_kind`: a silent call, hang-up, prank or wrong number (born closed).",
    ),
    partial_update=extend_schema(
        summary="Edit a contact",
        request=ContactUpdateSerializer,
        responses={200: ContactSerializer, 409: _CONFLICT},
    ),
)
class ContactViewSet(ScopedViewSet):
    # Liaisons pass the gate but their scope is empty: an empty list, 404 for any id.
    reader_roles = CASE_READER_ROLES | {Role.LIAISON}
    filterset_class = with_string_params(ContactFilter, "channel", "topic")
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Contact.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return queries.inbox(self.request.user).select_related("created_by")

    def get_serializer_class(self):
        return ContactListSerializer if self.action == "list" else ContactSerializer

    def access(self, key, *, audit=True):
        return queries.access_contact(self.request.user, key, audit=audit)

    def record_list(self, *, filters, count):
        queries.record_list_read(self.request.user, filters=filters, count=count)

    def _respond(self, contact, status_code=status.HTTP_200_OK):
        # Re-read through the scoped queryset: related codes in one query, nothing stale.
        contact = self.get_queryset().get(pk=contact.pk)
        return Response(
            ContactSerializer(contact, context=self.get_serializer_context()).data, status=status_code
        )

    def _writable(self):
        contact = self.get_object(audit=False)
        require(can_log_contacts(self.request.user), _("Your role may not change contacts."))
        return contact

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        require(can_log_contacts(request.user), _("Your role may not log contacts."))
        serializer = ContactCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind, close = data.pop("non_data_kind", ""), data.pop("close", False)
        if kind:
            contact = actions.log_non_data_contact(
                actor=request.user, channel=data["channel"], kind=kind, received_at=data.get("received_at")
            )
        else:
            contact = actions.log_contact(actor=request.user, close=close, **data)
        return self._respond(contact, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        contact = self._writable()
        serializer = ContactUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            return Response(
                {"version": [_("Send the version you read.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        topics = data.pop("topics", None)
        contact = actions.update_contact(
            actor=request.user, contact=contact, expected_version=version, topics=topics, **data
        )
        return self._respond(contact)

    @extend_schema(
        summary="Triage a contact",
        request=ContactTriageSerializer,
        responses={200: ContactSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        contact = self._writable()
        serializer = ContactTriageSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        contact = actions.triage_contact(
            actor=request.user, contact=contact, expected_version=version, **data
        )
        return self._respond(contact)

    @extend_schema(
        summary="Close a contact",
        request=VersionSerializer,
        responses={200: ContactSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        contact = self._writable()
        serializer = VersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version")
        contact = actions.close_contact(actor=request.user, contact=contact, expected_version=version)
        return self._respond(contact)

    @extend_schema(summary="Assign a contact", request=AssignSerializer, responses={200: ContactSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        contact = self._writable()
        serializer = AssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact = actions.assign_contact(
            actor=request.user, contact=contact, assignee=serializer.validated_data["assignee"]
        )
        return self._respond(contact)
