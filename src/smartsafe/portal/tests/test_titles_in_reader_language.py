"""A generated title is read in the reader's language, whatever language the reporter wrote in."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from smartsafe.cases.actions import open_case, update_case
from smartsafe.intake.models import Contact
from smartsafe.portal import actions
from smartsafe.portal.tests.conftest import answers

pytestmark = pytest.mark.django_db

EN = "Web report: Threats and blackmail"
SR = "Веб-пријава: Претње и уцене"


def _page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(translation.get_language()):  # the request's language stays there
        return client.get(url).content.decode()


@pytest.mark.parametrize("reporter_language", ["sr", "en"])
def test_inbox_and_case_show_the_title_in_the_viewer_language(client, counsellor, reporter_language):
    with translation.override(reporter_language):
        actions.submit_report(answers=answers(category="threats_blackmail", language=reporter_language))
    contact = Contact.objects.get()
    assert contact.subject_template == "web_report"
    client.force_login(counsellor)
    inbox = reverse("intake:inbox")
    assert EN in _page(client, inbox, "en") and SR not in _page(client, inbox, "en")
    assert SR in _page(client, inbox, "sr") and EN not in _page(client, inbox, "sr")

    with translation.override("sr"):
        case = open_case(actor=counsellor, contacts=[contact], title=contact.display_subject)
    assert case.title_template == "web_report"
    detail = reverse("cases:detail", args=[case.reference])
    assert EN in _page(client, detail, "en")
    assert SR in _page(client, detail, "sr")


def test_an_edited_title_is_kept_as_written(counsellor):
    actions.submit_report(answers=answers(category="threats_blackmail"))
    contact = Contact.objects.get()
    with translation.override("en"):
        case = open_case(actor=counsellor, contacts=[contact], title=EN)
    assert case.title_template == "web_report"
    with translation.override("sr"):
        update_case(actor=counsellor, case=case, expected_version=case.version, title=SR)  # unchanged
    case.refresh_from_db()
    assert case.title_template == "web_report"
    with translation.override("en"):
        update_case(
            actor=counsellor, case=case, expected_version=case.version, title="Sextortion on Instagram"
        )
    case.refresh_from_db()
    assert case.title_template == "" and case.display_title == "Sextortion on Instagram"


def test_rows_written_before_templates_get_them(counsellor):
    from importlib import import_module

    from django.apps import apps

    actions.submit_report(answers=answers(category="threats_blackmail"))
    contact = Contact.objects.get()
    Contact.objects.filter(pk=contact.pk).update(subject_template="", subject_args={}, subject=SR)
    with translation.override("sr"):
        case = open_case(actor=counsellor, contacts=[Contact.objects.get()], title=SR)
    assert case.title_template == ""
    import_module("smartsafe.portal.migrations.0002_generated_titles").forwards(apps, None)
    contact.refresh_from_db()
    case.refresh_from_db()
    with translation.override("en"):
        assert contact.display_subject == EN and case.display_title == EN


def test_the_timeline_names_the_generated_title_in_the_reader_language(client, counsellor):
    actions.submit_report(answers=answers(category="threats_blackmail"))
    contact = Contact.objects.get()
    with translation.override("en"):
        case = open_case(actor=counsellor, contacts=[contact], title=EN)
    client.force_login(counsellor)
    page = _page(client, reverse("cases:detail", args=[case.reference]), "sr")
    assert SR in page.split('id="timeline"')[1]
