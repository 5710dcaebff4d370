"""The supervisor with real child processes: restart with backoff, give up on a broken start,
forward the stopping signal."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from smartsafe.core.supervisor import Program, Supervisor, describe_exit
from smartsafe.core.tests.live import wait_for

SLEEPER = Program("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
CRASHER = Program("crasher", [sys.executable, "-c", "import sys; sys.exit(3)"])


def in_background(supervisor: Supervisor) -> tuple[threading.Thread, list]:
    """``run`` in a thread, so the test can kill its children meanwhile; ``stop`` is the signal."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(supervisor.run()), daemon=True)
    thread.start()
    return thread, outcome


def test_a_child_that_keeps_crashing_at_start_stops_everything(caplog):
    supervisor = Supervisor([SLEEPER, CRASHER], backoff=0.05, startup_seconds=5, give_up_after=3)
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="smartsafe.serve"):
        assert supervisor.run() == 1
    assert time.monotonic() - started < 30
    text = caplog.text
    assert "crasher" in text and "exited with status 3" in text
    assert "restarting it in 0.1 s (restart 1)" in text  # 0.05 × 2: the pause doubles…
    assert "restarting it in 0.2 s (restart 2)" in text  # …with each crash right after a start
    assert "3 times in a row: giving up" in text
    assert supervisor.pids() == {}, "the healthy sleeper was stopped too"


def test_a_killed_child_comes_back_and_the_others_keep_running(caplog):
    supervisor = Supervisor(
        [SLEEPER, Program("other", SLEEPER.argv)],
        backoff=0.05,
        startup_seconds=0,  # every crash counts as one after a long run: the base pause
        stop_timeout=5,
        handle_signals=False,
    )
    with caplog.at_level(logging.INFO, logger="smartsafe.serve"):
        thread, outcome = in_background(supervisor)
        first = wait_for(
            lambda: supervisor.pids() if len(supervisor.pids()) == 2 else None, timeout=30, what="start"
        )
        os.kill(first["sleeper"], signal.SIGKILL)
        again = wait_for(
            lambda: supervisor.pids().get("sleeper") not in (None, first["sleeper"]) and supervisor.pids(),
            timeout=30,
            what="the sleeper to be restarted",
        )
        assert again["other"] == first["other"], "the other child was not touched"
        supervisor.stop()
        thread.join(timeout=15)
    assert outcome == [0]
    assert f"sleeper (pid {first['sleeper']}) killed by SIGKILL" in caplog.text
    assert "restarting it in 0.05 s (restart 1)" in caplog.text
    for pid in again.values():
        wait_for(lambda pid=pid: not _alive(pid), timeout=15, what=f"pid {pid} to be gone")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: the supervisor reaped it or will.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_exit_descriptions():
    assert describe_exit(3) == "exited with status 3"
    assert describe_exit(-9) == "killed by SIGKILL"


SUPERVISOR_SCRIPT = """
import ctypes, logging, sys, threading, time
from smartsafe.core.supervisor import Program, Supervisor
# Threads busy importing and allocating while children are forked, as in `manage.py serve`
# (the pool's and the sealer's threads): a child must never hang between fork and exec.
def busy():
    while True:
        ctypes.CDLL("libc.so.6"); bytearray(4096)  # the dynamic loader's lock, taken and freed
for _ in range(4):
    threading.Thread(target=busy, daemon=True).start()
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s", force=True)
sleeper = Program("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
Supervisor([sleeper] + [Program(f"other{i}", sleeper.argv) for i in range(7)], handle_signals=False).run()
"""


def test_children_start_beside_busy_threads_and_stop_when_the_supervisor_dies():
    import re
    import subprocess

    supervisor = subprocess.Popen(
        [sys.executable, "-u", "-c", SUPERVISOR_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    try:
        pids = []
        deadline = time.monotonic() + 30
        while len(pids) < 8 and time.monotonic() < deadline:
            line = supervisor.stdout.readline()
            found = re.search(r"started \(pid (\d+)\)", line)
            if found:
                pids.append(int(found.group(1)))
        assert len(pids) == 8, "the children did not start"
        for pid in pids:
            wait_for(lambda pid=pid: _is_sleeper(pid), timeout=15, what=f"pid {pid} to run its program")
    finally:
        supervisor.kill()  # SIGKILL: the supervisor cannot forward anything
        supervisor.wait()
    for pid in pids:
        wait_for(lambda pid=pid: not _alive(pid), timeout=15, what=f"orphan {pid} to stop")


def _is_sleeper(pid: int) -> bool:
    """The launcher has become the program (same pid, the program's command line)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    except OSError:
        return False
    return b"time.sleep(60)" in command and b"PDEATHSIG" not in command
