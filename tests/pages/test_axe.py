"""axe-core on exported pages, offline: no accessibility violation at all, and the
control panel's names and states are right (issue "Readable without a mouse and without
sight", item 5, for the exported page; see tests/browser for JupyterLab)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chromium import block_network

from digitheat_widget import DigitHeatmapGrid, sample_data



def open_page(browser, grid: DigitHeatmapGrid, path: Path):
    grid.save(path)
    page = browser.new_page(viewport={"width": 1100, "height": 1200})
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelector('.dhg-body[aria-label]')")
    return page


def with_frames() -> DigitHeatmapGrid:
    """Frames and no control panel: the compact player under the grid."""
    grid = DigitHeatmapGrid()
    grid.frames = np.stack([grid.data * step for step in (0.5, 1.0)])
    return grid


def with_cursor() -> DigitHeatmapGrid:
    """The linked cursor on over 100 maps: the readout wraps and scrolls."""
    grid = DigitHeatmapGrid(np.random.default_rng(1).random((100, 28, 28)))
    grid.cursor = (3, 4)
    return grid


CASES = {
    "default": lambda: DigitHeatmapGrid(),
    "controls": lambda: DigitHeatmapGrid(controls=True, highlighted=[2]),
    "canvas": lambda: DigitHeatmapGrid(np.random.default_rng(0).random((100, 28, 28))),
    "player": with_frames,
    "cursor": with_cursor,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_axe_violation(chromium_browser, tmp_path, case):
    from axe_playwright_python.sync_playwright import Axe

    grid = CASES[case]()
    page = open_page(chromium_browser, grid, tmp_path / f"{case}.html")
    try:
        assert page.locator(".dhg-player").is_visible() is (case == "player")
        assert page.locator(".dhg-cursor").is_visible() is (case == "cursor")
        violations = Axe().run(page).response["violations"]
        found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
        assert found == []
    finally:
        page.close()
        grid.close()


def test_controls_have_names_and_states(chromium_browser, tmp_path):
    grid = DigitHeatmapGrid(controls=True)
    page = open_page(chromium_browser, grid, tmp_path / "names.html")
    try:
        handles = page.locator(".dhg-controls .noUi-handle")
        page.wait_for_function(
            "() => document.querySelector('.dhg-controls .noUi-handle[aria-label]')")
        assert handles.evaluate_all("hs => hs.map((h) => h.getAttribute('aria-label'))") == [
            "vmin, the lower colour limit", "vmax, the upper colour limit"]
        # Rounded like the hover values (4 decimals for the sample's 0 .. 0.0147).
        high = float(np.nanmax(grid.data))
        assert handles.nth(1).get_attribute("aria-valuetext") == f"{high:.4f}"
        toggle = page.locator(".dhg-controls .widget-toggle-button", has_text="3")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.dhg-controls .widget-toggle-button')]"
            ".find((b) => b.textContent === '3').getAttribute('aria-pressed') === 'true'")
    finally:
        page.close()
        grid.close()


def _handle_aria(page) -> list[dict[str, str | None]]:
    return page.locator(".dhg-controls .noUi-handle").evaluate_all(
        "hs => hs.map((h) => Object.fromEntries(['aria-valuenow', 'aria-valuemin',"
        " 'aria-valuemax', 'aria-valuetext'].map((n) => [n.slice(10), h.getAttribute(n)])))")


def _numbers(aria: dict[str, str | None]) -> tuple[float, float, float]:
    return float(aria["now"] or "nan"), float(aria["min"] or "nan"), float(aria["max"] or "nan")


def test_limit_sliders_give_their_real_numbers(chromium_browser, tmp_path):
    """Issue 24: noUiSlider writes aria-valuenow/min/max rounded to one decimal (0.0 for
    the sample's limits 0 .. 0.0147); the page gives the limits in force and the slider's
    range, kept true when a handle moves with the keyboard."""
    data = sample_data()
    low, high = float(data.min()), float(data.max())
    grid = DigitHeatmapGrid(controls=True)
    page = open_page(chromium_browser, grid, tmp_path / "aria-values.html")
    try:
        page.wait_for_function(
            "() => document.querySelector('.dhg-controls .noUi-handle[aria-label]')")
        vmin, vmax = _handle_aria(page)
        approx = lambda *xs: pytest.approx(xs, rel=1e-6, abs=1e-12)  # noqa: E731
        assert _numbers(vmin) == approx(low, low, high)
        assert _numbers(vmax) == approx(high, low, high)
        assert float(vmax["text"]) == pytest.approx(high, abs=5e-5)

        # The keyboard moves the vmin handle one step up: its value follows its text.
        handle = page.locator(".dhg-controls .noUi-handle").nth(0)
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => { const h = document.querySelector('.dhg-controls .noUi-handle');"
            " return Number(h.getAttribute('aria-valuenow')) > 0; }")
        moved, _ = _handle_aria(page)
        now, lo, hi = _numbers(moved)
        assert low < now < high
        assert (lo, hi) == approx(low, high)
        assert float(moved["text"]) == pytest.approx(now, abs=5e-5)

        # "auto limits" puts it back, and its numbers with it.
        page.locator(".dhg-controls button", has_text="auto limits").click()
        page.wait_for_function(
            "() => { const h = document.querySelector('.dhg-controls .noUi-handle');"
            " return Number(h.getAttribute('aria-valuenow')) === Number(h.getAttribute('aria-valuemin')); }")
        vmin, vmax = _handle_aria(page)
        assert _numbers(vmin) == approx(low, low, high)
        assert _numbers(vmax) == approx(high, low, high)
        assert page.evaluate("document.querySelector('.dhg-body').getAttribute('aria-label')")
    finally:
        page.close()
        grid.close()
