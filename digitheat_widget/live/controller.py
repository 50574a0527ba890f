"""``GridController``: the page-side half of a grid, and Python's line to it.

One anywidget model per grid (its module: ``js/src/page/controller.js``, built into
``static/controller.js``). Python sends it the figure description
(:class:`~digitheat_widget.figure.Figure`, in a few small traits split by how often they
change) and the tensor (:mod:`.codec`); in the page it sets what the bqplot panels or the
canvas show, and it handles what a person does there (clicks, the control panel), with
or without a kernel. What the page changes comes back here as a message, for the grid
to validate and apply to its traits (:meth:`GridController.on_page_change`).

Its view is an invisible ``<style>`` element inside the grid (NaN colour, highlight
outline, selected cell of the SVG panels).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import numpy as np
from ipywidgets import CallbackDispatcher, Widget, widget_serialization
from traitlets import Bool, Dict, Instance, Int, List, Unicode

from ..data import auto_limits
from ..figure import Figure
from . import module_text
from .codec import decode, encode

#: Page events and what they carry: a list of panel indices, [digit, row, column],
#: [frame index], [view index] (compare.SHOWING), [page index], or [row, column] of the
#: linked cursor ([] turns it off).
PAGE_EVENTS = ("highlighted", "selected", "frame", "showing", "page", "cursor")
#: The controller's trait that holds what stands for each page event (sent back when
#: Python refuses what the page did).
PAGE_EVENT_STATE = {"highlighted": "highlighted", "selected": "selected", "frame": "frame",
                    "showing": "compare", "page": "paging", "cursor": "cursor"}


class Stack:
    """The tensor the page holds, as the ``data`` trait's value: Python replaces what it
    holds without a message (a patch carries the change), and every state read (a page
    reloading from the kernel, an export) encodes the current tensor."""

    def __init__(self, tensor: np.ndarray | None = None, dtype: type = np.float32,
                 seq: int = 0, labels: list[str] | None = None,
                 auto: list[list[float]] | None = None) -> None:
        self.tensor, self.dtype, self.seq = tensor, dtype, seq
        #: The frames' labels (the frames stack only), kept and sent with them.
        self.labels = labels
        #: Each frame's automatic limits (the frames stack only), sent with them.
        self.auto = auto


def frame_auto_limits(frames: np.ndarray) -> list[list[float]]:
    """Each frame's automatic colour limits, as Python finds them (``data.auto_limits``):
    sent with the frames when ``frame_limits="per-frame"``, so a page showing a frame uses
    Python's numbers rather than working them out again (a constant frame of 0.005 is
    0.00475 to 0.00525, not 0.005 +- 0.5). With "fixed" limits the page needs none."""
    return [list(auto_limits(frame, None, None)) for frame in frames]


def _stack_to_json(stack: Stack, _widget: Any) -> dict[str, Any] | None:
    if stack is None or stack.tensor is None:
        return None
    encoded = encode(stack.tensor, stack.dtype, stack.seq)
    if stack.labels is not None:
        encoded["labels"] = list(stack.labels)
    if stack.auto is not None:
        encoded["auto"] = [list(pair) for pair in stack.auto]
    return encoded


def _stack_from_json(value: dict[str, Any] | None, _widget: Any) -> Stack:
    """A stack as a page holds it (codec.encode's form) back into a Stack, so the state a
    page or a saved notebook holds round-trips."""
    if not value:
        return Stack()
    return Stack(decode(value), np.dtype(value["dtype"]).type, int(value.get("seq", 0)),
                 value.get("labels"), value.get("auto"))


_BUFFERS = (memoryview, bytes, bytearray)


def _split_buffers(values: dict[str, Any]) -> tuple[dict[str, Any], list[list[str]],
                                                    list[Any]]:
    """What ipywidgets' ``_remove_buffers`` makes of the values :meth:`GridController.put`
    sends (state without its binary buffers, their paths, the buffers), for their one
    form: buffers only as values of a dict that is itself a value (a patch's
    ``buffer``, per-panel ``limits``). ipywidgets' own walks every list and dict."""
    state: dict[str, Any] = {}
    paths: list[list[str]] = []
    buffers: list[Any] = []
    for name, value in values.items():
        if type(value) is dict:
            keys = [key for key, item in value.items() if isinstance(item, _BUFFERS)]
            if keys:
                value = dict(value)
                for key in keys:
                    paths.append([name, key])
                    buffers.append(value.pop(key))
        state[name] = value
    return state, paths, buffers


def _refs(**kwargs: Any) -> Any:
    return {"sync": True, **widget_serialization, **kwargs}


def _index(value: Any) -> bool:
    """Whether a value a page sent is an int >= 0 (JSON true is no index)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class GridController(anywidget.AnyWidget):
    """The page-side behaviour of one :class:`~digitheat_widget.DigitHeatmapGrid`.

    Not for direct use: the grid creates it, feeds it and listens to it.
    """

    # The module as text, read once: given a Path, anywidget connects every instance to
    # a file-change signal for hot reloading and so keeps every instance alive forever.
    _esm = module_text("controller")

    geometry = Dict(help="Figure.page_layout(): sizes, ticks, titles, and the grid's uid.").tag(
        sync=True)
    limits = Dict(help="Figure.page_limits(): vmin, vmax, the limits in force, tick format.").tag(
        sync=True)
    auto_limits = List(help="Figure.page_auto_limits(): the limits with vmin = vmax = None.").tag(
        sync=True)
    colormap = Dict(help="Figure.page_colormap(): name and '#rrggbb' stops.").tag(sync=True)
    nan_color = Unicode(help="Colour of NaN cells, normalised 'rgba(r, g, b, a)'.").tag(sync=True)
    highlighted = List(Int(), help="Highlighted panel indices.").tag(sync=True)
    selected = List(Int(), help="[digit, row, column] of the selected cell, or [].").tag(sync=True)
    cursor = List(Int(), help="[row, column] of the linked cursor (marked in every panel, "
                  "read across every map), or [] (off).").tag(sync=True)
    data = Instance(Stack, args=(), help="The whole stack (codec.encode), with its sequence "
                    "number.").tag(sync=True, to_json=_stack_to_json, from_json=_stack_from_json)
    patch = Dict(help="The last update: the changed maps, codec.encode with 'indices'.").tag(
        sync=True)
    frames = Instance(Stack, args=(), help="The grid's frames (T, N, H, W), codec.encode, "
                      "with a sequence number, 'labels' and 'auto' (each frame's automatic "
                      "limits), one per frame.").tag(
        sync=True, to_json=_stack_to_json, from_json=_stack_from_json)
    frames_patch = Dict(help="The last frames recorded: codec.encode of them, with their "
                        "'labels', 'auto' (their automatic limits) and 'drop', how many of "
                        "the oldest frames go first; or, with 'relabel', every frame's "
                        "'labels' alone (no maps), next in the frames' 'seq'.").tag(
        sync=True)
    frame = Int(-1, help="Index of the frame shown, -1 for none.").tag(sync=True)
    frame_limits = Unicode("fixed", help="'fixed' or 'per-frame' automatic limits.").tag(sync=True)
    reference = Instance(Stack, args=(), help="The maps data is compared with (codec.encode), "
                         "or none.").tag(sync=True, to_json=_stack_to_json,
                                         from_json=_stack_from_json)
    compare = Dict(help="The view shown ('showing'), each view's automatic limits ('auto') "
                   "and the base and difference colormaps ('colormaps').").tag(sync=True)
    paging = Dict(help="Which stack the maps belong to ('stack', a number Python gives each "
                  "stack; clicks name it) and, paged, the page, page_count, offset (the first "
                  "panel's index in the whole stack) and total panels.").tag(sync=True)
    show_player = Bool(True, help="With frames, the page shows the compact player (play/pause, "
                       "a scrubber): the grid's show_player, with no control panel shown (its "
                       "playback row plays them).").tag(sync=True)
    colormaps = Dict(help="Colormap name -> its stops as one 'rrggbbrrggbb...' string, for a "
                     "control panel's menu in the page (the '_r' maps are the reverses of "
                     "these); {} without one.").tag(sync=True)

    color_scale = Instance(Widget, allow_none=True, help="The shared bqplot ColorScale.").tag(
        **_refs())
    colorbar = Instance(Widget, allow_none=True, help="The colorbar's bqplot Figure.").tag(**_refs())
    colorbar_axis = Instance(Widget, allow_none=True, help="Its ColorAxis.").tag(**_refs())
    canvas = Instance(Widget, allow_none=True, help="The canvas renderer, when it draws.").tag(
        **_refs())
    marks = List(Instance(Widget), help="Each SVG panel's GridHeatMap.").tag(**_refs())
    tooltips = List(Instance(Widget), help="Each SVG panel's Tooltip.").tag(**_refs())
    figures = List(Instance(Widget), help="Each SVG panel's Figure.").tag(**_refs())
    titles = List(Instance(Widget), help="Each SVG panel's title button.").tag(**_refs())
    scales = List(Instance(Widget), help="Per-panel limits: each SVG panel's own ColorScale "
                  "([]: the panels share color_scale).").tag(**_refs())
    controls = Dict(help="The control panel's widgets: vmin, vmax, colormap, reset, toggles.").tag(
        **_refs())
    own_id = Unicode(help="This widget's model id: the page code looks its model up by it, to "
                     "go on hearing Python when anywidget gave up on the model (compat.js "
                     "hearAgainIfDropped).").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        # The id chosen before the comm opens, so the first state carries it: no message more.
        model_id = uuid.uuid4().hex
        super().__init__(model_id=model_id, own_id=model_id, **kwargs)
        self._page_handlers = CallbackDispatcher()
        self._resync_handlers = CallbackDispatcher()
        self._frames_resync_handlers = CallbackDispatcher()
        #: The maps patched since the whole stack was last sent, and that stack's sequence
        #: number: what a saved notebook's state lacks (it holds that stack and the last
        #: patch alone). ``send_changes_since_stack`` sends them as one patch.
        self._patched: set[int] = set()
        self._patch_has_all = False  # the last patch sent holds every map in _patched
        self._stack_seq = self.data.seq
        #: Frames recorded or relabelled since the whole frames were last sent: a saved
        #: notebook's state holds those frames and the last ``frames_patch`` alone.
        self._frames_patched = False
        self.on_msg(self._handle_message)

    # ------------------------------------------------------------------ from Python

    def figure_values(self, figure: Figure, parts: Sequence[str]) -> dict[str, Any]:
        """``parts`` of ``figure`` (any of geometry, limits, auto_limits, colormap,
        nan_color, highlighted, selected), as the page reads them: for :meth:`put`."""
        values = {
            "geometry": lambda: {**figure.page_layout(), "uid": self.geometry.get("uid", "")},
            "limits": figure.page_limits,
            "auto_limits": figure.page_auto_limits,
            "colormap": figure.page_colormap,
            "nan_color": figure.page_nan_color,
            "highlighted": lambda: list(figure.highlighted),
            "selected": lambda: list(figure.selected or []),
        }
        return {part: values[part]() for part in parts}

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """The parts of ``values`` that differ from what the controller holds."""
        return {part: value for part, value in values.items() if value != getattr(self, part)}

    def put(self, values: dict[str, Any]) -> None:
        """Hold ``values`` in the controller's traits and send them in one message, or
        with the batch when a ``hold_sync`` is open; nothing for ``{}``.

        For the traits whose JSON is their value (dicts, lists, numbers, strings and
        buffers: the figure's parts, ``patch``, ``paging``; not the stacks nor the widget
        references), each as its trait holds it. Only the page reads them (no Python
        observer), so they are set without traitlets' validation and change
        notification, which cost more than the message of a panel's patch; a state read
        (a saved notebook, an export) finds them as if they had been assigned."""
        if not values:
            return
        if self._property_lock:  # a page's change being applied: ipywidgets' own road
            with self.hold_sync():
                for name, value in values.items():
                    setattr(self, name, value)
            return
        self._trait_values.update(values)
        if self._holding_sync:
            self._states_to_send.update(values)
            return
        comm = self.comm
        if comm is None or getattr(comm, "kernel", True) is None:  # as Widget._send
            return
        state, buffer_paths, buffers = _split_buffers(values)
        comm.send(data={"method": "update", "state": state, "buffer_paths": buffer_paths},
                  buffers=buffers)

    def resend_all(self) -> None:
        """Everything this model holds, in one message, for a page that missed messages
        (anywidget dropped them, see compat.js ``hearAgainIfDropped``). The stack and the
        frames go whole, so the last patches are left out: they are in them."""
        # GridController's own traits, not type(self)'s: anywidget adds _esm to each
        # instance, which makes its class a subclass owning only that.
        self.send_state(key=[name for name in GridController.class_own_traits(sync=True)
                             if name not in ("patch", "frames_patch")])

    def send_stack(self, tensor: np.ndarray, dtype: type) -> None:
        """The whole stack (a new shape or precision, or a page that asks for it)."""
        self.data = Stack(tensor, dtype, self.data.seq + 1)  # a new value: one message
        self._patched.clear()
        self._stack_seq = self.data.seq

    def maps_patch(self, tensor: np.ndarray, indices: Sequence[int]) -> dict[str, Any]:
        """Maps ``indices`` of ``tensor`` (same shape and precision as the stack), to
        :meth:`put` with others in one message: the stack Python holds for later reads
        becomes ``tensor``, and ``{"patch": ...}`` carries those maps."""
        stack = self.data
        stack.tensor, stack.seq = tensor, stack.seq + 1
        count = len(indices)  # sorted, distinct
        maps = (tensor if count == tensor.shape[0] else tensor[indices[0]:indices[0] + 1]
                if count == 1 else tensor[list(indices)])
        patch = encode(maps, stack.dtype, stack.seq, indices)
        patched = self._patched
        patched.update(indices)
        # A patch holding every map changed since the stack is itself what a saved
        # notebook needs: marked with the stack's sequence, nothing is re-sent at cell end.
        self._patch_has_all = len(indices) == len(patched)
        if self._patch_has_all:
            patch["base"] = self._stack_seq
        return {"patch": patch}

    def send_changes_since_stack(self) -> None:
        """What a notebook saved from the kernel's messages (nbconvert, myst-nb: each
        model's last state) would lack, in one message, sent when a cell ends: one patch
        of every map changed since the whole stack was last sent, marked with that stack's
        sequence (``base``), which a page holding that stack can apply whatever came
        between and a live page applies as the next in sequence; and, if frames were
        recorded or relabelled since the whole frames were sent, the whole frames again
        (a page holds them in place of its own, equal ones), so the saved state has every
        frame, not the first ones and the last recorded."""
        stack, frames = self.data, self.frames
        with self.hold_sync():
            if self._patched and not self._patch_has_all and stack.tensor is not None:
                indices = sorted(self._patched)
                stack.seq += 1
                self.patch = {**encode(stack.tensor[indices], stack.dtype, stack.seq, indices),
                              "base": self._stack_seq}
                self._patch_has_all = True
            if self._frames_patched and frames.tensor is not None:
                self.frames = Stack(frames.tensor, frames.dtype, frames.seq + 1, frames.labels,
                                    frames.auto)
                self._frames_patched = False

    def send_frames(self, frames: np.ndarray, labels: list[str], frame: int | None,
                    frame_limits: str, dtype: type) -> None:
        """The whole history (a new one, or a page that asks for it)."""
        self._frames_patched = False
        with self.hold_sync():
            self.frames = Stack(frames, dtype, self.frames.seq + 1, labels,
                                frame_auto_limits(frames) if frame_limits == "per-frame" else None)
            self.frame = -1 if frame is None else int(frame)
            self.frame_limits = frame_limits

    def append_frames(self, frames: np.ndarray, added: int, dropped: int, labels: list[str],
                      frame: int | None, frame_limits: str) -> None:
        """The last ``added`` frames of ``frames`` (the history now) and their labels,
        after dropping the ``dropped`` oldest: one message whose size does not grow with
        the history; Python's stack becomes ``frames``."""
        stack = self.frames
        new = frames[len(frames) - added:]
        per_frame = frame_limits == "per-frame"
        auto = frame_auto_limits(new) if per_frame else None
        if auto is not None:
            stack.auto = frame_auto_limits(frames) if stack.auto is None else (
                [*stack.auto[dropped:], *auto][-len(frames):])
        stack.tensor, stack.seq, stack.labels = frames, stack.seq + 1, labels
        self._frames_patched = True
        with self.hold_sync():
            patch = encode(new, stack.dtype, stack.seq)
            self.frames_patch = {**patch, "drop": int(dropped),
                                 "labels": list(labels[len(labels) - added:]),
                                 **({"auto": auto} if auto is not None else {})}
            self.frame = -1 if frame is None else int(frame)
            self.frame_limits = frame_limits

    def relabel_frames(self, labels: list[str], frame: int | None, frame_limits: str) -> None:
        """New labels for the frames the page holds: a ``frames_patch`` of the labels alone
        (``relabel``, no maps), next in the frames' sequence; Python's stack keeps them for
        later reads (an export, a reload)."""
        stack = self.frames
        stack.labels, stack.seq = list(labels), stack.seq + 1
        self._frames_patched = True
        with self.hold_sync():
            self.frames_patch = {"relabel": True, "seq": stack.seq, "labels": list(labels)}
            self.frame = -1 if frame is None else int(frame)
            self.frame_limits = frame_limits

    def send_compare(self, reference: Any, view: dict[str, Any], dtype: type) -> None:
        """What the page needs to show data, reference or difference by itself: the
        reference (``...`` keeps the one the page has) and the views' state."""
        with self.hold_sync():
            if reference is not ...:
                self.reference = Stack(reference, dtype, self.reference.seq + 1)
            if view != self.compare:
                self.compare = view

    def show_frame(self, frame: int | None, frame_limits: str) -> None:
        """The page shows frame ``frame`` from the frames it holds (no message for the
        maps)."""
        stack = self.frames
        if frame_limits == "per-frame" and stack.auto is None and stack.tensor is not None:
            # Limits just became per-frame: the page works each frame's out from the values
            # it holds meanwhile; a saved or exported state carries Python's.
            stack.auto = frame_auto_limits(stack.tensor)
        with self.hold_sync():
            self.frame = -1 if frame is None else int(frame)
            self.frame_limits = frame_limits

    # ------------------------------------------------------------------ from the page

    def on_page_change(self, callback: Callable[[str, list[int],
                                                 tuple[int, int, int | None] | None], Any],
                       remove: bool = False) -> None:
        """Call ``callback(event, value, made_on)`` for a change made in the page: ``event``
        in :data:`PAGE_EVENTS`, ``value`` a list of ints (not validated yet), ``made_on``
        the (offset, count, stack) of the page a click or page turn was made on, as the
        page sent it (None: not sent, by a page saved before pages sent it; stack None: a
        page that sent its page but not its stack)."""
        self._page_handlers.register_callback(callback, remove=remove)

    def on_resync(self, callback: Callable[[], Any], remove: bool = False) -> None:
        """Call ``callback()`` when a page missed an update and asks for the stack."""
        self._resync_handlers.register_callback(callback, remove=remove)

    def on_frames_resync(self, callback: Callable[[], Any], remove: bool = False) -> None:
        """Call ``callback()`` when a page missed recorded frames and asks for them all."""
        self._frames_resync_handlers.register_callback(callback, remove=remove)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "resync":
            part = content.get("part")
            if part == "frames":
                self._frames_resync_handlers()
            elif part == "all":
                self.resend_all()
            else:
                self._resync_handlers()
        elif event in PAGE_EVENTS:
            value = content.get("value")
            if isinstance(value, list) and all(
                    isinstance(v, int) and not isinstance(v, bool) for v in value):
                offset, count, stack = (content.get(key) for key in ("offset", "count", "stack"))
                made_on = (offset, count, stack if _index(stack) else None) if (
                    _index(offset) and _index(count)) else None
                self._page_handlers(event, value, made_on)
