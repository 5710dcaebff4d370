"""The directory pages: search institutions and organisations, and read one entry.

For counsellors, supervisors and administrators (``permissions.can_browse_directory``); everyone
else gets a 403. Editing happens in the Django admin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from . import queries
from .forms import DirectorySearchForm
from .models import Institution, Organisation
from .permissions import can_manage_directory

PAGE_SIZE = 25


@login_required
@require_GET
def index(request):
    queries.require_browser(request.user)
    form = DirectorySearchForm(request.GET or None)
    filters = form.filters()
    institutions, organisations = queries.browse(request.user, **filters)
    query = request.GET.copy()
    for name in ("ipage", "opage"):
        query.pop(name, None)
    context = {
        "form": form,
        "filtered": form.active(),
        "institutions": Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("ipage")),
        "organisations": Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("opage")),
        "query": query.urlencode(),
        "place_given": bool(filters["place"]),
        "can_manage": can_manage_directory(request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "directory/_results.html" if partial else "directory/index.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def institution_detail(request, code: str):
    try:
        institution = queries.institution_detail(request.user, code)
    except Institution.DoesNotExist:
        raise Http404 from None
    organisation = queries.organisation_of(institution)
    return render(
        request,
        "directory/institution_detail.html",
        {
            "institution": institution,
            "organisation": organisation,
            "can_manage": can_manage_directory(request.user),
        },
    )


@login_required
@require_GET
def organisation_detail(request, slug: str):
    try:
        organisation = queries.organisation_detail(request.user, slug)
    except Organisation.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "directory/organisation_detail.html",
        {"organisation": organisation, "can_manage": can_manage_directory(request.user)},
    )
