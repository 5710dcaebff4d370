"""``POST /api/v1/reports/``: validate the body as the platform's serializer would, insert one row."""

import secrets

from django.urls import path
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import BareReport


class ReportSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=50)
    description = serializers.CharField(max_length=10_000)
    when_date = serializers.DateField(required=False)
    when_time = serializers.TimeField(required=False)
    when_timezone = serializers.CharField(required=False, max_length=64)
    platforms = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    urls = serializers.ListField(child=serializers.URLField(), required=False)
    people = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    in_danger = serializers.ChoiceField(["yes", "no", "unsure"])
    reported_to = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    reporter = serializers.CharField(max_length=20)
    consent = serializers.BooleanField()


class Reports(APIView):
    def post(self, request):
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = BareReport.objects.create(
            reference=secrets.token_hex(6),
            category=data["category"],
            answers=serializer.initial_data,
        )
        return Response({"reference": report.reference}, status=status.HTTP_201_CREATED)


urlpatterns = [path("api/v1/reports/", Reports.as_view()), path("public/", Reports.as_view())]
