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


# The eight dihedral hashes in pdqhash's order: what the picture's hash becomes when the picture
# is turned or mirrored. Index 0 is the picture as it is.
DIHEDRAL = (
    "original",
    "rotate90",  # a quarter turn anticlockwise
    "rotate180",
    "rotate270",
    "flip_vertical",  # top to bottom
    "flip_horizontal",  # left to right
    "transpose",  # along the main diagonal
    "transverse",  # along the other diagonal
)


@dataclass(frozen=True)
class Digests:
    sha256: str
    md5: str
    sha1: str = ""


@dataclass(frozen=True)
class Pdq:
    hash: str | None  # 64 hex digits, Meta's format (most significant bit first)
    quality: int | None
    note: str = ""  # why there is no hash
    dihedral: tuple[str, ...] = ()  # the eight hashes of DIHEDRAL; dihedral[0] == hash

    @property
    def dihedral_text(self) -> str:
        """The eight hashes as stored: 512 hex digits, in DIHEDRAL's order."""
        return "".join(self.dihedral)


def digests(chunks: bytes | Iterable[bytes]) -> Digests:
    """SHA-256, MD5 and SHA-1 in one pass over ``chunks`` (bytes, or an iterable of byte chunks)."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    sha1 = hashlib.sha1(usedforsecurity=False)
    if isinstance(chunks, bytes | bytearray | memoryview):
        view = memoryview(chunks)
        chunks = (view[i : i + CHUNK] for i in range(0, len(view), CHUNK))
    for chunk in chunks:
        sha.update(chunk)
        md5.update(chunk)
        sha1.update(chunk)
    return Digests(sha256=sha.hexdigest(), md5=md5.hexdigest(), sha1=sha1.hexdigest())


def pdq(data: bytes) -> Pdq:
    """The PDQ hash, quality and dihedral hashes of an image; no hash (with a note) when it cannot
    be computed."""
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
        vectors, quality = pdqhash.compute_dihedral(numpy.asarray(rgb, dtype=numpy.uint8))
    except Exception as exc:  # noqa: BLE001 - a picture we cannot decode here (HEIC) still gets stored
        log.info("no PDQ hash: %s", exc)
        return Pdq(None, None, "This image format cannot be decoded for PDQ here.")
    hashes = tuple(_hex(vector) for vector in vectors)
    return Pdq(hashes[0], int(quality), dihedral=hashes)


def _hex(vector) -> str:
    bits = "".join("1" if bit else "0" for bit in vector)
    return format(int(bits, 2), "064x")


def split_dihedral(text: str) -> list[str]:
    """The stored 512 digits back as eight 64-digit hashes (empty for files stored without them)."""
    return [text[i : i + 64] for i in range(0, len(text), 64)] if len(text) == 512 else []


def pdq_distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes in hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# Videos: key frames only (what the encoder stored whole, at scene changes and every few seconds),
# at most one a second and MAX_VIDEO_FRAMES in all, so a long video costs a bounded time.
MAX_VIDEO_FRAMES = 120


@dataclass(frozen=True)
class Frame:
    at_seconds: float
    pdq: Pdq


def video_frames(data: bytes) -> list[Frame]:
    """PDQ hashes of a video's key frames (those with a usable quality; repeats left out)."""
    import av
    import numpy
    import pdqhash

    frames: list[Frame] = []
    seen: set[str] = set()
    last = -1.0
    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                at = float(frame.time or 0.0)
                if at - last < 1.0 and frames:
                    continue
                last = at
                image = frame.to_image()
                # A picture shown in a player or a phone's viewer sits between dark bars, which
                # PDQ does not see past: the frame is hashed as it is and without its border.
                trimmed = _without_border(image)
                for part in [image] if trimmed is image else [image, trimmed]:
                    part.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE))
                    rgb = numpy.asarray(part.convert("RGB"), dtype=numpy.uint8)
                    vectors, quality = pdqhash.compute_dihedral(rgb)
                    hashes = tuple(_hex(vector) for vector in vectors)
                    if quality >= PDQ_MIN_QUALITY and hashes[0] not in seen:
                        seen.add(hashes[0])
                        frames.append(Frame(at, Pdq(hashes[0], int(quality), dihedral=hashes)))
                if len(frames) >= MAX_VIDEO_FRAMES:
                    break
    except Exception as exc:  # noqa: BLE001 - a frame the decoder gives up on ends the hashing, not the upload
        log.warning("video frames not hashed further: %s", exc)
    return frames


def _without_border(image):
    """``image`` without the even border around it (the colour of its top left corner), if any."""
    from PIL import Image, ImageChops

    rgb = image.convert("RGB")
    background = Image.new("RGB", rgb.size, rgb.getpixel((0, 0)))
    box = ImageChops.difference(rgb, background).convert("L").point(lambda v: 255 if v > 24 else 0).getbbox()
    if not box or box == (0, 0, rgb.width, rgb.height):
        return image
    if (box[2] - box[0]) * (box[3] - box[1]) < rgb.width * rgb.height // 16:
        return image  # a small thing on an empty screen: not the picture
    return rgb.crop(box)
