"""``PanelFeed``: new values for a grid's SVG panels in one message.

Each SVG panel is a bqplot ``GridHeatMap`` whose ``color`` bqplot sends in a message of
its own, so a full update of 10 maps was 10 messages (about 4.9x the raw float32 bytes
on the websocket) and the page kept up with 12-17 updates/s. The feed sends the changed
maps as one binary buffer with their indices; its front end (``feed.js``) sets those
panels' ``color`` on their bqplot models in the page, in the form bqplot's own
deserializer gives, so bqplot redraws them as usual.

Python keeps the same values on its marks without sending them
(:func:`store_quietly`), so everything that reads a mark's state from Python (a page
reloading its models from the kernel, the offline HTML export) sees the current values,
and the page's marks hold them for saved widget state. The feed is never displayed: it
is not part of the grid's view tree, so exports leave it out.

A page that creates the feed after updates were sent (its module loads while messages
arrive) may have missed some; it asks for a resync and gets every map once.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import numpy as np
from ipywidgets import CallbackDispatcher, Widget, widget_serialization
from traitlets import Dict, Instance, List

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

    Not displayed. Its owner calls :meth:`push` with the changed maps and registers
    :meth:`on_resync` to send every map when a page asks for them.
    """

    # The module as text, read once: given a Path, anywidget connects every instance to
    # a file-change signal for hot reloading and so keeps every instance alive forever.
    _esm = (pathlib.Path(__file__).parent / "feed.js").read_text(encoding="utf-8")

    marks = List(
        Instance(Widget),
        help="The GridHeatMap of each map, in map order.",
    ).tag(sync=True, **widget_serialization)
    # One trait for everything an update needs, so each update is one self-describing
    # message. Its "values" is a memoryview: ipywidgets takes it out of the JSON as one
    # binary buffer without copying it.
    frame = Dict(
        help="The last update: {'changed': [map indices], 'shape': [len(changed), H, W], "
        "'dtype': 'float32' | 'float64', 'values': those maps as little-endian bytes in C "
        "order, the j-th for marks[changed[j]]}; {} before the first.",
    ).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._resync_handlers = CallbackDispatcher()
        self.on_msg(self._handle_message)

    def push(self, values: np.ndarray, changed: Sequence[int]) -> None:
        """Send maps ``values`` (k, H, W) for marks ``changed`` (k indices): one message."""
        if (values.dtype.name not in WIRE_DTYPES or values.dtype.byteorder == ">"
                or values.ndim != 3 or not values.flags.c_contiguous
                or values.shape[0] != len(changed)):
            raise ValueError(
                f"PanelFeed.push expected a C-contiguous little-endian float32 or float64 "
                f"array of shape ({len(changed)}, H, W), got {values.dtype.str} {values.shape}"
            )
        frame = {"changed": [int(i) for i in changed], "shape": list(values.shape),
                 "dtype": values.dtype.name, "values": memoryview(values).cast("B")}
        if frame == self.frame:
            # traitlets would not notify an equal value, but a resync must reach the page.
            self.send_state("frame")
        else:
            self.frame = frame

    def reset(self, marks: list[Widget]) -> None:
        """New marks, and no values for them yet (their own state has their values).

        The last frame is dropped: the marks it was for are gone, and a page that loads
        the feed later must not apply it to new marks."""
        with self.hold_sync():
            self.marks, self.frame = marks, {}

    def on_resync(self, callback: Callable[[], None], remove: bool = False) -> None:
        """Call ``callback()`` when a page asks for every map (it should push them all)."""
        self._resync_handlers.register_callback(callback, remove=remove)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "resync":
            self._resync_handlers()
