"""axe-core on exported pages, offline: no accessibility violation at all, and the
control panel's names and states are right (issue "Readable without a mouse and without
sight", item 5, for the exported page; see tests/browser for JupyterLab)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chromium import block_network

from digitheat_widget import DigitHeatmapGrid



def open_page(browser, grid: DigitHeatmapGrid, path: Path):
    grid.save(path)
    page = browser.new_page(viewport={"width": 1100, "height": 1200})
    block_network(page)
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelector('.dhg-body[aria-label]')")
    return page


CASES = {
    "default": lambda: DigitHeatmapGrid(),
    "controls": lambda: DigitHeatmapGrid(controls=True, highlighted=[2]),
    "canvas": lambda: DigitHeatmapGrid(np.random.default_rng(0).random((100, 28, 28))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_axe_violation(chromium_browser, tmp_path, case):
    from axe_playwright_python.sync_playwright import Axe

    grid = CASES[case]()
    page = open_page(chromium_browser, grid, tmp_path / f"{case}.html")
    try:
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
