"""Every trait: a valid value changes the trait and what the page draws.

What the page draws is read from the messages the page got (tests/page_model.py's
``Page.shown``: the grid's controller, which sets the bqplot panels or the canvas in the
page) and from the public traits of the drawing widgets the controller names (panel
figures, marks, tooltips, title buttons), never from private attributes of the grid.

Expectations come from the input data, hand-computed values or matplotlib, never from the
package's own helpers (except where the issue names one, e.g. colormap_stops).
"""

from __future__ import annotations

import itertools
import math
import re
from importlib import resources

import matplotlib
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from page_model import Page, controller_of

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure.colormaps import colormap_stops


def hex_rgb(text: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-f]{6}", text), text
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def px(text: str) -> int:
    match = re.fullmatch(r"(\d+)px", text)
    assert match, text
    return int(match.group(1))


def shown(grid, recorder):
    """What the page draws for ``grid`` after every message so far."""
    return Page(recorder.events).shown(grid)


def as_shown(values) -> np.ndarray:
    """``values`` in the precision the page gets them for data like these (float32)."""
    return np.asarray(values, dtype=np.float64).astype(np.float32)


def panels_box(grid):
    """The GridBox of panels: the first child of the grid's body (the last child)."""
    body = grid.children[-1]
    box = body.children[0]
    assert type(box).__name__ == "GridBox", [type(w).__name__ for w in body.children]
    return box


# ------------------------------------------------------------------------- data


def assert_page_data(page, expected) -> None:
    """The page holds ``expected`` in the precision it names (float32 unless float32
    would move a value by a visible share of the range): exactly that rounding, NaN kept."""
    expected = np.asarray(expected, dtype=np.float64)
    assert page.dtype in ("float32", "float64"), page.dtype
    assert page.data.shape == expected.shape
    np.testing.assert_array_equal(page.data, expected.astype(page.dtype))
    np.testing.assert_allclose(page.data.astype(np.float64), expected, rtol=2.0**-23, atol=0)


def test_default_grid_shows_the_bundled_sample(take_structure, sample):
    on_disk = np.load(resources.files("digitheat_widget") / "data" / "sample_digits.npy")
    default = DigitHeatmapGrid()
    explicit = DigitHeatmapGrid(sample)
    try:
        assert default.data.shape == (10, 7, 6)
        np.testing.assert_array_equal(default.data, on_disk)
        np.testing.assert_array_equal(default.data, explicit.data)
        for name in ("vmin", "vmax", "colormap", "highlighted", "labels", "columns",
                     "nan_color", "cell_size"):
            assert getattr(default, name) == getattr(explicit, name), name
        assert default.labels == [str(i) for i in range(10)]
        assert default.colormap == "hot"
        assert take_structure(default) == take_structure(explicit)
    finally:
        default.close()
        explicit.close()


def test_data_sets_every_panels_values(grid, sample, recorder):
    new = sample[::-1] * 2.0
    grid.data = new
    np.testing.assert_array_equal(grid.data, new)
    page = shown(grid, recorder)
    assert_page_data(page, new)
    assert page.dtype == "float32"  # these values need no more: half the bytes
    # One mark per panel, of the map's shape (bqplot sizes its rows and columns from its
    # colour array; the controller puts the values in, in the page).
    marks = controller_of(grid).marks
    assert len(marks) == 10
    assert all(np.shape(m.color) == (7, 6) for m in marks)


def test_data_is_read_only(grid):
    before = grid.data.copy()
    with pytest.raises(ValueError, match="read-only"):
        grid.data[0, 0, 0] = 1.0
    np.testing.assert_array_equal(grid.data, before)


def test_widget_copies_its_input(sample, recorder):
    source = sample.copy()
    grid = DigitHeatmapGrid(source)
    try:
        assert not np.shares_memory(grid.data, source)
        source[:] = 99.0
        np.testing.assert_array_equal(grid.data, sample)
        page = shown(grid, recorder)
        assert_page_data(page, sample)
        assert page.limits[1] == pytest.approx(sample.max())
        # Also for assignment after construction.
        second = sample[::-1].copy()
        grid.data = second
        second[:] = -5.0
        np.testing.assert_array_equal(grid.data, sample[::-1])
        assert_page_data(shown(grid, recorder), sample[::-1])
    finally:
        grid.close()


def test_ints_and_bools_become_floats(grid, recorder):
    ints = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)
    grid.data = ints
    assert grid.data.dtype == np.float64
    np.testing.assert_array_equal(grid.data, ints.astype(float))
    assert shown(grid, recorder).limits == (0.0, 23.0)

    bools = np.zeros((2, 3, 4), dtype=bool)
    bools[1, 2, 3] = True
    grid.data = bools.tolist()  # a nested list of Python bools
    assert grid.data.dtype == np.float64
    np.testing.assert_array_equal(grid.data, bools.astype(float))
    page = shown(grid, recorder)
    assert_page_data(page, bools.astype(float))
    np.testing.assert_array_equal(page.data[1], bools[1].astype(np.float32))


def test_masked_array_becomes_nan(grid, sample, recorder):
    mask = np.zeros(sample.shape, dtype=bool)
    mask[2, 3, 4] = mask[7, 0, 0] = True
    grid.data = np.ma.masked_array(sample, mask=mask)
    assert np.isnan(grid.data[2, 3, 4]) and np.isnan(grid.data[7, 0, 0])
    assert np.isnan(grid.data).sum() == 2
    np.testing.assert_array_equal(grid.data[~mask], sample[~mask])
    page = shown(grid, recorder)
    assert np.isnan(page.data[2, 3, 4]) and np.isnan(page.data[7, 0, 0])
    assert np.isnan(page.data).sum() == 2


def test_nan_values_are_kept_and_limits_ignore_them(grid, sample, recorder):
    data = sample.copy()
    data[0, 0, 0] = np.nan
    grid.data = data
    assert np.isnan(grid.data[0, 0, 0])
    page = shown(grid, recorder)
    assert np.isnan(page.data[0, 0, 0])
    assert page.limits[0] == pytest.approx(np.nanmin(data))
    assert page.limits[1] == pytest.approx(np.nanmax(data))


def test_xarray_is_accepted(grid, sample, recorder):
    xr = pytest.importorskip("xarray")  # installed for this suite
    array = xr.DataArray(sample * 3, dims=("digit", "row", "col"))
    grid.data = array
    np.testing.assert_array_equal(grid.data, sample * 3)
    np.testing.assert_array_equal(shown(grid, recorder).data[9], as_shown(sample[9] * 3))


class DuckTensor:
    """The part of the torch.Tensor interface the widget relies on."""

    def __init__(self, array):
        self.array, self.calls = array, []

    def detach(self):
        self.calls.append("detach")
        return self

    def cpu(self):
        self.calls.append("cpu")
        return self

    def numpy(self):
        self.calls.append("numpy")
        return self.array


def test_tensor_like_object_is_converted_through_detach_cpu_numpy(grid, sample):
    duck = DuckTensor(sample * 4)
    grid.data = duck
    assert duck.calls == ["detach", "cpu", "numpy"]
    np.testing.assert_array_equal(grid.data, sample * 4)


def test_torch_tensor_is_accepted(grid, sample):
    torch = pytest.importorskip("torch")  # torch==2.13.0 CPU wheel is installed for this suite
    tensor = torch.tensor(sample * 2, dtype=torch.float64, requires_grad=True)
    grid.data = tensor
    np.testing.assert_array_equal(grid.data, sample * 2)
    tensor32 = torch.tensor(sample, dtype=torch.float32)
    grid.data = tensor32
    np.testing.assert_array_equal(grid.data, sample.astype(np.float32).astype(np.float64))


def test_changing_n_rebuilds_panels_and_default_labels_follow(grid, sample, widgets_of, recorder):
    grid.highlighted = [2, 7]
    grid.data = sample[:4]
    controller = controller_of(grid)
    assert len(controller.marks) == len(controller.figures) == len(controller.titles) == 4
    assert len(panels_box(grid).children) == 4
    assert grid.labels == ["0", "1", "2", "3"]
    assert [f.title for f in controller.figures] == ["0", "1", "2", "3"]
    assert grid.highlighted == [2]  # index 7 no longer exists
    page = shown(grid, recorder)
    assert page.labels == ["0", "1", "2", "3"]
    assert page.highlighted == [2]
    assert page.geometry["count"] == 4
    assert_page_data(page, sample[:4])

    grid.data = np.concatenate([sample, sample[:2]])
    assert len(controller.marks) == len(controller.figures) == 12
    assert grid.labels == [str(i) for i in range(12)]
    assert [f.title for f in controller.figures] == [str(i) for i in range(12)]
    assert len(panels_box(grid).children) == 12
    in_grid = widgets_of(panels_box(grid))
    assert all(f in in_grid for f in controller.figures)
    assert all(m in in_grid for m in controller.marks)
    page = shown(grid, recorder)
    assert page.labels == [str(i) for i in range(12)]
    np.testing.assert_array_equal(page.data[11], as_shown(sample[1]))


def test_changing_h_w_rebuilds_panels(grid, recorder):
    rng = np.random.default_rng(0)
    new = rng.random((3, 5, 8))
    grid.data = new
    controller = controller_of(grid)
    assert len(controller.marks) == 3
    for mark in controller.marks:
        assert np.shape(mark.color) == (5, 8)
        np.testing.assert_array_equal(mark.row, np.arange(5))
        np.testing.assert_array_equal(mark.column, np.arange(8))
        assert mark.scales["color"] is controller.color_scale
    assert grid.labels == ["0", "1", "2"]
    page = shown(grid, recorder)
    assert_page_data(page, new)
    assert (page.geometry["rows"], page.geometry["cols"], page.geometry["count"]) == (5, 8, 3)
    # The x axis is on the column scale, the y axis on the row scale, and their labels
    # are column and row indices of the new map, far enough apart to be read.
    figure = controller.figures[0]
    mark = controller.marks[0]
    x_axis = next(a for a in figure.axes if a.orientation == "horizontal")
    y_axis = next(a for a in figure.axes if a.orientation == "vertical")
    assert x_axis.scale is mark.scales["column"] and y_axis.scale is mark.scales["row"]
    cell = page.geometry["cell"]
    for ticks, length in ((page.geometry["x_ticks"], 8), (page.geometry["y_ticks"], 5)):
        assert len(ticks) > 0 and min(ticks) >= 0 and max(ticks) <= length - 1, ticks
        assert all(b - a >= 16 / cell for a, b in itertools.pairwise(ticks)), (ticks, cell)
    assert 0 in page.geometry["x_ticks"]
    assert x_axis.num_ticks <= 8 and y_axis.num_ticks <= 5


def test_data_with_new_n_and_labels_together_in_hold_sync(grid, sample, recorder):
    grid.labels = [f"digit {i}" for i in range(10)]
    with grid.hold_sync():
        grid.data = sample[:3]
        grid.labels = ["a", "b", "c"]
    controller = controller_of(grid)
    assert len(controller.figures) == 3
    assert [f.title for f in controller.figures] == ["a", "b", "c"]
    page = shown(grid, recorder)
    assert page.labels == ["a", "b", "c"]
    assert_page_data(page, sample[:3])


# ------------------------------------------------------------------------- limits


def test_vmin_vmax_set_the_colour_scale(grid, sample, recorder):
    page = shown(grid, recorder)
    assert page.limits[0] == pytest.approx(sample.min())
    assert page.limits[1] == pytest.approx(sample.max())
    assert (page.vmin, page.vmax) == (None, None)
    grid.vmax = 0.01
    assert grid.vmax == 0.01
    page = shown(grid, recorder)
    assert page.limits[1] == 0.01 and page.vmax == 0.01
    assert page.limits[0] == pytest.approx(sample.min())
    grid.vmin = 0.002
    page = shown(grid, recorder)
    assert page.limits == (0.002, 0.01) and page.vmin == 0.002
    grid.vmin = None
    grid.vmax = None
    page = shown(grid, recorder)
    assert page.limits[0] == pytest.approx(sample.min())
    assert page.limits[1] == pytest.approx(sample.max())
    assert (page.vmin, page.vmax) == (None, None)


def test_int_limits_are_accepted_as_floats(grid, recorder):
    grid.data = np.arange(24).reshape(2, 3, 4)
    grid.vmax = 30
    grid.vmin = -3
    assert isinstance(grid.vmax, float) and grid.vmax == 30.0
    assert isinstance(grid.vmin, float) and grid.vmin == -3.0
    assert shown(grid, recorder).limits == (-3.0, 30.0)


@pytest.mark.parametrize(
    "make", [np.int64, np.int32, np.float32, np.float64], ids=lambda t: t.__name__
)
def test_numpy_scalar_limits_are_accepted(grid, make, recorder):
    # The natural way to fix a limit is from the data: `grid.vmax = ints.max()` gives an
    # np.int64, `grid.vmax = float32_array.max()` an np.float32.
    ints = np.arange(24).reshape(2, 3, 4)
    grid.data = ints
    grid.vmax = make(ints.max() + 2)
    grid.vmin = make(-3)
    assert isinstance(grid.vmax, float) and grid.vmax == 25.0
    assert isinstance(grid.vmin, float) and grid.vmin == -3.0
    page = shown(grid, recorder)
    assert page.limits == (-3.0, 25.0)
    assert type(page.vmin) is float and type(page.vmax) is float  # JSON numbers


def test_constant_and_all_nan_data_still_give_a_usable_range(grid, recorder):
    grid.data = np.full((2, 3, 3), 5.0)
    lo, hi = shown(grid, recorder).limits
    assert lo < 5.0 < hi
    grid.data = np.full((2, 3, 3), np.nan)
    lo, hi = shown(grid, recorder).limits
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi


def test_hold_sync_moves_both_limits_where_one_by_one_is_refused(grid, recorder):
    from traitlets import TraitError

    grid.vmin, grid.vmax = 0.0, 0.01
    # Up: setting vmin first would cross vmax.
    with pytest.raises(TraitError, match=r"vmin < vmax"):
        grid.vmin = 0.02
    with grid.hold_sync():
        grid.vmin, grid.vmax = 0.02, 0.03
    assert (grid.vmin, grid.vmax) == (0.02, 0.03)
    assert shown(grid, recorder).limits == (0.02, 0.03)
    # Down: setting vmax first would cross vmin.
    with pytest.raises(TraitError, match=r"vmin < vmax"):
        grid.vmax = 0.005
    with grid.hold_sync():
        grid.vmax, grid.vmin = 0.005, 0.001
    assert shown(grid, recorder).limits == (0.001, 0.005)


# ------------------------------------------------------------------------- colormap


@pytest.mark.parametrize("name", ["viridis", "magma", "gray", "RdBu_r", "hot_r"])
def test_colormap_name_sets_the_colour_scale(grid, name, recorder):
    grid.colormap = name
    assert grid.colormap == name
    page = shown(grid, recorder)
    assert page.colormap == name
    colors = page.stops
    assert colors == colormap_stops(name)
    assert len(colors) >= 16
    # Both ends agree with matplotlib (independent of the package's tables).
    for position, colour in ((0.0, colors[0]), (1.0, colors[-1])):
        expected = np.asarray(matplotlib.colormaps[name](position)[:3]) * 255
        assert np.abs(np.array(hex_rgb(colour)) - expected).max() <= 1.0


def test_colormap_name_is_case_insensitive(grid, recorder):
    grid.colormap = "VIRIDIS"
    assert grid.colormap == "viridis"
    page = shown(grid, recorder)
    assert page.colormap == "viridis"
    assert page.stops == colormap_stops("viridis")


def test_colormap_list_of_colours(grid, recorder):
    grid.colormap = ["black", "#F00", "rgb(0, 0, 255)", "hsl(120, 100%, 25%)"]
    page = shown(grid, recorder)
    assert page.stops == ["#000000", "#ff0000", "#0000ff", "#008000"]
    assert page.colormap is None  # no name: the page's colormap menu shows none


# ------------------------------------------------------------------------- highlighted


def test_highlighted_dims_the_others_and_marks_the_chosen(grid, recorder):
    # The page's controller dims the other panels' marks to geometry["dimmed_opacity"] and
    # outlines the chosen panels in geometry["accent_color"] (browser tests check the
    # drawing); here: the page gets the chosen panels and the look it draws them with.
    grid.highlighted = [3, 8]
    page = shown(grid, recorder)
    assert page.highlighted == [3, 8]
    assert 0.0 < page.geometry["dimmed_opacity"] < 1.0
    assert re.fullmatch(r"#[0-9a-f]{6}", page.geometry["accent_color"])
    assert page.geometry["highlight_width"] > 0
    assert grid.figure.highlighted == (3, 8)
    grid.highlighted = np.array([0])  # any iterable of ints
    assert grid.highlighted == [0]
    assert shown(grid, recorder).highlighted == [0]
    grid.highlighted = []
    assert shown(grid, recorder).highlighted == []
    assert grid.figure.highlighted == ()


# ------------------------------------------------------------------------- labels


def test_labels_set_panel_titles(grid, recorder):
    labels = [f"<b>digit</b> {i}" for i in range(10)]
    grid.labels = labels
    assert grid.labels == labels
    controller = controller_of(grid)
    assert [f.title for f in controller.figures] == labels
    for tooltip, button, label in zip(controller.tooltips, controller.titles, labels):
        assert any(label in text for text in tooltip.labels)
        assert label in button.tooltip
    page = Page(recorder.events)
    assert page.shown(grid).labels == labels
    assert [page.state(f)["title"] for f in controller.figures] == labels
    grid.labels = tuple("abcdefghij")
    assert grid.labels == list("abcdefghij")
    assert [f.title for f in controller.figures] == list("abcdefghij")
    assert shown(grid, recorder).labels == list("abcdefghij")


# ------------------------------------------------------------------------- layout


def test_columns_set_the_grid_template(grid, recorder):
    panel_width = controller_of(grid).figures[0].layout.width
    assert panels_box(grid).layout.grid_template_columns == f"repeat(2, {panel_width})"
    grid.columns = 5
    assert grid.columns == 5
    assert panels_box(grid).layout.grid_template_columns == f"repeat(5, {panel_width})"
    assert shown(grid, recorder).geometry["columns"] == 5
    grid.columns = np.int64(1)
    assert panels_box(grid).layout.grid_template_columns == f"repeat(1, {panel_width})"
    assert shown(grid, recorder).geometry["columns"] == 1


def test_cell_size_scales_the_panels(grid, recorder):
    width_cols = grid.data.shape[2]
    height_rows = grid.data.shape[1]
    grid.cell_size = 10
    layout = controller_of(grid).figures[0].layout
    w10, h10 = px(layout.width), px(layout.height)
    grid.cell_size = 20
    layout = controller_of(grid).figures[0].layout
    assert px(layout.width) - w10 == 10 * width_cols
    assert px(layout.height) - h10 == 10 * height_rows
    assert panels_box(grid).layout.grid_template_columns == f"repeat(2, {layout.width})"
    geometry = shown(grid, recorder).geometry
    assert geometry["cell"] == 20
    assert geometry["panel_width"] == px(layout.width)
    grid.cell_size = None
    assert grid.cell_size is None


# ------------------------------------------------------------------------- nan_color


RGBA = re.compile(r"rgba\((\d+), (\d+), (\d+), ([0-9.]+)\)")


@pytest.mark.parametrize(
    ("value", "rgba"),
    [
        ("  Red  ", (255, 0, 0, 1.0)),
        ("#00ff0080", (0, 255, 0, 128 / 255)),
        ("hsl(240, 100%, 50%)", (0, 0, 255, 1.0)),
        ("rgba(10, 20, 30, 0.5)", (10, 20, 30, 0.5)),
        ("steelblue", (70, 130, 180, 1.0)),
    ],
)
def test_nan_color_reaches_the_page_normalised(grid, recorder, value, rgba):
    # The page's stylesheet (and the canvas) take the NaN colour from the controller's
    # state: only this normalised form reaches it, never the user's text.
    grid.nan_color = value
    assert grid.nan_color == value
    colour = shown(grid, recorder).nan_color
    assert value not in colour
    found = RGBA.fullmatch(colour)
    assert found, colour
    r, g, b, alpha = found.groups()
    assert (int(r), int(g), int(b)) == rgba[:3]
    assert float(alpha) == pytest.approx(rgba[3], abs=1e-3)


def test_default_nan_color_is_in_the_stylesheet(grid, recorder):
    assert grid.nan_color == "#4a90d9"
    assert re.fullmatch(r"rgba\(74, 144, 217, 1(\.0+)?\)", shown(grid, recorder).nan_color)


# ------------------------------------------------------------------------- ticks


def test_sample_tick_labels():
    grid = DigitHeatmapGrid()
    try:
        assert grid.tick_labels() == [
            "0.000", "0.002", "0.004", "0.006", "0.008", "0.010", "0.012", "0.014",
        ]
    finally:
        grid.close()


def check_ticks(labels: list[str], lo: float, hi: float) -> None:
    """Independent expectations for a colorbar's tick labels on [lo, hi]."""
    assert len(labels) == len(set(labels)), f"repeated labels {labels}"
    values = np.array([float(t.replace(",", "")) for t in labels])
    assert 5 <= len(values) <= 16, labels
    assert np.all(np.diff(values) > 0), labels
    steps = np.diff(values)
    step = float(np.median(steps))
    # Parsing the labels back costs float64 rounding at the magnitude of the values.
    rounding = 1e-13 * max(abs(lo), abs(hi))
    np.testing.assert_allclose(steps, step, rtol=1e-6, atol=rounding, err_msg=str(labels))
    # A "nice" step: 1, 2 or 5 times a power of ten.
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6, (step, labels)
    tolerance = step * 1e-6 + rounding
    assert values[0] >= lo - tolerance and values[-1] <= hi + tolerance, labels
    assert values[0] - lo < step + tolerance and hi - values[-1] < step + tolerance, labels


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0, 0.007), (0, 0.0007), (-1, 1), (0, 1e7), (1e-9, 3e-9), (0, 0.015), (1000, 1003),
     (-5e6, 5e6), (0.1, 0.1000007)],
)
def test_tick_labels_distinct_even_and_inside(grid, lo, hi):
    with grid.hold_sync():
        grid.vmin, grid.vmax = lo, hi
    check_ticks(grid.tick_labels(), lo, hi)


def test_tick_labels_for_hand_computed_ranges(grid):
    with grid.hold_sync():
        grid.vmin, grid.vmax = -1, 1
    assert grid.tick_labels() == [
        "-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0",
    ]
    with grid.hold_sync():
        grid.vmin, grid.vmax = 0, 0.007
    labels = grid.tick_labels()
    assert labels[:3] == ["0.0000", "0.0005", "0.0010"] and labels[-1] == "0.0070"


@settings(max_examples=60, deadline=None, database=None)
@given(
    lo=st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    width_exp=st.floats(-8, 9),
)
def test_tick_labels_distinct_for_any_range(lo, width_exp):
    hi = lo + 10.0 ** width_exp
    # Narrower than 7 significant digits is not a range anyone colours by.
    assume(hi > lo and (hi - lo) >= abs(lo) * 1e-6)
    grid = DigitHeatmapGrid(np.zeros((1, 2, 2)), vmin=lo, vmax=hi)
    try:
        check_ticks(grid.tick_labels(), lo, hi)
    finally:
        grid.close()
