"""The tensor the widget shows: conversion and checks, automatic limits, the sample."""

from __future__ import annotations

import warnings
from importlib import resources

import numpy as np

from .figure.ticks import MIN_SPAN, min_span

_VisibleDeprecationWarning = getattr(np, "exceptions", np).VisibleDeprecationWarning

#: Shape of the bundled sample: ten digits, 7 rows x 6 columns each.
SAMPLE_SHAPE = (10, 7, 6)

#: Largest number of panels one grid accepts (a larger stack would freeze the page).
MAX_PANELS = 4096

#: Most values one grid holds: 2^25 (256 MiB as float64; 100,000 maps of 28x28 fit in
#: 78.4 M values, which is more than any page can show at once).
MAX_CELLS = 2**25

#: Largest magnitude of a value or colour limit: well inside float64, so the width of any
#: range (max - min, and the automatic widening of a constant map) stays finite.
MAX_MAGNITUDE = 1e300



def sample_data() -> np.ndarray:
    """The bundled 10x7x6 sample: sharpened class means of real handwritten digits.

    Derived from the UCI "Optical Recognition of Handwritten Digits" data (CC BY 4.0) by
    ``scripts/make_sample_data.py``: resampled to 7x6, per-class mean, cubed, and
    normalised so that all 420 cells sum to 1 (brightest cells near 0.015).

    Returns
    -------
    numpy.ndarray
        A new, writable float64 array of shape (10, 7, 6).
    """
    with resources.files("digitheat_widget").joinpath("data/sample_digits.npy").open("rb") as fh:
        return np.load(fh).astype(np.float64)


def _check_real(dtype: np.dtype, what: str = "") -> None:
    """Refuse dtypes that are not real numbers, naming what came."""
    if dtype.kind not in "fiub":
        names = {"c": "complex", "U": "string", "S": "bytes", "O": "object", "M": "datetime",
                 "m": "timedelta", "V": "structured"}
        raise ValueError(
            f"expected real numbers (float, int or bool), got {what}"
            f"{names.get(dtype.kind, dtype.kind)} dtype {dtype}"
        )


def as_tensor(value: object) -> np.ndarray:
    """Convert an array-like to the widget's own read-only float64 (N, H, W) copy.

    Accepts numpy arrays and anything numpy can convert (lists, xarray, CPU torch
    tensors, pandas objects). Ints and bools become floats; masked entries become NaN;
    NaN is allowed (drawn in the grid's ``nan_color``).

    Raises
    ------
    ValueError
        When the value is not real numbers, not 3-D, has an empty axis, holds +-inf or a
        magnitude above :data:`MAX_MAGNITUDE`, or has more than :data:`MAX_PANELS` panels.
        The message says what came.
    """
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ma.MaskedArray) for v in value):
        try:  # a list of masked maps: keep their masks (np.asarray would drop them)
            value = np.ma.array(np.stack([np.ma.getdata(v) for v in value]),
                                mask=np.stack([np.ma.getmaskarray(v) for v in value]))
        except (ValueError, TypeError) as err:
            raise ValueError(f"expected maps of one shape, got {type(value).__name__}: {err}") from None
    if isinstance(value, np.ma.MaskedArray):
        # Check the kind before filling: astype(float) would turn "1.5" strings into numbers
        # and drop imaginary parts silently.
        _check_real(value.dtype, "a masked array of ")
        value = np.ma.filled(value.astype(np.float64), np.nan)
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch tensors, without importing torch
        try:
            tensor = value.detach().cpu()
            if str(getattr(tensor, "dtype", "")) in ("torch.bfloat16", "torch.float16"):
                tensor = tensor.float()  # numpy has no bfloat16
            value = tensor.numpy()
        except Exception as err:  # e.g. a 'meta' tensor has no data to read
            raise ValueError(
                f"expected a tensor whose values can be read on the CPU, got {type(value).__name__}"
                f" ({type(err).__name__}: {err})"
            ) from None
    try:
        with warnings.catch_warnings():
            # numpy < 1.24 makes an object array of ragged input, with only this warning;
            # later versions raise ValueError. Refuse it the same way in both.
            warnings.simplefilter("error", _VisibleDeprecationWarning)
            array = np.asarray(value)
    except _VisibleDeprecationWarning:
        raise ValueError(f"expected a numeric array-like, got {type(value).__name__}: its "
                         f"nested sequences have different lengths (ragged)") from None
    except Exception as err:  # numpy raises many kinds for ragged or odd input
        raise ValueError(f"expected a numeric array-like, got {type(value).__name__}: {err}") from None
    _check_real(array.dtype)
    if array.ndim != 3:
        raise ValueError(f"expected a 3-D array (N, H, W), got {array.ndim}-D with shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"expected every axis to be non-empty, got shape {array.shape}")
    if array.shape[0] > MAX_PANELS:
        raise ValueError(f"expected at most {MAX_PANELS} panels, got {array.shape[0]} (an "
                         f"array with a shape, numpy, Dask, xarray or Zarr, is shown a page "
                         f"at a time instead)")
    if array.size > MAX_CELLS:  # e.g. a zero-cost np.broadcast_to view of a huge shape
        raise ValueError(
            f"expected at most {MAX_CELLS:,} values (the grid keeps a float64 copy and sends "
            f"them all), got {array.size:,} in shape {array.shape}")
    try:
        tensor = np.array(array, dtype=np.float64, order="C", copy=True)
    except MemoryError:
        raise ValueError(f"expected an array that fits in memory as float64, got shape "
                         f"{array.shape}") from None
    if np.isinf(tensor).any():
        where = tuple(int(i) for i in np.argwhere(np.isinf(tensor))[0])
        raise ValueError(f"expected finite values or NaN, got +-inf (first at index {where})")
    too_big = np.abs(np.nan_to_num(tensor)) > MAX_MAGNITUDE
    if too_big.any():
        where = tuple(int(i) for i in np.argwhere(too_big)[0])
        raise ValueError(
            f"expected values of magnitude at most {MAX_MAGNITUDE:g} (so ranges and colour "
            f"limits stay finite), got {float(tensor[where])!r} at index {where}"
        )
    return _frozen(tensor)


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array`` as a read-only view of a read-only base: numpy lets an owner of its data
    make itself writeable again (``flags.writeable = True``), a view of a read-only base
    cannot, so the grid's tensor can never change without the grid knowing."""
    array.flags.writeable = False
    view = array.view()
    view.flags.writeable = False
    return view


def auto_limits(
    tensor: np.ndarray, vmin: float | None, vmax: float | None
) -> tuple[float, float]:
    """The colour limits in force: the given ones, or the data's min/max where None.

    Always returns ``lo < hi``: all-NaN data gives (0, 1); constant data, or an automatic
    end that falls on the wrong side of a fixed one, is widened around the fixed value.
    """
    if vmin is not None and vmax is not None and vmax - vmin >= min_span(vmin, vmax):
        return float(vmin), float(vmax)  # both given: no need to look at the data
    finite = tensor[np.isfinite(tensor)]
    data_lo = float(finite.min()) if finite.size else None
    data_hi = float(finite.max()) if finite.size else None
    lo = vmin if vmin is not None else data_lo
    hi = vmax if vmax is not None else data_hi
    if lo is None and hi is None:
        return 0.0, 1.0
    if lo is None:
        lo = hi - _span(hi)
    if hi is None:
        hi = lo + _span(lo)
    narrowest = min_span(lo, hi)
    if hi - lo >= narrowest:
        return float(lo), float(hi)
    if lo < hi:  # too narrow for distinct ticks: widen the automatic end(s)
        if vmin is not None:
            return float(lo), float(lo + narrowest)
        if vmax is not None:
            return float(hi - narrowest), float(hi)
        middle = lo / 2 + hi / 2
        return float(middle - narrowest), float(middle + narrowest)
    # lo >= hi: only possible when at least one end is automatic (both fixed is refused).
    if vmin is None and vmax is None:
        half = _span(lo) / 2
        return float(lo - half), float(lo + half)
    if vmin is None:
        return float(hi - _span(hi)), float(hi)
    return float(lo), float(lo + _span(lo))


def _span(anchor: float) -> float:
    """A usable range width next to ``anchor``: 10% of its size, or 1 at zero, and never so
    small that ``anchor + span == anchor``."""
    return max(abs(anchor) * 0.1, MIN_SPAN) if anchor != 0.0 else 1.0


#: What ``DigitHeatmapGrid.autoscale`` can do.
AUTOSCALE_MODES = ("minmax", "robust", "symmetric")


def autoscale_limits(tensor: np.ndarray, mode: str) -> tuple[float | None, float | None]:
    """(vmin, vmax) for ``DigitHeatmapGrid.autoscale(mode)``; None, None = automatic.

    "minmax": automatic; "robust": the 2nd and 98th percentiles (automatic when they are
    too close for distinct ticks, e.g. constant data); "symmetric": centred on 0 at the
    largest magnitude (1 when that is 0 or too small for a range). No finite value:
    automatic.
    """
    finite = tensor[np.isfinite(tensor)]
    if mode == "minmax" or finite.size == 0:
        return None, None
    if mode == "robust":
        lo, hi = (float(v) for v in np.percentile(finite, [2, 98]))
        return (lo, hi) if hi - lo >= min_span(lo, hi) else (None, None)
    extent = float(np.abs(finite).max())
    extent = extent if 2 * extent >= MIN_SPAN else 1.0
    return -extent, extent
