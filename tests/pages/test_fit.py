"""The grid fits the width it has (issue 28): exported pages, offline, in Chromium.

One page per grid (the default grid, the grid with its control panel, a 100x28x28 canvas
grid), opened at 1280 px and resized live (``set_viewport_size``) to 768, 390 and 320 px
and back. At every width: the page cannot scroll sideways, the colorbar and its labels are
inside the viewport, a cell tapped (hovered with the mouse, wide again) shows its value,
read here from the data, and the tap selects the cell drawn under the finger; no model
sends a message for a resize. Where the cells are is worked out here from what the page draws
(the SVG panels' plot areas, or the canvas' size with Python's GridGeometry), not from the
page's fitting code. At the narrowest width the keyboard moves over the cells as before,
its focus ring on the cell drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chromium import SavedPage, block_network

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure.layout import PANEL_MARGIN, SELECTED_COLOR, GridGeometry

OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
WIDTHS = (768, 390, 320, 1280)
HEIGHT = 900
#: The cell looked at, per width: another each time, so a stale layout cannot pass.
CELLS = {768: (7, 3, 3), 390: (2, 0, 2), 320: (8, 3, 2), 1280: (4, 4, 3)}
#: The keys pressed at the narrowest width: to panel 6's last cell, then two to the left.
KEYS = ("Control+Home", *["PageDown"] * 6, "End", "ArrowLeft", "ArrowLeft")


def keyed(grid: DigitHeatmapGrid) -> tuple[int, int, int]:
    """The cell KEYS reach."""
    _, rows, cols = grid.data.shape
    return 6, rows - 1, cols - 3
CANVAS_CELLS = {1280: (3, 27, 1), 768: (6, 12, 20), 390: (5, 0, 27), 320: (2, 14, 9)}

LIVE = ("() => document.querySelector('.dhg-body[aria-label]')"
        " && !document.querySelector('.digitheat-pending')"
        " && (!document.querySelector('.dhg-canvas') || document.querySelector('.dhg-canvas canvas').width > 0)")

#: Every message a model of the page sends (to a kernel, had it one), recorded.
RECORD_SENDS = """async () => {
  const [manager] = await window.digitheatEmbed.ready;
  const models = await Promise.all(Object.values(manager._models));
  window.__dhgSent = [];
  for (const m of models) {
    for (const name of ['send', 'sync']) {
      const original = m[name].bind(m);
      m[name] = (...args) => { window.__dhgSent.push(`${name} ${m.get('_model_name')}`); return original(...args); };
    }
  }
  return models.length;
}"""

#: The page's geometry as drawn: scroll width, the colorbar's box and its labels' boxes.
READ = """() => {
  const bar = document.querySelector('.dhg-colorbar').getBoundingClientRect();
  const labels = [...document.querySelectorAll('.dhg-colorbar .tick text')].map((t) => t.getBoundingClientRect());
  // ipywidgets' boxes scroll their own overflow: none may scroll sideways either.
  const boxes = [...document.querySelectorAll('.digitheat-grid, .digitheat-grid .widget-box')];
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth,
          boxScroll: Math.max(...boxes.map((b) => b.scrollWidth - b.clientWidth)),
          bar: [bar.left, bar.right, bar.width, bar.height],
          labels: labels.map((r) => [r.left, r.right]),
          sent: window.__dhgSent.length};
}"""

#: bqplot has relaid panel p out at its CSS size (it waits 300 ms after a resize): its plot
#: area is the figure's width less its margins.
SVG_SETTLED = """([p, sides]) => {
  const figure = document.querySelector(`.dhg-p${p}`);
  const plot = figure && figure.querySelector('.plotarea_background');
  if (!plot) return false;
  const f = figure.getBoundingClientRect(), a = plot.getBoundingClientRect();
  return Math.abs(a.width - (f.width - sides)) < 0.5;
}"""


class FitPage(SavedPage):
    """An exported grid in a touch-capable Chromium page, its sends recorded."""

    def __init__(self, browser: Any, grid: DigitHeatmapGrid, path: Path) -> None:
        super().__init__(browser, grid, path, ready=LIVE,
                         viewport={"width": 1280, "height": HEIGHT},
                         has_touch=True, device_scale_factor=1)
        assert self.page.evaluate(RECORD_SENDS) > 0

    def resize(self, width: int) -> dict[str, Any]:
        """Resize live; what the page reads once the grid has settled at that width."""
        before = self.page.evaluate("window.__dhgSent.length")
        self.page.set_viewport_size({"width": width, "height": HEIGHT})
        self.page.wait_for_function("(w) => innerWidth === w", arg=width)
        # Settled: the body and colorbar keep their boxes over two frames.
        self.page.wait_for_function("""() => new Promise((done) => {
            const box = () => JSON.stringify([document.querySelector('.dhg-body').getBoundingClientRect(),
                                              document.querySelector('.dhg-colorbar').getBoundingClientRect()]);
            const first = box();
            requestAnimationFrame(() => requestAnimationFrame(() => done(box() === first)));
        })""", polling=100)
        read = self.page.evaluate(READ)
        read["sent_by_resize"] = read["sent"] - before
        return read

    def scroll_to(self, y: float) -> None:
        """Scroll so that page point y (document px) is in the middle of the viewport."""
        self.page.evaluate("(y) => window.scrollTo(0, Math.max(0, y - innerHeight / 2))", y)

    def close(self) -> None:
        super().close()
        self.grid.close()


def check_fits(read: dict[str, Any], width: int) -> None:
    assert read["innerWidth"] == width
    assert read["scrollWidth"] <= width, f"the page scrolls sideways at {width} px: {read}"
    assert read["boxScroll"] <= 0, f"the grid scrolls sideways at {width} px: {read}"
    left, right, bar_width, bar_height = read["bar"]
    assert left >= 0 and right <= width and bar_width > 0 and bar_height > 100, read
    assert read["labels"] and all(a >= 0 and b <= width for a, b in read["labels"]), read
    assert read["sent_by_resize"] == 0, "a resize sent a message"


def tooltip_text(page: Any, start: str) -> str:
    """The bqplot tooltip shown that starts with ``start`` (a panel's title), one line."""
    text = page.wait_for_function(
        """(start) => [...document.querySelectorAll('.bqplot_mark_tooltip')]
             .filter((t) => getComputedStyle(t).display !== 'none')
             .map((t) => t.innerText.replace(/\\s+/g, ' ').trim())
             .find((t) => t.startsWith(start))""", arg=start).json_value()
    return text


# ---------------------------------------------------------------------- SVG panels
# (Touch first, the mouse last: in Chromium's emulation a tap after the mouse has moved
# shows no bqplot tooltip, which a phone never sees.)


def svg_cell_center(fp: FitPage, cell: tuple[int, int, int]) -> tuple[float, float, float]:
    """Viewport point at the centre of a cell as drawn, and the cell's side in px: panel
    p's plot area divided in rows and columns."""
    p, r, c = cell
    _, rows, cols = fp.grid.data.shape
    figure = fp.page.locator(f".dhg-p{p}")
    figure.scroll_into_view_if_needed()
    sides = PANEL_MARGIN["left"] + PANEL_MARGIN["right"]
    fp.page.wait_for_function(SVG_SETTLED, arg=[p, sides])
    box = fp.page.locator(f".dhg-p{p} .plotarea_background").bounding_box()
    side = box["width"] / cols
    assert abs(box["height"] / rows - side) < 0.5, "cells are not square"
    return box["x"] + (c + 0.5) * side, box["y"] + (r + 0.5) * side, side


def point_at(page: Any, x: float, y: float, touch: bool) -> None:
    """A finger's tap at (x, y), or the mouse moved there."""
    if touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.move(x, y)


def check_svg_cell(fp: FitPage, width: int, touch: bool) -> None:
    grid, page = fp.grid, fp.page
    p, r, c = CELLS[width]
    x, y, side = svg_cell_center(fp, (p, r, c))
    point_at(page, x, y, touch)
    text = tooltip_text(page, f"{grid.labels[p]} · row")
    assert text == f"{grid.labels[p]} · row {r} column {c} value {grid.data[p, r, c]:.4f}", width
    # The axes label the rows and columns Python's rule picks for cells of that size.
    count, rows, cols = grid.data.shape
    drawn = GridGeometry(rows=rows, cols=cols, panels=count, columns=1, cell=round(side))
    axes = page.evaluate("""(p) => [...document.querySelectorAll(`.dhg-p${p} .axis`)]
        .map((a) => [...a.querySelectorAll('.tick text')].map((t) => +t.textContent).sort((x, y) => x - y))""", p)
    assert sorted(axes) == sorted([drawn.x_ticks, drawn.y_ticks]), (width, axes)
    if touch:  # selected as a click does: the outline is on the cell under the finger
        outlined = page.wait_for_function(
            """() => [...document.querySelectorAll('rect.heatmapcell')]
                 .filter((r) => getComputedStyle(r).strokeWidth === '3px')
                 .map((r) => { const b = r.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })
                 .find(Boolean)""").json_value()
        assert abs(outlined[0] - x) < side / 2 and abs(outlined[1] - y) < side / 2


def check_svg_keyboard(fp: FitPage) -> None:
    """The keyboard as before, its focus ring on the cell drawn."""
    grid, page = fp.grid, fp.page
    page.locator(".dhg-body").focus()
    for key in KEYS:
        page.keyboard.press(key)
    p, r, c = keyed(grid)
    announced = page.evaluate("document.querySelector('.dhg-announce').textContent")
    assert announced.startswith(f"{grid.labels[p]}, row {r}, column {c}, value {grid.data[p, r, c]:.4f}")
    x, y, side = svg_cell_center(fp, (p, r, c))
    ring = page.locator(".dhg-focus").bounding_box()
    assert abs(ring["x"] + ring["width"] / 2 - x) < 1 and abs(ring["y"] + ring["height"] / 2 - y) < 1
    assert abs(ring["width"] - side) < 1


def run_svg(fp: FitPage, name: str) -> None:
    for width in WIDTHS:
        check_fits(fp.resize(width), width)
        check_svg_cell(fp, width, touch=width != WIDTHS[-1])
        if width == 390:
            fp.page.evaluate("window.scrollTo(0, 0)")
            screenshot(fp, f"fit-390-{name}.png")
        if width == 320:
            check_svg_keyboard(fp)
    assert fp.blocked == [] and fp.errors == []


def screenshot(fp: FitPage, name: str) -> None:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    fp.page.screenshot(path=OUTPUT_DIR / name)


@pytest.fixture
def fit_page(chromium_browser: Any, tmp_path: Path, request: Any) -> Iterator[FitPage]:
    page = FitPage(chromium_browser, request.param(), tmp_path / "fit.html")
    yield page
    page.close()


@pytest.mark.parametrize("fit_page", [DigitHeatmapGrid], indirect=True, ids=["default"])
def test_default_grid_fits_every_width(fit_page: FitPage) -> None:
    run_svg(fit_page, "default")


@pytest.mark.parametrize("fit_page", [lambda: DigitHeatmapGrid(controls=True)], indirect=True,
                         ids=["controls"])
def test_grid_with_controls_fits_every_width(fit_page: FitPage) -> None:
    run_svg(fit_page, "controls")
    page = fit_page.page
    page.set_viewport_size({"width": 320, "height": HEIGHT})
    # The control panel wraps into the width, and each of its targets is at least 24 px:
    # buttons and menus by their box, the slider handles by what a point 11 px from their
    # centre hits (their box is 16 px; a wider invisible target surrounds it).
    page.wait_for_function("() => document.scrollingElement.scrollWidth <= innerWidth")
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.dhg-controls button, .dhg-controls select, .dhg-title-hit')]
        .map((b) => [b.textContent || b.className, b.getBoundingClientRect()])
        .filter(([, r]) => r.width < 24 || r.height < 24).map(([n]) => n)""")
    assert small == []
    missed = page.evaluate("""() => [...document.querySelectorAll('.dhg-controls .noUi-handle')].flatMap((h) => {
        h.scrollIntoView({block: 'center'});
        const r = h.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
        return [[11, 0], [-11, 0], [0, 11], [0, -11]].filter(([dx, dy]) => {
          const at = document.elementFromPoint(x + dx, y + dy);
          return !(at && h.contains(at));
        });
    })""")
    assert missed == []


# ---------------------------------------------------------------------- the canvas


def canvas_geometry(fp: FitPage) -> tuple[GridGeometry, dict[str, float]]:
    """The canvas' columns and cell, from its size: the one GridGeometry of this stack
    whose grid is that many px wide and tall."""
    count, rows, cols = fp.grid.data.shape
    box = fp.page.locator(".dhg-canvas canvas").bounding_box()
    found = [g for columns in range(1, 11) for cell in range(1, 25)
             if (g := GridGeometry(rows=rows, cols=cols, panels=count, columns=columns, cell=cell))
             and g.grid_width == round(box["width"]) and g.grid_height == round(box["height"])]
    assert len(found) == 1, (box, found)
    return found[0], box


def canvas_cell_center(fp: FitPage, cell: tuple[int, int, int]) -> tuple[float, float, int]:
    g, _ = canvas_geometry(fp)
    p, r, c = cell
    ox, oy = g.plot_origin(p)
    top = fp.page.locator(".dhg-canvas canvas").evaluate("(c) => c.getBoundingClientRect().top + scrollY")
    fp.scroll_to(top + oy + r * g.cell)
    box = fp.page.locator(".dhg-canvas canvas").bounding_box()
    return box["x"] + ox + (c + 0.5) * g.cell, box["y"] + oy + (r + 0.5) * g.cell, g.cell


def check_canvas_cell(fp: FitPage, width: int, touch: bool) -> None:
    grid, page = fp.grid, fp.page
    p, r, c = CANVAS_CELLS[width]
    x, y, side = canvas_cell_center(fp, (p, r, c))
    point_at(page, x, y, touch)
    text = page.wait_for_function(
        "() => { const t = document.querySelector('.dhg-canvas-tooltip');"
        " return t && t.style.display !== 'none' && t.textContent; }").json_value()
    value = format(grid.data[p, r, c], grid.figure.value_format)
    assert text == f"{grid.labels[p]} · row {r}, column {c}, value {value}", width
    if touch:  # selected: the outline's colour where the cell's left edge is drawn
        rgb = page.wait_for_function(
            """([x, y, want]) => { const canvas = document.querySelector('.dhg-canvas canvas');
                 const b = canvas.getBoundingClientRect();
                 const px = canvas.getContext('2d').getImageData(Math.round(x - b.x), Math.round(y - b.y), 1, 1).data;
                 return px[0] === want[0] && px[1] === want[1] && px[2] === want[2] && [...px]; }""",
            arg=[x - side / 2, y, [int(SELECTED_COLOR[i:i + 2], 16) for i in (1, 3, 5)]]).json_value()
        assert rgb[:3] == [int(SELECTED_COLOR[i:i + 2], 16) for i in (1, 3, 5)]


def test_canvas_grid_fits_every_width(chromium_browser: Any, tmp_path: Path) -> None:
    data = np.random.default_rng(28).random((100, 28, 28))
    fp = FitPage(chromium_browser, DigitHeatmapGrid(data), tmp_path / "canvas.html")
    try:
        assert fp.grid.active_renderer == "canvas"
        for width in WIDTHS:
            check_fits(fp.resize(width), width)
            g, box = canvas_geometry(fp)
            assert box["x"] + box["width"] <= width
            check_canvas_cell(fp, width, touch=width != WIDTHS[-1])
            if width == 390:
                fp.page.evaluate("window.scrollTo(0, 0)")
                screenshot(fp, "fit-390-canvas.png")
            if width == 320:  # the keyboard, its ring on the cell drawn
                fp.page.locator(".dhg-body").focus()
                for key in KEYS:
                    fp.page.keyboard.press(key)
                p, r, c = keyed(fp.grid)
                announced = fp.page.evaluate("document.querySelector('.dhg-announce').textContent")
                value = format(data[p, r, c], fp.grid.figure.value_format)
                assert announced.startswith(f"{p}, row {r}, column {c}, value {value}")
                x, y, side = canvas_cell_center(fp, (p, r, c))
                ring = fp.page.locator(".dhg-focus").bounding_box()
                assert abs(ring["x"] + ring["width"] / 2 - x) < 1 and abs(ring["y"] + ring["height"] / 2 - y) < 1
        # Wide again: Python's own layout, as it was first drawn.
        assert canvas_geometry(fp)[0] == fp.grid.figure.geometry
        assert fp.blocked == [] and fp.errors == []
    finally:
        fp.close()


def test_picture_alone_scales_to_a_phone(chromium_browser: Any, tmp_path: Path) -> None:
    """Where scripts do not run (an LMS that strips them), the static picture is scaled
    down to the page's width; the picture itself keeps its size."""
    grid = DigitHeatmapGrid()
    try:
        path = tmp_path / "picture.html"
        grid.save(path)
        svg = grid.to_svg()
        width = int(re.search(r'width="(\d+)"', svg).group(1))
        assert width > 320 - 32
        context = chromium_browser.new_context(viewport={"width": 320, "height": 700},
                                               java_script_enabled=False)
        try:
            page = context.new_page()
            blocked = block_network(page)
            page.goto(path.as_uri())
            shown = page.evaluate("""() => { const s = document.querySelector('.digitheat-static svg').getBoundingClientRect();
                return [document.scrollingElement.scrollWidth, innerWidth, s.right, s.width / s.height]; }""")
            assert shown[0] <= shown[1] and shown[2] <= shown[1], shown
            height = int(re.search(r'height="(\d+)"', svg).group(1))
            assert abs(shown[3] - width / height) < 0.01  # scaled, not squeezed
            assert blocked == []
        finally:
            context.close()
    finally:
        grid.close()
