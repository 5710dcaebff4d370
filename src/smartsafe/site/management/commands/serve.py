"""``manage.py serve``: the whole platform in one command (web, task workers, scheduler).

The command belongs to the site (the composition layer), not to core: it puts the apps together
as one running platform and, in demo mode, prints the demo logins. The processes run under
``core.supervisor``: a crashed one is restarted with backoff, the others
keep working; Ctrl-C or SIGTERM stops them all gracefully (docs/deploy.md).

How many: on PostgreSQL, one web process per CPU (``WEB_CONCURRENCY`` overrides) and
``SMARTSAFE_TASK_WORKERS`` task workers (default 2); on SQLite one of each, since SQLite has a
single writer and more processes would only queue for its lock. The web processes share one
listening socket opened here, so a restarted web process takes over the same port and
connections wait in its backlog, never refused, while one restarts.
"""

from __future__ import annotations

import os
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from smartsafe.core.env import env_int
from smartsafe.core.supervisor import Program, Supervisor
from smartsafe.demo.accounts import DEMO_LOGINS

DEFAULT_TASK_WORKERS = 2


def process_counts(vendor: str, *, web: int | None = None, workers: int | None = None) -> tuple[int, int]:
    """(web processes, task workers) for a database ``vendor``; explicit values win on PostgreSQL."""
    if vendor == "sqlite":
        return 1, 1
    web = web or env_int("WEB_CONCURRENCY", 0) or os.cpu_count() or 1
    workers = workers or env_int("SMARTSAFE_TASK_WORKERS", DEFAULT_TASK_WORKERS)
    if web < 1 or workers < 1:
        raise CommandError("WEB_CONCURRENCY and SMARTSAFE_TASK_WORKERS must be at least 1.")
    return web, workers


def listen(host: str, port: int) -> socket.socket:
    """The web processes' shared socket (inherited by each uvicorn through ``--fd``)."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Command(BaseCommand):
    help = "Start the web server, the task workers and the scheduler, and keep them running."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-processes", type=int, help="default: WEB_CONCURRENCY or the CPU count")
        parser.add_argument("--task-workers", type=int, help="default: SMARTSAFE_TASK_WORKERS or 2")

    def handle(self, *args, host, port, web_processes, task_workers, **options):
        web, workers = process_counts(connection.vendor, web=web_processes, workers=task_workers)
        connection.close()  # the children open their own
        sock = listen(host, port)
        python = sys.executable
        uvicorn = [python, "-m", "uvicorn", "smartsafe.config.asgi:application", "--fd", str(sock.fileno())]
        uvicorn += [
            "--workers",
            "1",
            "--no-access-log",
            "--lifespan",
            "off",
            "--timeout-graceful-shutdown",
            "10",
        ]
        programs = [Program(f"web-{n}", uvicorn, pass_fds=(sock.fileno(),)) for n in range(1, web + 1)]
        programs += [
            Program(f"worker-{n}", [python, "-m", "django", "db_worker", "--interval", "1", "--no-reload"])
            for n in range(1, workers + 1)
        ]
        programs.append(Program("scheduler", [python, "-m", "django", "run_scheduler"]))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "smartsafe.config.settings"),
        }
        env.pop("WEB_CONCURRENCY", None)  # uvicorn would read it and fork that many again
        self._print_banner(host, port, web, workers)
        try:
            outcome = Supervisor(programs, env=env).run()
        finally:
            sock.close()
        if outcome:
            raise CommandError("A process kept crashing right after its start; the platform was stopped.")

    def _print_banner(self, host: str, port: int, web: int, workers: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nsmartsafe is starting on http://{host}:{port}/"))
        self.stdout.write(
            f"  {web} web process(es), {workers} task worker(s), 1 scheduler ({connection.vendor})"
        )
        self.stdout.write(f"  API docs: http://{host}:{port}/api/docs/")
        if settings.DEMO:
            self.stdout.write("  Demo logins (user / password / role):")
            for username, password, role in DEMO_LOGINS:
                self.stdout.write(f"    {username:<12} {password:<18} {role}")
        self.stdout.write("  Stop with Ctrl-C.\n")
