"""The grid with the keyboard alone, and what a screen reader is given, in exported pages.

Each page is opened offline in Chromium (every request that is not file:, data: or blob:
is aborted) and driven only with key presses: Tab to reach the grid, then the keys
documented in the README. What the live region announces is compared with values
computed here from the data; selection and highlight are read from the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chromium import SavedPage

from digitheat_widget import DigitHeatmapGrid

ANNOUNCE = ".dhg-announce"


class KeyboardPage(SavedPage):
    def __init__(self, browser: Any, grid: DigitHeatmapGrid, path: Path) -> None:
        super().__init__(browser, grid, path, viewport={"width": 1000, "height": 1200},
                         ready="() => { const b = document.querySelector('.dhg-body');"
                               " return b && b.tabIndex === 0 && b.hasAttribute('aria-label'); }")

    def tab_to_grid(self) -> int:
        """Press Tab until the grid has focus; how many presses it took."""
        for presses in range(1, 60):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("document.activeElement.classList.contains('dhg-body')"):
                return presses
        raise AssertionError("Tab never reached the grid")

    def press(self, key: str) -> str:
        """Press ``key``; the live region's text once it has changed (or stayed, for a key
        that announces the same cell)."""
        self.page.keyboard.press(key)
        return self.page.evaluate(f"document.querySelector('{ANNOUNCE}').textContent")



def expected(grid: DigitHeatmapGrid, digit: int, row: int, col: int) -> str:
    """The announcement for a cell, from the data: the hover format has one decimal more
    than the colorbar's (0.000 .. 0.014 here, so four)."""
    return f"{grid.labels[digit]}, row {row}, column {col}, value {grid.data[digit, row, col]:.4f}"


@pytest.fixture
def default_page(chromium_browser: Any, tmp_path: Path) -> Iterator[KeyboardPage]:
    page = KeyboardPage(chromium_browser, DigitHeatmapGrid(), tmp_path / "keys.html")
    yield page
    page.close()
    page.grid.close()


def test_grid_is_one_tab_stop_and_reads_every_cell_of_a_panel(default_page: KeyboardPage) -> None:
    page, grid = default_page, default_page.grid
    assert page.tab_to_grid() == 1  # the title buttons are no tab stops
    rows, cols = grid.data.shape[1:]
    heard = [page.page.evaluate(f"document.querySelector('{ANNOUNCE}').textContent")]
    for _ in range(rows * cols - 1):
        heard.append(page.press("ArrowRight"))
    assert heard == [expected(grid, 0, r, c) for r in range(rows) for c in range(cols)]
    # On past the last cell into the next panel, and back.
    assert page.press("ArrowRight") == expected(grid, 1, 0, 0)
    assert page.press("ArrowLeft") == expected(grid, 0, rows - 1, cols - 1)
    # Tab leaves the grid: it is one stop, not one per cell or panel.
    page.page.keyboard.press("Tab")
    assert not page.page.evaluate("document.activeElement.classList.contains('dhg-body')")
    assert page.blocked == [] and page.errors == []


def test_keys_jump_select_and_highlight(default_page: KeyboardPage) -> None:
    page, grid = default_page, default_page.grid
    page.tab_to_grid()
    count, rows, cols = grid.data.shape
    assert page.press("ArrowDown") == expected(grid, 0, 1, 0)
    assert page.press("End") == expected(grid, 0, rows - 1, cols - 1)
    assert page.press("ArrowDown") == expected(grid, 1, 0, cols - 1)  # into the next panel
    assert page.press("PageDown") == expected(grid, 2, 0, cols - 1)
    assert page.press("Home") == expected(grid, 2, 0, 0)
    assert page.press("Control+End") == expected(grid, count - 1, rows - 1, cols - 1)
    assert page.press("Control+Home") == expected(grid, 0, 0, 0)
    page.press("PageDown")
    page.press("ArrowRight")
    # Enter selects as a click does: the cell gets the selection outline.
    assert page.press("Enter") == expected(grid, 1, 0, 1) + ", selected"
    cell = ".dhg-p1 g.heatmaprow:nth-of-type(1) rect.heatmapcell:nth-of-type(2)"
    page.page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{cell}')).strokeWidth === '3px'")
    # H highlights the focused panel (and says so); again, it un-highlights.
    assert page.press("h").endswith("highlighted panel")
    page.page.wait_for_function("() => document.querySelector('.dhg-p1.dhg-highlighted')")
    label = page.page.evaluate("document.querySelector('.dhg-body').getAttribute('aria-label')")
    assert "highlighted: 1" in label
    assert not page.press("h").endswith("highlighted panel")
    page.page.wait_for_function("() => !document.querySelector('.dhg-highlighted')")
    assert page.blocked == [] and page.errors == []


def test_focus_is_visible_on_the_focused_cell(default_page: KeyboardPage) -> None:
    page = default_page
    page.tab_to_grid()
    page.press("ArrowRight")
    page.press("ArrowDown")
    ring = page.page.locator(".dhg-focus")
    assert ring.is_visible()
    box = ring.bounding_box()
    cell = page.page.locator(
        ".dhg-p0 g.heatmaprow:nth-of-type(2) rect.heatmapcell:nth-of-type(2)").bounding_box()
    assert abs(box["x"] - cell["x"]) <= 1 and abs(box["y"] - cell["y"]) <= 1
    assert abs(box["width"] - cell["width"]) <= 1 and abs(box["height"] - cell["height"]) <= 1
    # Black inside, white around: at least 3:1 against any cell colour on one side or the
    # other (black vs white is 21:1).
    style = ring.evaluate("e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).boxShadow]")
    assert style[0] == "rgb(0, 0, 0)" and "rgb(255, 255, 255)" in style[1]
    page.page.keyboard.press("Tab")
    assert not ring.is_visible()


def test_a_click_shows_no_focus_ring_until_a_key_is_pressed(default_page: KeyboardPage) -> None:
    """The ring is the keyboard's: a click on a cell focuses the grid (so the keys work
    next) without a ring on cell (0, 0); the first key press shows it, on the cell the
    key moved to."""
    page = default_page
    page.page.locator(".dhg-p1 rect.heatmapcell").nth(8).click()
    page.page.wait_for_function("() => document.activeElement.classList.contains('dhg-body')")
    ring = page.page.locator(".dhg-focus")
    assert not ring.is_visible()
    page.press("ArrowRight")
    assert ring.is_visible()
    assert page.blocked == [] and page.errors == []


def test_table_view_shows_the_panels_values(default_page: KeyboardPage) -> None:
    page, grid = default_page, default_page.grid
    page.tab_to_grid()
    page.press("PageDown")
    page.press("t")
    table = page.page.locator(".dhg-table table")
    assert table.is_visible()
    assert "Values of 1" in table.locator("caption").inner_text()
    cells = table.locator("tbody tr").evaluate_all(
        "rows => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))")
    assert cells == [[f"{v:.4f}" for v in row] for row in grid.data[1]]
    page.press("Escape")
    assert not table.is_visible()


def test_canvas_renderer_has_the_same_keyboard(chromium_browser: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    data = rng.random((20, 28, 28))
    grid = DigitHeatmapGrid(data, renderer="canvas", labels=[f"map {i}" for i in range(20)])
    page = KeyboardPage(chromium_browser, grid, tmp_path / "canvas-keys.html")
    try:
        assert page.tab_to_grid() == 1
        # Values in [0, 1): colorbar ticks every 0.1 (one decimal), hover one more.
        assert page.press("PageDown") == f"map 1, row 0, column 0, value {data[1, 0, 0]:.2f}"
        assert page.press("End") == f"map 1, row 27, column 27, value {data[1, 27, 27]:.2f}"
        text = page.press("Enter")
        assert text.endswith(", selected")
        ring = page.page.locator(".dhg-focus").bounding_box()
        canvas = page.page.locator(".dhg-canvas canvas").bounding_box()
        geometry = grid.figure.geometry
        x, y = geometry.plot_origin(1)
        assert abs(ring["x"] - (canvas["x"] + x + 27 * geometry.cell)) <= 1
        assert abs(ring["y"] - (canvas["y"] + y + 27 * geometry.cell)) <= 1
        assert page.blocked == [] and page.errors == []
    finally:
        page.close()
        grid.close()


def test_an_exported_paged_grid_holds_its_page_and_says_so(chromium_browser: Any, tmp_path: Path) -> None:
    """Offline, a paged grid is the page shown: its cells, titles and keys work, its pager
    (which needs Python to read another page) is not shown, and a move past the last
    cell stays on it instead of promising a page that cannot come."""
    values = np.random.default_rng(4).random((30, 7, 6))
    grid = DigitHeatmapGrid(values, page_size=10, controls=True, stack_limits=False)
    grid.page = 1
    page = KeyboardPage(chromium_browser, grid, tmp_path / "paged.html")
    try:
        summary = page.page.evaluate("document.querySelector('.dhg-body').getAttribute('aria-label')")
        assert "page 2 of 3 (panels 10 to 19 of 30" in summary
        assert page.page.locator(".dhg-pager").count() == 1
        assert not page.page.locator(".dhg-pager").is_visible()
        page.tab_to_grid()
        last = f"19, row 6, column 5, value {format(values[19, 6, 5], grid.figure.value_format)}"
        assert page.press("Control+End") == last
        assert page.press("ArrowRight") == last
        assert page.blocked == [] and page.errors == []
    finally:
        page.close()
        grid.close()
