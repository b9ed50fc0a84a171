"""What a GUI tool displayed: the screenshot its check saves, kept small, carried in the results.

A check program of a GUI tool (ImageJ, ITK-SNAP, dicompyler, Slicer) may save what the
tool shows as ``screenshot.png`` in its output directory. The harness keeps a copy at
most :data:`MAX_WIDTH` pixels wide inside the check's result, so a CI shard carries it
to the merged report, and the report shows a thumbnail beside the verdicts. The file is
the tool's output: it is read defensively (a regular file, not a link; a PNG; a bounded
size) and anything else is a note on the row, never a verdict.
"""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from harness.results import ScreenshotRecord

if TYPE_CHECKING:  # Pillow is imported where a screenshot is read: most runs have none
    from PIL import Image

NAME = "screenshot.png"
#: Wide enough to read a GUI's labels, small enough for a results file of many rows.
MAX_WIDTH = 640
#: The report's inline thumbnail.
THUMBNAIL_WIDTH = 240
MAX_FILE_BYTES = 32 * 1024**2
MAX_PIXELS = 40_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ScreenshotError(Exception):
    """A screenshot file that cannot be kept, and why (one line)."""


def collect(output_dir: Path) -> ScreenshotRecord | None:
    """The screenshot the check saved in ``output_dir``, scaled down; None when it saved
    none. Raises ScreenshotError for a file that is not a PNG we can keep."""
    path = output_dir / NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symbolic link (ELOOP), or unreadable
        raise ScreenshotError(f"{NAME}: not a regular file the harness can read ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ScreenshotError(f"{NAME}: not a regular file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_FILE_BYTES:
            raise ScreenshotError(f"{NAME}: {info.st_size} bytes, more than {MAX_FILE_BYTES // 1024**2} MiB")
        data = handle.read(MAX_FILE_BYTES + 1)
    return scaled(data)


def scaled(data: bytes, width: int = MAX_WIDTH) -> ScreenshotRecord:
    """A PNG of at most ``width`` pixels across from the PNG ``data``."""
    if not data.startswith(PNG_MAGIC):
        raise ScreenshotError(f"{NAME}: not a PNG file")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ScreenshotError(f"{NAME}: {image.width} x {image.height} pixels, more than a screen")
            original = (image.width, image.height)
            image.load()
            picture = _eight_bit(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ScreenshotError(f"{NAME}: unreadable PNG ({exc})") from None
    picture = _narrowed(picture, width)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return ScreenshotRecord(png_base64=base64.b64encode(out.getvalue()).decode("ascii"), width=picture.width,
                            height=picture.height, original=list(original))


def _narrowed(picture: Image.Image, width: int) -> Image.Image:
    """``picture`` at most ``width`` pixels wide, its proportions kept."""
    if picture.width <= width:
        return picture
    from PIL import Image

    return picture.resize((width, max(1, round(picture.height * width / picture.width))), Image.LANCZOS)


def _eight_bit(image: Image.Image) -> Image.Image:
    """RGB for the report. A 16-bit or float PNG (a tool that saved its data, not its
    screen) is stretched over its own range rather than clipped to white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        import numpy  # here: most runs see no screenshot, and every run would pay for numpy
        from PIL import Image

        values = numpy.asarray(image, dtype=float)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else numpy.zeros_like(values)
        return Image.fromarray(scaled.astype(numpy.uint8)).convert("RGB")
    return image.convert("RGB")


def png_bytes(record: ScreenshotRecord) -> bytes:
    return base64.b64decode(record.png_base64)


def thumbnail_data_uri(record: ScreenshotRecord, width: int = THUMBNAIL_WIDTH) -> str:
    """A small JPEG of the screenshot as a data URI: the HTML stays one file and light."""
    from PIL import Image

    with Image.open(io.BytesIO(png_bytes(record))) as image:
        picture = image.convert("RGB")
    out = io.BytesIO()
    _narrowed(picture, width).save(out, format="JPEG", quality=80, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
