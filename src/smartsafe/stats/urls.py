from django.urls import path, re_path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public_page, name="public"),
    re_path(r"^export/(?P<name>[a-z_]+)\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    re_path(r"^report/(?P<year>\d{4})\.pdf$", views.annual_report, name="annual_report"),
    re_path(r"^returns/chi-(?P<year>\d{4})\.(?P<fmt>csv|xlsx)$", views.chi_return, name="chi_return"),
    re_path(
        r"^returns/insafe-(?P<year>\d{4})-q(?P<quarter>[1-4])\.(?P<fmt>csv|xlsx)$",
        views.insafe_return,
        name="insafe_return",
    ),
]
