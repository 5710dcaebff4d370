"""Optional virus scan with ClamAV's daemon (clamd), over its INSTREAM protocol.

Configured by ``SMARTSAFE_CLAMD_SOCKET`` (a Unix socket) or ``SMARTSAFE_CLAMD_HOST`` (+ ``_PORT``);
when neither is set nothing is scanned and files are marked ``not_scanned``.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the content as chunks, each a 4-byte
big-endian length followed by that many bytes, then a zero length. clamd answers one
NUL-terminated line: ``stream: OK``, ``stream: <signature> FOUND`` or ``... ERROR``. It is small
enough to implement here rather than depend on an unmaintained client package.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

from .models import ScanStatus

CHUNK = 64 * 1024
MAX_REPLY = 4096


@dataclass(frozen=True)
class ScanResult:
    status: str  # one of models.ScanStatus
    signature: str = ""


def configured() -> bool:
    return bool(settings.SMARTSAFE_CLAMD_SOCKET or settings.SMARTSAFE_CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.SMARTSAFE_CLAMD_TIMEOUT
    if settings.SMARTSAFE_CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.SMARTSAFE_CLAMD_SOCKET)
        return sock
    return socket.create_connection(
        (settings.SMARTSAFE_CLAMD_HOST, settings.SMARTSAFE_CLAMD_PORT), timeout=timeout
    )


def instream(data: bytes) -> str:
    """Send ``data`` to clamd and return its answer line (without the NUL)."""
    with _connect() as sock:
        sock.sendall(b"zINSTREAM\0")
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            chunk = view[start : start + CHUNK]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
            part = sock.recv(1024)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\0\n").decode("utf-8", errors="replace")


def scan(data: bytes) -> ScanResult:
    """Scan ``data``; never raises: an unreachable or failing scanner gives status ``error``."""
    if not configured():
        return ScanResult(ScanStatus.NOT_SCANNED)
    try:
        reply = instream(data)
    except OSError as exc:
        return ScanResult(ScanStatus.ERROR, f"scanner unreachable: {exc}"[:200])
    return parse_reply(reply)


def parse_reply(reply: str) -> ScanResult:
    body = reply.split(":", 1)[1].strip() if ":" in reply else reply.strip()
    if body == "OK":
        return ScanResult(ScanStatus.CLEAN)
    if body.endswith(" FOUND"):
        return ScanResult(ScanStatus.INFECTED, body[: -len(" FOUND")].strip()[:200])
    return ScanResult(ScanStatus.ERROR, body[:200] or "empty answer from the scanner")
