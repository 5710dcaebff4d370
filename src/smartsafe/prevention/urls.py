from django.urls import path

app_name = "prevention"

urlpatterns: list = []
