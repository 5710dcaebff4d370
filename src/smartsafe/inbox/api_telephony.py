"""``POST /api/v1/telephony/events``: the exchange reports call events (docs/telephony.md).

Who may post: only the exchange's service account — an active user with the role ``admin`` and
the user name ``pbx`` (``SERVICE_USERNAME``), authenticated with one of its API tokens
(``Authorization: Token …``; ``manage.py create_api_token pbx``). Session cookies are not
accepted here: a browser never posts call events. Anyone else gets 401 or 403.

Answers: 200 ``{"call_id", "state", "changed", "answered_by"}`` — ``changed`` is false for a
repeated event; 400 with field errors for anything malformed; never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from smartsafe.accounts.authentication import ApiTokenAuthentication
from smartsafe.accounts.roles import Role

from . import telephony
from .actions import telephony as call_actions

SERVICE_USERNAME = "pbx"
# How far an event's time may lie from ours: exchanges replay buffered events after an outage.
OLDEST_EVENT = dt.timedelta(days=30)
CLOCK_SKEW = dt.timedelta(hours=1)


class ExchangeOnly(BasePermission):
    message = gettext_lazy(
        "Only the exchange's service account (user “pbx”, role admin) may post call events."
    )

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.role == Role.ADMIN
            and user.get_username() == SERVICE_USERNAME
        )


class TelephonyEventSerializer(serializers.Serializer):
    call_id = serializers.RegexField(
        telephony.CALL_ID.pattern,
        max_length=128,
        help_text="The exchange's id of the call (Asterisk: the Linkedid or Uniqueid).",
        error_messages={"invalid": gettext_lazy("Letters, digits and . _ : @ - only.")},
    )
    # The error messages never echo the input: it may hold characters no response can encode.
    event = serializers.ChoiceField(
        choices=telephony.EVENTS,
        error_messages={"invalid_choice": gettext_lazy("The event must be ringing, answered or hung_up.")},
    )
    to = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        default="",
        help_text="The number called, e.g. 19833.",
    )
    extension = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="The extension that answered (answered events).",
    )
    username = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        default="",
        help_text="The user who answered, when the exchange knows it; wins over the extension.",
    )
    at = serializers.DateTimeField(
        required=False, help_text="When it happened at the exchange (default: now)."
    )
    reason = serializers.ChoiceField(
        choices=telephony.HANGUP_REASONS,
        required=False,
        default="",
        help_text="hung_up only: caller_hangup makes an unanswered call abandoned.",
        error_messages={"invalid_choice": gettext_lazy("Unknown hang-up reason.")},
    )

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        fields["from"] = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=64,
            default="",
            help_text="The caller's number (E.164, national, sip: or tel: URI); empty if withheld.",
        )
        return fields

    def validate_at(self, value):
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError(_("This time is in the future; check the exchange's clock."))
        if value < now - OLDEST_EVENT:
            raise serializers.ValidationError(_("This event is too old to be recorded."))
        return value


EventResult = inline_serializer(
    "TelephonyEventResult",
    fields={
        "call_id": serializers.CharField(),
        "state": serializers.ChoiceField(choices=[c for c, _label in telephony.CallState.choices]),
        "changed": serializers.BooleanField(),
        "answered_by": serializers.CharField(allow_null=True),
    },
)


class TelephonyEventsView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [ExchangeOnly]

    @extend_schema(
        tags=["telephony"],
        request=TelephonyEventSerializer,
        responses={200: EventResult},
        summary="Report a call event from the exchange",
    )
    def post(self, request):
        serializer = TelephonyEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call, changed = call_actions.record_event(
            actor=request.user,
            call_id=data["call_id"],
            event=data["event"],
            caller=data.get("from", ""),
            line=data.get("to", ""),
            extension=data.get("extension", ""),
            username=data.get("username", ""),
            at=data.get("at"),
            reason=data.get("reason", ""),
        )
        return Response(
            {
                "call_id": call.call_id,
                "state": call.state,
                "changed": changed,
                "answered_by": call.answered_by.get_username() if call.answered_by_id else None,
            }
        )
