from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("retention/dry-run/", views.dry_run, name="dry_run"),
    path("retention/<str:kind>/", views.set_policy, name="set_policy"),
    path("holds/", views.place_hold, name="place_hold"),
    path("holds/<int:pk>/lift/", views.lift_hold, name="lift_hold"),
    path("requests/", views.requests, name="requests"),
    path("requests/open/", views.open_request, name="open_request"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/dossier.<str:fmt>", views.export, name="export"),
    path("requests/<int:pk>/decide/", views.decide, name="decide"),
]
