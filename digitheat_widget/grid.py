"""``DigitHeatmapGrid``: a stack of (N, H, W) maps as a grid of heatmaps with one colour scale.

The class holds the traits, their validation and the wiring: each change becomes a new
:class:`~digitheat_widget.figure.Figure` (what is drawn), of which the live view
(:mod:`digitheat_widget.live`) sends only the changed parts to the page, and from which
the static pictures and the exported page (:mod:`digitheat_widget.export`) are drawn.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import html
import operator
import threading
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any
from uuid import uuid4

import numpy as np
import traitlets
from ipywidgets import HTML, CallbackDispatcher, Layout, VBox, Widget
from traitlets import Bool, TraitError, TraitType, Unicode, observe

from . import versions
from .controls import GridControls, GridLink, close_widgets
from .data import (AUTOSCALE_MODES, MapWriter, auto_limits, autoscale_limits, fixed_limits,
                   panel_range_limits, range_limits, sample_data)
from .figure import Figure, describe
from .figure.model import page_limits
from .figure.colormaps import DEFAULT_COLORMAP, colormap_stops
from .figure.layout import DEFAULT_NAN_COLOR, default_columns
from .figure.ticks import tick_format, tick_labels
from .export import Exports
from .compare import SHOWING, Compare
from .frames import Frames
from .pages import Pages, stack_robust_limits
from .live.controller import PAGE_EVENT_STATE
from .live.codec import wire_dtype
from .live.view import LiveView
from .traits import Cell, Choice, RowCol, Colormap, GridChecks, checked_map, IndexList, Integer, Labels, Limit, Tensor, changed_maps, count_mismatch, map_changed, owner

#: Which parts of the figure a trait's change touches ("layout" rebuilds the live widgets).
_PARTS = {
    "vmin": "limits", "vmax": "limits", "colormap": "colormap", "nan_color": "nan_color",
    "highlighted": "highlighted", "selected": "selected", "labels": "layout",
    "columns": "layout", "cell_size": "layout", "renderer": "layout",
    "reference": "reference", "showing": "showing", "difference_colormap": "showing",
    "panel_limits": "layout",  # a scale strip under each panel, or the colorbar
}


def _unknown_name(grid: Any, name: str) -> str:
    """The refusal of ``grid.<name> = ...`` for a name the grid does not know: what came,
    what was expected, and the closest trait (else the closest other name)."""
    cls = type(grid).__name__
    traits = sorted(t for t in grid.trait_names() if not t.startswith("_"))
    close = difflib.get_close_matches(name, traits, n=1) or difflib.get_close_matches(
        name, [n for n in dir(type(grid)) if not n.startswith("_")], n=1)
    if close:
        hint = f"did you mean {cls}.{close[0]}?"
    else:
        own = [t for t in traits if t not in VBox.class_trait_names()]
        hint = f"the grid's traits are {', '.join(own)}"
    return (f"{cls}.{name} is not a trait of the grid: expected the name of a trait, "
            f"property or method, got {name!r} (nothing was set); {hint}")


@functools.lru_cache(maxsize=1024)
def _bookkeeping(cls: type, name: str) -> bool:
    """Whether ``cls.<name>`` (a name starting with "_") is the grid's bookkeeping, not a
    trait (ipywidgets' ``_dom_classes``...): asked once per class and name, as a panel
    update sets a few of them."""
    return not isinstance(getattr(cls, name, None), TraitType)


class _Abandoned(TraitError):
    """Carries another error out of a batch, so traitlets rolls the batch back."""


class DigitHeatmapGrid(Pages, Frames, Compare, GridChecks, Exports, VBox):
    """A grid of heatmaps, one per map of an (N, H, W) tensor, sharing one colour scale.

    By default it shows the bundled sample: the mean image of each handwritten digit 0-9
    as a 7x6 map, five rows of two panels, "hot" colours and one colorbar.

    Parameters
    ----------
    data
        Real array-like of shape (N, H, W): N maps of H rows by W columns. ``None``
        shows :func:`digitheat_widget.sample_data`. The widget keeps its own copy. A Dask
        array, an xarray ``DataArray`` or a Zarr array is not computed: the grid shows
        it a page at a time (see :mod:`digitheat_widget.pages`), as it does an in-memory
        stack of more than 4096 panels.
    vmin, vmax
        Colour limits; ``None`` takes the data's minimum / maximum.
    colormap
        A colormap name (see :func:`digitheat_widget.colormap_names`) or a list of CSS
        colours spread evenly from vmin to vmax.
    highlighted
        Indices of panels to emphasise; the others are dimmed.
    labels
        Panel titles; default ``"0"`` .. ``"N-1"`` (for a paged stack, one per panel of
        the whole stack, or its ``DataArray`` coordinate).
    columns
        Panels per row of the grid; ``None``: 2 for up to 12 panels (the reference 5 x 2
        layout), else as many as fit about 960 px.
    nan_color
        CSS colour for missing values (NaN).
    cell_size
        Pixels per cell; ``None`` chooses about 150 px for a panel's longer side.
    controls
        Show a control panel (colour limits, colormap, highlight toggles) above the grid.
    player
        With frames and no control panel, show a compact player (play/pause and a frame
        scrubber) under the grid, in the notebook and in exported pages; see
        :attr:`show_player`.
    renderer
        ``"auto"`` (default), ``"svg"`` or ``"canvas"``; see :attr:`renderer`.
    panel_limits
        ``"shared"`` (default: one colour scale, one colorbar) or ``"per-panel"`` (each
        map its own automatic limits and a scale strip under it); see :attr:`panel_limits`.
    page_size
        Panels per page; see :attr:`page_size`.
    stack_limits
        Paged: compute the whole stack's colour limits in the background; see
        :attr:`stack_limits`.
    **kwargs
        Passed to :class:`ipywidgets.VBox` (e.g. ``layout``).

    Examples
    --------
    >>> from digitheat_widget import DigitHeatmapGrid, sample_data
    >>> grid = DigitHeatmapGrid(sample_data())
    >>> grid.vmax = 0.01
    >>> grid.highlighted = [3, 8]
    """

    data = Tensor(
        help="The maps shown, as a read-only float64 array of shape (N, H, W). Assign any "
        "real (N, H, W) array-like to change it; the widget copies what it is given."
    )
    vmin = Limit(None, allow_none=True, help="Lower colour limit; None = the data's minimum.")
    vmax = Limit(None, allow_none=True, help="Upper colour limit; None = the data's maximum.")
    colormap = Colormap(
        DEFAULT_COLORMAP,
        help="Colormap name (matplotlib's, e.g. 'hot', 'viridis', 'RdBu_r') or a list of "
        "CSS colours spread evenly from vmin to vmax.",
    )
    highlighted = IndexList(
        help="Indices of emphasised panels (accent outline); the others are dimmed. [] = none."
    )
    labels = Labels(help="Panel titles, one per map; default '0'..'N-1'.")
    columns = Integer(2, help="Number of panels per row of the grid (at least 1).")
    nan_color = Unicode(DEFAULT_NAN_COLOR, help="CSS colour for missing values (NaN).")
    cell_size = Integer(
        None, allow_none=True, help="Pixels per cell (1-64); None = automatic from the map size."
    )
    selected = Cell(
        help="The last clicked cell as (digit, row, column), or None. Setting it marks that cell."
    )
    cursor = RowCol(
        help="The linked cursor: (row, column) marked in every panel, with that cell's value "
        "in every map read out under the grid; None = off. Set in the page by the key L "
        "(on the focused cell) or a double-click on a cell; while it is on, hovering or "
        "moving the keyboard focus moves it."
    )
    show_controls = Bool(False, help="Show the control panel above the grid.")
    show_player = Bool(
        True, help="With frames and no control panel, show a compact player under the grid "
        "(play/pause and a frame scrubber with the frame's label), live and in exported "
        "pages; False hides it (the keys [, ] and P still play the frames). Pictures "
        "(SVG, PNG, animations) never show it.")
    renderer = Choice(
        ["auto", "svg", "canvas"], "auto",
        help="How panels are drawn: 'svg' (bqplot GridHeatMap, one element per cell), "
        "'canvas' (one canvas for all panels, for large stacks), or 'auto': canvas above "
        "10,000 cells.",
    )

    panel_limits = Choice(
        ["shared", "per-panel"], "shared",
        help="'shared': one colour scale for every panel (its limits: vmin/vmax, else the "
        "range of what is shown) and one colorbar. 'per-panel': each panel's automatic "
        "limits are its own range, by the same rule (maps of very different magnitudes "
        "each use the whole colormap), each with a scale strip under the panel (its low "
        "and high); vmin/vmax, when set, still fix those ends of every panel, and "
        "autoscale('robust'|'symmetric') sets each panel's limits from that panel. "
        "grid.limits stays the shared pair; grid.panel_ranges gives each panel's.",
    )

    #: Above this many cells (N*H*W) 'auto' draws on a canvas: bqplot's SVG heatmap writes
    #: one element per cell and slows to seconds per update near 100 maps of 28x28.
    CANVAS_THRESHOLD = 10_000

    #: Data updates closer together than this (seconds) are merged, so a training loop that
    #: assigns data as fast as it can never builds a backlog of messages to the page: the
    #: page gets the latest values at most this often, and the last ones when the loop ends.
    MIN_SEND_INTERVAL = 1 / 60

    #: Large updates are spaced so their values travel at most this many bytes per second
    #: (a 100x28x28 update, 314 KB of float32, at most about 38 times a second): faster,
    #: a notebook server and browser on a small machine fall behind, and the page would
    #: show an old update while newer ones queue. The last values always arrive. (On a
    #: shared 2-core machine 10 MB/s held the canvas page near 27-31 updates/s, 12 MB/s
    #: gave 32-35/s, 14 MB/s up to 40/s but ended up to 0.2 s behind: docs/speed.md.)
    MAX_SEND_RATE = 12_000_000

    def __init__(
        self,
        data: Any = None,
        *,
        vmin: float | None = None,
        vmax: float | None = None,
        colormap: str | Sequence[str] = DEFAULT_COLORMAP,
        highlighted: Sequence[int] = (),
        labels: Sequence[str] | None = None,
        columns: int | None = None,
        nan_color: str = DEFAULT_NAN_COLOR,
        cell_size: int | None = None,
        controls: bool = False,
        player: bool = True,
        renderer: str = "auto",
        page_size: int | None = None,
        stack_limits: bool = True,
        panel_limits: str = "shared",
        **kwargs: Any,
    ) -> None:
        """Make a grid of ``data`` (the bundled sample when None); every option is a trait
        of the same name (``controls`` sets ``show_controls``, ``player`` ``show_player``).
        See the class docstring."""
        unknown = sorted(k for k in kwargs if not VBox.class_traits().get(k))
        if unknown:
            # traitlets would only warn and drop a misspelt option such as colourmap=...
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword argument(s) {unknown}; the "
                f"grid's options are data, vmin, vmax, colormap, highlighted, labels, columns, "
                f"nan_color, cell_size, controls, player, renderer, page_size, stack_limits, "
                f"panel_limits, plus VBox's "
                f"(e.g. layout)"
            )
        self._click_handlers = CallbackDispatcher()
        self._maps_writer = MapWriter()  # update_panel's new tensors
        self._wire_cache: tuple[tuple, dict[str, type]] | None = None
        #: Inside the outermost hold_sync: what undoes its changes outside traitlets' own
        #: rollback (the history buffer, the paged source), run if the batch is refused.
        self._rollbacks: list[Callable[[], None]] | None = None
        #: The automatic limits and what they were found for (data, frames, ...), one
        #: attribute (one assignment when found again).
        self._auto_cache: tuple[tuple, tuple[float, float]] | None = None
        self._frame_data_pending = False  # data is being set to a frame the page holds
        #: Per-panel limits autoscale("robust" | "symmetric") fixed (None: automatic).
        self._panel_fixed: np.ndarray | None = None
        self._autoscaling = False
        self._following_data = False
        #: Whether the user gave ``columns`` (else the page may use fewer where narrow).
        self._columns_given = columns is not None
        self._uid = uuid4().hex[:12]
        # Given at construction, the width and classes travel in the opening message (set
        # afterwards, each would be a message more before the first paint).
        if "layout" not in kwargs:
            kwargs["layout"] = Layout(width="fit-content")  # as wide as the figure
        kwargs["_dom_classes"] = [*kwargs.get("_dom_classes", ()), "digitheat-grid",
                                  f"dhg-{self._uid}"]
        super().__init__(**kwargs)
        try:
            with self.hold_trait_notifications():
                if labels is not None:
                    # Given first, labels are checked first: given with data of another
                    # count, the refusal names labels (one per panel), not data.
                    self.labels = labels
                self.page_size = page_size
                self.stack_limits = stack_limits
                self.data = sample_data() if data is None else data
                if self.paged and labels is not None:  # the whole stack's titles
                    if len(labels) != self.panel_count:
                        raise count_mismatch(self, "labels", "labels", "panel of the stack",
                                             self.panel_count, len(labels))
                    self._source.names, labels = list(labels), None
                self.labels = self._default_labels(self.data.shape[0]) if labels is None else labels
                self.vmin, self.vmax = vmin, vmax
                self.colormap = colormap
                self.highlighted = highlighted
                self.columns = columns if columns is not None else default_columns(
                    *self.data.shape, cell_size)
                self.nan_color = nan_color
                self.cell_size = cell_size
                self.renderer = renderer
                self.panel_limits = panel_limits
                self.show_controls = controls
                self.show_player = player
        except TraitError:
            # The box and its layout are already open; a refused grid must not leak them.
            layout = self.layout
            super().close()
            layout.close()
            raise
        self._view = LiveView(
            self._uid, lambda: (self.figure, self._uses_canvas(), self._wire_dtypes()),
            self._lock, self._send_interval, player=self._player_in_page(),
            paging=self._paging_state())
        self._view.frames_source = lambda: (self._history.view, self.frame_labels, self.frame,
                                            self.frame_limits)
        self._view.data_source = lambda: self.data  # the page works out what is shown
        # What a send of maps and limits needs, without describing the whole figure.
        self._view.limits_source, self._view.dtypes_source = self._page_limits, self._wire_dtypes
        self._view.paging_source = self._paging_state  # travels with the maps it describes
        self._view.compare_source = self._compare_state
        self._view.controller.on_page_change(self._on_page_event)
        self._view.controller.on_resync(self._resync)
        self._view.controller.on_frames_resync(lambda: self._resync(frames=True))
        self._version_notice: HTML | None = None
        untested = versions.installed_untested()
        if untested:
            # A front end the controller was not tested with may leave the grid blank:
            # say why in Python and, in words any ipywidgets front end shows, in the page.
            text = versions.notice(untested)
            warnings.warn(text, versions.UntestedVersionWarning, stacklevel=2)
            self._version_notice = HTML(html.escape(text))
            self._version_notice.add_class("digitheat-version-notice")
        self._set_children()

    def __repr__(self) -> str:
        """One line: what the grid shows (the ipywidgets default is 33 KB of state)."""
        try:
            return f"<DigitHeatmapGrid: {self.figure.summary()}>"
        except (TraitError, AttributeError, ValueError):  # refused while being built
            return "<DigitHeatmapGrid (not built)>"

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] == "_" and _bookkeeping(type(self), name):
            # The grid's own bookkeeping (caches, flags): set by its code, inside the lock
            # where it matters; one plain assignment, nothing to check or send.
            object.__setattr__(self, name, value)
            return
        if not name.startswith("_") and not hasattr(type(self), name) and name not in self.__dict__:
            # A misspelt trait (grid.vamx = 0.01) would otherwise become a plain attribute
            # that changes nothing. Known: traits, properties, methods, class attributes.
            raise AttributeError(_unknown_name(self, name))
        # One lock for every change: an assignment (from any thread) is validated, stored
        # and sent whole before another starts, so the page never gets a mix of two tensors.
        lock = self.__dict__.get("_lock")
        if lock is None:  # traitlets sets attributes in __new__, before __init__ runs
            lock = threading.RLock()
            object.__setattr__(self, "_lock", lock)
        with lock:
            if name == "columns" and self._view is not None and not self._columns_given:
                self._give_columns(value)
                return
            super().__setattr__(name, value)

    def _give_columns(self, value: Any) -> None:
        """``columns`` assigned once the grid is made: from then on the page keeps that
        many columns however narrow it is (js/src/page/fit.js), as it does for columns
        given to the constructor; before, it may use fewer. The page is told even when
        the value is the one it shows already."""
        before, self._columns_given = self.columns, True
        self._on_rollback(lambda: setattr(self, "_columns_given", False))
        try:
            super().__setattr__("columns", value)
        except BaseException:
            self._columns_given = False
            raise
        view = self._live()
        if view is not None and self.columns == before:  # no change for the observer
            view.request(parts=["layout"])

    # ------------------------------------------------------------------ reading

    @property
    def figure(self) -> Figure:
        """What the grid draws now (geometry, limits, formats, colours, titles...): the
        one description every renderer draws from."""
        limits, auto = self._limits_now()
        colormap = self.difference_colormap if self.showing == "difference" else self.colormap
        return describe(
            self._shown(), limits=limits, auto=auto,
            vmin=self.vmin, vmax=self.vmax, colormap=colormap, nan_color=self.nan_color,
            # Paged, the figure is the page: highlight and selection on it, in its indices.
            labels=self.labels, highlighted=self._on_page(self.highlighted),
            selected=self._local_selected(),
            columns=self.columns, cell_size=self.cell_size, columns_given=self._columns_given,
            panels=self._panel_now(),
        )

    def _limits_now(self, vmin: Any = ..., vmax: Any = ...
                    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """The limits in force and the automatic limits, as the figure has them (with
        ``vmin`` and ``vmax`` when the caller has read them already)."""
        if vmin is ...:
            vmin, vmax = self.vmin, self.vmax
        auto = self._auto_now()
        both_auto = vmin is None and vmax is None
        return (auto if both_auto else range_limits(auto, vmin, vmax)), auto

    def _page_limits(self, parts: Collection[str] = ("limits", "auto_limits")
                     ) -> dict[str, object]:
        """The figure's ``page_limits()`` and ``page_auto_limits()`` without describing the
        whole figure (all that a data update may change besides the maps), as
        ``{"limits": ..., "auto_limits": ...}``, or the one of them ``parts`` names."""
        if "limits" not in parts:  # (what a data update sends when the limits are fixed)
            return {"auto_limits": list(self._auto_now())}
        vmin, vmax = self.vmin, self.vmax  # read once (a trait read is a descriptor call)
        limits, auto = self._limits_now(vmin, vmax)
        panels = self._panel_now()
        found: dict[str, object] = {
            "limits": page_limits(limits, vmin, vmax, *(panels or (None, None)))}
        if "auto_limits" in parts:
            found["auto_limits"] = list(auto)
        return found

    def _panel_now(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per-panel limits: each panel's limits in force and automatic limits, (N, 2)
        each (what is shown, in the page's panel order), or None with one shared scale.
        From each map's kept extremes (``MapSummary``): N numbers, no pass over the stack."""
        if self.panel_limits != "per-panel":
            return None
        auto = self._panel_auto(*self._panel_spans())
        return self._panel_in_force(auto), auto

    def _panel_in_force(self, auto: np.ndarray) -> np.ndarray:
        """Each panel's limits in force given its automatic ones: vmin/vmax fix those ends
        of every panel (the shared rule, per panel); else the limits autoscale fixed per
        panel, if any; else the automatic ones."""
        vmin, vmax = self.vmin, self.vmax
        if vmin is not None or vmax is not None:
            return panel_range_limits(auto[:, 0], auto[:, 1], vmin, vmax)
        fixed = self._panel_fixed
        return fixed if fixed is not None and fixed.shape == auto.shape else auto

    @property
    def panel_ranges(self) -> list[tuple[float, float]]:
        """Each panel's colour limits in force ``(low, high)``, in the order of the panels
        shown (a paged grid: the page's). With ``panel_limits="per-panel"``, each panel's
        own (its range by the rule of :attr:`limits`, vmin/vmax where set, or what
        :meth:`autoscale` fixed for it); with ``"shared"``, :attr:`limits` for every panel."""
        panels = self._panel_now()
        if panels is None:
            return [self.limits] * int(self.data.shape[0])
        return [(low, high) for low, high in panels[0].tolist()]

    def _auto_base(self, stack: Any = ...) -> tuple[float, float]:
        """The data's automatic limits (with frames and 'fixed', every frame's; paged,
        the whole stack's once they are known: ``stack``, the ``_stack_limits()`` the
        caller read, if it did)."""
        if stack is ...:
            stack = self._stack_limits()
        if stack is not None and stack["count"]:
            return auto_limits(np.array([stack["min"], stack["max"]]), None, None)
        return range_limits(self._limits_span(), None, None)

    def _auto_now(self) -> tuple[float, float]:
        """The automatic limits of what is shown, found again only when data, frames or
        the reference change (all read-only and replaced, never changed in place)."""
        stack = self._stack_limits()
        key = (self.data, self._history.view, self.frame_limits, self.reference, self.showing,
               stack)
        cached = self._auto_cache
        if cached is None or any(map(operator.is_not, cached[0], key)):
            self._auto_cache = cached = (key, self._compare_auto(self._auto_base(stack)))
        return cached[1]

    @property
    def limits(self) -> tuple[float, float]:
        """The colour limits in force ``(low, high)``: vmin/vmax, or the range of what is
        shown (with frames and ``frame_limits="fixed"``, of every frame; with a reference,
        of data and reference together, or symmetric about 0 for the difference)."""
        return range_limits(self._auto_now(), self.vmin, self.vmax)

    @property
    def tick_format(self) -> str:
        """The d3-format string of the colorbar's tick labels."""
        return tick_format(*self.limits)

    def tick_labels(self) -> list[str]:
        """The colorbar's tick labels, as the page writes them."""
        return tick_labels(*self.limits)

    @property
    def css_class(self) -> str:
        """The CSS class of this grid's element in the page (``.digitheat-grid`` is on
        every grid): for selecting it in a page, a stylesheet or a browser test."""
        return f"dhg-{self._uid}"

    @property
    def active_renderer(self) -> str:
        """The renderer drawing the panels now: ``"svg"`` or ``"canvas"``."""
        return self._view.active_renderer if self._view is not None else "svg"

    def _send_interval(self) -> float:
        """Seconds between sends: MIN_SEND_INTERVAL, or longer after a large one."""
        payload = self._view.last_payload if self._view is not None else 0
        return max(self.MIN_SEND_INTERVAL, payload / self.MAX_SEND_RATE)

    def _uses_canvas(self) -> bool:
        if self.renderer == "auto":
            return self.data.size > self.CANVAS_THRESHOLD or min(self.data.shape[1:]) == 1
        return self.renderer == "canvas"

    # ------------------------------------------------------------------ user actions

    def on_cell_click(
        self, callback: Callable[[int, int, int, float], Any], remove: bool = False
    ) -> None:
        """Call ``callback(digit, row, column, value)`` whenever a cell is clicked.

        ``value`` is the cell's value in :attr:`data` (NaN for a missing value); ``digit``
        is the panel's index in the whole stack when the grid is paged. A callback
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

    def _on_page_event(self, event: str, value: list[int],
                       made_on: tuple[int, int, int | None] | None = None) -> None:
        """A person changed the highlight or selected a cell in the page (already shown
        there): apply it here, or tell the page what stands if it is refused. A click
        names panels in the indices of the page it was made on: ``made_on`` (offset,
        count, stack) says which, so one that crossed a page change still means what was
        clicked, and one (or a page turn) made on a stack no longer shown is ignored
        (None: the page shown now, as pages saved before it was sent meant)."""
        try:
            if event == "highlighted":
                self._set_page_highlight(value, made_on)
            elif event == "page":  # a turn asked on a stack no longer shown: ignored
                self._page_made_on(made_on, "page")
                self.page = value[0] if len(value) == 1 else value
            elif event == "frame":
                self.frame = value[0] if len(value) == 1 else value
            elif event == "showing":
                self.showing = SHOWING[value[0]] if len(value) == 1 and 0 <= value[0] < 3 else value
            elif event == "cursor":  # a cell position, the same on every page: no offset
                cursor = tuple(value) if value else None
                # The page shows it already: no echo (one comes late, after the pointer
                # moved on, and would pull the page's cursor back).
                with self._view.controller._lock_property(cursor=list(value)):
                    self.cursor = cursor
            else:
                offset, count = self._page_made_on(made_on, "selected")
                if len(value) == 3:  # a cell of the page clicked: its panel's global index
                    if not 0 <= value[0] < count:
                        raise TraitError(f"{owner(self, 'selected')} expected a panel of the "
                                         f"page clicked, 0..{count - 1}, got {value[0]}")
                    value = [value[0] + offset, *value[1:]]
                self.selected = tuple(value)
        except TraitError:
            # Refused: tell the page what stands, in the controller's trait for that event.
            self._view.controller.send_state(PAGE_EVENT_STATE[event])
            return
        if event == "selected":
            digit, row, col = self.selected  # maybe on a page no longer shown
            self._click_handlers(digit, row, col, self._panel_value(digit, row, col))

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
        if mode not in AUTOSCALE_MODES:
            raise ValueError(
                f"{type(self).__name__}.autoscale expected mode in {AUTOSCALE_MODES}, got {mode!r}"
            )
        if self.panel_limits == "per-panel":
            return self._autoscale_panels(mode, diverging)
        # From what is shown: comparing, the reference or the difference, not the data.
        stack = self._stack_limits() if self.reference is None or self.showing == "data" else None
        if stack is not None and stack["count"] and mode != "minmax":
            low, high = stack_robust_limits(stack) if mode == "robust" else autoscale_limits(
                np.array([stack["min"], stack["max"]]), mode)
        else:
            low, high = autoscale_limits(self._shown(), mode)
        with self.hold_sync():
            self.vmin, self.vmax = low, high
            if mode == "symmetric" and low is not None and diverging is not None:
                self.colormap = diverging
        return self.limits

    def _autoscale_panels(self, mode: str, diverging: str | None) -> tuple[float, float]:
        """:meth:`autoscale` with per-panel limits: each panel's limits from that panel
        alone (``data.autoscale_limits`` of its map; a panel it leaves automatic, e.g. a
        constant one under "robust", keeps its automatic limits), fixed until vmin/vmax
        are set, autoscale("minmax"), another panel_limits or other panels are shown."""
        shown = self._shown()
        panels = self._panel_now()
        assert panels is not None
        fixed = None
        if mode != "minmax":
            fixed = panels[1].copy()
            for index, maps in enumerate(shown):
                low, high = autoscale_limits(maps, mode)
                if low is not None and high is not None:
                    fixed[index] = (low, high)
        before = self._panel_fixed
        with self._lock:
            self._autoscaling = True
            try:
                with self.hold_sync():
                    self._set_panel_fixed(fixed)
                    self.vmin = self.vmax = None
                    if mode == "symmetric" and diverging is not None:
                        self.colormap = diverging
            finally:
                self._autoscaling = False
        view = self._live()
        if view is not None and not (before is fixed or before is not None and fixed is not None
                                     and np.array_equal(before, fixed)):
            view.request(parts=["limits"])
        return self.limits

    @observe("vmin", "vmax", "panel_limits")
    def _on_limits_given(self, change: traitlets.Bunch) -> None:
        """vmin/vmax given, or another panel_limits: per-panel limits autoscale fixed end."""
        if not self._autoscaling and self._panel_fixed is not None:
            self._set_panel_fixed(None)

    def _set_panel_fixed(self, fixed: np.ndarray | None) -> None:
        """The per-panel limits autoscale fixed (None: automatic again), put back if the
        batch it belongs to fails."""
        before = self._panel_fixed
        self._on_rollback(lambda: setattr(self, "_panel_fixed", before))
        self._panel_fixed = fixed

    def update_panel(self, digit: int, values: Any) -> None:
        """Replace one map; only that panel is sent to the page, and the update costs
        about that panel, however many maps the grid holds. Paged: a panel of the page
        shown (the stack given is not changed).

        Parameters
        ----------
        digit
            Index of the map, 0..N-1 (negative indices count from the end).
        values
            Real array-like of shape (H, W).
        """
        maps, summary = checked_map(self, digit, values)  # (1, H, W), its extremes
        with self._lock:  # read, change and assign as one step, or a thread's panel is lost
            old = self.data
            digit = int(digit) % old.shape[0]
            kept = self._kept_summary(old)  # each map's extremes, if known for ``old``
            ends = None if kept is None or summary is None else (
                kept.low.item(digit), kept.high.item(digit), summary.low.item(0),
                summary.high.item(0))
            if not map_changed(old[digit], maps[0], ends):
                return  # as for data equal to the last: nothing changes, nothing is sent
            # The new tensor costs the panel (data.MapWriter), and so does what follows
            # it: each map's extremes (limits, precision), the difference, the page's
            # patch. Paged, the page's own panel changes (the stack given does not).
            new = self._maps_writer.replaced(old, [digit], maps)
            same = self._maps_replaced(old, new, [digit], summary)
            if same:  # limits and precision, found for old, hold for new
                if self._auto_cache is not None and self._auto_cache[0][0] is old:
                    self._auto_cache = ((new, *self._auto_cache[0][1:]), self._auto_cache[1])
                if self._wire_cache is not None and self._wire_cache[0][0] is old:
                    self._wire_cache = ((new, *self._wire_cache[0][1:]), self._wire_cache[1])
            view = self._live()
            if view is None or not self._history.count:
                type(self).data.set_maps(self, new, np.array([digit]), same)
                return
            with view.batched():  # the frame shown becomes none: in the same message
                type(self).data.set_maps(self, new, np.array([digit]), same)

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
        also be displayed on its own, anywhere. It works in the page without a kernel.
        """
        if self._controls is None:
            if self.closed:
                raise RuntimeError(f"{type(self).__name__}.controls: the grid is closed")
            self._controls = GridControls(self, GridLink(
                highlighted_shown=lambda: self._on_page(self.highlighted),
                panels_per_page=self._page_size_in_force,
                highlight_shown=self._set_page_highlight,
                show_in_page=self._show_controls_in_page,
                closed=self._forget_controls))
            self._show_controls_in_page(self._controls)
        return self._controls

    # ------------------------------------------------------------------ batching, closing

    @contextlib.contextmanager
    def hold_sync(self) -> Iterator[None]:
        """Batch changes: traits are checked together at the end, and the page gets one
        message for all of them.

        Use it to change several traits that depend on each other, e.g. both limits,
        or data with a different N together with its labels. If any value is refused,
        none is applied.
        """
        with contextlib.ExitStack() as stack:
            # Other threads wait until the batch is applied or refused: their changes must
            # not join (and be rolled back with) this one.
            stack.enter_context(self._lock)
            outermost = self._rollbacks is None
            if outermost:
                self._rollbacks = []
                stack.callback(setattr, self, "_rollbacks", None)
            # Trait notifications exit first: the observers run (and change the
            # controller) while the controller's hold still batches.
            view = self._live()
            if view is not None:
                stack.enter_context(Widget.hold_sync(view.controller))
                # The page gets the batch's sends when it is applied, none if refused.
                stack.enter_context(view.transaction())
            try:
                with self.hold_trait_notifications():
                    try:
                        yield
                    except TraitError:
                        raise
                    except BaseException as err:
                        # traitlets rolls a batch back only for a TraitError: any other
                        # error (a refused autoscale mode, a bug in the caller, Ctrl-C)
                        # must leave no change of the batch applied either.
                        raise _Abandoned() from err
            except Exception as refused:
                if outermost:  # traitlets restored the traits; the rest follows them
                    for undo in reversed(self._rollbacks or []):
                        undo()
                if isinstance(refused, _Abandoned):
                    raise refused.__cause__ from None
                raise

    def _on_rollback(self, undo: Callable[[], None]) -> None:
        """Call ``undo()`` if the batch being applied (the outermost ``hold_sync``) is
        refused: for state traitlets does not roll back itself."""
        if self._rollbacks is not None:
            self._rollbacks.append(undo)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called: the traits still change, nothing is sent."""
        return self._view is not None and self._view.controller.comm is None

    def close(self) -> None:
        """Close the grid and every widget it created (panels, scales, axes, layouts).

        Afterwards its traits can still be read and set (nothing is sent, no widget is
        opened); :attr:`controls` raises."""
        if getattr(self, "_controls", None) is not None:
            self._controls.close()
            self._controls = None
        if self._view is not None:
            self._view.close()
        if getattr(self, "_version_notice", None) is not None:
            self._version_notice.close()
        if self._summary is not None:
            self._summary.cancel()
        if self._limits_status is not None:
            close_widgets([*self._limits_status.children, self._limits_status])
        layout = self._trait_values.get("layout")  # reading .layout would create one
        super().close()
        # ipywidgets sets the instance's _repr_mimebundle_ to None, so a closed grid
        # displayed showed its repr as if it were live: the class's own says it is closed.
        self.__dict__.pop("_repr_mimebundle_", None)
        if layout is not None:
            layout.close()

    # ------------------------------------------------------------------ wiring

    # ------------------------------------------------------------------ the live view

    _view: LiveView | None = None  # built at the end of __init__, from the traits set there
    _controls: GridControls | None = None

    def _live(self) -> LiveView | None:
        """The one answer to "is the view there?": the live view once built and until
        the grid is closed (then nothing is sent), else None."""
        view = self._view
        return view if view is not None and view.controller.comm is not None else None

    # ------------------------------------------------------------------ exports' wiring

    def _send_pending(self) -> None:
        view = self._live()
        if view is not None and view.flush_pending:
            view.flush()

    def _widgets_needing_python(self) -> list[Widget]:
        # A paged grid's pager reads another page in Python: the offline page holds one.
        pager = self._controls.pager if self._controls is not None else None
        return [pager] if pager is not None else []

    def _show_controls_in_page(self, panel: GridControls) -> None:
        """Let the page's controller drive (and follow) ``panel``, if it is this grid's."""
        view = self._live()
        if panel is self._controls and view is not None:
            view.set_controls(*panel.page_refs())

    def _forget_controls(self, panel: Widget) -> None:
        """``panel`` (this grid's control panel) was closed: the page and Python stop
        using it; ``show_controls`` becomes False, and True again makes a new panel."""
        if panel is not self._controls:
            return
        self._controls = None
        view = self._live()
        if view is not None:
            view.set_controls({}, {})
        self.show_controls = False
        self.children = [c for c in self.children if c is not panel]

    def _set_children(self) -> None:
        shown: list[Widget] = [self._view.controller]
        if self._version_notice is not None:
            shown.insert(0, self._version_notice)
        if self.show_controls:
            shown.append(self.controls)
        if self.paged and self._limits_status is None:
            self._limits_status = self._make_limits_status()
            self._show_limits_status()
        if self._limits_status is not None:
            shown.append(self._limits_status)
        self.children = [*shown, self._view.body]

    # ------------------------------------------------------------------ paging's wiring

    def _paging_changed(self) -> None:
        view = self._live()
        if view is None:
            return
        # The page's indices of the highlight and selection change with the page; the
        # paging goes with them and the page's maps, in one message (LiveView.flush).
        view.request(parts=["highlighted", "selected"])
        # (The control panel follows the page through its data and labels observers.)
        if self.paged and self._limits_status is None and not self.closed:
            self._set_children()
        self._show_limits_status()

    def _stack_summary_arrived(self) -> None:
        view = self._live()
        if view is None:
            return
        view.request(parts=["limits", "auto_limits"])
        if self._controls is not None:
            self._controls.follow_grid()

    @observe("data")
    def _on_data(self, change: traitlets.Bunch) -> None:
        old, new = change["old"], change["new"]
        if not isinstance(old, np.ndarray):
            return  # the first value, in __init__
        # What the trait found changed, if it is about this very change (the trait drops
        # it after the observers: it holds the old tensor).
        known = self.__dict__.get("_changed_maps")
        if known is not None and (known[0] is not old or known[1] is not new):
            known = None  # about another change (e.g. several merged by hold_sync)
        from_frame = self._frame_data_pending
        if from_frame:
            self._frame_data_pending = False
        reshaped = old.shape != new.shape
        # Traits that follow a new shape: their own requests would rebuild the page's
        # widgets once more; the request below covers them.
        if reshaped or self.paged:  # else the same panels: nothing follows
            self._following_data = True
            try:
                self._follow_shape(new)
            finally:
                self._following_data = False
        view = self._live()
        if view is None:
            return
        shared = self.panel_limits == "shared"
        if known is not None and known[3:] == (True,) and shared:
            parts = []  # the data's extremes stayed: so did all that follows them
        else:
            # They follow the data; with vmin and vmax fixed, the limits in force do not.
            parts = (["auto_limits"] if shared and fixed_limits(self.vmin, self.vmax) is not None
                     else ["limits", "auto_limits"])
            if self.reference is not None:
                parts.append("showing")  # each view's limits (the difference's follow the data)
        # Maps replaced in place (update_panel) keep the shape and the renderer: a panel
        # update skips the renderer's test.
        in_place = known is not None and len(known) == 4 and not from_frame
        if not in_place and (reshaped
                             or self._uses_canvas() != (self.active_renderer == "canvas")):
            request = {"parts": [*parts, "layout"]}
        elif from_frame:  # the page holds the frames: it shows that one itself
            request = {"parts": parts, "frames": "shown"}
        elif known is not None:
            request = {"parts": parts, "maps": known[2].tolist()}
        else:  # e.g. several assignments merged by hold_sync: compare first and last
            request = {"parts": parts, "maps": changed_maps(old, new).tolist()}
        view.request(**request)  # a new precision: the view sends the whole stack

    def _follow_shape(self, new: np.ndarray) -> None:
        """Labels, highlight and selection that a tensor of a new shape invalidates."""
        count, panels = new.shape[0], self.panel_count
        with self.hold_trait_notifications():
            if len(self.labels) != count:
                self.labels = self._default_labels(count)  # validated: labels were the defaults
            kept = [i for i in self.highlighted if i < panels]
            if kept != self.highlighted:
                self.highlighted = kept
            if self.selected is not None and not all(
                    s < n for s, n in zip(self.selected, (panels, *new.shape[1:]))):
                self.selected = None
            if self.cursor is not None and not all(
                    s < n for s, n in zip(self.cursor, new.shape[1:])):
                self.cursor = None
            self._keep_for_panels(new.shape)

    def _keep_for_panels(self, shape: tuple[int, ...] | None) -> None:
        """The one rule of what follows the panels shown: frames and a reference are made
        of them, so maps of another ``shape`` (None: other panels, a new page) drop both,
        each by its owner's rule (frames reset their history, compare drops its
        reference)."""
        if self._panel_fixed is not None:  # limits autoscale fixed for other panels
            self._set_panel_fixed(None)
        with self.hold_trait_notifications():
            if shape is None or len(self.frames) and self.frames.shape[1:] != shape:
                self._drop_history()
            if shape is None or self.reference is not None and self.reference.shape != shape:
                self._drop_reference()

    @observe(*_PARTS)
    def _on_figure_trait(self, change: traitlets.Bunch) -> None:
        view = self._live()
        if view is not None and not self._following_data:
            part = _PARTS[change["name"]]
            parts = [part]
            if part in ("reference", "showing"):  # what is shown, its limits and colours
                parts += ["showing", "limits", "auto_limits", "colormap"]
            elif part == "colormap" and self.reference is not None:
                parts.append("showing")  # the page's base colormap for the other views
            view.request(parts=parts)

    @observe("cursor")
    def _on_cursor(self, change: traitlets.Bunch) -> None:
        if self._view is not None:  # in the controller's state: saved and exported pages too
            self._view.controller.cursor = list(change["new"] or [])

    @observe("show_controls")
    def _on_show_controls(self, change: traitlets.Bunch) -> None:
        if self._live() is not None:
            self._set_children()

    def _player_in_page(self) -> bool:
        """Whether the page shows the compact player when the grid has frames: asked for,
        and no control panel shown (its playback row plays them)."""
        return self.show_player and not self.show_controls

    @observe("show_player", "show_controls")
    def _on_show_player(self, change: traitlets.Bunch) -> None:
        view = self._live()
        if view is not None:
            view.controller.show_player = self._player_in_page()  # the page draws it

    def _resync(self, frames: bool = False) -> None:
        """A page missed an update: send it the whole stack (or all the frames)."""
        with self._lock:
            view = self._live()
            if view is not None:
                view.request(**({"frames": "all"} if frames else {"stack": True}))

    def _wire_dtypes(self) -> dict[str, type]:
        """Each stack's dtype on the wire, by the one test (``live/codec.py``): data and
        reference together (the page subtracts them), the frames by each frame."""
        history = self._history
        key = (self.data, self.reference, history.view)
        cached = self._wire_cache
        if cached is None or any(map(operator.is_not, cached[0], key)):
            compared = key[1] is not None
            pair = wire_dtype(self._maps_summary(),
                              self._maps_summary("reference") if compared else None,
                              self._maps_summary("difference") if compared else None)
            frames = np.float64 if history.wide else np.float32
            dtypes = cached[1] if cached is not None else None
            if dtypes is None or dtypes["data"] is not pair or dtypes["frames"] is not frames:
                dtypes = {"data": pair, "reference": pair, "frames": frames}
            self._wire_cache = cached = (key, dtypes)  # the same answer: the same dict
        return cached[1]

    @property
    def _wire_dtype(self) -> type:
        """The data's dtype on the wire (the benchmarks read it)."""
        return self._wire_dtypes()["data"]

    # ------------------------------------------------------------------ compare's wiring

    def _compare_state(self) -> tuple[np.ndarray | None, dict[str, Any]]:
        """The reference and what the page needs to flip views by itself: the view shown,
        each view's automatic limits and the two colormaps."""
        def page_colormap(colormap: Any) -> dict[str, Any]:
            return {"name": colormap if isinstance(colormap, str) else None,
                    "stops": list(colormap_stops(colormap))}

        return self.reference, {
            "showing": self.showing,
            "auto": self._compare_auto_by_view(self._auto_base()),
            "colormaps": {"base": page_colormap(self.colormap),
                          "difference": page_colormap(self.difference_colormap)},
        }

    # ------------------------------------------------------------------ frames' wiring

    def _frames_sent(self, dropped: int | None) -> None:
        view = self._live()
        if view is not None:
            view.request(parts=["limits", "auto_limits"],
                         frames="all" if dropped is None else "append", dropped=dropped or 0)

    def _frame_shown_sent(self) -> None:
        view = self._live()
        if view is not None:
            view.request(frames="shown")

    def _frame_labels_sent(self) -> None:
        view = self._live()
        if view is not None:
            view.request(frames="labels")

    def _show_frame_data(self, maps: np.ndarray) -> None:
        self._frame_data_pending = True
        try:
            self._show_other_maps(maps)  # paged: the page's frame, the source stays
        except TraitError:
            self._frame_data_pending = False
            raise

    @observe("frame_limits")
    def _on_frame_limits(self, change: traitlets.Bunch) -> None:
        view = self._live()
        if view is not None:
            view.request(parts=["limits", "auto_limits"], frames="shown")
