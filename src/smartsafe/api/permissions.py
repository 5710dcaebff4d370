"""Role gates for the API, checked in this order on every request:

1. not signed in → 401;
2. a role that can never see this kind of record (an analyst asking for contacts) → 403 on every
   endpoint of the type, lists included;
3. a record outside the caller's scope → 404, exactly like a missing one (queries.py decides);
4. a record they may see but not change (an auditor, a liaison on a shared case) → 403;
5. only then is the body validated (400) and the action run (409 on a conflict).

So a caller never learns from a status code anything about records outside their scope.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated


class RoleGate(IsAuthenticated):
    """Lets in the roles named by the view's ``reader_roles`` (step 2 above)."""

    message = gettext_lazy("Your role has no access to these records.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        user = request.user
        return bool(user.is_active and user.role in view.reader_roles)


def require(allowed: bool, message: str | None = None) -> None:
    """Step 4: refuse with 403 (audited by the exception handler) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message or _("Your role may not change these records."))
