from django.urls import path

from . import list_views, views

app_name = "evidence"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    # The same view: GET shows the reason form, POST (with a reason) hands the file out.
    path("<int:pk>/open/", views.detail, name="open"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("add/case/<str:reference>/", views.upload_to_case, name="upload_case"),
    path("add/contact/<int:pk>/", views.upload_to_contact, name="upload_contact"),
    path("<int:pk>/confirm/", list_views.confirm_file, name="confirm"),
    path("lists/", list_views.hash_lists, name="hash_lists"),
    path("lists/<int:pk>/withdraw/", list_views.withdraw_list, name="withdraw_list"),
    path("lists/export/<str:kind>/", list_views.export_confirmed, name="export_confirmed"),
]
