from django.core.management.base import BaseCommand

from smartsafe.core import request_context, scheduler


class Command(BaseCommand):
    help = "Enqueue periodic tasks (one leader among all scheduler processes)."

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, poll, **options):
        self.stdout.write(f"scheduler: {len(scheduler.jobs())} jobs, checking every {poll:g}s")
        with request_context.bind(request_context.RequestContext(via="task")):
            scheduler.run_forever(poll_seconds=poll)
