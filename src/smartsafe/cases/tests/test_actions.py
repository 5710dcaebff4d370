import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions
from smartsafe.cases.models import Case, CaseLink, ReferenceSequence
from smartsafe.core.concurrency import StaleVersion
from smartsafe.intake.models import ContactState
from smartsafe.testing import category, make_case, make_contact, platform

pytestmark = pytest.mark.django_db


def test_open_case_links_contacts_and_numbers_it(counsellor):
    first, second = make_contact(counsellor), make_contact(counsellor, urgent=True)
    case = actions.open_case(
        actor=counsellor, contacts=[first, second], title="Уцена", categories=[category("threats_blackmail")]
    )
    assert re.fullmatch(r"SS-\d{4}-\d{6}", case.reference)
    assert case.urgent, "an urgent contact makes the case urgent"
    assert case.urgent_reason
    for contact in (first, second):
        contact.refresh_from_db()
        assert contact.state == ContactState.LINKED and contact.case == case and contact.linked_at
    assert case.owner == counsellor and case.assigned_to == counsellor
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()


def test_references_are_sequential_per_year(counsellor):
    refs = [make_case(counsellor, contacts=[]).reference for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert ReferenceSequence.objects.get().last == numbers[-1]


def test_open_case_requires_title_and_urgent_reason(counsellor):
    with pytest.raises(ValidationError) as error:
        actions.open_case(actor=counsellor, title="  ")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.open_case(actor=counsellor, title="X", urgent=True, urgent_reason="")
    assert "urgent_reason" in error.value.message_dict
    assert not Case.objects.exists(), "a refused case leaves nothing behind"


def test_contact_already_in_another_case_is_refused(counsellor):
    contact = make_contact(counsellor)
    make_case(counsellor, contacts=[contact])
    with pytest.raises(ValidationError):
        actions.open_case(actor=counsellor, contacts=[contact], title="Друго")
    assert Case.objects.count() == 1


def test_stale_version_is_refused_and_changes_nothing(counsellor, other_counsellor):
    case = make_case(counsellor)
    read_version = case.version
    actions.update_case(actor=other_counsellor, case=case, expected_version=read_version, title="Прва измена")
    with pytest.raises(StaleVersion):
        actions.update_case(actor=counsellor, case=case, expected_version=read_version, title="Друга измена")
    case.refresh_from_db()
    assert case.title == "Прва измена"


def test_update_records_row_versions_and_timeline(counsellor):
    case = make_case(counsellor)
    actions.update_case(
        actor=counsellor,
        case=case,
        expected_version=case.version,
        summary="Ново",
        categories=[category("csam")],
    )
    case.refresh_from_db()
    assert case.history.count() >= 2
    entry = case.timeline.filter(kind="updated").get()
    assert entry.data["fields"] == ["categories", "summary"]


def test_urgency_set_and_cleared(counsellor):
    case = make_case(counsellor)
    with pytest.raises(ValidationError):
        actions.update_case(actor=counsellor, case=case, expected_version=None, urgent=True)
    case = actions.update_case(
        actor=counsellor, case=case, expected_version=None, urgent=True, urgent_reason="Договорен сусрет"
    )
    assert case.timeline.filter(kind="urgent_set").exists()
    case = actions.update_case(actor=counsellor, case=case, expected_version=None, urgent=False)
    assert case.urgent_reason == "" and case.timeline.filter(kind="urgent_cleared").exists()


def test_same_profile_in_two_spellings_links_the_cases(counsellor):
    instagram = platform("instagram")
    first, second = make_case(counsellor), make_case(counsellor)
    actions.add_artefact(
        actor=counsellor, case=first, kind="username", value="@Ana.Petrovic", platform=instagram
    )
    _artefact, linked = actions.add_artefact(
        actor=counsellor,
        case=second,
        kind="profile_url",
        value="https://www.instagram.com/ana.petrovic/?igshid=x1",
    )
    assert linked == [first]
    assert CaseLink.objects.filter(from_case=first, to_case=second).exists()
    assert (
        first.timeline.filter(kind="case_linked").exists()
        and second.timeline.filter(kind="case_linked").exists()
    )
    assert instagram in second.platforms.all(), "the platform is recognised from the URL"


def test_bad_artefact_is_a_field_error(counsellor):
    case = make_case(counsellor)
    with pytest.raises(ValidationError) as error:
        actions.add_artefact(actor=counsellor, case=case, kind="phone", value="call me maybe")
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.add_artefact(actor=counsellor, case=case, kind="url", value="javascript:alert(1)")


def test_duplicate_artefact_refused(counsellor):
    case = make_case(counsellor)
    actions.add_artefact(actor=counsellor, case=case, kind="phone", value="064 123 4567")
    with pytest.raises(ValidationError):
        actions.add_artefact(actor=counsellor, case=case, kind="phone", value="+381641234567")


def test_assignment_rules(counsellor, other_counsellor, supervisor, auditor):
    case = make_case(supervisor, assigned_to=None)
    case.assigned_to = None
    case.save()
    actions.assign_case(actor=counsellor, case=case, assignee=counsellor)  # take an unassigned case
    with pytest.raises(PermissionDenied):
        actions.assign_case(actor=other_counsellor, case=case, assignee=other_counsellor)
    actions.assign_case(actor=supervisor, case=case, assignee=other_counsellor)
    with pytest.raises(ValidationError):
        actions.assign_case(actor=supervisor, case=case, assignee=auditor)
    case.refresh_from_db()
    assert case.assigned_to == other_counsellor


def test_notes(counsellor, auditor):
    case = make_case(counsellor)
    with pytest.raises(ValidationError):
        actions.add_note(actor=counsellor, case=case, body="   ")
    with pytest.raises(PermissionDenied):
        actions.add_note(actor=auditor, case=case, body="text")
    note = actions.add_note(actor=counsellor, case=case, body="Позвати родитеља сутра")
    assert case.timeline.filter(kind="note_added", data__note=note.pk).exists()


def test_sharing_is_what_scopes_liaisons(counsellor, police, police_liaison, school_liaison, supervisor):
    from smartsafe.cases.queries import cases_visible_to

    case = make_case(counsellor)
    assert not cases_visible_to(police_liaison).exists()
    actions.share_with_institution(actor=supervisor, case=case, institution=police, reason="Test share")
    assert list(cases_visible_to(police_liaison)) == [case]
    assert not cases_visible_to(school_liaison).exists()
    actions.revoke_share(actor=counsellor, case=case, institution=police)
    assert not cases_visible_to(police_liaison).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_one_wins(counsellor, other_counsellor):
    """Two editors who read the same version: exactly one write lands, on either engine."""
    case = make_case(counsellor)
    version = case.version
    outcomes = []

    def edit(actor, title):
        try:
            actions.update_case(actor=actor, case=case, expected_version=version, title=title)
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        except Exception as exc:  # surfaced in the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(u, t)) for u, t in ((counsellor, "A"), (other_counsellor, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "stale"]
