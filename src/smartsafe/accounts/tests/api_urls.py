"""The project's URLs plus one tiny API view that says who the request runs as (tests only)."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from smartsafe.config.urls import urlpatterns as project_urlpatterns


class WhoAmI(APIView):
    def get(self, request):
        return Response({"username": request.user.username, "token": getattr(request.auth, "prefix", None)})


urlpatterns = [path("api/test-whoami/", WhoAmI.as_view()), *project_urlpatterns]
