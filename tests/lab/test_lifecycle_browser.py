"""A click callback that raises, in JupyterLab: real clicks keep working after it, and the
traceback is shown (ipywidgets hands it to IPython, whose output lands in JupyterLab's
log console for the notebook), not swallowed."""

from __future__ import annotations

import pytest

from .conftest import open_grid


SETUP = """\
from digitheat_widget import DigitHeatmapGrid
cgrid = DigitHeatmapGrid()
attempts, clicks = [], []
def broken(digit, row, col, value):
    attempts.append((digit, row, col))
    raise RuntimeError(f"callback broke on cell {digit}-{row}-{col}")
cgrid.on_cell_click(broken)
cgrid.on_cell_click(lambda *args: clicks.append(args[:3]))
"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "cgrid")
    yield lab
    lab.page.close()


def click_cell(lab, digit: int, row: int, col: int) -> None:
    (lab.page.locator(f"{lab.selector} .dhg-p{digit} g.heatmaprow").nth(row)
     .locator("rect.heatmapcell").nth(col).click())




def test_clicks_after_a_raising_callback_still_select(lab):
    click_cell(lab, 2, 3, 4)
    lab.wait_for_kernel_value("cgrid.selected", "(2, 3, 4)")
    click_cell(lab, 6, 1, 2)
    lab.wait_for_kernel_value("cgrid.selected", "(6, 1, 2)")
    assert lab.execute("print(attempts[-2:])").strip() == "[(2, 3, 4), (6, 1, 2)]"
    assert lab.execute("print(clicks[-2:])").strip() == "[(2, 3, 4), (6, 1, 2)]"
    # The page marks the second cell, not the first.
    lab.page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{lab.selector} .dhg-p6 g.heatmaprow:nth-of-type(2)"
        f" rect.heatmapcell:nth-of-type(3)')).stroke.replace(/\\s/g, '') === 'rgb(0,229,255)'")


def test_the_traceback_reaches_the_log_console(lab):
    click_cell(lab, 8, 0, 1)
    lab.wait_for_kernel_value("cgrid.selected", "(8, 0, 1)")
    lab.command("logconsole:open")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        text = lab.page.wait_for_function(
            """() => { const c = document.querySelector('.jp-LogConsolePanel, .jp-LogConsole');
                       const t = c ? c.innerText : '';
                       return t.includes('callback broke on cell 8-0-1') && t; }""",
            timeout=30_000).json_value()
    except PlaywrightTimeout:
        shown = lab.page.evaluate(
            "() => { const c = document.querySelector('.jp-LogConsolePanel, .jp-LogConsole');"
            " return c ? c.innerText : null; }")
        raise AssertionError(f"the log console never showed the traceback; it shows {shown!r}; "
                             f"page errors: {lab.console_errors}") from None
    assert "RuntimeError" in text


def test_closing_a_shown_grid_leaves_the_page_responsive(lab):
    """Closing a grid whose view is shown removed its drawing while its controller's view
    was still in the page: each restyle rewrote the controller's <style>, a mutation its
    own observer answered with another restyle, forever (the page froze, its memory
    grew). Now the page answers, and the next code runs. Last in this file: it closes the
    module's grid."""
    lab.page.wait_for_function("(s) => document.querySelector(s + ' .dhg-controller')",
                               arg=lab.selector)
    # Waited for outside the page (a frozen page never answers an evaluate).
    with lab.page.expect_console_message(lambda m: m.text == "dhg-closed", timeout=20_000):
        lab.page.evaluate("""() => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            kernel.requestExecute({code: 'cgrid.close()'}).done.then(() => {
                requestAnimationFrame(() => console.log('dhg-closed'));
            });
        }""")
    assert lab.execute("print(cgrid.closed)").strip() == "True"
