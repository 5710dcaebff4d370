"""Advice pages: the public home and knowledge base, and the staff pages that write it.

Public pages need no account and no JavaScript. Staff pages are for counsellors and supervisors
(``permissions``); every write goes through ``actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartsafe.core.concurrency import StaleVersion
from smartsafe.taxonomy.translation import to_latin

from . import actions, queries
from .forms import ArticleForm, PublicFilterForm, StaffFilterForm
from .models import Article, Audience
from .permissions import can_copy_links, can_edit_article, can_publish_articles
from .rendering import markdown_to_html, render_body, transliterate_html

PAGE_SIZE = 20


def _numbers() -> dict:
    return {"helpline": settings.SMARTSAFE_HELPLINE, "emergency": settings.SMARTSAFE_EMERGENCY_NUMBER}


# --- public -------------------------------------------------------------------------------------


@require_GET
def home(request):
    """The public home: what the centre does, the helpline, and the three ways in."""
    latest = queries.published_articles(audience=Audience.CHILDREN)[:3]
    return render(request, "advice/home.html", {"articles": latest, **_numbers()})


@require_GET
def article_list(request):
    form = PublicFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"q": "", "topic": "", "audience": ""}
    articles = queries.published_articles(**filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "advice/list.html",
        {
            "form": form,
            "filters": filters,
            "filtered": any(filters.values()),
            "topics": queries.topics_with_articles(),
            "audiences": list(Audience.choices[:3]),
            "page": Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
            **_numbers(),
        },
    )


@require_GET
def article_detail(request, slug: str):
    try:
        article = queries.published_article(slug)
    except Article.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "advice/article.html",
        {
            "article": article,
            "body": render_body(article),
            "public_url": _public_url(request, article),
            "show_copy_link": can_copy_links(request.user),
            **_numbers(),
        },
    )


def _public_url(request, article) -> str:
    return request.build_absolute_uri(reverse("advice:article", args=[article.slug]))


# --- staff ----------------------------------------------------------------------------------------


@login_required
@require_GET
def staff_list(request):
    form = StaffFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"q": "", "status": ""}
    articles = queries.staff_articles(request.user, **filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "advice/staff/list.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "page": Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        },
    )


def _staff_article(request, pk: int) -> Article:
    try:
        return queries.staff_article(request.user, pk)
    except Article.DoesNotExist:
        raise Http404 from None


def _previews(data: dict) -> dict:
    """The three renderings a writer checks before saving: Cyrillic, the generated Latin, English."""
    cyrillic = markdown_to_html(data.get("body_sr", ""))
    return {
        "sr": cyrillic,
        "sr_latn": transliterate_html(cyrillic),
        "en": markdown_to_html(data.get("body_en", "")),
        "title_sr": data.get("title_sr", ""),
        "title_sr_latn": to_latin(data.get("title_sr", "")),
        "title_en": data.get("title_en", ""),
    }


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request):
    queries.require_writer(request.user)
    form = ArticleForm(request.POST or None)
    status, preview = 200, None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _previews(form.cleaned_data)
        else:
            try:
                article = actions.create_article(
                    actor=request.user, topics=list(form.cleaned_data["topics"]), **form.article_fields()
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Draft saved. A supervisor publishes it."))
                return redirect("advice:staff_detail", pk=article.pk)
    if request.method == "POST" and form.errors:
        status = 400
    return render(request, "advice/staff/form.html", {"form": form, "preview": preview}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    article = _staff_article(request, pk)
    if not can_edit_article(request.user, article):
        raise PermissionDenied(_("Only a supervisor may change an article that is already public."))
    form = ArticleForm(request.POST or None, initial=ArticleForm.initial_for(article))
    status, preview = 200, None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _previews(form.cleaned_data)
        else:
            try:
                article = actions.update_article(
                    actor=request.user,
                    article=article,
                    expected_version=form.cleaned_data["version"],
                    topics=list(form.cleaned_data["topics"]),
                    **form.article_fields(),
                )
            except StaleVersion as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Article saved."))
                return redirect("advice:staff_detail", pk=article.pk)
    if request.method == "POST" and form.errors and status == 200:
        status = 400
    return render(
        request,
        "advice/staff/form.html",
        {"form": form, "article": article, "preview": preview},
        status=status,
    )


@login_required
@require_GET
def staff_detail(request, pk: int):
    article = _staff_article(request, pk)
    return render(
        request,
        "advice/staff/detail.html",
        {
            "article": article,
            "preview": _previews(
                {n: getattr(article, n) for n in ("title_sr", "title_en", "body_sr", "body_en")}
            ),
            "summary_sr_latn": to_latin(article.summary_sr),
            "public_url": _public_url(request, article),
            "can_edit": can_edit_article(request.user, article),
            "can_publish": can_publish_articles(request.user),
            "missing": article.missing_for_publication(),
            "history": article.history.select_related("history_user")[:20],
        },
    )


def _transition(request, pk: int, action, done: str):
    article = _staff_article(request, pk)
    try:
        action(actor=request.user, article=article)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("advice:staff_detail", pk=article.pk)


@login_required
@require_POST
def staff_publish(request, pk: int):
    return _transition(request, pk, actions.publish_article, _("The article is on the public site."))


@login_required
@require_POST
def staff_unpublish(request, pk: int):
    return _transition(request, pk, actions.unpublish_article, _("The article is back to draft."))
