"""Fingerprints of evidence: SHA-256 (identity), MD5 (what hotlines exchange) and PDQ (images).

PDQ is Meta's perceptual hash (open source, used by hotlines and platforms): two images whose
256-bit hashes differ in at most 31 bits are treated as the same picture (re-encoded, resized,
slightly edited). Its quality score (0–100) says how much structure the image has; hashes of
near-uniform images (quality under 50) match almost anything and are not used for matching.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger("smartsafe.evidence")

CHUNK = 1024 * 1024
PDQ_MATCH_DISTANCE = 31
PDQ_MIN_QUALITY = 50
# The reference hasher downsamples large images first; PDQ's own 64x64 reduction makes the
# result practically the same, at a fraction of the memory.
PDQ_MAX_SIDE = 512


@dataclass(frozen=True)
class Digests:
    sha256: str
    md5: str


@dataclass(frozen=True)
class Pdq:
    hash: str | None  # 64 hex digits, Meta's format (most significant bit first)
    quality: int | None
    note: str = ""  # why there is no hash


def digests(chunks: bytes | Iterable[bytes]) -> Digests:
    """SHA-256 and MD5 in one pass over ``chunks`` (bytes, or an iterable of byte chunks)."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    if isinstance(chunks, bytes | bytearray | memoryview):
        view = memoryview(chunks)
        chunks = (view[i : i + CHUNK] for i in range(0, len(view), CHUNK))
    for chunk in chunks:
        sha.update(chunk)
        md5.update(chunk)
    return Digests(sha256=sha.hexdigest(), md5=md5.hexdigest())


def pdq(data: bytes) -> Pdq:
    """The PDQ hash and quality of an image; no hash (with a note) when it cannot be computed."""
    try:
        import numpy
        import pdqhash
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - both are dependencies; say so if one is missing
        return Pdq(None, None, f"PDQ unavailable: {exc.name} is not installed")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PDQ_MAX_SIDE, PDQ_MAX_SIDE))  # JPEG decodes at a smaller scale directly
            image.seek(0)
            rgb = image.convert("RGB")
        rgb.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE))
        vector, quality = pdqhash.compute(numpy.asarray(rgb, dtype=numpy.uint8))
    except Exception as exc:  # noqa: BLE001 - a picture we cannot decode here (HEIC) still gets stored
        log.info("no PDQ hash: %s", exc)
        return Pdq(None, None, "This image format cannot be decoded for PDQ here.")
    bits = "".join("1" if bit else "0" for bit in vector)
    return Pdq(format(int(bits, 2), "064x"), int(quality))


def pdq_distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes in hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
