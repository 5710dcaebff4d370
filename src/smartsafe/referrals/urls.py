from django.urls import path

from . import portal_views, views

app_name = "referrals"

urlpatterns = [
    # The centre's staff.
    path("", views.referral_list, name="list"),
    path("refer/<str:reference>/", views.refer, name="refer"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/edit/", views.edit_draft, name="edit"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/messages/", views.post_message, name="message"),
    path("<int:pk>/delivery/", views.record_delivery, name="delivery"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/packet.pdf", views.packet_file, {"fmt": "pdf"}, name="packet_pdf"),
    path("<int:pk>/packet.json", views.packet_file, {"fmt": "json"}, name="packet_json"),
    # The institution portal (liaisons).
    path("portal/", portal_views.portal_list, name="portal"),
    path("portal/<int:pk>/", portal_views.portal_detail, name="portal_detail"),
    path("portal/<int:pk>/transition/", portal_views.portal_transition, name="portal_transition"),
    path("portal/<int:pk>/messages/", portal_views.portal_message, name="portal_message"),
    path("portal/<int:pk>/packet.pdf", views.packet_file, {"fmt": "pdf"}, name="portal_packet_pdf"),
    path("portal/<int:pk>/packet.json", views.packet_file, {"fmt": "json"}, name="portal_packet_json"),
]
