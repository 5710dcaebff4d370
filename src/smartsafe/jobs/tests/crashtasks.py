"""Tasks the crash tests enqueue; real worker processes import them from here."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def hang_once(marker: str) -> int:
    """The first attempt writes ``marker`` and hangs (the test kills its worker); later ones finish."""
    path = Path(marker)
    if not path.exists():
        path.write_text(str(os.getpid()))
        time.sleep(120)
    return os.getpid()


@task()
def always_fails() -> None:
    raise RuntimeError("the mail server said no")
