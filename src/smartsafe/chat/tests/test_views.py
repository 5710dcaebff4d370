"""The chat's pages: the child's (three languages, no JavaScript, out of hours) and the staff's."""

from __future__ import annotations

import pytest
from django.test import Client

from smartsafe.audit.models import AuditEvent
from smartsafe.chat import actions, queries
from smartsafe.chat.models import ChatBlock, ChatSession, ChatState, Sender
from smartsafe.portal.models import PublicReport

pytestmark = pytest.mark.django_db

PAGE = "/public/chat/"


def in_language(code: str) -> Client:
    client = Client()
    client.post("/i18n/setlang/", {"language": code, "next": "/public/"})
    return client


@pytest.mark.parametrize("code", ["sr", "sr-latn", "en"])
def test_the_public_page_in_each_language_offers_chat_and_a_message(code):
    html = in_language(code).get(PAGE).content.decode()
    assert f'<html lang="{code}">' in html
    assert 'id="chat"' in html and "chat/chat.js" in html
    assert 'action="/public/chat/message/"' in html  # what a browser without JavaScript uses
    assert "data-quick-exit" in html


def test_the_home_page_links_the_chat(client):
    assert 'href="/public/chat/"' in client.get("/public/").content.decode()


def test_outside_the_hours_only_the_message_form(client, settings):
    settings.SMARTSAFE_CHAT_DAYS = []
    html = client.get(PAGE).content.decode()
    assert 'id="chat"' not in html and "chat.js" not in html
    assert "The chat is closed now." in html and 'action="/public/chat/message/"' in html
    assert client.post("/public/chat/start/", {"language": "en"}).status_code == 409


def test_a_left_message_becomes_a_report_with_a_receipt(client):
    response = client.post("/public/chat/message/", {"text": "Someone posts my photos", "reply_to": ""})
    assert response.status_code == 200
    report = PublicReport.objects.get()
    assert report.via == "chat" and report.reference in response.content.decode()
    assert client.post("/public/chat/message/", {"text": ""}).status_code == 400


def test_starting_a_chat_answers_its_id_and_secret(client):
    body = client.post("/public/chat/start/", {"language": "sr-latn", "urgent": "on"}).json()
    session = ChatSession.objects.get(pk=body["session"])
    assert session.language == "sr-latn" and session.urgent
    assert queries.child_session(session.pk, body["token"]) == session


def test_starts_are_limited_per_client(client, settings):
    settings.SMARTSAFE_CHAT_STARTS_PER_HOUR = 2
    assert [client.post("/public/chat/start/", {}).status_code for _ in range(3)] == [200, 200, 429]


def test_a_blocked_client_cannot_start(client, counsellor):
    session, _ = actions.start_chat(client=queries.client_hash("127.0.0.1"), language="en")
    actions.take_chat(actor=counsellor, session=session)
    actions.end_chat(session=session, actor=counsellor, block=True)
    assert client.post("/public/chat/start/", {}).status_code == 403


def test_quick_exit_beacon_ends_the_chat(client):
    body = client.post("/public/chat/start/", {}).json()
    assert client.post("/public/chat/end/", {"session": body["session"], "token": "wrong"}).status_code == 200
    assert ChatSession.objects.get(pk=body["session"]).state == ChatState.WAITING
    client.post("/public/chat/end/", {"session": body["session"], "token": body["token"]})
    assert ChatSession.objects.get(pk=body["session"]).state == ChatState.ABANDONED


def test_counsellor_takes_summarises_and_ends_with_a_block(client, counsellor, other_counsellor):
    session, _ = actions.start_chat(client=queries.client_hash("10.9.9.9"), language="sr")
    actions.post_message(session=session, sender=Sender.CHILD, text="Уцењују ме")
    client.force_login(counsellor)
    panel = client.get("/chat/waiting/").content.decode()
    assert session.reference in panel and f'action="/chat/{session.pk}/take/"' in panel
    assert client.post(f"/chat/{session.pk}/take/").url == f"/chat/{session.pk}/"
    page = client.get(f"/chat/{session.pk}/").content.decode()
    assert "Уцењују ме" in page and "chat-staff.js" in page and 'name="summary"' in page
    session.refresh_from_db()
    contact = session.contact
    client.post(
        f"/chat/{session.pk}/summary/",
        {"summary": "Дете уцењују сликама", "advice_given": "Не плаћати", "version": contact.version},
    )
    contact.refresh_from_db()
    assert contact.summary == "Дете уцењују сликама" and contact.advice_given == "Не плаћати"
    # The contact's own page shows the transcript.
    assert "Уцењују ме" in client.get(f"/contacts/{contact.pk}/").content.decode()
    client.force_login(other_counsellor)
    assert client.get(f"/chat/{session.pk}/").status_code == 404
    client.force_login(counsellor)
    client.post(f"/chat/{session.pk}/end/", {"block": "on"})
    assert ChatSession.objects.get(pk=session.pk).state == ChatState.ENDED
    assert ChatBlock.objects.get().client_hash == queries.client_hash("10.9.9.9")


def test_transfer_and_watch_pages(client, counsellor, other_counsellor, supervisor):
    session, _ = actions.start_chat(client=queries.client_hash("a"), language="en")
    actions.take_chat(actor=counsellor, session=session)
    client.force_login(counsellor)
    client.post(f"/chat/{session.pk}/transfer/", {"to": other_counsellor.pk})
    assert ChatSession.objects.get(pk=session.pk).counsellor == other_counsellor
    client.force_login(supervisor)
    assert f"/chat/{session.pk}/?watch=1" in client.get("/chat/waiting/").content.decode()
    page = client.get(f"/chat/{session.pk}/?watch=1").content.decode()
    assert "Watching silently" in page and 'name="text"' not in page
    assert AuditEvent.objects.filter(action="chat.view", actor=supervisor).exists()


def test_the_inbox_carries_the_waiting_chats_panel(client, counsellor, analyst):
    client.force_login(counsellor)
    assert 'hx-get="/chat/waiting/"' in client.get("/contacts/").content.decode()
    client.force_login(analyst)
    assert client.get("/chat/").status_code == 403


def test_the_embed_button_opens_the_page_in_its_language(client, settings):
    response = client.get(PAGE + "?via=embed&lang=sr-latn")
    html = response.content.decode()
    assert '<html lang="sr-latn">' in html and 'data-via="embed"' in html
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sr-latn"
    assert '<html lang="sr-latn">' in client.get("/public/").content.decode()  # the visit stays in it
    assert 'data-via="portal"' in client.get(PAGE + "?lang=xx").content.decode()


def test_the_embed_script_is_served(client):
    from django.contrib.staticfiles import finders

    script = open(finders.find("chat/embed.js"), encoding="utf-8").read()
    assert "/public/chat/?via=embed" in script and "noopener" in script


def png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_file_in_the_chat_goes_to_the_evidence_vault_by_the_categorys_rules(client, counsellor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartsafe import testing
    from smartsafe.evidence.models import EvidenceFile

    body = client.post("/public/chat/start/", {"language": "en"}).json()
    session = ChatSession.objects.get(pk=body["session"])

    def send():
        upload = SimpleUploadedFile("screenshot.png", png(), content_type="image/png")
        return client.post(
            "/public/chat/file/", {"session": session.pk, "token": body["token"], "file": upload}
        )

    assert send().status_code == 422  # nobody has joined: no contact to keep it on yet
    actions.take_chat(actor=counsellor, session=session)
    response = send()
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    evidence = EvidenceFile.objects.get()
    assert evidence.contact == session.contact
    message = session.messages.get(pk=response.json()["id"])
    assert message.evidence == evidence and message.as_frame()["file"]
    assert AuditEvent.objects.filter(action="chat.message", details__file=True).exists()

    # The counsellor records the chat as about child sexual abuse material: no file is kept.
    session.contact.topics.add(testing.category("csam"))
    refused = send()
    assert refused.status_code == 422 and "web address" in refused.json()["error"]
    assert EvidenceFile.objects.count() == 1
    wrong = SimpleUploadedFile("x.png", png(), content_type="image/png")
    assert (
        client.post("/public/chat/file/", {"session": session.pk, "token": "no", "file": wrong}).status_code
        == 400
    )
