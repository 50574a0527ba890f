"""Compare mode in an exported page (the Python side: tests/unit/test_compare.py): the
page flips between data, reference and difference with no kernel, by keyboard and by the
control panel, and hovering reads out both values on both renderers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np

from chromium import open_saved

from digitheat_widget import DigitHeatmapGrid, sample_data

RGB_TOLERANCE = 6


def class_mean_reference() -> np.ndarray:
    data = sample_data()
    return np.repeat(data.mean(axis=0, keepdims=True), len(data), axis=0)



def fills(page, panel: int) -> np.ndarray:
    found = page.evaluate(
        """(p) => [...document.querySelectorAll(`.dhg-p${p} rect.heatmapcell`)]
             .map((e) => getComputedStyle(e).fill)""", panel)
    return np.array([[int(v) for v in re.findall(r"\d+", f)[:3]] for f in found])


def expected(values: np.ndarray, colormap: str, low: float, high: float) -> np.ndarray:
    return np.asarray(matplotlib.colormaps[colormap]((values.reshape(-1) - low) / (high - low)))[:, :3] * 255


def test_exported_page_flips_views_offline(chromium_browser, tmp_path: Path):
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data, controls=True)
    grid.compare(reference)
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "compare.html")
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


def test_hover_shows_both_values_when_comparing(chromium_browser, tmp_path: Path):
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    page, _ = open_saved(chromium_browser, grid, tmp_path / "hover.html")
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


def test_canvas_hover_shows_both_values(chromium_browser, tmp_path: Path):
    rng = np.random.default_rng(4)
    data, reference = rng.random((100, 28, 28)), rng.random((100, 28, 28))
    grid = DigitHeatmapGrid(data)
    assert grid.active_renderer == "canvas"
    grid.compare(reference)
    page, _ = open_saved(chromium_browser, grid, tmp_path / "canvas.html", viewport=(1400, 1400),
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
