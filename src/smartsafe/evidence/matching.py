"""Matching a file against the vault (duplicates) and against partners' hash lists (known content).

Two in-memory PDQ indexes per process (pdq_index.PdqIndex), both rebuilt from the database and
never trusted beyond it:

- the **vault index** holds the PDQ hash of every stored picture. Before each lookup it reads the
  rows added since its last look (by id), and looks again for ids it saw missing — a row whose
  transaction committed after a later one — for ``GAP_TTL``; ids still missing after that were
  rolled back. Duplicates are matched by the worker (task ``match_file``, queued when a file is
  stored, and the periodic ``link-evidence-duplicates`` for any file not yet compared), so the
  upload never waits for it. Of two files stored at the same time, whichever is compared second
  sees the other: each pair is found at least once and recorded once.
- the **list index** holds the PDQ hashes of the lists in force. Each lookup first asks the
  database (one small query) whether a list changed and rebuilds when one did.

Matching uses all eight dihedral hashes of the new picture, so a turned or mirrored copy is
found like the picture itself; stored pictures need only their own hash in the index.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q

from . import hashing
from .models import (
    DuplicateMatch,
    EvidenceFile,
    EvidenceKind,
    HashAlgorithm,
    KnownHash,
    KnownHashList,
    VideoFrameHash,
)
from .pdq_index import Hit, PdqIndex, hex_to_words

GAP_TTL = dt.timedelta(minutes=30)  # longer than any transaction that stores a file
GAP_WATCH = 1000  # missing ids watched below each row read
_BATCH = 50_000


def query_hashes(file: EvidenceFile) -> np.ndarray | None:
    """The hashes to look up for ``file``: its eight dihedral hashes (or its one hash, for files
    stored before they were kept), for a video those of each key frame; None when it has none."""
    if file.kind == EvidenceKind.VIDEO:
        hashes = [
            h
            for dihedral, value in VideoFrameHash.objects.filter(file=file).values_list(
                "pdq_dihedral", "pdq_hash"
            )
            for h in (hashing.split_dihedral(dihedral) or [value])
        ]
        return hex_to_words(hashes) if hashes else None
    if not file.pdq_hash or (file.pdq_quality or 0) < hashing.PDQ_MIN_QUALITY:
        return None
    return hex_to_words(hashing.split_dihedral(file.pdq_dihedral) or [file.pdq_hash])


def stored_hashes(pks) -> dict[int, list[str]]:
    """The hashes the index holds for each file: a picture's own, or each key frame's of a video."""
    found: dict[int, list[str]] = {}
    for pk, value in EvidenceFile.objects.filter(pk__in=pks, pdq_hash__isnull=False).values_list(
        "pk", "pdq_hash"
    ):
        found.setdefault(pk, []).append(value)
    for pk, value in VideoFrameHash.objects.filter(file_id__in=pks).values_list("file_id", "pdq_hash"):
        found.setdefault(pk, []).append(value)
    return found


class VaultIndex:
    """The PDQ hashes of the vault's pictures, kept current from the database by id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.index = PdqIndex()
        self.max_id = 0
        self.gaps: dict[int, float] = {}  # id -> when it was first seen missing (monotonic)

    def refresh(self) -> None:
        with self._lock:
            self._load_newer()
            self._load_gaps()

    def _add(self, rows) -> None:
        usable = [
            (pk, value)
            for pk, value, quality, _kind in rows
            if value and (quality or 0) >= hashing.PDQ_MIN_QUALITY
        ]
        videos = [pk for pk, _value, _quality, kind in rows if kind == EvidenceKind.VIDEO]
        if videos:  # a video's key frames, written in the same transaction as its row
            usable += VideoFrameHash.objects.filter(file_id__in=videos).values_list("file_id", "pdq_hash")
        if usable:
            self.index.add_hex([pk for pk, _ in usable], [value for _, value in usable])

    def _load_newer(self) -> None:
        while True:
            rows = list(
                EvidenceFile.objects.filter(pk__gt=self.max_id)
                .order_by("pk")
                .values_list("pk", "pdq_hash", "pdq_quality", "kind")[:_BATCH]
            )
            if not rows:
                # The rows seen last may have been rolled back with the database itself (a
                # restored backup, a test): then start again.
                if self.max_id and (EvidenceFile.objects.aggregate(top=Max("pk"))["top"] or 0) < self.max_id:
                    self.reset()
                    continue
                return
            now, expected = time.monotonic(), self.max_id + 1
            for pk, *_fields in rows:
                # Uncommitted rows hold the ids just below those committed around them (there are
                # never more of them than concurrent writers); a longer run of missing ids is a
                # jump of the sequence, whose start needs no watching.
                for missing in range(max(expected, pk - GAP_WATCH), pk):
                    self.gaps[missing] = now
                expected = pk + 1
            self._add(rows)
            self.max_id = rows[-1][0]
            if len(rows) < _BATCH:
                return

    def _load_gaps(self) -> None:
        if not self.gaps:
            return
        rows = list(
            EvidenceFile.objects.filter(pk__in=list(self.gaps)).values_list(
                "pk", "pdq_hash", "pdq_quality", "kind"
            )
        )
        for pk, *_fields in rows:
            del self.gaps[pk]
        self._add(rows)
        expired = time.monotonic() - GAP_TTL.total_seconds()
        self.gaps = {pk: seen for pk, seen in self.gaps.items() if seen > expired}

    def search(self, queries: np.ndarray, max_distance: int = hashing.PDQ_MATCH_DISTANCE) -> list[Hit]:
        self.refresh()
        return self.index.search(queries, max_distance)


class ListIndex:
    """The PDQ hashes of the hash lists in force, rebuilt whenever a list changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = None
        self.index = PdqIndex()
        self.values: list[tuple[int, str]] = []  # index key -> (list id, hash)

    @staticmethod
    def version():
        active = Count("pk", filter=Q(status=KnownHashList.Status.ACTIVE))
        found = KnownHashList.objects.aggregate(changed=Max("changed_at"), lists=Count("pk"), active=active)
        return found["changed"], found["lists"], found["active"]

    def refresh(self) -> bool:
        """Bring the index up to date; False when no list is in force (nothing to match against)."""
        version = self.version()
        with self._lock:
            if version == self._version:
                return bool(version[2])
            rows = list(
                KnownHash.objects.filter(
                    algorithm=HashAlgorithm.PDQ, hash_list__status=KnownHashList.Status.ACTIVE
                )
                .exclude(quality__lt=hashing.PDQ_MIN_QUALITY)
                .values_list("hash_list_id", "value")
            )
            index = PdqIndex()
            index.add_hex(range(len(rows)), [value for _list, value in rows])
            self.index, self.values, self._version = index, rows, version
            return bool(version[2])

    def search(self, queries: np.ndarray) -> list[tuple[int, str, Hit]]:
        """(list id, hash, hit) for each list hash near ``queries``; call ``refresh`` first."""
        return [
            (*self.values[hit.key], hit) for hit in self.index.search(queries, hashing.PDQ_MATCH_DISTANCE)
        ]


vault_index = VaultIndex()
list_index = ListIndex()


@dataclass(frozen=True)
class ListMatch:
    hash_list_id: int
    method: str
    value: str
    distance: int = 0
    variant: int = 0


def duplicates_of(file: EvidenceFile) -> dict[int, tuple[str, int, int]]:
    """Other files with the same bytes or a near-identical (possibly turned) picture.

    ``{file id: (method, distance, variant)}``; the same SHA-256 wins over a PDQ match.
    """
    found = {}
    queries = query_hashes(file)
    hits = {hit.key: hit for hit in vault_index.search(queries)} if queries is not None else {}
    hits.pop(file.pk, None)
    # The index finds; the database decides: each hit is checked against the stored hash.
    query_hex = _hex_rows(queries) if queries is not None else []
    for pk, values in stored_hashes(list(hits)).items():
        distances = [min(hashing.pdq_distance(q, v) for v in values) for q in query_hex]
        best = min(distances)
        if best <= hashing.PDQ_MATCH_DISTANCE:
            # For a video the query holds eight hashes per key frame: the variant is the position
            # among the eight.
            found[pk] = (DuplicateMatch.Method.PDQ, best, distances.index(best) % len(hashing.DIHEDRAL))
    same = EvidenceFile.objects.filter(sha256=file.sha256).exclude(pk=file.pk).values_list("pk", flat=True)
    found.update({pk: (DuplicateMatch.Method.SHA256, 0, 0) for pk in same})
    return found


def _hex_rows(words: np.ndarray) -> list[str]:
    return [words[i].astype(">u8").tobytes().hex() for i in range(len(words))]


def known_content_of(file: EvidenceFile) -> list[ListMatch]:
    """The lists in force that hold ``file``: by digest, or by PDQ within the threshold (one match
    per list, the closest)."""
    if not list_index.refresh():
        return []  # no list in force: one query per file, nothing more
    digests = {HashAlgorithm.MD5: file.md5, HashAlgorithm.SHA1: file.sha1, HashAlgorithm.SHA256: file.sha256}
    matches: dict[int, ListMatch] = {}
    exact = KnownHash.objects.filter(
        hash_list__status=KnownHashList.Status.ACTIVE,
        algorithm__in=[a for a, v in digests.items() if v],
        value__in=[v for v in digests.values() if v],
    ).values_list("hash_list_id", "algorithm", "value")
    for list_id, algorithm, value in exact:
        if digests.get(algorithm) == value:
            matches.setdefault(list_id, ListMatch(list_id, algorithm, value))
    queries = query_hashes(file)
    if queries is not None:
        for list_id, value, hit in sorted(list_index.search(queries), key=lambda m: m[2].distance):
            variant = hit.variant % len(hashing.DIHEDRAL)  # a video's queries: 8 per key frame
            matches.setdefault(list_id, ListMatch(list_id, HashAlgorithm.PDQ, value, hit.distance, variant))
    return list(matches.values())
