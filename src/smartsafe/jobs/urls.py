from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.needs_attention, name="needs_attention"),
    path("<uuid:task_id>/retry/", views.retry, name="retry"),
]
