"""The tensor the widget shows: conversion and checks, automatic limits, the sample."""

from __future__ import annotations

import functools
import math
import sys
import warnings
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import numpy as np

from .figure.ticks import MIN_SPAN, min_span, min_spans

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

#: The most values all frames together may hold (8 bytes each): 2 GiB of float64.
MAX_FRAME_VALUES = 2**28


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


def check_real(dtype: np.dtype, what: str = "") -> None:
    """The one kind check: refuse dtypes that are not real numbers, naming what came."""
    if dtype.kind not in "fiub":
        names = {"c": "complex", "U": "string", "S": "bytes", "O": "object", "M": "datetime",
                 "m": "timedelta", "V": "structured"}
        raise ValueError(
            f"expected real numbers (float, int or bool), got {what}"
            f"{names.get(dtype.kind, dtype.kind)} dtype {dtype}"
        )


@dataclass(frozen=True)
class StackBounds:
    """How large a stack one road takes; checked by :func:`check_size` from the shape
    alone, before any value is converted or computed.

    Parameters
    ----------
    axes
        The dimensions' names, e.g. ``"(N, H, W)"``; their count is the stack's ndim.
    first
        The most items along the first axis (None: no bound), and ``first_name``, what
        they are called in a refusal, with ``first_hint`` (what to do instead).
    values
        The most values in all (None: no bound), with ``values_hint`` (why).
    item_values
        The most values of one item of the first axis (a frame), or None.
    empty_first
        Whether the first axis may be empty (frames: none yet).
    """

    axes: str = "(N, H, W)"
    first: int | None = MAX_PANELS
    first_name: str = "panels"
    first_label: str = ""
    first_hint: str = (" (an array with a shape, numpy, Dask, xarray or Zarr, is shown a "
                       "page at a time instead)")
    values: int | None = MAX_CELLS
    values_hint: str = " (the grid keeps a float64 copy and sends them all)"
    item_values: int | None = None
    empty_first: bool = False

    @functools.cached_property
    def ndim(self) -> int:
        return self.axes.count(",") + 1

    def with_first(self, first: int | None, label: str = "") -> StackBounds:
        """These bounds with another bound of the first axis, named ``label`` in a
        refusal (e.g. ``"max_frames = "``)."""
        return replace(self, first=first, first_label=label)


#: data, a reference, a page of a paged stack: what one grid shows at once.
MAPS = StackBounds()
#: A reference given to compare(): shaped like data, so bounded as data is (never paged).
REFERENCE = replace(MAPS, first_hint=" (a reference is shaped like data)")
#: frames (T, N, H, W), assigned or recorded: each frame a stack ``data`` takes, all of
#: them at most :data:`MAX_FRAME_VALUES`; the grid adds its ``max_frames``.
FRAMES = StackBounds(axes="(T, N, H, W)", first=None, first_name="frames", first_hint="",
                     values=MAX_FRAME_VALUES, values_hint=" in all frames",
                     item_values=MAX_CELLS, empty_first=True)
#: A stack shown a page at a time: any number of panels, each small enough to be shown.
PAGED = StackBounds(first=None, values=None, item_values=MAX_CELLS)
#: A chunk of a paged stack read for the whole stack's limits: any size the engine chose.
CHUNK = StackBounds(first=None, values=None)


_INT = frozenset({int})


def check_size(shape: Sequence[int], bounds: StackBounds = MAPS) -> None:
    """The one size check: refuse a stack by its shape alone (so nothing is converted,
    read or computed to be refused).

    Raises
    ------
    ValueError
        When ``shape`` has an unknown size (NaN: a Dask array after boolean indexing),
        another number of axes than ``bounds.axes``, an empty axis, or more items or
        values than ``bounds`` allow. The message says what came.
    """
    if type(shape) is not tuple or not _INT.issuperset(map(type, shape)):  # numpy's: ints
        unknown = [i for i, n in enumerate(shape)
                   if n is None or (isinstance(n, float) and math.isnan(n))]
        if unknown:  # a Dask array after boolean indexing: its chunk sizes are not computed yet
            what = (f"its {bounds.first_name[:-1]} count is unknown" if unknown == [0]
                    else f"the sizes of its axes {unknown} are unknown")
            raise ValueError(f"expected an array of known shape {bounds.axes}, got shape "
                             f"{tuple(shape)}: {what} (e.g. a Dask array after boolean "
                             f"indexing); call x.compute_chunk_sizes() first")
        shape = tuple(int(n) for n in shape)
    if len(shape) != bounds.ndim:
        raise ValueError(f"expected a {bounds.ndim}-D array {bounds.axes}, got {len(shape)}-D "
                         f"with shape {shape}")
    if bounds.empty_first and shape[0] == 0:
        return
    if 0 in shape:
        raise ValueError(f"expected every axis to be non-empty, got shape {shape}")
    if bounds.first is not None and shape[0] > bounds.first:
        raise ValueError(f"expected at most {bounds.first_label}{bounds.first} {bounds.first_name}, got "
                         f"{shape[0]}{bounds.first_hint}")
    size = math.prod(shape)
    if bounds.values is not None and size > bounds.values:
        raise ValueError(f"expected at most {bounds.values:,} values{bounds.values_hint}, got "
                         f"{size:,} in shape {shape}")
    if bounds.item_values is not None and size // shape[0] > bounds.item_values:
        raise ValueError(f"expected {bounds.first_name} of at most {bounds.item_values:,} "
                         f"values, got shape {shape}")


#: The arrays this module made (by id, each weakly): already converted and checked, never
#: writeable, so the grid takes them back (a rolled-back batch, a cached page) without a
#: copy. Plain weak references, no callback (a WeakValueDictionary costs a panel update
#: four Python calls: its entry and its removal); dead ones are dropped in one pass when
#: they outnumber the live (:func:`_converted`).
_CONVERTED: dict[int, weakref.ref] = {}
_CONVERTED_LIMIT = [1024]  # entries before the next pass


def _converted(array: np.ndarray) -> None:
    """Know ``array`` as made here (:data:`_CONVERTED`)."""
    _CONVERTED[id(array)] = weakref.ref(array)
    if len(_CONVERTED) > _CONVERTED_LIMIT[0]:
        # (A list first: another thread's grid may add meanwhile; one it adds while this
        # pass clears is only copied once more when it comes back.)
        live = {key: ref for key, ref in list(_CONVERTED.items()) if ref() is not None}
        _CONVERTED.clear()
        _CONVERTED.update(live)
        _CONVERTED_LIMIT[0] = max(1024, 2 * len(live))


def _is_converted(value: object) -> bool:
    """Whether ``value`` is an array made here (:func:`_converted`), alive."""
    ref = _CONVERTED.get(id(value))
    return ref is not None and ref() is value


def _masked_stack(value: Any) -> Any:
    """A list of (lists of) arrays holding a masked one as one masked array, so its
    masks survive (``np.asarray`` would drop them and keep the fill values)."""
    if isinstance(value, (list, tuple)):
        items = [_masked_stack(v) for v in value]
        if any(isinstance(v, np.ma.MaskedArray) for v in items):
            try:
                return np.ma.stack([np.ma.asarray(v) for v in items])
            except (ValueError, TypeError) as err:
                raise ValueError(f"expected maps of one shape, got {type(value).__name__}: "
                                 f"{err}") from None
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    return value


def _readable(value: Any) -> Any:
    """What numpy can read of ``value``: an xarray ``DataArray``'s array (lazy or not), a
    CPU copy of a torch tensor, masked maps in lists stacked; else ``value``."""
    if type(value).__module__.split(".")[0] == "xarray" and hasattr(value, "data"):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch, without importing it
        try:
            tensor = value.detach().cpu()
            if str(getattr(tensor, "dtype", "")) in ("torch.bfloat16", "torch.float16"):
                tensor = tensor.float()  # numpy has no bfloat16
            return tensor.numpy()
        except Exception as err:  # e.g. a 'meta' tensor has no data to read
            raise ValueError(
                f"expected a tensor whose values can be read on the CPU, got {type(value).__name__}"
                f" ({type(err).__name__}: {err})"
            ) from None
    return _masked_stack(value)


def _dtype_of(value: Any) -> np.dtype | None:
    try:
        return np.dtype(value.dtype)
    except (AttributeError, TypeError):  # pandas DataFrames have dtypes; lists have none
        return None


def _is_engine(value: Any) -> bool:
    """Whether ``value`` is computed or read by an engine (Dask, Zarr) when numpy reads it."""
    return type(value).__module__.split(".")[0] in ("dask", "zarr")


def engine_error(value: Any, err: BaseException) -> str:
    """The one wording of an engine's failure to compute or read ``value`` (a Dask
    block raising, a Zarr chunk missing): what was expected, and the engine's error
    as it came, on one line."""
    engine = type(value).__module__.split(".")[0].capitalize()
    verb = "compute" if engine == "Dask" else "read"
    said = " ".join(str(err).split())
    said = said if len(said) <= 500 else said[:497] + "..."
    return (f"expected values {engine} can {verb}, got a {engine} {type(value).__name__} "
            f"that raised {type(err).__name__}" + (f": {said}" if said else ""))


def as_stack(value: object, bounds: StackBounds = MAPS) -> np.ndarray:
    """The one conversion of everything the grid takes as maps (data, a reference, frames
    assigned or recorded, a page of a paged stack, a chunk of the whole-stack limits):
    the grid's own read-only float64 C-ordered copy.

    Accepts numpy arrays and anything numpy can convert (lists, xarray, CPU torch
    tensors, pandas objects, Dask and Zarr arrays). Ints and bools become floats; masked
    entries become NaN; NaN is allowed (drawn in the grid's ``nan_color``). The size
    (:func:`check_size`) and the kind of numbers are checked from the shape and dtype
    first, where the value has them: a lazy array is computed only once it passes.

    Raises
    ------
    ValueError
        When the value is not real numbers, ragged, of another shape or larger than
        ``bounds`` allow, or holds +-inf or a magnitude above :data:`MAX_MAGNITUDE`.
        The message says what came.
    """
    shape = getattr(value, "shape", None)
    if _is_converted(value) and isinstance(shape, tuple):
        check_size(shape, bounds)  # already converted and checked: its size for this road
        return value  # type: ignore[return-value]
    return _frozen(*checked_values(value, bounds))


def checked_values(value: object, bounds: StackBounds = MAPS
                   ) -> tuple[np.ndarray, MapSummary | None]:
    """:func:`as_stack`'s conversion and checks, before the copy becomes the grid's: a
    new float64 C-ordered array and its :class:`MapSummary` (None when it holds no
    value). For what the grid writes into a stack of its own (a panel update): it needs
    no read-only copy of its own. Raises as :func:`as_stack` does."""
    if type(value) is np.ndarray:  # nothing to read: checked as it is
        check_real(value.dtype)
        check_size(value.shape, bounds)
        return _checked_copy(value)
    value = _readable(value)
    dtype, shape = _dtype_of(value), getattr(value, "shape", None)
    masked = isinstance(value, np.ma.MaskedArray)
    if dtype is not None and isinstance(shape, tuple):
        # Before numpy reads it: a lazy stack is never computed to be refused, and
        # astype(float) would turn "1.5" strings into numbers and drop imaginary parts.
        check_real(dtype, "a masked array of " if masked else "")
        check_size(shape, bounds)
    try:
        with warnings.catch_warnings():
            # numpy < 1.24 makes an object array of ragged input, with only this warning;
            # later versions raise ValueError. Refuse it the same way in both.
            warnings.simplefilter("error", _VisibleDeprecationWarning)
            array = np.ma.filled(value.astype(np.float64), np.nan) if masked else np.asarray(value)
    except _VisibleDeprecationWarning:
        raise ValueError(f"expected a numeric array-like, got {type(value).__name__}: its "
                         f"nested sequences have different lengths (ragged)") from None
    except MemoryError:
        raise ValueError(f"expected an array that fits in memory as float64, got shape "
                         f"{shape}") from None
    except Exception as err:  # numpy (or an engine computing it) raises many kinds
        if _is_engine(value):
            raise ValueError(engine_error(value, err)) from None
        if isinstance(err, ValueError):
            raise ValueError(f"expected a numeric array-like, got {type(value).__name__}: {err}") from None
        raise ValueError(f"expected a numeric array-like, got {type(value).__name__}: "
                         f"{type(err).__name__}: {err}") from None
    check_real(array.dtype)
    check_size(array.shape, bounds)
    return _checked_copy(array)


def _checked_copy(array: np.ndarray) -> tuple[np.ndarray, MapSummary | None]:
    """A float64 C-ordered copy of checked ``array``, its values checked, and its summary
    (None when it holds no value)."""
    try:
        stack = np.array(array, dtype=np.float64, order="C", copy=True)
    except MemoryError:
        raise ValueError(f"expected an array that fits in memory as float64, got shape "
                         f"{array.shape}") from None
    summary = MapSummary.of(stack) if stack.size else None
    _check_values(stack, summary)
    return stack, summary


def _check_values(stack: np.ndarray, summary: MapSummary | None) -> None:
    """Refuse +-inf and magnitudes above :data:`MAX_MAGNITUDE`, naming the first."""
    # From the summary in the common case (all finite, all small); positions on refusal.
    span = summary.finite_range() if summary is not None else None  # NaN: skipped, inf not
    if span is None or max(-span[0], span[1]) <= MAX_MAGNITUDE:
        return
    if np.isinf(stack).any():
        where = tuple(int(i) for i in np.argwhere(np.isinf(stack))[0])
        raise ValueError(f"expected finite values or NaN, got +-inf (first at index {where})")
    where = tuple(int(i) for i in np.argwhere(np.abs(np.nan_to_num(stack)) > MAX_MAGNITUDE)[0])
    raise ValueError(
        f"expected values of magnitude at most {MAX_MAGNITUDE:g} (so ranges and colour "
        f"limits stay finite), got {float(stack[where])!r} at index {where}"
    )


def as_tensor(value: object) -> np.ndarray:
    """``value`` as ``data`` takes it: :func:`as_stack` with the bounds of one grid's
    maps (:data:`MAPS`), a read-only float64 (N, H, W) copy.

    Raises
    ------
    ValueError
        When the value is not real numbers, not 3-D, has an empty axis, holds +-inf or a
        magnitude above :data:`MAX_MAGNITUDE`, or has more than :data:`MAX_PANELS` panels
        or :data:`MAX_CELLS` values. The message says what came.
    """
    return as_stack(value, MAPS)


def _frozen(array: np.ndarray, summary: MapSummary | None = None) -> np.ndarray:
    """``array`` as a read-only view of a read-only base: numpy lets an owner of its data
    make itself writeable again (``flags.writeable = True``), a view of a read-only base
    cannot, so the grid's tensor can never change without the grid knowing. Its
    ``summary``, when given, is kept for :func:`summary_of`."""
    array.flags.writeable = False
    view = _frozen_view(array)
    global _LAST_SUMMARY
    if summary is not None:
        _LAST_SUMMARY = (weakref.ref(view), summary)
    return view


#: The summary the last conversion found while checking its values, for its stack (weakly).
_LAST_SUMMARY: tuple[weakref.ref, MapSummary] | None = None


def summary_of(stack: np.ndarray) -> MapSummary:
    """``stack``'s :class:`MapSummary`: the one its conversion found, when it is the last
    stack converted (a grid asks right after), else found now."""
    known = _LAST_SUMMARY
    if known is not None and known[0]() is stack:
        return known[1]
    return MapSummary.of(stack)


def _frozen_view(array: np.ndarray) -> np.ndarray:
    """A read-only view of read-only ``array``, known as converted."""
    view = array.view()
    view.setflags(write=False)  # (faster than through ``flags``)
    _converted(view)
    return view


def frozen_part(stack: np.ndarray, index: Any) -> np.ndarray:
    """A read-only part of a converted stack (a frame of the frames), known as converted,
    so the grid takes it as ``data`` without another copy or check."""
    part = stack[index]
    part.flags.writeable = False
    _converted(part)
    return part


class MapSummary:
    """Each map's finite minimum and maximum (NaN for a map without a finite value) and
    smallest nonzero magnitude (inf for none), for a stack of maps (N, H, W).

    What automatic limits (:func:`auto_limits` reads only the finite extremes) and the
    precision test (``live.codec``) need of a stack, kept per map so that replacing a few
    maps (:meth:`replaced`) costs those maps and N, not the stack.
    """

    __slots__ = ("low", "high", "tiny", "_range", "_smallest")

    def __init__(self, low: np.ndarray, high: np.ndarray, tiny: np.ndarray) -> None:
        self.low, self.high, self.tiny = low, high, tiny
        self._range: tuple[float, float] | None | bool = False  # not found yet
        self._smallest: float | None = None

    @classmethod
    def of(cls, stack: np.ndarray) -> MapSummary:
        """The summary of ``stack`` (N, ...): one pass per figure over the values."""
        flat = stack.reshape(stack.shape[0], -1)
        low, high = np.fmin.reduce(flat, axis=1), np.fmax.reduce(flat, axis=1)
        # The smallest nonzero magnitude is the end nearest 0 when 0 is outside the map's
        # range (then it is the larger of low and -high, and positive); else, and for a
        # map without finite values (NaN), it is looked for.
        if flat.shape[0] == 1:  # one map (a panel update): its ends are the stack's
            lo, hi = low.item(), high.item()
            if lo > 0 or hi < 0:  # NaN (no finite value) is neither
                summary = cls(low, high, low.copy() if lo > 0 else -high)
                summary._range, summary._smallest = (lo, hi), max(lo, -hi)
                return summary
        tiny = np.fmax(low, -high)
        if not np.minimum.reduce(tiny) > 0:  # NaN (a map without finite values) too
            around = ~(tiny > 0)
            part = flat[around]
            magnitude = np.abs(part)
            magnitude[part == 0] = np.inf  # NaN stays NaN, which fmin skips
            tiny[around] = np.fmin.reduce(magnitude, axis=1, initial=np.inf)
        return cls(low, high, tiny)

    def replaced(self, stack: np.ndarray, indices: Sequence[int],
                 maps: MapSummary | None = None) -> MapSummary:
        """The summary of ``stack``, which differs from the stack summarised here in
        maps ``indices`` alone (whose own summary is ``maps``, if known). ``self`` stays
        as it was."""
        if maps is None:
            maps = MapSummary.of(stack[list(indices)])  # those maps alone
        low, high, tiny = self.low.copy(), self.high.copy(), self.tiny.copy()
        if len(indices) == 1:  # a panel update: plain item assignments
            index = indices[0]
            low[index], high[index], tiny[index] = maps.low[0], maps.high[0], maps.tiny[0]
        else:
            low[indices], high[indices], tiny[indices] = maps.low, maps.high, maps.tiny
        summary = MapSummary(low, high, tiny)
        self._follow(summary, indices, maps)
        return summary

    def _follow(self, new: MapSummary, indices: Sequence[int], maps: MapSummary) -> None:
        """Give ``new`` (this summary with maps ``indices`` replaced by ``maps``) the stack's
        extremes at the cost of the replaced maps where this summary's, and what the
        replaced maps held, decide them: an end moves out with the new maps, and stays
        where the old maps did not hold it; an end the old maps held and the new ones do
        not reach is found from ``new``'s per-map extremes (N numbers, one reduction)."""
        if self._range is False or self._smallest is None:
            return  # not found for this stack either: nothing to follow
        span, smallest = self._range, self._smallest
        ranges, tinies = maps.finite_range(), maps.smallest()
        if span is None or ranges is None:
            return  # no finite value before, or none in the new maps: found when asked
        # What the replaced maps held.
        if len(indices) == 1:  # a panel update: its items, no reduction
            index = indices[0]
            old_low, old_high = float(self.low[index]), float(self.high[index])
            old_tiny = float(self.tiny[index])
        else:
            old_low = float(np.fmin.reduce(self.low[indices]))
            old_high = float(np.fmax.reduce(self.high[indices]))
            old_tiny = float(np.min(self.tiny[indices]))
        low, high = span
        # An end the replaced maps held (NaN: they held no finite value, so not) may
        # have moved in, unless the new maps reach it again. (The new maps hold finite
        # values, so the stack does.)
        if ranges[0] <= low:
            low = ranges[0]
        elif old_low == low:
            low = new._lowest()
        if ranges[1] >= high:
            high = ranges[1]
        elif old_high == high:
            high = new._highest()
        new._range = (low, high)
        if tinies <= smallest:
            new._smallest = tinies
        elif old_tiny != smallest:
            new._smallest = smallest
        # (else found when asked: smallest())

    def _lowest(self) -> float:
        """The finite minimum over the maps, NaN when none has a finite value."""
        return float(np.fmin.reduce(self.low))

    def _highest(self) -> float:
        """The finite maximum over the maps, NaN when none has a finite value."""
        return float(np.fmax.reduce(self.high))

    def finite_range(self) -> tuple[float, float] | None:
        """(min, max) of the stack's finite values, or None when it has none."""
        if self._range is False:
            low = self._lowest()
            self._range = None if low != low else (low, self._highest())
        return self._range  # type: ignore[return-value]

    def smallest(self) -> float:
        """The smallest nonzero magnitude of the stack's values (inf: none)."""
        if self._smallest is None:  # (ndarray.min, without its Python wrapper)
            self._smallest = float(np.minimum.reduce(self.tiny))
        return self._smallest

    def extremes(self) -> tuple[tuple[float, float] | None, float]:
        """All that automatic limits and the precision test read of the stack: its
        finite range and smallest nonzero magnitude."""
        return self.finite_range(), self.smallest()


def _references(buffer: np.ndarray) -> int:
    return sys.getrefcount(buffer)


def _probe() -> int:
    buffer = np.empty(1)
    return _references(buffer)


#: What :func:`_references` counts for a buffer held by one name of its caller and by
#: nothing else (no array viewing it): measured, not assumed, as interpreters differ.
_UNVIEWED = _probe()


class MapWriter:
    """Makes a grid's next stack from its current one with some maps replaced, at the
    cost of those maps, not of the stack (:meth:`replaced`).

    A stack the grid holds is read-only and never changes once anyone may see it; so the
    new stack is written into a second buffer of the writer's own, the one the stack
    before the current one used, once no array views it any more (a user's ``grid.data``
    of then, a page of a rolled-back batch...: each holds its buffer): that buffer lacks
    only the maps changed since, which are copied first. Otherwise (the first update, a
    stack assigned whole, or an older array still held) the stack is copied whole once.
    """

    def __init__(self) -> None:
        self._current: np.ndarray | None = None  # the buffer the last stack made views
        self._spare: np.ndarray | None = None  # the one before: behind by ``_behind``
        self._behind: list[int] = []

    def replaced(self, stack: np.ndarray, indices: Sequence[int],
                 maps: np.ndarray) -> np.ndarray:
        """``stack`` with maps ``indices`` (distinct, in 0..N-1) replaced by ``maps``, as a
        new read-only stack the grid takes without a copy or check (``maps`` must already
        be as :func:`as_stack` makes them)."""
        spare, self._spare = self._spare, None
        ours = self._current is not None and stack.base is self._current
        fresh = not (ours and spare is not None and spare.shape == stack.shape
                     and _references(spare) <= _UNVIEWED)
        if fresh:
            spare = np.array(stack, dtype=np.float64, order="C")
            behind: list[int] = []
        else:
            behind = self._behind
            spare.setflags(write=True)
        try:
            for index in behind:  # what changed since the spare was current
                if index not in indices:  # (else written just below: the same panel again)
                    spare[index] = stack[index]
            for index, values in zip(indices, maps):
                spare[index] = values
        finally:
            spare.setflags(write=False)
        self._spare = self._current if ours else None
        self._current, self._behind = spare, [int(i) for i in indices]
        return _frozen_view(spare)


def fixed_limits(vmin: float | None, vmax: float | None) -> tuple[float, float] | None:
    """The colour limits in force whatever the data: ``(vmin, vmax)`` when both are given
    and far enough apart for distinct ticks; else None (the data decides an end)."""
    if vmin is not None and vmax is not None and vmax - vmin >= min_span(vmin, vmax):
        return float(vmin), float(vmax)
    return None


def auto_limits(
    tensor: np.ndarray, vmin: float | None, vmax: float | None
) -> tuple[float, float]:
    """The colour limits in force: the given ones, or the data's min/max where None.

    Always returns ``lo < hi``: all-NaN data gives (0, 1); constant data, or an automatic
    end that falls on the wrong side of a fixed one, is widened around the fixed value.
    """
    fixed = fixed_limits(vmin, vmax)
    if fixed is not None:
        return fixed  # both given: no need to look at the data
    finite = tensor[np.isfinite(tensor)]
    return range_limits((float(finite.min()), float(finite.max())) if finite.size else None,
                        vmin, vmax)


def range_limits(span: tuple[float, float] | None, vmin: float | None,
                 vmax: float | None) -> tuple[float, float]:
    """:func:`auto_limits` of data whose finite values span ``span`` (min, max), or
    have none (None)."""
    fixed = fixed_limits(vmin, vmax)
    if fixed is not None:
        return fixed
    data_lo, data_hi = span if span is not None else (None, None)
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


def panel_range_limits(low: np.ndarray, high: np.ndarray, vmin: float | None = None,
                       vmax: float | None = None) -> np.ndarray:
    """Per-panel colour limits (``panel_limits="per-panel"``), (N, 2): :func:`range_limits`,
    the rule of the shared limits, applied to each map alone, whose finite values span
    ``low[i]``..``high[i]`` (NaN: none; :class:`MapSummary`'s ``low`` and ``high``), with
    ``vmin``/``vmax`` fixing an end of every panel where given. The common case (a range
    wide enough, no fixed end) in one numpy step; the others by :func:`range_limits`."""
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    out = np.empty((low.shape[0], 2))
    fixed = fixed_limits(vmin, vmax)
    if fixed is not None:
        out[:] = fixed
        return out
    lo = low if vmin is None else np.full_like(low, vmin)
    hi = high if vmax is None else np.full_like(high, vmax)
    out[:, 0], out[:, 1] = lo, hi
    # A panel without finite values has NaN extremes, and NaN compares False: not plain.
    # (Values are finite or NaN, +-inf is refused, so no numpy warning can arise.)
    plain = hi - lo >= min_spans(lo, hi)
    if np.count_nonzero(plain) == plain.shape[0]:  # every update: the cheapest test
        return out
    for i in np.flatnonzero(~plain).tolist():
        span = None if low[i] != low[i] else (float(low[i]), float(high[i]))
        out[i] = range_limits(span, vmin, vmax)
    return out


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
