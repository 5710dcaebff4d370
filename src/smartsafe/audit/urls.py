from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("verify/", views.verify, name="verify"),
    path("<int:sequence>/", views.event_detail, name="detail"),
]
