"""Serializer fields shared by the API: related records by stable code, people by user name.

Inputs never reach the database in a shape that could make it fail (wrong types, huge strings,
integers past 64 bits): each field checks type and size first and answers with a field error.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1
CODE_MAX_LENGTH = 60


class CodeField(serializers.SlugRelatedField):
    """A taxonomy term (or any model with a unique ``code``) referenced by its code."""

    default_error_messages = {
        "does_not_exist": _("Unknown code “{value}”."),
        "invalid": _("Give a code as text."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > CODE_MAX_LENGTH or "\x00" in data:
            self.fail("does_not_exist", value=data[:CODE_MAX_LENGTH].replace("\x00", "") + "…")
        return super().to_internal_value(data.strip())


class UsernameField(serializers.SlugRelatedField):
    """A person referenced by user name; only active accounts are accepted on input."""

    default_error_messages = {
        "does_not_exist": _("Unknown user “{value}”."),
        "invalid": _("Give a user name as text."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", get_user_model().objects.filter(is_active=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > 150 or "\x00" in data:
            self.fail("does_not_exist", value=data[:40].replace("\x00", "") + "…")
        return super().to_internal_value(data.strip())


def parse_id(data) -> int | None:
    """An integer id from JSON (``7`` or ``"7"``), or None if it cannot be one."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        value = data
    elif (
        isinstance(data, str)
        and data.strip().isascii()
        and data.strip().isdigit()
        and len(data.strip()) <= 19
    ):
        value = int(data.strip())
    else:
        return None
    return value if 0 < value <= MAX_ID else None


@extend_schema_field(OpenApiTypes.INT)
class ScopedIdField(serializers.Field):
    """A record by id, looked up in a queryset scoped to the requesting user.

    A record outside the scope gets the same error as a missing one, so the error never tells
    a caller that something they may not see exists. ``scope(user)`` returns the queryset.
    """

    default_error_messages = {
        "does_not_exist": _("Unknown {name} {value}."),
        "invalid": _("Give an integer id."),
    }

    def __init__(self, *, scope, name, **kwargs):
        self.scope = scope
        self.name = name
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("invalid")
        user = self.context["request"].user
        obj = self.scope(user).filter(pk=pk).first()
        if obj is None:
            self.fail("does_not_exist", name=self.name, value=pk)
        return obj

    def to_representation(self, value):
        return value.pk
