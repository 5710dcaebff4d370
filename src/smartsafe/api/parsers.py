"""The API's request parsers: DRF's own, made safe against hostile bodies.

DRF's JSON parser lets a ``RecursionError`` escape on deeply nested input (``[`` × 100,000), which
Django turns into an HTML 500; here it is a 400 like any other undecodable body. Body limits:

* JSON and form bodies are read into memory whole, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
  applies (``RequestDataTooBig``, answered 413 by ``exceptions.exception_handler``);
* a multipart body larger than the largest report the evidence vault takes
  (``SMARTSAFE_EVIDENCE_MAX_REPORT_MB``, plus ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for the text fields)
  is refused with 413 before any of it is parsed.

The exception handler also maps what Django raises while reading a body (``RequestDataTooBig``,
``TooManyFieldsSent``, a ``RecursionError`` in DRF's own parsers) for views that choose their own
parser classes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .exceptions import RequestTooLarge

MB = 1024 * 1024


def declared_length(parser_context) -> int:
    """The request's ``Content-Length`` (0 when absent or not a number)."""
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {}) or {}
    try:
        return max(0, int(meta.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0


def multipart_limit() -> int:
    return int(settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB) * MB + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Nesting deep enough to exhaust the stack: refused like any undecodable body.
            raise ParseError(_("JSON parse error - nested too deeply.")) from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if declared_length(parser_context) > multipart_limit():
            raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
