"""A stand-in for ClamAV's clamd, for tests only.

Why a fake: the real clamd needs its signature database, which cannot be downloaded on the
machines that run these tests. This server speaks the part of the protocol the vault uses
(``zINSTREAM\\0`` / ``nINSTREAM\\n``, length-prefixed chunks, a zero-length end) and is strict
about it: every framing mistake is recorded in ``errors`` and answered with an ERROR line, so a
client bug fails the tests instead of passing unnoticed. It "finds" only the EICAR test string.
"""

from __future__ import annotations

import socketserver
import struct
import threading

EICAR_MARK = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
MAX_CHUNK = 1024 * 1024  # clamd's StreamMaxLength is larger; a well-behaved client sends small chunks


def _read_exact(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = stream.read(size - len(data))
        if not part:
            break
        data += part
    return data


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        command = b""
        while not command.endswith((b"\0", b"\n")) and len(command) < 64:
            byte = self.rfile.read(1)
            if not byte:
                break
            command += byte
        if command not in (b"zINSTREAM\0", b"nINSTREAM\n"):
            server.errors.append(f"unknown command {command!r}")
            self._answer(b"UNKNOWN COMMAND")
            return
        terminator = command[-1:]
        content = b""
        while True:
            header = _read_exact(self.rfile, 4)
            if len(header) != 4:
                server.errors.append("connection closed inside a chunk length")
                return
            (size,) = struct.unpack("!L", header)
            if size == 0:
                break
            if size > MAX_CHUNK:
                server.errors.append(f"chunk of {size} bytes exceeds {MAX_CHUNK}")
                self._answer(b"INSTREAM size limit exceeded. ERROR", terminator)
                return
            chunk = _read_exact(self.rfile, size)
            if len(chunk) != size:
                server.errors.append(f"chunk announced {size} bytes, got {len(chunk)}")
                return
            content += chunk
        server.scanned.append(content)
        found = EICAR_MARK in content
        self._answer(b"stream: Eicar-Test-Signature FOUND" if found else b"stream: OK", terminator)

    def _answer(self, line: bytes, terminator: bytes = b"\0"):
        self.wfile.write(line + terminator)


class _Mixin:
    daemon_threads = True

    def start(self):
        self.errors: list[str] = []
        self.scanned: list[bytes] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class FakeClamdTCP(_Mixin, socketserver.ThreadingTCPServer):
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)


class FakeClamdUnix(_Mixin, socketserver.ThreadingUnixStreamServer):
    def __init__(self, path: str):
        super().__init__(path, _Handler)
