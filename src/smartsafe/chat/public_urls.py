from django.urls import path

from . import public_views

app_name = "chat_public"

urlpatterns = [
    path("", public_views.chat_page, name="chat"),
    path("start/", public_views.start, name="start"),
    path("message/", public_views.leave_message, name="leave_message"),
    path("end/", public_views.end, name="end"),
    path("file/", public_views.send_file, name="file"),
]
