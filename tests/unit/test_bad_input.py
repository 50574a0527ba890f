"""Bad input, one table: every case of bad (or odd) input over every public trait,
constructor argument and method, and every road a stack of maps takes into the grid
(data, a reference through ``compare()``, frames assigned or recorded, a page of a paged
source), each either refused or converted as documented, all through one runner.

Refused (``refuse``): an error that names the trait (or method / argument; a road's
error starts with ``DigitHeatmapGrid.<trait> ``), says what was expected and what came;
and afterwards nothing changed: the grid's traits and every child widget's state
(``take_snapshot``), what every road holds (data, reference, what is shown, frames and
their labels, the frame, labels, limits, page, panel count), no message to the page (the
recording comm saw nothing), no file written, the page's models (rebuilt from every
message since the grid was made, see page_model.py) still equal the Python state, and the
grid still takes the next change. A refused constructor leaves no widget open and closes
every comm it opened.

Accepted (``accept``): the documented conversion (README, docstrings), checked against
values computed here from the input, never from the package's helpers; the page gets
what Python holds (every widget's page state equals its Python state; the grid's
controller, which sets the bqplot panels or the canvas in the page, holds a stack that
decodes back to ``grid.data`` within float32 rounding, and the grid's limits, labels,
highlight and selection), and the limits in force are a usable range: finite,
``lo < hi``, on the page too.

After every case the grid still takes a colormap change, and that change is one message
to the controller, none to a drawing widget (bqplot or canvas), and opens nothing.

The cases start from one of a few grids (``STARTS``): the sample styled with non-default
values everywhere (so a half-applied change would show), the plain sample, a grid holding
something on every road (``held``), or a paged stack whose later page is bad. Each case
id appears once, and no two cases give the same value to the same target from the same
start (``test_no_case_repeats_another``): a repeat cannot be added. ``test_table_counts``
prints the count per target.

Cases whose id ends in ``(BUG-n)`` reproduce a package bug this table found (described in
the report that came with it); most were fixed in 3a0a05d and stay as regression tests.
BUG-13 (two builds of the drawing widgets for one new shape, the first in the old wire
precision) was found by ``assert_sent_once_and_whole``, which runs after every accepted case.
A case with ``open_bug`` shows a bug not fixed yet: a strict xfail naming it.
``either`` cases have no documented answer: a clear refusal (as above) or a usable result
both pass; a crash does not.

The defects the roads used to have apart (precision, bounded work, masks, transactions,
one lock) have their own tests in test_every_road.py.
"""

from __future__ import annotations

import decimal
import fractions
import gc
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import pytest
from conftest import open_widgets, walk_widgets
from page_model import (
    Page,
    controller_of,
    is_canvas,
    mismatches,
    page_click,
    tensor_messages,
    with_buffers,
)
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid, sample_data

F32_REL = 2.0**-24  # float32 round-to-nearest: |x - f32(x)| <= 2^-24 |x| (normal range)

# ------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    # a trait, "ctor", a road (compare, frames, record, page), "hold_sync", or a method:
    # update_panel, setitem, autoscale, on_cell_click, save
    target: str
    name: str
    act: Callable[..., Any]  # act(grid, tmp_path) does the thing (ctor: act(None, tmp_path))
    pattern: str | None = None  # refused: what the message must say after naming the target
    error: type | tuple = TraitError
    check: Callable[..., None] | None = None  # accepted: check(grid, tmp_path) -> asserts
    # the grid the case starts from: a name in STARTS, or a callable that makes it
    start: str | Callable[[], DigitHeatmapGrid] = "styled"
    value: Any = None  # makes the value given (for the check that no case repeats another)
    either: bool = False  # no documented answer: a clear refusal or ``check`` passing will do
    setup: Callable[..., Any] | None = None  # setup(grid): brings the grid to the case's start
    open_bug: str | None = None  # a package bug this case shows, not fixed yet: a strict xfail
    owner: str | None = None  # refused: how the message names the target (else OWNERS / named)
    message_check: Callable[[str], None] | None = None  # refused: more to assert of the message

    @property
    def id(self) -> str:
        return f"{self.target}-{self.name}"

    @property
    def refused(self) -> bool:
        return self.check is None and not self.either


def named(target: str) -> str:
    """How an error names ``target``: the package writes 'DigitHeatmapGrid.vmin',
    traitlets writes "The 'vmin' trait of a DigitHeatmapGrid instance"."""
    return rf"(DigitHeatmapGrid\.{target}\b|'{target}' trait of a DigitHeatmapGrid instance)"


def set_(trait: str, make: Callable[[], Any]) -> Callable[..., Any]:
    def act(grid, tmp_path):
        setattr(grid, trait, make())
    return act


def refuse(trait: str, name: str, make: Callable[[], Any], pattern: str, **kw: Any) -> Case:
    return Case(trait, name, set_(trait, make), pattern, value=make, **kw)


def accept(trait: str, name: str, make: Callable[[], Any], check: Callable, **kw: Any) -> Case:
    # New data may change N and the limits: start from the sample with default labels and
    # automatic limits (on the styled grid a new N is refused: its labels are custom).
    kw.setdefault("start", "plain" if trait == "data" else "styled")
    return Case(trait, name, set_(trait, make), check=check, value=make, **kw)


def need(module: str):
    return pytest.importorskip(module)  # torch (CPU), xarray and pandas are installed for this suite


# -- data helpers: inputs and their expected float64 values, computed here ---------------

I64, U64 = np.iinfo(np.int64), np.iinfo(np.uint64)


def data_is(expected: Callable[[], np.ndarray]) -> Callable:
    """The grid's data equals ``expected`` (NaN where it has NaN), as float64, read-only."""
    def check(grid, tmp_path):
        want = np.asarray(expected(), dtype=np.float64)
        assert grid.data.dtype == np.dtype("float64") and grid.data.dtype.isnative
        assert grid.data.shape == want.shape
        np.testing.assert_array_equal(grid.data, want)  # NaN == NaN here
        assert not grid.data.flags.writeable
    return check


def both(*checks: Callable) -> Callable:
    def check(grid, tmp_path):
        for one in checks:
            one(grid, tmp_path)
    return check


def limits_are(lo: float | None = None, hi: float | None = None) -> Callable:
    def check(grid, tmp_path):
        got_lo, got_hi = grid.limits
        assert math.isfinite(got_lo) and math.isfinite(got_hi) and got_lo < got_hi, grid.limits
        if lo is not None:
            assert got_lo == lo, grid.limits
        if hi is not None:
            assert got_hi == hi, grid.limits
    return check


def constant_inside_limits(value: float) -> Callable:
    """Constant data: the limits must be a usable range around the value."""
    def check(grid, tmp_path):
        lo, hi = grid.limits
        assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, (lo, hi)
        assert lo <= value <= hi, (lo, value, hi)
    return check


def copied_from(base_factory: Callable[[], np.ndarray],
                view: Callable[[np.ndarray], Any]) -> tuple[Callable, Callable]:
    """Views (non-contiguous, negative strides, Fortran order, broadcast): accepted, copied
    element by element, and independent of the source afterwards."""
    holder: dict[str, Any] = {}

    def make():
        holder["base"] = base_factory()
        holder["view"] = view(holder["base"])
        holder["want"] = np.array(holder["view"], dtype=np.float64, copy=True)
        return holder["view"]

    def check(grid, tmp_path):
        data_is(lambda: holder["want"])(grid, tmp_path)
        if holder["base"].flags.writeable:
            holder["base"][...] = -7.0  # the widget kept its own copy
            np.testing.assert_array_equal(grid.data, holder["want"])
    return make, check


def nan_where(shape, where, fill=None) -> np.ndarray:
    out = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) if fill is None else np.full(shape, fill)
    for index in where:
        out[index] = np.nan
    return out


def _masked_int():
    values = np.arange(24).reshape(2, 3, 4)
    mask = np.zeros(values.shape, dtype=bool)
    mask[0, 1, 2] = mask[1, 2, 3] = True
    return np.ma.masked_array(values, mask=mask)


def _masked_inf():
    values = np.ones((2, 3, 4))
    values[1, 0, 0] = np.inf
    values[0, 2, 1] = -np.inf
    return np.ma.masked_invalid(values)


def _noncontig():
    return copied_from(lambda: np.arange(2 * 6 * 8, dtype=np.float64).reshape(2, 6, 8),
                       lambda b: b[:, ::2, 1::3])


def _negative():
    return copied_from(lambda: np.arange(3 * 4 * 5, dtype=np.float64).reshape(3, 4, 5),
                       lambda b: b[::-1, ::-1, ::-2])


def _fortran():
    return copied_from(lambda: np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4),
                       np.asfortranarray)


def _transposed():
    return copied_from(lambda: np.arange(2 * 3 * 4, dtype=np.int32).reshape(2, 3, 4),
                       lambda b: b.transpose(0, 2, 1))


def _broadcast():
    return copied_from(lambda: np.linspace(0.0, 1.0, 4), lambda b: np.broadcast_to(b, (3, 5, 4)))


def _readonly():
    def view(b):
        b.flags.writeable = False
        return b
    return copied_from(lambda: np.linspace(-2.0, 2.0, 2 * 3 * 4).reshape(2, 3, 4), view)


def _torch(make):
    def inner():
        torch = need("torch")
        return make(torch)
    return inner


def _np_from_torch(make):
    def inner():
        torch = need("torch")
        return make(torch).detach().to(torch.float64).numpy()
    return inner


def _pandas_frames():
    pd = need("pandas")
    return [pd.DataFrame(np.arange(12.0).reshape(3, 4) + 100 * k) for k in range(3)]


def _pandas_nullable():
    pd = need("pandas")
    row = pd.array([1, None, 3], dtype="Int64")
    return [[row, row], [row, row]]


def _xarray_int():
    xr = need("xarray")
    return xr.DataArray(np.arange(24, dtype=np.int16).reshape(2, 3, 4), dims=("map", "y", "x"),
                        coords={"map": ["a", "b"]})


_views = {name: factory() for name, factory in [
    ("non-contiguous view", _noncontig), ("negative strides", _negative),
    ("Fortran order", _fortran), ("transposed int view", _transposed),
    ("broadcast (stride 0)", _broadcast), ("read-only input", _readonly),
]}

DATA = [
    # --- shapes (BAD_INPUT below has 0-D/1-D/2-D/4-D numpy zeros and one empty axis each)
    refuse("data", "1-D list", lambda: [1.0, 2.0, 3.0],
           r"expected a 3-D array \(N, H, W\), got 1-D with shape \(3,\)"),
    refuse("data", "2-D DataFrame", lambda: need("pandas").DataFrame(np.zeros((7, 6))),
           r"expected a 3-D array \(N, H, W\), got 2-D with shape \(7, 6\)"),
    refuse("data", "4-D xarray", lambda: need("xarray").DataArray(np.zeros((2, 2, 7, 6))),
           r"expected a 3-D array \(N, H, W\), got 4-D with shape \(2, 2, 7, 6\)"),
    refuse("data", "5-D torch", _torch(lambda t: t.zeros(1, 2, 3, 4, 5)),
           r"expected a 3-D array \(N, H, W\), got 5-D with shape \(1, 2, 3, 4, 5\)"),
    refuse("data", "all axes empty", lambda: np.zeros((0, 0, 0)),
           r"expected every axis to be non-empty, got shape \(0, 0, 0\)"),
    refuse("data", "empty torch", _torch(lambda t: t.zeros(10, 7, 0)),
           r"expected every axis to be non-empty, got shape \(10, 7, 0\)"),
    # (An array of as many is shown a page at a time: tests/test_pages.py.)
    refuse("data", "10,000 panels as lists", lambda: np.zeros((10_000, 2, 2)).tolist(),
           r"expected at most 4096 panels, got 10000"),
    accept("data", "single row maps (BUG-1)", lambda: np.arange(12.0).reshape(2, 1, 6),
           data_is(lambda: np.arange(12.0).reshape(2, 1, 6))),
    accept("data", "single column maps (BUG-1)", lambda: np.arange(14.0).reshape(2, 7, 1),
           data_is(lambda: np.arange(14.0).reshape(2, 7, 1))),
    accept("data", "1x1 maps (BUG-1)", lambda: np.array([[[1.0]], [[2.0]], [[3.0]]]),
           data_is(lambda: np.array([[[1.0]], [[2.0]], [[3.0]]]))),
    # --- dtypes
    accept("data", "float16", lambda: (np.arange(24, dtype=np.float16) / 8).reshape(2, 3, 4),
           data_is(lambda: np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8)),
    accept("data", "big-endian >f8", lambda: np.linspace(-1, 1, 24).reshape(2, 3, 4).astype(">f8"),
           data_is(lambda: np.linspace(-1, 1, 24).reshape(2, 3, 4))),
    accept("data", "big-endian >i4", lambda: np.arange(-12, 12).reshape(2, 3, 4).astype(">i4"),
           data_is(lambda: np.arange(-12.0, 12.0).reshape(2, 3, 4))),
    accept("data", "int64 extremes", lambda: np.array([[[I64.min, -1], [0, I64.max]]]),
           both(data_is(lambda: np.array([[[-2.0**63, -1.0], [0.0, 2.0**63]]])),
                lambda g, _: (g.limits == (-2.0**63, 2.0**63)) or pytest.fail(str(g.limits)))),
    accept("data", "uint64 max", lambda: np.array([[[0, 1], [2, U64.max]]], dtype=np.uint64),
           data_is(lambda: np.array([[[0.0, 1.0], [2.0, 2.0**64]]]))),
    accept("data", "int8", lambda: np.array([[[-128, 127], [0, 1]]], dtype=np.int8),
           data_is(lambda: np.array([[[-128.0, 127.0], [0.0, 1.0]]]))),
    accept("data", "bool", lambda: np.array([[[True, False], [False, True]]] * 2),
           both(data_is(lambda: np.array([[[1.0, 0.0], [0.0, 1.0]]] * 2)),
                constant_inside_limits(0.0), constant_inside_limits(1.0))),
    refuse("data", "complex torch", _torch(lambda t: t.zeros(2, 3, 4, dtype=t.complex64)),
           r"expected real numbers \(float, int or bool\), got complex dtype complex64"),
    refuse("data", "object dtype of numbers", lambda: np.full((2, 3, 4), 1.0, dtype=object),
           r"expected real numbers .*got object dtype object"),
    refuse("data", "bytes dtype", lambda: np.full((2, 2, 2), b"a"),
           r"expected real numbers .*got bytes dtype \|S1"),
    refuse("data", "plain str", lambda: "abc", r"expected real numbers .*got string dtype <U3"),
    refuse("data", "dict", lambda: {"a": 1}, r"expected real numbers .*got object dtype"),
    refuse("data", "pandas datetimes", lambda: [[need("pandas").date_range("2020", periods=2)] * 2],
           r"expected real numbers .*got datetime dtype datetime64"),
    refuse("data", "xarray Dataset", lambda: need("xarray").Dataset(
        {"a": (("n", "h", "w"), np.zeros((2, 3, 4)))}),
        r"expected a numeric array-like, got Dataset"),
    accept("data", "torch bfloat16 (BUG-2)", _torch(lambda t: t.linspace(0, 1, 24).reshape(2, 3, 4).to(t.bfloat16)),
           data_is(_np_from_torch(lambda t: t.linspace(0, 1, 24).reshape(2, 3, 4).to(t.bfloat16)))),
    refuse("data", "torch meta tensor (BUG-2)", _torch(lambda t: t.zeros(2, 3, 4, device="meta")),
           r"expected .*got .*meta"),
    # --- NaN / inf
    accept("data", "all NaN", lambda: np.full((3, 4, 5), np.nan),
           data_is(lambda: np.full((3, 4, 5), np.nan))),
    accept("data", "NaN mixed with finite", lambda: nan_where((2, 3, 4), [(0, 0, 0), (1, 2, 3), (1, 0, 1)]),
           both(data_is(lambda: nan_where((2, 3, 4), [(0, 0, 0), (1, 2, 3), (1, 0, 1)])),
                lambda g, _: (g.limits == (1.0, 22.0)) or pytest.fail(f"limits {g.limits}"))),
    refuse("data", "NaN with one -inf", lambda: nan_where((2, 3, 4), [(0, 0, 0)], fill=0.0) + np.where(
        np.arange(24).reshape(2, 3, 4) == 13, -np.inf, 0.0),
        r"expected finite values or NaN, got \+-inf \(first at index \(1, 0, 1\)\)"),
    refuse("data", "NaN and inf only", lambda: np.array([[[np.nan, np.inf], [np.nan, np.nan]]]),
           r"expected finite values or NaN, got \+-inf \(first at index \(0, 0, 1\)\)"),
    accept("data", "constant", lambda: np.full((2, 3, 4), -3.5),
           both(data_is(lambda: np.full((2, 3, 4), -3.5)), constant_inside_limits(-3.5))),
    accept("data", "constant zero", lambda: np.zeros((4, 2, 2)),
           both(data_is(lambda: np.zeros((4, 2, 2))), constant_inside_limits(0.0))),
    accept("data", "constant subnormal (BUG-3)", lambda: np.full((2, 2, 2), 5e-324),
           both(data_is(lambda: np.full((2, 2, 2), 5e-324)), constant_inside_limits(5e-324))),
    # Before the fix these crashed half-way (OverflowError in the tick maths, data kept).
    # Now values above 1e300 in magnitude are refused (data.as_tensor's docstring).
    refuse("data", "constant near float max (BUG-3)", lambda: np.full((2, 2, 2), 1.79e308),
           r"expected values of magnitude at most 1e\+300 .*got 1\.79e\+308 at index \(0, 0, 0\)"),
    refuse("data", "range wider than float max (BUG-3)", lambda: np.array([[[1.0, 1e308], [-1e308, 1.0]]]),
           r"expected values of magnitude at most 1e\+300 .*got 1e\+308 at index \(0, 0, 1\)"),
    Case("data", "spread of one subnormal (BUG-3)", set_("data", lambda: np.array([[[0.0, 5e-324], [0.0, 0.0]]])),
         check=limits_are(), either=True, start="plain"),
    accept("data", "constant at the largest magnitude", lambda: np.full((2, 2, 2), -1e300),
           both(data_is(lambda: np.full((2, 2, 2), -1e300)), constant_inside_limits(-1e300))),
    accept("data", "range of the largest magnitudes", lambda: np.array([[[-1e300, 1e300], [0.0, 1.0]]]),
           both(data_is(lambda: np.array([[[-1e300, 1e300], [0.0, 1.0]]])), limits_are(-1e300, 1e300))),
    # --- masked arrays (masked -> NaN)
    accept("data", "masked int array", _masked_int,
           data_is(lambda: np.where(_masked_int().mask, np.nan, np.arange(24.0).reshape(2, 3, 4)))),
    accept("data", "masked entries holding inf", _masked_inf,
           data_is(lambda: np.where(np.arange(24).reshape(2, 3, 4) == 12, np.nan,
                                    np.where(np.arange(24).reshape(2, 3, 4) == 9, np.nan, 1.0)))),
    accept("data", "fully masked", lambda: np.ma.masked_all((2, 3, 4)),
           data_is(lambda: np.full((2, 3, 4), np.nan))),
    refuse("data", "masked, unmasked inf", lambda: np.ma.masked_array(np.full((2, 2, 2), np.inf), mask=[[[1, 0], [1, 1]]] * 2),
           r"expected finite values or NaN, got \+-inf \(first at index \(0, 0, 1\)\)"),
    refuse("data", "masked complex, no mask (BUG-4)", lambda: np.ma.masked_array(np.full((2, 2, 2), 1 + 2j)),
           r"expected real numbers .*got .*complex", start="plain"),
    refuse("data", "masked numeric strings, no mask (BUG-4)", lambda: np.ma.masked_array(np.full((2, 2, 2), "1.5")),
           r"expected real numbers .*got .*string", start="plain"),
    refuse("data", "masked datetimes, no mask (BUG-4)", lambda: np.ma.masked_array(np.zeros((2, 2, 2), "M8[s]")),
           r"expected real numbers .*got .*datetime", start="plain"),
    # --- views, copied correctly
    *[Case("data", name, set_("data", make), check=check, value=make, start="plain")
      for name, (make, check) in _views.items()],
    # --- other containers
    accept("data", "nested lists of ints", lambda: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
           data_is(lambda: np.arange(1.0, 9.0).reshape(2, 2, 2))),
    accept("data", "list of DataFrames", _pandas_frames,
           data_is(lambda: np.stack([np.arange(12.0).reshape(3, 4) + 100 * k for k in range(3)]))),
    accept("data", "pandas nullable Int64 with NA", _pandas_nullable,
           data_is(lambda: np.array([[[1.0, np.nan, 3.0]] * 2] * 2))),
    accept("data", "xarray int16 with coords", _xarray_int,
           data_is(lambda: np.arange(24.0).reshape(2, 3, 4))),
    accept("data", "torch int64 permuted view", _torch(lambda t: t.arange(24).reshape(2, 3, 4).permute(0, 2, 1)),
           data_is(lambda: np.arange(24.0).reshape(2, 3, 4).transpose(0, 2, 1))),
    accept("data", "torch float16", _torch(lambda t: (t.arange(24) / 4).reshape(2, 3, 4).half()),
           data_is(lambda: (np.arange(24.0) / 4).reshape(2, 3, 4))),
]


LIMITS = [
    refuse("vmin", "Decimal", lambda: decimal.Decimal("0.005"),
           r"expected a finite number or None, got Decimal\('0\.005'\)"),
    refuse("vmax", "Fraction", lambda: fractions.Fraction(1, 100),
           r"expected a finite number or None, got Fraction\(1, 100\)"),
    refuse("vmin", "0-d array", lambda: np.array(0.005),
           r"expected a finite number or None, got array\(0\.005\)"),
    refuse("vmax", "complex", lambda: 0.01 + 0j, r"expected a finite number or None, got \(0\.01\+0j\)"),
    refuse("vmax", "numpy complex (BUG-5)", lambda: np.complex128(0.01 + 5j),
           r"expected a finite number or None, got .*0\.01\+5j"),
    refuse("vmin", "int beyond float (BUG-5)", lambda: 10**400,
           r"expected a finite number or None, got 1000000000"),
    refuse("vmin", "datetime64", lambda: np.datetime64("2020-01-01"),
           r"expected a finite number or None, got .*2020-01-01"),
    refuse("vmax", "float16 nan", lambda: np.float16("nan"),
           r"expected a finite number or None, got .*nan"),
    accept("vmin", "numpy float32", lambda: np.float32(0.002),
           both(lambda g, _: (type(g.vmin) is float and g.vmin == float(np.float32(0.002)))
                or pytest.fail(repr(g.vmin)), limits_are(float(np.float32(0.002)), 0.012))),
    accept("vmin", "above the data (vmax automatic)", lambda: 0.5, limits_are(lo=0.5), start="plain"),
    accept("vmax", "below the data (vmin automatic)", lambda: -0.5, limits_are(hi=-0.5), start="plain"),
    refuse("vmin", "near float max (BUG-3)", lambda: 1.7e308,
           r"expected a number of magnitude at most 1e\+300 .*got 1\.7e\+308", start="plain"),
    refuse("vmax", "near -float max (BUG-3)", lambda: -1.7e308,
           r"expected a number of magnitude at most 1e\+300 .*got -1\.7e\+308", start="plain"),
    accept("vmin", "largest magnitude, above the data", lambda: 1e300, limits_are(lo=1e300), start="plain"),
    accept("vmax", "largest negative magnitude", lambda: -1e300, limits_are(hi=-1e300), start="plain"),
    accept("vmin", "int64 numpy", lambda: np.int64(0), limits_are(lo=0.0, hi=0.012)),
]


def assert_stops_like_matplotlib(stops: list[str], name: str) -> None:
    """Colour stops run from matplotlib's colour at 0 to its colour at 1 (within 5/255)."""
    assert len(stops) >= 2, stops
    want = matplotlib.colormaps[name](np.linspace(0, 1, len(stops)))[:, :3] * 255
    got = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stops])
    assert np.abs(got - want).max() <= 5, (name, stops)


def stops_match(name: str) -> Callable:
    """The page's colour stops (from which controller.js sets the shared ColorScale or the
    canvas) are matplotlib's colormap ``name``, and the page names it."""
    def check(grid, tmp_path):
        shown = page_now().shown(grid)
        assert shown.colormap == name
        assert_stops_like_matplotlib(shown.stops, name)
    return check


def page_colors(expected: list[str]) -> Callable:
    """A list of colours: the page gets exactly these stops, and no colormap name."""
    def check(grid, tmp_path):
        shown = page_now().shown(grid)
        assert shown.stops == expected and shown.colormap is None, (shown.stops, shown.colormap)
    return check


COLORMAP = [
    refuse("colormap", "typo with trailing space", lambda: "hot ",
           r"unknown name 'hot '\. Did you mean 'hot'"),
    refuse("colormap", "typo virdis_r", lambda: "virdis_r",
           r"unknown name 'virdis_r'\. Did you mean 'viridis_r'"),
    refuse("colormap", "dash for underscore", lambda: "RdBu-r",
           r"unknown name 'RdBu-r'\. Did you mean 'RdBu_r'"),
    refuse("colormap", "grey for gray", lambda: "grey", r"unknown name 'grey'\. Did you mean [^?]*'gray'"),
    refuse("colormap", "matplotlib's jet (not shipped)", lambda: "jet",
           r"unknown name 'jet'\..*Known names: .*\bviridis\b"),
    refuse("colormap", "bytes name (BUG-6)", lambda: b"hot",
           r"expected a colormap name \(str\) or a list of CSS colours, got bytes"),
    refuse("colormap", "dict", lambda: {"low": "red", "high": "blue"},
           r"expected a colormap name \(str\) or a list of CSS colours, got dict"),
    refuse("colormap", "set of colours", lambda: {"red", "blue"},
           r"expected a colormap name \(str\) or a list of CSS colours, got set"),
    refuse("colormap", "generator", lambda: (c for c in ["red", "blue"]),
           r"expected a colormap name \(str\) or a list of CSS colours, got generator"),
    refuse("colormap", "RGB tuples", lambda: [(1, 0, 0), (0, 0, 1)],
           r"colour 0 of the list is not valid: expected a CSS colour string, got tuple \(1, 0, 0\)"),
    refuse("colormap", "None inside", lambda: ["red", None],
           r"colour 1 of the list is not valid: expected a CSS colour string, got NoneType None"),
    refuse("colormap", "numpy array, one bad", lambda: np.array(["red", "nope"]),
           r"colour 1 of the list is not valid: expected a CSS colour .*got .*'nope'"),
    accept("colormap", "mixed case reversed name", lambda: "Viridis_R",
           both(lambda g, _: (g.colormap == "viridis_r") or pytest.fail(g.colormap),
                stops_match("viridis_r"))),
    accept("colormap", "numpy array of colours", lambda: np.array(["red", "#00f"]),
           both(lambda g, _: (g.colormap == ("red", "#00f")) or pytest.fail(repr(g.colormap)),
                page_colors(["#ff0000", "#0000ff"]))),
    accept("colormap", "hsl and rgba (alpha dropped)", lambda: ("hsl(0, 100%, 50%)", "rgba(0, 128, 0, 0.5)"),
           page_colors(["#ff0000", "#008000"])),
]


def highlighted_is(expected: list[int]) -> Callable:
    """The trait holds plain ints, and the page's controller holds the same indices.

    (Python used to set each mark's opacity and each figure's ``dhg-highlighted`` class;
    now controller.js sets them in the page from the controller's ``highlighted``, so the
    page's ``highlighted`` is what is checked here; the browser tests check the drawing.)
    """
    def check(grid, tmp_path):
        assert grid.highlighted == expected and all(type(i) is int for i in grid.highlighted)
        assert page_now().shown(grid).highlighted == expected
    return check


HIGHLIGHTED = [
    refuse("highlighted", "int beyond int64", lambda: [2**70],
           r"expected indices in 0\.\.9, got \[1180591620717411303424\]"),
    refuse("highlighted", "numpy float", lambda: [np.float64(1)],
           r"expected integer panel indices, got float64"),
    refuse("highlighted", "nested list", lambda: [[1]], r"expected integer panel indices, got list \[1\]"),
    refuse("highlighted", "dict (iterates keys)", lambda: {"a": 1},
           r"expected integer panel indices, got str 'a'"),
    refuse("highlighted", "bytes", lambda: b"\x01", r"expected a list of panel indices, got bytes"),
    refuse("highlighted", "None inside", lambda: [None], r"expected integer panel indices, got NoneType None"),
    refuse("highlighted", "numpy repeated", lambda: np.array([1, 1]),
           r"expected distinct panel indices, got \[1\] repeated"),
    accept("highlighted", "numpy array", lambda: np.array([3, 8]), highlighted_is([3, 8])),
    accept("highlighted", "range", lambda: range(2), highlighted_is([0, 1])),
    accept("highlighted", "generator", lambda: (i for i in (5,)), highlighted_is([5])),
    accept("highlighted", "numpy uint8", lambda: [np.uint8(9)], highlighted_is([9])),
]


def titles_are(expected: list[str]) -> Callable:
    """The trait is a list; the page's controller has these titles (the canvas draws them
    from there), and with the SVG renderer each panel figure the controller drives in the
    page is titled so, in order."""
    def check(grid, tmp_path):
        assert grid.labels == expected and type(grid.labels) is list
        page = page_now()
        assert page.shown(grid).labels == expected
        figures = page.refs(grid, "figures")
        if grid.active_renderer == "svg":
            assert [f["title"] for f in figures] == expected
        else:
            assert figures == []
    return check


LABELS = [
    refuse("labels", "bytes items", lambda: [b"a"] * 10, r"expected a list of strings, got bytes b'a' at position 0"),
    refuse("labels", "dict", lambda: {str(i): i for i in range(10)}, r"expected a list of strings, got dict"),
    refuse("labels", "generator", lambda: (str(i) for i in range(10)), r"expected a list of strings, got generator"),
    refuse("labels", "numpy ints", lambda: np.arange(10),
           r"expected a list of strings, got int64 .*0.* at position 0"),
    refuse("labels", "set", lambda: set("abcdefghij"), r"expected a list of strings, got set"),
    refuse("labels", "nested lists", lambda: [["a"]] * 10,
           r"expected a list of strings, got list \['a'\] at position 0"),
    refuse("labels", "bytes", lambda: b"0123456789", r"expected a list of strings, got bytes"),
    accept("labels", "tuple", lambda: tuple("abcdefghij"), titles_are(list("abcdefghij"))),
    accept("labels", "numpy str array", lambda: np.array([f"d{i}" for i in range(10)]),
           titles_are([f"d{i}" for i in range(10)])),
    accept("labels", "empty strings", lambda: [""] * 10, titles_are([""] * 10)),
]


def template_is(columns: int) -> Callable:
    """The page lays the panels out in ``columns`` columns: the controller's geometry (the
    canvas's), and with SVG panels the one CSS grid template of the panels' box."""
    def check(grid, tmp_path):
        assert grid.columns == columns and type(grid.columns) is int
        page = page_now()
        assert page.shown(grid).geometry["columns"] == columns
        templates = [m["grid_template_columns"] for m in page.reachable(grid).values()
                     if str(m.get("grid_template_columns", "")).startswith("repeat(")]
        assert len(templates) == (1 if grid.active_renderer == "svg" else 0), templates
        assert all(t.startswith(f"repeat({columns}, ") for t in templates), templates
    return check


COLUMNS = [
    refuse("columns", "NaN", lambda: np.float64("nan"), r"expected an int, not the float64 .*nan"),
    # (HEAD b32d486 says ">= 1"; the working tree's columns check adds an upper bound.)
    refuse("columns", "negative float", lambda: -2.0, r"expected an integer (>= 1|in 1\.\.4096), got -2"),
    refuse("columns", "zero float", lambda: 0.0, r"expected an integer (>= 1|in 1\.\.4096), got 0"),
    refuse("columns", "numpy bool", lambda: np.bool_(True), r"expected an int, not the bool"),
    refuse("columns", "complex", lambda: 2 + 0j, r"expected an int, not the complex \(2\+0j\)"),
    refuse("columns", "list", lambda: [2], r"expected an int, not the list \[2\]"),
    accept("columns", "integral float", lambda: 3.0, template_is(3)),
    accept("columns", "numpy int64", lambda: np.int64(5), template_is(5)),
    accept("columns", "more than panels", lambda: 100, template_is(100)),
]


def style_fill(grid) -> tuple[float, ...]:
    """The NaN colour the page's controller holds, as numbers. (Python used to write it
    into a stylesheet widget; now controller.js writes the page's stylesheet, and sets the
    canvas, from this value.)"""
    css = page_now().shown(grid).nan_color
    match = re.fullmatch(r"rgba\(([^)]*)\)", css)
    assert match, css
    return tuple(float(x) for x in match.group(1).split(","))


def nan_fill_is(rgba: tuple[float, ...]) -> Callable:
    def check(grid, tmp_path):
        assert style_fill(grid) == pytest.approx(rgba, abs=0.002)
    return check


NAN_COLOR = [
    refuse("nan_color", "currentColor", lambda: "currentColor", r"expected a CSS colour .*got 'currentColor'"),
    refuse("nan_color", "exponent number", lambda: "rgb(1e3, 0, 0)", r"expected a CSS colour .*got 'rgb\(1e3, 0, 0\)'"),
    refuse("nan_color", "10 hex digits", lambda: "#ff0000ff00", r"expected a CSS colour .*got '#ff0000ff00'"),
    refuse("nan_color", "two colours", lambda: "hsl(120, 50%, 50%) red", r"expected a CSS colour .*got 'hsl\(120, 50%, 50%\) red'"),
    refuse("nan_color", "Cyrillic letter", lambda: "\u0440ed", r"expected a CSS colour .*got '\u0440ed'"),
    refuse("nan_color", "negative alpha", lambda: "rgba(0,0,0,-0.5)", r"expected colour channels .*alpha in 0\.\.1, got 'rgba\(0,0,0,-0\.5\)'"),
    refuse("nan_color", "inherit", lambda: "inherit", r"expected a CSS colour .*got 'inherit'"),
    refuse("nan_color", "hsl without %", lambda: "hsl(120, 50, 50)", r"must be percentages, got 'hsl\(120, 50, 50\)'"),
    refuse("nan_color", "list", lambda: ["red"], r"expected a unicode string, not the list"),
    accept("nan_color", "padded capitals", lambda: " RED ", nan_fill_is((255, 0, 0, 1.0))),
    accept("nan_color", "bytes", lambda: b"lime", both(
        lambda g, _: (g.nan_color == "lime") or pytest.fail(repr(g.nan_color)), nan_fill_is((0, 255, 0, 1.0)))),
    accept("nan_color", "4-digit hex with alpha", lambda: "#0f08", nan_fill_is((0, 255, 0, 0x88 / 255))),
    accept("nan_color", "space syntax rgb / alpha", lambda: "rgb(1 2 3 / 50%)", nan_fill_is((1, 2, 3, 0.5))),
    accept("nan_color", "trailing newline", lambda: "blue\n", nan_fill_is((0, 0, 255, 1.0))),
]


def cell_size_is(value: int | None) -> Callable:
    def check(grid, tmp_path):
        assert grid.cell_size == value and (value is None or type(grid.cell_size) is int)
    return check


CELL_SIZE = [
    refuse("cell_size", "str", lambda: "8", r"expected an int( or None)?, not the str '8'"),
    refuse("cell_size", "too large", lambda: 1000, r"expected pixels per cell in 1\.\.64 or None, got 1000"),
    refuse("cell_size", "NaN", lambda: float("nan"), r"expected an int( or None)?, not the float nan"),
    refuse("cell_size", "list", lambda: [8], r"expected an int( or None)?, not the list \[8\]"),
    accept("cell_size", "integral float", lambda: 64.0, cell_size_is(64)),
    accept("cell_size", "numpy int16", lambda: np.int16(1), cell_size_is(1)),
    accept("cell_size", "None (automatic)", lambda: None, cell_size_is(None)),
]


def selected_is(cell: tuple[int, int, int] | None) -> Callable:
    def check(grid, tmp_path):
        assert grid.selected == cell
        assert cell is None or all(type(p) is int for p in grid.selected)
        # The page's controller marks this cell ([] for none).
        assert page_now().shown(grid).selected == ([] if cell is None else list(cell))
    return check


SELECTED = [
    refuse("selected", "digit out of range", lambda: (10, 0, 0), r"expected a cell inside \(10, 7, 6\), got \(10, 0, 0\)"),
    refuse("selected", "row out of range", lambda: (0, 7, 0), r"expected a cell inside \(10, 7, 6\), got \(0, 7, 0\)"),
    refuse("selected", "column out of range", lambda: (0, 0, 6), r"expected a cell inside \(10, 7, 6\), got \(0, 0, 6\)"),
    refuse("selected", "negative digit", lambda: (-1, 0, 0), r"expected a cell inside \(10, 7, 6\), got \(-1, 0, 0\)"),
    refuse("selected", "two parts", lambda: (0, 0), r"expected None or a \(digit, row, column\) tuple of integers, got \(0, 0\)"),
    refuse("selected", "float part", lambda: (0.0, 0, 0), r"tuple of integers, got \(0\.0, 0, 0\)"),
    refuse("selected", "bool part", lambda: (True, 0, 0), r"tuple of integers, got \(True, 0, 0\)"),
    refuse("selected", "str", lambda: "abc", r"tuple of integers, got 'abc'"),
    refuse("selected", "set", lambda: {0, 1, 2}, r"tuple of integers, got \{0, 1, 2\}"),
    accept("selected", "list", lambda: [1, 2, 3], selected_is((1, 2, 3))),
    accept("selected", "numpy integers", lambda: (np.int64(9), np.int8(6), np.uint8(5)), selected_is((9, 6, 5))),
    accept("selected", "None", lambda: None, selected_is(None)),
]


def controls_shown(shown: bool) -> Callable:
    def check(grid, tmp_path):
        assert grid.show_controls is shown
        page = page_now()
        children = page.state(grid)["children"]
        control_ref = f"IPY_MODEL_{grid.controls.model_id}"
        assert (control_ref in children) is shown
    return check


def _single_row_data(grid):
    grid.data = np.arange(40.0).reshape(10, 1, 4)


def _svg(grid):
    grid.renderer = "svg"


def drawn_on_canvas(grid, tmp_path):
    """The page shows one canvas widget, the one the controller drives, and no heatmap
    marks under the grid; nothing it reaches is closed."""
    assert grid.renderer == "canvas" and grid.active_renderer == "canvas"
    page = page_now()
    shown = page.reachable(grid)
    assert not set(shown) & page.closed
    canvases = [m for m in shown.values() if is_canvas(m)]
    assert len(canvases) == 1
    assert page.refs(grid, "canvas") == canvases and page.refs(grid, "marks") == []
    assert "GridHeatMapModel" not in [m.get("_model_name") for m in shown.values()]


RENDERER = [
    # traitlets' Enum wording (HEAD b32d486) or the package's own (traits.Choice).
    refuse("renderer", "capitals", lambda: "SVG",
           r"expected (any of \['auto', 'svg', 'canvas'\], not the str|one of 'auto', 'svg', 'canvas', got) 'SVG'"),
    refuse("renderer", "None", lambda: None, r"expected (any of .*not the NoneType|one of .*got) None"),
    refuse("renderer", "unknown", lambda: "webgl", r"expected (any of .*not the str|one of .*got) 'webgl'"),
    Case("renderer", "svg for single-row maps (BUG-1)", set_("renderer", lambda: "svg"),
         r"'svg' needs maps of at least 2x2 .*got maps of \(1, 4\)", setup=_single_row_data, start="plain"),
    Case("data", "single-row maps on svg (BUG-1)", set_("data", lambda: np.zeros((10, 1, 4))),
         r"maps of \(1, 4\) cannot be drawn with renderer='svg'", setup=_svg),
    accept("renderer", "canvas", lambda: "canvas", drawn_on_canvas),
]


SHOW_CONTROLS = [
    refuse("show_controls", "str", lambda: "yes", r"expected a boolean, not the str 'yes'"),
    refuse("show_controls", "None", lambda: None, r"expected a boolean, not the NoneType None"),
    refuse("show_controls", "2", lambda: 2, r"expected a boolean, not the int 2"),
    accept("show_controls", "1", lambda: 1, controls_shown(True)),
]


def player_shown(shown: bool) -> Callable:
    """show_player is ``shown`` in Python and in the page's controller (which draws the
    compact player of a grid with frames itself)."""
    def check(grid, tmp_path):
        assert grid.show_player is shown
        assert page_now().state(grid._view.controller)["show_player"] is shown
    return check


SHOW_PLAYER = [
    refuse("show_player", "str", lambda: "no", r"expected a boolean, not the str 'no'"),
    refuse("show_player", "None", lambda: None, r"expected a boolean, not the NoneType None"),
    accept("show_player", "False", lambda: False, player_shown(False)),
    accept("show_player", "0", lambda: 0, player_shown(False)),
]


# -- methods ---------------------------------------------------------------------------

ZEROS = np.zeros((7, 6))


def call(target: str, name: str, act: Callable, pattern: str | None = None, *, check=None,
         error: Any = TraitError, start: str = "styled", open_bug: str | None = None) -> Case:
    return Case(target, name, act, pattern, error=error, check=check, start=start,
                open_bug=open_bug)


def panel_is(digit: int, values: Callable[[], np.ndarray]) -> Callable:
    def check(grid, tmp_path):
        np.testing.assert_array_equal(grid.data[digit], values())
    return check


UPDATE = [
    call("update_panel", "bool digit", lambda g, _: g.update_panel(True, ZEROS), r"expected an integer digit, got True"),
    call("update_panel", "float digit", lambda g, _: g.update_panel(1.0, ZEROS), r"expected an integer digit, got 1\.0"),
    call("update_panel", "digit -11", lambda g, _: g.update_panel(-11, ZEROS), r"expected digit in 0\.\.9, got -11"),
    call("update_panel", "digit 10", lambda g, _: g.update_panel(10, ZEROS), r"expected digit in 0\.\.9, got 10"),
    call("update_panel", "transposed shape", lambda g, _: g.update_panel(0, np.zeros((6, 7))),
         r"expected values of shape \(7, 6\), got \(6, 7\)"),
    call("update_panel", "two maps", lambda g, _: g.update_panel(0, np.zeros((2, 7, 6))),
         r"expected values of shape \(7, 6\), got \(2, 7, 6\)"),
    call("update_panel", "1-D", lambda g, _: g.update_panel(0, np.zeros(42)), r"expected .*got 1-D with shape \(42,\)"),
    call("update_panel", "inf", lambda g, _: g.update_panel(0, np.full((7, 6), np.inf)), r"expected finite values or NaN, got \+-inf"),
    call("update_panel", "strings", lambda g, _: g.update_panel(0, np.full((7, 6), "a")), r"expected real numbers .*got string"),
    call("update_panel", "None", lambda g, _: g.update_panel(0, None), r"expected real numbers .*got object"),
    call("update_panel", "complex", lambda g, _: g.update_panel(0, np.zeros((7, 6), complex)), r"expected real numbers .*got complex"),
    call("update_panel", "ragged list (BUG-7)", lambda g, _: g.update_panel(0, [[1.0, 2.0], [3.0]]),
         r"expected .*got"),
    call("setitem", "slice", lambda g, _: g.__setitem__(slice(0, 2), np.zeros((2, 7, 6))),
         r"expected an integer digit, got slice\(0, 2, None\)"),
    call("setitem", "str digit", lambda g, _: g.__setitem__("1", ZEROS), r"expected an integer digit, got '1'"),
    call("setitem", "numpy bool digit", lambda g, _: g.__setitem__(np.bool_(False), ZEROS), r"expected an integer digit, got .*False"),
    call("update_panel", "negative digit", lambda g, _: g.update_panel(-1, np.full((7, 6), 0.004)),
         check=panel_is(9, lambda: np.full((7, 6), 0.004))),
    call("setitem", "numpy digit and DataFrame",
         lambda g, _: g.__setitem__(np.int64(3), need("pandas").DataFrame(np.arange(42.0).reshape(7, 6) / 4200)),
         check=panel_is(3, lambda: np.arange(42.0).reshape(7, 6) / 4200)),
    call("update_panel", "(1, H, W)", lambda g, _: g.update_panel(2, np.ones((1, 7, 6)) / 100),
         check=panel_is(2, lambda: np.ones((7, 6)) / 100)),
    call("update_panel", "all NaN", lambda g, _: g.update_panel(4, np.full((7, 6), np.nan)),
         check=both(panel_is(4, lambda: np.full((7, 6), np.nan)), limits_are())),
    call("setitem", "lists of float16", lambda g, _: g.__setitem__(5, np.arange(42, dtype=np.float16).reshape(7, 6).tolist()),
         check=panel_is(5, lambda: np.arange(42.0).reshape(7, 6))),
]


def autoscaled(lo: float | None, hi: float | None, vmin=None, vmax=None, colormap=None) -> Callable:
    def check(grid, tmp_path):
        assert (grid.vmin, grid.vmax) == (vmin, vmax)
        limits_are(lo, hi)(grid, tmp_path)
        if colormap:
            assert grid.colormap == colormap
    return check


def _constant(grid, value):
    grid.data = np.full((3, 2, 2), value)


AUTOSCALE = [
    call("autoscale", "unknown mode", lambda g, _: g.autoscale("foo"),
         r"expected mode in \('minmax', 'robust', 'symmetric'\), got 'foo'", error=ValueError),
    call("autoscale", "mode in capitals", lambda g, _: g.autoscale("MINMAX"), r"expected mode in .*got 'MINMAX'", error=ValueError),
    call("autoscale", "int mode", lambda g, _: g.autoscale(5), r"expected mode in .*got 5", error=ValueError),
    call("autoscale", "list mode", lambda g, _: g.autoscale(["minmax"]), r"expected mode in .*got \['minmax'\]", error=ValueError),
    call("autoscale", "unknown diverging colormap", lambda g, _: g.autoscale("symmetric", diverging="nope"),
         r"unknown name 'nope'"),
    call("autoscale", "diverging not a colormap", lambda g, _: g.autoscale("symmetric", diverging=5),
         r"expected a colormap name \(str\) or a list of CSS colours, got int"),
    call("autoscale", "robust on constant data", lambda g, _: (_constant(g, 2.0), g.autoscale("robust")),
         check=both(autoscaled(None, None), constant_inside_limits(2.0)), start="plain"),
    call("autoscale", "symmetric on all-NaN", lambda g, _: (_constant(g, np.nan), g.autoscale("symmetric")),
         check=autoscaled(None, None), start="plain"),
    call("autoscale", "symmetric on zeros", lambda g, _: (_constant(g, 0.0), g.autoscale("symmetric")),
         check=lambda g, _: (g.limits[0] == -g.limits[1] < 0 and g.colormap == "RdBu_r")
         or pytest.fail(str(g.limits)), start="plain"),
]


class Recorded:
    """A callable object (not a function) to register as a click callback."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)


#: The callable object registered by a case, by grid (cleared after each test).
REGISTERED: dict[int, Recorded] = {}


def _register_and_click(grid, tmp_path):
    REGISTERED[id(grid)] = Recorded()
    grid.on_cell_click(REGISTERED[id(grid)])
    page_click(grid, 2, 3, 4)  # the page's message for a click on cell (2, 3, 4)


def _remove_unregistered(grid, tmp_path):
    grid.on_cell_click(print, remove=True)  # never registered: nothing to remove, no error
    page_click(grid, 1, 0, 0)


def _clicked(grid, tmp_path):
    calls = REGISTERED[id(grid)].calls
    assert calls == [(2, 3, 4, sample_data()[2, 3, 4])], calls


ON_CLICK = [
    call("on_cell_click", "int", lambda g, _: g.on_cell_click(5), r"expected a callable, got int", error=TypeError),
    call("on_cell_click", "None", lambda g, _: g.on_cell_click(None), r"expected a callable, got NoneType", error=TypeError),
    call("on_cell_click", "str", lambda g, _: g.on_cell_click("print"), r"expected a callable, got str", error=TypeError),
    call("on_cell_click", "callable object", _register_and_click,
         check=_clicked),
    call("on_cell_click", "remove what was never added", _remove_unregistered,
         check=lambda g, _: (g.selected == (1, 0, 0)) or pytest.fail(str(g.selected))),
]


def saved_svg(name: str) -> Callable:
    def check(grid, tmp_path):
        import xml.etree.ElementTree as ET

        svg = "{http://www.w3.org/2000/svg}"
        root = ET.parse(tmp_path / name).getroot()
        assert root.tag == f"{svg}svg"
        # export/svg.py: each panel's cells, row by row, in one <g class="dhs-p{i}">.
        panels = {g.get("class"): g for g in root.iter(f"{svg}g")
                  if re.fullmatch(r"dhs-p\d+", g.get("class") or "")}
        assert sorted(panels) == sorted(f"dhs-p{i}" for i in range(10))
        assert all(len(g.findall(f"{svg}rect")) == 42 for g in panels.values())
    return check


SAVE = [
    call("save", "unknown suffix", lambda g, t: g.save(t / "grid.txt"),
         r"expected a path ending in \.svg, \.png, \.html, \.gif, \.webp or \.apng, got '.*grid\.txt'", error=ValueError),
    call("save", "no suffix", lambda g, t: g.save(t / "grid"),
         r"expected a path ending in \.svg, \.png, \.html, \.gif, \.webp or \.apng, got '.*grid'", error=ValueError),
    call("save", "a directory", lambda g, t: g.save(t), r"expected a path ending in .*got '", error=ValueError),
    call("save", "png scale 0", lambda g, t: g.save(t / "grid.png", scale=0),
         r"scale expected an integer in 1\.\.16, got 0", error=ValueError),
    call("save", "png scale float", lambda g, t: g.save(t / "grid.png", scale=2.0),
         r"scale expected an integer in 1\.\.16, got 2\.0", error=ValueError),
    call("save", "png scale bool", lambda g, t: g.save(t / "grid.png", scale=True),
         r"scale expected an integer in 1\.\.16, got True", error=ValueError),
    call("save", "None path", lambda g, t: g.save(None),
         r"expected str, bytes or os\.PathLike object, not NoneType", error=TypeError),
    call("save", "missing folder", lambda g, t: g.save(t / "nope" / "grid.svg"),
         r"No such file or directory: '.*nope/grid\.svg'", error=FileNotFoundError),
    call("save", "upper-case suffix", lambda g, t: g.save(str(t / "GRID.SVG")), check=saved_svg("GRID.SVG")),
    call("save", "pathlib path", lambda g, t: g.save(t / "grid.svg"), check=saved_svg("grid.svg")),
]


def _ctor(**kwargs):
    return lambda g, t: DigitHeatmapGrid(**kwargs)


CTOR = [
    call("ctor", "controls not a bool (BUG-8)", _ctor(controls="yes"), r"expected a boolean, not the str 'yes'"),
    call("ctor", "vmin NaN", _ctor(vmin=float("nan")), r"DigitHeatmapGrid\.vmin expected a finite number or None, got nan"),
    call("ctor", "cell_size 0", _ctor(cell_size=0), r"DigitHeatmapGrid\.cell_size expected pixels per cell"),
    call("ctor", "labels a str", _ctor(labels="0123456789"), r"DigitHeatmapGrid\.labels expected a list of strings, got str"),
    call("ctor", "highlighted repeated", _ctor(highlighted=[0, 0]), r"DigitHeatmapGrid\.highlighted expected distinct"),
    call("ctor", "layout not a Layout", _ctor(layout=5), r"'layout' trait of a DigitHeatmapGrid instance expected a Layout, not the int 5"),
    call("ctor", "misspelt argument (BUG-9)", _ctor(colourmap="viridis"), r"colourmap", error=TypeError),
    call("ctor", "single-row data (BUG-1)", _ctor(data=np.arange(12.0).reshape(3, 1, 4)),
         check=data_is(lambda: np.arange(12.0).reshape(3, 1, 4))),
    call("ctor", "data range beyond float (BUG-3)", _ctor(data=np.array([[[-1e308, 1e308], [0.0, 0.0]]])),
         r"DigitHeatmapGrid\.data expected values of magnitude at most 1e\+300"),
    call("ctor", "subnormal vmin over zeros (BUG-3)", _ctor(data=np.zeros((2, 2, 2)), vmin=5e-324),
         check=limits_are(lo=5e-324)),
    call("ctor", "controls=1", _ctor(controls=1), check=controls_shown(True)),
    call("ctor", "svg for single-row maps (BUG-1)", _ctor(data=np.zeros((3, 1, 4)), renderer="svg"),
         r"DigitHeatmapGrid\.data maps of \(1, 4\) cannot be drawn with renderer='svg'"),
    Case("ctor", "limits a subnormal apart (BUG-3)", _ctor(vmin=0.0, vmax=5e-324),
         check=limits_are(0.0, 5e-324), either=True),
    call("ctor", "tuple labels with new N", _ctor(data=np.zeros((2, 3, 3)), labels=("a", "b")),
         check=titles_are(["a", "b"])),
]

# -- the first suite's cases: one value of one trait each, most from the styled sample --

DATA_NAMED = [  # (name, value, what the message must say)
    ("1-D", np.zeros(6), r"expected a 3-D array.*got 1-D with shape \(6,\)"),
    ("2-D", np.zeros((7, 6)), r"expected a 3-D array.*got 2-D with shape \(7, 6\)"),
    ("4-D", np.zeros((2, 3, 7, 6)), r"expected a 3-D array.*got 4-D with shape \(2, 3, 7, 6\)"),
    ("0-D", 3.0, r"expected a 3-D array.*got 0-D"),
    ("empty N", np.zeros((0, 7, 6)), r"expected every axis to be non-empty, got shape \(0, 7, 6\)"),
    ("empty H", np.zeros((10, 0, 6)), r"non-empty, got shape \(10, 0, 6\)"),
    ("empty W", np.zeros((10, 7, 0)), r"non-empty, got shape \(10, 7, 0\)"),
    ("complex", np.zeros((10, 7, 6), dtype=complex), r"expected real numbers.*got complex"),
    ("string", np.full((10, 7, 6), "a"), r"expected real numbers.*got string"),
    ("object", np.empty((10, 7, 6), dtype=object), r"expected real numbers.*got object"),
    ("datetime", np.zeros((10, 7, 6), dtype="datetime64[s]"), r"expected real numbers.*got datetime"),
    ("timedelta", np.zeros((10, 7, 6), dtype="timedelta64[s]"), r"expected real numbers.*got timedelta"),
    ("+inf", np.where(np.arange(420).reshape(10, 7, 6) == 100, np.inf, 0.0),
     r"expected finite values or NaN, got \+-inf \(first at index \(2, 2, 4\)\)"),
    ("-inf", np.full((10, 7, 6), -np.inf), r"expected finite values or NaN, got \+-inf"),
    ("ragged list", [[[1.0, 2.0], [3.0]], [[4.0, 5.0], [6.0, 7.0]]], r"expected a numeric array-like, got list"),
    ("None", None, r"expected (real numbers|a 3-D array).*got"),
    # An array of more panels is paged (test_pages.py); a list has no shape to page by.
    ("too many panels", [[[0.0]]] * 4097, r"expected at most 4096 panels, got 4097"),
    ("masked strings with a mask",
     np.ma.masked_array(np.full((2, 2, 2), "x"), mask=np.eye(2, dtype=bool)[None].repeat(2, 0)),
     r"expected real numbers"),
]

LIMIT_NAMED = [
    ("nan", float("nan"), r"expected a finite number or None, got nan"),
    ("np.nan", np.float64(np.nan), r"expected a finite number or None, got .*nan"),
    ("+inf", float("inf"), r"expected a finite number or None, got inf"),
    ("-inf", -float("inf"), r"expected a finite number or None, got -inf"),
    ("True", True, r"expected a finite number or None, got True"),
    ("False", False, r"expected a finite number or None, got False"),
    ("str", "0.5", r"expected a (float|finite number).*(got|not the)( str)? '0\.5'"),
    ("list", [0.5], r"expected a (float|finite number).*(got|not the)( list)? \[0\.5\]"),
]

COLORMAP_NAMED = [
    ("empty list", [], r"expected a list of at least 2 CSS colours, got 0"),
    ("one colour", ["red"], r"expected a list of at least 2 CSS colours, got 1"),
    ("bad colour", ["red", "notacolour"], r"colour 1 of the list is not valid.*expected a CSS colour.*'notacolour'"),
    ("injection", ["red", "red; } body { display:none"], r"colour 1 .*not valid.*'red; \} body"),
    ("url", ["url(javascript:alert(1))", "red"], r"colour 0 .*not valid.*'url\(javascript"),
    ("number in list", ["red", 3], r"colour 1 .*not valid.*expected a CSS colour string, got int"),
    ("int", 5, r"expected a colormap name \(str\) or a list of CSS colours, got int"),
    ("None", None, r"expected a colormap name .*got NoneType"),
    ("empty name", "", r"unknown name ''"),
]

HIGHLIGHT_NAMED = [
    ("too large", [10], r"expected indices in 0\.\.9, got \[10\]"),
    ("negative", [2, -1], r"expected indices in 0\.\.9, got \[-1\]"),
    ("repeated", [3, 1, 3], r"expected distinct panel indices, got \[3\] repeated"),
    ("float", [1.0], r"expected integer panel indices, got float 1\.0"),
    ("bool", [True], r"expected integer panel indices, got bool True"),
    ("numpy bool", [np.bool_(True)], r"expected integer panel indices, got bool"),
    ("str", "12", r"expected a list of panel indices, got str '12'"),
    ("str item", ["1"], r"expected integer panel indices, got str '1'"),
    ("int", 3, r"expected a list of panel indices, got int 3"),
    ("None", None, r"expected a list of panel indices, got NoneType"),
]

LABEL_NAMED = [  # (the styled start has custom labels: 'digit 0' ... 'digit 9')
    ("too few", [str(i) for i in range(9)], r"expected 10 labels \(one per panel\), got 9"),
    ("too many", [str(i) for i in range(11)], r"expected 10 labels \(one per panel\), got 11"),
    ("ints", list(range(10)), r"expected a list of strings, got int 0 at position 0"),
    ("one None", [str(i) for i in range(9)] + [None], r"expected a list of strings, got NoneType None at position 9"),
    ("plain string", "abcdefghij", r"expected a list of strings, got str"),
    ("None", None, r"expected a list of strings, got NoneType"),
]

COLUMNS_NAMED = [
    ("0", 0, r"expected an integer >= 1, got 0"),
    ("-1", -1, r"expected an integer >= 1, got -1"),
    ("True", True, r"expected an integer >= 1, got True"),
    ("2.5", 2.5, r"expected an int, not the float 2\.5"),
    ("str", "3", r"expected an int, not the str '3'"),
    ("None", None, r"expected an int, not the NoneType"),
]

CELL_SIZE_NAMED = [
    ("0", 0, r"expected pixels per cell in 1\.\.64 or None, got 0"),
    ("65", 65, r"expected pixels per cell in 1\.\.64 or None, got 65"),
    ("-3", -3, r"expected pixels per cell in 1\.\.64 or None, got -3"),
    ("True", True, r"expected pixels per cell in 1\.\.64 or None, got True"),
    ("2.5", 2.5, r"expected an int( or None)?, not the float 2\.5"),
]

NAN_COLOR_STRINGS = [
    "",
    "notacolour",
    "red; } body { display:none",
    "red;} body {display:none}",
    "url(javascript:alert(1))",
    "expression(alert(1))",
    "red</style><script>alert(1)</script>",
    "#12345",
    "#gggggg",
    "rgb(300, 0, 0)",
    "rgba(0, 0, 0, 2)",
    "rgb(1, 2)",
    "hsl(120%, 50%, 50%)",
    "red !important",
    "var(--x)",
]


def _given(value: Any) -> Callable[[], Any]:
    return lambda: value


def _known_names(message: str) -> None:
    """An unknown colormap name: the message lists the names there are."""
    known = message.split("Known names:")[1]
    for name in ("hot", "viridis", "magma", "inferno", "gray", "Greys", "RdBu_r", "hot_r"):
        assert re.search(rf"\b{name}\b", known), name


def _custom_labels(grid):
    grid.labels = [f"digit {i}" for i in range(10)]


def _vmax_automatic(grid):
    # With vmax automatic, nothing else can refuse True: only the bool check can.
    assert grid.vmax is None


def _crossed_in_hold_sync(grid, tmp_path):
    with grid.hold_sync():
        grid.colormap = "magma"  # valid, but must not survive the refusal
        grid.vmin = 0.5
        grid.vmax = 0.1


def _bad_data_in_hold_sync(grid, tmp_path):
    with grid.hold_sync():
        grid.labels = list("abcdefghij")
        grid.highlighted = [0]
        grid.data = np.zeros(3)


BAD_INPUT = [
    *[refuse("data", name, _given(value), pattern) for name, value, pattern in DATA_NAMED],
    refuse("data", "4 panels while labels are custom", lambda: sample_data()[:4],
           r"DigitHeatmapGrid\.data expected 10 panels \(one per entry of labels\), got 4; to "
           r"change both, set data and labels together inside `with grid\.hold_sync\(\):`",
           start="plain", setup=_custom_labels),
    *[refuse(trait, name, _given(value), named(trait) + ".*" + pattern)
      for trait in ("vmin", "vmax") for name, value, pattern in LIMIT_NAMED],
    refuse("vmin", "True with vmax automatic", lambda: True,
           r"DigitHeatmapGrid\.vmin expected a finite number or None, got True",
           start="plain", setup=_vmax_automatic),
    # (the styled start has vmin=0.001, vmax=0.012)
    refuse("vmin", "equal to vmax", lambda: 0.012,
           r"DigitHeatmapGrid\.vmin expected vmin < vmax, got vmin=0\.012 and vmax=0\.012"),
    refuse("vmin", "above vmax", lambda: 0.5,
           r"DigitHeatmapGrid\.vmin expected vmin < vmax, got vmin=0\.5 and vmax=0\.012"),
    refuse("vmax", "equal to vmin", lambda: 0.001,
           r"DigitHeatmapGrid\.vmax expected vmin < vmax, got vmin=0\.001 and vmax=0\.001"),
    refuse("vmax", "below vmin", lambda: -1.0,
           r"DigitHeatmapGrid\.vmax expected vmin < vmax, got vmin=0\.001 and vmax=-1\.0"),
    Case("hold_sync", "crossed limits roll back a colormap", _crossed_in_hold_sync,
         r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax", owner=r"DigitHeatmapGrid\.vm(in|ax)\b"),
    Case("hold_sync", "bad data rolls back labels and highlight", _bad_data_in_hold_sync,
         r"DigitHeatmapGrid\.data expected a 3-D array", owner=named("data")),
    refuse("colormap", "hott: names listed, one suggested", lambda: "hott",
           r"DigitHeatmapGrid\.colormap .*'hott'.*Did you mean 'hot'", message_check=_known_names),
    refuse("colormap", "virdis", lambda: "virdis",
           r"unknown name 'virdis'.*Did you mean 'viridis'.*Known names: .*\bmagma\b"),
    *[refuse("colormap", name, _given(value), r"DigitHeatmapGrid\.colormap .*" + pattern)
      for name, value, pattern in COLORMAP_NAMED],
    *[refuse("highlighted", name, _given(value), r"DigitHeatmapGrid\.highlighted " + pattern)
      for name, value, pattern in HIGHLIGHT_NAMED],
    *[refuse("labels", name, _given(value), r"DigitHeatmapGrid\.labels " + pattern)
      for name, value, pattern in LABEL_NAMED],
    *[refuse("columns", name, _given(value), named("columns") + " " + pattern)
      for name, value, pattern in COLUMNS_NAMED],
    *[refuse("cell_size", name, _given(value), named("cell_size") + " " + pattern)
      for name, value, pattern in CELL_SIZE_NAMED],
    # What was expected ("expected ...", or "... must be ...") and what came.
    *[refuse("nan_color", repr(value), _given(value),
             r"DigitHeatmapGrid\.nan_color .*(expected|must be).*" + re.escape(repr(value)))
      for value in NAN_COLOR_STRINGS],
    *[refuse("nan_color", name, _given(value), named("nan_color") + r" expected a unicode string, not the")
      for name, value in [("int", 5), ("None", None), ("tuple", ("red",))]],
    *[call("ctor", name, _ctor(**kwargs), pattern) for name, kwargs, pattern in [
        ("data", dict(data=np.zeros(3)), r"DigitHeatmapGrid\.data expected a 3-D array"),
        ("colormap", dict(colormap="hott"), r"DigitHeatmapGrid\.colormap .*Did you mean 'hot'"),
        ("highlighted", dict(highlighted=[12]), r"DigitHeatmapGrid\.highlighted expected indices in 0\.\.9"),
        ("labels", dict(labels=["a"]), r"DigitHeatmapGrid\.labels expected 10 labels \(one per panel\), got 1$"),
        ("columns", dict(columns=0), r"DigitHeatmapGrid\.columns expected an integer >= 1"),
        ("nan_color", dict(nan_color="url(x)"), r"DigitHeatmapGrid\.nan_color expected a CSS colour"),
        ("crossed limits", dict(vmin=0.5, vmax=0.1), r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax"),
        ("equal limits", dict(vmin=0.1, vmax=0.1), r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax"),
    ]],
]


# -- issue 24: paging given a bool, frame_labels given None, and a misspelt trait ------


def _paged_sample() -> DigitHeatmapGrid:
    """The sample in two pages of 5: True would be a page (1) and a page size (1)."""
    return DigitHeatmapGrid(sample_data(), page_size=5, stack_limits=False)


def _on_page_1(grid):
    grid.page = 1  # so False (taken as 0) would move the grid


def _unknown(name: str, value: Any) -> Callable[..., Any]:
    """``grid.<name> = value`` for a name the grid does not know: refused, and no plain
    attribute of that name is left behind (it would change nothing but read back)."""
    def act(grid, tmp_path):
        try:
            setattr(grid, name, value)
        finally:
            assert name not in vars(grid), f"grid.{name} became a plain attribute"
    return act


class _ArrayRaising:
    """An array-like whose ``__array__`` raises (a proxy whose values cannot be had)."""

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise RuntimeError("no values here")

    def __repr__(self) -> str:
        return "_ArrayRaising()"


def _dask(maps: np.ndarray) -> Any:
    return need("dask.array").from_array(maps, chunks=2)


def _unknown_count() -> Any:
    """A Dask stack after boolean indexing: its panel count is NaN until computed."""
    x = _dask(_good())
    return x[x[:, 0, 0] >= 0]


def _paged_raising(error: Exception) -> DigitHeatmapGrid:
    """Two pages of a Dask stack whose second chunk raises ``error`` when computed."""
    def block(maps, block_info=None):
        if block_info[0]["chunk-location"][0] == 1:
            raise error
        return maps
    stack = _dask(np.concatenate([_good(), _good(0.5)])).map_blocks(block, dtype=float)
    return DigitHeatmapGrid(stack, page_size=2, renderer="canvas", stack_limits=False)


def misspelt(name: str, value: Any, closest: str) -> Case:
    return Case("misspelt trait", f"{name} (closest {closest})", _unknown(name, value),
                rf"DigitHeatmapGrid\.{name} is not a trait of the grid: expected the name of a "
                rf"trait, property or method, got '{name}' .*did you mean "
                rf"DigitHeatmapGrid\.{closest}\?", error=AttributeError,
                owner=rf"DigitHeatmapGrid\.{closest}\b", value=_given((name, value)))


ISSUE_24 = [
    # bool is an int to Python; columns, max_frames and frame refuse it, so must these.
    refuse("page", "True on a paged stack", lambda: True,
           r"DigitHeatmapGrid\.page expected a page in 0\.\.1, got True", start=_paged_sample),
    refuse("page", "False on page 1", lambda: False,
           r"DigitHeatmapGrid\.page expected a page in 0\.\.1, got False", start=_paged_sample,
           setup=_on_page_1),
    refuse("page_size", "True", lambda: True,
           r"DigitHeatmapGrid\.page_size expected None or panels per page in 1\.\.4096, got True"),
    refuse("frame_labels", "None", lambda: None,
           r"DigitHeatmapGrid\.frame_labels expected a list of strings, got NoneType", start="held"),
    misspelt("vamx", 0.01, "vmax"),
    misspelt("colourmap", "viridis", "colormap"),
    misspelt("hilighted", [3], "highlighted"),
    # A count of labels that does not fit what they title: the trait whose value came,
    # what was expected, what came (it said "data has 3 panels but labels has 1 entries").
    call("ctor", "labels for 3 maps given 1", _ctor(data=np.zeros((3, 2, 2)), labels=["a"]),
         r"DigitHeatmapGrid\.labels expected 3 labels \(one per panel\), got 1$"),
    call("ctor", "paged, labels one short of the stack", _ctor(
        data=np.zeros((30, 2, 2)), page_size=10, labels=["a"] * 29),
        r"DigitHeatmapGrid\.labels expected 30 labels \(one per panel of the stack\), got 29$"),
    call("ctor", "paged, labels for a page only", _ctor(  # they were dropped, silently
        data=np.zeros((30, 2, 2)), page_size=10, labels=["a"] * 10),
        r"DigitHeatmapGrid\.labels expected 30 labels \(one per panel of the stack\), got 10$"),
    refuse("frames", "three while frame_labels holds two", lambda: np.broadcast_to(_good(), (3, *SHAPE)),
           r"DigitHeatmapGrid\.frames expected 2 frames \(one per entry of frame_labels\), got 3; "
           r"to change both, set frames and frame_labels together inside `with grid\.hold_sync\(\):`",
           start="held"),
    refuse("data", "one panel while labels are custom", lambda: _good()[:1],
           r"DigitHeatmapGrid\.data expected 2 panels \(one per entry of labels\), got 1; ",
           start="held", setup=lambda grid: setattr(grid, "labels", ["x", "y"])),
    # issue 24, part 4: what an engine or a lazy array's shape gives is refused as the
    # trait given, saying what came, on one line.
    refuse("frames", "__array__ raising", lambda: _ArrayRaising(),
           r"expected a numeric array-like, got _ArrayRaising: RuntimeError: no values here",
           start="held"),
    refuse("data", "Dask with +inf on page 0", lambda: _dask(_with(np.inf)),
           r"could not show page 0 \(panels 0\.\.1\): expected finite values or NaN, got \+-inf",
           start="held", owner=r"^DigitHeatmapGrid\.data "),
    Case("page", "Dask block raising on page 1", set_("page", lambda: 1),
         r"could not show page 1 \(panels 2\.\.3\): expected values Dask can compute, got a "
         r"Dask Array that raised ValueError: chunk 1 is gone \(disk\) retry later$",
         start=lambda: _paged_raising(ValueError("chunk 1 is gone (disk)\nretry later")),
         owner=r"^DigitHeatmapGrid\.page "),
    refuse("data", "Dask of unknown panel count", lambda: _unknown_count(),
           r"expected an array of known shape \(N, H, W\), got shape \(nan, 3, 4\): its panel "
           r"count is unknown .*call x\.compute_chunk_sizes\(\) first", start="held"),
    Case("compare", "Dask of unknown panel count (held)", lambda grid, tmp_path: grid.compare(_unknown_count()),
         r"expected an array of known shape \(N, H, W\), got shape \(nan, 3, 4\): its panel "
         r"count is unknown .*compute_chunk_sizes\(\)", start="held",
         owner=r"^DigitHeatmapGrid\.reference "),
]


# -- every road: one list of bad stacks, given to every entry point that takes maps -----

SHAPE = (2, 3, 4)


def _good(offset: float = 0.0) -> np.ndarray:
    return np.arange(24, dtype=float).reshape(SHAPE) / 24 + offset


def _with(value: float, at: tuple[int, int, int] = (1, 2, 3)) -> np.ndarray:
    maps = _good()
    maps[at] = value
    return maps


# (name, value, pattern of what was expected and what came, paged: whether it can be a
# later page of a paged stack whose first page is good: values of the stack's dtype; a
# stack of another kind or shape is refused as data, its first page).
BAD_STACKS = [
    ("+inf", _with(np.inf), r"expected finite values or NaN, got \+-inf \(first at index \((0, )?1, 2, 3\)\)", True),
    ("-inf", _with(-np.inf), r"expected finite values or NaN, got \+-inf", True),
    ("1e301", _with(1e301), r"expected values of magnitude at most 1e\+300 .*got 1e\+301", True),
    ("-1.7e308", _with(-1.7e308), r"expected values of magnitude at most 1e\+300 .*got -1\.7e\+308", True),
    ("complex", _good().astype(complex), r"expected real numbers .*got complex", False),
    ("strings", np.full(SHAPE, "1.5"), r"expected real numbers .*got string", False),
    ("objects", np.full(SHAPE, None, dtype=object), r"expected real numbers .*got object", False),
    ("datetimes", np.zeros(SHAPE, dtype="datetime64[s]"), r"expected real numbers .*got datetime", False),
    ("masked strings", np.ma.masked_array(np.full(SHAPE, "a")), r"expected real numbers .*got a masked array of string", False),
    ("ragged", [[[1.0, 2.0], [3.0]], [[4.0, 5.0], [6.0, 7.0]]], r"expected a numeric array-like, got list", False),
    ("2-D", np.zeros((3, 4)), r"expected a [34]-D array .*got [23]-D", False),
    ("empty axis", np.zeros((2, 0, 4)), r"expected every axis to be non-empty, got shape", False),
    ("too many values", np.broadcast_to(0.0, (2, 4096, 4097)),
     r"expected (frames of )?at most [\d,]+ values.*got ([\d,]+ in )?shape", False),
]


def _as_frames(value: Any) -> Any:
    """The same bad maps as two frames (a zero-cost view where it can be one)."""
    if isinstance(value, np.ma.MaskedArray):
        return np.ma.stack([value, value])
    if isinstance(value, np.ndarray):
        return np.broadcast_to(value, (2, *value.shape))
    return [value, value]


def _record(grid: DigitHeatmapGrid, value: Any) -> None:
    with grid.hold_sync():  # record these maps: all of it or nothing
        grid.data = value
        grid.record()


#: road: (the trait its refusal names, how the road takes maps)
ROADS: dict[str, tuple[str, Callable[[DigitHeatmapGrid, Any], None]]] = {
    "data": ("data", lambda grid, value: setattr(grid, "data", value)),
    "compare": ("reference", lambda grid, value: grid.compare(value)),
    "frames": ("frames", lambda grid, value: setattr(grid, "frames", _as_frames(value))),
    "record": ("data", _record),
}


def _road(road: str, value: Any) -> Callable[..., Any]:
    take = ROADS[road][1]
    return lambda grid, tmp_path: take(grid, value)


def _paged_with(value: Any) -> Callable[[], DigitHeatmapGrid]:
    """A paged stack of two pages: a good one shown, then ``value``."""
    def make():
        da = need("dask.array")
        stack = da.concatenate([da.from_array(_good(), chunks=2), da.from_array(value, chunks=2)])
        return DigitHeatmapGrid(stack, page_size=2, renderer="canvas", stack_limits=False)
    return make


def _show_page_1(grid, tmp_path):
    grid.page = 1


EVERY_ROAD = [
    *[Case(road, f"{name} (held)", _road(road, value), pattern, start="held",
           value=_given(value), owner=rf"^DigitHeatmapGrid\.{ROADS[road][0]} ")
      for road in ROADS for name, value, pattern, _ in BAD_STACKS],
    *[Case("page", f"{name} on page 1", _show_page_1, r"could not show page 1 .*" + pattern,
           start=_paged_with(value), value=_given(value), owner=r"^DigitHeatmapGrid\.page ")
      for name, value, pattern, paged in BAD_STACKS if paged],
]

CASES: list[Case] = [*DATA, *LIMITS, *COLORMAP, *HIGHLIGHTED, *LABELS, *COLUMNS, *NAN_COLOR,
                     *CELL_SIZE, *SELECTED, *SHOW_CONTROLS, *SHOW_PLAYER, *RENDERER, *UPDATE, *AUTOSCALE, *ON_CLICK, *SAVE,
                     *CTOR, *BAD_INPUT, *ISSUE_24, *EVERY_ROAD]

#: Every public trait, constructor argument, method and road.
TARGETS = ("data", "vmin", "vmax", "colormap", "highlighted", "labels", "columns", "nan_color",
           "cell_size", "selected", "show_controls", "show_player", "renderer", "update_panel", "setitem", "autoscale",
           "on_cell_click", "save", "ctor", "hold_sync", "compare", "frames", "record", "page",
           "page_size", "frame_labels", "misspelt trait")

#: How a refusal must name what was wrong, for methods: the method (``grid[i] = v`` is
#: update_panel), the trait it sets, or for ``save`` the argument or path at fault.
OWNERS = {
    "update_panel": r"DigitHeatmapGrid\.update_panel\b",
    "setitem": r"DigitHeatmapGrid\.update_panel\b",
    "autoscale": r"DigitHeatmapGrid\.(autoscale|colormap)\b",
    "on_cell_click": r"DigitHeatmapGrid\.on_cell_click\b",
    "save": r"(DigitHeatmapGrid\.save\b|\bscale\b|No such file or directory: '|os\.PathLike)",
}


# ------------------------------------------------------------------------- running a case

RECORDER = None  # the test's recorder, for the checks above (set by the `run` fixture)
_PAGE: dict[str, Any] = {}  # the page so far, and how many of RECORDER's events it has seen


def page_now() -> Page:
    """The page after every message so far, as ``Page(RECORDER.events)`` would build it:
    one Page per test, brought up to date with the messages since it was last asked for
    (Page.apply is what its constructor does for each message), not replayed from the
    first message at every check."""
    page = _PAGE.get("page")
    if page is None:
        page = _PAGE["page"] = Page([])
        _PAGE["seen"] = 0
    events = RECORDER.events
    for event in events[_PAGE["seen"]:]:
        page.apply(event)
    _PAGE["seen"] = len(events)
    return page


def styled_grid() -> DigitHeatmapGrid:
    """The sample with non-default values everywhere, so a half-applied change would show."""
    grid = DigitHeatmapGrid(sample_data())
    with grid.hold_sync():  # one rebuild of the drawing widgets, not one per layout trait
        grid.vmin, grid.vmax = 0.001, 0.012
        grid.colormap = "viridis"
        grid.highlighted = [1, 4]
        grid.labels = [f"digit {i}" for i in range(10)]
        grid.columns = 3
        grid.nan_color = "magenta"
        grid.cell_size = 12
        grid.selected = (2, 1, 1)
    return grid


def held_grid() -> DigitHeatmapGrid:
    """A grid with something on every road: data, a reference, two frames."""
    grid = DigitHeatmapGrid(_good(), renderer="canvas")
    grid.record("a")
    grid.compare(_good(0.5))
    grid.showing = "data"
    grid.data = _good(0.25)
    grid.record("b")
    return grid


STARTS: dict[str, Callable[[], DigitHeatmapGrid]] = {
    "styled": styled_grid,
    "plain": lambda: DigitHeatmapGrid(sample_data()),
    "held": held_grid,
}


def roads(grid) -> dict[str, Any]:
    """What every road holds, which a refusal must leave as it was."""
    return {
        "data": grid.data.tobytes(), "reference": None if grid.reference is None
        else grid.reference.tobytes(), "showing": grid.showing, "frames": grid.frames.tobytes(),
        "frames_shape": grid.frames.shape, "frame_labels": list(grid.frame_labels),
        "frame": grid.frame, "labels": list(grid.labels), "limits": grid.limits,
        "page": grid.page, "panel_count": grid.panel_count,
    }


def full_snapshot(grid, take_snapshot) -> dict:
    snap = take_snapshot(grid)
    snap["more"] = {"selected": grid.selected, "show_controls": grid.show_controls}
    snap["roads"] = roads(grid)
    return snap


def assert_usable_and_on_page(grid, recorder, widgets_of) -> None:
    """The limits are a usable range, and the page holds exactly what Python holds."""
    lo, hi = grid.limits
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, f"limits {grid.limits}"
    page = page_now()
    wrong = mismatches(page, widgets_of(grid))
    if "GridController: ['frames']" in wrong:
        # Recorded frames reach the page as patches (frames_patch), which page_model.py
        # does not apply: the frames the page holds are rebuilt from them here instead.
        wrong.remove("GridController: ['frames']")
        frames, labels = page_frames(recorder, grid)
        assert labels == grid.frame_labels
        np.testing.assert_array_equal(frames, grid.frames.astype(frames.dtype))
    assert wrong == []
    shown = page.shown(grid)
    # The limits controller.js sets on the page's ColorScale (or canvas) and colorbar.
    assert shown.limits[0] < shown.limits[1] and shown.limits == (lo, hi)
    assert (shown.vmin, shown.vmax) == (grid.vmin, grid.vmax)
    # What the page's "auto limits" restores: the range of what is shown (the data; with
    # frames and "fixed" frame limits, every frame too; with a reference shown beside the
    # data, it too) when it is a usable one (not constant, nor narrower than a millionth of
    # its magnitude), else a range around it.
    assert grid.showing != "difference"  # (symmetric about 0: no case starts there)
    shown_values = [grid.data.ravel()]
    if len(grid.frames) and grid.frame_limits == "fixed":
        shown_values.append(grid.frames.ravel())
    if grid.reference is not None:
        shown_values.append(grid.reference.ravel())
    values = np.concatenate(shown_values)
    finite = values[~np.isnan(values)]
    auto_lo, auto_hi = shown.auto_limits
    assert math.isfinite(auto_lo) and math.isfinite(auto_hi) and auto_lo < auto_hi
    if finite.size:
        spread, size = finite.max() - finite.min(), np.abs(finite).max()
        if spread >= max(1e-300, 1e-6 * size):
            assert (auto_lo, auto_hi) == (finite.min(), finite.max())
        else:
            assert auto_lo <= finite.min() and finite.max() <= auto_hi
    # The stack the page draws each panel from (bqplot marks hold only a placeholder in
    # Python): every map decodes back to the grid's data, NaN as NaN.
    assert_maps_are(shown.data, grid.data, "the page's stack")
    # The rest of what the page draws follows the traits.
    count, rows, cols = grid.data.shape
    geometry = shown.geometry
    assert (geometry["count"], geometry["rows"], geometry["cols"]) == (count, rows, cols)
    assert geometry["columns"] == grid.columns
    if grid.cell_size is not None:
        assert geometry["cell"] == grid.cell_size
    assert shown.labels == grid.labels
    assert shown.highlighted == grid.highlighted
    assert shown.selected == ([] if grid.selected is None else list(grid.selected))
    assert shown.colormap == (grid.colormap if isinstance(grid.colormap, str) else None)


def _decode(encoded: dict) -> np.ndarray:
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(encoded["buffer"], dtype=dtype).reshape(encoded["shape"])


def page_frames(recorder, grid) -> tuple[np.ndarray, list[str]]:
    """The frames the page holds after every message: the last whole stack, then each
    recorded patch (its oldest frames dropped, the new ones appended), in order; a patch
    that does not follow the sequence would make the page ask for them all."""
    comm_id = grid._view.controller.comm.comm_id  # which messages are the controller's
    frames, labels, seq = None, [], None
    for event in recorder.events:
        if event.kind not in ("open", "send") or event.comm.comm_id != comm_id:
            continue
        data = event.data or {}
        state = with_buffers(data.get("state", {}), data.get("buffer_paths", []), event.buffers)
        if state.get("frames"):
            encoded = state["frames"]
            frames, labels, seq = _decode(encoded).copy(), list(encoded["labels"]), encoded["seq"]
        if state.get("frames_patch"):
            patch = state["frames_patch"]
            assert patch["seq"] == seq + 1, "a frames patch out of order"
            frames = np.concatenate([frames[patch["drop"]:], _decode(patch)])
            labels, seq = labels[patch["drop"]:] + list(patch["labels"]), patch["seq"]
    return frames, labels


def assert_maps_are(maps: np.ndarray, values: np.ndarray, what: str) -> None:
    """Maps the page decoded equal ``values``: exactly when they came as float64, within
    float32 rounding when they came as float32; NaN as NaN and only NaN."""
    assert maps.dtype in (np.dtype("<f4"), np.dtype("<f8")), f"{what}: {maps.dtype}"
    assert maps.shape == values.shape, f"{what}: shape {maps.shape}, data {values.shape}"
    got = maps.astype(np.float64)
    for index, (shown, want) in enumerate(zip(got, values)):
        assert np.array_equal(np.isnan(shown), np.isnan(want)), f"{what}, map {index}: NaN moved"
        finite = ~np.isnan(want)
        err = np.abs(shown[finite] - want[finite])
        bound = 0.0 if maps.dtype == np.dtype("<f8") else F32_REL * np.abs(want[finite])
        assert (err <= bound).all(), (
            f"{what}, map {index}: {want[finite][np.argmax(err - bound)]!r} arrived as "
            f"{shown[finite][np.argmax(err - bound)]!r} ({maps.dtype})")


def assert_sent_once_and_whole(grid, cap) -> None:
    """During the act, every tensor the page got (a whole stack or a patch of changed
    maps) holds the grid's data as it ended, in a precision that holds it; and the
    drawing widgets were built at most once (at most one mark per panel, one canvas, one
    colorbar opened).

    BUG-13 (found with this check, fixed in b32d486): data with another number of maps
    built the drawing widgets twice, the first time sending the new stack in the old wire
    precision (1e300 arrived as inf, 5e-324 as 0)."""
    controller = controller_of(grid)
    for position, kind, indices, maps in tensor_messages(cap.events, controller):
        assert_maps_are(maps, grid.data[indices], f"message {position} ({kind} of maps {indices})")
    opened = Counter()
    for event in cap.opens:
        state = (event.data or {}).get("state", {})
        opened[state.get("_anywidget_id", "").rsplit(".", 1)[-1] or state.get("_model_name")] += 1
    assert opened["GridHeatMapModel"] <= grid.data.shape[0], f"built twice? opened {opened}"
    assert opened["CanvasGrid"] <= 1 and opened["ColorAxisModel"] <= 1, f"built twice? opened {opened}"


def drawing_widgets(grid) -> list:
    """The widgets that draw the grid (bqplot panels, scales, axes, colorbar, or the
    canvas, and their layouts): everything shown under the grid except its controller and
    control panel."""
    controller = controller_of(grid)
    controls = grid.controls if grid.show_controls else None
    drawn = [child for child in grid.children if child is not controller and child is not controls]
    return [w for child in drawn for w in walk_widgets(child)]


def still_takes_changes(grid, recorder) -> None:
    """Never stuck: the next valid change goes through and reaches the page, as one
    message to the controller and nothing to the drawing widgets."""
    new = "magma" if grid.colormap != "magma" else "plasma"
    controller = controller_of(grid)
    drawing = {id(w.comm) for w in drawing_widgets(grid)}
    assert drawing, "no drawing widgets found under the grid"
    with recorder.capture() as cap:
        grid.colormap = new
    assert grid.colormap == new
    sent = cap.sends_to(controller)
    assert len(sent) == 1 and sent[0].data["state"]["colormap"]["name"] == new, \
        [e.data for e in sent]
    assert [e for e in cap.sends if id(e.comm) in drawing] == [], "a drawing widget got a message"
    assert cap.opens == [] and cap.closes == []
    shown = page_now().shown(grid)
    assert shown.colormap == new
    assert_stops_like_matplotlib(shown.stops, new)


@pytest.fixture
def run(recorder):
    global RECORDER
    RECORDER = recorder
    _PAGE.clear()
    made: list = []
    yield made
    RECORDER = None
    _PAGE.clear()
    REGISTERED.clear()
    for grid in made:
        grid.close()



#: How a refusal says what was expected.
SAYS_EXPECTED = r"expected|unexpected|must be|cannot be"


def open_ids() -> set[str]:
    gc.collect()
    return set(open_widgets())


def _params() -> list:
    """The cases, each open bug's case a strict xfail on an assertion (so it fails, loudly,
    once the bug is fixed, and any other error still fails it)."""
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(
        reason=c.open_bug, strict=True, raises=AssertionError)] if c.open_bug else [])
        for c in CASES]


def assert_accepted(case: Case, grid, cap, recorder, widgets_of, tmp_path) -> None:
    case.check(grid, tmp_path)
    assert_usable_and_on_page(grid, recorder, widgets_of)
    still_takes_changes(grid, recorder)
    assert_sent_once_and_whole(grid, cap)


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, run, recorder, take_snapshot, widgets_of, tmp_path):
    if case.target == "ctor":
        return run_constructor(case, run, recorder, widgets_of, tmp_path)
    grid = case.start() if callable(case.start) else STARTS[case.start]()
    run.append(grid)
    if case.setup is not None:
        case.setup(grid)
    if not (case.refused or case.either):
        with recorder.capture() as cap:
            case.act(grid, tmp_path)
        return assert_accepted(case, grid, cap, recorder, widgets_of, tmp_path)
    files = set(tmp_path.iterdir())
    before = full_snapshot(grid, take_snapshot)
    with recorder.capture() as cap:
        try:
            case.act(grid, tmp_path)
        except case.error as err:
            info = err
        else:
            assert case.either, f"DID NOT RAISE {case.error}"
            info = None
    if info is None:  # accepted: an either-case, checked like any acceptance
        return assert_accepted(case, grid, cap, recorder, widgets_of, tmp_path)
    message = str(info)
    owner = case.owner or OWNERS.get(case.target) or named(case.target)
    assert re.search(owner, message), f"does not name {case.target}: {message}"
    assert re.search(SAYS_EXPECTED + r"|needs|No such file", message), f"says nothing expected: {message}"
    assert case.pattern is None or re.search(case.pattern, message), f"{message!r} !~ {case.pattern!r}"
    if case.message_check is not None:
        case.message_check(message)
    assert cap.events == [], [(e.kind, type(e.comm).__name__, e.data) for e in cap.events]
    assert full_snapshot(grid, take_snapshot) == before
    assert set(tmp_path.iterdir()) == files, "a refused save wrote a file"
    assert_usable_and_on_page(grid, recorder, widgets_of)
    still_takes_changes(grid, recorder)


def run_constructor(case: Case, run, recorder, widgets_of, tmp_path) -> None:
    before = open_ids()
    if case.either:
        try:
            with recorder.capture() as cap:
                grid = case.act(None, tmp_path)
        except case.error as err:
            message = str(err)
            assert re.search(r"DigitHeatmapGrid\.\w+ expected .* got ", message), message
            assert not open_ids() - before, "a refused constructor left widgets open"
            return
        run.append(grid)
        case.check(grid, tmp_path)
        assert_usable_and_on_page(grid, recorder, widgets_of)
        assert_sent_once_and_whole(grid, cap)
        return
    if case.refused:
        with recorder.capture() as cap:
            with pytest.raises(case.error) as info:
                case.act(None, tmp_path)
        message = str(info.value)
        assert re.search(case.pattern, message), f"{message!r} !~ {case.pattern!r}"
        assert re.search(SAYS_EXPECTED, message), message
        leaked = open_ids() - before
        assert not leaked, f"a refused constructor left {len(leaked)} widgets open"
        opened = {id(e.comm) for e in cap.opens}
        closed = {id(e.comm) for e in cap.closes}
        assert opened <= closed, f"{len(opened - closed)} comms opened and never closed"
    else:
        with recorder.capture() as cap:
            grid = case.act(None, tmp_path)
        run.append(grid)
        assert_accepted(case, grid, cap, recorder, widgets_of, tmp_path)


# ------------------------------------------------------------------------- the table itself


def _key(case: Case) -> tuple:
    """What a case gives, comparable across the table: target, start, setup, and the value's
    type, dtype, shape and repr."""
    start = case.start if isinstance(case.start, str) else "paged"
    setup = case.setup.__name__ if case.setup is not None else None
    if case.value is None:
        return (case.target, start, setup, case.name)
    try:
        value = case.value()
    except pytest.skip.Exception:
        return (case.target, start, setup, case.name)
    return (case.target, start, setup, *_value_key(value))


def _value_key(value: Any) -> tuple:
    dtype = getattr(value, "dtype", None)
    shape = getattr(value, "shape", None)
    whole: bytes | None = None
    if shape is not None:
        try:  # an array's bytes (and mask), not its repr: the table holds 200,000-frame stacks
            array = np.asarray(np.ma.getdata(value))
            mask = np.ma.getmaskarray(value).tobytes() if isinstance(value, np.ma.MaskedArray) else b""
            whole = array.dtype.str.encode() + array.tobytes() + mask
            text = repr(array.ravel()[:40].tolist())
        except Exception:  # e.g. a torch meta or bfloat16 tensor: numpy cannot read it
            whole = None
    if whole is None:
        text = repr(value)
        whole = text.encode()
    text = text[:300]
    if isinstance(value, (list, tuple)):
        # numpy < 2 shows [np.float64(1)] as [1.0]: the items' types tell them apart.
        text += " of " + ",".join(sorted({type(item).__name__ for item in value}))
    # The first characters to read, and a digest of it all: values that differ past them
    # (one cell of many) are different values.
    digest = hashlib.sha1(whole).hexdigest()[:12]
    return (type(value).__name__, str(dtype), tuple(shape) if shape is not None else None,
            text, digest)


def test_no_case_repeats_another():
    ids = [c.id for c in CASES]
    assert [i for i, n in Counter(ids).items() if n > 1] == [], "case ids must be distinct"
    ours = [_key(c) for c in CASES if c.value is not None]
    duplicates = [k for k, n in Counter(ours).items() if n > 1]
    assert duplicates == [], f"the table repeats itself: {duplicates}"


def test_table_counts():
    per_target = Counter(c.target for c in CASES)
    refused = Counter(c.target for c in CASES if c.refused)
    either = Counter(c.target for c in CASES if c.either)
    assert set(per_target) == set(TARGETS)
    for target in TARGETS:
        assert refused[target] >= 1, f"no refused input for {target}"
    bugs = sorted({m for c in CASES for m in re.findall(r"BUG-\d+", c.name)}, key=lambda b: int(b[4:]))
    lines = [f"{t:14} {per_target[t]:3} cases ({refused[t]} refused, "
             f"{per_target[t] - refused[t] - either[t]} accepted, {either[t]} either)" for t in TARGETS]
    accepted = len(CASES) - sum(refused.values()) - sum(either.values())
    print(f"\nbad-input table: {len(CASES)} distinct cases: {sum(refused.values())} must be refused, "
          f"{accepted} converted as documented, {sum(either.values())} either (no documented answer); "
          f"cases named after {', '.join(bugs)}\n" + "\n".join(lines))
    assert len(CASES) >= 50
