from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from smartsafe.audit.verify import CHUNK_SIZE, parse_anchor, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain: contiguous sequences, every hash and link, and the chain head. "
        "Exits 0 when intact, 1 naming the first missing or tampered event. Reads only; writes no event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="a sequence and hash noted earlier outside the database (repeatable); "
            "each must still be in the chain",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="events fetched per round trip"
        )

    def handle(self, *args, anchor, chunk_size, **options):
        try:
            anchors = [parse_anchor(text) for text in anchor]
        except ValueError as error:
            raise CommandError(f"not an anchor (expected SEQUENCE:SHA256-HEX): {error}") from None
        # Operators and scripts read this output; it stays in English whatever the site's language.
        with translation.override("en"):
            result = verify_chain(chunk_size=max(chunk_size, 1), anchors=anchors)
            if not result.ok:
                problem = result.problem
                raise CommandError(
                    f"audit chain BROKEN at event #{problem.sequence} ({problem.kind}): "
                    f"{problem.describe()}; "
                    f"{result.count} events before it verified"
                )
        self.stdout.write(f"audit chain intact: {result.count} events")
        if result.count:
            self.stdout.write(
                f"head: #{result.last_sequence}:{result.last_hash} (note it down to anchor a later check)"
            )
