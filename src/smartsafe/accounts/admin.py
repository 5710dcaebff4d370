"""Django admin for accounts: users with their role (and, added by the directory app, a liaison's
institution); API tokens read-only.

The admin's own login form would skip allauth's two-factor step, so it is replaced by allauth's
``secure_admin_login``: it sends people to the normal login (password + code) and back.
"""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartsafe.accounts.admin_access import STAFF

from . import actions
from .models import ApiToken, User
from .roles import Role

admin.site.login = secure_admin_login(admin.site.login)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    exposure = STAFF
    list_display = ("username", "display_name", "role", "institution", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    # A liaison's institution is edited on this page too: the directory app adds its inline
    # (directory/admin.py), since the membership is its record.
    inlines: list = []
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "first_name", "last_name", "email", "phone_extension")}),
        (_("Role"), {"fields": ("role",)}),
        (
            _("Access"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "Deactivate an account instead of deleting it: its history stays attributable."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "display_name", "role", "password1", "password2")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("institution_membership__institution")

    @admin.display(description=_("institution"))
    def institution(self, obj):
        membership = getattr(obj, "institution_membership", None)
        return membership.institution if membership else "—"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: keys exist nowhere (only their SHA-256), and tokens are made by their owners."""

    exposure = STAFF

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.role == Role.ADMIN)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            actions.revoke_api_token(actor=request.user, token=token)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
