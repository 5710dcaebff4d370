from django.urls import path

from . import views

app_name = "advice"

# "staff/…" comes first; the article address "staff" is reserved for it (actions.RESERVED_SLUGS).
urlpatterns = [
    path("", views.article_list, name="list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/publish/", views.staff_publish, name="staff_publish"),
    path("staff/<int:pk>/unpublish/", views.staff_unpublish, name="staff_unpublish"),
    path("<slug:slug>/", views.article_detail, name="article"),
]
