from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_list, name="list"),
    path("waiting/", views.waiting_panel, name="waiting"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/take/", views.take, name="take"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/summary/", views.summary, name="summary"),
]
