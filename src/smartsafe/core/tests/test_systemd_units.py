"""The systemd units in deploy/systemd: ``systemd-analyze verify`` finds nothing wrong, each one
restarts on failure with a pause and a start limit, and each ExecStart really starts the process
it names (run here against the test database, then stopped with the unit's KillSignal).

``systemd-analyze`` is required, not optional: without it this test fails and says how to get it
(Debian: ``apt-get install systemd``), because a skipped check would let a broken unit ship.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from smartsafe.core.tests import live

UNITS = Path(__file__).resolve().parents[4] / "deploy" / "systemd"
SERVICES = ["smartsafe-web.service", "smartsafe-worker@.service", "smartsafe-scheduler.service"]
VENV_PYTHON = "/opt/smartsafe/venv/bin/python"
#: Keys of systemd 254+ (restart backoff); older versions warn and ignore them.
NEWER_KEYS = ("RestartSteps", "RestartMaxDelaySec")


def analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail(
            "systemd-analyze is missing: install it (Debian: apt-get install systemd) to check the units"
        )
    return path


def systemd_version() -> int:
    out = subprocess.run([analyze(), "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.match(r"systemd (\d+)", out).group(1))


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def installed_copy(tmp_path: Path, env_file: Path, workdir: Path) -> Path:
    """The units as they would be installed here: this interpreter, a real environment file."""
    target = tmp_path / "units"
    target.mkdir()
    for source in UNITS.glob("smartsafe*"):
        text = source.read_text()
        text = text.replace(VENV_PYTHON, sys.executable)
        text = text.replace("/etc/smartsafe/smartsafe.env", str(env_file))
        text = text.replace("WorkingDirectory=/var/lib/smartsafe", f"WorkingDirectory={workdir}")
        (target / source.name).write_text(text)
    return target


def test_the_units_verify_cleanly(tmp_path):
    env_file = tmp_path / "smartsafe.env"
    env_file.write_text((UNITS / "smartsafe.env.example").read_text())
    units = installed_copy(tmp_path, env_file, tmp_path)
    names = [
        "smartsafe.target",
        "smartsafe-web.service",
        "smartsafe-worker@1.service",
        "smartsafe-scheduler.service",
    ]
    result = subprocess.run(
        [analyze(), "verify", *(f"./{name}" for name in names)],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip()
        and not (systemd_version() < 254 and any(f"Unknown key '{key}'" in line for key in NEWER_KEYS))
        # Container noise, not about the units:
        and "Failed to read $container" not in line
    ]
    assert result.returncode == 0 and problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_restarts_on_failure_with_a_pause_and_a_limit(name):
    service = unit(name)
    assert service["Service"]["Restart"] == "on-failure"
    assert int(service["Service"]["RestartSec"]) >= 1
    assert int(service["Service"]["RestartSteps"]) >= 1 and service["Service"]["RestartMaxDelaySec"]
    assert int(service["Unit"]["StartLimitBurst"]) >= 3
    assert service["Service"]["ExecStart"].startswith(VENV_PYTHON)
    assert service["Install"]["WantedBy"] == "smartsafe.target"
    assert service["Unit"]["PartOf"] == "smartsafe.target"
    assert "--worker-id" not in service["Service"]["ExecStart"], (
        "a restarted worker must not reuse a dead one's id"
    )


def _command(name: str, port: int) -> list[str]:
    argv = shlex.split(unit(name)["Service"]["ExecStart"])
    argv[0] = sys.executable
    return [str(port) if arg == "8000" else arg for arg in argv]


def _environment(name: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(unit(name)["Service"].get("Environment", "")))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", SERVICES)
def test_each_exec_start_runs_and_stops_on_its_kill_signal(tmp_path, name):
    port = live.free_port()
    env = {**live.child_env(tmp_path), **_environment(name)}
    log = tmp_path / "unit.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            _command(name, port), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        if name == "smartsafe-web.service":

            def answers():
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
                        return r.status == 200
                except OSError:
                    return False

            live.wait_for(answers, timeout=60, what="the web unit to answer", every=0.3)
        else:
            marker = "Starting worker" if "worker" in name else "scheduler:"
            live.wait_for(lambda: marker in log.read_text(), timeout=60, what=f"{name} to start")
        assert process.poll() is None, log.read_text()[-2000:]
        process.send_signal(signal.SIGTERM)  # every unit's KillSignal (the default)
        stop_timeout = int(unit(name)["Service"]["TimeoutStopSec"])
        # systemd counts SIGTERM as a clean exit for a service (SuccessExitStatus default).
        assert process.wait(timeout=stop_timeout) in (0, -signal.SIGTERM), log.read_text()[-2000:]
    finally:
        live.stop(process)
