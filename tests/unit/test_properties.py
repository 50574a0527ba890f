"""Property tests: for random valid tensors and settings, what the page receives, how values
map to colours, and the limits in force.

Every page-side value is decoded from the recording comm's messages (page_model.py): the
binary buffers with the dtype and shape given in the message state, never the package's
own arrays. What the page draws is read from the grid's controller (``Page.shown``): its
stack of maps, limits and colour stops are what ``controller.js`` sets the bqplot
panels' shared ColorScale and marks (or the canvas) from, in the page.

Bounds used:

* float32 transport: round to nearest gives ``|x - f32(x)| <= 2^-24 |x|`` for every x in
  float32's normal range (2^-126 <= |x| <= float32 max); NaN stays NaN. A panel sent as
  float64 (values beyond float32's range) must decode exactly.
* colours: the page's ColorScale spreads its stops evenly from min to max and interpolates
  linearly in RGB, clamping outside (bqscales ColorScale over d3-scale; the canvas does the
  same); computed here from the stops and limits the page received.

Each property runs on the domain where the package promises it; the docstrings name the
bugs (BUG-n, see the report) this suite found at the edges.
"""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from page_model import Page, controller_of, mismatches, tensor_messages
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid, colormap_names
from digitheat_widget.data import MAX_MAGNITUDE
from digitheat_widget.figure.colormaps import map_values

FAST = settings(deadline=None, max_examples=60, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
F32_TINY = float(np.finfo(np.float32).tiny)  # 2^-126, smallest normal float32
F32_MAX = float(np.finfo(np.float32).max)

# --------------------------------------------------------------------------- strategies


def magnitudes(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Signed floats with lo <= |x| <= hi, or exactly 0, spread over the exponents."""
    exponent = st.floats(math.log10(lo), math.log10(hi))
    mantissa = st.floats(1.0, 9.999)
    sign = st.sampled_from([-1.0, 1.0])
    spread = st.builds(lambda s, m, e: s * min(hi, max(lo, m * 10.0**e)), sign, mantissa, exponent)
    anywhere = st.floats(-hi, hi).map(lambda x: 0.0 if abs(x) < lo else x)
    return st.one_of(st.just(0.0), spread, anywhere)


def shapes(min_side: int = 2) -> st.SearchStrategy[tuple[int, int, int]]:
    return st.tuples(st.integers(1, 12), st.integers(min_side, 9), st.integers(min_side, 9))


@st.composite
def tensors(draw, lo: float = 1e-30, hi: float = 1e300, min_side: int = 2,
            shape: tuple[int, int, int] | None = None) -> np.ndarray:
    """Random (N, H, W) float64 data: spread values, NaN holes, constant or all-NaN maps."""
    shape = shape or draw(shapes(min_side))
    kind = draw(st.sampled_from(["spread", "spread", "narrow", "constant", "all-nan"]))
    if kind == "all-nan":
        return np.full(shape, np.nan)
    if kind == "constant":
        return np.full(shape, draw(magnitudes(lo, hi)))
    if kind == "narrow":  # values of one order of magnitude, like most real maps
        scale = draw(magnitudes(max(lo, 1e-20), min(hi, 1e20)).filter(lambda x: x != 0))
        values = draw(arrays(np.float64, shape, elements=st.floats(-1.0, 1.0).map(
            lambda x: 0.0 if abs(x) < 1e-6 else x)))
        data = values * scale
    else:
        data = draw(arrays(np.float64, shape, elements=magnitudes(lo, hi)))
    holes = draw(arrays(np.bool_, shape, elements=st.booleans()))
    if draw(st.booleans()):
        data = np.where(holes, np.nan, data)
    return data


@st.composite
def same_shape_pairs(draw) -> tuple[np.ndarray, np.ndarray]:
    """Two tensors of one shape; the second often differs in a few maps only."""
    first = draw(tensors())
    if draw(st.booleans()):
        return first, draw(tensors(shape=first.shape))
    second = first.copy()
    for index in draw(st.sets(st.integers(0, first.shape[0] - 1))):
        second[index] = draw(tensors(shape=(1, *first.shape[1:])))[0]
    return first, second


@st.composite
def grid_settings(draw) -> dict:
    return {
        "colormap": draw(st.sampled_from(colormap_names())),
        "columns": draw(st.integers(1, 5)),
        "nan_color": draw(st.sampled_from(["magenta", "#4a90d9", "rgba(0, 0, 0, 0.5)"])),
        "cell_size": draw(st.one_of(st.none(), st.integers(1, 64))),
    }


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def watching(recorder):
    """``seen()`` gives the page as rebuilt from the messages sent since the block began."""
    start = len(recorder.events)
    yield lambda: Page(recorder.events[start:])


def page_panels(page: Page, grid) -> list[np.ndarray]:
    """Each panel's values as the page decodes them (the controller's stack, patches
    applied), with the dtype the message named."""
    return list(page.shown(grid).data)


def assert_decodes_back(shown: np.ndarray, values: np.ndarray) -> None:
    assert shown.shape == values.shape
    nan = np.isnan(values)
    assert np.array_equal(np.isnan(shown), nan), "NaN must stay NaN, and only NaN"
    x, d = values[~nan], shown[~nan].astype(np.float64)
    if shown.dtype == np.float64:
        np.testing.assert_array_equal(d, x)
    else:
        assert shown.dtype == np.float32, shown.dtype
        bound = 2.0**-24 * np.abs(x)
        err = np.abs(d - x)
        worst = int(np.argmax(err - bound)) if x.size else 0
        assert (err <= bound).all(), f"{x[worst]!r} arrived as {d[worst]!r}"


def page_colour(values: np.ndarray, stops: list[str], lo: float, hi: float) -> np.ndarray:
    """What the page paints: stops evenly spread over [lo, hi], linear in RGB, clamped."""
    rgb = np.array([[int(s[i:i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=np.float64)
    domain = np.linspace(lo, hi, len(stops))
    clamped = np.clip(values, lo, hi)
    return np.stack([np.interp(clamped, domain, rgb[:, c]) for c in range(3)], axis=-1)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance (Rec. 709 weights on linearised sRGB), monotone in each channel."""
    c = rgb / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


# --------------------------------------------------------------------------- 1. data on the page


@FAST
@given(first=tensors(), pair=same_shape_pairs(), chosen=grid_settings())
@example(first=np.full((1, 2, 2), np.nan),
         pair=(np.array([[[1e-30, -1e30], [F32_MAX * 2, 0.0]]]), np.array([[[np.nan, 1.0], [2.0, 3.0]]])),
         chosen={"colormap": "gray", "columns": 1, "nan_color": "magenta", "cell_size": None})
@example(first=np.zeros((3, 2, 2)),
         pair=(np.arange(12.0).reshape(3, 2, 2), np.arange(12.0).reshape(3, 2, 2) * [[[1]], [[-1]], [[1]]]),
         chosen={"colormap": "hot", "columns": 2, "nan_color": "magenta", "cell_size": 4})
def test_page_receives_the_data_within_float32_rounding(recorder, widgets_of, first, pair, chosen):
    """Opened with one tensor (open messages), then assigned another (update messages),
    then a third of the second's shape (a patch of the maps that changed): the page
    decodes each panel back to the data within float32 rounding, NaN as NaN."""
    second, third = pair
    with watching(recorder) as seen:
        grid = DigitHeatmapGrid(first, **chosen)
        try:
            assert len(page_panels(seen(), grid)) == first.shape[0]
            for shown, values in zip(page_panels(seen(), grid), first):
                assert_decodes_back(shown, values)
            with recorder.capture() as cap:
                grid.data = second
            page = seen()
            assert len(page_panels(page, grid)) == second.shape[0]
            assert page.shown(grid).geometry["count"] == second.shape[0]
            for shown, values in zip(page_panels(page, grid), second):
                assert_decodes_back(shown, values)
            assert mismatches(page, widgets_of(grid)) == []
            # Every message on the way held the new tensor, in a precision that holds it
            # (BUG-13: a new shape was sent once in the old precision first).
            for _, _, indices, maps in tensor_messages(cap.events, controller_of(grid)):
                for shown, values in zip(maps, second[indices]):
                    assert_decodes_back(shown, values)
            # The same shape again: the values go to the controller alone, as one message
            # (none when nothing changed) holding the maps that changed (or the whole stack,
            # when the new values need another precision on the wire), and no widget opens
            # or closes.
            changed = [i for i in range(third.shape[0])
                       if not np.array_equal(second[i], third[i], equal_nan=True)]
            with recorder.capture() as cap:
                grid.data = third
            assert cap.opens == [] and cap.closes == []
            assert len(cap.sends) <= 1 and cap.sends == cap.sends_to(controller_of(grid))
            sent = tensor_messages(cap.events, controller_of(grid))
            assert len(sent) == (1 if changed else 0), [(kind, i) for _, kind, i, _ in sent]
            for _, kind, indices, maps in sent:
                assert indices == (changed if kind == "patch" else list(range(third.shape[0])))
                for shown, values in zip(maps, third[indices]):
                    assert_decodes_back(shown, values)
            page = seen()
            for shown, values in zip(page_panels(page, grid), third):
                assert_decodes_back(shown, values)
            assert mismatches(page, widgets_of(grid)) == []
        finally:
            grid.close()


@FAST
@given(values=arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(2, 5), st.integers(2, 5)),
                     elements=magnitudes(1e-300, 1e-39)))
@example(values=np.full((1, 2, 2), 1e-40))
def test_page_receives_tiny_values(recorder, values):
    """Values below float32's normal range (|x| < 2^-126) are valid float64 data; the page
    must still get them (BUG-10: float32 flushed them to 0 or kept a few bits)."""
    with watching(recorder) as seen:
        grid = DigitHeatmapGrid(values)
        try:
            for shown, panel in zip(page_panels(seen(), grid), values):
                assert_decodes_back(shown, panel)
        finally:
            grid.close()


# --------------------------------------------------------------------------- 2. colours


@FAST
@given(values=arrays(np.float64, st.integers(2, 60), elements=magnitudes(1e-30, 1e30)),
       limits=st.tuples(magnitudes(1e-30, 1e30), magnitudes(1e-30, 1e30)).filter(lambda t: t[0] != t[1]))
def test_colour_is_monotone_along_the_colormap(values, limits):
    """map_values (documented: colours exactly as the page does) with sequential maps:
    'gray' luminance never falls as the value grows, 'gray_r' never rises, and every RGB
    channel of 'hot' never falls."""
    lo, hi = sorted(limits)
    ordered = np.sort(values)
    gray = luminance(map_values(ordered, lo, hi, "gray"))
    assert (np.diff(gray) >= -1e-12).all()
    gray_r = luminance(map_values(ordered, lo, hi, "gray_r"))
    assert (np.diff(gray_r) <= 1e-12).all()
    hot = map_values(ordered, lo, hi, "hot")
    assert (np.diff(hot, axis=0) >= -1e-9).all()
    # The ends: at or below lo the first colour, at or above hi the last (gray: black, white).
    ends = map_values(np.array([lo - abs(lo) - 1, lo, hi, hi + abs(hi) + 1]), lo, hi, "gray")
    np.testing.assert_allclose(ends, [[0, 0, 0]] * 2 + [[255, 255, 255]] * 2, atol=0.5)


@FAST
@given(data=tensors(lo=1e-20, hi=1e20), name=st.sampled_from(["gray", "Greys_r", "hot"]),
       vmin=st.one_of(st.none(), magnitudes(1e-20, 1e20)), vmax=st.one_of(st.none(), magnitudes(1e-20, 1e20)))
def test_page_colours_are_monotone_in_the_value(recorder, data, name, vmin, vmax):
    """What the page paints, computed from the stops, limits and values it received: a
    brighter colour never stands for a smaller value with a sequential colormap, and it
    agrees with map_values on the same inputs."""
    if vmin is not None and vmax is not None and not vmin < vmax:
        vmin, vmax = None, vmax
    with watching(recorder) as seen:
        grid = DigitHeatmapGrid(data, colormap=name, vmin=vmin, vmax=vmax)
        try:
            page = seen()
            shown = page.shown(grid)
            lo, hi = shown.limits
            assert lo < hi
            values = np.concatenate([p.ravel() for p in page_panels(page, grid)]).astype(np.float64)
            values = np.sort(values[~np.isnan(values)])
            colours = page_colour(values, shown.stops, lo, hi)
            assert (np.diff(luminance(colours)) >= -1e-12).all()
            np.testing.assert_allclose(colours, map_values(values, lo, hi, name), atol=0.51)
        finally:
            grid.close()


@FAST
@given(data=tensors(lo=1e-20, hi=1e20))
@example(data=300.0 + np.linspace(0, 1e-5, 8).reshape(2, 2, 2))
@example(data=1.0 + np.linspace(0, 1e-9, 8).reshape(2, 2, 2))
def test_page_colours_match_python_colours(recorder, data):
    """Each cell's colour on the page (from the values it received) is the colour of the
    widget's own float64 value within 2 RGB units (BUG-10: float32 transport rounded away
    a range small next to the values, e.g. 300.000000 .. 300.000010)."""
    with watching(recorder) as seen:
        grid = DigitHeatmapGrid(data, colormap="gray")
        try:
            page = seen()
            stops, (lo, hi) = page.shown(grid).stops, page.shown(grid).limits
            for shown, values in zip(page_panels(page, grid), grid.data):
                ok = ~np.isnan(values)
                on_page = page_colour(shown.astype(np.float64)[ok], stops, lo, hi)
                in_python = page_colour(values[ok], stops, lo, hi)
                assert np.abs(on_page - in_python).max(initial=0) <= 2, (values[ok][:4], shown[ok][:4])
        finally:
            grid.close()


# --------------------------------------------------------------------------- 3. limits


CLEAR_REFUSAL = r"DigitHeatmapGrid\.(data|vmin|vmax) expected .* got "


def check_limits(recorder, data, vmin, vmax, allow_refusal: bool = False) -> None:
    """Limits finite with lo < hi, on the page too; or, where the documentation refuses
    the input (vmin >= vmax, magnitudes above MAX_MAGNITUDE) or ``allow_refusal``, a
    TraitError that names the trait and says what was expected and what came."""
    magnitudes = [abs(v) for v in (vmin, vmax) if v is not None] + list(np.abs(data[~np.isnan(data)]))
    crossed = vmin is not None and vmax is not None and not vmin < vmax
    too_big = max(magnitudes, default=0.0) > MAX_MAGNITUDE  # documented: refused, clearly
    if crossed or too_big:
        wanted = "vmin < vmax" if not too_big else "vmin < vmax|magnitude" if crossed else "magnitude"
        with pytest.raises(TraitError, match=rf"{CLEAR_REFUSAL}|({wanted})") as info:
            DigitHeatmapGrid(data, vmin=vmin, vmax=vmax)
        assert re.search(CLEAR_REFUSAL, str(info.value)) and re.search(wanted, str(info.value))
        return
    if allow_refusal:
        try:
            DigitHeatmapGrid(data, vmin=vmin, vmax=vmax).close()
        except TraitError as err:
            assert re.search(CLEAR_REFUSAL, str(err)), str(err)
            return
    with watching(recorder) as seen:
        grid = DigitHeatmapGrid(data, vmin=vmin, vmax=vmax)
        try:
            lo, hi = grid.limits
            assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, (lo, hi)
            assert lo == vmin if vmin is not None else True
            assert hi == vmax if vmax is not None else True
            finite = data[~np.isnan(data)]
            if finite.size and vmin is None and vmax is None:  # automatic: the data fit
                assert lo <= finite.min() and finite.max() <= hi
            shown = seen().shown(grid)
            assert shown.limits[0] < shown.limits[1] and shown.limits == (lo, hi)
            assert (shown.vmin, shown.vmax) == (vmin, vmax)
            # The same when the limits come later, one by one (update messages), each
            # change one message to the controller alone.
            grid.vmin = grid.vmax = None
            with recorder.capture() as cap, grid.hold_sync():
                grid.vmin, grid.vmax = vmin, vmax
            assert len(cap.sends) <= 1 and cap.sends == cap.sends_to(controller_of(grid))
            assert cap.opens == [] and cap.closes == []
            shown = seen().shown(grid)
            assert shown.limits == (lo, hi) and (shown.vmin, shown.vmax) == (vmin, vmax)
        finally:
            grid.close()


@FAST
@given(data=tensors(lo=1e-300, hi=1e300),
       vmin=st.one_of(st.none(), magnitudes(1e-300, 1e300)),
       vmax=st.one_of(st.none(), magnitudes(1e-300, 1e300)))
@example(data=np.full((2, 3, 3), np.nan), vmin=None, vmax=None)
@example(data=np.full((2, 3, 3), 7.0), vmin=None, vmax=None)
@example(data=np.zeros((2, 3, 3)), vmin=None, vmax=None)
@example(data=np.full((2, 3, 3), 7.0), vmin=8.0, vmax=None)
@example(data=np.full((2, 3, 3), 7.0), vmin=None, vmax=-8.0)
@example(data=np.full((2, 3, 3), np.nan), vmin=None, vmax=0.0)
def test_limits_always_a_usable_range(recorder, data, vmin, vmax):
    """``grid.limits`` is finite with lo < hi for any data (constant, all-NaN) and any
    vmin/vmax (either automatic, or both given with vmin < vmax; vmin >= vmax is refused),
    and the page's ColorScale gets exactly those limits."""
    check_limits(recorder, data, vmin, vmax)


EXTREMES = st.sampled_from([0.0, 5e-324, -5e-324, 1e-320, 2.2e-308, 1.5e308, -1.7e308, 1.79e308,
                            np.finfo(np.float64).max, -np.finfo(np.float64).max])


@FAST
@given(data=st.one_of(tensors(lo=1e-300, hi=1e300), EXTREMES.map(lambda v: np.full((2, 2, 2), v)),
                      st.tuples(EXTREMES, EXTREMES).map(lambda t: np.array([[[t[0], t[1]], [t[0], t[1]]]]))),
       vmin=st.one_of(st.none(), EXTREMES), vmax=st.one_of(st.none(), EXTREMES))
@example(data=np.full((2, 2, 2), 5e-324), vmin=None, vmax=None)
@example(data=np.zeros((2, 2, 2)), vmin=1.7e308, vmax=None)
@example(data=np.array([[[-1e308, 1e308], [0.0, 0.0]]]), vmin=None, vmax=None)
@example(data=np.full((2, 2, 2), 5e-324), vmin=-5e-324, vmax=None)
@example(data=np.zeros((2, 2, 2)), vmin=0.0, vmax=5e-324)
@example(data=np.array([[[0.0, 5e-324], [0.0, 0.0]]]), vmin=None, vmax=None)
def test_limits_usable_or_refused_at_float_extremes(recorder, data, vmin, vmax):
    """The same promise with subnormal and near-maximal floats (BUG-3: these crashed in the
    tick maths, or gave lo == hi or an infinite end): subnormals give finite limits with
    lo < hi; magnitudes above MAX_MAGNITUDE (1e300, data.as_tensor's docstring) are
    refused with a message that names the trait. A refusal of other extremes is allowed
    too, if as clear; a crash (ValueError, OverflowError) is not."""
    check_limits(recorder, data, vmin, vmax, allow_refusal=True)
