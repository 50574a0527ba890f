"""The one SVG writer: a :class:`~digitheat_widget.figure.scene.Scene` as SVG markup.

Used for ``grid.to_svg()`` / ``save("x.svg")`` (a standalone document) and for the static
picture an exported page paints first (inline markup). Compact: lines of one colour share
one ``<path>``, texts of one style share one ``<g>``, and each panel's cells are in a
``<g class="dhs-p{i}">`` in data order (row by row). Every shape keeps its presentation
attributes inline, so the picture also shows where a page's ``<style>`` and ``<script>``
elements are stripped.

Text is escaped (``&``, ``<``, ``>``) and attribute values quoted, so a label such as
``</script><script>...`` stays text; the scene already replaced characters XML cannot hold.
"""

from __future__ import annotations

import hashlib
from itertools import groupby
from xml.sax.saxutils import escape, quoteattr

from ..figure import Figure
from ..figure.scene import Gradient, Line, Rect, Scene, Text, build_scene

__all__ = ["figure_svg", "scene_markup", "scene_to_svg", "static_svg"]

FONT_FAMILY = "sans-serif"


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(**attrs: object) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        text = _num(value) if isinstance(value, (int, float)) else str(value)
        parts.append(f"{name.rstrip('_').replace('_', '-')}={quoteattr(text)}")
    return " ".join(parts)


#: Classes that say which theme colour an ink stands for, so a page (export/html.py's
#: stylesheet) can recolour the picture for a dark theme; a file keeps its light colours.
INK_CLASS = {"title": "dhs-title", "axis": "dhs-axis", "tick": "dhs-axis",
             "tick-label": "dhs-tick", "colorbar-label": "dhs-tick"}


def _rect(item: Rect) -> str:
    """One ``<rect>``; a stroke is drawn inside the box (SVG centres it on the edge, so the
    rectangle is inset by half the stroke). Cells go without their class (their group
    says which panel): 420 fewer attributes."""
    role = item.role if item.role and item.role != "cell" else None
    if item.stroke is None:
        return f"<rect {_attrs(class_=role, x=item.x, y=item.y, width=item.w, height=item.h, fill=item.fill)}/>"
    half = item.stroke_width / 2
    return (f"<rect {_attrs(class_=role, x=item.x + half, y=item.y + half, width=item.w - item.stroke_width, height=item.h - item.stroke_width, fill=item.fill or 'none', stroke=item.stroke, stroke_width=item.stroke_width)}/>")


def _lines(lines: list[Line]) -> str:
    """Lines of one colour and width as one path (each segment centred like a <line>)."""
    segments = []
    for line in lines:
        start = f"M{_num(line.x1)} {_num(line.y1)}"
        if line.x1 == line.x2:
            segments.append(f"{start}V{_num(line.y2)}")
        elif line.y1 == line.y2:
            segments.append(f"{start}H{_num(line.x2)}")
        else:
            segments.append(f"{start}L{_num(line.x2)} {_num(line.y2)}")
    first = lines[0]
    return (f"<path {_attrs(class_=INK_CLASS.get(first.role), d=''.join(segments), fill='none', stroke=first.color, stroke_width=first.width)}/>")


def _texts(texts: list[Text]) -> str:
    """Texts of one size, colour, anchor and weight in one group."""
    first = texts[0]
    group = _attrs(class_=INK_CLASS.get(first.role), font_size=first.size, fill=first.color,
                   text_anchor=None if first.anchor == "start" else first.anchor,
                   font_weight="bold" if first.bold else None)
    body = "".join(f"<text {_attrs(x=t.x, y=t.y)}>{escape(t.text)}</text>" for t in texts)
    return f"<g {group}>{body}</g>"


def _gradient(item: Gradient) -> str:
    stops = "".join(f"<stop {_attrs(offset=o, stop_color=c)}/>" for o, c in item.stops)
    # Ids are page-wide: pictures pasted into one page share an id only if their
    # gradients are the same.
    ends = 'x1="0" y1="0" x2="1" y2="0"' if item.horizontal else 'x1="0" y1="1" x2="0" y2="0"'
    gid = ("dhs-gradient-" + ("h" if item.horizontal else "")
           + hashlib.sha1(stops.encode()).hexdigest()[:12])
    return (f'<defs><linearGradient id="{gid}" {ends}>{stops}'
            f"</linearGradient></defs>"
            f"<rect {_attrs(x=item.x, y=item.y, width=item.w, height=item.h)} "
            f'fill="url(#{gid})"/>')


def scene_markup(scene: Scene) -> str:
    """A scene as one inline ``<svg>`` element (no XML declaration).

    Rectangles and the gradient keep their painting order; lines and texts (axes,
    ticks, titles, labels), which in a grid's scene overlap no shape drawn after them
    (highlight outlines lie in the panels' margins' outer 3 px), come last, merged by
    style.
    """
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" '
           f'{_attrs(width=scene.width, height=scene.height)} '
           f'viewBox="0 0 {scene.width} {scene.height}" role="img" '
           f'{_attrs(font_family=FONT_FAMILY, shape_rendering="crispEdges")}>']
    if scene.description:  # the text alternative: read as the picture's name
        out.append(f"<title>{escape(scene.description)}</title>")
    lines: dict[tuple[str, float, str | None], list[Line]] = {}
    texts: dict[tuple[float, str, str, bool, str | None], list[Text]] = {}
    panels = 0
    is_cell = lambda item: isinstance(item, Rect) and item.role == "cell"  # noqa: E731
    for cell_run, run in groupby(scene.items, key=is_cell):
        if cell_run:
            out.append(f'<g class="dhs-p{panels}">' + "".join(map(_rect, run)) + "</g>")
            panels += 1
            continue
        for item in run:
            if isinstance(item, Line):
                lines.setdefault((item.color, item.width, INK_CLASS.get(item.role)), []).append(item)
            elif isinstance(item, Text):
                texts.setdefault((item.size, item.color, item.anchor, item.bold,
                                  INK_CLASS.get(item.role)), []).append(item)
            else:
                out.append(_single(item))
    out += [_lines(group) for group in lines.values()]
    out += [_texts(group) for group in texts.values()]
    out.append("</svg>")
    return "".join(out)


def _single(item: object) -> str:
    if isinstance(item, Rect):
        return _rect(item)
    if isinstance(item, Gradient):
        return _gradient(item)
    raise TypeError(f"unexpected scene item {item!r}")  # pragma: no cover


def scene_to_svg(scene: Scene) -> str:
    """A scene as a standalone SVG document."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + scene_markup(scene) + "\n"


def figure_svg(figure: Figure) -> str:
    """The figure as a standalone SVG document (a string), the size of the page's figure."""
    return scene_to_svg(build_scene(figure))


def static_svg(figure: Figure) -> str:
    """The figure as inline SVG markup for an HTML page: one ``<svg>`` element, the size
    of the live figure (plus the few pixels the colorbar's labels overflow it by)."""
    return scene_markup(build_scene(figure))
