"""``manage.py serve``: the whole platform in one command (web, task worker, scheduler).

Embedded mode's process manager: it starts the ASGI server (uvicorn: HTTP and websockets), the
database task worker and the scheduler as child processes, forwards Ctrl-C to them, and stops
everything if any one of them dies, so a half-running platform never looks healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, a task worker and the scheduler together."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host, port, **options):
        python = sys.executable
        manage = [python, "-m", "django"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "smartsafe.config.settings"),
        }
        commands = {
            "web": [
                python,
                "-m",
                "uvicorn",
                "smartsafe.config.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--no-access-log",
                "--lifespan",
                "off",
            ],
            "worker": [*manage, "db_worker", "--interval", "2"],
            "scheduler": [*manage, "run_scheduler"],
        }
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        self._print_banner(host, port)
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with status {process.returncode}; stopping the platform"
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _print_banner(self, host: str, port: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nsmartsafe is starting on http://{host}:{port}/"))
        self.stdout.write(f"  API docs: http://{host}:{port}/api/docs/")
        if settings.DEMO:
            try:
                from smartsafe.accounts.demo import DEMO_LOGINS
            except ImportError:
                DEMO_LOGINS = []
            if DEMO_LOGINS:
                self.stdout.write("  Demo logins (user / password / role):")
                for username, password, role in DEMO_LOGINS:
                    self.stdout.write(f"    {username:<12} {password:<18} {role}")
        self.stdout.write("  Stop with Ctrl-C.\n")
