"""Animated pictures of a grid's frames, for slides: GIF, animated WebP or APNG.

Each frame is drawn in Python from the figure model as the PNG writer draws it (same
panels, colours, titles and colorbar), with the frame's label on a line below, and the
frames are written by Pillow into one file that loops.
"""

from __future__ import annotations

import io
import numbers
from collections.abc import Sequence

import numpy as np

from ..figure import Figure
from .png import MAX_PICTURE_PIXELS, _checked_scale, figure_scene, scene_image

__all__ = ["ANIMATED_FORMATS", "MAX_ANIMATION_PIXELS", "animation_bytes"]

#: File suffix -> Pillow format of the animated pictures.
ANIMATED_FORMATS = {".gif": "GIF", ".webp": "WEBP", ".apng": "PNG"}
#: The most device pixels all frames together may hold while being drawn (about 1 GB as
#: RGB): beyond, ask for fewer frames or a smaller scale instead of exhausting memory.
MAX_ANIMATION_PIXELS = 320_000_000


def animation_bytes(frames: Sequence[tuple[str, Figure]], suffix: str, fps: float = 5.0,
                    scale: int = 1) -> bytes:
    """The frames as one looping animated picture.

    Parameters
    ----------
    frames
        ``(label, figure)`` of each frame, in order.
    suffix
        ``".gif"``, ``".webp"`` or ``".apng"``.
    fps
        Frames per second, 0.1 .. 50.
    scale
        Device pixels per page pixel, 1 .. 16.

    Returns
    -------
    bytes
        The file's contents.
    """
    if suffix not in ANIMATED_FORMATS:
        raise ValueError(f"expected an animated picture's suffix in {sorted(ANIMATED_FORMATS)}, "
                         f"got {suffix!r}")
    # Any real number (numpy's, Fraction), not a bool.
    if isinstance(fps, (bool, np.bool_)) or not isinstance(fps, numbers.Real) or not 0.1 <= fps <= 50:
        raise ValueError(f"fps expected frames per second in 0.1..50, got {fps!r}")
    from PIL import Image

    scale = _checked_scale(scale)
    if not frames:
        raise ValueError("an animation needs frames: record() some, or assign grid.frames")
    count = len(frames)
    images = []
    for index, (label, figure) in enumerate(frames):
        scene = figure_scene(figure, scale, MAX_PICTURE_PIXELS,
                             caption=f"{label} ({index + 1} of {count})")
        if index == 0 and scene.width * scene.height * scale**2 * count > MAX_ANIMATION_PIXELS:
            raise ValueError(
                f"{count} frames of {scene.width * scale}x{scene.height * scale} px exceed "
                f"{MAX_ANIMATION_PIXELS:,} pixels in all; use fewer frames (e.g. every k-th: "
                f"grid.frames[::k]) or a smaller scale")
        image = scene_image(scene, scale, MAX_PICTURE_PIXELS)
        # GIF holds 256 colours a frame: an adaptive palette without dithering keeps each
        # cell one flat colour.
        images.append(image.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
                      if suffix == ".gif" else image)
    buffer = io.BytesIO()
    options = {"save_all": True, "append_images": images[1:], "loop": 0,
               "duration": round(1000 / fps)}
    if suffix == ".webp":
        options["lossless"] = True
    images[0].save(buffer, format=ANIMATED_FORMATS[suffix], **options)
    return buffer.getvalue()
