"""A busy installation for the backup test: ``python -m smartsafe.core.tests.backup_writer STOPFILE``.

Logs contacts with an evidence file each (audit events, encrypted files, task rows) as fast as it
can until STOPFILE exists, then prints how many it wrote.
"""

from __future__ import annotations

import sys
from pathlib import Path

import django


def main(stop_file: Path) -> None:
    django.setup()
    from smartsafe import testing
    from smartsafe.evidence.actions import receive_file

    author = testing.make_user("counsellor", "backup-writer")
    written = 0
    while not stop_file.exists():
        contact = testing.make_contact(author, summary=f"Позив број {written}")
        receive_file(
            data=f"chat export {written}\n".encode() * 50,
            filename=f"chat-{written}.txt",
            contact=contact,
            via="staff",
            actor=author,
        )
        written += 1
    print(written, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
