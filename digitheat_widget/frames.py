"""A grid's history: frames of shape (T, N, H, W), one shown at a time.

``grid.record()`` appends the maps shown now as a frame (a training loop calls it every
epoch); ``grid.frames = history`` gives them whole. ``grid.frame`` picks the frame shown:
``data`` becomes that frame. The frames travel to the page once (float32, then each new
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

from .data import MAX_CELLS, as_tensor, auto_limits
from .traits import Choice, Integer, Labels, owner, set_replaced

#: Default bound of ``max_frames``.
DEFAULT_MAX_FRAMES = 1000
#: The most values all frames together may hold (8 bytes each): 2 GiB of float64.
MAX_FRAME_VALUES = 2**28
FRAME_LIMITS = ("fixed", "per-frame")


def _no_frames() -> np.ndarray:
    empty = np.zeros((0, 0, 0, 0))
    empty.flags.writeable = False
    return empty


def as_frames(value: Any) -> np.ndarray:
    """An array-like of shape (T, N, H, W) as a read-only float64 copy (each frame
    checked as ``data`` is); raises ValueError saying what came."""
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.ndim != 4:
        raise ValueError(f"expected a 4-D array (T, N, H, W), got {array.ndim}-D with shape "
                         f"{array.shape}")
    if array.size > MAX_FRAME_VALUES:
        raise ValueError(f"expected at most {MAX_FRAME_VALUES:,} values in all frames, got "
                         f"{array.size:,} in shape {array.shape}")
    if array.shape[0] == 0:
        return _no_frames()
    if array.shape[1] * array.shape[2] * array.shape[3] > MAX_CELLS:
        raise ValueError(f"expected frames of at most {MAX_CELLS:,} values, got shape {array.shape}")
    # as_tensor checks kind, shape and values; T*N maps of H x W are checked as one stack.
    t, n, h, w = array.shape
    flat = as_tensor(np.reshape(array, (t * n, h, w))) if t * n <= 4096 else np.stack(
        [as_tensor(frame) for frame in array])
    frames = np.reshape(np.array(flat), (t, n, h, w))
    frames.flags.writeable = False
    view = frames.view()
    view.flags.writeable = False
    return view


class FrameArray(TraitType):
    """A real (T, N, H, W) array (T may be 0), stored as a read-only float64 copy."""

    info_text = "a real 4-D array-like of shape (T, N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        history = getattr(obj, "_history", None)
        if history is not None and value is history.view:  # record(): already checked
            return value
        try:
            return as_frames(value)
        except ValueError as err:
            raise TraitError(f"{owner(obj, self.name)} {err}") from None

    def set(self, obj: Any, value: Any) -> None:
        set_replaced(self, obj, value)


class FrameLabels(Labels):
    """Labels of the frames; a list record() made (its one new label checked) is taken
    as it is, so a record costs the same however many frames came before."""

    def validate(self, obj: Any, value: Any) -> list[str]:
        if value is getattr(obj, "_appended_labels", None):
            return value
        return super().validate(obj, value)


class _History:
    """The frames' buffer: room for ``capacity`` frames, the first ``count`` in use, and
    each frame's finite (min, max) so fixed colour limits cost nothing per record."""

    def __init__(self, frames: np.ndarray) -> None:
        self.count = len(frames)
        self.buffer = np.array(frames, dtype=np.float64) if self.count else np.zeros((0, 0, 0, 0))
        self.ranges = np.array([_finite_range(f) for f in frames]).reshape(-1, 2)
        self.view = self._read_only()

    def _read_only(self) -> np.ndarray:
        view = self.buffer[: self.count]
        view.flags.writeable = False
        return view

    def append(self, maps: np.ndarray, limit: int) -> int:
        """Add ``maps`` as the last frame, dropping the oldest ones beyond ``limit``;
        returns how many were dropped."""
        dropped = max(0, self.count + 1 - limit)
        if dropped:
            self.buffer[: self.count - dropped] = self.buffer[dropped: self.count]
            self.ranges = self.ranges[dropped:]
            self.count -= dropped
        if self.count == len(self.buffer):  # full: double, so T records cost O(T) copies
            grown = np.empty((max(4, 2 * self.count), *maps.shape))
            grown[: self.count] = self.buffer[: self.count]
            self.buffer = grown
        self.buffer[self.count] = maps
        self.ranges = np.vstack([self.ranges, [_finite_range(maps)]])
        self.count += 1
        self.view = self._read_only()
        return dropped


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
        help="Index of the frame shown (0..T-1; negative counts from the end), or None with "
        "no frames. Assigning it makes data that frame.",
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
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{type(self).__name__}.record expected label as a str or None, "
                            f"got {type(label).__name__} {label!r}")
        label = str(self._recorded) if label is None else label
        self.traits()["frame_labels"].validate(self, [label])  # the new one; the rest were
        history = self._history
        if history.count and history.buffer.shape[1:] != self.data.shape:
            raise ValueError(
                f"{type(self).__name__}.record: data has shape {self.data.shape} but the frames "
                f"hold maps of {history.buffer.shape[1:]}; start a new history with "
                f"`grid.frames = np.zeros((0, 0, 0, 0))`")
        if history.count == 0:
            history.buffer = np.zeros((0, *self.data.shape))
        dropped = history.append(self.data, self.max_frames)
        labels = self.frame_labels[dropped:]
        labels.append(label)
        self._appended_labels = labels
        # Observers run when the batch ends: they must see a recording, not a new history.
        self._recording = True
        try:
            with self.hold_sync():
                self.frames = history.view
                self.frame_labels = labels
                self.frame = history.count - 1
        finally:
            self._recording = False
            self._appended_labels = None
        self._recorded += 1
        self._frames_sent(dropped)
        return history.count - 1

    _recorded = 0  # frames recorded since the last whole assignment: the default labels

    def _frames_sent(self, dropped: int) -> None:
        """Tell the page of the frame just recorded (the grid class wires the sending)."""

    def frame_figures(self) -> list[tuple[str, Any]]:
        """``(label, figure)`` of every frame, drawn as the grid draws now (colormap,
        highlight, titles...) with each frame's maps and the limits the frames' policy
        gives: what an animated picture shows."""
        base = self.figure
        out = []
        for label, maps in zip(self.frame_labels, self._history.view):
            if self.frame_limits == "per-frame":
                limits = auto_limits(maps, self.vmin, self.vmax)
                auto = auto_limits(maps, None, None)
            else:
                limits, auto = base.limits, base.auto_limits
            out.append((label, base.with_data(maps, limits, auto)))
        return out

    # ------------------------------------------------------------------ limits

    def _limits_sample(self) -> np.ndarray:
        """What automatic colour limits span: the data, and with 'fixed' every frame."""
        history = self._history
        if self.frame_limits != "fixed" or history.count == 0:
            return self.data
        ranges = history.ranges[: history.count].ravel()
        return np.concatenate([ranges, _finite_range(self.data)])

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
            raise TraitError(
                f"{owner(self, 'frames')} has {len(frames)} frames but frame_labels has "
                f"{len(labels)} entries; set both together inside `with grid.hold_sync():`")
        return frames

    @validate("frame")
    def _check_frame(self, proposal: traitlets.Bunch) -> int | None:
        value, count = proposal["value"], len(self.frames)
        if value is None:
            if count:
                raise TraitError(f"{owner(self, 'frame')} expected a frame index in 0..{count - 1}, "
                                 f"got None")
            return None
        if isinstance(value, bool) or not -count <= value < count:
            expected = f"0..{count - 1} (or -{count}..-1)" if count else "None (there are no frames)"
            raise TraitError(f"{owner(self, 'frame')} expected {expected}, got {value!r}")
        return value % count

    @validate("frame_labels")
    def _check_frame_labels(self, proposal: traitlets.Bunch) -> list[str]:
        value, count = proposal["value"], len(self.frames)
        if len(value) != count:
            raise TraitError(f"{owner(self, 'frame_labels')} expected {count} labels (one per "
                             f"frame), got {len(value)}")
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
        if self._recording:
            return
        # A whole new history: its buffer, labels and frame shown.
        self._history = _History(frames)
        self._recorded = len(frames)
        with self.hold_trait_notifications():
            if len(self.frame_labels) != len(frames):
                self.frame_labels = [str(i) for i in range(len(frames))]
            self.frame = len(frames) - 1 if len(frames) else None
        self._frames_sent(None)

    @observe("frame")
    def _on_frame(self, change: traitlets.Bunch) -> None:
        index = change["new"]
        if index is None or self._recording:
            return
        shown = self._history.view[index]
        if not np.array_equal(shown, self.data, equal_nan=True):
            self._show_frame_data(shown)

    def _show_frame_data(self, maps: np.ndarray) -> None:
        """Make ``data`` the frame's maps (the grid class sends them the cheap way)."""
        self.data = maps
