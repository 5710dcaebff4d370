from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("non-data/", views.non_data, name="non_data"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/<slug:action>/", views.transition, name="transition"),
]
