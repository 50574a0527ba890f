"""The linked cursor in exported pages, offline, on both renderers.

A double-click on a cell turns it on there; hovering moves it; every panel is marked at
that (row, column) and the readout under the grid lists each map's label and value,
compared here with the data (numpy); the keyboard alone toggles and moves it and the
live region reads the values across the maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chromium import SavedPage

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure.layout import PANEL_MARGIN, SELECTED_COLOR

ANNOUNCE = ".dhg-announce"
READY = ("() => { const b = document.querySelector('.dhg-body');"
         " return b && b.tabIndex === 0 && b.hasAttribute('aria-label'); }")
#: User text: a label that would be markup if it reached HTML as such.
HOSTILE = '<img src=x onerror="window.hacked=1">'


def cell_centre(page: Any, grid: DigitHeatmapGrid, p: int, r: int, c: int) -> tuple[float, float]:
    """Where cell (r, c) of panel p is on screen, from Python's geometry."""
    drawing = page.locator(".dhg-body > :first-child").bounding_box()
    geometry = grid.figure.geometry
    x, y = geometry.plot_origin(p)
    return (drawing["x"] + x + (c + 0.5) * geometry.cell,
            drawing["y"] + y + (r + 0.5) * geometry.cell)


def readout(page: Any) -> list[list[str]]:
    return page.locator(".dhg-cursor-list li").evaluate_all(
        "items => items.map((li) => [li.querySelector('.dhg-cursor-label').textContent,"
        " li.querySelector('.dhg-cursor-value').textContent])")


def assert_marked(page: Any, grid: DigitHeatmapGrid, r: int, c: int) -> None:
    """Every panel's cell (r, c) is ringed (2 px around it), in the selected cell's colour."""
    marks = page.locator(".dhg-cursor-mark")
    count = grid.data.shape[0]
    assert marks.count() == count
    geometry = grid.figure.geometry
    for p in range(count):
        box = marks.nth(p).bounding_box()
        x, y = cell_centre(page, grid, p, r, c)
        assert abs(box["x"] + box["width"] / 2 - x) <= 1 and abs(box["y"] + box["height"] / 2 - y) <= 1
        assert abs(box["width"] - (geometry.cell + 4)) <= 1  # a ring around the cell
    if page.locator(".dhg-p0").count():  # SVG: the mark is on bqplot's own cell
        rect = page.locator(f".dhg-p{count - 1} g.heatmaprow:nth-of-type({r + 1}) "
                            f"rect.heatmapcell:nth-of-type({c + 1})").bounding_box()
        box = marks.nth(count - 1).bounding_box()
        assert abs(box["x"] + 2 - rect["x"]) <= 1 and abs(box["y"] + 2 - rect["y"]) <= 1
    # Drawn on screen: the ring's pixels are the selected cell's colour (in the last
    # panel: the keyboard's focus ring is drawn over the first's).
    box = marks.nth(count - 1).bounding_box()
    shot = page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]})
    from io import BytesIO

    from PIL import Image
    pixel = Image.open(BytesIO(shot)).convert("RGB").getpixel((0, int(box["height"] // 2)))
    wanted = tuple(int(SELECTED_COLOR.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    assert max(abs(a - b) for a, b in zip(pixel, wanted)) <= 8, (pixel, wanted)


@pytest.mark.parametrize("renderer", ["svg", "canvas"])
def test_hover_marks_the_cell_in_every_panel_and_reads_every_map(
        chromium_browser: Any, tmp_path: Path, renderer: str) -> None:
    grid = DigitHeatmapGrid(renderer=renderer, labels=[HOSTILE, *map(str, range(1, 10))])
    data = np.asarray(grid.data, dtype=np.float64).copy()
    data[4, 5, 1] = np.nan
    grid.data = data
    saved = SavedPage(chromium_browser, grid, tmp_path / f"cursor-{renderer}.html", ready=READY,
                      viewport={"width": 1000, "height": 1300})
    page = saved.page
    try:
        # Off: hovering shows no readout (and tells nobody).
        page.mouse.move(*cell_centre(page, grid, 0, 1, 1))
        assert page.locator(".dhg-cursor").is_hidden()
        assert page.locator(".dhg-cursor-mark").count() == 0
        # A double-click turns it on there, a hover elsewhere moves it.
        page.mouse.dblclick(*cell_centre(page, grid, 3, 2, 4))
        page.wait_for_function("() => document.querySelectorAll('.dhg-cursor-mark').length === 10")
        assert page.evaluate("getSelection().toString()") == ""  # no text selected by it
        assert_marked(page, grid, 2, 4)
        page.mouse.move(*cell_centre(page, grid, 7, 5, 1))
        page.wait_for_function("() => /Row 5, column 1/.test(document.querySelector('.dhg-cursor-head').textContent)")
        assert_marked(page, grid, 5, 1)
        expected = [[label, "NaN" if np.isnan(v) else f"{v:.4f}"]
                    for label, v in zip(grid.labels, data[:, 5, 1])]
        assert readout(page) == expected
        assert page.locator(".dhg-cursor img").count() == 0  # the label is text
        assert not page.evaluate("window.hacked")
        # The readout stays readable where the pointer leaves the grid; its button turns it off.
        page.mouse.move(5, 5)
        assert page.locator(".dhg-cursor").is_visible()
        page.locator(".dhg-cursor-off").click()
        page.wait_for_function("() => document.querySelector('.dhg-cursor').hidden")
        assert page.locator(".dhg-cursor-mark").count() == 0
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()


@pytest.mark.parametrize("renderer", ["svg", "canvas"])
def test_the_keyboard_alone_toggles_and_moves_it_and_hears_every_map(
        chromium_browser: Any, tmp_path: Path, renderer: str) -> None:
    grid = DigitHeatmapGrid(renderer=renderer)
    data = np.asarray(grid.data, dtype=np.float64)
    saved = SavedPage(chromium_browser, grid, tmp_path / f"cursor-keys-{renderer}.html", ready=READY,
                      viewport={"width": 1000, "height": 1300})
    page = saved.page

    def press(key: str) -> str:
        page.keyboard.press(key)
        return page.evaluate(f"document.querySelector('{ANNOUNCE}').textContent")

    def heard(r: int, c: int) -> str:
        values = ", ".join(f"{p}: {v:.4f}" for p, v in enumerate(data[:, r, c]))
        return f"row {r}, column {c} across 10 maps: {values}, highest {int(np.argmax(data[:, r, c]))}"

    try:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('dhg-body')"):
                break
        assert "L links a cell across the maps" in page.locator(".dhg-body").get_attribute("aria-label")
        press("ArrowRight")
        press("ArrowRight")
        assert press("l") == heard(0, 2)
        assert_marked(page, grid, 0, 2)
        assert press("ArrowDown") == heard(1, 2)
        assert_marked(page, grid, 1, 2)
        assert readout(page) == [[str(p), f"{v:.4f}"] for p, v in enumerate(data[:, 1, 2])]
        assert press("PageDown") == heard(1, 2)  # another panel, the same cell
        assert press("L") == "Linked cursor off"
        assert page.locator(".dhg-cursor").is_hidden() and page.locator(".dhg-cursor-mark").count() == 0
        # The other keys still read the focused cell.
        assert press("ArrowRight") == f"1, row 1, column 3, value {data[1, 1, 3]:.4f}"
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()


def test_set_in_python_it_opens_on_and_reads_the_values_shown(chromium_browser: Any, tmp_path: Path) -> None:
    """Saved with ``grid.cursor`` set, the page opens with it; comparing it reads the view
    shown (V flips it), and with frames the frame shown ([ steps back)."""
    from digitheat_widget import sample_data

    data = sample_data().astype(np.float64)
    reference = np.repeat(data.mean(axis=0, keepdims=True), len(data), axis=0)
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    grid.cursor = (2, 3)
    saved = SavedPage(chromium_browser, grid, tmp_path / "cursor-compare.html", ready=READY,
                      viewport={"width": 1000, "height": 1300})
    page = saved.page
    values = "() => [...document.querySelectorAll('.dhg-cursor-value')].map((e) => e.textContent).join(' ')"
    try:
        page.wait_for_function("() => document.querySelectorAll('.dhg-cursor-mark').length === 10")
        assert page.evaluate(values).split() == [f"{v:.4f}" for v in (data - reference)[:, 2, 3]]
        page.locator(".dhg-body").focus()  # the focus starts on the cursor's cell: it stays
        assert page.evaluate("document.querySelector('.dhg-announce').textContent").startswith(
            f"row 2, column 3 across 10 maps: 0: {(data - reference)[0, 2, 3]:.4f}")
        page.keyboard.press("v")  # difference -> data
        page.wait_for_function(f"(want) => ({values})() === want",
                               arg=" ".join(f"{v:.4f}" for v in data[:, 2, 3]))
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()
    grid = DigitHeatmapGrid(data * 0.5)
    grid.record("half")
    grid.data = data
    grid.record("full")
    grid.cursor = (4, 1)
    saved = SavedPage(chromium_browser, grid, tmp_path / "cursor-frames.html", ready=READY,
                      viewport={"width": 1000, "height": 1300})
    page = saved.page
    try:
        page.wait_for_function("() => document.querySelectorAll('.dhg-cursor-mark').length === 10")
        assert page.evaluate(values).split() == [f"{v:.4f}" for v in data[:, 4, 1]]
        page.locator(".dhg-body").focus()
        page.keyboard.press("[")  # the frame before: half the ink
        page.wait_for_function(f"(want) => ({values})() === want",
                               arg=" ".join(f"{v:.4f}" for v in 0.5 * data[:, 4, 1]))
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()


def test_a_phone_taps_it_on_and_moves_it_and_the_readout_fits(chromium_browser: Any, tmp_path: Path) -> None:
    """390 px wide, touch only: a double tap turns it on, a tap moves it; the readout wraps
    to the grid's width (nothing scrolls sideways)."""
    grid = DigitHeatmapGrid()
    data = np.asarray(grid.data)
    saved = SavedPage(chromium_browser, grid, tmp_path / "cursor-phone.html", ready=READY,
                      viewport={"width": 390, "height": 900}, has_touch=True, is_mobile=True)
    page = saved.page
    centre = ("(sel) => { const c = document.querySelector(sel).getBoundingClientRect();"
              " return [c.x + c.width / 2, c.y + c.height / 2]; }")
    try:
        # Fitted to the phone: bqplot has laid its plot areas out at the panels' new size
        # (what is drawn is what a finger taps).
        sides = PANEL_MARGIN["left"] + PANEL_MARGIN["right"]
        page.wait_for_function("""(sides) => [3, 5].every((p) => {
            const figure = document.querySelector(`.dhg-p${p}`);
            const plot = figure && figure.querySelector('.plotarea_background');
            return plot && Math.abs(plot.getBoundingClientRect().width
                                    - (figure.getBoundingClientRect().width - sides)) < 0.5; })""", arg=sides)
        at = page.evaluate(centre, ".dhg-p3 g.heatmaprow:nth-of-type(3) rect.heatmapcell:nth-of-type(2)")
        page.touchscreen.tap(*at)
        page.touchscreen.tap(*at)
        page.wait_for_function("() => /Row 2, column 1/.test(document.querySelector('.dhg-cursor-head')?.textContent)")
        at = page.evaluate(centre, ".dhg-p5 g.heatmaprow:nth-of-type(6) rect.heatmapcell:nth-of-type(4)")
        page.touchscreen.tap(*at)
        page.wait_for_function("() => /Row 5, column 3/.test(document.querySelector('.dhg-cursor-head').textContent)")
        assert readout(page) == [[str(p), f"{v:.4f}"] for p, v in enumerate(data[:, 5, 3])]
        box = page.locator(".dhg-cursor").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()


@pytest.mark.parametrize("width", [1000, 390])
def test_short_labels_are_read_whole_beside_wide_values(chromium_browser: Any, tmp_path: Path,
                                                         width: int) -> None:
    """Maps a million apart, per-panel: values as wide as "1.05e+6" beside labels like
    "10^8". Each chip is as wide as its label and value need (the label was cut to "10…"),
    and on a phone the readout still fits the screen."""
    data = np.stack([np.linspace(0.1, 1.0, 42).reshape(7, 6) * 10.0 ** k for k in range(10)])
    grid = DigitHeatmapGrid(data, labels=[f"10^{k}" for k in range(10)], panel_limits="per-panel")
    grid.cursor = (3, 2)
    saved = SavedPage(chromium_browser, grid, tmp_path / f"cursor-wide-{width}.html", ready=READY,
                      viewport={"width": width, "height": 1300})
    page = saved.page
    try:
        page.wait_for_function("() => document.querySelectorAll('.dhg-cursor-list li').length === 10")
        chips = page.locator(".dhg-cursor-list li").evaluate_all(
            "items => items.map((li) => { const l = li.querySelector('.dhg-cursor-label');"
            " const v = li.querySelector('.dhg-cursor-value');"
            " return [l.textContent, l.scrollWidth - l.clientWidth, v.textContent,"
            " v.getBoundingClientRect().right - li.getBoundingClientRect().right]; })")
        assert [c[0] for c in chips] == [f"10^{k}" for k in range(10)]
        assert any(len(c[2]) >= 7 for c in chips), chips  # the case: wide values
        assert [c for c in chips if c[1] > 0 or c[3] > 0.5] == [], "cut or spilling chips"
        box = page.locator(".dhg-cursor").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert saved.blocked == [] and saved.errors == []
    finally:
        saved.close()
        grid.close()
