"""``manage.py subject_access``: everything held about one person, as PDF and JSON files.

For an officer who works on the server rather than in the browser; the request is recorded (and
audited) as if opened on the privacy page, by no account.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smartsafe.privacy import actions, subject_access, subject_pdf
from smartsafe.privacy.models import RequestKind


class Command(BaseCommand):
    help = "Export what the centre holds about one person (found by e-mail, phone, messenger id or report)."

    def add_arguments(self, parser):
        found = parser.add_mutually_exclusive_group(required=True)
        found.add_argument("--email", help="an e-mail address the person used")
        found.add_argument("--phone", help="a phone number the person called or wrote from")
        found.add_argument("--messenger", metavar="KIND:ID", help="e.g. viber:AbC123== or telegram:4711")
        found.add_argument("--report", help="the reference of a report the person filed")
        parser.add_argument("--out", default=".", help="folder for the PDF and JSON files (default: here)")
        parser.add_argument("--note", default="", help="how the request arrived (kept on the request)")

    def handle(self, *args, email=None, phone=None, messenger=None, report=None, out=".", note="", **options):
        try:
            if email:
                identity = subject_access.parse_identity(subject_access.EMAIL, email)
            elif phone:
                identity = subject_access.parse_identity(subject_access.PHONE, phone)
            elif report:
                identity = subject_access.parse_identity(subject_access.REPORT, report)
            else:
                kind, _sep, value = messenger.partition(":")
                identity = subject_access.parse_identity(subject_access.MESSENGER, value, kind.lower())
            request = actions.open_request(actor=None, kind=RequestKind.ACCESS, identity=identity, note=note)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        data = actions.export_dossier(actor=None, request=request, fmt="json+pdf")
        stem = folder / f"subject-access-{request.pk}"
        stem.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        stem.with_suffix(".pdf").write_bytes(subject_pdf.render(data, centre=settings.SMARTSAFE_CENTRE_NAME))
        self.stdout.write(
            f"Request {request.pk}: {len(data['contacts'])} contact(s), {len(data['cases'])} case(s); "
            f"written {stem}.pdf and {stem}.json"
        )
