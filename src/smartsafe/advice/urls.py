from django.urls import path

app_name = "advice"

urlpatterns: list = []
