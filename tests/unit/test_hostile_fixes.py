"""The defects a hostile pass found (issue "Never wrong, never stuck, part 2"), each class
tested at its root: refused with a message that names the trait, what was expected and
what came, and nothing half applied."""

from __future__ import annotations


import numpy as np
import pytest
from traitlets import TraitError

from cli import run_cli

from digitheat_widget import DigitHeatmapGrid, sample_data


@pytest.fixture
def grid():
    grid = DigitHeatmapGrid()
    yield grid
    grid.close()


# ---------------------------------------------------------------- wrong pictures

@pytest.mark.parametrize("lo, hi", [(1.0, 1.0 + 2**-52), (1e6, 1e6 + 1e-9), (-1e200, -1e200 * (1 - 1e-15)),
                                    (0.5, 0.5 + 1e-17)])
def test_colorbar_ticks_are_all_distinct(lo, hi):
    data = np.linspace(lo, hi, 420).reshape(10, 7, 6)
    grid = DigitHeatmapGrid(data)
    labels = grid.tick_labels()
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
    low, high = grid.limits
    assert low <= data.min() and high >= data.max()
    grid.close()


def test_limits_too_narrow_for_distinct_ticks_are_refused(grid):
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.(vmin|vmax) expected vmax - vmin of at "
                                         r"least .* got vmin=1\.0 and vmax=1\.0000000000000002"):
        with grid.hold_sync():
            grid.vmin, grid.vmax = 1.0, 1.0 + 2**-52
    assert (grid.vmin, grid.vmax) == (None, None)


# ---------------------------------------------------------------- unbounded work

@pytest.mark.parametrize("columns", [10**6, 10**30, 4097])
def test_columns_are_bounded(grid, columns):
    with pytest.raises(TraitError, match=rf"DigitHeatmapGrid\.columns expected at most 4096 .*got {columns}"):
        grid.columns = columns
    assert grid.columns == 2


def test_huge_label_is_refused(grid):
    labels = [str(i) for i in range(10)]
    labels[4] = "x" * 1_000_000
    with pytest.raises(TraitError, match=r"labels expected labels of at most 10000 characters, "
                                         r"got 1,000,000 at position 4"):
        grid.labels = labels
    assert grid.labels == [str(i) for i in range(10)]


# ---------------------------------------------------------------- half-applied changes

@pytest.mark.parametrize("text", ["a\ud800b", "\udfff", "ok\udc80"])
def test_lone_surrogate_label_is_refused_before_anything_is_sent(grid, recorder, text):
    labels = [str(i) for i in range(10)]
    labels[2] = text
    before = len(recorder.events)
    with pytest.raises(TraitError, match=r"labels expected text that UTF-8 can hold, got .* at position 2"):
        grid.labels = labels
    assert grid.labels[2] == "2" and len(recorder.events) == before
    grid.to_html()  # still exports


def test_constructor_with_lone_surrogate_leaves_nothing_open(recorder):
    with pytest.raises(TraitError, match="UTF-8"):
        DigitHeatmapGrid(labels=["\ud800"] + [str(i) for i in range(1, 10)])
    opened = {id(e.comm) for e in recorder.events if e.kind == "open"}
    closed = {id(e.comm) for e in recorder.events if e.kind == "close"}
    assert opened <= closed


def test_a_refused_call_inside_hold_sync_applies_nothing(grid):
    with pytest.raises(ValueError, match="autoscale expected mode"):
        with grid.hold_sync():
            grid.colormap = "viridis"
            grid.vmax = 0.01
            grid.autoscale("sideways")
    assert grid.colormap == "hot" and grid.vmax is None


def test_any_error_inside_hold_sync_applies_nothing(grid):
    with pytest.raises(ZeroDivisionError):
        with grid.hold_sync():
            grid.highlighted = [1, 2]
            1 / 0
    assert grid.highlighted == []


def test_masked_panel_update_keeps_its_mask(grid):
    values = np.ma.masked_less(sample_data()[4], 0.005)
    grid[0] = values
    assert np.array_equal(np.isnan(grid.data[0]), values.mask)
    assert np.allclose(grid.data[0][~values.mask], values.compressed())
    # Automatic limits ignore the masked cells.
    unmasked = np.concatenate([grid.data[1:].ravel(), values.compressed()])
    assert grid.limits == (float(unmasked.min()), float(unmasked.max()))


def test_list_of_masked_maps_keeps_their_masks():
    maps = [np.ma.masked_greater(m, 0.01) for m in sample_data()]
    grid = DigitHeatmapGrid(maps)
    expected = np.stack([np.ma.getmaskarray(m) for m in maps])
    assert np.array_equal(np.isnan(grid.data), expected)
    grid.close()


@pytest.mark.parametrize("mode", ["robust", "symmetric"])
@pytest.mark.parametrize("value", [1e-310, 0.0, 5e-301])
def test_autoscale_on_tiny_or_constant_data_gives_usable_limits(mode, value):
    grid = DigitHeatmapGrid(np.full((10, 7, 6), value))
    low, high = grid.autoscale(mode)
    assert np.isfinite([low, high]).all() and low < high
    assert len(set(grid.tick_labels())) == len(grid.tick_labels()) >= 2
    grid.close()


def test_data_cannot_be_made_writeable(grid):
    with pytest.raises(ValueError):
        grid.data.flags.writeable = True
    with pytest.raises(ValueError):
        grid.data[0, 0, 0] = 1.0


# ---------------------------------------------------------------- lifecycle and files

def test_after_close_changes_open_nothing(recorder):
    grid = DigitHeatmapGrid()
    grid.close()
    before = len(recorder.events)
    grid.data = sample_data()[:4]
    grid.update_panel(0, np.zeros((7, 6)))
    grid.renderer = "canvas"
    grid.vmax = 0.5
    grid.show_controls = True
    with pytest.raises(RuntimeError, match="controls: the grid is closed"):
        grid.controls
    assert recorder.events[before:] == []


def test_save_never_truncates_a_good_file(grid, tmp_path, monkeypatch):
    target = tmp_path / "grid.svg"
    grid.save(target)
    good = target.read_bytes()
    grid.vmax = 0.005

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import digitheat_widget.export as export

    monkeypatch.setattr(export.os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        grid.save(target)
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["grid.svg"]  # no temporary left


#: A header numpy's tokenizer rejects (a bracket never closed): tokenize.TokenError (issue 24).
_UNCLOSED = b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4, 5 }"
_UNCLOSED += b" " * (53 - len(_UNCLOSED)) + b"\n"


@pytest.mark.parametrize("content", [b"\x93NUMPY\x01\x00" + len(_UNCLOSED).to_bytes(2, "little") + _UNCLOSED,
                                     b"", b"\x93NUMPY\x01\x00\x10\x00{garbage}      \n",
                                     b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': "
                                     b"False, 'shape': (99999999999, 99999999), }" + b" " * 28 + b"\n"])
def test_cli_reports_a_bad_npy_in_one_line(tmp_path, content):
    path = tmp_path / "bad.npy"
    path.write_bytes(content)
    result = run_cli(path, "-o", tmp_path / "out.png", cwd=tmp_path, quiet_warnings=True)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m digitheat_widget: error: ")
    assert str(path) in lines[0] and "Traceback" not in result.stderr


# ---------------------------------------------------------------- messages

def test_messages_name_what_came(grid):
    with pytest.raises(TraitError, match=r"update_panel expected a 2-D map of shape \(7, 6\), "
                                         r"got 1-D with shape \(42,\)"):
        grid.update_panel(0, np.zeros(42))
    with pytest.raises(TraitError, match=r"renderer expected one of 'auto', 'svg', 'canvas', "
                                         r"got 'webgl'"):
        grid.renderer = "webgl"
    with pytest.raises(TypeError, match=r"to_html expected title as a str, got NoneType None"):
        grid.to_html(title=None)
    with pytest.raises(TraitError, match=r"got 1\.0000001e\+300 at index"):
        grid.data = np.full((2, 2, 2), 1.0000001e300)


# ---------------------------------------------------------------- display cost, first-time user

def _png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image
    import io

    with Image.open(io.BytesIO(png)) as image:
        return image.size


@pytest.mark.parametrize("shape", [(1000, 28, 28), (1, 3000, 3000)])
def test_display_picture_is_bounded(shape):
    import base64

    rng = np.random.default_rng(0)
    grid = DigitHeatmapGrid(rng.random(shape, dtype=np.float32))
    png = base64.b64decode(grid._repr_mimebundle_()["image/png"])
    width, height = _png_size(png)
    assert width * height <= 4_000_000
    # The live view still has every panel.
    assert grid.figure.shape == shape
    grid.close()


def test_a_tall_picture_says_how_many_panels_it_leaves_out(tmp_path):
    from digitheat_widget.export.png import figure_png
    from digitheat_widget.figure.scene import build_scene

    grid = DigitHeatmapGrid(np.random.default_rng(1).random((400, 28, 28)))
    full = build_scene(grid.figure, raster=True)
    assert full.width * full.height > 4_000_000  # the whole grid would be too large
    width, height = _png_size(figure_png(grid.figure, scale=1, max_pixels=4_000_000))
    assert width * height <= 4_000_000 and height < full.height
    grid.close()


def test_many_maps_get_more_columns_and_a_shorter_colorbar():
    grid = DigitHeatmapGrid(np.random.default_rng(2).random((100, 28, 28)))
    geometry = grid.figure.geometry
    # 28 columns of 5 px cells + 34 px of margins = 174 px a panel: five fit 960 px.
    assert grid.columns == 5 and geometry.grid_width <= 960
    assert geometry.colorbar_height == 1100 < geometry.grid_height
    grid.close()
    reference = DigitHeatmapGrid()
    assert reference.columns == 2  # the 5 x 2 reference layout stays
    assert reference.figure.geometry.colorbar_height == reference.figure.geometry.grid_height
    reference.close()


def test_a_closed_control_panel_never_breaks_the_grid(recorder):
    grid = DigitHeatmapGrid(controls=True)
    grid.controls.close()
    assert grid.show_controls is False
    # The page carries no control panel (no sliders' part), and exporting works.
    assert 'data-amd-module="digitheat:controls-extra"' not in grid.to_html()
    grid.show_controls = True  # a new panel takes its place
    assert grid.controls.comm is not None
    page = grid.to_html()
    assert 'data-amd-module="digitheat:controls-extra"' in page
    grid.close()


def test_a_huge_broadcast_view_is_refused_naming_data():
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected at most 33,554,432 "
                                         r"values .* got 36,864,000,000 in shape \(4096, 3000, 3000\)"):
        DigitHeatmapGrid(np.broadcast_to(np.float64(1.0), (4096, 3000, 3000)))
