"""``DigitHeatmapGrid``: a stack of (N, H, W) maps as a grid of bqplot heatmaps."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import bqplot
import numpy as np
import traitlets
from ipywidgets import HTML, CallbackDispatcher, GridBox, HBox, Layout, VBox, Widget
from traitlets import Bool, Float, Int, TraitError, TraitType, Unicode, observe, validate

from . import _render
from ._canvas import CanvasGrid
from ._feed import PanelFeed, store_quietly
from .colormaps import DEFAULT_COLORMAP, colormap_stops, validate_colormap
from .colors import ColorError, parse_color, to_hex
from .data import MAX_MAGNITUDE, MIN_SPAN, as_tensor, auto_limits, sample_data, tick_format, tick_values

#: How missing values (NaN) are drawn by default: a mid blue that no built-in
#: sequential map ends in, so a gap never passes for a very low or very high value.
DEFAULT_NAN_COLOR = "#4a90d9"


def _owner(obj: object, trait: str) -> str:
    return f"{type(obj).__name__}.{trait}"


class _Tensor(TraitType):
    """A real (N, H, W) array, stored as the widget's own read-only float64 copy."""

    info_text = "a real 3-D array-like of shape (N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        try:
            return as_tensor(value)
        except ValueError as err:
            raise TraitError(f"{_owner(obj, self.name)} {err}") from None

    def set(self, obj: Any, value: Any) -> None:
        # Plain traitlets compares arrays with ==, which cannot be a bool, so every
        # assignment would notify; an equal tensor should cost nothing.
        new = self._validate(obj, value)
        # Undefined (not None) before the first assignment: when a refused batch is rolled
        # back, traitlets then removes the value instead of re-validating None, which
        # would hide the real error behind a confusing one about data.
        old = obj._trait_values.get(self.name, traitlets.Undefined)
        obj._trait_values[self.name] = new
        if not isinstance(old, np.ndarray) or old.shape != new.shape:
            obj._notify_trait(self.name, old, new)
            return
        changed = changed_maps(old, new)
        if changed.size:
            # Kept for the observer, which needs the same answer: one compare per update.
            obj._changed_maps = (old, new, changed)
            obj._notify_trait(self.name, old, new)


class _Limit(Float):
    """A colour limit: a finite real number, or None for automatic."""

    info_text = "a finite number or None"

    def validate(self, obj: Any, value: Any) -> float | None:
        # Plain Float would take True as 1.0 and let NaN through.
        if value is None:
            return None
        refused = TraitError(
            f"{_owner(obj, self.name)} expected a finite number or None, got {value!r}"
        )
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise refused
        try:
            number = float(value)
        except OverflowError:  # an int beyond float's range
            raise refused from None
        if not np.isfinite(number):
            raise refused
        if abs(number) > MAX_MAGNITUDE:
            raise TraitError(
                f"{_owner(obj, self.name)} expected a number of magnitude at most "
                f"{MAX_MAGNITUDE:g} (so colour ranges stay finite), got {value!r}"
            )
        return number


class _Colormap(TraitType):
    """A known colormap name or a list of at least two CSS colours."""

    info_text = "a colormap name or a list of CSS colours"

    def validate(self, obj: Any, value: Any) -> str | tuple[str, ...]:
        try:
            return validate_colormap(value)
        except ValueError as err:
            raise TraitError(f"{_owner(obj, self.name)} {err}") from None


class _IndexList(TraitType):
    """Distinct panel indices, given as any iterable of integers."""

    info_text = "a list of distinct panel indices"
    default_value: list[int] = []

    def validate(self, obj: Any, value: Any) -> list[int]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TraitError(
                f"{_owner(obj, self.name)} expected a list of panel indices, "
                f"got {type(value).__name__} {value!r}"
            )
        indices = []
        for item in value:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
                raise TraitError(
                    f"{_owner(obj, self.name)} expected integer panel indices, "
                    f"got {type(item).__name__} {item!r}"
                )
            indices.append(int(item))
        if len(set(indices)) != len(indices):
            repeated = sorted({i for i in indices if indices.count(i) > 1})
            raise TraitError(
                f"{_owner(obj, self.name)} expected distinct panel indices, got {repeated} repeated"
            )
        return indices


class _Labels(TraitType):
    """Panel titles: a list of strings."""

    info_text = "a list of strings"

    def validate(self, obj: Any, value: Any) -> list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            raise TraitError(
                f"{_owner(obj, self.name)} expected a list of strings, got {type(value).__name__}"
            )
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise TraitError(
                    f"{_owner(obj, self.name)} expected a list of strings, got "
                    f"{type(item).__name__} {item!r} at position {index}"
                )
        return list(value)


class _Cell(TraitType):
    """A cell address (digit, row, column) or None."""

    info_text = "a (digit, row, column) tuple or None"
    allow_none = True
    default_value = None

    def validate(self, obj: Any, value: Any) -> tuple[int, int, int] | None:
        if value is None:
            return None
        parts = tuple(value) if isinstance(value, (tuple, list)) else None
        if parts is None or len(parts) != 3 or not all(
            isinstance(p, (int, np.integer)) and not isinstance(p, (bool, np.bool_)) for p in parts
        ):
            raise TraitError(
                f"{_owner(obj, self.name)} expected None or a (digit, row, column) tuple of "
                f"integers, got {value!r}"
            )
        digit, row, col = (int(p) for p in parts)
        count, rows, cols = obj.data.shape
        if not (0 <= digit < count and 0 <= row < rows and 0 <= col < cols):
            raise TraitError(
                f"{_owner(obj, self.name)} expected a cell inside ({count}, {rows}, {cols}), "
                f"got {(digit, row, col)}"
            )
        return digit, row, col


def changed_maps(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Indices of the maps (first axis) that differ between two (N, H, W) tensors with the
    same H and W, among the first min(N) maps; NaN equals NaN."""
    count = min(old.shape[0], new.shape[0])
    old, new = old[:count], new[:count]
    differs = old != new
    if differs.any():  # NaN != NaN: a cell that is NaN on both sides has not changed
        differs &= ~(np.isnan(old) & np.isnan(new))
    return np.flatnonzero(differs.reshape(count, -1).any(axis=1))


def _is_2d(values: Any) -> bool:
    if isinstance(values, (str, bytes)):
        return False
    try:
        return getattr(values, "ndim", None) == 2 or np.ndim(values) == 2
    except ValueError:  # ragged nested lists: as_tensor reports them
        return False


def _default_labels(count: int) -> list[str]:
    return [str(i) for i in range(count)]


class DigitHeatmapGrid(VBox):
    """A grid of heatmaps, one per map of an (N, H, W) tensor, sharing one colour scale.

    By default it shows the bundled sample: the mean image of each handwritten digit 0-9
    as a 7x6 map, five rows of two panels, "hot" colours and one colorbar.

    Parameters
    ----------
    data
        Real array-like of shape (N, H, W): N maps of H rows by W columns. ``None``
        shows :func:`digitheat_widget.sample_data`. The widget keeps its own copy.
    vmin, vmax
        Colour limits; ``None`` takes the data's minimum / maximum.
    colormap
        A colormap name (see :func:`digitheat_widget.colormap_names`) or a list of CSS
        colours spread evenly from vmin to vmax.
    highlighted
        Indices of panels to emphasise; the others are dimmed.
    labels
        Panel titles; default ``"0"`` .. ``"N-1"``.
    columns
        Panels per row of the grid.
    nan_color
        CSS colour for missing values (NaN).
    cell_size
        Pixels per cell; ``None`` chooses about 150 px for a panel's longer side.
    controls
        Show a control panel (colour limits, colormap, highlight toggles) above the grid.
    renderer
        ``"auto"`` (default), ``"svg"`` or ``"canvas"``; see :attr:`renderer`.
    **kwargs
        Passed to :class:`ipywidgets.VBox` (e.g. ``layout``).

    Examples
    --------
    >>> from digitheat_widget import DigitHeatmapGrid, sample_data
    >>> grid = DigitHeatmapGrid(sample_data())
    >>> grid.vmax = 0.01
    >>> grid.highlighted = [3, 8]
    """

    data = _Tensor(
        help="The maps shown, as a read-only float64 array of shape (N, H, W). Assign any "
        "real (N, H, W) array-like to change it; the widget copies what it is given."
    )
    vmin = _Limit(None, allow_none=True, help="Lower colour limit; None = the data's minimum.")
    vmax = _Limit(None, allow_none=True, help="Upper colour limit; None = the data's maximum.")
    colormap = _Colormap(
        DEFAULT_COLORMAP,
        help="Colormap name (matplotlib's, e.g. 'hot', 'viridis', 'RdBu_r') or a list of "
        "CSS colours spread evenly from vmin to vmax.",
    )
    highlighted = _IndexList(
        help="Indices of emphasised panels (accent outline); the others are dimmed. [] = none."
    )
    labels = _Labels(help="Panel titles, one per map; default '0'..'N-1'.")
    columns = Int(2, help="Number of panels per row of the grid (at least 1).")
    nan_color = Unicode(DEFAULT_NAN_COLOR, help="CSS colour for missing values (NaN).")
    cell_size = Int(
        None, allow_none=True, help="Pixels per cell (1-64); None = automatic from the map size."
    )
    selected = _Cell(
        help="The last clicked cell as (digit, row, column), or None. Setting it marks that cell."
    ).tag(sync=True)
    show_controls = Bool(False, help="Show the control panel above the grid.")
    renderer = traitlets.Enum(
        ["auto", "svg", "canvas"], "auto",
        help="How panels are drawn: 'svg' (bqplot GridHeatMap, one element per cell), "
        "'canvas' (one canvas for all panels, for large stacks), or 'auto': canvas above "
        "CANVAS_THRESHOLD cells.",
    )

    #: Above this many cells (N*H*W) 'auto' draws on a canvas: bqplot's SVG heatmap writes
    #: one element per cell and slows to seconds per update near 100 maps of 28x28.
    CANVAS_THRESHOLD = 10_000

    #: Data updates closer together than this (seconds) are merged, so a training loop that
    #: assigns data as fast as it can never builds a backlog of messages to the page: the
    #: page gets the latest values at most this often, and the last ones when the loop ends.
    MIN_SEND_INTERVAL = 1 / 60

    def __init__(
        self,
        data: Any = None,
        *,
        vmin: float | None = None,
        vmax: float | None = None,
        colormap: str | Sequence[str] = DEFAULT_COLORMAP,
        highlighted: Sequence[int] = (),
        labels: Sequence[str] | None = None,
        columns: int = 2,
        nan_color: str = DEFAULT_NAN_COLOR,
        cell_size: int | None = None,
        controls: bool = False,
        renderer: str = "auto",
        **kwargs: Any,
    ) -> None:
        self._panels: list[_render.Panel] = []
        self._canvas: CanvasGrid | None = None
        self._wire_dtype: type = np.float32
        self._built = False
        self._controls: Widget | None = None
        unknown = sorted(k for k in kwargs if not VBox.class_traits().get(k))
        if unknown:
            # traitlets would only warn and drop a misspelt option such as colourmap=...
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword argument(s) {unknown}; the "
                f"grid's options are data, vmin, vmax, colormap, highlighted, labels, columns, "
                f"nan_color, cell_size, controls, renderer, plus VBox's (e.g. layout)"
            )
        self._click_handlers = CallbackDispatcher()
        self._stale_panels: set[int] = set()
        self._stale_limits = False
        self._last_send = 0.0
        self._flush_pending = False
        super().__init__(**kwargs)
        if "layout" not in kwargs:
            self.layout.width = "fit-content"  # as wide as the figure, not the whole cell
        tensor = sample_data() if data is None else data
        try:
            with self.hold_trait_notifications():
                self.data = tensor
                self.labels = _default_labels(self.data.shape[0]) if labels is None else labels
                self.vmin, self.vmax = vmin, vmax
                self.colormap = colormap
                self.highlighted = highlighted
                self.columns = columns
                self.nan_color = nan_color
                self.cell_size = cell_size
                self.renderer = renderer
                self.show_controls = controls
        except TraitError:
            # The box and its layout are already open; a refused grid must not leak them.
            layout = self.layout
            super().close()
            layout.close()
            raise
        self._build()

    def __setattr__(self, name: str, value: Any) -> None:
        # One lock for every change: an assignment (from any thread) is validated, stored
        # and sent whole before another starts, so the page never gets a mix of two tensors.
        lock = self.__dict__.get("_lock")
        if lock is None:  # traitlets sets attributes in __new__, before __init__ runs
            lock = threading.RLock()
            object.__setattr__(self, "_lock", lock)
        with lock:
            super().__setattr__(name, value)

    # ------------------------------------------------------------------ validation

    @validate("data")
    def _check_data(self, proposal: traitlets.Bunch) -> np.ndarray:
        tensor = proposal["value"]
        count = tensor.shape[0]
        if self.renderer == "svg" and min(tensor.shape[1:]) == 1:
            raise TraitError(
                f"{_owner(self, 'data')} maps of {tensor.shape[1:]} cannot be drawn with "
                f"renderer='svg' (bqplot squeezes a single row or column away); use 'auto'"
            )
        labels = self.labels
        if labels and len(labels) != count and labels != _default_labels(len(labels)):
            raise TraitError(
                f"{_owner(self, 'data')} has {count} panels but labels has {len(labels)} "
                f"entries; set both together inside `with grid.hold_sync():`"
            )
        return tensor

    @validate("renderer")
    def _check_renderer(self, proposal: traitlets.Bunch) -> str:
        value = proposal["value"]
        if value == "svg" and min(self.data.shape[1:]) == 1:
            raise TraitError(
                f"{_owner(self, 'renderer')} 'svg' needs maps of at least 2x2 (bqplot squeezes "
                f"a single row or column away), got maps of {self.data.shape[1:]}; use 'auto' "
                f"or 'canvas'"
            )
        return value

    @validate("labels")
    def _check_labels(self, proposal: traitlets.Bunch) -> list[str]:
        value = proposal["value"]
        count = self.data.shape[0]
        if len(value) != count:
            raise TraitError(
                f"{_owner(self, 'labels')} expected {count} labels (one per panel), got {len(value)}"
            )
        return value

    def _check_limit(self, name: str, value: Any) -> float | None:
        if value is None:
            return None
        other = self.vmax if name == "vmin" else self.vmin
        lo, hi = (value, other) if name == "vmin" else (other, value)
        if lo is not None and hi is not None and lo < hi and hi - lo < MIN_SPAN:
            raise TraitError(
                f"{_owner(self, name)} expected vmax - vmin of at least {MIN_SPAN:g}, got "
                f"vmin={lo!r} and vmax={hi!r}"
            )
        if lo is not None and hi is not None and not lo < hi:
            raise TraitError(
                f"{_owner(self, name)} expected vmin < vmax, got vmin={lo!r} and vmax={hi!r}; "
                f"to move both, set them together inside `with grid.hold_sync():`"
            )
        return float(value)

    @validate("vmin")
    def _check_vmin(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmin", proposal["value"])

    @validate("vmax")
    def _check_vmax(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmax", proposal["value"])

    @validate("highlighted")
    def _check_highlighted(self, proposal: traitlets.Bunch) -> list[int]:
        count = self.data.shape[0]
        outside = [i for i in proposal["value"] if not 0 <= i < count]
        if outside:
            raise TraitError(
                f"{_owner(self, 'highlighted')} expected indices in 0..{count - 1}, got {outside}"
            )
        return proposal["value"]

    @validate("columns")
    def _check_columns(self, proposal: traitlets.Bunch) -> int:
        value = proposal["value"]
        if isinstance(value, bool) or value < 1:
            raise TraitError(f"{_owner(self, 'columns')} expected an integer >= 1, got {value!r}")
        return value

    @validate("cell_size")
    def _check_cell_size(self, proposal: traitlets.Bunch) -> int | None:
        value = proposal["value"]
        if value is not None and (isinstance(value, bool) or not 1 <= value <= 64):
            raise TraitError(
                f"{_owner(self, 'cell_size')} expected pixels per cell in 1..64 or None, got {value!r}"
            )
        return value

    @validate("nan_color")
    def _check_nan_color(self, proposal: traitlets.Bunch) -> str:
        try:
            parse_color(proposal["value"])
        except ColorError as err:
            raise TraitError(f"{_owner(self, 'nan_color')} {err}") from None
        return proposal["value"]

    # ------------------------------------------------------------------ public helpers

    @property
    def limits(self) -> tuple[float, float]:
        """The colour limits in force ``(low, high)``: vmin/vmax, or the data's range."""
        return auto_limits(self.data, self.vmin, self.vmax)

    @property
    def tick_format(self) -> str:
        """The d3-format string of the colorbar's tick labels (and of hover values)."""
        return tick_format(*self.limits)

    def tick_labels(self) -> list[str]:
        """The colorbar's tick labels, as the page writes them."""
        lo, hi = self.limits
        fmt = self.tick_format
        return [format(0.0 if t == 0 else t, fmt) for t in tick_values(lo, hi)]

    def on_cell_click(
        self, callback: Callable[[int, int, int, float], Any], remove: bool = False
    ) -> None:
        """Call ``callback(digit, row, column, value)`` whenever a cell is clicked.

        ``value`` is the cell's value in :attr:`data` (NaN for a missing value). A callback
        that raises shows its traceback and does not stop later clicks. In JupyterLab, what a
        callback prints goes to the log console; to show it under a cell, print inside an
        ``ipywidgets.Output`` (``@out.capture()``).

        Parameters
        ----------
        callback
            Function of (digit, row, column, value).
        remove
            Unregister ``callback`` instead.
        """
        if not callable(callback):
            raise TypeError(
                f"{type(self).__name__}.on_cell_click expected a callable, got {type(callback).__name__}"
            )
        self._click_handlers.register_callback(callback, remove=remove)

    def autoscale(self, mode: str = "minmax", diverging: str | None = "RdBu_r") -> tuple[float, float]:
        """Set the colour limits from the data.

        Parameters
        ----------
        mode
            ``"minmax"``: automatic limits that follow the data (vmin = vmax = None);
            ``"robust"``: the 2nd and 98th percentiles, so a few outliers do not wash out
            the rest; ``"symmetric"``: centred on 0 (-m, m) with m the largest absolute
            value, for signed data such as weights or saliency.
        diverging
            With ``"symmetric"``, the colormap to switch to (a diverging one suits signed
            data); ``None`` keeps the current colormap.

        Returns
        -------
        tuple of float
            The limits now in force.
        """
        modes = ("minmax", "robust", "symmetric")
        if mode not in modes:
            raise ValueError(
                f"{type(self).__name__}.autoscale expected mode in {modes}, got {mode!r}"
            )
        finite = self.data[np.isfinite(self.data)]
        with self.hold_sync():
            if mode == "minmax" or finite.size == 0:
                self.vmin = self.vmax = None
            elif mode == "robust":
                lo, hi = (float(v) for v in np.percentile(finite, [2, 98]))
                if lo < hi:
                    self.vmin, self.vmax = lo, hi
                else:
                    self.vmin = self.vmax = None
            else:
                extent = float(np.abs(finite).max()) or 1.0
                self.vmin, self.vmax = -extent, extent
                if diverging is not None:
                    self.colormap = diverging
        return self.limits

    def update_panel(self, digit: int, values: Any) -> None:
        """Replace one map; only that panel is sent to the page.

        Parameters
        ----------
        digit
            Index of the map, 0..N-1 (negative indices count from the end).
        values
            Real array-like of shape (H, W).
        """
        count, rows, cols = self.data.shape
        if isinstance(digit, (bool, np.bool_)) or not isinstance(digit, (int, np.integer)):
            raise TraitError(
                f"{_owner(self, 'update_panel')} expected an integer digit, got {digit!r}"
            )
        if not -count <= digit < count:
            raise TraitError(
                f"{_owner(self, 'update_panel')} expected digit in 0..{count - 1}, got {digit}"
            )
        try:
            panel = as_tensor(np.asarray(values)[np.newaxis] if _is_2d(values) else values)
        except ValueError as err:
            raise TraitError(f"{_owner(self, 'update_panel')} {err}") from None
        if panel.shape != (1, rows, cols):
            raise TraitError(
                f"{_owner(self, 'update_panel')} expected values of shape ({rows}, {cols}), "
                f"got {panel.shape[1:] if panel.shape[0] == 1 else panel.shape}"
            )
        with self._lock:  # copy, change and assign as one step, or a thread's panel is lost
            tensor = self.data.copy()
            tensor[digit] = panel[0]
            self.data = tensor

    def __setitem__(self, digit: int, values: Any) -> None:
        """``grid[digit] = values`` is :meth:`update_panel`."""
        self.update_panel(digit, values)

    def __getitem__(self, digit: int) -> np.ndarray:
        """``grid[digit]``: a read-only view of one map."""
        return self.data[digit]

    @property
    def controls(self) -> Widget:
        """The control panel (limits, colormap, highlight toggles) as a widget.

        Shown above the grid when ``show_controls`` is True (``controls=True``); it can
        also be displayed on its own, anywhere.
        """
        if self._controls is None:
            from .controls import GridControls

            self._controls = GridControls(self)
        return self._controls


    # ------------------------------------------------------------------ static export

    def to_svg(self) -> str:
        """The grid as a standalone SVG document: the figure the page draws, drawn in
        Python (no browser), for slides and papers."""
        from .snapshot import render_svg

        return render_svg(self)

    def to_png(self, scale: int = 2) -> bytes:
        """The grid as PNG bytes, ``scale`` device pixels per page pixel."""
        from .snapshot import render_png

        return render_png(self, scale)

    def save(self, path: str | os.PathLike[str], scale: int = 2) -> None:
        """Write the grid to ``path``; its suffix chooses the format.

        ``.svg`` and ``.png`` are static pictures (``scale`` applies to PNG); ``.html``
        is a self-contained page that works offline (:meth:`to_html`).
        """
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".svg":
            target.write_text(self.to_svg(), encoding="utf-8")
        elif suffix == ".png":
            target.write_bytes(self.to_png(scale))
        elif suffix == ".html":
            self.to_html(target)
        else:
            raise ValueError(
                f"{type(self).__name__}.save expected a path ending in .svg, .png or .html, "
                f"got {str(path)!r}"
            )

    def to_html(self, path: str | os.PathLike[str] | None = None, *,
                title: str = "digitheat grid") -> str:
        """The grid as one self-contained HTML page that works offline.

        The page draws the grid with the notebook's own front-end (bqplot, or the canvas
        renderer) from the grid's current state, with no kernel and no network request,
        so it can be mailed or put on any web server. Hover tooltips work and the control
        panel's limit sliders still recolour it (they are linked in the browser); nothing
        done in the page reaches Python. About 1.3 MB for the default grid.

        With the SVG renderer the page first shows a static picture of the grid (drawn in
        Python, as :meth:`to_svg`), replaced by the live widget once that has drawn; where
        scripts do not run, the picture stays.

        Parameters
        ----------
        path
            Where to write the page (UTF-8); ``None`` only returns it.
        title
            The page's ``<title>``.

        Returns
        -------
        str
            The page.

        Raises
        ------
        RuntimeError
            (:class:`digitheat_widget.embed.EmbedError`) if the page runtime was not built:
            a source checkout needs ``npm --prefix js ci && npm --prefix js run build``.
        """
        from .embed import grid_to_html

        return grid_to_html(self, path, title=title)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The live widget view plus a static PNG of the figure, so nbconvert, GitHub and
        a notebook opened without a kernel still show the grid (as it was when displayed)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        include, exclude = kwargs.get("include"), kwargs.get("exclude")
        if (include and "image/png" not in include) or (exclude and "image/png" in exclude):
            return bundle
        from .snapshot import render_png

        # Page size (scale 1), so it shows as large as the live grid wherever it is used.
        # Unoptimised PNG: the display waits for it (optimize=True took 1.2 s at 100x28x28).
        png = render_png(self, scale=1, optimize=False)
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle

    @contextlib.contextmanager
    def hold_sync(self) -> Iterator[None]:
        """Batch changes: traits are checked together at the end, and each child widget
        sends one message for all its changes.

        Use it to change several traits that depend on each other, e.g. both limits,
        or data with a different N together with its labels. If any value is refused,
        none is applied.
        """
        with contextlib.ExitStack() as stack:
            # Other threads wait until the batch is applied or refused: their changes must
            # not join (and be rolled back with) this one.
            stack.enter_context(self._lock)
            # Child holds first, trait notifications last: contexts exit in reverse, so the
            # observers run (and change child widgets) while the child holds still batch.
            for widget in self._child_widgets():
                if widget.comm is not None:
                    stack.enter_context(Widget.hold_sync(widget))
            stack.enter_context(self.hold_trait_notifications())
            yield

    def close(self) -> None:
        """Close the grid and every widget it created (panels, scales, axes, layouts)."""
        if getattr(self, "_controls", None) is not None:
            self._controls.close()
            self._controls = None
        for widget in self._child_widgets():
            widget.close()
        self._panels = []
        layout = self._trait_values.get("layout")  # reading .layout would create one
        super().close()
        if layout is not None:
            layout.close()

    # ------------------------------------------------------------------ building

    def _geometry(self) -> _render.GridGeometry:
        count, rows, cols = self.data.shape
        cell = self.cell_size or _render.auto_cell_size(rows, cols)
        return _render.GridGeometry(rows=rows, cols=cols, panels=count, columns=self.columns,
                                    cell=cell)

    def _build(self) -> None:
        geometry = self._geometry()
        lo, hi = self.limits
        self._color_scale = bqplot.ColorScale(
            min=lo, max=hi, colors=colormap_stops(self.colormap), extrapolation="constant"
        )
        self._shared = _render.make_shared(geometry, self._color_scale)
        self._uid = uuid4().hex[:12]
        self._style = HTML(self._style_html())
        self._style.layout.display = "none"  # holds only a <style>; takes no space
        self._grid_box = GridBox(layout=Layout(
            grid_template_columns=self._grid_template(geometry),
            grid_gap=f"{_render.GAP_Y}px {_render.GAP_X}px", width="auto",
            overflow="visible",
        ))
        self._colorbar, self._colorbar_axis = _render.make_colorbar(
            self._color_scale, geometry, self.tick_format, self.tick_labels()
        )
        self._body = HBox(
            [self._grid_box, self._colorbar],
            layout=Layout(align_items="flex-start", overflow="visible", width="auto"),
        )
        self._feed = PanelFeed()
        self._feed.on_resync(self._resync)
        self._sync_view()
        self._set_children()
        self.add_class("digitheat-grid")
        self.add_class(f"dhg-{self._uid}")
        self._built = True
        self._apply_highlight()

    def _set_children(self) -> None:
        shown = [self._style]
        if self.show_controls:
            shown.append(self.controls)
        self.children = [*shown, self._body]

    def _child_widgets(self) -> list[Widget]:
        """Every widget this grid created, with their layout/style widgets, once each."""
        if not self._built:
            return []
        roots: list[Widget] = [w for panel in self._panels for w in panel.widgets()]
        roots += self._shared.widgets() + [self._color_scale]
        roots += [self._style, self._grid_box, self._body, *_render.colorbar_widgets(self._colorbar)]
        if self._canvas is not None:
            roots.append(self._canvas)
        roots.append(self._feed)
        found: dict[int, Widget] = {}
        for widget in roots:
            found.setdefault(id(widget), widget)
            for part in ("layout", "style"):
                child = getattr(widget, part, None)
                if isinstance(child, Widget):
                    found.setdefault(id(child), child)
        return list(found.values())

    def _grid_template(self, geometry: _render.GridGeometry) -> str:
        return f"repeat({self.columns}, {geometry.panel_width}px)"

    def _style_html(self) -> str:
        # nan_color was validated by the strict parser; the page gets its normalised form,
        # never the user's text, so nothing but a colour can reach this stylesheet.
        colour = self._nan_css()
        root = f".dhg-{self._uid}"
        return (
            "<style>"
            # bqplot drops the inline fill of NaN cells (null_color applies only to null),
            # so this rule is what colours them; inline fills of real values win over it.
            f"{root} rect.heatmapcell {{ fill: {colour}; }}"
            f"{root} .dhg-panel {{ outline: 3px solid transparent; outline-offset: -3px; }}"
            f"{root} .dhg-panel.dhg-highlighted {{ outline-color: {_render.ACCENT_COLOR}; }}"
            f"{root} .dhg-panel.dhg-highlighted .mainheading {{ font-weight: bold; }}"
            # Without a kernel ipywidgets puts a broken-link icon (::before, display: block)
            # in every widget: a dozen icons over the panels, and in the GridBox the first
            # would take a cell and shift every panel. The grid shows one, out of the flow.
            f"{root}.jupyter-widgets-disconnected::before {{ position: absolute; }}"
            f"{root} .jupyter-widgets-disconnected::before {{ content: none; display: none; }}"
            f"{root} .dhg-title-hit {{ box-shadow: none !important; background: transparent"
            f" !important; border: none !important; outline: none !important;"
            f" cursor: pointer; }}"
            f"{self._selection_css(root)}"
            "</style>"
        )

    def _selection_css(self, root: str) -> str:
        # bqplot's own GridHeatMap selection is broken (bqplot #1632), so the clicked cell
        # is marked by a rule on its row group and rect, in bqplot's DOM order (data order).
        if self.selected is None:
            return ""
        digit, row, col = self.selected
        return (
            f"{root} .dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) "
            f"rect.heatmapcell:nth-of-type({col + 1}) {{ stroke: {_render.SELECTED_COLOR};"
            f" stroke-width: 3px; }}"
        )

    def _value_format(self) -> str:
        """Hover values: the colorbar's format with one more decimal, so a value between
        two ticks is not shown as one of them."""
        fmt = self.tick_format.replace(",", "")
        decimals = int(fmt[1:-1])
        return f".{decimals + 1}{fmt[-1]}"

    def _new_panel(self, index: int) -> _render.Panel:
        panel = _render.make_panel(
            index, self.data[index], self.labels[index], self._shared, self._value_format(),
            self._wire_dtype,
        )
        panel.mark.on_element_click(partial(self._cell_clicked, index))
        panel.title_button.on_click(partial(self._title_clicked, index))
        return panel

    def _cell_clicked(self, digit: int, _mark: Any, event: dict) -> None:
        """A click in the page: ``event["data"]`` has the cell's rowNum and columnNum."""
        data = event.get("data", {})
        row, col = int(data["rowNum"]), int(data["columnNum"])
        self.selected = (digit, row, col)
        self._click_handlers(digit, row, col, float(self.data[digit, row, col]))

    def _title_clicked(self, digit: int, _button: Any) -> None:
        chosen = list(self.highlighted)
        self.highlighted = [d for d in chosen if d != digit] if digit in chosen else chosen + [digit]

    def _uses_canvas(self) -> bool:
        if self.renderer == "auto":
            return self.data.size > self.CANVAS_THRESHOLD or min(self.data.shape[1:]) == 1
        return self.renderer == "canvas"

    @property
    def active_renderer(self) -> str:
        """The renderer drawing the panels now: ``"svg"`` or ``"canvas"``."""
        return "canvas" if self._canvas is not None else "svg"

    def _grid_view(self) -> Widget:
        return self._canvas if self._canvas is not None else self._grid_box

    def _sync_view(self) -> None:
        """Make the panels' renderer the one :attr:`renderer` asks for, with current state."""
        if self._uses_canvas():
            for widget in [w for p in self._panels for w in p.widgets()]:
                widget.close()
            self._panels = []
            self._grid_box.children = []
            self._feed.reset([])
            if self._canvas is None:
                self._canvas = self._new_canvas()
        else:
            if self._canvas is not None:
                canvas, self._canvas = self._canvas, None
                for widget in (canvas, canvas.layout):
                    widget.close()
            self._sync_panel_count()
        self._body.children = [self._grid_view(), self._colorbar]

    def _new_canvas(self) -> CanvasGrid:
        lo, hi = self.limits
        canvas = CanvasGrid(
            self.data, copy=False, columns=self.columns, cell=self._geometry().cell,
            vmin=lo, vmax=hi, stops=colormap_stops(self.colormap), nan_color=self._nan_css(),
            labels=list(self.labels), highlighted=list(self.highlighted),
            selected=list(self.selected or []), value_format=self._value_format(),
        )
        canvas.on_cell_click(self._canvas_cell_clicked)
        canvas.on_title_click(lambda digit: self._title_clicked(digit, None))
        return canvas

    def _canvas_cell_clicked(self, digit: int, row: int, col: int) -> None:
        self._cell_clicked(digit, None, {"data": {"rowNum": row, "columnNum": col}})

    def _nan_css(self) -> str:
        r, g, b, alpha = parse_color(self.nan_color)
        return f"rgba({r}, {g}, {b}, {alpha:.3f})"

    def _sync_panel_count(self) -> None:
        """Add or remove panels so there is one per map."""
        count = self.data.shape[0]
        while len(self._panels) > count:
            for widget in self._panels.pop().widgets():
                widget.close()
        while len(self._panels) < count:
            self._panels.append(self._new_panel(len(self._panels)))
        self._grid_box.children = [p.cell for p in self._panels]
        self._feed.marks = [p.mark for p in self._panels]

    def _relayout(self) -> None:
        geometry = self._geometry()
        _render.resize_shared(self._shared, geometry)
        self._grid_box.layout.grid_template_columns = self._grid_template(geometry)
        if self._canvas is not None:
            with Widget.hold_sync(self._canvas):
                self._canvas.columns, self._canvas.cell = self.columns, geometry.cell
        self._refresh_colorbar()

    def _refresh_colorbar(self) -> None:
        """Give the colorbar the grid's height and room for its labels.

        bqplot's ColorAxis keeps the bar length it was first drawn with when its figure
        is resized, so a colorbar whose size must change is replaced by a new one.
        """
        geometry, labels = self._geometry(), self.tick_labels()
        width, height = f"{_render.colorbar_width(labels)}px", f"{geometry.grid_height}px"
        margin = _render.colorbar_margin(geometry, labels)
        current = self._colorbar
        if (current.layout.width, current.layout.height, current.fig_margin) == (width, height, margin):
            return
        self._colorbar, self._colorbar_axis = _render.make_colorbar(
            self._color_scale, geometry, self.tick_format, labels
        )
        self._body.children = [self._grid_view(), self._colorbar]
        for widget in _render.colorbar_widgets(current):
            widget.close()

    def _update_limits(self) -> None:
        lo, hi = self.limits
        with Widget.hold_sync(self._color_scale):
            self._color_scale.min, self._color_scale.max = lo, hi
        if self._canvas is not None:
            with Widget.hold_sync(self._canvas):
                self._canvas.vmin, self._canvas.vmax = lo, hi
                self._canvas.value_format = self._value_format()
        fmt = self.tick_format
        if self._colorbar_axis.tick_format != fmt:
            self._colorbar_axis.tick_format = fmt
            self._refresh_colorbar()
            value_format = self._value_format()
            for panel in self._panels:
                panel.tooltip.formats = ["", "", value_format]

    def _apply_highlight(self) -> None:
        chosen = set(self.highlighted)
        if self._canvas is not None:
            self._canvas.highlighted = list(self.highlighted)
        for index, panel in enumerate(self._panels):
            emphasised = index in chosen
            if emphasised:
                panel.figure.add_class("dhg-highlighted")
            else:
                panel.figure.remove_class("dhg-highlighted")
            panel.mark.opacity = _render.DIMMED_OPACITY if chosen and not emphasised else 1.0

    # ------------------------------------------------------------------ observers

    @observe("data")
    def _on_data(self, change: traitlets.Bunch) -> None:
        old, new = change["old"], change["new"]
        if not isinstance(old, np.ndarray):
            old = None
        # What the trait found changed, if it is about this very change; never kept (it
        # holds the old tensor).
        known, self._changed_maps = getattr(self, "_changed_maps", None), None
        count = new.shape[0]
        with self.hold_trait_notifications():
            if old is not None and len(self.labels) != count:
                self.labels = _default_labels(count)  # validated: labels were the defaults
            kept = [i for i in self.highlighted if i < count]
            if kept != self.highlighted:
                self.highlighted = kept
            if self.selected is not None and not all(
                    s < n for s, n in zip(self.selected, new.shape)):
                self.selected = None
        wire = _render.wire_dtype(new)
        dtype_changed = wire is not self._wire_dtype
        self._wire_dtype = wire
        if not self._built:
            return
        if self._uses_canvas() != (self._canvas is not None):
            self._sync_view()  # crossed CANVAS_THRESHOLD: switch renderer
        if self._canvas is not None:
            if old.shape[1:] != new.shape[1:]:
                self._replace_shared()
            self._send_panels(range(count))
            if old.shape != new.shape:
                self._relayout()
            return
        if old.shape[1:] != new.shape[1:]:
            for widget in [w for p in self._panels for w in p.widgets()]:
                widget.close()
            self._panels = []
            self._feed.reset([])
            self._replace_shared()
        elif dtype_changed:
            # A change of wire dtype resends every panel, so all use the same precision.
            self._stale_panels.update(range(min(count, old.shape[0])))
        else:
            if known is not None and known[0] is old and known[1] is new:
                changed = known[2]
            else:  # e.g. several assignments merged by hold_sync: compare first and last
                changed = changed_maps(old, new)
            self._stale_panels.update(changed.tolist())
        if count != old.shape[0] or not self._panels:
            self._sync_panel_count()
            self._relayout()
            self._apply_highlight()
        self._stale_limits = True
        self._schedule_flush()

    def _replace_shared(self) -> None:
        """New scales and axes for a new map size, so no old row or column lingers in an
        ordinal scale's domain."""
        for widget in self._shared.widgets():
            widget.close()
        self._shared = _render.make_shared(self._geometry(), self._color_scale)

    def _send_panels(self, indices: Any) -> None:
        """Send changed panels (and the limits they imply) now, or merge them into the next
        send if the last one was less than MIN_SEND_INTERVAL ago and an event loop can
        deliver it later."""
        self._stale_panels.update(indices)
        self._stale_limits = True
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        wait = self._last_send + self.MIN_SEND_INTERVAL - time.monotonic()
        if wait <= 0:
            self._flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): nothing could send later
            self._flush()
            return
        if not self._flush_pending:
            self._flush_pending = True
            loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        """Send what is stale: changed panels, then the colour limits."""
        with self._lock:
            self._flush_pending = False
            stale, self._stale_panels = self._stale_panels, set()
            if self._canvas is not None and stale:
                # The whole tensor: one message, one buffer. data is read-only and replaced,
                # never changed, so the canvas may keep it instead of a float32 copy.
                self._canvas.set_data(self.data, copy=False)
            stale = sorted(i for i in stale if i < len(self._panels))
            if stale:
                self._push_panels(stale)
            if self._stale_limits:
                self._stale_limits = False
                self._update_limits()
            self._last_send = time.monotonic()

    def _push_panels(self, indices: list[int]) -> None:
        """Send maps ``indices`` in one message through the feed, which redraws them in
        the page; their marks get the same values in Python, unsent."""
        everything = len(indices) == self.data.shape[0]  # sorted, distinct: all maps
        wire = _render.wire_values(self.data if everything else self.data[indices],
                                   self._wire_dtype)
        for position, index in enumerate(indices):
            store_quietly(self._panels[index].mark, "color", wire[position])
        self._feed.push(wire, indices)

    def _resync(self) -> None:
        """A page's feed started after updates were sent: send it every map."""
        with self._lock:
            if self._built and self._panels:
                self._push_panels(list(range(len(self._panels))))

    @observe("vmin", "vmax")
    def _on_limits(self, change: traitlets.Bunch) -> None:
        # Limits from a loop (e.g. autoscale every training step) are merged like data.
        if self._built:
            self._stale_limits = True
            self._schedule_flush()

    @observe("colormap")
    def _on_colormap(self, change: traitlets.Bunch) -> None:
        if self._built:
            stops = colormap_stops(change["new"])
            self._color_scale.colors = stops
            if self._canvas is not None:
                self._canvas.stops = stops

    @observe("highlighted")
    def _on_highlighted(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._apply_highlight()

    @observe("labels")
    def _on_labels(self, change: traitlets.Bunch) -> None:
        if not self._built:
            return
        if self._canvas is not None:
            self._canvas.labels = list(change["new"])
        for panel, label in zip(self._panels, change["new"]):
            panel.figure.title = label
            panel.tooltip.labels = _render.tooltip_labels(label)
            panel.title_button.tooltip = _render.title_tooltip(label)

    @observe("columns", "cell_size")
    def _on_layout(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._relayout()

    @observe("renderer")
    def _on_renderer(self, change: traitlets.Bunch) -> None:
        if self._built and self._uses_canvas() != (self._canvas is not None):
            self._sync_view()
            self._apply_highlight()

    @observe("show_controls")
    def _on_show_controls(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._set_children()

    @observe("nan_color", "selected")
    def _on_style(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._style.value = self._style_html()
            if self._canvas is not None:
                with Widget.hold_sync(self._canvas):
                    self._canvas.nan_color = self._nan_css()
                    self._canvas.selected = list(self.selected or [])
