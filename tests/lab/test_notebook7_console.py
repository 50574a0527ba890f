"""Notebook 7, Run All: the page logs no console error.

The issue saw three ``<rect> attribute width: A negative value is not valid ("-70")``
errors on Run All in Notebook 7. They are the three rects bqplot's FigureView sizes to its
plot area (the clipPath's rect, ``rect.plotarea_background``, ``rect.plotarea_events``) of
the colorbar's Figure, laid out while its element measured 0 px wide: plot width = 0 -
(left + right margins) = -(72 - 2) for a 72 px colorbar. A panel laid out at zero size
gives -34 x -52 (its margins). At this commit Run All of each notebook in notebooks/ logs
no error beyond what Notebook 7 logs for a notebook without widgets (one uncaught
"reading 'schema'" TypeError of its own, with this harness's settings), and sets no
negative rect size (a probe sees every width and height set on a rect by script); a
grid displayed inside a container that is hidden when it renders (a Tab's other page)
still gets them from bqplot: that case is kept below as a strict xfail, so it reports
when fixed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .harness import LabPage, write_notebook


REPO = Path(__file__).resolve().parents[2]

#: Before any script: every negative width or height a script sets on an SVG rect, with
#: the rect's place (what Chromium's console error does not say).
PROBE = r"""
window.__negative = [];
const setAttribute = Element.prototype.setAttribute;
Element.prototype.setAttribute = function (name, value) {
  if (this.tagName === 'rect' && (name === 'width' || name === 'height') && parseFloat(value) < 0) {
    const where = [];
    for (let e = this; e && where.length < 5; e = e.parentElement) {
      where.push(e.tagName + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ').join('.') : ''));
    }
    window.__negative.push(`${name}=${value} at ${where.join(' < ')}`);
  }
  return setAttribute.call(this, name, value);
};
"""

DONE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = [...w.node.querySelectorAll('.jp-CodeCell')];
  return !!k && k.status === 'idle' && cells.length > 0 && cells.every((c) => {
    const p = c.querySelector('.jp-InputArea-prompt');
    return p && /\\[\\d+\\]/.test(p.textContent);
  });
}"""


@pytest.fixture(scope="module")
def notebook7(notebook7_server: Any) -> Any:
    root = notebook7_server.root
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    write_notebook(root / "plain.ipynb", ["1 + 1"])
    write_notebook(root / "hidden.ipynb", [
        ("import ipywidgets as w\nfrom digitheat_widget import DigitHeatmapGrid\n"
         "w.Tab([w.Label('first page'), DigitHeatmapGrid()])")])
    return notebook7_server


def run_all(browser: Any, server: Any, name: str) -> tuple[list[str], list[str]]:
    """Run All in Notebook 7; (console errors, negative rect sizes) once every cell ran."""
    page = browser.new_page()
    page.add_init_script(PROBE)
    lab = LabPage(page, server)
    try:
        page.goto(f"{server.url}/notebooks/{name}", wait_until="domcontentloaded")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
        lab.run_all()
        page.wait_for_function(DONE, timeout=300_000)
        # Every grid output drawn (bqplot's rects are set as it draws).
        if name != "plain.ipynb":
            page.wait_for_function(
                "() => [...document.querySelectorAll('.digitheat-grid')].every("
                "(g) => g.querySelector('rect.heatmapcell, .dhg-canvas canvas'))",
                timeout=120_000)
        return list(lab.console_errors), page.evaluate("window.__negative")
    finally:
        page.close()


@pytest.fixture(scope="module")
def baseline_errors(notebook7: Any, browser: Any) -> list[str]:
    """What Notebook 7 logs on Run All of a notebook with no widget (its own)."""
    errors, negative = run_all(browser, notebook7, "plain.ipynb")
    assert negative == []
    return errors


@pytest.mark.parametrize("name", ["quickstart.ipynb", "explore.ipynb", "teach.ipynb"])
def test_run_all_logs_no_error(notebook7: Any, browser: Any, baseline_errors: list[str],
                               name: str) -> None:
    errors, negative = run_all(browser, notebook7, name)
    assert negative == [], negative
    assert [e for e in errors if e not in baseline_errors] == [], errors
    print(f"\n{name}: Notebook 7's own errors, as with no widget: {baseline_errors}")


@pytest.mark.xfail(strict=True, reason=(
    "bqplot lays out a Figure rendered in a hidden container at 0 px: its plot-area rects "
    "get -34 x -52 (panel margins). Needs the page-side controller (js/src/page/controller.js, "
    "not changed here) to defer a figure view's first layout until its element has a size"))
def test_grid_rendered_hidden_logs_no_negative_size(notebook7: Any, browser: Any) -> None:
    _errors, negative = run_all(browser, notebook7, "hidden.ipynb")
    assert negative == [], negative
