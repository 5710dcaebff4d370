"""Re-wrap every evidence file's key under a new master key (the content is not re-encrypted)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from smartsafe.core import request_context
from smartsafe.evidence import actions, crypto


class Command(BaseCommand):
    help = (
        "Re-wrap the per-file keys of the evidence vault under a new master key. The keys that wrap "
        "the files now must be configured (SMARTSAFE_EVIDENCE_KEY / _KEY_FILE, and "
        "SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES). Safe to run again after an interruption. "
        "See docs/evidence.md for the whole procedure."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--new-key-file", help="file holding the new master key (base64 of 32 bytes)")
        group.add_argument(
            "--to-current",
            action="store_true",
            help="re-wrap every file still under a previous key with the configured current key",
        )
        parser.add_argument(
            "--generate",
            action="store_true",
            help="create --new-key-file with a fresh key first (mode 0600; refuses to overwrite)",
        )

    def handle(self, *args, new_key_file, to_current, generate, **options):
        try:
            if generate:
                if not new_key_file:
                    raise CommandError("--generate needs --new-key-file")
                new = crypto.write_key_file(new_key_file)
                self.stdout.write(f"new key written to {new_key_file}")
            elif new_key_file:
                new = crypto.read_key_file(new_key_file)
            else:
                new = crypto.current_key()
            with request_context.bind(request_context.RequestContext(via="command")):
                changed = actions.rotate_key(new)
        except FileExistsError:
            raise CommandError(f"{new_key_file} exists already; --generate never overwrites a key") from None
        except (ImproperlyConfigured, crypto.UnknownKey, crypto.DecryptionFailed) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{changed} file keys re-wrapped under key {new.id}")
        if new_key_file:
            self.stdout.write(
                "Now set SMARTSAFE_EVIDENCE_KEY_FILE to the new key file and restart; keep the old key "
                "until you have checked that files open."
            )
