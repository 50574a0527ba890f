"""A lazy stack in JupyterLab (issue "Beyond one machine"): the page shows one page with
global titles, the keyboard alone turns pages past the first or last cell, the pager
turns them, a click reports the global panel, and the note says when the limits stop
being provisional."""

from __future__ import annotations

import pytest

from .conftest import open_grid


SETUP = """\
import numpy as np, dask.array as da, threading
from digitheat_widget import DigitHeatmapGrid
values = np.random.default_rng(5).random((35, 7, 6))
gate = threading.Event()
def slow(block, block_info=None):
    if block_info[0]["chunk-location"][0] >= 2:  # past page 0: the stack's limits wait
        gate.wait(60)
    return block
lazy = da.from_array(values, chunks=(5, 7, 6))
pgrid = DigitHeatmapGrid(lazy, page_size=10, controls=True, stack_limits=False)
pclicks = []
pgrid.on_cell_click(lambda *args: pclicks.append(args))
"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "pgrid")
    yield lab
    lab.page.close()


def titles(lab) -> list[str]:
    """The panels' titles (the colorbar's heading is empty)."""
    return lab.page.evaluate(
        "(sel) => [...document.querySelectorAll(sel + ' .mainheading')].map((b) => b.textContent.trim()).filter(Boolean)",
        lab.selector)


def titles_are(lab, first: str, count: int) -> None:
    lab.page.wait_for_function(
        "([sel, first, count]) => { const t = [...document.querySelectorAll(sel + ' .mainheading')]"
        ".map((h) => h.textContent.trim()).filter(Boolean); return t.length === count && t[0] === first; }",
        arg=[lab.selector, first, count], timeout=20_000)


def announced_is(lab, text: str) -> None:
    lab.page.wait_for_function(
        "([sel, text]) => document.querySelector(sel + ' .dhg-announce').textContent === text",
        arg=[lab.selector, text], timeout=20_000)


def test_the_keyboard_turns_pages_past_the_edges(lab):
    page = lab.page
    assert titles(lab) == [str(i) for i in range(10)]
    summary = page.evaluate(f"document.querySelector('{lab.selector} .dhg-body').getAttribute('aria-label')")
    assert "page 1 of 4 (panels 0 to 9 of 35" in summary
    # The readout formats values as the tooltips do (the figure's value_format).
    values = {key: lab.execute(f"print(format({key}, pgrid.figure.value_format))").strip()
              for key in ("values[9, 6, 5]", "values[10, 0, 0]")}
    body = page.locator(f"{lab.selector} .dhg-body")
    body.focus()
    page.keyboard.press("Control+End")  # the page's last cell: panel 9, row 6, column 5
    announced_is(lab, f"9, row 6, column 5, value {values['values[9, 6, 5]']}")
    page.keyboard.press("ArrowRight")  # past it: the next page, its first cell
    titles_are(lab, "10", 10)
    announced_is(lab, f"10, row 0, column 0, value {values['values[10, 0, 0]']}")
    lab.wait_for_kernel_value("pgrid.page", "1")
    # Enter selects: Python gets the panel's index in the whole stack.
    page.keyboard.press("Enter")
    lab.wait_for_kernel_value("pgrid.selected", "(10, 0, 0)")
    assert lab.execute("print(pclicks[-1][:3])").strip() == "(10, 0, 0)"
    page.keyboard.press("ArrowLeft")  # back past the first cell: page 0, its last cell
    titles_are(lab, "0", 10)
    announced_is(lab, f"9, row 6, column 5, value {values['values[9, 6, 5]']}")
    lab.wait_for_kernel_value("pgrid.page", "0")
    # Still on the grid: JupyterLab took none of the keys.
    assert page.evaluate(f"document.activeElement === document.querySelector('{lab.selector} .dhg-body')")


def test_the_pager_and_python_turn_pages(lab):
    page = lab.page
    page.locator(f"{lab.selector} .dhg-pager button", has_text="next").click()
    titles_are(lab, "10", 10)
    lab.wait_for_kernel_value("pgrid.page", "1")
    # The last page is shorter: five panels, titles 30-34.
    lab.execute("pgrid.page = 3")
    titles_are(lab, "30", 5)
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel + ' .dhg-pager .widget-label')]"
        ".some((l) => l.textContent === 'of 4: panels 30-34 of 35')", arg=lab.selector, timeout=20_000)
    # A click on a cell of panel 32 reaches Python as panel 32.
    page.locator(f"{lab.selector} .dhg-p2 rect.heatmapcell").nth(7).click()  # row 1, column 1
    lab.wait_for_kernel_value("pgrid.selected", "(32, 1, 1)")


def test_limits_note_says_provisional_then_the_stacks(lab):
    page = lab.page
    lab.execute("pgrid.data = lazy.map_blocks(slow, dtype=values.dtype)\n"
                "pgrid.stack_limits = True")
    note = f"{lab.selector} .dhg-limits-note"
    page.wait_for_function(
        "(sel) => (document.querySelector(sel) || {}).textContent?.startsWith("
        "'Colour limits are provisional')", arg=note, timeout=20_000)
    lab.execute("gate.set()")
    page.wait_for_function(
        "(sel) => (document.querySelector(sel) || {}).textContent?.startsWith("
        "\"Colour limits: the whole stack's (35 panels\")", arg=note, timeout=30_000)
    # The colorbar's top tick follows the whole stack's maximum.
    top = lab.execute("print(pgrid.tick_labels()[-1])").strip()
    assert lab.execute("print(pgrid.limits == (values.min(), values.max()))").strip() == "True"
    page.wait_for_function(
        "([sel, top]) => [...document.querySelectorAll(sel + ' .tick text')]"
        ".some((t) => t.textContent === top)", arg=[lab.selector, top],
        timeout=20_000)


def test_a_frame_shown_keeps_the_page(lab):
    # Issue 24: showing a recorded frame ended paging (the page said 10 heatmaps, no page).
    lab.execute("pgrid.page = 2\npgrid.record('a')\npgrid.update_panel(0, values[20] * 0)\n"
                "pgrid.record('b')\npgrid.frame = 0")
    titles_are(lab, "20", 10)
    lab.page.wait_for_function(
        "(sel) => { const l = document.querySelector(sel + ' .dhg-body').getAttribute('aria-label');"
        " return l.includes('frame a of 2') && l.includes('page 3 of 4 (panels 20 to 29 of 35'); }",
        arg=lab.selector, timeout=20_000)
    assert lab.execute("print(pgrid.paged, pgrid.panel_count, pgrid.page)").strip() == "True 35 2"
