"""Every renderer shows what the data says, whatever its offset and spread (in Chromium).

A hostile pass found the canvas flat black for ``1e6 + small ramp`` (float32 on the wire
rounds a ramp of 1e-3 on 1e6 away) while the SVG renderer and the PNG showed the ramp.
The tensor now goes as float64 when float32 would change the picture; this reads the
canvas' pixels of an exported page and compares them with matplotlib's "hot" for each
cell's place in the colour range.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from digitheat_widget import DigitHeatmapGrid

CHROMIUM = os.environ.get("DIGITHEAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
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
def test_canvas_shows_a_small_ramp_on_a_large_offset(tmp_path: Path, offset: float,
                                                     spread: float) -> None:
    if not Path(CHROMIUM).exists():
        message = f"needs Chromium at {CHROMIUM}: run `apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser is missing: {message}")
        pytest.skip(message)
    import matplotlib
    from playwright.sync_api import sync_playwright

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
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("file:", "data:", "blob:")) else r.abort())
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => { const c = document.querySelector('.dhg-canvas canvas');"
                " return c && c.width > 0 && document.querySelector('.dhg-controller style'); }")
            # Drawn once the controller has put the values in: the last cell is not black.
            page.wait_for_function(
                f"(args) => ({PIXELS})(args).at(-1).some((v) => v > 0)", arg=[count, points])
            seen = np.array(page.evaluate(PIXELS, [count, points]))
        finally:
            browser.close()
    hot = matplotlib.colormaps["hot"]
    for (digit, row, col), rgb in zip(picks, seen):
        fraction = (data[digit, row, col] - lo) / (hi - lo)
        expected = np.array(hot(float(np.clip(fraction, 0, 1)))[:3]) * 255
        assert np.abs(rgb - expected).max() <= TOLERANCE, (
            f"cell {(digit, row, col)} at {fraction:.3f} of the range: page {rgb.tolist()}, "
            f"expected {expected.round().tolist()}")
    grid.close()
