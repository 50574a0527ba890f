"""Per-panel colour limits (issue 27, item 1): ``panel_limits="per-panel"`` gives each map
its own automatic limits by the shared rule, a scale strip per panel, and keeps the
shared picture byte for byte when "shared"."""

from __future__ import annotations

import numpy as np
import pytest
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid, sample_data
from digitheat_widget.figure.scene import Gradient, Text, build_scene


def magnitudes() -> np.ndarray:
    """Map k is 10**k times the sample's map k: under one scale maps 0-5 are flat."""
    sample = sample_data()
    return np.stack([sample[k] * 10.0 ** k for k in range(10)])


def distinct_colours(figure, index: int) -> int:
    return len({tuple(c) for c in np.round(figure.cell_rgb()[index]).reshape(-1, 3).tolist()})


def test_default_is_shared_and_byte_identical():
    stack = magnitudes()
    before = DigitHeatmapGrid(stack).to_svg()
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    grid.panel_limits = "shared"
    assert grid.to_svg() == before
    assert "panels" not in grid.figure.page_limits()
    per_panel = DigitHeatmapGrid(stack, panel_limits="per-panel").figure.page_limits()
    assert "panel_auto" not in per_panel  # the same as the limits in force: not sent twice
    assert "strip" not in grid.figure.page_layout()


def test_each_panel_gets_its_own_range_by_the_shared_rule():
    stack = magnitudes()
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    for k, (low, high) in enumerate(grid.panel_ranges):
        # The rule of the shared limits applied to map k alone: its own min and max.
        assert (low, high) == (float(np.nanmin(stack[k])), float(np.nanmax(stack[k])))
    assert grid.limits == (float(stack.min()), float(stack.max()))  # still the shared pair
    shared = DigitHeatmapGrid(stack).figure
    per_panel = grid.figure
    assert [distinct_colours(shared, k) for k in range(6)] == [1] * 6
    assert all(distinct_colours(per_panel, k) >= 15 for k in range(10))


def test_constant_and_empty_panels_get_a_usable_range():
    stack = magnitudes()[:3].copy()
    stack[1] = 5.0
    stack[2] = np.nan
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    (lo1, hi1), (lo2, hi2) = grid.panel_ranges[1:]
    assert lo1 < 5.0 < hi1  # widened around the constant, as auto_limits does
    assert (lo2, hi2) == (0.0, 1.0)  # no finite value
    # A constant panel is drawn in one colour from the middle of the colormap, not an end.
    colours = grid.figure.cell_rgb()[1].reshape(-1, 3)
    assert len({tuple(c) for c in colours.tolist()}) == 1


def test_vmin_vmax_fix_every_panel():
    grid = DigitHeatmapGrid(magnitudes(), panel_limits="per-panel")
    grid.vmax = 0.5
    assert all(high == 0.5 for _, high in grid.panel_ranges)
    assert grid.panel_ranges[3][0] == float(np.nanmin(magnitudes()[3]))
    grid.vmin = 0.0
    assert set(grid.panel_ranges) == {(0.0, 0.5)}


def test_autoscale_is_per_panel_and_ends_with_vmin_vmax():
    stack = magnitudes()
    stack[4, 0, 0] = -7.0  # a signed panel
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    grid.autoscale("robust")
    assert grid.vmin is None and grid.vmax is None
    for k, (low, high) in enumerate(grid.panel_ranges):
        assert (low, high) == pytest.approx(tuple(np.percentile(stack[k], [2, 98])))
    grid.autoscale("symmetric", diverging=None)
    top = np.abs(stack[4]).max()
    assert grid.panel_ranges[4] == (-top, top)
    assert grid.panel_ranges[0] == (-stack[0].max(), stack[0].max())
    grid.vmax = 1.0  # fixed limits end what autoscale fixed
    assert grid.panel_ranges[0] == (float(stack[0].min()), 1.0)
    grid.vmax = None
    assert grid.panel_ranges[0] == (float(stack[0].min()), float(stack[0].max()))
    grid.autoscale("robust")
    grid.autoscale("minmax")
    assert grid.panel_ranges[0] == (float(stack[0].min()), float(stack[0].max()))


def test_refused_value_names_the_trait_and_keeps_state():
    grid = DigitHeatmapGrid(magnitudes(), panel_limits="per-panel")
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.panel_limits expected one of "
                                         r"'shared', 'per-panel', got 'each'"):
        grid.panel_limits = "each"
    assert grid.panel_limits == "per-panel"
    with pytest.raises(TraitError, match="panel_limits"):
        DigitHeatmapGrid(magnitudes(), panel_limits=1)


def test_picture_has_a_strip_per_panel_and_no_colorbar():
    grid = DigitHeatmapGrid(magnitudes(), panel_limits="per-panel")
    scene = build_scene(grid.figure)
    strips = [i for i in scene.items if isinstance(i, Gradient) and i.role == "strip"]
    assert len(strips) == 10 and all(s.horizontal for s in strips)
    assert not [i for i in scene.items if i.role == "colorbar"]
    labels = [i.text for i in scene.items if isinstance(i, Text) and i.role == "strip-label"]
    assert labels[:2] == ["0.0000", "0.0095"]  # map 0: 1e-10 .. 0.0095
    assert labels[-1] == "8.7e+6"
    geometry = grid.figure.geometry
    x, y = geometry.strip_origin(9)
    assert y + 6 <= geometry.panel_origin(9)[1] + geometry.panel_height  # inside its panel
    svg = grid.to_svg()
    assert "colour limits per panel" in svg and svg.count('x2="1"') >= 1
    assert grid.to_png()[:4] == b"\x89PNG"


def test_summary_says_per_panel():
    grid = DigitHeatmapGrid(magnitudes(), panel_limits="per-panel")
    assert "colour limits per panel" in grid.figure.summary()
    assert "colour limits per panel" in repr(grid)


def test_difference_is_symmetric_per_panel():
    stack = magnitudes()
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    reference = stack * 0.5
    grid.compare(reference)
    grid.showing = "difference"
    for k, (low, high) in enumerate(grid.panel_ranges):
        top = float(np.abs(stack[k] - reference[k]).max())
        assert (low, high) == (-top, top)


def test_per_frame_limits_are_per_panel_in_pictures():
    stack = magnitudes()[:4]
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    grid.frame_limits = "per-frame"
    grid.record("a")
    grid.data = stack * 3
    grid.record("b")
    figures = dict(grid.frame_figures())
    assert figures["a"].panel_limits[2] == (float(stack[2].min()), float(stack[2].max()))
    assert figures["b"].panel_limits[2] == (3 * float(stack[2].min()), 3 * float(stack[2].max()))
    grid.frame_limits = "fixed"
    figures = dict(grid.frame_figures())
    assert figures["a"].panel_limits[2] == (float(stack[2].min()), 3 * float(stack[2].max()))


def test_pages_are_page_local():
    stack = np.concatenate([magnitudes(), magnitudes()[:5]])
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel", page_size=10)
    grid.page = 1
    assert len(grid.panel_ranges) == 5
    assert grid.panel_ranges[4] == (float(stack[14].min()), float(stack[14].max()))


def test_gif_frames_are_drawn_with_per_panel_limits(tmp_path):
    from PIL import Image

    stack = magnitudes()[[0, 5]]  # 1e-10..0.0095 beside 0..1265
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    grid.frame_limits = "per-frame"  # per frame x per panel
    grid.record("a")
    grid.data = stack * 100
    grid.record("b")
    path = tmp_path / "frames.gif"
    grid.save(path)
    with Image.open(path) as image:
        assert image.n_frames == 2
        image.seek(0)
        first = np.asarray(image.convert("RGB"))
    # Map 0 (1e-10..0.0095) under its own scale in frame a spans the colormap: its
    # cells show many colours, not one flat one (the shared scale: one, measured).
    g = grid.figure.geometry
    left, top = g.plot_origin(0)
    cells = first[top + g.cell // 2: top + g.plot_height: g.cell,
                  left + g.cell // 2: left + g.plot_width: g.cell].reshape(-1, 3)
    assert len({tuple(c) for c in cells.tolist()}) >= 20


def test_update_panel_moves_only_that_panels_limits():
    stack = magnitudes()
    grid = DigitHeatmapGrid(stack, panel_limits="per-panel")
    before = grid.panel_ranges
    grid[3] = stack[3] * 2  # the shared extremes stay (map 9 holds them)
    after = grid.panel_ranges
    assert after[3] == (2 * before[3][0], 2 * before[3][1])
    assert after[:3] == before[:3] and after[4:] == before[4:]
    sent = np.frombuffer(grid.figure.page_limits()["panels"], dtype="<f8")  # flat: low, high
    assert sent[6:8].tolist() == list(after[3])
