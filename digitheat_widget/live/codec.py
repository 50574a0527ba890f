"""The one road of a tensor to the page: ``{dtype, shape, buffer, seq[, indices]}``.

The whole stack (the controller's ``data``, in the first state and on a resync) and each
update of some maps (its ``patch``) are encoded the same way; ``controller.js``'s
``decode`` is the twin. ``buffer`` is a memoryview, which ipywidgets takes out of the JSON
as one binary buffer without copying it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import MapSummary

#: dtypes the page reads.
WIRE_DTYPES = ("float32", "float64")
_WIRE_NAMES = {np.float32: "float32", np.float64: "float64"}
#: Each wire dtype, little-endian (numpy's newbyteorder is slow for every update).
_LITTLE = {np.float32: np.dtype("<f4"), np.float64: np.dtype("<f8")}


#: float32 rounds a value by up to 2^-24 of it; above this ratio of magnitude to the
#: colour range shown, that rounding is more than 2^-12 of the range: a visible step.
_RATIO_FOR_FLOAT64 = 4096


_FLOAT32_MAX, _FLOAT32_TINY = float(np.finfo(np.float32).max), float(np.finfo(np.float32).tiny)


def _float64_needed(largest: float, smallest: float, spread: float) -> bool:
    """The rule itself, from finite values' largest magnitude, smallest nonzero magnitude
    (inf: none) and the spread of the colours they are shown with."""
    if largest > _FLOAT32_MAX or smallest < _FLOAT32_TINY:
        return True
    return bool(spread > 0 and largest / spread > _RATIO_FOR_FLOAT64)


def needs_float64(values: np.ndarray, spread: float | None = None) -> bool:
    """The one precision test: whether float32 would change the picture of ``values``.

    True when a value is outside float32's normal range, or when the spread of the
    colours they are shown with (``spread``; default their own max - min) is tiny next to
    their magnitude (e.g. 300.000000 .. 300.000010, or 1e6 plus a small ramp), where
    float32's rounding (2^-24 of the value) would move a cell by a visible share of the
    colour range.
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return False
    largest = float(np.abs(finite).max())
    nonzero = np.abs(finite[finite != 0])
    smallest = float(nonzero.min()) if nonzero.size else np.inf
    if spread is None:
        spread = float(finite.max() - finite.min())
    return _float64_needed(largest, smallest, spread)


def summary_needs_float64(summary: MapSummary, spread: float | None = None) -> bool:
    """:func:`needs_float64` of a stack, from its per-map summary (the same answer, at
    the cost of N: a one-panel update never reads the stack again)."""
    span = summary.finite_range()
    if span is None:
        return False
    low, high = span
    return _float64_needed(max(abs(low), abs(high)), summary.smallest(),
                           high - low if spread is None else spread)


def wire_dtype(tensor: MapSummary, reference: MapSummary | None = None,
               difference: MapSummary | None = None) -> type:
    """float32 (half the bytes) when it shows the data exactly as float64 would, else
    float64: the dtype of one stack on the wire, by :func:`needs_float64`, from the
    stacks' per-map summaries (:class:`~digitheat_widget.data.MapSummary`).

    With a ``reference`` (and the ``difference`` data - reference) the answer is for both
    stacks: the page works out ``data - reference`` from them, so float64 also when the
    difference's spread is tiny next to their magnitude (1e6 and 1e6 plus a small ramp).
    """
    if summary_needs_float64(tensor):
        return np.float64
    if reference is not None and difference is not None:
        if summary_needs_float64(reference):
            return np.float64
        span = difference.finite_range()
        spread = max(abs(span[0]), abs(span[1])) * 2 if span else 0.0  # shown about 0
        if spread > 0 and (summary_needs_float64(tensor, spread)
                           or summary_needs_float64(reference, spread)):
            return np.float64
    return np.float32


def frames_wire_dtype(frames: np.ndarray) -> type:
    """The frames' dtype on the wire: float64 when any frame needs it (each may be shown
    with its own limits, ``frame_limits="per-frame"``)."""
    return np.float64 if any(needs_float64(frame) for frame in frames) else np.float32


def encode(maps: np.ndarray, dtype: type, seq: int,
           indices: Sequence[int] | None = None) -> dict[str, Any]:
    """Maps (k, H, W) as the page reads them; ``indices`` says which maps they are (a patch)."""
    name = _WIRE_NAMES.get(dtype) or np.dtype(dtype).name  # numpy's .name is slow
    little = _LITTLE.get(dtype) or np.dtype(dtype).newbyteorder("<")
    wire = np.ascontiguousarray(maps, dtype=little)
    encoded: dict[str, Any] = {
        "dtype": name, "shape": list(wire.shape), "seq": int(seq),  # numpy's shape: ints
        # An empty stack (a grid's frames before any) cannot be cast: numpy's empty view.
        "buffer": memoryview(wire).cast("B") if wire.size else memoryview(b""),
    }
    if indices is not None:
        encoded["indices"] = [int(i) for i in indices]
    return encoded


def decode(encoded: dict[str, Any]) -> np.ndarray:
    """The maps in an encoded dict (for tests and tools that read what the page gets)."""
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(bytes(encoded["buffer"]), dtype=dtype).reshape(encoded["shape"])
