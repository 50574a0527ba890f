"""``PanelFeed``: new values for a grid's SVG panels in one message.

Each SVG panel is a bqplot ``GridHeatMap`` whose ``color`` bqplot sends in a message of
its own, so a full update of 10 maps was 10 messages (about 4.9x the raw float32 bytes
on the websocket) and the page kept up with 12-17 updates/s. The feed sends the whole
(N, H, W) tensor as one binary buffer with the indices of the panels that changed; its
front end (``feed.js``) sets those panels' ``color`` on their bqplot models in the page,
in the form bqplot's own deserializer gives, so bqplot redraws them as usual.

Python keeps the same values on its marks without sending them
(:func:`store_quietly`), so everything that reads a mark's state from Python (a page
reloading its models from the kernel, the offline HTML export, saved widget state) sees
the current values. The feed is never displayed and holds no state a page needs: it is
not part of the grid's view tree, so exports leave it out.
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import numpy as np
from ipywidgets import Widget, widget_serialization
from traitlets import Any as AnyTrait
from traitlets import Enum, Instance, Int, List

#: dtypes the page can read (see feed.js).
WIRE_DTYPES = ("float32", "float64")


def store_quietly(widget: Widget, name: str, value: Any) -> None:
    """Give ``widget``'s synced trait ``name`` a new value in Python without a message.

    For values the page already got another way (the feed). It skips validation and
    observers, so only use it for a value that the trait would accept unchanged and that
    nothing observes (bqplot's ``GridHeatMap.color`` has no observers).
    """
    widget._trait_values[name] = value


class PanelFeed(anywidget.AnyWidget):
    """Delivers new panel values to a grid's bqplot marks in the page, in one message.

    Not displayed; its owner calls :meth:`push` with the wire tensor (float32 or
    float64, C-contiguous, (N, H, W)) and the panels that changed.
    """

    # The module as text, read once: given a Path, anywidget connects every instance to
    # a file-change signal for hot reloading and so keeps every instance alive forever.
    _esm = (pathlib.Path(__file__).parent / "feed.js").read_text(encoding="utf-8")

    marks = List(
        Instance(Widget),
        help="The GridHeatMap of each map, in map order; values[i] goes to marks[i].",
    ).tag(sync=True, **widget_serialization)
    shape = List(Int(), help="(N, H, W) of values; [] before the first push.").tag(sync=True)
    dtype = Enum(WIRE_DTYPES, "float32", help="Element type of values.").tag(sync=True)
    # A memoryview reaches the page as one binary buffer (ipywidgets takes memoryviews
    # out of the JSON); it shares the wire array's memory, so the feed holds no copy.
    values = AnyTrait(
        None, allow_none=True,
        help="The whole tensor as little-endian bytes in C order (a memoryview), or None.",
    ).tag(sync=True)
    changed = List(Int(), help="Indices of the maps to redraw from values.").tag(sync=True)

    def push(self, wire: np.ndarray, changed: list[int]) -> None:
        """Send ``wire`` (N, H, W) and redraw panels ``changed`` in the page: one message."""
        if wire.dtype.name not in WIRE_DTYPES or wire.ndim != 3 or not wire.flags.c_contiguous:
            raise ValueError(
                f"PanelFeed.push expected a C-contiguous (N, H, W) float32/float64 array, "
                f"got {wire.dtype} {wire.shape}"
            )
        if wire.dtype.byteorder == ">":
            raise ValueError("PanelFeed.push expected little-endian values")
        with self.hold_sync():
            self.shape = list(wire.shape)
            self.dtype = wire.dtype.name
            self.changed = list(changed)
            # A new memoryview always differs from the old one unless the bytes are equal,
            # and then there is nothing to redraw.
            self.values = memoryview(wire).cast("B")
