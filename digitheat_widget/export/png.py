"""The PNG writer: a :class:`~digitheat_widget.figure.scene.Scene` rastered with Pillow
(a light, well-kept rasteriser with a scalable built-in font since 10.1)."""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np

from ..figure import Figure
from ..figure.layout import GAP_Y
from ..figure.colors import parse_color
from ..figure.scene import (
    BACKGROUND, TITLE_COLOR, Cells, Gradient, Line, Rect, Scene, Text, build_scene,
)

__all__ = ["figure_png", "figure_scene", "scene_image", "scene_to_png"]

_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@lru_cache(maxsize=16)
def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font only
        return ImageFont.load_default()


def _box(x0: float, y0: float, x1: float, y1: float, scale: int) -> list[int]:
    """Pixel box (inclusive, Pillow's convention) covering [x0, x1) x [y0, y1) at ``scale``,
    at least one pixel each way."""
    left, top = round(x0 * scale), round(y0 * scale)
    right = max(left + 1, round(x1 * scale))
    low = max(top + 1, round(y1 * scale))
    return [left, top, right - 1, low - 1]


def _rgb(color: str) -> tuple[int, int, int]:
    r, g, b, _ = parse_color(color)
    return r, g, b


def _checked_scale(scale: object) -> int:
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= 16:
        raise ValueError(f"scale expected an integer in 1..16, got {scale!r}")
    return int(scale)


def scene_to_png(scene: Scene, scale: int = 2, optimize: bool = True,
                 max_pixels: int | None = None) -> bytes:
    """Raster a scene with Pillow at ``scale`` device pixels per CSS pixel; ``optimize``
    spends time for a smaller file (off for the notebook's display fallback)."""
    buffer = io.BytesIO()
    scene_image(scene, scale, max_pixels).save(buffer, format="PNG", optimize=optimize)
    return buffer.getvalue()


def scene_image(scene: Scene, scale: int = 2, max_pixels: int | None = None):
    """The scene as a Pillow RGB image at ``scale`` device pixels per CSS pixel, at most
    ``max_pixels`` of them (reduced by a whole factor beyond)."""
    from PIL import Image, ImageDraw, ImageFont

    scale = _checked_scale(scale)
    image = Image.new("RGB", (scene.width * scale, scene.height * scale), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for item in scene.items:
        if isinstance(item, Cells):  # one nearest-neighbour block per panel
            rows, cols = item.colors.shape[:2]
            block = Image.fromarray(np.ascontiguousarray(item.colors), "RGB").resize(
                (cols * item.cell * scale, rows * item.cell * scale), Image.NEAREST)
            image.paste(block, (round(item.x * scale), round(item.y * scale)))
        elif isinstance(item, Rect):
            box = _box(item.x, item.y, item.x + item.w, item.y + item.h, scale)
            if item.fill is not None:
                draw.rectangle(box, fill=_rgb(item.fill))
            if item.stroke is not None:  # Pillow draws outline width inward, like ours
                draw.rectangle(box, outline=_rgb(item.stroke),
                               width=max(1, round(item.stroke_width * scale)))
        elif isinstance(item, Line):
            half = item.width / 2
            if item.x1 == item.x2:
                y0, y1 = sorted((item.y1, item.y2))
                box = _box(item.x1 - half, y0, item.x1 + half, y1, scale)
            elif item.y1 == item.y2:
                x0, x1 = sorted((item.x1, item.x2))
                box = _box(x0, item.y1 - half, x1, item.y1 + half, scale)
            else:
                raise ValueError("only horizontal and vertical lines are supported")
            draw.rectangle(box, fill=_rgb(item.color))
        elif isinstance(item, Gradient):
            left, top, right, low = _box(item.x, item.y, item.x + item.w, item.y + item.h, scale)
            h, w = low - top + 1, right - left + 1
            offsets = np.array([o for o, _ in item.stops])
            stops = np.array([_rgb(c) for _, c in item.stops], dtype=np.float64)
            if item.horizontal:  # 0 at the left, 1 at the right
                fraction = (np.arange(w) + 0.5) / w
                row = np.stack([np.interp(fraction, offsets, stops[:, c]) for c in range(3)], -1)
                strip = np.repeat(np.round(row).astype(np.uint8)[None, :, :], h, axis=0)
            else:
                fraction = 1.0 - (np.arange(h) + 0.5) / h  # 1 at the top, 0 at the bottom
                column = np.stack([np.interp(fraction, offsets, stops[:, c]) for c in range(3)],
                                  -1)
                strip = np.repeat(np.round(column).astype(np.uint8)[:, None, :], w, axis=1)
            image.paste(Image.fromarray(strip, "RGB"), (left, top))
        elif isinstance(item, Text):
            if not item.text:
                continue
            font = _font(round(item.size * scale))
            x, y = item.x * scale, item.y * scale
            fill = _rgb(item.color)
            bold = {"stroke_width": 1, "stroke_fill": fill} if item.bold else {}
            if isinstance(font, ImageFont.FreeTypeFont):
                draw.text((x, y), item.text, fill=fill, font=font,
                          anchor=_ANCHORS[item.anchor], **bold)
            else:  # bitmap font: no anchors, place its box by hand
                x0, y0, x1, y1 = draw.textbbox((0, 0), item.text, font=font)
                shift = {"start": 0, "middle": (x1 - x0) / 2, "end": x1 - x0}[item.anchor]
                draw.text((x - shift, y - y1), item.text, fill=fill, font=font, **bold)
    if max_pixels and image.width * image.height > max_pixels:  # cells of one pixel still
        image = image.reduce(math.ceil((image.width * image.height / max_pixels) ** 0.5))
    return image


#: Largest picture drawn, in device pixels: about what a slide or a page can show. A
#: taller grid is drawn with its first panels only, and a line saying how many follow;
#: a single row too large is drawn with smaller cells (1000 maps of 28x28 made a 4.9 MB
#: PNG that took 11 s, one 3000x3000 map 3.9 GB).
MAX_PICTURE_PIXELS = 16_000_000
#: The same bound for the picture that goes into a notebook's output beside the live
#: view (shown where the widget cannot be): smaller, it is made at every display.
MAX_DISPLAY_PIXELS = 4_000_000
#: Room for that line below the panels, px.
NOTE_HEIGHT = 24


def figure_png(figure: Figure, scale: int = 2, optimize: bool = True,
               max_pixels: int = MAX_PICTURE_PIXELS) -> bytes:
    """The figure as PNG bytes, ``scale`` times the page's pixel size (for crisp text on
    slides and in PDFs); at most ``max_pixels`` device pixels (see MAX_PICTURE_PIXELS)."""
    return scene_to_png(figure_scene(figure, scale, max_pixels), scale, optimize, max_pixels)


def figure_scene(figure: Figure, scale: int = 2, max_pixels: int = MAX_PICTURE_PIXELS,
                 caption: str | None = None) -> Scene:
    """The figure's scene for a raster picture of at most ``max_pixels`` at ``scale``:
    as many panels as fit (and a line saying how many follow), then ``caption`` (an
    animation's frame label) on a line of its own."""
    scale = _checked_scale(scale)
    count = figure.shape[0]
    shown = _panels_that_fit(figure, scale, max_pixels)
    picture = figure.head(shown)
    g = picture.geometry
    area = (g.grid_width + 200) * g.grid_height * scale**2
    if area > max_pixels:  # even one row of panels is too large: smaller cells
        picture = picture.with_cell(max(1, int(g.cell * (max_pixels / area) ** 0.5)))
    scene = build_scene(picture, raster=True)
    if shown < count:
        note = Text(4, scene.height + NOTE_HEIGHT - 8,
                    f"... and {count - shown:,} more panels (of {count:,}): the live grid and "
                    f"its HTML export show them all", 13, TITLE_COLOR, role="note")
        scene = Scene(width=scene.width, height=scene.height + NOTE_HEIGHT,
                      items=(*scene.items, note), description=scene.description)
    if caption is not None:
        line = Text(4, scene.height + NOTE_HEIGHT - 8, caption, 13, TITLE_COLOR,
                    role="caption")
        scene = Scene(width=scene.width, height=scene.height + NOTE_HEIGHT,
                      items=(*scene.items, line), description=scene.description)
    return scene


def _panels_that_fit(figure: Figure, scale: int, max_pixels: int) -> int:
    g = figure.geometry
    width = (g.grid_width + 200) * scale  # with the colorbar
    row_height = (g.panel_height + GAP_Y) * scale
    rows = max(1, int((max_pixels / width - NOTE_HEIGHT * scale) // row_height))
    return min(figure.shape[0], rows * g.columns)
