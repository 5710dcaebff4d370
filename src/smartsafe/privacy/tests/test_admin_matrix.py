"""Role × admin page: every registered ModelAdmin, every role, every kind of page.

The pages are taken from ``admin.site._registry``, so a ModelAdmin added later is in the matrix
without anybody remembering to add it; it must also say what it exposes, or the first test fails.
Every account here has ``is_staff`` and ``is_superuser`` set — the worst case, where Django alone
would open everything — so what the test sees is the role rule, not the flags.
"""

from __future__ import annotations

import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from smartsafe import testing
from smartsafe.accounts.admin_access import CONTENT, EXPOSURES, exposure_of
from smartsafe.accounts.roles import Role
from smartsafe.audit.models import AuditEvent
from smartsafe.referrals import actions as referral_actions

pytestmark = pytest.mark.django_db

PLANTED_PHONE = "+381641239876"
PLANTED_NAME = "Planted-Jovana-Mrkić"
PLANTED_TEXT = "planted-secret-message-text"
PLANTED_TOTP = "PLANTEDTOTPSECRETBASE32"
PLANTED = (PLANTED_PHONE, PLANTED_NAME, PLANTED_TEXT, PLANTED_TOTP)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _label(item):
    return item[0]._meta.label


def staff(role):
    user = testing.make_user(role)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def sensitive_rows(supervisor, police):
    """One record of each sensitive kind, each carrying the planted identity."""
    case = testing.make_case(supervisor, title=f"{PLANTED_NAME} {PLANTED_PHONE}")
    referral = referral_actions.create_referral(
        actor=supervisor, case=case, institution=police, reason=f"{PLANTED_TEXT} {PLANTED_NAME}"
    )
    task = DBTaskResult.objects.create(
        task_path="smartsafe.inbox.tasks.process_webhook",
        args_kwargs={"args": [], "kwargs": {"payload": {"sender": PLANTED_PHONE, "text": PLANTED_TEXT}}},
        return_value={"name": PLANTED_NAME},
        traceback=f"Traceback … {PLANTED_TEXT}",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        status="SUCCESSFUL",
        finished_at=timezone.now(),
    )
    Authenticator.objects.create(user=supervisor, type=Authenticator.Type.TOTP, data={"secret": PLANTED_TOTP})
    return {"referral": referral, "task": task}


def _urls(model, model_admin):
    info = (model._meta.app_label, model._meta.model_name)
    urls = {
        "changelist": reverse("admin:{}_{}_changelist".format(*info)),
        "add": reverse("admin:{}_{}_add".format(*info)),
    }
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        for page in ("change", "history", "delete"):
            try:
                urls[page] = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])
            except NoReverseMatch:  # pragma: no cover - every ModelAdmin has these
                pass
    return urls, obj


def test_every_registered_admin_says_what_it_exposes():
    missing = [_label(item) for item in REGISTERED if exposure_of(item[1]) is None]
    assert not missing, f"ModelAdmins without an exposure ({', '.join(EXPOSURES)}): {missing}"


def test_the_task_table_and_referrals_are_content():
    by_label = {_label(item): exposure_of(item[1]) for item in REGISTERED}
    assert by_label["django_tasks_database.DBTaskResult"] == CONTENT
    assert by_label["referrals.Referral"] == CONTENT


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_get_no_admin_page_even_as_superusers(client, role, sensitive_rows):
    client.force_login(staff(role))
    assert client.get(reverse("admin:index")).status_code == 302
    for model, model_admin in REGISTERED:
        urls, _obj = _urls(model, model_admin)
        for page, url in urls.items():
            response = client.get(url)
            assert response.status_code == 302, (role, model._meta.label, page, response.status_code)
            assert reverse("admin:login") in response["Location"]
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_a_staff_account_without_the_admin_role_is_refused(client, sensitive_rows):
    user = testing.make_user(Role.ADMIN)
    client.force_login(user)  # the admin role, but not staff
    assert client.get(reverse("admin:index")).status_code == 302
    user.is_staff = True
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 302


@pytest.mark.parametrize("item", REGISTERED, ids=_label)
def test_administrators_see_each_page_and_never_the_content(client, item, sensitive_rows):
    model, model_admin = item
    administrator = staff(Role.ADMIN)
    client.force_login(administrator)
    urls, obj = _urls(model, model_admin)
    listing = client.get(urls["changelist"])
    assert listing.status_code == 200
    pages = {"changelist": listing}
    if "change" in urls:
        pages["change"] = client.get(urls["change"])
        assert pages["change"].status_code == 200
    for page, response in pages.items():
        body = response.content.decode()
        for value in PLANTED:
            assert value not in body, (model._meta.label, page, value)
    if exposure_of(model_admin) != CONTENT:
        return
    # Content: read-only, no history, and every read is in the audit log.
    assert client.get(urls["add"]).status_code == 403
    if obj is not None:
        assert client.get(urls["history"]).status_code == 403
        assert client.post(urls["delete"], {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=obj.pk).exists()
    label = model._meta.label_lower
    assert AuditEvent.objects.filter(action="admin.list", actor=administrator, object_type=label).count() == 1
    if obj is not None:
        viewed = AuditEvent.objects.get(action="admin.view", actor=administrator, object_type=label)
        assert viewed.object_id == str(obj.pk)
        for value in PLANTED:
            assert value not in str(viewed.details)


def test_a_search_of_content_is_not_recorded_with_what_was_typed(client, sensitive_rows):
    administrator = staff(Role.ADMIN)
    client.force_login(administrator)
    response = client.get(reverse("admin:referrals_referral_changelist"), {"q": PLANTED_NAME})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="admin.list", actor=administrator)
    assert PLANTED_NAME not in str(event.details) and "q" in event.details["query"]["parameters"]


def test_unknown_object_is_not_audited_as_a_read(client, sensitive_rows):
    client.force_login(staff(Role.ADMIN))
    url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[uuid.uuid4()])
    assert client.get(url).status_code in (302, 404)
    assert not AuditEvent.objects.filter(action="admin.view").exists()
