"""Compare mode (issue "Watch it learn, hand it out", item 4): ``grid.compare(reference)``
shows data - reference on a diverging colormap centred on 0, ``showing`` flips between
data, reference and difference (in Python, the control panel's menu, or V on the grid),
and an exported page flips with no kernel, reading out both values."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from page_model import controller_of, page_sends
from traitlets import TraitError

from offline_browser import open_saved

from digitheat_widget import DigitHeatmapGrid, sample_data

RGB_TOLERANCE = 6


def class_mean_reference() -> np.ndarray:
    data = sample_data()
    return np.repeat(data.mean(axis=0, keepdims=True), len(data), axis=0)


def test_compare_shows_the_difference_centred_on_zero():
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    assert grid.showing == "difference"
    top = np.abs(data - reference).max()
    assert grid.limits == pytest.approx((-top, top))
    figure = grid.figure
    np.testing.assert_allclose(figure.data, data - reference)
    assert figure.colormap == "RdBu_r"
    np.testing.assert_array_equal(grid.data, data)  # data itself is untouched
    grid.close()


def test_showing_flips_views_with_shared_limits():
    data, reference = sample_data(), class_mean_reference() * 1.5
    grid = DigitHeatmapGrid(data, colormap="magma")
    grid.compare(reference)
    grid.vmin, grid.vmax = -0.001, 0.001
    grid.showing = "reference"
    assert (grid.vmin, grid.vmax) == (None, None)  # the limits follow what is shown
    both = (min(data.min(), reference.min()), max(data.max(), reference.max()))
    assert grid.limits == pytest.approx(both)  # the same colour, the same value
    np.testing.assert_array_equal(grid.figure.data, grid.reference)
    assert grid.figure.colormap == "magma"
    grid.showing = "data"
    assert grid.limits == pytest.approx(both)
    np.testing.assert_array_equal(grid.figure.data, data)
    grid.compare(None)
    assert grid.showing == "data" and grid.reference is None
    assert grid.limits == pytest.approx((data.min(), data.max()))
    grid.close()


def test_another_grid_as_reference():
    before = DigitHeatmapGrid(sample_data() * 0.5)
    after = DigitHeatmapGrid(sample_data())
    after.compare(before)
    np.testing.assert_allclose(after.figure.data, sample_data() * 0.5)
    before.close()
    after.close()


def test_bad_comparisons_are_refused_and_nothing_changes():
    grid = DigitHeatmapGrid()
    with pytest.raises(TraitError, match=r"showing 'difference' needs a reference: call compare\(reference\) first"):
        grid.showing = "difference"
    with pytest.raises(TraitError, match=r"reference expected maps shaped like data \(10, 7, 6\), got shape \(3, 3, 3\)"):
        grid.compare(np.zeros((3, 3, 3)))
    assert grid.reference is None and grid.showing == "data"
    grid.compare(class_mean_reference())
    grid.data = np.zeros((4, 5, 5))  # another shape: nothing left to compare with
    assert grid.reference is None and grid.showing == "data"
    grid.close()


def test_flipping_sends_no_maps_and_the_page_can_flip(recorder):
    grid = DigitHeatmapGrid()
    grid.compare(class_mean_reference())
    controller = controller_of(grid)
    with recorder.capture() as cap:
        grid.showing = "reference"
    (event,) = [e for e in cap.sends if e.comm is controller.comm]
    state = event.data["state"]
    assert state["compare"]["showing"] == "reference"
    assert not {"patch", "data", "reference"} & set(state) and event.buffer_bytes == 0
    page_sends(grid, {"event": "showing", "value": [2]})  # a person picks the difference
    assert grid.showing == "difference"
    page_sends(grid, {"event": "showing", "value": [7]})  # refused: nothing changes
    assert grid.showing == "difference"
    grid.close()


# ---------------------------------------------------------------------- the exported page


def fills(page, panel: int) -> np.ndarray:
    found = page.evaluate(
        """(p) => [...document.querySelectorAll(`.dhg-p${p} rect.heatmapcell`)]
             .map((e) => getComputedStyle(e).fill)""", panel)
    return np.array([[int(v) for v in re.findall(r"\d+", f)[:3]] for f in found])


def expected(values: np.ndarray, colormap: str, low: float, high: float) -> np.ndarray:
    return np.asarray(matplotlib.colormaps[colormap]((values.reshape(-1) - low) / (high - low)))[:, :3] * 255


def test_exported_page_flips_views_offline(offline_browser, tmp_path: Path):
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data, controls=True)
    grid.compare(reference)
    page, blocked = open_saved(offline_browser, grid, tmp_path / "compare.html")
    try:
        top = np.abs(data - reference).max()
        assert np.abs(fills(page, 3) - expected((data - reference)[3], "RdBu_r", -top, top)).max() <= RGB_TOLERANCE
        # Keyboard alone: read a cell (the difference and both values), then V flips.
        page.locator(".dhg-body").focus()
        for key in ("PageDown", "PageDown", "PageDown", "ArrowDown"):
            page.keyboard.press(key)
        d, r = data[3, 1, 0], reference[3, 1, 0]
        announce = "() => document.querySelector('.dhg-announce').textContent"
        assert page.evaluate(announce) == (f"3, row 1, column 0, difference {d - r:.4f} "
                                           f"(data {d:.4f}, reference {r:.4f})")
        page.keyboard.press("v")  # difference -> data
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('showing the data')")
        low, high = min(data.min(), reference.min()), max(data.max(), reference.max())
        page.wait_for_function(
            "(want) => getComputedStyle(document.querySelector('.dhg-p3 rect.heatmapcell')).fill === want",
            arg="rgb({}, {}, {})".format(*np.round(expected(data[3, :1, :1], "hot", low, high)[0]).astype(int)))
        assert np.abs(fills(page, 3) - expected(data[3], "hot", low, high)).max() <= RGB_TOLERANCE
        assert page.evaluate(announce).startswith(f"3, row 1, column 0, data {d:.4f}")
        # The control panel's menu: the reference.
        page.get_by_label("show", exact=True).select_option("reference")
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('showing the reference')")
        assert np.abs(fills(page, 3) - expected(reference[3], "hot", low, high)).max() <= RGB_TOLERANCE
        assert blocked == []
    finally:
        page.close()
        grid.close()


def test_hover_shows_both_values_when_comparing(offline_browser, tmp_path: Path):
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    page, _ = open_saved(offline_browser, grid, tmp_path / "hover.html")
    try:
        page.locator(".dhg-p5 g.heatmaprow:nth-of-type(3) rect.heatmapcell:nth-of-type(2)").hover()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.bqplot_mark_tooltip')].some("
            "(t) => getComputedStyle(t).display !== 'none' && t.textContent.includes('reference'))")
        text = page.evaluate(
            "() => [...document.querySelectorAll('.bqplot_mark_tooltip')]"
            ".filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.innerText).join(' ')")
        text = re.sub(r"\s+", " ", text)
        d, r = data[5, 2, 1], reference[5, 2, 1]
        assert f"difference {d - r:.4f}" in text and f"data {d:.4f}" in text and f"reference {r:.4f}" in text, text
    finally:
        page.close()
        grid.close()


def test_canvas_hover_shows_both_values(offline_browser, tmp_path: Path):
    rng = np.random.default_rng(4)
    data, reference = rng.random((100, 28, 28)), rng.random((100, 28, 28))
    grid = DigitHeatmapGrid(data)
    assert grid.active_renderer == "canvas"
    grid.compare(reference)
    page, _ = open_saved(offline_browser, grid, tmp_path / "canvas.html", viewport=(1400, 1400),
                         ready="() => { const c = document.querySelector('.dhg-canvas canvas');"
                               " return c && c.width > 0 && document.querySelector('.dhg-body[aria-label]'); }")
    try:
        g = grid.figure.geometry
        x, y = g.plot_origin(0)
        box = page.locator(".dhg-canvas canvas").bounding_box()
        page.mouse.move(box["x"] + x + 2.5 * g.cell, box["y"] + y + 1.5 * g.cell)  # row 1, column 2
        text = page.wait_for_function(
            "() => { const t = document.querySelector('.dhg-canvas-tooltip, .dhg-canvas [class*=tooltip]');"
            " return t && t.style.display !== 'none' && t.textContent; }").json_value()
        d, r = data[0, 1, 2], reference[0, 1, 2]
        fmt = grid.figure.value_format
        assert text == (f"0 · row 1, column 2, difference {format(d - r, fmt)}; "
                        f"data {format(d, fmt)}, reference {format(r, fmt)}")
    finally:
        page.close()
        grid.close()
