"""DigitHeatmapGrid at MNIST size (100 maps of 28x28) in JupyterLab: the canvas renderer is
chosen automatically and behaves like the SVG one (colours, NaN, colorbar alignment, limits,
hover, clicks, highlight)."""

from __future__ import annotations

import numpy as np
import pytest

from digitheat_widget.figure import layout as figure_layout

from .conftest import open_grid
from .test_canvas_browser import JS_PIXELS
from .pagestate import expected_rgb


RGB_TOLERANCE = 6
NAN_RGB = (74, 144, 217)
#: Four columns (714 px) fit the notebook in the tier's 1000 px window, so the page draws
#: Python's layout, which the checks below compute; a wider grid would be fitted to the
#: window (js/src/page/fit.js; tests/pages/test_fit.py).
COLUMNS = 4
rng = np.random.default_rng(7)
BIG = rng.random((100, 28, 28))
BIG[5, 3, 4] = np.nan

SETUP = f"""\
import numpy as np
from digitheat_widget import DigitHeatmapGrid
rng = np.random.default_rng(7)
BIG = rng.random((100, 28, 28))
BIG[5, 3, 4] = np.nan
big = DigitHeatmapGrid(BIG, columns={COLUMNS})
print(big.active_renderer)
"""


def geometry() -> figure_layout.GridGeometry:
    return figure_layout.GridGeometry(rows=28, cols=28, panels=100, columns=COLUMNS,
                                cell=figure_layout.auto_cell_size(28, 28))


def centre(digit: int, row: int, col: int) -> tuple[float, float]:
    g = geometry()
    ox = (digit % g.columns) * (g.panel_width + figure_layout.GAP_X)
    oy = (digit // g.columns) * (g.panel_height + figure_layout.GAP_Y)
    return (ox + figure_layout.PANEL_MARGIN["left"] + (col + 0.5) * g.cell,
            oy + figure_layout.PANEL_MARGIN["top"] + (row + 0.5) * g.cell)


@pytest.fixture(scope="module")
def big(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "big", ready=(
        "(sel) => { const c = document.querySelector(sel + ' .dhg-canvas canvas');"
        " return c && c.width > 0 && document.querySelectorAll(sel + ' .dhg-colorbar .tick').length > 2; }"))
    yield lab
    lab.page.close()


def pixels(lab, points) -> np.ndarray:
    return np.array(lab.page.evaluate(JS_PIXELS, [lab.selector, [list(p) for p in points]]), dtype=float)


def test_auto_renderer_is_canvas_and_colours_match(big) -> None:
    assert big.execute("print(big.active_renderer)").strip() == "canvas"
    assert big.page.locator(f"{big.selector} rect.heatmapcell").count() == 0, "no SVG cells"
    picks = [(d, r, c) for d in (0, 5, 42, 99) for r in (0, 3, 13, 27) for c in (0, 4, 27)]
    got = pixels(big, [centre(*p) for p in picks])[:, :3]
    lo, hi = np.nanmin(BIG), np.nanmax(BIG)
    for (d, r, c), rgb in zip(picks, got):
        expected = NAN_RGB if np.isnan(BIG[d, r, c]) else expected_rgb(BIG[d, r, c], lo, hi)
        assert np.abs(rgb - expected).max() <= RGB_TOLERANCE, (d, r, c)


def test_colorbar_lines_up_with_the_canvas_panels(big) -> None:
    boxes = big.page.evaluate(
        f"""() => {{ const c = document.querySelector('{big.selector} .dhg-canvas canvas').getBoundingClientRect();
                     const b = document.querySelector('{big.selector} .dhg-colorbar .g-rect rect').getBoundingClientRect();
                     return [c.top, b.top, b.bottom, c.right, b.left]; }}""")
    canvas_top, bar_top, bar_bottom, canvas_right, bar_left = boxes
    g = geometry()
    assert bar_top == pytest.approx(canvas_top + figure_layout.PANEL_MARGIN["top"], abs=2)
    # The bar runs down to the last row of plot areas, but a colorbar is at most 1,100 px
    # tall (README): this grid of 10 rows of panels is taller than that.
    assert g.grid_height > 1100
    assert bar_bottom == pytest.approx(canvas_top + 1100 - figure_layout.PANEL_MARGIN["bottom"], abs=2)
    assert 0 <= bar_left - canvas_right <= 40


def test_vmax_change_recolours_the_canvas(big) -> None:
    # A cell with value ~0.7 turns white when vmax drops to 0.5.
    d, r, c = map(int, np.argwhere(np.abs(BIG - 0.7) < 0.01)[0])
    big.execute("big.vmax = 0.5")
    x, y = centre(d, r, c)
    big.page.wait_for_function(
        f"([sel, pts]) => {{ const p = ({JS_PIXELS})([sel, pts])[0]; return p[0] > 250 && p[1] > 250 && p[2] > 250; }}",
        arg=[big.selector, [[x, y]]])
    lo = np.nanmin(BIG)
    picks = [(0, 0, 0), (1, 2, 3), (50, 20, 10)]
    got = pixels(big, [centre(*p) for p in picks])[:, :3]
    for p, rgb in zip(picks, got):
        assert np.abs(rgb - expected_rgb(BIG[p], lo, 0.5)).max() <= RGB_TOLERANCE
    big.execute("big.vmax = None")


def test_hover_and_click_reach_python(big) -> None:
    box = big.page.locator(f"{big.selector} .dhg-canvas canvas").bounding_box()
    x, y = centre(12, 5, 9)
    big.page.mouse.move(box["x"] + x, box["y"] + y)
    text = big.page.wait_for_function(
        f"() => {{ const t = document.querySelector('{big.selector} .dhg-canvas-tooltip');"
        " return t && t.style.display !== 'none' && t.textContent; }").json_value()
    assert text.startswith("12 · row 5, column 9, value ")
    # Colorbar ticks step 0.1 on [0, 1] (one decimal); hover shows one decimal more.
    assert text.rsplit(" ", 1)[1] == f"{BIG[12, 5, 9]:.2f}"
    big.page.mouse.click(box["x"] + x, box["y"] + y)
    # The click reaches Python, maybe after the next cell (harness.wait_for_kernel_value).
    big.wait_for_kernel_value("big.selected", "(12, 5, 9)")


def test_highlight_dims_other_panels(big) -> None:
    big.execute("big.highlighted = [7]")
    x, y = centre(0, 10, 10)
    lo, hi = np.nanmin(BIG), np.nanmax(BIG)
    full = expected_rgb(BIG[0, 10, 10], lo, hi)
    dimmed = full * figure_layout.DIMMED_OPACITY + 255 * (1 - figure_layout.DIMMED_OPACITY)
    big.page.wait_for_function(
        f"([sel, pts]) => {{ const p = ({JS_PIXELS})([sel, pts])[0];"
        f" return Math.abs(p[0] - {dimmed[0]:.1f}) <= 6 && Math.abs(p[1] - {dimmed[1]:.1f}) <= 6; }}",
        arg=[big.selector, [[x, y]]])
    kept = pixels(big, [centre(7, 10, 10)])[0, :3]
    assert np.abs(kept - expected_rgb(BIG[7, 10, 10], lo, hi)).max() <= RGB_TOLERANCE
    big.execute("big.highlighted = []")
