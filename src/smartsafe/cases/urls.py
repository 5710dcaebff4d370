from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.open_case, name="open"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/edit/", views.edit_case, name="edit"),
    path("<str:reference>/transition/", views.transition, name="transition"),
    path("<str:reference>/notes/", views.add_note, name="note"),
    path("<str:reference>/artefacts/", views.add_artefact, name="artefact"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/links/", views.link, name="link"),
]
