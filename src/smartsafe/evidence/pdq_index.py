"""Finding PDQ hashes within a Hamming distance without comparing against every stored one.

A multi-index hash (Norouzi, Punjani and Fleet): each 256-bit hash is cut into 16 chunks of 16
bits. Two hashes at most 31 bits apart differ in at most one bit in at least one chunk (sixteen
chunks with two or more differing bits would make 32), so every match is found by looking up,
for each chunk of the query, the buckets of that chunk value and of its 16 one-bit neighbours.
The few hundred candidates found that way are then compared exactly. The result is the same as
comparing against every hash, only without reading them all.

The buckets are static arrays (a counting sort per chunk); hashes added since the last build sit
in a small tail that is compared in full, and the structure is rebuilt when the tail grows.
Everything is numpy: a lookup at a million hashes is a few dozen array operations.

The index holds one hash per stored picture (its PDQ hash as computed on arrival). Rotated and
mirrored copies are found from the query side: a lookup takes all eight dihedral hashes of the
new picture, and the smallest distance over them is the match distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNKS = 16
CHUNK_BITS = 16
MAX_DISTANCE = 2 * CHUNKS - 1  # the pigeonhole argument above holds up to 31 bits
TAIL_LIMIT = 20_000
_FLIPS = np.concatenate([[0], 1 << np.arange(CHUNK_BITS)]).astype(np.uint32)


def hex_to_words(hashes: list[str]) -> np.ndarray:
    """64-digit hex hashes as an (n, 4) array of uint64, most significant word first."""
    if not hashes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = np.frombuffer(bytes.fromhex("".join(hashes)), dtype=">u8").reshape(-1, 4)
    return raw.astype(np.uint64)


def _chunks(words: np.ndarray) -> np.ndarray:
    """(n, 4) uint64 words as (n, 16) chunk values (uint32 holding 16 bits each)."""
    shifts = np.array([48, 32, 16, 0], dtype=np.uint64)
    parts = (words[:, :, None] >> shifts[None, None, :]) & np.uint64(0xFFFF)
    return parts.reshape(len(words), CHUNKS).astype(np.uint32)


def distances(queries: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Hamming distances, shape (len(rows), len(queries))."""
    return np.bitwise_count(rows[:, None, :] ^ queries[None, :, :]).sum(axis=2, dtype=np.int32)


@dataclass(frozen=True)
class Hit:
    key: int  # what the caller stored with the hash (a file's or a list entry's id)
    distance: int
    variant: int  # which of the query hashes came closest (0 = the hash as given)


class PdqIndex:
    """Keys with one PDQ hash each; ``search`` finds every key within a distance of any query."""

    def __init__(self, tail_limit: int = TAIL_LIMIT) -> None:
        self.tail_limit = tail_limit
        self._keys = np.zeros(0, dtype=np.int64)
        self._words = np.zeros((0, 4), dtype=np.uint64)
        self._members = np.zeros(0, dtype=np.int32)  # row numbers, grouped by (chunk, value)
        self._starts = np.zeros((CHUNKS, (1 << CHUNK_BITS) + 1), dtype=np.int64)
        self._built = 0  # rows covered by the buckets; the rest is the tail

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, keys, words: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        if not len(keys):
            return
        self._keys = np.concatenate([self._keys, keys])
        self._words = np.concatenate([self._words, words.astype(np.uint64)])
        if len(self._keys) - self._built > self.tail_limit:
            self._build()

    def add_hex(self, keys, hashes: list[str]) -> None:
        self.add(keys, hex_to_words(hashes))

    def _build(self) -> None:
        chunks = _chunks(self._words)  # (n, 16)
        n = len(chunks)
        members = np.empty(CHUNKS * n, dtype=np.int32)
        starts = np.empty((CHUNKS, (1 << CHUNK_BITS) + 1), dtype=np.int64)
        for c in range(CHUNKS):
            column = chunks[:, c]
            members[c * n : (c + 1) * n] = np.argsort(column, kind="stable")
            counts = np.bincount(column, minlength=1 << CHUNK_BITS)
            starts[c, 0] = c * n
            np.cumsum(counts, out=starts[c, 1:])
            starts[c, 1:] += c * n
        self._members, self._starts, self._built = members, starts, n

    def search(self, queries: np.ndarray, max_distance: int) -> list[Hit]:
        """Every key whose hash is within ``max_distance`` of one of ``queries`` ((q, 4) uint64)."""
        if not 0 <= max_distance <= MAX_DISTANCE:
            raise ValueError(f"The index answers distances up to {MAX_DISTANCE} bits.")
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1, 4)
        if not len(self._keys) or not len(queries):
            return []
        rows, query_of_row = self._candidates(queries)
        if not len(rows):
            return []
        found = _row_distances(self._words[rows], queries[query_of_row])
        keep = found <= max_distance
        return _best_per_key(self._keys[rows[keep]], found[keep], query_of_row[keep])

    def _candidates(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, query) pairs that may lie within MAX_DISTANCE: bucket neighbours, then the tail."""
        tail = np.arange(self._built, len(self._keys), dtype=np.int64)
        q = len(queries)
        rows = [np.tile(tail, q)]
        query_of_row = [np.repeat(np.arange(q), len(tail))]
        if self._built:
            probes = _chunks(queries)[:, :, None] ^ _FLIPS[None, None, :]  # (q, 16, 17)
            chunk_no = np.broadcast_to(np.arange(CHUNKS)[None, :, None], probes.shape).ravel()
            probes = probes.ravel()
            lo = self._starts[chunk_no, probes]
            lengths = self._starts[chunk_no, probes + 1] - lo
            total = int(lengths.sum())
            if total:
                # Concatenate the ranges [lo, lo + length) without a Python loop.
                offsets = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
                rows.append(self._members[offsets + np.arange(total, dtype=np.int64)].astype(np.int64))
                per_query = lengths.reshape(q, -1).sum(axis=1)
                query_of_row.append(np.repeat(np.arange(q), per_query))
        return np.concatenate(rows), np.concatenate(query_of_row)


def _row_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distance of each row of ``a`` to the same row of ``b`` ((n, 4) uint64 each)."""
    bits = np.bitwise_count(a ^ b)
    return bits[:, 0].astype(np.int32) + bits[:, 1] + bits[:, 2] + bits[:, 3]


def _best_per_key(keys: np.ndarray, found: np.ndarray, variant: np.ndarray) -> list[Hit]:
    """One hit per key: the smallest distance (and, among equals, the first query hash)."""
    order = np.lexsort((variant, found, keys))
    keys, found, variant = keys[order], found[order], variant[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return [
        Hit(int(k), int(d), int(v)) for k, d, v in zip(keys[first], found[first], variant[first], strict=True)
    ]


def exact_scan(keys, words: np.ndarray, queries: np.ndarray, max_distance: int) -> list[Hit]:
    """The reference answer: every stored hash compared with every query (what the index avoids)."""
    keys = np.asarray(keys, dtype=np.int64)
    if not len(keys) or not len(queries):
        return []
    found = distances(np.asarray(queries, dtype=np.uint64).reshape(-1, 4), words.astype(np.uint64))
    best, variant = found.min(axis=1), found.argmin(axis=1)  # argmin: the first of equals
    keep = best <= max_distance
    return _best_per_key(keys[keep], best[keep], variant[keep])
