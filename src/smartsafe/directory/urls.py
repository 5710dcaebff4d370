from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/<slug:code>/", views.institution_detail, name="institution"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
]
