"""Demo logins for the embedded mode: one account per role, with passwords anyone may read.

Never runs outside demo mode (``settings.DEMO``): real deployments create accounts in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from smartsafe.accounts.roles import Role
from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.directory.models import Institution, InstitutionMember

POLICE_INSTITUTION = {
    "code": "rs-police-vtk",
    "kind": "police",
    "name_sr": "Министарство унутрашњих послова — Одељење за борбу против високотехнолошког криминала",
    "name_en": "Ministry of Interior — High-Tech Crime Department",
    "uses_portal": True,
}

# username, role, first name, last name
DEMO_PEOPLE = [
    ("admin", Role.ADMIN, "Марко", "Петровић"),
    ("supervisor", Role.SUPERVISOR, "Јелена", "Николић"),
    ("counsellor", Role.COUNSELLOR, "Ана", "Јовановић"),
    ("police", Role.LIAISON, "Милош", "Стојановић"),
    ("prevention", Role.PREVENTION, "Ивана", "Ђорђевић"),
    ("analyst", Role.ANALYST, "Стефан", "Илић"),
    ("auditor", Role.AUDITOR, "Драгана", "Марковић"),
]

# (username, password, role) — what ``manage.py serve`` prints in demo mode.
DEMO_LOGINS = [(username, f"demo-{username}", str(role)) for username, role, _first, _last in DEMO_PEOPLE]


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create or repair the demo accounts; safe to run any number of times.

    Returns ``(username, password, role)`` for printing, or ``[]`` outside demo mode.
    """
    if not settings.DEMO:
        return []
    User = get_user_model()
    with transaction.atomic():
        # The directory's data migration usually loaded it already (its names win); the demo
        # liaison needs it on the portal.
        police, _created = Institution.objects.get_or_create(
            code=POLICE_INSTITUTION["code"],
            defaults={k: v for k, v in POLICE_INSTITUTION.items() if k != "code"},
        )
        if not police.uses_portal:
            police.uses_portal = True
            police.save(update_fields=["uses_portal"])
        for username, role, first, last in DEMO_PEOPLE:
            password = f"demo-{username}"
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            user.role = role
            user.first_name, user.last_name = first, last
            user.display_name = f"{first} {last}"
            user.is_active = True
            user.is_staff = user.is_superuser = username == "admin"
            if created or not user.check_password(password):
                user.set_password(password)
            user.save()
            if created:
                record(codes.USER_CREATE, obj=user, role=str(role), demo=True)
            if role == Role.LIAISON:
                InstitutionMember.objects.update_or_create(user=user, defaults={"institution": police})
    return list(DEMO_LOGINS)
