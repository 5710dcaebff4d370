"""SQLite for the embedded installation: writers of one process queue in turn instead of spinning.

SQLite lets one writer in at a time. When several threads of the web process begin a write
transaction together, the losers sleep in SQLite's busy handler with growing back-off and retry;
an unlucky request can lose the race again and again and wait seconds (or run out of the busy
timeout and fail with "database is locked") while others go through. Here every write transaction
of the process first takes one process-wide lock — threads wait their turn on it, woken the moment
the previous writer commits — and only then ``BEGIN IMMEDIATE``. Other processes (the task worker)
still meet the busy handler, which is rare enough to be harmless. Reads never take the lock: WAL
lets them run beside the writer.
"""

from __future__ import annotations

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_writer = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        if not _writer.acquire(timeout=timeout):
            raise OperationalError("database is locked: another write took longer than the timeout")
        self._holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
