from django.urls import path

from smartsafe.advice.views import home as public_home

from . import identity, views

app_name = "portal"

urlpatterns = [
    path("", public_home, name="home"),  # the public home page (advice app)
    path("report/", views.report_start, name="report"),
    path("report/<int:step>/", views.report_step, name="report_step"),
    path("report/done/", views.report_done, name="report_done"),
    path("report/receipt/", identity.receipt_download, name="receipt_download"),
    path("theme.css", identity.theme, name="theme"),
    path("check/", views.check, name="check"),
    path("check/<str:reference>/", views.check, name="check_reference"),
    path("check/<str:reference>/status/", views.check_status, name="check_status"),
    path("check/<str:reference>/add/", views.add, name="check_add"),
]
