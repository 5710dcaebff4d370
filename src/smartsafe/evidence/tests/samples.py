"""Real sample files for the vault's tests, made here (Pillow, reportlab, zipfile)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image, ImageEnhance


def picture(seed: int = 1) -> Image.Image:
    """A textured picture (PDQ quality 100): smooth colour blocks from a seeded random grid."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).resize(
        (320, 240), Image.BILINEAR
    )


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png(seed: int = 1) -> bytes:
    return encode(picture(seed), "PNG")


def near_copy_jpeg(seed: int = 1) -> bytes:
    """The same picture slightly changed: brighter, smaller, re-encoded as a lossy JPEG."""
    image = ImageEnhance.Brightness(picture(seed)).enhance(1.08).resize((300, 225))
    return encode(image, "JPEG", quality=70)


def pdf(text: str = "Screenshot of the chat") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)  # the same bytes every time
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


WHATSAPP = (
    "12/03/2024, 21:15 - Marko: jesi li sama kod kuće?\n"
    "12/03/2024, 21:16 - Ana: zašto pitaš\n"
    "12/03/2024, 21:17 - Marko: pošalji mi sliku ili ću svima reći\n"
).encode()

TELEGRAM = (
    b'{"name": "Marko", "type": "personal_chat", "id": 1, "messages": ['
    b'{"id": 1, "type": "message", "date": "2024-03-12T21:15:00", "from": "Marko", "text": "hi"}]}'
)


def zipped(entries: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            # A fixed time stamp: the same entries give the same bytes (stable test ids under xdist).
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2024, 3, 12, 21, 15, 0)), data, compress_type=method
            )
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
SVG_SCRIPT = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
# EICAR's standard antivirus test string, assembled so this source file does not trip scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def drawing(seed: int, size=(640, 480)) -> Image.Image:
    """A drawn scene (shapes and lines from a seeded generator): what a screenshot or photo of
    objects looks like to PDQ, with no symmetry that would make its turned copies alike."""
    from PIL import ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    width, height = size
    image = Image.new("RGB", size, tuple(int(c) for c in rng.integers(0, 255, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x0, x1 = sorted(int(v) for v in rng.integers(0, width, 2))
        y0, y1 = sorted(int(v) for v in rng.integers(0, height, 2))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=int(rng.integers(3, 20)))
    return image.filter(ImageFilter.GaussianBlur(1))


# Pillow's transposition that turns a picture into each of PDQ's dihedral variants (hashing.DIHEDRAL).
DIHEDRAL_TRANSPOSE = {
    "rotate90": Image.Transpose.ROTATE_90,
    "rotate180": Image.Transpose.ROTATE_180,
    "rotate270": Image.Transpose.ROTATE_270,
    "flip_vertical": Image.Transpose.FLIP_TOP_BOTTOM,
    "flip_horizontal": Image.Transpose.FLIP_LEFT_RIGHT,
    "transpose": Image.Transpose.TRANSPOSE,
    "transverse": Image.Transpose.TRANSVERSE,
}


def video(
    pictures, *, fmt: str = "mp4", codec: str = "libx264", fps: int = 5, seconds_each: int = 2
) -> bytes:
    """A video showing each picture for ``seconds_each`` (a key frame every second), made with PyAV."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = pictures[0].size
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": str(fps)}
        for picture in pictures:
            for _ in range(fps * seconds_each):
                for packet in stream.encode(av.VideoFrame.from_image(picture.convert("RGB"))):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def screen_recording(picture: Image.Image) -> Image.Image:
    """The picture as a recording of a phone's screen shows it: letterboxed between black bars."""
    screen = Image.new("RGB", (picture.width, picture.height * 2), (0, 0, 0))
    screen.paste(picture, (0, picture.height // 2))
    return screen
