"""Every trait: a valid value changes the trait and the bqplot widgets that draw it.

Expectations come from the input data, hand-computed values or matplotlib, never from the
package's own helpers (except where the issue names one, e.g. colormap_stops).
"""

from __future__ import annotations

import math
import re
from importlib import resources

import matplotlib
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure.colormaps import colormap_stops


def hex_rgb(text: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-f]{6}", text), text
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def px(text: str) -> int:
    match = re.fullmatch(r"(\d+)px", text)
    assert match, text
    return int(match.group(1))


# ------------------------------------------------------------------------- data


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


def test_data_sets_every_panels_values(grid, sample):
    new = sample[::-1] * 2.0
    grid.data = new
    np.testing.assert_array_equal(grid.data, new)
    assert len(grid._panels) == 10
    for index, panel in enumerate(grid._panels):
        np.testing.assert_array_equal(panel.mark.color, new[index].astype(np.float32))


def test_data_is_read_only(grid):
    before = grid.data.copy()
    with pytest.raises(ValueError, match="read-only"):
        grid.data[0, 0, 0] = 1.0
    np.testing.assert_array_equal(grid.data, before)


def test_widget_copies_its_input(sample):
    source = sample.copy()
    grid = DigitHeatmapGrid(source)
    try:
        assert not np.shares_memory(grid.data, source)
        source[:] = 99.0
        np.testing.assert_array_equal(grid.data, sample)
        np.testing.assert_array_equal(grid._panels[0].mark.color, sample[0].astype(np.float32))
        assert grid._color_scale.max == pytest.approx(sample.max())
        # Also for assignment after construction.
        second = sample[::-1].copy()
        grid.data = second
        second[:] = -5.0
        np.testing.assert_array_equal(grid.data, sample[::-1])
    finally:
        grid.close()


def test_ints_and_bools_become_floats(grid):
    ints = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)
    grid.data = ints
    assert grid.data.dtype == np.float64
    np.testing.assert_array_equal(grid.data, ints.astype(float))
    assert (grid._color_scale.min, grid._color_scale.max) == (0.0, 23.0)

    bools = np.zeros((2, 3, 4), dtype=bool)
    bools[1, 2, 3] = True
    grid.data = bools.tolist()  # a nested list of Python bools
    assert grid.data.dtype == np.float64
    np.testing.assert_array_equal(grid.data, bools.astype(float))
    np.testing.assert_array_equal(grid._panels[1].mark.color, bools[1].astype(np.float32))


def test_masked_array_becomes_nan(grid, sample):
    mask = np.zeros(sample.shape, dtype=bool)
    mask[2, 3, 4] = mask[7, 0, 0] = True
    grid.data = np.ma.masked_array(sample, mask=mask)
    assert np.isnan(grid.data[2, 3, 4]) and np.isnan(grid.data[7, 0, 0])
    assert np.isnan(grid.data).sum() == 2
    np.testing.assert_array_equal(grid.data[~mask], sample[~mask])
    assert np.isnan(grid._panels[2].mark.color[3, 4])


def test_nan_values_are_kept_and_limits_ignore_them(grid, sample):
    data = sample.copy()
    data[0, 0, 0] = np.nan
    grid.data = data
    assert np.isnan(grid.data[0, 0, 0])
    assert grid._color_scale.min == pytest.approx(np.nanmin(data))
    assert grid._color_scale.max == pytest.approx(np.nanmax(data))


def test_xarray_is_accepted(grid, sample):
    xr = pytest.importorskip("xarray")  # installed for this suite
    array = xr.DataArray(sample * 3, dims=("digit", "row", "col"))
    grid.data = array
    np.testing.assert_array_equal(grid.data, sample * 3)
    np.testing.assert_array_equal(grid._panels[9].mark.color, (sample[9] * 3).astype(np.float32))


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


def test_changing_n_rebuilds_panels_and_default_labels_follow(grid, sample, widgets_of):
    grid.highlighted = [2, 7]
    grid.data = sample[:4]
    assert len(grid._panels) == 4
    assert len(grid._grid_box.children) == 4
    assert grid.labels == ["0", "1", "2", "3"]
    assert [p.figure.title for p in grid._panels] == ["0", "1", "2", "3"]
    assert grid.highlighted == [2]  # index 7 no longer exists
    for index, panel in enumerate(grid._panels):
        np.testing.assert_array_equal(panel.mark.color, sample[index].astype(np.float32))

    grid.data = np.concatenate([sample, sample[:2]])
    assert len(grid._panels) == 12
    assert grid.labels == [str(i) for i in range(12)]
    assert [p.figure.title for p in grid._panels] == [str(i) for i in range(12)]
    assert len(grid._grid_box.children) == 12
    in_grid = widgets_of(grid._grid_box)
    assert all(p.figure in in_grid for p in grid._panels)
    np.testing.assert_array_equal(grid._panels[11].mark.color, sample[1].astype(np.float32))


def test_changing_h_w_rebuilds_panels(grid):
    rng = np.random.default_rng(0)
    new = rng.random((3, 5, 8))
    grid.data = new
    assert len(grid._panels) == 3
    for index, panel in enumerate(grid._panels):
        assert panel.mark.color.shape == (5, 8)
        np.testing.assert_array_equal(panel.mark.color, new[index].astype(np.float32))
        np.testing.assert_array_equal(panel.mark.row, np.arange(5))
        np.testing.assert_array_equal(panel.mark.column, np.arange(8))
        assert panel.mark.scales["color"] is grid._color_scale
    assert grid.labels == ["0", "1", "2"]
    # The x axis ticks are column indices of the new map, the y axis ticks row indices.
    figure = grid._panels[0].figure
    x_axis = next(a for a in figure.axes if a.orientation == "horizontal")
    y_axis = next(a for a in figure.axes if a.orientation == "vertical")
    assert max(x_axis.tick_values) <= 7 and 0 in list(x_axis.tick_values)
    assert max(y_axis.tick_values) <= 4 and 0 in list(y_axis.tick_values)


def test_data_with_new_n_and_labels_together_in_hold_sync(grid, sample):
    grid.labels = [f"digit {i}" for i in range(10)]
    with grid.hold_sync():
        grid.data = sample[:3]
        grid.labels = ["a", "b", "c"]
    assert len(grid._panels) == 3
    assert [p.figure.title for p in grid._panels] == ["a", "b", "c"]


# ------------------------------------------------------------------------- limits


def test_vmin_vmax_set_the_colour_scale(grid, sample):
    assert grid._color_scale.min == pytest.approx(sample.min())
    assert grid._color_scale.max == pytest.approx(sample.max())
    grid.vmax = 0.01
    assert grid.vmax == 0.01
    assert grid._color_scale.max == 0.01
    assert grid._color_scale.min == pytest.approx(sample.min())
    grid.vmin = 0.002
    assert grid._color_scale.min == 0.002
    grid.vmin = None
    grid.vmax = None
    assert grid._color_scale.min == pytest.approx(sample.min())
    assert grid._color_scale.max == pytest.approx(sample.max())


def test_int_limits_are_accepted_as_floats(grid):
    grid.data = np.arange(24).reshape(2, 3, 4)
    grid.vmax = 30
    grid.vmin = -3
    assert isinstance(grid.vmax, float) and grid.vmax == 30.0
    assert isinstance(grid.vmin, float) and grid.vmin == -3.0
    assert (grid._color_scale.min, grid._color_scale.max) == (-3.0, 30.0)


@pytest.mark.parametrize(
    "make", [np.int64, np.int32, np.float32, np.float64], ids=lambda t: t.__name__
)
def test_numpy_scalar_limits_are_accepted(grid, make):
    # The natural way to fix a limit is from the data: `grid.vmax = ints.max()` gives an
    # np.int64, `grid.vmax = float32_array.max()` an np.float32.
    ints = np.arange(24).reshape(2, 3, 4)
    grid.data = ints
    grid.vmax = make(ints.max() + 2)
    grid.vmin = make(-3)
    assert isinstance(grid.vmax, float) and grid.vmax == 25.0
    assert isinstance(grid.vmin, float) and grid.vmin == -3.0
    assert (grid._color_scale.min, grid._color_scale.max) == (-3.0, 25.0)


def test_constant_and_all_nan_data_still_give_a_usable_range(grid):
    grid.data = np.full((2, 3, 3), 5.0)
    lo, hi = grid._color_scale.min, grid._color_scale.max
    assert lo < 5.0 < hi
    grid.data = np.full((2, 3, 3), np.nan)
    lo, hi = grid._color_scale.min, grid._color_scale.max
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi


def test_hold_sync_moves_both_limits_where_one_by_one_is_refused(grid):
    from traitlets import TraitError

    grid.vmin, grid.vmax = 0.0, 0.01
    # Up: setting vmin first would cross vmax.
    with pytest.raises(TraitError, match=r"vmin < vmax"):
        grid.vmin = 0.02
    with grid.hold_sync():
        grid.vmin, grid.vmax = 0.02, 0.03
    assert (grid.vmin, grid.vmax) == (0.02, 0.03)
    assert (grid._color_scale.min, grid._color_scale.max) == (0.02, 0.03)
    # Down: setting vmax first would cross vmin.
    with pytest.raises(TraitError, match=r"vmin < vmax"):
        grid.vmax = 0.005
    with grid.hold_sync():
        grid.vmax, grid.vmin = 0.005, 0.001
    assert (grid._color_scale.min, grid._color_scale.max) == (0.001, 0.005)


# ------------------------------------------------------------------------- colormap


@pytest.mark.parametrize("name", ["viridis", "magma", "gray", "RdBu_r", "hot_r"])
def test_colormap_name_sets_the_colour_scale(grid, name):
    grid.colormap = name
    assert grid.colormap == name
    colors = list(grid._color_scale.colors)
    assert colors == colormap_stops(name)
    assert len(colors) >= 16
    # Both ends agree with matplotlib (independent of the package's tables).
    for position, colour in ((0.0, colors[0]), (1.0, colors[-1])):
        expected = np.asarray(matplotlib.colormaps[name](position)[:3]) * 255
        assert np.abs(np.array(hex_rgb(colour)) - expected).max() <= 1.0


def test_colormap_name_is_case_insensitive(grid):
    grid.colormap = "VIRIDIS"
    assert grid.colormap == "viridis"
    assert list(grid._color_scale.colors) == colormap_stops("viridis")


def test_colormap_list_of_colours(grid):
    grid.colormap = ["black", "#F00", "rgb(0, 0, 255)", "hsl(120, 100%, 25%)"]
    assert list(grid._color_scale.colors) == ["#000000", "#ff0000", "#0000ff", "#008000"]


# ------------------------------------------------------------------------- highlighted


def test_highlighted_dims_the_others_and_marks_the_chosen(grid):
    grid.highlighted = [3, 8]
    for index, panel in enumerate(grid._panels):
        classes = panel.figure._dom_classes
        if index in (3, 8):
            assert "dhg-highlighted" in classes
            assert panel.mark.opacity == 1.0
        else:
            assert "dhg-highlighted" not in classes
            assert 0.0 < panel.mark.opacity < 1.0
    grid.highlighted = np.array([0])  # any iterable of ints
    assert grid.highlighted == [0]
    assert "dhg-highlighted" not in grid._panels[3].figure._dom_classes
    assert "dhg-highlighted" in grid._panels[0].figure._dom_classes
    grid.highlighted = []
    for panel in grid._panels:
        assert "dhg-highlighted" not in panel.figure._dom_classes
        assert panel.mark.opacity == 1.0


# ------------------------------------------------------------------------- labels


def test_labels_set_panel_titles(grid):
    labels = [f"<b>digit</b> {i}" for i in range(10)]
    grid.labels = labels
    assert grid.labels == labels
    assert [p.figure.title for p in grid._panels] == labels
    for panel, label in zip(grid._panels, labels):
        assert any(label in text for text in panel.tooltip.labels)
    grid.labels = tuple("abcdefghij")
    assert grid.labels == list("abcdefghij")
    assert [p.figure.title for p in grid._panels] == list("abcdefghij")


# ------------------------------------------------------------------------- layout


def test_columns_set_the_grid_template(grid):
    panel_width = grid._panels[0].figure.layout.width
    assert grid._grid_box.layout.grid_template_columns == f"repeat(2, {panel_width})"
    grid.columns = 5
    assert grid.columns == 5
    assert grid._grid_box.layout.grid_template_columns == f"repeat(5, {panel_width})"
    grid.columns = np.int64(1)
    assert grid._grid_box.layout.grid_template_columns == f"repeat(1, {panel_width})"


def test_cell_size_scales_the_panels(grid):
    width_cols = grid.data.shape[2]
    height_rows = grid.data.shape[1]
    grid.cell_size = 10
    w10, h10 = (px(grid._panels[0].figure.layout.width), px(grid._panels[0].figure.layout.height))
    grid.cell_size = 20
    layout = grid._panels[0].figure.layout
    assert px(layout.width) - w10 == 10 * width_cols
    assert px(layout.height) - h10 == 10 * height_rows
    assert grid._grid_box.layout.grid_template_columns == f"repeat(2, {layout.width})"
    grid.cell_size = None
    assert grid.cell_size is None


# ------------------------------------------------------------------------- nan_color


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
def test_nan_color_reaches_the_page_normalised(grid, value, rgba):
    grid.nan_color = value
    assert grid.nan_color == value
    style = grid._style.value
    assert value not in style  # the user's text never reaches the stylesheet
    found = re.findall(
        r"rgba\(\s*(\d+),\s*(\d+),\s*(\d+),\s*([0-9.]+)\s*\)", style
    )
    assert found, style
    colours = {(int(r), int(g), int(b)) for r, g, b, _ in found}
    assert rgba[:3] in colours
    alpha = next(float(a) for r, g, b, a in found if (int(r), int(g), int(b)) == rgba[:3])
    assert alpha == pytest.approx(rgba[3], abs=1e-3)


def test_default_nan_color_is_in_the_stylesheet(grid):
    assert grid.nan_color == "#4a90d9"
    assert re.search(r"rgba\(74, 144, 217, 1(\.0+)?\)", grid._style.value)


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
    span = hi - lo
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
