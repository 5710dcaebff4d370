"""Partners' hash lists from the command line: import, replace, withdraw, list; export our own."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smartsafe.core import request_context
from smartsafe.evidence import actions, hashlists
from smartsafe.evidence.models import HashAlgorithm, KnownHashList


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date wants YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Hash lists of known abuse material (docs/evidence.md): import NAME FILE, replace NAME FILE, "
        "withdraw NAME, list, export KIND (the centre's confirmed hashes, for partners)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        for verb in ("import", "replace"):
            cmd = sub.add_parser(verb, help=f"{verb} a list from a file ('-' reads standard input)")
            cmd.add_argument("name")
            cmd.add_argument("file")
            cmd.add_argument("--source", required=True, help="who gave the list (e.g. a hotline)")
            cmd.add_argument("--date", type=_date, help="the list's own date, YYYY-MM-DD")
            cmd.add_argument("--description", default="")
            cmd.add_argument(
                "--kind",
                default=hashlists.AUTO,
                choices=[hashlists.AUTO, *HashAlgorithm.values],
                help="what the list holds (auto: by length; 64 digits are PDQ with a quality column)",
            )
        withdraw = sub.add_parser("withdraw", help="stop matching against a list")
        withdraw.add_argument("name")
        withdraw.add_argument("--reason", required=True)
        sub.add_parser("list", help="the lists and their counts")
        export = sub.add_parser("export", help="the hashes of files the centre confirmed")
        export.add_argument("kind", choices=HashAlgorithm.values)
        export.add_argument("--output", help="write to this file instead of standard output")
        export.add_argument("--recipient", default="", help="who receives it (kept in the audit log)")

    def handle(self, *args, command, **options):
        try:
            with request_context.bind(request_context.RequestContext(via="command")):
                getattr(self, f"_{command}")(**options)
        except hashlists.HashListInvalid as exc:
            raise CommandError(exc.message) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def _read(self, path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None

    def _import(self, *, name, file, source, date, description, kind, replace=False, **_options):
        hash_list = actions.import_hash_list(
            actor=None,
            name=name,
            data=self._read(file),
            source=source,
            algorithm=kind,
            list_date=date,
            description=description,
            replace=replace,
        )
        verb = "replaced" if replace else "imported"
        self.stdout.write(
            f"{hash_list.name}: {verb} {hash_list.entry_count} {hash_list.get_algorithm_display()} hashes"
        )

    def _replace(self, **options):
        self._import(replace=True, **options)

    def _withdraw(self, *, name, reason, **_options):
        hash_list = KnownHashList.objects.filter(name=name).first()
        if hash_list is None:
            raise CommandError(f"no hash list called {name!r}")
        actions.withdraw_hash_list(actor=None, hash_list=hash_list, reason=reason)
        self.stdout.write(f"{name}: withdrawn")

    def _list(self, **_options):
        for hash_list in KnownHashList.objects.all():
            self.stdout.write(
                f"{hash_list.name}\t{hash_list.get_algorithm_display()}\t{hash_list.entry_count}\t"
                f"{hash_list.status}\t{hash_list.source}\t{hash_list.list_date or ''}"
            )

    def _export(self, *, kind, output, recipient, **_options):
        text = actions.export_confirmed_hashes(actor=None, algorithm=kind, recipient=recipient)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
