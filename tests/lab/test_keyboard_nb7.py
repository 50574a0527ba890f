"""Notebook 7 (a client of its own): the grid fits a narrow window; keys on the focused grid reach the
grid, not Notebook 7's shortcuts (Enter would edit the cell, H opens its help); the live
region reads the cell, Enter selects and H highlights, in Python too."""

from __future__ import annotations



from .harness import LabPage, write_notebook


SETUP = """\
from digitheat_widget import DigitHeatmapGrid, sample_data
ngrid = DigitHeatmapGrid()
ngrid"""




def test_keys_reach_the_grid_in_notebook7(browser, notebook7_server):
    server = notebook7_server
    write_notebook(server.root / "keys.ipynb", [SETUP])
    page = browser.new_page()
    page.goto(f"{server.url}/notebooks/keys.ipynb", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
    lab = LabPage(page, server)
    lab.run_all()
    page.wait_for_function("() => document.querySelector('.digitheat-grid .dhg-body[aria-label]')"
                           " && document.querySelectorAll('rect.heatmapcell').length === 420",
                           timeout=120_000)
    from digitheat_widget import sample_data

    data = sample_data()
    body = page.locator(".digitheat-grid .dhg-body")
    body.focus()
    for key in ("PageDown", "ArrowDown", "ArrowDown", "ArrowRight"):
        page.keyboard.press(key)
    announced = page.evaluate("() => document.querySelector('.digitheat-grid .dhg-announce').textContent")
    assert announced == f"1, row 2, column 1, value {data[1, 2, 1]:.4f}"
    page.keyboard.press("Enter")
    lab.wait_for_kernel_value("ngrid.selected", "(1, 2, 1)")
    page.keyboard.press("h")
    lab.wait_for_kernel_value("ngrid.highlighted", "[1]")
    # Still on the grid: Notebook 7 took none of the keys.
    assert page.evaluate("() => document.activeElement === document.querySelector('.digitheat-grid .dhg-body')")
    page.close()


def test_the_grid_fits_a_narrow_notebook7_window(browser, notebook7_server):
    """Issue 28 in Notebook 7: in a 390 px window the grid with its control panel fits
    its output area (nothing scrolls sideways; the colorbar and its labels inside)."""
    server = notebook7_server
    write_notebook(server.root / "narrow.ipynb", [
        "from digitheat_widget import DigitHeatmapGrid\nDigitHeatmapGrid(controls=True)"])
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 1400})
    page.goto(f"{server.url}/notebooks/narrow.ipynb", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
    LabPage(page, server).run_all()
    page.wait_for_function("""() => {
      const grid = document.querySelector('.digitheat-grid');
      const area = grid && grid.closest('.jp-OutputArea-output');
      if (!area || document.querySelectorAll('rect.heatmapcell').length !== 420) return false;
      const right = area.getBoundingClientRect().right;
      const boxes = [area, grid, ...grid.querySelectorAll('.widget-box')];
      const ends = [grid.querySelector('.dhg-colorbar'), ...grid.querySelectorAll('.dhg-colorbar .tick text')]
        .map((e) => e.getBoundingClientRect().right);
      return boxes.every((b) => b.scrollWidth <= b.clientWidth) && ends.every((r) => r <= right);
    }""", timeout=120_000)
    page.close()
