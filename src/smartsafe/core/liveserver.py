"""The real platform in child processes, and concurrent HTTP clients to drive it.

Used by the tests that must see what production sees (several web processes and task workers
writing to one database at once) and by the benchmarks in ``bench/``. The processes are started as
``manage.py serve`` starts them — uvicorn with N web processes, and ``db_worker`` processes — or by
``serve`` itself (``supervised=True``, with its restarts), on a free loopback port, against a
database the caller names. Nothing here mocks anything.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like child: no test-run markers, the given database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
        DATABASE_URL=database_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")])),
        SMARTSAFE_LOG_LEVEL=extra.pop("SMARTSAFE_LOG_LEVEL", "WARNING"),
    )
    env.update(extra)
    return env


@dataclass
class Platform:
    """``with Platform(url, web=2, workers=2, env=...) as site: site.base_url …``"""

    database_url: str
    web: int = 1
    workers: int = 0
    env: dict[str, str] = field(default_factory=dict)
    app: str = "smartsafe.config.asgi:application"
    ready_path: str = "/public/"
    log_path: Path | None = None
    server_args: tuple[str, ...] = ()  # more uvicorn options
    # Run everything under ``manage.py serve`` (its supervisor restarts what dies), as an
    # installation does, instead of uvicorn and the workers side by side.
    supervised: bool = False
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Platform:
        env = child_env(self.database_url, **self.env)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._log = log
        if self.supervised:
            serve = [sys.executable, "-m", "django", "serve", "--port", str(self.port)]
            serve += ["--web-processes", str(self.web), "--task-workers", str(self.workers)]
            self.processes.append(subprocess.Popen(serve, env=env, cwd=ROOT, stdout=log, stderr=log))
            try:
                self.wait_ready()
            except BaseException:
                self.__exit__()
                raise
            return self
        web = [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(self.port)]
        web += ["--no-access-log", "--lifespan", "off", "--workers", str(self.web), *self.server_args]
        self.processes.append(subprocess.Popen(web, env=env, cwd=ROOT, stdout=log, stderr=log))
        for _ in range(self.workers):
            worker = [sys.executable, "-m", "django", "db_worker", "--interval", "0.2"]
            self.processes.append(subprocess.Popen(worker, env=env, cwd=ROOT, stdout=log, stderr=log))
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[:4]} exited with {process.returncode} at start")
            try:
                status, _body = request(self.port, "GET", self.ready_path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the platform did not answer on port {self.port} within {timeout:.0f} s")

    def __exit__(self, *_exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None, timeout=30.0):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class Outcome:
    status: int  # 0: no answer (connection refused, reset, timed out)
    seconds: float
    body: bytes


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes
    headers: dict


def drive(port: int, calls: Sequence[Call], *, clients: int, timeout: float = 60.0) -> list[Outcome]:
    """Send ``calls`` from ``clients`` concurrent keep-alive connections; one outcome per call, in order.

    Each client takes the next call from a shared cursor, so a slow answer never idles the others.
    """
    outcomes: list[Outcome | None] = [None] * len(calls)
    cursor = iter(range(len(calls)))
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            call = calls[index]
            began = time.perf_counter()
            try:
                connection.request(call.method, call.path, body=call.body, headers=call.headers)
                response = connection.getresponse()
                body = response.read()
                outcomes[index] = Outcome(response.status, time.perf_counter() - began, body)
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                outcomes[index] = Outcome(0, time.perf_counter() - began, b"")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for o in outcomes if o is not None]


def percentile(values: Iterable[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def until(check: Callable[[], bool], *, timeout: float, every: float = 0.2) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
