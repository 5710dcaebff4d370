from __future__ import annotations

from . import request_context


class RequestContextMiddleware:
    """Binds the client address and a request id for everything the request does (audit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = request_context.from_request(request)
        request.request_id = context.request_id
        with request_context.bind(context):
            response = self.get_response(request)
        response["X-Request-ID"] = context.request_id
        return response
