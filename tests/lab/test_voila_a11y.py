"""Voila, read without a mouse and without sight (issue "Readable without a mouse and
without sight"): axe-core finds no violation in the grids (default and with controls),
and none serious or critical on the page; the title buttons are out of the tab order and
the accessibility tree (ipywidgets' `.jupyter-button:empty:before` gave them the name
"\\u200b" here); the keyboard alone reads a panel's values through the live region and
selects a cell, which reaches Python (a Label in the page shows `grid.selected`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from .harness import voila_server, write_notebook


SETUP = """\
import ipywidgets
from digitheat_widget import DigitHeatmapGrid, sample_data
grid = DigitHeatmapGrid()
shown = ipywidgets.Label("selected: none")
grid.observe(lambda change: setattr(shown, "value", f"selected: {change['new']}"), "selected")
ipywidgets.VBox([grid, shown])"""


@pytest.fixture(scope="module")
def page(chromium_browser: Any, browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("voila-a11y")
    write_notebook(root / "a11y.ipynb", [SETUP, "DigitHeatmapGrid(controls=True, highlighted=[2])"])
    with voila_server(root, "a11y.ipynb") as url:
        page = browser.new_page()
        page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.digitheat-grid .dhg-body[aria-label]').length === 2"
            " && document.getElementsByClassName('heatmapcell').length >= 840"
            " && document.querySelector('.dhg-controls .noUi-handle[aria-label]')",
            timeout=120_000)
        yield page
        page.close()


def test_no_axe_violation_in_voila(page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for index in range(2):
        selector = f".digitheat-grid >> nth={index}"
        css = page.evaluate(
            "(i) => '.' + [...document.querySelectorAll('.digitheat-grid')][i].className"
            ".split(' ').find((c) => /^dhg-[0-9a-f]{12}$/.test(c))", index)
        assert page.locator(selector).count() == 1
        own = axe.run(page, context=css).response["violations"]
        assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in own] == []
    whole = axe.run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in whole if v["impact"] in ("serious", "critical")] == []


def test_title_buttons_stay_out_of_the_way(page):
    hits = page.evaluate(
        "() => [...document.querySelectorAll('.digitheat-grid .dhg-title-hit')].map((b) =>"
        " [b.tabIndex, (b.getAttribute('aria-label') || b.title || '').trim()])")
    assert len(hits) == 20  # ten titles in each grid
    assert all(tab == -1 for tab, _ in hits)
    # Where a screen reader meets one anyway, it has a real name, not "\u200b".
    assert all(name and name != "\u200b" for _, name in hits), hits[:3]
    # The grid itself is the one tab stop, named by its summary.
    names = page.evaluate("() => [...document.querySelectorAll('.digitheat-grid .dhg-body')]"
                          ".map((b) => [b.tabIndex, b.getAttribute('aria-label')])")
    assert [tab for tab, _ in names] == [0, 0]
    assert names[0][1].startswith("10 heatmaps of 7 by 6 cells, colormap hot")


def test_keyboard_reads_a_panel_and_selects_in_python(page):
    from digitheat_widget import sample_data

    data = sample_data()
    body = page.locator(".digitheat-grid >> nth=0 >> .dhg-body")
    body.focus()
    announce = page.locator(".digitheat-grid >> nth=0 >> .dhg-announce")
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")  # panel 2, cell (0, 0)
    read = []
    for step in range(7 * 6):
        read.append(announce.text_content())
        if step < 7 * 6 - 1:
            page.keyboard.press("ArrowRight")
    expected = [f"2, row {r}, column {c}, value {data[2, r, c]:.4f}" for r in range(7) for c in range(6)]
    assert read == expected
    page.keyboard.press("Enter")  # selects (2, 6, 5), as a click would
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-label')].some((l) => l.textContent === 'selected: (2, 6, 5)')",
        timeout=20_000)
    assert np.isfinite(data[2, 6, 5])


#: Every grid of the page fits it: nothing scrolls sideways (the page, or any box of a
#: grid), and each colorbar with its tick labels ends inside the viewport.
FITS = """() => {
  const grids = [...document.querySelectorAll('.digitheat-grid')];
  const boxes = grids.flatMap((g) => [g, ...g.querySelectorAll('.widget-box')]);
  const labels = grids.flatMap((g) => [...g.querySelectorAll('.dhg-colorbar .tick text')]);
  return grids.length === 2 && document.scrollingElement.scrollWidth <= innerWidth
    && boxes.every((b) => b.scrollWidth <= b.clientWidth)
    && [...document.querySelectorAll('.dhg-colorbar'), ...labels].every((e) => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth; });
}"""


@pytest.mark.parametrize("width", [390, 320])
def test_voila_fits_a_phone(page, width):
    """Issue 28 in Voila: on a phone's width the page does not scroll sideways."""
    try:
        page.set_viewport_size({"width": width, "height": 1400})
        page.wait_for_function(FITS, timeout=30_000)
    finally:
        page.set_viewport_size({"width": 1000, "height": 1400})
