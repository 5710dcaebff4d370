from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("smartsafe.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("smartsafe.api.urls")),
    path("audit/", include("smartsafe.audit.urls")),
    path("contacts/", include("smartsafe.intake.urls")),
    path("cases/", include("smartsafe.cases.urls")),
    path("inbox/", include("smartsafe.inbox.urls")),
    path("directory/", include("smartsafe.directory.urls")),
    path("evidence/", include("smartsafe.evidence.urls")),
    path("referrals/", include("smartsafe.referrals.urls")),
    path("prevention/", include("smartsafe.prevention.urls")),
    path("statistics/", include("smartsafe.stats.urls")),
    path("attention/", include("smartsafe.jobs.urls")),
    path("privacy/", include("smartsafe.privacy.urls")),
    path("chat/", include("smartsafe.chat.urls")),
    # The public site lives under its own prefix; staff pages keep the root.
    path("public/chat/", include("smartsafe.chat.public_urls")),
    path("public/", include("smartsafe.portal.urls")),
    path("advice/", include("smartsafe.advice.urls")),
    path("", include("smartsafe.site.urls")),
]

admin.site.site_header = settings.SMARTSAFE_CENTRE_NAME
# A database outage answers 503 with Retry-After (core/outage.py); any other error Django's 500.
handler500 = "smartsafe.core.outage.server_error"
