"""The live widgets of one grid: controller, panels or canvas, colorbar.

:class:`LiveView` builds them from a :class:`~digitheat_widget.figure.Figure` and builds
them again only when the figure's layout changes (shape, columns, cell size, labels,
renderer). Every other change travels through the controller alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import numpy as np
from ipywidgets import Widget

from ..figure import Figure
from . import svg
from .canvas import CanvasGrid
from .controller import GridController, Stack

#: What the owner tells the view at each send: the figure now, whether the canvas should
#: draw it, and each stack's precision on the wire ({"data", "reference", "frames"}:
#: float32 or float64, by codec's one test).
Describe = Callable[[], "tuple[Figure, bool, dict[str, type]]"]


#: Views with a merged send waiting on the event loop, and views that sent a patch since
#: the last cell ended (weakly: a closed grid's view goes).
_WAITING: weakref.WeakSet[LiveView] = weakref.WeakSet()
_PATCHED: weakref.WeakSet[LiveView] = weakref.WeakSet()
_HOOKED_SHELLS: weakref.WeakSet[Any] = weakref.WeakSet()


#: Parts a send can make without the whole figure (``LiveView.limits_source``, the
#: reference and views' state from ``compare_source``).
_WITHOUT_FIGURE = frozenset({"limits", "auto_limits", "reference", "showing"})
#: What a send that needs no batch holds (nullcontext is reentrant: one for all).
_NO_HOLD = contextlib.nullcontext()
#: Parts sent with the reference and views' state (``compare_source``).
_COMPARE = frozenset({"reference", "showing"})


def flush_waiting(*_: Any) -> None:
    """Send every merged send still waiting, now, and each patched grid's changes since its
    last whole stack (maps) and whole frames. IPython calls it when a cell ends (``post_execute``), so what a cell
    changed reaches the page, and the widget state a notebook saves from the kernel's
    messages (nbconvert ``--execute``, myst-nb) is whole, within that cell."""
    for view in list(_WAITING):
        view.flush()
    for view in list(_PATCHED):
        _PATCHED.discard(view)
        view._patch_hooked = False
        with view._lock:
            if view.controller.comm is not None:
                view.controller.send_changes_since_stack()


def _flush_at_cell_end() -> None:
    """Hook :func:`flush_waiting` into the running IPython's ``post_execute``, once."""
    try:
        from IPython import get_ipython
    except ImportError:  # not in IPython: no cells, nothing to hook
        return
    shell = get_ipython()
    if shell is None or shell in _HOOKED_SHELLS:
        return
    shell.events.register("post_execute", flush_waiting)
    _HOOKED_SHELLS.add(shell)


class LiveView:
    """Owns the widgets that draw a grid in the page (see the module docstring), and
    sends them what changed, merging sends closer together than ``min_interval()`` s.

    Parameters
    ----------
    describe
        Called at each send for (figure, use_canvas, wire dtypes by stack).
    lock
        The owner's lock: a send never interleaves with a change.
    min_interval
        Seconds below which sends are merged (read at each send).
    player
        Whether the page shows the compact player of a grid with frames (the controller's
        ``show_player``), in the controller's first state.
    paging
        The controller's first ``paging`` (later ones: ``paging_source``).
    """

    def __init__(self, uid: str, describe: Describe, lock: threading.RLock,
                 min_interval: Callable[[], float], player: bool = True,
                 paging: dict[str, int] | None = None) -> None:
        self._describe, self._lock, self._min_interval = describe, lock, min_interval
        self._parts: set[str] = set()
        self._maps: set[int] = set()
        self._stack = False
        # Frames to send: all of them, or the number recorded (and dropped) since the last
        # send; or only which frame the page shows (it holds the frames).
        self._frames_all = False
        self._frames_added = self._frames_dropped = 0
        self._frame_shown = False
        self._frame_labels = False  # the frames' labels alone changed (a relabel)
        #: Set by the grid: () -> (frames, labels, frame, frame_limits).
        self.frames_source: Callable[[], tuple[Any, list[str], int | None, str]] | None = None
        #: Set by the grid: () -> the maps the page holds (the figure may show others,
        #: e.g. a difference the page works out), and () -> (reference, view state).
        self.data_source: Callable[[], Any] | None = None
        self.compare_source: Callable[[], tuple[Any, dict[str, Any]]] | None = None
        #: Set by the grid: () -> the controller's ``paging`` (which stack, which page),
        #: sent with the maps it describes, so the page never pairs one with the other's.
        self.paging_source: Callable[[], dict[str, int]] | None = None
        #: Set by the grid: (parts) -> the figure's page_limits() and page_auto_limits()
        #: as {"limits": ..., "auto_limits": ...}, those of ``parts`` (one or both), and
        #: () -> the wire dtypes: a send of maps and limits alone describes no figure.
        self.limits_source: Callable[[Collection[str]], dict[str, Any]] | None = None
        self.dtypes_source: Callable[[], dict[str, type]] | None = None
        self._last_send = 0.0
        self._patch_hooked = False  # whether this view is in _PATCHED
        #: Bytes of tensor values the last send carried (the grid spaces large sends).
        self.last_payload = 0
        self.flush_pending = False
        self._batching = 0  # inside batched(): requests wait for its end
        self._timer: asyncio.TimerHandle | None = None
        figure, use_canvas, dtypes = describe()
        self.color_scale = svg.color_scale(figure)
        self._build(figure, use_canvas)
        self.body = svg.body(self._body_children())
        controller = GridController(
            geometry={**figure.page_layout(), "uid": uid}, limits=figure.page_limits(),
            auto_limits=figure.page_auto_limits(),
            colormap=figure.page_colormap(), nan_color=figure.page_nan_color(),
            highlighted=list(figure.highlighted), selected=list(figure.selected or []),
            color_scale=self.color_scale, data=Stack(figure.data, dtypes["data"]),
            show_player=player, paging=paging or {}, **self._refs(),
        )
        # Its view holds the grid's <style> and its screen-reader announcements: out of
        # the flow and invisible (controller.js), but not display: none, which would
        # silence the announcements.
        self.controller = controller

    # ------------------------------------------------------------------ building

    def _build(self, figure: Figure, use_canvas: bool) -> None:
        self._built_for = (figure.geometry, use_canvas)
        self._per_panel = figure.per_panel  # a strip under each panel, no colorbar shown
        self.colorbar = svg.Colorbar(figure, self.color_scale)
        self.panels: svg.SvgPanels | None = None
        self.canvas: CanvasGrid | None = None
        if use_canvas:
            self.canvas = CanvasGrid(figure)
        else:
            self.panels = svg.SvgPanels(figure, self.color_scale)

    def _body_children(self) -> list[Widget]:
        drawing = self.canvas if self.canvas is not None else self.panels.box
        return [drawing] if self._per_panel else [drawing, self.colorbar.figure]

    def _refs(self) -> dict[str, Any]:
        panel_refs = self.panels.refs() if self.panels is not None else {
            "marks": [], "tooltips": [], "figures": [], "titles": [], "scales": []}
        return {"canvas": self.canvas, "colorbar": self.colorbar.figure,
                "colorbar_axis": self.colorbar.axis, **panel_refs}

    def _drawing_widgets(self) -> list[Widget]:
        found = self.colorbar.widgets()
        if self.panels is not None:
            found += self.panels.widgets()
        if self.canvas is not None:
            found += [self.canvas, self.canvas.layout]
        return found

    def _retitle(self, figure: Figure) -> None:
        if self.panels is not None:
            self.panels.retitle(figure)
        if self.canvas is not None:
            self.canvas.geometry = figure.page_layout()

    def _rebuild(self, figure: Figure, use_canvas: bool) -> list[Widget]:
        """New drawing widgets for a new layout, named to the controller (whose message
        the caller holds); the controller and colour scale stay. Returns the old widgets,
        for the caller to close once the page has the new ones."""
        old = self._drawing_widgets()
        self._build(figure, use_canvas)  # new widgets open their comms first
        controller = self.controller
        for name, value in self._refs().items():
            setattr(controller, name, value)
        controller.geometry = {**figure.page_layout(), "uid": controller.geometry["uid"]}
        self.body.children = self._body_children()
        return old

    # ------------------------------------------------------------------ reading

    @property
    def active_renderer(self) -> str:
        return "canvas" if self.canvas is not None else "svg"

    def set_controls(self, refs: dict[str, Any], colormaps: dict[str, list[str]]) -> None:
        """Let the controller drive (and follow) a control panel's widgets in the page."""
        with self.controller.hold_sync():
            self.controller.controls = refs
            self.controller.colormaps = colormaps

    # ------------------------------------------------------------------ sending

    def request(self, parts: Sequence[str] = (), maps: Sequence[int] = (),
                stack: bool = False, frames: str | None = None, dropped: int = 0) -> None:
        """Send the figure's ``parts`` ("layout" rebuilds the drawing widgets), maps
        ``maps`` of the tensor or the whole ``stack``, and of the frames ``"all"``, the one
        just recorded (``"append"``, after ``dropped`` oldest ones went), which is shown
        (``"shown"``) or their labels (``"labels"``): now, or merged into the next send if the last was less than
        ``min_interval()`` ago and an event loop can send later."""
        self._parts.update(parts)
        self._maps.update(maps)
        self._stack = self._stack or stack
        if frames == "all":
            self._frames_all = True
        elif frames == "append":
            self._frames_added += 1
            self._frames_dropped += dropped
        elif frames == "shown":
            self._frame_shown = True
        elif frames == "labels":
            self._frame_labels = True
        if not self._batching:  # inside batched(): sent once, when the batch ends
            self._send_when_due()

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Requests made inside are sent together when it ends (a new page: its values
        and its titles in one send, not the values twice)."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching:
                self._send_when_due()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Like :meth:`batched`, but if the block raises, what it requested is forgotten:
        the page keeps what it has, which is what the owner rolled back to. Requests made
        before it (merged sends still waiting) stay."""
        saved = (set(self._parts), set(self._maps), self._stack, self._frames_all,
                 self._frames_added, self._frames_dropped, self._frame_shown, self._frame_labels)
        self._batching += 1
        try:
            yield
        except BaseException:
            (self._parts, self._maps, self._stack, self._frames_all, self._frames_added,
             self._frames_dropped, self._frame_shown, self._frame_labels) = saved
            raise
        finally:
            self._batching -= 1
            if not self._batching:
                self._send_when_due()

    def _send_when_due(self) -> None:
        wait = self._last_send + self._min_interval() - time.monotonic()
        if wait <= 0:
            # Due now. A send scheduled earlier has not run (a busy cell holds the event
            # loop): this one takes its place, or it would follow at once, empty-handed.
            if self._timer is not None:
                self._timer.cancel()
            self.flush()
            return
        loop = asyncio._get_running_loop()  # get_running_loop(), without raising for None
        if loop is None:  # no event loop (plain Python): nothing could send later
            self.flush()
            return
        if not self.flush_pending:
            self.flush_pending = True
            self._timer = loop.call_later(wait, self.flush)
            _WAITING.add(self)
            _flush_at_cell_end()

    def flush(self) -> None:
        """Send what was requested since the last send: one message to the controller
        (plus new drawing widgets when the layout changed)."""
        with self._lock:
            started = time.monotonic()
            if self.flush_pending:
                _WAITING.discard(self)
            self.flush_pending = False
            if self._timer is not None:  # flushed early (a cell ended): not again later
                self._timer.cancel()
            self._timer = None
            if not (self._parts or self._maps or self._stack or self._frames_all
                    or self._frames_added or self._frame_shown or self._frame_labels):
                return  # nothing asked since the last send: its time and size still count
            parts, self._parts = self._parts, set()
            maps, self._maps = sorted(self._maps), set()
            stack, self._stack = self._stack, False
            frames_all, added, dropped, shown, relabelled = (
                self._frames_all, self._frames_added, self._frames_dropped, self._frame_shown,
                self._frame_labels)
            frames = frames_all or added or shown or relabelled
            if frames:  # (``dropped`` comes with ``added`` alone)
                self._frames_all, self._frames_added, self._frames_dropped = False, 0, 0
                self._frame_shown = self._frame_labels = False
            controller = self.controller
            if controller.comm is None:
                return  # closed
            self.last_payload = 0
            figure: Figure | None = None
            if (parts <= _WITHOUT_FIGURE and self.limits_source is not None
                    and self.dtypes_source is not None and self.data_source is not None):
                dtypes = self.dtypes_source()  # maps and limits: no figure to describe
            else:
                figure, use_canvas, dtypes = self._describe()
            held = figure.data if self.data_source is None else self.data_source()
            if controller.data.dtype is not dtypes["data"] and (maps or stack or parts):
                stack = True  # another precision: patches cannot carry it
            reference = controller.reference
            if reference.tensor is not None and reference.dtype is not dtypes["reference"]:
                parts = parts | {"reference"}
            retired: list[Widget] = []
            # The parts whose JSON is their value go out through ``controller.put``: on
            # their own (a patch, limits) in one message with no batch to open; with
            # anything else, in the batch that sends all of it as one message.
            values: dict[str, Any] = {}
            plain = not (stack or frames or "layout" in parts or parts & _COMPARE)
            with _NO_HOLD if plain else controller.hold_sync():
                if self.paging_source is not None:
                    paging = self.paging_source()
                    if paging != controller.paging:  # sent only if it changed
                        values["paging"] = paging
                if "layout" in parts and self._built_for == (figure.geometry, use_canvas):
                    # Only the titles changed (a paged grid's next page): no new widgets.
                    self._retitle(figure)
                    parts = (parts - {"layout"}) | {"geometry"}
                if "layout" in parts:
                    retired = self._rebuild(figure, use_canvas)
                    parts = {"limits", "auto_limits", "colormap", "nan_color", "highlighted",
                             "selected", "reference", "showing"}
                    maps, stack = [], True
                if stack:
                    controller.send_stack(held, dtypes["data"])
                    self.last_payload = held.size * np.dtype(dtypes["data"]).itemsize
                elif maps:
                    count = held.shape[0]
                    sent = maps if maps[-1] < count else [m for m in maps if m < count]
                    patch = controller.maps_patch(held, sent)
                    values.update(patch)
                    self._patched_since_stack()
                    self.last_payload = patch["patch"]["buffer"].nbytes
                if self.compare_source is not None and parts & _COMPARE:
                    reference, view = self.compare_source()
                    controller.send_compare(reference if "reference" in parts else ...,
                                            view, dtypes["reference"])
                parts = parts - _COMPARE
                if frames and self.frames_source is not None:
                    history, labels, frame, frame_limits = self.frames_source()
                    page_frames = controller.frames.tensor
                    # A page with no frames (none yet, or a history just dropped) holds
                    # no map shape to append to: it gets them whole.
                    if frames_all or page_frames is None or not len(page_frames) or (
                            added > len(history)) or (
                            len(page_frames) - dropped + added != len(history)) or (
                            controller.frames.dtype is not dtypes["frames"]) or (
                            added and relabelled):  # a patch carries its new labels alone
                        controller.send_frames(history, labels, frame, frame_limits,
                                               dtypes["frames"])
                    elif added or relabelled:
                        if added:
                            controller.append_frames(history, added, dropped, labels, frame,
                                                     frame_limits)
                        else:
                            controller.relabel_frames(labels, frame, frame_limits)
                        self._patched_since_stack()
                    else:
                        controller.show_frame(frame, frame_limits)
                    if not (stack or maps):
                        # The page made its stack a frame itself: the stack Python keeps
                        # for later reads (an export, a reload) follows, with no message.
                        controller.data.tensor = held
                if figure is not None:
                    values.update(controller.changed(controller.figure_values(figure,
                                                                              sorted(parts))))
                elif parts:  # limits, auto_limits or both
                    values.update(controller.changed(self.limits_source(parts)))
                controller.put(values)
            for widget in retired:  # after the page has been told of their successors
                widget.close()
            # Spaced from start to start: a send's own time is not added to the interval
            # (at 1/60 s, sends went out at about 58/s and some frames got none).
            self._last_send = started

    def _patched_since_stack(self) -> None:
        """A patch went out (maps, or frames): when the cell ends, the controller sends
        what a saved state would lack (``send_changes_since_stack``)."""
        if not self._patch_hooked:  # in _PATCHED: the hook is in place while it is in
            self._patch_hooked = True
            _PATCHED.add(self)
            _flush_at_cell_end()

    def widgets(self) -> list[Widget]:
        """Every widget this view created, each once."""
        return [*self._drawing_widgets(), self.color_scale, self.body, self.body.layout,
                self.controller, self.controller.layout]

    def close(self) -> None:
        for widget in self.widgets():
            widget.close()
