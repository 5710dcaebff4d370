"""Hash lists in the formats hotlines exchange: reading partners' lists, writing our own.

Accepted, one hash a line:

- PDQ as ThreatExchange and Hasher-Matcher-Actioner write it: a CSV with ``hash,quality,...``
  (a header line is optional; further columns are ignored), or bare 64-digit hashes;
- MD5, SHA-1 or SHA-256 digests in hex, bare or as the first CSV column.

Blank lines and lines starting with ``#`` are skipped. A list is read whole or not at all: every
bad line is reported with its number and nothing is imported, so a half-read list never passes
for a complete one. Hashes are kept in lower case, duplicates once.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import HashAlgorithm

LENGTHS = {HashAlgorithm.MD5: 32, HashAlgorithm.SHA1: 40, HashAlgorithm.SHA256: 64, HashAlgorithm.PDQ: 64}
AUTO = "auto"
MAX_REPORTED = 20  # bad lines named in the error; the count says how many more
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HEADER = re.compile(r"^\s*(hash|pdq|md5|sha1|sha-1|sha256|sha-256|signal_value|value)\b", re.IGNORECASE)


class HashListInvalid(Exception):
    """The list cannot be read; ``problems`` are (line number, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None):
        self.problems = problems or []
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


@dataclass
class ParsedList:
    algorithm: str
    hashes: dict[str, int | None] = field(default_factory=dict)  # value -> PDQ quality (or None)


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError:
        raise HashListInvalid(_("The list is not UTF-8 text.")) from None


def _guess(fields: list[list[str]]) -> str:
    """The algorithm from the digits' length; 64 digits are PDQ only with a quality column."""
    lengths = {len(row[0]) for row in fields if row[0]}
    if lengths == {32}:
        return HashAlgorithm.MD5
    if lengths == {40}:
        return HashAlgorithm.SHA1
    if lengths == {64}:
        if all(len(row) > 1 and row[1].strip().isdigit() for row in fields):
            return HashAlgorithm.PDQ
        raise HashListInvalid(_("64-digit hashes may be PDQ or SHA-256: say which the list holds."))
    raise HashListInvalid(
        _("The hashes have different lengths (%(lengths)s digits): say which kind the list holds.")
        % {"lengths": ", ".join(str(n) for n in sorted(lengths)) or "0"}
    )


def parse(data: bytes | str, algorithm: str = AUTO) -> ParsedList:
    """Read a list; raises HashListInvalid naming every bad line (by number)."""
    if algorithm != AUTO and algorithm not in LENGTHS:
        raise HashListInvalid(_("Unknown kind of hash: %(kind)s.") % {"kind": algorithm})
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(_text(data).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not rows and _HEADER.match(line) and not _HEX.match(line.split(",")[0].strip()):
            continue  # the CSV header
        rows.append((number, [part.strip() for part in line.split(",")]))
    if not rows:
        raise HashListInvalid(_("The list holds no hashes."))
    if algorithm == AUTO:
        algorithm = _guess([row for _number, row in rows])
    length = LENGTHS[algorithm]
    parsed, problems = ParsedList(algorithm=algorithm), []
    for number, row in rows:
        value = row[0]
        if not _HEX.match(value):
            problems.append((number, _("not a hexadecimal hash")))
            continue
        if len(value) != length:
            problems.append(
                (
                    number,
                    _("%(found)s digits, a %(kind)s hash has %(length)s")
                    % {"found": len(value), "kind": HashAlgorithm(algorithm).label, "length": length},
                )
            )
            continue
        quality = None
        if algorithm == HashAlgorithm.PDQ and len(row) > 1 and row[1]:
            if not row[1].isdigit() or not 0 <= int(row[1]) <= 100:
                problems.append((number, _("the quality must be a whole number from 0 to 100")))
                continue
            quality = int(row[1])
        parsed.hashes.setdefault(value.lower(), quality)
    if problems:
        named = "; ".join(
            _("line %(number)s: %(problem)s") % {"number": n, "problem": p}
            for n, p in problems[:MAX_REPORTED]
        )
        more = len(problems) - MAX_REPORTED
        if more > 0:
            named += " " + _("(and %(count)s more)") % {"count": more}
        raise HashListInvalid(
            _("The list was not imported: %(count)s bad lines. %(lines)s")
            % {"count": len(problems), "lines": named},
            problems,
        )
    return parsed


def write(algorithm: str, rows: list[tuple[str, int | None]]) -> str:
    """A list in the format ``parse`` reads: HMA's ``hash,quality`` CSV for PDQ, else one a line."""
    if algorithm == HashAlgorithm.PDQ:
        return "hash,quality\n" + "".join(f"{value},{quality or 0}\n" for value, quality in rows)
    return "".join(f"{value}\n" for value, _quality in rows)
