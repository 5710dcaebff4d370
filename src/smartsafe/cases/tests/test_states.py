import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import transition_case
from smartsafe.cases.models import CaseState, TimelineEntry
from smartsafe.cases.states import TRANSITIONS, IllegalTransition, allowed_actions
from smartsafe.testing import make_case

pytestmark = pytest.mark.django_db


def test_full_lifecycle_stamps_every_stage(counsellor, supervisor):
    case = make_case(counsellor)
    assert case.state == CaseState.NEW
    case = transition_case(actor=counsellor, case=case, action="start")
    assert case.state == CaseState.IN_PROGRESS and case.in_progress_at
    case = transition_case(actor=counsellor, case=case, action="await_institution")
    assert case.state == CaseState.AWAITING_INSTITUTION and case.awaiting_institution_at
    case = transition_case(actor=counsellor, case=case, action="resume")
    case = transition_case(actor=counsellor, case=case, action="close", resolution="advice_given")
    assert case.state == CaseState.PENDING_CLOSURE and case.pending_closure_at
    assert case.closure_requested_by == counsellor
    case = transition_case(actor=supervisor, case=case, action="approve_closure")
    assert case.state == CaseState.CLOSED and case.closed_at and case.closed_by == supervisor
    case = transition_case(actor=counsellor, case=case, action="reopen")
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1 and case.reopened_at
    kinds = list(TimelineEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("state_changed") == 6
    assert AuditEvent.objects.filter(action="case.transition", object_id=str(case.pk)).count() == 6


@pytest.mark.parametrize("state", CaseState.values)
def test_every_action_outside_the_table_is_refused_with_the_allowed_list(counsellor, supervisor, state):
    case = make_case(counsellor)
    type(case).objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    for action in [*TRANSITIONS, "explode"]:
        if action in allowed_actions(state):
            continue
        with pytest.raises(IllegalTransition) as error:
            transition_case(actor=supervisor, case=case, action=action, resolution="advice_given")
        assert error.value.allowed == allowed_actions(state)
        case.refresh_from_db()
        assert case.state == state


def test_closing_needs_a_resolution(counsellor):
    case = make_case(counsellor)
    with pytest.raises(ValidationError) as error:
        transition_case(actor=counsellor, case=case, action="close")
    assert "resolution" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        transition_case(actor=counsellor, case=case, action="close", resolution="other", note="  ")
    assert "resolution_note" in error.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.NEW


def test_supervisor_closes_directly(supervisor):
    case = make_case(supervisor)
    case = transition_case(actor=supervisor, case=case, action="close", resolution="duplicate")
    assert case.state == CaseState.CLOSED


@override_settings(SMARTSAFE_CLOSURE_NEEDS_APPROVAL=False)
def test_without_approval_counsellor_closes_directly(counsellor):
    case = transition_case(
        actor=counsellor, case=make_case(counsellor), action="close", resolution="advice_given"
    )
    assert case.state == CaseState.CLOSED


def test_only_supervisors_approve_or_reject(counsellor, other_counsellor, supervisor):
    case = transition_case(
        actor=counsellor, case=make_case(counsellor), action="close", resolution="advice_given"
    )
    for action in ("approve_closure", "reject_closure"):
        with pytest.raises(PermissionDenied):
            transition_case(actor=other_counsellor, case=case, action=action)
    case = transition_case(actor=supervisor, case=case, action="reject_closure")
    assert case.state == CaseState.IN_PROGRESS and case.closure_requested_by is None


@pytest.mark.parametrize("role", ["auditor", "analyst", "prevention", "admin", "liaison"])
def test_roles_without_casework_cannot_move_cases(counsellor, role):
    from smartsafe.testing import make_user

    case = make_case(counsellor)
    with pytest.raises(PermissionDenied):
        transition_case(actor=make_user(role), case=case, action="start")
