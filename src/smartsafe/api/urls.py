from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from smartsafe.cases.api.views import CaseViewSet
from smartsafe.inbox.api_telephony import TelephonyEventsView
from smartsafe.intake.api.views import ContactViewSet
from smartsafe.portal.api.views import ReportViewSet
from smartsafe.referrals.api.views import ReferralViewSet
from smartsafe.stats.api.views import StatsViewSet

from .taxonomy import ROUTES as TAXONOMY_ROUTES

router = DefaultRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("reports", ReportViewSet, basename="report")
router.register("stats", StatsViewSet, basename="stats")
for prefix, viewset, basename in TAXONOMY_ROUTES:
    router.register(prefix, viewset, basename=basename)

# The schema and its viewers are for signed-in users. The viewers load their scripts from the
# sidecar package (our own static files): no CDN, and the split view keeps scripts out of the
# page so the strict Content-Security-Policy holds.
_private = [IsAuthenticated]

urlpatterns = [
    path("v1/telephony/events", TelephonyEventsView.as_view(), name="telephony-events"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=_private), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=_private, template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(
            url_name="api-schema", permission_classes=_private, template_name="api/redoc.html"
        ),
        name="api-redoc",
    ),
]
