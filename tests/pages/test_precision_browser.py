"""Every renderer shows what the data says, whatever its offset and spread (in Chromium).

A hostile pass found the canvas flat black for ``1e6 + small ramp`` (float32 on the wire
rounds a ramp of 1e-3 on 1e6 away) while the SVG renderer and the PNG showed the ramp.
The tensor now goes as float64 when float32 would change the picture; this reads the
canvas' pixels of an exported page and compares them with matplotlib's "hot" for each
cell's place in the colour range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chromium import block_network

from digitheat_widget import DigitHeatmapGrid

TOLERANCE = 6  # RGB units: the page interpolates 64 stops, matplotlib its 256-entry table

PIXELS = """([panels, cells]) => {
  const canvas = document.querySelector('.dhg-canvas canvas');
  const box = canvas.getBoundingClientRect();
  const kx = canvas.width / box.width, ky = canvas.height / box.height;
  const ctx = canvas.getContext('2d');
  return cells.map(([x, y]) => Array.from(
    ctx.getImageData(Math.floor(x * kx), Math.floor(y * ky), 1, 1).data.slice(0, 3)));
}"""


@pytest.mark.parametrize("offset, spread", [(1e6, 1e-3), (-3e8, 2.0), (0.0, 1e-9), (1e250, 1e240)])
def test_canvas_shows_a_small_ramp_on_a_large_offset(chromium_browser, tmp_path: Path,
                                                     offset: float, spread: float) -> None:
    import matplotlib

    count, rows, cols = 300, 7, 6  # 12,600 cells: the canvas renderer
    ramp = np.linspace(0.0, 1.0, count * rows * cols).reshape(count, rows, cols)
    data = offset + spread * ramp
    grid = DigitHeatmapGrid(data)
    assert grid.active_renderer == "canvas"
    path = tmp_path / "ramp.html"
    grid.save(path)
    geometry = grid.figure.geometry
    lo, hi = grid.limits
    picks = [(0, 0, 0), (0, 3, 2), (count // 2, 6, 5), (count - 1, 2, 1), (count - 1, 6, 5)]
    points = []
    for digit, row, col in picks:
        x, y = geometry.plot_origin(digit)
        points.append([x + (col + 0.5) * geometry.cell, y + (row + 0.5) * geometry.cell])
    page = chromium_browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        blocked = block_network(page)
        page.goto(path.as_uri())
        page.wait_for_function(
            "() => { const c = document.querySelector('.dhg-canvas canvas');"
            " return c && c.width > 0 && document.querySelector('.dhg-controller style'); }")
        # Drawn once the controller has put the values in: the last cell is not black.
        page.wait_for_function(
            f"(args) => ({PIXELS})(args).at(-1).some((v) => v > 0)", arg=[count, points])
        seen = np.array(page.evaluate(PIXELS, [count, points]))
        assert blocked == []
    finally:
        page.close()
    hot = matplotlib.colormaps["hot"]
    for (digit, row, col), rgb in zip(picks, seen):
        fraction = (data[digit, row, col] - lo) / (hi - lo)
        expected = np.array(hot(float(np.clip(fraction, 0, 1)))[:3]) * 255
        assert np.abs(rgb - expected).max() <= TOLERANCE, (
            f"cell {(digit, row, col)} at {fraction:.3f} of the range: page {rgb.tolist()}, "
            f"expected {expected.round().tolist()}")
    grid.close()
