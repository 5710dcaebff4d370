"""The admin pages of installed libraries, under the same rules as the project's own.

This app comes last in ``INSTALLED_APPS``, so the libraries' admin modules have registered their
pages by the time this one runs: each is replaced by a subclass that says what it exposes (see
``admin_access``). The background task table carries raw webhook payloads in its arguments and
results, and the second-factor table carries TOTP secrets: neither is ever shown.
"""

from __future__ import annotations

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from smartsafe.accounts import admin_access
from smartsafe.accounts.admin_access import STAFF, ContentAdminMixin

admin_access.install()


def _replace(model, admin_class):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


class StaffGroupAdmin(GroupAdmin):
    exposure = STAFF


class StaffEmailAddressAdmin(EmailAddressAdmin):
    exposure = STAFF


class StaffAuthenticatorAdmin(AuthenticatorAdmin):
    """Administrators remove a lost authenticator here; its secret is never shown."""

    exposure = STAFF
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StaffAccessAttemptAdmin(AccessAttemptAdmin):
    exposure = STAFF


class StaffAccessLogAdmin(AccessLogAdmin):
    exposure = STAFF


class StaffAccessFailureLogAdmin(AccessFailureLogAdmin):
    exposure = STAFF


class TaskResultAdmin(ContentAdminMixin, DBTaskResultAdmin):
    """What ran, when, and how it ended; never its arguments, result or traceback (raw webhooks,
    message text, a sender's phone number)."""

    shown_fields = (
        "id",
        "task_path",
        "status",
        "queue_name",
        "priority",
        "enqueued_at",
        "run_after",
        "started_at",
        "finished_at",
        "worker_ids",
        "exception_class_path",
    )


_replace(Group, StaffGroupAdmin)
_replace(EmailAddress, StaffEmailAddressAdmin)
_replace(Authenticator, StaffAuthenticatorAdmin)
_replace(AccessAttempt, StaffAccessAttemptAdmin)
_replace(AccessLog, StaffAccessLogAdmin)
_replace(AccessFailureLog, StaffAccessFailureLogAdmin)
_replace(DBTaskResult, TaskResultAdmin)
