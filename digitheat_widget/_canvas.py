"""``CanvasGrid``: the grid drawn on one ``<canvas>``, for stacks too large for SVG.

bqplot's GridHeatMap writes one SVG element per cell, which stops being usable near
100 maps of 28x28 (78,400 cells: about 4 s to first paint, 1.2 s per update). This
renderer sends the tensor as one float32 buffer and paints it in the page
(``canvas.js``): each cell's colour is computed there, one pixel per cell, then scaled up
to ``cell`` px per cell without smoothing, so a full update or a change of colour limits
is one small message and one repaint.

It draws the same picture as the SVG renderer, at the same size, so the owner
(:class:`~digitheat_widget.DigitHeatmapGrid`) can put the same bqplot colorbar beside it:
the panel geometry (margins, gaps, tick thinning), fonts, colours and opacities all come
from :mod:`digitheat_widget._render` and reach the page in the private ``_look`` trait.

The widget is passive: it shows what its traits say. Clicks are reported to Python
(:meth:`CanvasGrid.on_cell_click`, :meth:`CanvasGrid.on_title_click`); whoever owns
the widget decides what a click changes (``selected``, ``highlighted``).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import numpy as np
import traitlets
from ipywidgets import CallbackDispatcher, Layout
from traitlets import Dict, Float, Instance, Int, List, TraitError, Unicode, observe, validate

from . import _render
from .colormaps import DEFAULT_COLORMAP, colormap_stops

#: NaN colour when none is given: the same default as DigitHeatmapGrid's
#: (``widget.DEFAULT_NAN_COLOR``; not imported, so widget.py can import this module).
DEFAULT_NAN_COLOR = "#4a90d9"

#: Hex colour stops, as the page expects them.
_HEX_STOP = r"^#[0-9a-fA-F]{6}$"


def _look() -> dict[str, Any]:
    """Everything about the picture that is not data: sizes, fonts, colours, opacity.

    Taken from :mod:`._render` so the canvas and the SVG renderer cannot drift apart.
    """
    return {
        "margin": dict(_render.PANEL_MARGIN),
        "gap_x": _render.GAP_X,
        "gap_y": _render.GAP_Y,
        "tick_font": _render.TICK_FONT,
        "title_font": _render.TITLE_FONT,
        "accent_color": _render.ACCENT_COLOR,
        "selected_color": _render.SELECTED_COLOR,
        "dimmed_opacity": _render.DIMMED_OPACITY,
    }


def _checked(tensor: Any, copy: bool) -> np.ndarray:
    """The (N, H, W) array to keep: a read-only float32 copy, or with ``copy=False`` the
    caller's own array (the caller promises never to change it)."""
    array = np.asarray(tensor)
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(
            f"CanvasGrid.set_data expected a non-empty 3-D array (N, H, W), got shape {array.shape}"
        )
    if array.dtype.kind not in "fiub":
        raise ValueError(f"CanvasGrid.set_data expected real numbers, got dtype {array.dtype}")
    if copy:
        array = np.array(array, dtype="<f4", order="C")
        array.flags.writeable = False
    return array


def _values_to_json(values: np.ndarray | None, _widget: Any) -> memoryview | bytes:
    """What the page gets: little-endian float32 bytes in C order, made when sent, so the
    widget keeps no float32 copy of a float64 tensor."""
    if values is None:
        return b""
    return memoryview(np.ascontiguousarray(values, dtype="<f4")).cast("B")


class CanvasGrid(anywidget.AnyWidget):
    """An (N, H, W) stack of maps drawn as a grid of heatmap panels on one canvas.

    Looks like :class:`~digitheat_widget.DigitHeatmapGrid`'s SVG panels (titles above
    the panels, row and column ticks, the same colours, highlight and selection marks)
    but stays fast for tens of thousands of cells. It draws no colorbar: its owner
    places bqplot's beside it, and the two line up because the geometry is the same as
    :class:`~digitheat_widget._render.GridGeometry`'s.

    Parameters
    ----------
    data
        Optional real array of shape (N, H, W) to show; see :meth:`set_data`.
    copy
        As in :meth:`set_data`: ``False`` keeps ``data`` itself instead of a float32 copy.
    **kwargs
        Initial values of the traits (``vmin``, ``vmax``, ``stops``, ``labels``, ...).
        When ``data`` is given and ``cell`` is not, ``cell`` is chosen like the SVG
        renderer's (:func:`~digitheat_widget._render.auto_cell_size`).

    Notes
    -----
    The page colours a value ``v`` by clamping ``(v - vmin) / (vmax - vmin)`` to [0, 1]
    and interpolating linearly in RGB between the evenly spaced ``stops``, as bqscales'
    ``ColorScale`` does. NaN is drawn in ``nan_color``. Values travel as float32, so a
    magnitude beyond float32's range arrives as +-inf and takes an end colour.

    Examples
    --------
    >>> import numpy as np
    >>> from digitheat_widget._canvas import CanvasGrid
    >>> grid = CanvasGrid(np.random.rand(100, 28, 28), columns=10, vmin=0.0, vmax=1.0)
    >>> grid.vmax = 0.5  # one small message, one repaint
    >>> grid.on_cell_click(lambda digit, row, col: print(digit, row, col))
    """

    # The module as text, read once: given a Path, anywidget connects every instance to
    # a file-change signal for hot reloading and so keeps every instance alive forever.
    _esm = (pathlib.Path(__file__).parent / "canvas.js").read_text(encoding="utf-8")

    values = Instance(
        np.ndarray, allow_none=True,
        help="The maps, (count, rows, cols), read-only; the page gets them as little-endian "
        "float32 bytes in C order. Set it with set_data(), which also sets count, rows and "
        "cols in the same message.",
    ).tag(sync=True, to_json=_values_to_json)
    count = Int(0, help="Number of maps (panels), N.").tag(sync=True)
    rows = Int(0, help="Rows per map, H (drawn top to bottom, row 0 at the top).").tag(sync=True)
    cols = Int(0, help="Columns per map, W (drawn left to right).").tag(sync=True)
    columns = Int(2, help="Panels per row of the grid (at least 1).").tag(sync=True)
    cell = Int(21, help="Size of one cell in CSS pixels (at least 1).").tag(sync=True)
    vmin = Float(0.0, help="Value drawn in the first colour stop; lower values are clamped.").tag(
        sync=True
    )
    vmax = Float(1.0, help="Value drawn in the last colour stop; higher values are clamped.").tag(
        sync=True
    )
    stops = List(
        Unicode(),
        default_value=colormap_stops(DEFAULT_COLORMAP),
        help="Colour stops as '#rrggbb', spread evenly from vmin to vmax and interpolated "
        "linearly in RGB (at least 2).",
    ).tag(sync=True)
    nan_color = Unicode(
        DEFAULT_NAN_COLOR,
        help="CSS colour of missing values (NaN); validated by the owner, used as given.",
    ).tag(sync=True)
    labels = List(
        Unicode(), help="Panel titles, one per map; missing ones are drawn as the index."
    ).tag(sync=True)
    highlighted = List(
        Int(), help="Indices of emphasised panels (accent outline, bold title); when not "
        "empty, the other panels are dimmed."
    ).tag(sync=True)
    selected = List(
        Int(), help="The marked cell as [digit, row, col], or [] for none."
    ).tag(sync=True)
    value_format = Unicode(
        ".4f", help="Format of hover values: '.Nf' (fixed) or '.Ne' (exponent), as in d3."
    ).tag(sync=True)

    #: Geometry constants, fonts and colours from _render (see _look()).
    _look = Dict(help="Sizes, fonts and colours shared with the SVG renderer.").tag(sync=True)
    _x_ticks = List(Int(), help="Columns with a tick label (GridGeometry.tick_positions).").tag(
        sync=True
    )
    _y_ticks = List(Int(), help="Rows with a tick label (GridGeometry.tick_positions).").tag(
        sync=True
    )

    def __init__(self, data: np.ndarray | None = None, *, copy: bool = True,
                 **kwargs: Any) -> None:
        self._cell_handlers = CallbackDispatcher()
        self._title_handlers = CallbackDispatcher()
        kwargs.setdefault("_look", _look())
        if data is not None:
            values = _checked(data, copy)
            count, rows, cols = (int(n) for n in values.shape)
            kwargs.update(count=count, rows=rows, cols=cols, values=values)
            kwargs.setdefault("cell", _render.auto_cell_size(rows, cols))
        # rows/cols/cell given here reach _on_geometry before the comm opens, so the
        # tick lists are part of the initial state, not an extra message.
        # Like the SVG panels' figures: no widget margin, so a colorbar placed beside the
        # canvas lines up with the plot areas to the pixel.
        kwargs.setdefault("layout", Layout(margin="0px", padding="0px"))
        super().__init__(**kwargs)
        self.on_msg(self._handle_message)

    # ------------------------------------------------------------------ validation

    #: Smallest value of each integer trait: sizes may be 0 (nothing to draw yet), but a
    #: grid needs at least one column and a cell of at least one pixel.
    _MINIMUM = {"columns": 1, "cell": 1, "count": 0, "rows": 0, "cols": 0}

    @validate(*_MINIMUM)
    def _check_minimum(self, proposal: traitlets.Bunch) -> int:
        value, name = proposal["value"], proposal["trait"].name
        if value < self._MINIMUM[name]:
            raise TraitError(
                f"CanvasGrid.{name} expected an integer >= {self._MINIMUM[name]}, got {value!r}"
            )
        return value

    @validate("stops")
    def _check_stops(self, proposal: traitlets.Bunch) -> list[str]:
        stops = list(proposal["value"])
        if len(stops) < 2 or not all(re.match(_HEX_STOP, s) for s in stops):
            raise TraitError(
                f"CanvasGrid.stops expected at least 2 colours as '#rrggbb', got {stops!r}"
            )
        return stops

    @validate("selected")
    def _check_selected(self, proposal: traitlets.Bunch) -> list[int]:
        value = list(proposal["value"])
        if len(value) not in (0, 3):
            raise TraitError(
                f"CanvasGrid.selected expected [] or [digit, row, col], got {value!r}"
            )
        return value

    @validate("value_format")
    def _check_value_format(self, proposal: traitlets.Bunch) -> str:
        value = proposal["value"]
        if not re.fullmatch(r"\.\d{1,2}[fe]", value):
            raise TraitError(
                f"CanvasGrid.value_format expected '.Nf' or '.Ne' (e.g. '.4f'), got {value!r}"
            )
        return value

    # ------------------------------------------------------------------ public API

    @property
    def geometry(self) -> _render.GridGeometry:
        """The pixel geometry of the drawing, identical to the SVG renderer's."""
        return _render.GridGeometry(
            rows=self.rows, cols=self.cols, panels=self.count, columns=self.columns,
            cell=self.cell,
        )

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the canvas in CSS pixels (0 x 0 with no data)."""
        geometry = self.geometry
        if self.count == 0 or self.rows == 0 or self.cols == 0:
            return 0, 0
        width = self.columns * geometry.panel_width + (self.columns - 1) * _render.GAP_X
        return width, geometry.grid_height

    def set_data(self, tensor: np.ndarray, copy: bool = True) -> None:
        """Show ``tensor``: count, rows, cols and values change in one message.

        Parameters
        ----------
        tensor
            Real array of shape (N, H, W), any numeric dtype; sent as float32.
        copy
            Keep a float32 copy (the default). ``False`` keeps ``tensor`` itself, for a
            caller whose array never changes (e.g. a read-only tensor it owns): no copy
            is then held, and the float32 bytes are made only while a message is sent.

        Raises
        ------
        ValueError
            When ``tensor`` is not a non-empty 3-D array of real numbers.
        """
        values = _checked(tensor, copy)
        count, rows, cols = (int(n) for n in values.shape)
        with self.hold_sync():
            self.count, self.rows, self.cols = count, rows, cols
            self.values = values

    def on_cell_click(self, callback: Callable[[int, int, int], Any], remove: bool = False) -> None:
        """Call ``callback(digit, row, col)`` when a cell is clicked in the page.

        Parameters
        ----------
        callback
            Function of the clicked cell's (digit, row, col).
        remove
            Unregister ``callback`` instead.
        """
        self._register(self._cell_handlers, "on_cell_click", callback, remove)

    def on_title_click(self, callback: Callable[[int], Any], remove: bool = False) -> None:
        """Call ``callback(digit)`` when a panel's title is clicked in the page.

        Parameters
        ----------
        callback
            Function of the clicked panel's index.
        remove
            Unregister ``callback`` instead.
        """
        self._register(self._title_handlers, "on_title_click", callback, remove)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _register(
        dispatcher: CallbackDispatcher, name: str, callback: Callable[..., Any], remove: bool
    ) -> None:
        if not callable(callback):
            raise TypeError(
                f"CanvasGrid.{name} expected a callable, got {type(callback).__name__}"
            )
        dispatcher.register_callback(callback, remove=remove)

    def notify_change(self, change: traitlets.Bunch) -> None:
        """Send a new rows/cols/cell in the same message as the tick lists it implies,
        so the page never draws one without the other."""
        if change.get("name") in ("rows", "cols", "cell") and self.comm is not None:
            with self.hold_sync():
                super().notify_change(change)
        else:
            super().notify_change(change)

    @observe("rows", "cols", "cell")
    def _on_geometry(self, change: traitlets.Bunch) -> None:
        self._update_ticks()

    def _update_ticks(self) -> None:
        geometry = self.geometry
        x_ticks, y_ticks = geometry.tick_positions(self.cols), geometry.tick_positions(self.rows)
        if x_ticks != self._x_ticks:
            self._x_ticks = x_ticks
        if y_ticks != self._y_ticks:
            self._y_ticks = y_ticks

    def _handle_message(self, _widget: Any, content: Any, _buffers: Sequence[Any]) -> None:
        """Custom messages from the page: cell and title clicks."""
        if not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "cell_click":
            address = [content.get(k) for k in ("digit", "row", "col")]
            limits = (self.count, self.rows, self.cols)
            if all(isinstance(a, int) and not isinstance(a, bool) and 0 <= a < n
                   for a, n in zip(address, limits)):
                self._cell_handlers(*address)
        elif event == "title_click":
            digit = content.get("digit")
            if isinstance(digit, int) and not isinstance(digit, bool) and 0 <= digit < self.count:
                self._title_handlers(digit)
