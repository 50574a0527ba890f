"""A grid's history: frames of shape (T, N, H, W), one shown at a time.

``grid.record()`` appends the maps shown now as a frame (a training loop calls it every
epoch); ``grid.frames = history`` gives them whole. ``grid.frame`` picks the frame shown:
``data`` becomes that frame, and ``frame`` always names the frame ``data`` is: assigning
``data`` anything else makes ``frame`` None (no frame shown) until a frame is chosen or
recorded again. Relabelled frames (``frame_labels``) reach the page as their labels alone. The frames travel to the page once (float32, then each new
frame alone), so the page plays and scrubs them itself, with a kernel or without one (an
exported page).

Memory: frames are kept as float64 in one buffer that grows by doubling; at most
``max_frames`` of them. When ``record()`` finds that many, the oldest frame (and its
label) is dropped: a moving window on the most recent history.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets
from traitlets import HasTraits, TraitError, TraitType, observe, validate

from .data import (FRAMES, MAX_FRAME_VALUES, MapSummary, as_stack, auto_limits, check_size,
                   frozen_part, panel_range_limits)
from .live.codec import frames_wire_dtype, needs_float64
from .traits import Choice, Integer, Labels, count_mismatch, owner, set_replaced

#: Default bound of ``max_frames``.
DEFAULT_MAX_FRAMES = 1000
FRAME_LIMITS = ("fixed", "per-frame")
__all__ = ["DEFAULT_MAX_FRAMES", "FRAME_LIMITS", "MAX_FRAME_VALUES", "Frames", "as_frames"]


def _no_frames() -> np.ndarray:
    empty = np.zeros((0, 0, 0, 0))
    empty.flags.writeable = False
    return empty


def _frame_bounds(max_frames: int | None) -> Any:
    return FRAMES.with_first(max_frames, "max_frames = " if max_frames is not None else "")


def as_frames(value: Any, max_frames: int | None = None) -> np.ndarray:
    """An array-like of shape (T, N, H, W) as a read-only float64 copy, through the one
    conversion (:func:`~digitheat_widget.data.as_stack`): its size (at most
    ``max_frames`` frames) is checked from its shape before any value is converted.
    Raises ValueError saying what came."""
    frames = as_stack(value, _frame_bounds(max_frames))
    return _no_frames() if frames.shape[0] == 0 else frames


class FrameArray(TraitType):
    """A real (T, N, H, W) array (T may be 0), stored as a read-only float64 copy."""

    info_text = "a real 4-D array-like of shape (T, N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        history = getattr(obj, "_history", None)
        if history is not None and value is history.view:  # record(): already checked
            return value
        try:
            return as_frames(value, getattr(obj, "max_frames", None))
        except ValueError as err:
            raise TraitError(f"{owner(obj, self.name)} {err}") from None

    def set(self, obj: Any, value: Any) -> None:
        set_replaced(self, obj, value)


class FrameLabels(Labels):
    """Labels of the frames; a list record() made (its one new label checked) is taken
    as it is, so a record costs the same however many frames came before."""

    def validate(self, obj: Any, value: Any) -> list[str]:
        appended = getattr(obj, "_appended_labels", None)
        if appended is not None and value is appended:
            return value
        return super().validate(obj, value)


class _History:
    """The frames in a buffer: ``count`` frames from ``start``, each frame's finite
    (min, max) (so fixed colour limits cost nothing per record), and whether any frame
    needs float64 on the wire.

    A history is never changed: :meth:`appended` returns the next one, writing only past
    the frames in use (dropping the oldest moves ``start``), so a frame once written
    never changes and a rolled-back record gets the previous history back whole. The
    buffer grows by doubling (T records cost O(T) copies), up to what ``max_frames`` and
    :data:`MAX_FRAME_VALUES` allow, and is read-only between writes, so no view of it
    (``frames``, or ``data`` showing a frame) can be made writeable.
    """

    def __init__(self, frames: np.ndarray) -> None:
        self.count = len(frames)
        # A converted stack is read-only and never written: it is the buffer as it is.
        self.buffer = frames if self.count else np.zeros((0, 0, 0, 0))
        self.start = 0
        self.ranges = np.zeros((0, 2))
        if self.count:  # each frame's finite (min, max); NaN for a frame of NaN alone
            flat = frames.reshape(self.count, -1)
            self.ranges = np.stack([np.fmin.reduce(flat, axis=1), np.fmax.reduce(flat, axis=1)],
                                   axis=1)
        self.wide = self.count > 0 and frames_wire_dtype(frames) is np.float64
        self.view = frames if self.count else _no_frames()

    def appended(self, maps: np.ndarray, limit: int) -> tuple[_History, int]:
        """The history with ``maps`` as its last frame, dropping the oldest ones beyond
        ``limit``; and how many were dropped. ``self`` stays as it was."""
        new = object.__new__(_History)
        dropped = max(0, self.count + 1 - limit)
        start, count = self.start + dropped, self.count - dropped
        buffer = self.buffer
        if buffer.base is not None or start + count == len(buffer):  # no room past the end
            # Doubling, within what the frames may ever hold.
            most = max(count + 1, min(limit, MAX_FRAME_VALUES // max(maps.size, 1)))
            grown = np.empty((min(max(4, 2 * (count + 1)), most), *maps.shape))
            if count:
                grown[:count] = buffer[start:start + count]
            buffer, start = grown, 0
        buffer.flags.writeable = True
        try:
            buffer[start + count] = maps
        finally:
            buffer.flags.writeable = False
        new.buffer, new.start, new.count = buffer, start, count + 1
        new.ranges = np.vstack([self.ranges[dropped:], [_finite_range(maps)]])
        new.wide = self.wide or needs_float64(maps)
        new.view = frozen_part(buffer, slice(start, start + count + 1))
        return new, dropped


def _finite_range(maps: np.ndarray) -> tuple[float, float]:
    finite = maps[np.isfinite(maps)]
    return (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)


class Frames(HasTraits):
    """Frames, the frame shown, their labels and bounds: a mixin of the grid class."""

    data: np.ndarray

    frames = FrameArray(
        _no_frames(),
        help="The recorded history, a read-only float64 array of shape (T, N, H, W); T = 0 "
        "(shape (0, 0, 0, 0)) when there is none. Assign a (T, N, H, W) array-like whose maps "
        "have data's shape, or call record().",
    )
    frame = Integer(
        None, allow_none=True,
        help="Index of the frame shown (0..T-1; negative counts from the end), or None when "
        "data is none of the frames (no frames, or data assigned since). Assigning it makes "
        "data that frame.",
    )
    frame_labels = FrameLabels([], help="One label per frame; default '0'..'T-1'.")
    max_frames = Integer(
        DEFAULT_MAX_FRAMES,
        help="The most frames kept; record() drops the oldest frame beyond it.",
    )
    frame_limits = Choice(
        list(FRAME_LIMITS), "fixed",
        help="Automatic colour limits with frames: 'fixed' spans all frames (colours compare "
        "over time), 'per-frame' follows the frame shown.",
    )

    def __init__(self, **kwargs: Any) -> None:
        self._history = _History(_no_frames())
        self._recording = False
        super().__init__(**kwargs)

    # ------------------------------------------------------------------ recording

    def record(self, label: str | None = None) -> int:
        """Append the maps shown now (:attr:`data`) as the last frame, and show it.

        Costs one copy of the maps (into a buffer that grows by doubling): cheap enough
        for every step of a training loop. The page gets the new frame alone.

        Parameters
        ----------
        label
            The frame's label; default its number in the recording (``"0"``, ``"1"``...).

        Returns
        -------
        int
            The frame's index (``len(grid.frames) - 1``).
        """
        with self._lock:  # the one lock: a record is whole before any other change starts
            return self._record(label)

    def _record(self, label: str | None) -> int:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{type(self).__name__}.record expected label as a str or None, "
                            f"got {type(label).__name__} {label!r}")
        label = str(self._recorded) if label is None else label
        self.traits()["frame_labels"].validate(self, [label])  # the new one; the rest were
        history, data = self._history, self.data
        if history.count and history.view.shape[1:] != data.shape:
            raise ValueError(
                f"{type(self).__name__}.record: data has shape {data.shape} but the frames "
                f"hold maps of {history.view.shape[1:]}; start a new history with "
                f"`grid.frames = np.zeros((0, 0, 0, 0))`")
        # The one size check, as for assigned frames, before anything is copied.
        kept = history.count + 1 - max(0, history.count + 1 - self.max_frames)
        try:
            check_size((kept, *data.shape), _frame_bounds(self.max_frames))
        except ValueError as err:
            raise TraitError(f"{owner(self, 'frames')} {err}; record() would make "
                             f"{kept} frames of {data.shape}") from None
        new, dropped = history.appended(data, self.max_frames)
        labels = self.frame_labels[dropped:]
        labels.append(label)
        recorded = self._recorded

        def undo() -> None:  # the batch was refused: the history as it was
            self._history, self._recorded = history, recorded

        self._history, self._appended_labels = new, labels
        # Observers run when the batch ends: they must see a recording, not a new history.
        self._recording = True
        try:
            with self.hold_sync():
                self._on_rollback(undo)
                self.frames = new.view
                self.frame_labels = labels
                self.frame = new.count - 1
                self._recorded += 1
                self._frames_sent(dropped)
        finally:
            self._recording = False
            self._appended_labels = None
        return new.count - 1

    _recorded = 0  # frames recorded since the last whole assignment: the default labels

    def _frames_sent(self, dropped: int) -> None:
        """Tell the page of the frame just recorded (the grid class wires the sending)."""

    def _on_rollback(self, undo: Any) -> None:
        """Call ``undo()`` if the batch being applied is refused (the grid's transaction)."""

    def _drop_history(self) -> None:
        """Frames are made of the panels shown: when other panels are shown (maps of
        another shape, another page), a new, empty history."""
        if len(self.frames):
            self.frame_labels = []
            self.frames = np.zeros((0, 0, 0, 0))

    def frame_figures(self) -> list[tuple[str, Any]]:
        """``(label, figure)`` of every frame, drawn as the grid draws now (colormap,
        highlight, titles...) with what the view shown makes of each frame's maps (with a
        reference: the frame, the reference or their difference) and the limits the
        frames' policy gives: what an animated picture shows."""
        base = self.figure
        frames = self._history.view
        view = self.showing
        fixed = base.auto_limits
        if view == "difference" and self.frame_limits == "fixed" and len(frames):
            # Colours compare over time: symmetric about 0, wide enough for every frame.
            top = max(self._compare_auto(base.auto_limits, view, maps)[1] for maps in frames)
            fixed = auto_limits(np.array([-top, top]), None, None)
        per_panel = base.panel_auto is not None
        if per_panel and view == "difference" and self.frame_limits == "fixed" and len(frames):
            # Per panel: each panel symmetric, wide enough for that panel in every frame.
            top = np.max([self._panel_auto(*self._panel_spans(), view, maps)[:, 1]
                          for maps in frames], axis=0)
            fixed_panels = panel_range_limits(-top, top)
        else:
            fixed_panels = None if base.panel_auto is None else np.array(base.panel_auto)
        out = []
        for label, maps in zip(self.frame_labels, frames):
            auto = (fixed if self.frame_limits == "fixed"
                    else self._compare_auto(auto_limits(maps, None, None), view, maps))
            limits = auto_limits(np.array(auto), self.vmin, self.vmax)
            panels = None
            if per_panel:
                if self.frame_limits == "fixed":
                    panel_auto = fixed_panels
                else:
                    summary = MapSummary.of(maps)
                    panel_auto = self._panel_auto(summary.low, summary.high, view, maps)
                panels = (self._panel_in_force(panel_auto), panel_auto)
            out.append((label, base.with_data(self._shown(view, maps), limits, auto, panels)))
        return out

    # ------------------------------------------------------------------ limits

    def _panel_spans(self) -> tuple[np.ndarray, np.ndarray]:
        """Each panel's finite (low, high) in what its automatic per-panel limits span:
        the data's (its ``MapSummary``), and with 'fixed' every frame's too (the frames'
        part found once per history)."""
        summary, history = self._maps_summary(), self._history
        if self.frame_limits != "fixed" or history.count == 0:
            return summary.low, summary.high
        cached = self.__dict__.get("_panel_history_spans")
        if cached is None or cached[0] is not history.view:
            frames = history.view
            flat = frames.reshape(frames.shape[0], frames.shape[1], -1)
            with np.errstate(invalid="ignore"):
                spans = (np.fmin.reduce(np.fmin.reduce(flat, axis=2), axis=0),
                         np.fmax.reduce(np.fmax.reduce(flat, axis=2), axis=0))
            cached = self.__dict__["_panel_history_spans"] = (frames, spans)
        low, high = cached[1]
        if low.shape != summary.low.shape:  # frames of other panels (being replaced)
            return summary.low, summary.high
        return np.fmin(summary.low, low), np.fmax(summary.high, high)

    def _limits_span(self) -> tuple[float, float] | None:
        """What automatic colour limits span, as (min, max) of finite values or None: the
        data (its extremes, kept per map by the compare mixin's ``_maps_summary``), and
        with 'fixed' every frame."""
        history, span = self._history, self._maps_summary().finite_range()
        if history.count == 0 or self.frame_limits != "fixed":
            return span
        ranges = history.ranges if span is None else np.vstack([history.ranges, [span]])
        low = float(np.fmin.reduce(ranges[:, 0]))  # NaN: a frame without finite values
        return None if np.isnan(low) else (low, float(np.fmax.reduce(ranges[:, 1])))

    # ------------------------------------------------------------------ rules

    @validate("frames")
    def _check_frames(self, proposal: traitlets.Bunch) -> np.ndarray:
        frames = proposal["value"]
        if len(frames) and frames.shape[1:] != self.data.shape:
            raise TraitError(
                f"{owner(self, 'frames')} expected frames of maps shaped like data "
                f"{self.data.shape}, got shape {frames.shape}; to change the shape, set data "
                f"first")
        if len(frames) > self.max_frames:
            raise TraitError(f"{owner(self, 'frames')} expected at most max_frames = "
                             f"{self.max_frames} frames, got {len(frames)}")
        labels = self.frame_labels
        if labels and len(labels) != len(frames) and labels != [str(i) for i in range(len(labels))]:
            raise count_mismatch(self, "frames", "frame_labels", "frame", len(frames), len(labels))
        return frames

    @validate("frame")
    def _check_frame(self, proposal: traitlets.Bunch) -> int | None:
        value, count = proposal["value"], len(self.frames)
        if value is None:  # no frame shown: data is none of them
            return None
        if isinstance(value, bool) or not -count <= value < count:
            expected = f"0..{count - 1} (or -{count}..-1)" if count else "None (there are no frames)"
            raise TraitError(f"{owner(self, 'frame')} expected {expected}, got {value!r}")
        return value % count

    @validate("frame_labels")
    def _check_frame_labels(self, proposal: traitlets.Bunch) -> list[str]:
        value, count = proposal["value"], len(self.frames)
        if len(value) != count:
            raise count_mismatch(self, "frame_labels", "frame_labels", "frame", count, len(value))
        return value

    @validate("max_frames")
    def _check_max_frames(self, proposal: traitlets.Bunch) -> int:
        value = proposal["value"]
        if isinstance(value, bool) or value < 1:
            raise TraitError(f"{owner(self, 'max_frames')} expected an integer >= 1, got {value!r}")
        if value < len(self.frames):
            raise TraitError(f"{owner(self, 'max_frames')} expected at least the {len(self.frames)} "
                             f"frames held, got {value!r}")
        return value

    # ------------------------------------------------------------------ following

    @observe("frames")
    def _on_frames(self, change: traitlets.Bunch) -> None:
        frames = change["new"]
        if self._recording or frames is self._history.view:
            return  # record() made them (perhaps inside a batch that ends now)
        # A whole new history: its buffer, labels and frame shown, sent to the page in one
        # message (the frame alone first would name a frame of the history it holds).
        self._history = _History(frames)
        self._recorded = len(frames)
        shown = len(frames) - 1 if len(frames) else None
        with self.hold_sync():
            with self.hold_trait_notifications():
                if len(self.frame_labels) != len(frames):
                    self.frame_labels = [str(i) for i in range(len(frames))]
                unchanged = self.frame == shown
                self.frame = shown
            if unchanged:  # no change to observe: data becomes the new history's frame still
                self._show_frame(shown)
            self._frames_sent(None)

    @observe("frame")
    def _on_frame(self, change: traitlets.Bunch) -> None:
        if not self._recording:  # the frame set now: a batch's notes may come late
            self._show_frame(self.frame)

    def _show_frame(self, index: int | None) -> None:
        """Make ``data`` frame ``index`` (None: data stays); the page is told either way."""
        if index is not None:
            shown = frozen_part(self._history.view, index)  # data takes it without a copy
            if not np.array_equal(shown, self.data, equal_nan=True):
                self._show_frame_data(shown)  # the page shows it with the data's message
                return
        self._frame_shown_sent()

    @observe("data")
    def _on_data_not_a_frame(self, change: traitlets.Bunch) -> None:
        """``frame`` names the frame data is: data that is not that frame (assigned,
        updated panel by panel) shows no frame, so choosing one again shows it."""
        index = self.frame
        if index is None or self._recording or len(self.frames) == 0:
            return
        new = self.data  # as for frame: what holds now, whatever order a batch notes
        maps = self._history.view[index]
        known = getattr(self, "_changed_maps", None)
        if known is not None and known[0] is change["old"] and known[1] is new:
            # Data was that frame until maps ``known[2]`` changed: compare those alone.
            maps, new = maps[known[2]], new[known[2]]
        if maps.shape != new.shape or not np.array_equal(maps, new, equal_nan=True):
            self.frame = None

    @observe("frame_labels")
    def _on_frame_labels(self, change: traitlets.Bunch) -> None:
        if not self._recording:  # record() sends its frame's label with the frame
            self._frame_labels_sent()

    def _frame_shown_sent(self) -> None:
        """Tell the page which frame is shown, when data did not change (the grid class
        wires the sending)."""

    def _frame_labels_sent(self) -> None:
        """Tell the page the frames' labels (the grid class wires the sending)."""

    def _show_frame_data(self, maps: np.ndarray) -> None:
        """Make ``data`` the frame's maps (the grid class sends them the cheap way)."""
        self.data = maps
