from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    # The same view: GET shows the reason form, POST (with a reason) hands the file out.
    path("<int:pk>/open/", views.detail, name="open"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("add/case/<str:reference>/", views.upload_to_case, name="upload_case"),
    path("add/contact/<int:pk>/", views.upload_to_contact, name="upload_contact"),
]
