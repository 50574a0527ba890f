"""The canvas renderer (DigitHeatmapGrid(..., renderer="canvas")) in JupyterLab 4 +
Chromium: colours read back from the canvas, hover, clicks that reach Python, repaints, the
look next to the SVG renderer, and timings at 100x28x28.

Colours are checked against matplotlib's colormaps, positions against the figure's
geometry (digitheat_widget.figure.layout, the contract both renderers share). Every wait is
on a condition in the page (page.wait_for_function), never a fixed sleep.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from digitheat_widget.figure import layout as figure_layout

from .conftest import open_notebook
from .harness import LabPage, page_messages_report, record_page_messages, write_notebook
from .pagestate import expected_rgb


RGB_TOLERANCE = 6
ACCENT = (47, 128, 237)  # figure_layout.ACCENT_COLOR, #2f80ed
SELECTED = (0, 229, 255)  # figure_layout.SELECTED_COLOR, #00e5ff
NAN_RGB = (74, 144, 217)  # the default nan_color, #4a90d9
LABELS = ["ramp", "<b>two</b>", "three", "four"]
COLUMNS = 3
BIG_COLUMNS = 10
TIMING_RUNS = 20
FIRST_PAINT_RUNS = 3

KNOWN = np.linspace(-0.1, 1.1, 60).reshape(4, 3, 5)  # below, inside and above [0, 1]
KNOWN[2, 1, 3] = np.nan

SETUP = f"""\
import time
import numpy as np
from digitheat_widget import DigitHeatmapGrid

KNOWN = np.linspace(-0.1, 1.1, 60).reshape(4, 3, 5)
KNOWN[2, 1, 3] = np.nan
small = DigitHeatmapGrid(KNOWN, vmin=0.0, vmax=1.0, labels={LABELS!r}, columns={COLUMNS},
                         renderer="canvas")
small.add_class("dhg-small")
cell_clicks, highlight_changes = [], []

def on_cell(digit, row, col, value):  # what the owner does with a click: record it
    cell_clicks.append((digit, row, col, value))

small.on_cell_click(on_cell)
# A title click reaches Python as a change of `highlighted` made in the page.
small.observe(lambda change: highlight_changes.append(list(change["new"])), "highlighted")

# The SVG renderer's default grid, and the same grid drawn on a canvas, as the owner
# will place them.
ref = DigitHeatmapGrid()
ref.add_class("dhg-svg-ref")
twin = DigitHeatmapGrid(renderer="canvas")
twin.add_class("dhg-canvas-ref")

rng = np.random.default_rng(0)
BIG_A = rng.random((100, 28, 28)); BIG_A[0, 0, 0] = 0.25
BIG_B = rng.random((100, 28, 28)); BIG_B[0, 0, 0] = 0.75
""" + record_page_messages("small")

_KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"

JS_PIXELS = """([selector, points]) => {
    const canvas = document.querySelector(selector + ' .dhg-canvas canvas');
    if (!canvas || !canvas.width) return null;
    const ctx = canvas.getContext('2d');
    const k = canvas.width / parseFloat(canvas.style.width);
    return points.map(([x, y]) => [...ctx.getImageData(Math.floor(x * k), Math.floor(y * k), 1, 1).data]);
}"""

# Resolves with the time (ms) from running a new notebook cell to the first animation frame
# where the canvas of `cls` shows a painted (opaque, not white) pixel at (x, y); rejects
# after WAIT_MS.
WAIT_MS = 30_000
JS_FIRST_PAINT = """async ([code, cls, x, y, waitMs]) => {
    const app = window.jupyterapp;
    const notebook = app.shell.currentWidget.content;
    notebook.activeCellIndex = notebook.widgets.length - 1;
    await app.commands.execute('notebook:insert-cell-below');
    notebook.activeCell.model.sharedModel.setSource(code);
    const t0 = performance.now();
    const painted = new Promise((resolve, reject) => {
        const deadline = t0 + waitMs;
        const check = () => {
            if (performance.now() > deadline) {
                reject(new Error(`no painted pixel at (${x}, ${y}) of .${cls} after ${waitMs} ms`));
                return;
            }
            const c = document.querySelector(`.${cls} .dhg-canvas canvas`);
            if (c && c.width > x && c.height > y) {
                const [r, g, b, a] = c.getContext('2d').getImageData(x, y, 1, 1).data;
                if (a === 255 && !(r === 255 && g === 255 && b === 255)) {
                    resolve(performance.now() - t0);
                    return;
                }
            }
            requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
    });
    app.commands.execute('notebook:run-cell');
    return await painted;
}"""

# Runs `code` (which prints time.time() just before its assignment) and resolves with the
# wall-clock times of the first animation frame where pixel (x, y) changed and of the start
# of the canvas's redraw (so transport and drawing can be told apart), and the redraw's cost;
# rejects if the pixel has not changed after WAIT_MS.
JS_REPAINT = f"""async ([code, selector, x, y, waitMs]) => {{
    const canvas = document.querySelector(selector + ' .dhg-canvas canvas');
    const ctx = canvas.getContext('2d');
    const read = () => ctx.getImageData(x, y, 1, 1).data.join(',');
    const before = read();
    const deadline = performance.now() + waitMs;
    const changed = new Promise((resolve, reject) => {{
        const check = () => {{
            if (read() !== before) resolve(Date.now());
            else if (performance.now() > deadline)
                reject(new Error(`pixel (${{x}}, ${{y}}) of ${{selector}} unchanged after ${{waitMs}} ms`));
            else requestAnimationFrame(check);
        }};
        requestAnimationFrame(check);
    }});
    const kernel = {_KERNEL};
    const sent = Date.now();
    const future = kernel.requestExecute({{code, store_history: false}});
    let out = '';
    future.onIOPub = (msg) => {{
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += 'KERNEL-ERROR ' + msg.content.evalue;
    }};
    const frame = await changed;
    await future.done;
    // canvas.js leaves one User Timing entry for its last redraw: when it began, how long.
    const draw = performance.getEntriesByName('dhg-canvas-draw').at(-1);
    return {{sent, frame, out, drawStart: performance.timeOrigin + draw.startTime,
             drawMs: draw.duration}};
}}"""


def small_geometry() -> figure_layout.GridGeometry:
    count, rows, cols = KNOWN.shape
    return figure_layout.GridGeometry(rows=rows, cols=cols, panels=count, columns=COLUMNS,
                                cell=figure_layout.auto_cell_size(rows, cols))


def panel_origin(geometry: figure_layout.GridGeometry, digit: int) -> tuple[float, float]:
    return ((digit % geometry.columns) * (geometry.panel_width + figure_layout.GAP_X),
            (digit // geometry.columns) * (geometry.panel_height + figure_layout.GAP_Y))


def cell_centre(geometry: figure_layout.GridGeometry, digit: int, row: int, col: int) -> tuple[float, float]:
    """Canvas CSS px of a cell's centre: row 0 at the top, as in the SVG renderer."""
    ox, oy = panel_origin(geometry, digit)
    return (ox + figure_layout.PANEL_MARGIN["left"] + (col + 0.5) * geometry.cell,
            oy + figure_layout.PANEL_MARGIN["top"] + (row + 0.5) * geometry.cell)


class CanvasPage:
    def __init__(self, lab: LabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.geometry = small_geometry()

    def pixels(self, points: list[tuple[float, float]], selector: str = ".dhg-small") -> np.ndarray:
        result = self.page.evaluate(JS_PIXELS, [selector, [list(p) for p in points]])
        assert result is not None, f"no canvas under {selector}"
        return np.array(result, dtype=float)

    def cell_pixels(self) -> np.ndarray:
        """RGBA at every cell centre of the small grid, shape (N, H, W, 4)."""
        points = [cell_centre(self.geometry, d, r, c) for d, r, c in np.ndindex(*KNOWN.shape)]
        return self.pixels(points).reshape(*KNOWN.shape, 4)

    def wait_pixel(self, point: tuple[float, float], rgb: tuple[float, ...], selector: str = ".dhg-small",
                   tolerance: float = RGB_TOLERANCE) -> None:
        """Wait until the canvas pixel at ``point`` is ``rgb`` (or RGBA, within tolerance)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self._wait_pixel(point, rgb, selector, tolerance)
        except PlaywrightTimeout:
            seen = self.pixels([point], selector)[0]
            raise AssertionError(f"pixel {point} of {selector} stayed {seen}, expected {rgb}; "
                                 f"page errors: {self.lab.console_errors}") from None

    def _wait_pixel(self, point, rgb, selector, tolerance) -> None:
        self.page.wait_for_function(
            f"""([sel, pts, rgb, tol]) => {{ const px = ({JS_PIXELS})([sel, pts]);
                 return !!px && rgb.every((v, i) => Math.abs(px[0][i] - v) <= tol); }}""",
            arg=[selector, [list(point)], [float(v) for v in rgb], tolerance], timeout=15_000)

    def page_point(self, point: tuple[float, float], selector: str = ".dhg-small") -> tuple[float, float]:
        box = self.page.locator(f"{selector} .dhg-canvas canvas").bounding_box()
        return box["x"] + point[0], box["y"] + point[1]


@pytest.fixture(scope="module")
def canvas_page(browser, lab_server) -> CanvasPage:
    write_notebook(lab_server.root / "canvas.ipynb", [SETUP, "small", "ref", "twin"])
    lab = open_notebook(browser, lab_server, "canvas.ipynb")
    lab.page.wait_for_function(
        "() => { const c = document.querySelector('.dhg-small .dhg-canvas canvas');"
        " const t = document.querySelector('.dhg-canvas-ref .dhg-canvas canvas');"
        " return !!c && c.width > 0 && !!t && t.width > 0"
        " && document.querySelectorAll('.dhg-svg-ref rect.heatmapcell').length === 420"
        " && document.querySelectorAll('.dhg-canvas-ref .dhg-colorbar .tick text').length >= 2"
        " && document.querySelectorAll('.dhg-svg-ref .dhg-colorbar .tick text').length >= 2; }",
        timeout=90_000)
    page = CanvasPage(lab)
    # The controller puts the values on the canvas in the page: wait until both canvases
    # have painted their first cell.
    twin_geometry = figure_layout.GridGeometry(rows=7, cols=6, panels=10, columns=2,
                                               cell=figure_layout.auto_cell_size(7, 6))
    for selector, point in [(".dhg-small", cell_centre(page.geometry, 0, 1, 1)),
                            (".dhg-canvas-ref", cell_centre(twin_geometry, 0, 3, 3))]:
        lab.page.wait_for_function(
            f"([sel, pts]) => {{ const px = ({JS_PIXELS})([sel, pts]); return !!px && px[0][3] === 255; }}",
            arg=[selector, [list(point)]], timeout=30_000)
    yield page
    lab.page.close()


# ------------------------------------------------------------------------- small, known grid


def test_canvas_has_the_svg_geometry(canvas_page: CanvasPage) -> None:
    size = canvas_page.page.evaluate(
        "() => { const r = document.querySelector('.dhg-small .dhg-canvas').getBoundingClientRect();"
        " return [r.width, r.height]; }")
    geometry = canvas_page.geometry
    assert size == [COLUMNS * geometry.panel_width + (COLUMNS - 1) * figure_layout.GAP_X,
                    geometry.grid_height]


def test_cell_colours_match_matplotlib_with_nan_and_clipping(canvas_page: CanvasPage) -> None:
    pixels = canvas_page.cell_pixels()
    assert (pixels[..., 3] == 255).all()
    expected = expected_rgb(np.nan_to_num(KNOWN), 0.0, 1.0)
    expected[np.isnan(KNOWN)] = NAN_RGB
    worst = np.abs(pixels[..., :3] - expected).max()
    assert worst <= RGB_TOLERANCE, f"cell colours off by up to {worst:.0f} RGB units"
    # Below vmin: expected_rgb(0) (black); above vmax: expected_rgb(1) (white).
    assert np.abs(pixels[0, 0, 0, :3] - expected_rgb(np.array(0.0), 0, 1)).max() <= RGB_TOLERANCE
    assert np.abs(pixels[3, 2, 4, :3] - 255).max() <= RGB_TOLERANCE
    assert tuple(pixels[2, 1, 3, :3]) == NAN_RGB


def test_hover_tooltip_follows_the_pointer(canvas_page: CanvasPage) -> None:
    page, geometry = canvas_page.page, canvas_page.geometry
    for digit, row, col in [(1, 2, 3), (2, 1, 3)]:
        x, y = canvas_page.page_point(cell_centre(geometry, digit, row, col))
        page.mouse.move(x, y)
        text = page.wait_for_function(
            """([label, row, col]) => { const t = document.querySelector('.dhg-small .dhg-canvas-tooltip');
                 return !!t && t.style.display !== 'none'
                     && t.textContent.startsWith(`${label} · row ${row}, column ${col},`) && t.textContent; }""",
            arg=[LABELS[digit], row, col]).json_value()
        # Colorbar ticks step 0.1 on [0, 1] (one decimal); hover shows one decimal more.
        value = KNOWN[digit, row, col]
        shown = "NaN" if np.isnan(value) else f"{value:.2f}"
        assert text == f"{LABELS[digit]} · row {row}, column {col}, value {shown}"
    # Labels are text, not HTML; the tooltip sits next to the pointer.
    info = page.evaluate(
        """() => { const t = document.querySelector('.dhg-small .dhg-canvas-tooltip');
                   const r = t.getBoundingClientRect(); return [t.children.length, r.left, r.right, r.top]; }""")
    assert info[0] == 0
    # Right of the pointer, or left of it near the canvas's right edge (as here).
    assert min(abs(info[1] - x), abs(info[2] - x)) < 20 and abs(info[3] - y) < 20
    page.mouse.move(1, 1)
    page.wait_for_function(
        "() => document.querySelector('.dhg-small .dhg-canvas-tooltip').style.display === 'none'")


def test_cell_click_reaches_python_and_marks_the_cell(canvas_page: CanvasPage) -> None:
    geometry = canvas_page.geometry
    digit, row, col = 3, 1, 2
    cx, cy = cell_centre(geometry, digit, row, col)
    lab = canvas_page.lab
    lab.execute("cell_clicks.clear()")
    canvas_page.page.mouse.click(*canvas_page.page_point((cx + 3, cy - 2)))
    # The click selects the cell: its outline appears on its edge.
    edge = (cx - geometry.cell / 2 + 0.5, cy)
    canvas_page.wait_pixel(edge, SELECTED)
    # The click reaches Python (after the next cell, maybe: harness.wait_for_kernel_value):
    # the callback ran once and `selected` is that cell.
    lab.wait_for_kernel_value("[c[:3] for c in cell_clicks]", f"[({digit}, {row}, {col})]",
                              report=lambda: page_messages_report(lab, "small"))
    value = lab.execute("print(cell_clicks[-1][3])")
    assert float(value) == pytest.approx(KNOWN[digit, row, col])
    assert lab.execute("print(small.selected)").strip() == f"({digit}, {row}, {col})"
    # The centre keeps its colour; no other cell is outlined.
    centre = canvas_page.pixels([(cx, cy)])[0, :3]
    assert np.abs(centre - expected_rgb(KNOWN[digit, row, col], 0, 1)).max() <= RGB_TOLERANCE
    others = canvas_page.cell_pixels()[..., :3]
    expected = expected_rgb(np.nan_to_num(KNOWN), 0.0, 1.0)
    expected[np.isnan(KNOWN)] = NAN_RGB
    assert np.abs(others - expected).max() <= RGB_TOLERANCE
    lab.execute("small.selected = None")
    canvas_page.wait_pixel(edge, tuple(expected_rgb(KNOWN[digit, row, col], 0, 1)))  # outline gone


def test_title_click_reaches_python_then_highlight_dims_the_others(canvas_page: CanvasPage) -> None:
    geometry = canvas_page.geometry
    ox, oy = panel_origin(geometry, 1)
    title = (ox + geometry.panel_width / 2, oy + figure_layout.PANEL_MARGIN["top"] / 2)
    lab = canvas_page.lab
    lab.execute("small.highlighted = []\nhighlight_changes.clear()")
    canvas_page.page.mouse.click(*canvas_page.page_point(title))
    outline = (ox + 1, oy + geometry.panel_height / 2)  # inside the 3 px accent outline
    canvas_page.wait_pixel(outline, ACCENT)
    lab.wait_for_kernel_value("highlight_changes", "[[1]]",
                              report=lambda: page_messages_report(lab, "small"))
    assert lab.execute("print(small.highlighted)").strip() == "[1]"
    pixels = canvas_page.cell_pixels()[..., :3]
    expected = expected_rgb(np.nan_to_num(KNOWN), 0.0, 1.0)
    expected[np.isnan(KNOWN)] = NAN_RGB
    dimmed = figure_layout.DIMMED_OPACITY * expected + (1 - figure_layout.DIMMED_OPACITY) * 255  # over white
    for digit in range(4):
        want = expected[digit] if digit == 1 else dimmed[digit]
        assert np.abs(pixels[digit] - want).max() <= RGB_TOLERANCE, f"panel {digit}"
    canvas_page.page.mouse.click(*canvas_page.page_point(title))  # a second click un-highlights
    canvas_page.wait_pixel(outline, (0, 0, 0, 0))  # the canvas is transparent outside plot areas
    lab.wait_for_kernel_value("highlight_changes", "[[1], []]",
                              report=lambda: page_messages_report(lab, "small"))
    assert lab.execute("print(small.highlighted)").strip() == "[]"


def test_vmax_change_repaints(canvas_page: CanvasPage) -> None:
    point = cell_centre(canvas_page.geometry, 2, 0, 0)  # value 0.51 -> white at vmax 0.5
    canvas_page.lab.execute("small.vmax = 0.5")
    canvas_page.wait_pixel(point, (255, 255, 255))
    pixels = canvas_page.cell_pixels()[..., :3]
    expected = expected_rgb(np.nan_to_num(KNOWN), 0.0, 0.5)
    expected[np.isnan(KNOWN)] = NAN_RGB
    assert np.abs(pixels - expected).max() <= RGB_TOLERANCE
    canvas_page.lab.execute("small.vmax = 1.0")
    canvas_page.wait_pixel(point, tuple(expected_rgb(KNOWN[2, 0, 0], 0, 1)))


def test_data_and_nan_colour_changes_repaint(canvas_page: CanvasPage) -> None:
    point = cell_centre(canvas_page.geometry, 0, 0, 0)
    canvas_page.lab.execute("small.data = np.full((4, 3, 5), 0.5); small.nan_color = 'lime'")
    canvas_page.wait_pixel(point, tuple(expected_rgb(np.array(0.5), 0, 1)))
    assert np.abs(canvas_page.cell_pixels()[..., :3] - expected_rgb(np.array(0.5), 0, 1)).max() <= RGB_TOLERANCE
    canvas_page.lab.execute("small.data = KNOWN")
    canvas_page.wait_pixel(cell_centre(canvas_page.geometry, 2, 1, 3), (0, 255, 0))
    canvas_page.lab.execute("small.nan_color = '#4a90d9'")
    canvas_page.wait_pixel(cell_centre(canvas_page.geometry, 2, 1, 3), NAN_RGB)


def test_dark_theme_repaints_background_and_text(canvas_page: CanvasPage) -> None:
    lab, geometry = canvas_page.lab, canvas_page.geometry
    lab.execute("small.highlighted = [0]")
    point = cell_centre(geometry, 3, 2, 4)  # a dimmed white cell: shows the background
    canvas_page.wait_pixel(point, (255, 255, 255))
    try:
        lab.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
        lab.page.wait_for_function("() => document.body.dataset.jpThemeName === 'JupyterLab Dark'")
        background = lab.page.evaluate(
            "() => { const c = document.createElement('canvas').getContext('2d');"
            " c.fillStyle = getComputedStyle(document.querySelector('.dhg-small'))"
            ".getPropertyValue('--jp-layout-color0').trim(); c.fillRect(0, 0, 1, 1);"
            " return [...c.getImageData(0, 0, 1, 1).data].slice(0, 3); }")
        assert max(background) < 100, "the dark theme's background is dark"
        dimmed = tuple(figure_layout.DIMMED_OPACITY * 255 + (1 - figure_layout.DIMMED_OPACITY) * np.array(background))
        canvas_page.wait_pixel(point, dimmed)
    finally:
        lab.command("apputils:change-theme", {"theme": "JupyterLab Light"})
        lab.page.wait_for_function("() => document.body.dataset.jpThemeName === 'JupyterLab Light'")
        canvas_page.wait_pixel(point, (255, 255, 255))
        lab.execute("small.highlighted = []")


# ------------------------------------------------------------------------- next to the SVG renderer


def test_looks_like_the_svg_renderer(canvas_page: CanvasPage, output_dir: Path) -> None:
    from PIL import Image, ImageChops

    page = canvas_page.page
    shots = output_dir / "screenshots"
    # The pointer out of the way (over Lab's top bar, which does not scroll): no hover
    # tooltip or hovered cell in either picture.
    page.mouse.move(1, 1)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.bqplot_mark_tooltip')]"
        ".every((t) => getComputedStyle(t).display === 'none' || getComputedStyle(t).opacity === '0')"
        " && [...document.querySelectorAll('.dhg-canvas-tooltip')].every((t) => t.style.display === 'none')")
    svg_png = page.locator(".dhg-svg-ref").screenshot(path=str(shots / "canvas-ref-svg.png"))
    canvas_png = page.locator(".dhg-canvas-ref").screenshot(path=str(shots / "canvas-ref-canvas.png"))
    svg = Image.open(io.BytesIO(svg_png)).convert("RGB")
    canvas = Image.open(io.BytesIO(canvas_png)).convert("RGB")
    side = Image.new("RGB", (svg.width + canvas.width + 12, max(svg.height, canvas.height)), "white")
    side.paste(svg, (0, 0))
    side.paste(canvas, (svg.width + 12, 0))
    side.save(shots / "canvas-vs-svg.png")
    assert canvas.size == svg.size, "same size: same panels, gaps and colorbar"
    diff = np.asarray(ImageChops.difference(svg, canvas)).max(axis=2)
    off = (diff > RGB_TOLERANCE).mean()
    assert off < 0.002, f"{off:.2%} of pixels differ by more than {RGB_TOLERANCE} from the SVG grid"
    # The colorbar beside the canvas spans its first to last row of plot areas.
    boxes = page.evaluate(
        "() => { const r = (s) => document.querySelector(s).getBoundingClientRect().toJSON();"
        " return [r('.dhg-canvas-ref .dhg-canvas canvas'), r('.dhg-canvas-ref .dhg-colorbar .g-rect rect')]; }")
    canvas_box, bar = boxes
    assert bar["y"] == pytest.approx(canvas_box["y"] + figure_layout.PANEL_MARGIN["top"], abs=1)
    assert bar["y"] + bar["height"] == pytest.approx(
        canvas_box["y"] + canvas_box["height"] - figure_layout.PANEL_MARGIN["bottom"], abs=1)


# ------------------------------------------------------------------------- 100 x 28 x 28


def test_large_grid_timings(canvas_page: CanvasPage, output_dir: Path) -> None:
    """Print (not assert) first paint, full-update and vmax repaint times at 100x28x28."""
    page = canvas_page.page
    geometry = figure_layout.GridGeometry(rows=28, cols=28, panels=100, columns=BIG_COLUMNS,
                                    cell=figure_layout.auto_cell_size(28, 28))
    x, y = (int(v) for v in cell_centre(geometry, 0, 0, 0))
    first_paint = []
    for run in range(FIRST_PAINT_RUNS):
        # Its cell size given: the page keeps the layout measured here (1,794 px wide),
        # wider than the notebook, rather than fit it (js/src/page/fit.js).
        code = (f"big{run} = DigitHeatmapGrid(BIG_A, vmin=0.0, vmax=1.0, columns={BIG_COLUMNS},"
                f" cell_size={geometry.cell}, renderer='canvas')\n"
                f"big{run}.add_class('dhg-big{run}')\nbig{run}")
        first_paint.append(page.evaluate(JS_FIRST_PAINT, [code, f"dhg-big{run}", x, y, WAIT_MS]))
    # The last big grid's first draw (its initial state) is the latest redraw on the page.
    first_draw_ms = page.evaluate(
        "() => performance.getEntriesByName('dhg-canvas-draw').at(-1).duration")
    big = f"big{FIRST_PAINT_RUNS - 1}"
    selector = f".dhg-big{FIRST_PAINT_RUNS - 1}"
    size = page.evaluate(f"() => [...document.querySelectorAll('{selector} .dhg-canvas canvas')]"
                         ".map(c => [c.width, c.height])")
    assert size == [[BIG_COLUMNS * geometry.panel_width + (BIG_COLUMNS - 1) * figure_layout.GAP_X,
                     geometry.grid_height]]

    def repaint(code: str) -> tuple[float, float, float]:
        """(Python assignment -> painted frame, -> redraw start in the page, redraw ms)."""
        result = page.evaluate(JS_REPAINT, [f"_t = time.time()\n{code}\nprint(repr(_t))",
                                            selector, x, y, WAIT_MS])
        assert "KERNEL-ERROR" not in result["out"], result["out"]
        assigned = float(result["out"].strip()) * 1000.0
        return (result["frame"] - assigned, result["drawStart"] - assigned, result["drawMs"])

    update = [repaint(f"{big}.data = BIG_B if {run % 2 == 0} else BIG_A")
              for run in range(TIMING_RUNS)]
    limits = [repaint(f"{big}.vmax = {0.5 if run % 2 == 0 else 1.0}") for run in range(TIMING_RUNS)]
    # The whole canvas as drawn (larger than the viewport), on white.
    data_url = page.evaluate(f"() => document.querySelector('{selector} .dhg-canvas canvas')"
                             ".toDataURL('image/png')")
    from PIL import Image

    drawn = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGBA")
    on_white = Image.new("RGBA", drawn.size, "white")
    on_white.alpha_composite(drawn)
    on_white.convert("RGB").save(output_dir / "screenshots" / "canvas-100x28x28.png")

    def summary(samples: list[float]) -> dict:
        return {"median_ms": round(statistics.median(samples), 1), "min_ms": round(min(samples), 1),
                "max_ms": round(max(samples), 1), "samples_ms": [round(s, 1) for s in samples]}

    timings = {
        "shape": [100, 28, 28], "cells": 78_400, "columns": BIG_COLUMNS, "cell_px": geometry.cell,
        "canvas_css_px": size[0],
        "first_paint": {**summary(first_paint),
                        "measured": "notebook run-cell command -> first animation frame with a "
                                    "painted cell pixel",
                        "first_draw_ms": round(first_draw_ms, 1)},
        "full_update": {**summary([u[0] for u in update]),
                        "measured": "Python assignment of 78,400 new values -> first animation "
                                    "frame where a watched pixel changed",
                        "to_page_median_ms": round(statistics.median(u[1] for u in update), 1),
                        "redraw_median_ms": round(statistics.median(u[2] for u in update), 1)},
        "vmax_change": {**summary([v[0] for v in limits]),
                        "measured": "Python vmax assignment -> first animation frame where a "
                                    "watched pixel changed",
                        "to_page_median_ms": round(statistics.median(v[1] for v in limits), 1),
                        "redraw_median_ms": round(statistics.median(v[2] for v in limits), 1)},
        "notes": "to_page = Python assignment -> the page starts redrawing (kernel, server, "
                 "websocket); redraw = recolour 78,400 cells and compose the canvas. The rest "
                 "is waiting for the next animation frame. jupyter_server does not set "
                 "TCP_NODELAY on its websocket, so a small message sent right after another "
                 "one can wait for a delayed ACK (about 40 ms on Linux loopback).",
        "budget_ms": {"first_paint": 1000, "full_update": 100, "vmax_change": 100},
    }
    (output_dir / "canvas_timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\ncanvas renderer 100x28x28 timings (ms): "
          f"first paint median {timings['first_paint']['median_ms']} (runs {timings['first_paint']['samples_ms']}), "
          f"full update median {timings['full_update']['median_ms']} "
          f"(redraw {timings['full_update']['redraw_median_ms']}), "
          f"vmax change median {timings['vmax_change']['median_ms']} "
          f"(redraw {timings['vmax_change']['redraw_median_ms']})")
