"""The roles of the contact centre (docs/domain.md §1). One role per account; codes are stable."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Institution liaison")
    PREVENTION = "prevention", _("Prevention coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor / data-protection officer")


# Roles that work individual contacts and cases.
CASEWORK_ROLES = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
# Roles that may read individual contacts and cases (every read audited).
CASE_READER_ROLES = CASEWORK_ROLES | {Role.AUDITOR}
