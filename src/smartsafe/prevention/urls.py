from django.urls import path

from . import views

app_name = "prevention"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_form, name="venue_new"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("venues/<int:pk>/edit/", views.venue_form, name="venue_edit"),
    path("venues/<int:pk>/merge/", views.venue_merge, name="venue_merge"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.import_events, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
]
