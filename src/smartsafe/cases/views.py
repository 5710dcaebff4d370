"""Staff pages for cases: parse → access → act → respond.

Reads go through ``queries`` (scoped and audited), writes through ``actions``. Whatever an action
refuses comes back as a message next to the field or in a banner, with what was typed kept:
400 for invalid input, 403 for a role that may not, 409 for an illegal transition or a stale edit.
POST endpoints answer htmx requests with the panel they changed (htmx does not swap 4xx
responses, so an htmx request with errors gets the panel with its errors and a 200); every form
also works as a plain full-page POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smartsafe.accounts.roles import Role
from smartsafe.audit.log import record_refusal
from smartsafe.core.concurrency import StaleVersion
from smartsafe.intake import facts as contact_facts
from smartsafe.intake.queries import access_contact

from . import actions, queries
from .filters import CaseFilter
from .forms import (
    ArtefactForm,
    AssignForm,
    EditCaseForm,
    LinkForm,
    NoteForm,
    OpenCaseForm,
    TransitionForm,
    casework_staff,
    dress_filter_form,
)
from .models import Case
from .permissions import can_read_cases, can_transition, can_work_cases, is_supervisor
from .states import TRANSITIONS, IllegalTransition, allowed_actions

PAGE_SIZE = 25
VERSIONS_SHOWN = 50


def _staff_case(request, reference, *, audit: bool = True):
    """A case for the staff pages: scoped (404 outside the scope), then staff only (403 otherwise)."""
    case = queries.access_case(request.user, reference, audit=audit)
    if not can_read_cases(request.user):
        raise PermissionDenied(_("Only the centre's staff may do this."))
    return case


def _row_versions(case) -> list[dict]:
    """The latest row versions (django-simple-history), each with the fields it changed."""
    latest = case.history.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(latest[: VERSIONS_SHOWN + 1])
    rows = []
    for record, previous in zip(records, records[1:] + [None], strict=True):
        if len(rows) == VERSIONS_SHOWN:
            break
        fields = []
        if previous is not None:
            # "version" changes with every save; it says nothing about what changed.
            delta = record.diff_against(previous, excluded_fields=["version"])
            fields = [str(Case._meta.get_field(change.field).verbose_name) for change in delta.changes]
        rows.append({"record": record, "fields": fields})
    return rows


def _add_action_errors(form, exc: ValidationError) -> None:
    """Put an action's ValidationError next to the form's fields (or on top when it has none)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- list ---------------------------------------------------------------------------------------


@login_required
def case_list(request):
    is_liaison = queries.liaison_institution_id(request.user) is not None
    if not (can_read_cases(request.user) or is_liaison):
        raise PermissionDenied(_("Your role does not read individual cases."))
    params = request.GET.copy()
    if is_liaison:
        params.pop("assignee", None)  # who works a case inside the centre is not shared
    filterset = CaseFilter(params or None, queryset=queries.case_list(request.user), request=request)
    dress_filter_form(filterset.form)
    cases = filterset.qs.order_by("-urgent", "-opened_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {key: values for key, values in params.lists() if key != "page" and any(values)}
    queries.record_list_read(request.user, filters=filters, count=page.paginator.count)
    return render(
        request,
        "cases/list.html",
        {
            "filter": filterset,
            "page": page,
            "cases": page.object_list,
            "can_work": can_work_cases(request.user),
            "is_liaison": is_liaison,
        },
    )


# --- open ---------------------------------------------------------------------------------------


def _contacts_from(request, params, *, audit: bool):
    """The contacts named by ``?contact=<id>``: each must be visible to the user (404 otherwise)."""
    ids = list(dict.fromkeys(v.strip() for v in params.getlist("contact") if v.strip()))[:20]
    return [access_contact(request.user, pk, audit=audit) for pk in ids]


def _initial_from_contacts(contacts, facts) -> dict:
    if not contacts:
        return {}
    first = contacts[0]
    title = first.display_subject or " ".join((first.summary or "").split()[:10])
    topics = {t.pk for c in contacts for t in c.topics.all()}
    return {
        "title": title[:200],
        "summary": "\n\n".join(c.summary for c in contacts if c.summary),
        "categories": sorted(topics),
        "urgent": any(c.urgent for c in contacts),
        "urgent_reason": _("Flagged urgent at intake") if any(c.urgent for c in contacts) else "",
        # What the report holds, for the counsellor to check rather than retype (intake/facts.py).
        "child_age_band": facts.age_band.pk if facts.age_band else None,
        "municipality": facts.municipality.pk if facts.municipality else None,
        "platforms": [p.pk for p in facts.platforms],
    }


@login_required
@require_http_methods(["GET", "POST"])
def open_case(request):
    if not can_work_cases(request.user):
        raise PermissionDenied(_("Your role may not open cases."))
    if request.method == "GET":
        contacts = _contacts_from(request, request.GET, audit=True)
        facts = contact_facts.facts_for(contacts)
        form = OpenCaseForm(initial=_initial_from_contacts(contacts, facts), user=request.user)
        return render(
            request, "cases/open.html", {"form": form, "contacts": contacts, "artefacts": facts.artefacts}
        )

    contacts = _contacts_from(request, request.POST, audit=False)
    form = OpenCaseForm(request.POST, user=request.user)
    if form.is_valid():
        fields = form.case_fields()
        try:
            case = actions.open_case(
                actor=request.user, contacts=contacts, assigned_to=form.cleaned_data["assignee"], **fields
            )
        except ValidationError as exc:
            _add_action_errors(form, exc)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("cases:detail", reference=case.reference)
    context = {"form": form, "contacts": contacts, "artefacts": contact_facts.facts_for(contacts).artefacts}
    return render(request, "cases/open.html", context, status=400)


# --- detail -------------------------------------------------------------------------------------


def _transition_buttons(user, case) -> list[dict]:
    buttons = []
    for action in allowed_actions(case.state):
        transition = TRANSITIONS[action]
        if can_transition(user, transition):
            buttons.append(
                {"action": action, "label": transition.label, "danger": action == "reject_closure"}
            )
    return buttons


def _artefacts_with_other_cases(user, artefacts) -> list:
    """Each artefact with ``also_in``: the other cases (visible to ``user``) where it was reported."""
    artefacts = list(artefacts)
    others: dict[str, list[str]] = {}
    rows = queries.artefacts_also_in(user, artefacts) if artefacts else []
    for normalized, reference in rows:
        others.setdefault(normalized, [])
        if reference not in others[normalized]:
            others[normalized].append(reference)
    for artefact in artefacts:
        artefact.also_in = others.get(artefact.normalized, [])
    return artefacts


def _detail_context(request, case, **overrides) -> dict:
    user = request.user
    parts = queries.case_detail_parts(case)
    parts["artefacts"] = _artefacts_with_other_cases(user, parts["artefacts"])
    can_work = can_work_cases(user)
    buttons = _transition_buttons(user, case)
    context = {
        "case": case,
        **parts,
        "linked_cases": list(parts["linked_cases"]),
        "can_work": can_work,
        "is_supervisor": is_supervisor(user),
        "buttons": [b for b in buttons if b["action"] != "close"],
        "can_close": any(b["action"] == "close" for b in buttons),
        "versions": _row_versions(case),
        "transition_form": TransitionForm(initial={"version": case.version}),
        "note_form": NoteForm(),
        "artefact_form": ArtefactForm(),
        "assign_form": AssignForm(),
        "link_form": LinkForm(),
        "colleagues": casework_staff() if is_supervisor(user) else [],
        "can_take": can_work and case.assigned_to_id is None,
        "can_hand_back": can_work and case.assigned_to_id == user.pk,
    }
    context.update(overrides)
    return context


def _render_detail(request, reference, *, status: int = 200, banner: str = "", **overrides):
    """The case page after a refused POST: the current case, the form as typed, the message."""
    case = queries.access_case(request.user, reference)
    return render(
        request,
        "cases/detail.html",
        _detail_context(request, case, banner=banner, **overrides),
        status=status,
    )


@login_required
def case_detail(request, reference):
    case = queries.access_case(request.user, reference)
    if request.user.role == Role.LIAISON:
        # An institution sees only what the centre shares with it: no contacts, notes or timeline.
        return render(
            request,
            "cases/detail_shared.html",
            {
                "case": case,
                "categories": case.categories.all(),
                "artefacts": case.artefacts.select_related("platform"),
            },
        )
    return render(request, "cases/detail.html", _detail_context(request, case))


# --- edit ---------------------------------------------------------------------------------------


def _edit_initial(case) -> dict:
    return {
        "title": case.display_title,
        "summary": case.summary,
        "kind": case.kind,
        "categories": [c.pk for c in case.categories.all()],
        "platforms": [p.pk for p in case.platforms.all()],
        "urgent": case.urgent,
        "urgent_reason": case.urgent_reason,
        "child_age_band": case.child_age_band_id,
        "child_sex": case.child_sex_id,
        "municipality": case.municipality_id,
        "version": case.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit_case(request, reference):
    case = _staff_case(request, reference, audit=request.method != "POST")
    if not can_work_cases(request.user):
        raise PermissionDenied(_("Your role may not change cases."))
    if request.method == "GET":
        form = EditCaseForm(initial=_edit_initial(case), case=case)
        return render(request, "cases/edit.html", {"form": form, "case": case})

    form = EditCaseForm(request.POST, case=case)
    status = 400
    if form.is_valid():
        try:
            actions.update_case(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                **form.case_fields(),
            )
        except StaleVersion as exc:
            record_refusal(actor=request.user, reason="stale_version", obj=case)
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            _add_action_errors(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect("cases:detail", reference=case.reference)
    return render(
        request, "cases/edit.html", {"form": form, "case": case, "stale": status == 409}, status=status
    )


# --- POST endpoints on the case page -------------------------------------------------------------


def _back(case, anchor: str = ""):
    return redirect(reverse("cases:detail", kwargs={"reference": case.reference}) + anchor)


@login_required
@require_POST
def transition(request, reference):
    case = _staff_case(request, reference, audit=False)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, reference, status=400, transition_form=form)
    data = form.cleaned_data
    try:
        case = actions.transition_case(
            actor=request.user,
            case=case,
            action=data["action"],
            expected_version=data["version"],
            resolution=data["resolution"],
            note=data["note"],
        )
    except IllegalTransition as exc:
        record_refusal(
            actor=request.user, reason="illegal_transition", obj=case, state=exc.state, requested=exc.action
        )
        return _render_detail(request, reference, status=409, banner=str(exc), transition_form=form)
    except StaleVersion as exc:
        record_refusal(actor=request.user, reason="stale_version", obj=case)
        return _render_detail(request, reference, status=409, banner=str(exc), transition_form=form)
    except PermissionDenied as exc:
        return _render_detail(request, reference, status=403, banner=str(exc), transition_form=form)
    except ValidationError as exc:
        _add_action_errors(form, exc)
        return _render_detail(request, reference, status=400, transition_form=form, show_close=True)
    messages.success(request, _("The case is now “%(state)s”.") % {"state": case.get_state_display()})
    return _back(case)


def _panel_response(request, reference, template: str, status: int, **overrides):
    """htmx: the changed panel (+ the timeline out of band); otherwise the whole page."""
    if request.htmx:
        case = queries.access_case(request.user, reference)
        return render(request, template, _detail_context(request, case, **overrides))
    return _render_detail(request, reference, status=status, **overrides)


@login_required
@require_POST
def add_note(request, reference):
    case = _staff_case(request, reference, audit=False)
    if not can_work_cases(request.user):
        raise PermissionDenied(_("Your role may not change cases."))
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_note(actor=request.user, case=case, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _add_action_errors(form, exc)
        else:
            if request.htmx:
                return _panel_response(request, reference, "cases/_notes_panel.html", 200)
            messages.success(request, _("Note added."))
            return _back(case, "#notes")
    return _panel_response(request, reference, "cases/_notes_panel.html", 400, note_form=form)


@login_required
@require_POST
def add_artefact(request, reference):
    case = _staff_case(request, reference, audit=False)
    if not can_work_cases(request.user):
        raise PermissionDenied(_("Your role may not change cases."))
    form = ArtefactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _artefact, linked = actions.add_artefact(
                actor=request.user,
                case=case,
                kind=data["kind"],
                value=data["value"],
                platform=data["platform"],
            )
        except ValidationError as exc:
            _add_action_errors(form, exc)
        else:
            if request.htmx:  # the panel itself shows "also in …" for the linked cases
                return _panel_response(request, reference, "cases/_artefacts_panel.html", 200)
            if linked:
                messages.info(
                    request,
                    _("The same artefact is in %(refs)s; the cases are now linked.")
                    % {"refs": ", ".join(c.reference for c in linked)},
                )
            if not linked:
                messages.success(request, _("Artefact added."))
            return _back(case, "#artefacts")
    return _panel_response(request, reference, "cases/_artefacts_panel.html", 400, artefact_form=form)


@login_required
@require_POST
def assign(request, reference):
    case = _staff_case(request, reference, audit=False)
    form = AssignForm(request.POST)
    assignee = None
    if form.is_valid():
        value = form.cleaned_data["assignee"].strip()
        if value == "me":
            assignee = request.user
        elif value != "none":
            assignee = casework_staff().filter(username=value).first()
            if assignee is None:
                form.add_error("assignee", _("No counsellor or supervisor with that user name."))
    if not form.is_valid():
        return _render_detail(request, reference, status=400, assign_form=form)
    try:
        case = actions.assign_case(actor=request.user, case=case, assignee=assignee)
    except PermissionDenied as exc:
        return _render_detail(request, reference, status=403, banner=str(exc), assign_form=form)
    except ValidationError as exc:
        _add_action_errors(form, exc)
        return _render_detail(request, reference, status=400, assign_form=form)
    if assignee is None:
        messages.success(request, _("The case is unassigned."))
    else:
        messages.success(request, _("The case is assigned to %(name)s.") % {"name": assignee})
    return _back(case)


@login_required
@require_POST
def link(request, reference):
    case = _staff_case(request, reference, audit=False)
    if not can_work_cases(request.user):
        raise PermissionDenied(_("Your role may not change cases."))
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            other = queries.access_case(request.user, form.cleaned_data["other"], audit=False)
            linked = actions.link_cases(actor=request.user, case=case, other=other)
        except Http404:
            form.add_error("other", _("There is no case with that reference."))
        except ValidationError as exc:
            _add_action_errors(form, exc)
        else:
            if linked:
                messages.success(request, _("Linked with %(ref)s.") % {"ref": other.reference})
            else:
                messages.info(request, _("The cases were already linked."))
            return _back(case, "#linked")
    return _render_detail(request, reference, status=400, link_form=form)
