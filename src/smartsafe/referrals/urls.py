from django.urls import path

app_name = "referrals"

urlpatterns: list = []
