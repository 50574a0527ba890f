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

#: dtypes the page reads.
WIRE_DTYPES = ("float32", "float64")


def wire_dtype(tensor: np.ndarray) -> type:
    """float32 (half the bytes) when it shows the data exactly as float64 would, else float64.

    float64 is needed when a value is outside float32's normal range, or when the data's
    spread is tiny next to its magnitude (e.g. 300.000000 .. 300.000010, or 1e6 plus a
    small ramp), where float32's rounding (2^-24 of the value) would move a cell by a
    visible share of the colour range.
    """
    finite = tensor[np.isfinite(tensor)]
    if not finite.size:
        return np.float32
    info = np.finfo(np.float32)
    largest = float(np.abs(finite).max())
    nonzero = np.abs(finite[finite != 0])
    if largest > float(info.max) or (nonzero.size and float(nonzero.min()) < float(info.tiny)):
        return np.float64
    spread = float(finite.max() - finite.min())
    if spread > 0 and largest / spread > 4096:  # rounding above 2^-12 of the range
        return np.float64
    return np.float32


def encode(maps: np.ndarray, dtype: type, seq: int,
           indices: Sequence[int] | None = None) -> dict[str, Any]:
    """Maps (k, H, W) as the page reads them; ``indices`` says which maps they are (a patch)."""
    wire = np.ascontiguousarray(maps, dtype=np.dtype(dtype).newbyteorder("<"))
    encoded: dict[str, Any] = {
        "dtype": wire.dtype.name, "shape": [int(n) for n in wire.shape], "seq": int(seq),
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
