"""Who may use the Django admin, and what it shows of sensitive records.

The admin is the administrators' tool for accounts, reference data and configuration. Two rules
close it as a way around the permissions of the app:

- **The role decides, not Django's flags.** Only an active account with the ``admin`` role and
  ``is_staff`` gets in; ``is_superuser`` (which makes Django grant every model permission) opens
  nothing to a counsellor, a liaison or an analyst. The site's own ``has_permission`` is replaced,
  so every admin page, including the index and the history pages, follows it.
- **Content stays where its permissions are.** Administrators may not read case content in the
  app, so admin pages of models that carry it (referrals, background task results with raw
  webhooks) show only non-personal fields, are read-only, and every read (a list or a record) is
  audited as any other read is.

Every registered ModelAdmin says which kind of data it shows (``exposure``); a test walks
``admin.site._registry`` and fails on one that says nothing, so a new admin page cannot be
forgotten.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from smartsafe.accounts.roles import Role
from smartsafe.audit import codes
from smartsafe.audit.log import record

#: Reference data and configuration: taxonomy, directory, routing rules, canned replies…
REFERENCE = "reference"
#: Staff accounts and their sign-in records: personal data of the centre's own people, which the
#: administrators manage (accounts, tokens, second factors, lockouts).
STAFF = "staff"
#: Records about children, reporters and their messages: only non-personal fields, read-only,
#: every read audited.
CONTENT = "content"
EXPOSURES = (REFERENCE, STAFF, CONTENT)

#: The one role that may use the admin at all.
ADMIN_SITE_ROLES = frozenset({Role.ADMIN})


def may_use_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and getattr(user, "role", None) in ADMIN_SITE_ROLES
    )


def site_has_permission(request) -> bool:
    """Replacement for ``AdminSite.has_permission``: the role decides (see the module docstring)."""
    return may_use_admin(getattr(request, "user", None))


class ContentAdminMixin:
    """For models that carry case content: non-personal fields only, read-only, reads audited.

    Subclasses name the fields that may be shown in ``shown_fields``; ``list_display`` must use
    only those too (checked by the matrix test, which looks for planted personal values).
    """

    exposure = CONTENT
    shown_fields: tuple[str, ...] = ()
    # Searching free text would let someone probe content one query at a time.
    search_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return list(self.shown_fields)

    def get_readonly_fields(self, request, obj=None):
        return list(self.shown_fields)

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": list(self.shown_fields)})]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def history_view(self, request, object_id, extra_context=None):
        # Row history (LogEntry / simple_history) could show old values of personal fields.
        raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", None) == 200:
            record(
                codes.ADMIN_LIST,
                actor=request.user,
                object_type=self.model._meta.label_lower,
                query=_safe_query(request),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", None) == 200:
            record(
                codes.ADMIN_VIEW,
                actor=request.user,
                object_type=self.model._meta.label_lower,
                object_id=str(object_id)[:64],
            )
        return response


def _safe_query(request) -> dict[str, str]:
    """The list's filters, for the audit event: only the names of the parameters, never values
    a person typed (a search box is switched off, but a hand-made URL can still carry one)."""
    return {"parameters": ",".join(sorted(request.GET.keys()))[:200]}


def exposure_of(model_admin) -> str | None:
    value = getattr(model_admin, "exposure", None)
    return value if value in EXPOSURES else None


def install() -> None:
    """Put the role rule on the admin site (called from the privacy app's admin module)."""
    admin.site.has_permission = site_has_permission
