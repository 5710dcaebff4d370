"""A small process supervisor: ``manage.py serve`` runs the platform's processes under it.

Each program (a web process, a task worker, the scheduler) is a child process watched on its own:

* a child that exits — crashed, killed, out of memory — is started again after a pause, and the
  log says so. The pause doubles with each crash that comes soon after a start (``backoff``,
  2×, 4×… at most ``max_backoff``) and falls back to ``backoff`` once a child has run longer than
  ``startup_seconds``;
* a child that keeps crashing right after its start (``give_up_after`` times in a row) is a broken
  installation, not bad luck: everything is stopped and ``run`` returns 1, so the person or the
  service manager above sees it;
* SIGINT or SIGTERM is forwarded to every child, which stops gracefully (a worker finishes its
  task); a second signal kills whatever is still running. ``run`` then returns 0.

Children run in their own process group, so a Ctrl-C in the terminal reaches them once, through
the supervisor (twice would make a task worker abandon its task), and they are asked to stop if
the supervisor itself dies (Linux's parent-death signal).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger("smartsafe.serve")

# Each child starts through this launcher, which asks Linux for the parent-death signal and then
# becomes the program (exec: same pid, same inherited descriptors). Asking for it in the forked
# child before exec (``preexec_fn``) is unsafe in a process with threads — the supervisor's own
# process has them (the database pool's, the audit sealer's): a child forked while another thread
# held a lock it then needs (the dynamic loader's, an import's) hangs before exec, and with it the
# supervisor, which waits for that exec. If the supervisor died before the request took effect,
# the launcher is already an orphan and exits instead.
_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(0)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


@dataclass(frozen=True)
class Program:
    name: str
    argv: Sequence[str]
    pass_fds: tuple[int, ...] = ()


@dataclass
class _Child:
    program: Program
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float = 0.0
    quick_crashes: int = 0
    restarts: int = 0


def _launch(argv: Sequence[str]) -> list[str]:
    """``argv`` run through the launcher on Linux (parent-death signal), as it is elsewhere."""
    if not sys.platform.startswith("linux"):
        return list(argv)
    return [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *argv]


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


@dataclass
class Supervisor:
    programs: Sequence[Program]
    env: dict[str, str] | None = None
    backoff: float = 1.0
    max_backoff: float = 30.0
    startup_seconds: float = 10.0
    give_up_after: int = 5
    stop_timeout: float = 20.0
    poll_seconds: float = 0.2
    #: Off where ``run`` is not in the main thread (only it may set handlers); ``stop`` then.
    handle_signals: bool = True
    _children: list[_Child] = field(default_factory=list, init=False)
    _signal: int | None = field(default=None, init=False)
    _force: bool = field(default=False, init=False)

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> int:
        """Start every program and keep them running; returns 0 after a signal, 1 on giving up."""
        signals = (signal.SIGINT, signal.SIGTERM) if self.handle_signals else ()
        previous = {sig: signal.signal(sig, self._on_signal) for sig in signals}
        try:
            self._children = [_Child(program) for program in self.programs]
            for child in self._children:
                self._start(child)
            outcome = 0
            while self._signal is None:
                if not self._watch():
                    outcome = 1
                    break
                time.sleep(self.poll_seconds)
            self._stop_all(self._signal or signal.SIGTERM)
            return outcome
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def pids(self) -> dict[str, int]:
        """The running children by program name (for the tests and the log)."""
        return {
            c.program.name: c.process.pid for c in self._children if c.process and c.process.poll() is None
        }

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """What SIGINT/SIGTERM do: stop every child gracefully (a second call: without waiting)."""
        self._on_signal(signum, None)

    def _on_signal(self, signum, _frame) -> None:
        if self._signal is not None:
            self._force = True  # a second Ctrl-C: do not wait any more
            return
        self._signal = signum

    def _watch(self) -> bool:
        now = time.monotonic()
        for child in self._children:
            if child.process is None:
                if now >= child.restart_at:
                    self._start(child)
                continue
            code = child.process.poll()
            if code is None:
                continue
            uptime = now - child.started_at
            child.quick_crashes = child.quick_crashes + 1 if uptime < self.startup_seconds else 0
            name, pid = child.program.name, child.process.pid
            child.process = None
            if child.quick_crashes >= self.give_up_after:
                log.error(
                    "%s (pid %s) %s %s s after its start, %s times in a row: giving up and stopping "
                    "everything (see its output above)",
                    name,
                    pid,
                    describe_exit(code),
                    f"{uptime:.1f}",
                    child.quick_crashes,
                )
                return False
            delay = min(self.backoff * 2**child.quick_crashes, self.max_backoff)
            child.restart_at = now + delay
            child.restarts += 1
            log.warning(
                "%s (pid %s) %s after %s s; restarting it in %s s (restart %s)",
                name,
                pid,
                describe_exit(code),
                f"{uptime:.1f}",
                f"{delay:g}",
                child.restarts,
            )
        return True

    def _start(self, child: _Child) -> None:
        program = child.program
        child.process = subprocess.Popen(
            _launch(program.argv), env=self.env, pass_fds=program.pass_fds, process_group=0
        )
        child.started_at = time.monotonic()
        log.info("%s started (pid %s)", program.name, child.process.pid)

    def _stop_all(self, signum: int) -> None:
        running = [c.process for c in self._children if c.process is not None and c.process.poll() is None]
        if running:
            log.info("stopping %s processes (%s)", len(running), signal.Signals(signum).name)
        for process in running:
            try:
                process.send_signal(signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.stop_timeout
        while running and time.monotonic() < deadline and not self._force:
            running = [p for p in running if p.poll() is None]
            time.sleep(0.1)
        for process in running:
            if process.poll() is None:
                log.warning("pid %s did not stop in time; killing it", process.pid)
                process.kill()
                process.wait()
