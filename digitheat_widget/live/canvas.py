"""The canvas renderer: the whole grid of panels drawn on one ``<canvas>`` (``canvas.js``).

bqplot's GridHeatMap writes one SVG element per cell, which stops being usable near
100 maps of 28x28 (78,400 cells: about 4 s to first paint, 1.2 s per update). This view
paints each cell's colour in the page, one pixel per cell, scaled up without smoothing,
so a full update or a change of colour limits is one repaint.

It is a drawing layer only, like the bqplot panels: it draws the figure's geometry
(``geometry``, :meth:`Figure.page_layout`), and the grid's controller sets the values,
limits, colours, highlight and selection on its model in the page. Python sets the
geometry (when the shape, columns, cell size or labels change) and the first values
of the rest, so a page that draws before the controller has run is already right.
Its clicks are caught in the page by the controller.
"""

from __future__ import annotations

from typing import Any

import anywidget
from ipywidgets import Layout
from traitlets import Dict, Float, Int, List, Unicode

from ..figure import Figure
from . import module_text


class CanvasGrid(anywidget.AnyWidget):
    """A grid's panels on one canvas; see the module docstring.

    Parameters
    ----------
    figure
        What to draw first.
    """

    # The module as text, read once: given a Path, anywidget connects every instance to
    # a file-change signal for hot reloading and so keeps every instance alive forever.
    _esm = module_text("canvas")

    geometry = Dict(help="Figure.page_layout(): sizes, ticks and titles.").tag(sync=True)
    vmin = Float(0.0, help="Value drawn in the first colour stop.").tag(sync=True)
    vmax = Float(1.0, help="Value drawn in the last colour stop.").tag(sync=True)
    stops = List(Unicode(), help="'#rrggbb' stops spread evenly from vmin to vmax.").tag(sync=True)
    nan_color = Unicode(help="Colour of NaN cells, 'rgba(r, g, b, a)'.").tag(sync=True)
    highlighted = List(Int(), help="Highlighted panel indices.").tag(sync=True)
    selected = List(Int(), help="[digit, row, column] of the marked cell, or [].").tag(sync=True)
    panel_limits = List(help="Per-panel limits: each panel's [low, high] (its first and last "
                        "colour stop, its scale strip); [] with one shared scale (vmin, vmax)."
                        ).tag(sync=True)
    value_format = Unicode(".4f", help="d3-format of hover values ('.Nf' or '.Ne').").tag(
        sync=True)

    def __init__(self, figure: Figure, **kwargs: Any) -> None:
        low, high = figure.limits
        # No widget margin, so the colorbar beside the canvas lines up to the pixel.
        kwargs.setdefault("layout", Layout(margin="0px", padding="0px"))
        super().__init__(
            geometry=figure.page_layout(), vmin=low, vmax=high, stops=list(figure.stops),
            nan_color=figure.page_nan_color(), highlighted=list(figure.highlighted),
            selected=list(figure.selected or []), value_format=figure.value_format,
            panel_limits=[list(pair) for pair in figure.panel_limits or ()], **kwargs,
        )
