"""A notebook reopened in JupyterLab after its kernel is gone: what the grid output shows.

The notebook is executed by nbclient (as ``jupyter nbconvert --to notebook --execute
--inplace`` does), so its outputs are on disk, then opened in JupyterLab with a fresh
kernel and no cell run: the kernel holds no widget, as after a restart or on another
day. Three cases, each read from the page:

* saved widget state (nbclient's, or JupyterLab's "Save Widget State Automatically"),
  trusted notebook: the live grid, restored from the notebook, every cell in the
  colour of its value, hover works (page-side, no kernel model);
* no widget state, trusted (a notebook saved by JupyterLab with its default settings):
  ipywidgets' renderer writes "Error displaying widget: model not found" and does not
  fall back to the PNG in the same output (an upstream limit, see README);
* no widget state, untrusted (a notebook that came from elsewhere): JupyterLab renders
  only "safe" mimetypes, so the PNG shows, with the summary in the output's text.
"""

from __future__ import annotations

import re
from typing import Any

import nbclient
import nbformat
import numpy as np
import pytest
from nbformat.sign import NotebookNotary

from .harness import LabPage


CELLS = 420
RGB_TOLERANCE = 6
CODE = "from digitheat_widget import DigitHeatmapGrid\nDigitHeatmapGrid()"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    assert notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return notebook


def _write(server: Any, name: str, notebook: nbformat.NotebookNode, *, state: bool,
           trusted: bool) -> str:
    notebook = nbformat.from_dict(notebook)
    if not state:
        notebook.metadata.pop("widgets")
    # Trust is by content (a signature database): each case's notebook is its own.
    notebook.metadata["case"] = name
    if trusted:
        # Signed with the server's own secret, as JupyterLab signs what it saves.
        NotebookNotary(data_dir=str(server.root / ".jupyter-home" / "data")).sign(notebook)
    nbformat.write(notebook, server.root / name)
    return name


#: The output area of the notebook on screen (not of another panel JupyterLab keeps).
OUTPUT = "window.jupyterapp.shell.currentWidget.node.querySelector('.jp-OutputArea')"


def _open(browser: Any, server: Any, name: str) -> LabPage:
    lab = LabPage.open(browser, server, name)  # waits for a fresh, idle kernel; runs nothing
    lab.page.wait_for_function(
        f"() => window.jupyterapp.shell.currentWidget.title.label === {name!r}"
        f" && {OUTPUT} && {OUTPUT}.querySelector('.jp-OutputArea-output') !== null")
    return lab


def _output_text(lab: LabPage) -> str:
    return lab.page.evaluate(f"() => {OUTPUT}.innerText")


def test_saved_state_shows_the_live_grid(lab_server: Any, browser: Any,
                                         executed: nbformat.NotebookNode) -> None:
    import matplotlib

    from digitheat_widget import sample_data

    name = _write(lab_server, "reopen-state.ipynb", executed, state=True, trusted=True)
    lab = _open(browser, lab_server, name)
    page = lab.page
    try:
        page.wait_for_function(
            f"() => document.getElementsByClassName('heatmapcell').length >= {CELLS}"
            " && document.querySelectorAll('.dhg-colorbar .tick text').length >= 2")
        assert "model not found" not in _output_text(lab)
        fills = page.evaluate("""() => {
          const out = [];
          for (let d = 0; d < 10; d++) for (let r = 0; r < 7; r++) for (let c = 0; c < 6; c++)
            out.push(getComputedStyle(document.querySelector(
              `.dhg-p${d} g.heatmaprow:nth-of-type(${r + 1}) rect.heatmapcell:nth-of-type(${c + 1})`)).fill);
          return out;
        }""")
        got = np.array([[int(v) for v in re.findall(r"\d+", f)[:3]] for f in fills])
        data = sample_data()
        expected = matplotlib.colormaps["hot"](
            ((data - data.min()) / (data.max() - data.min())).reshape(-1))[:, :3] * 255
        assert np.abs(got - expected).max() <= RGB_TOLERANCE
        # Hover is the page's own: the kernel has no model of this grid.
        cell = page.locator(".dhg-p3 g.heatmaprow:nth-of-type(1) rect.heatmapcell:nth-of-type(3)")
        cell.hover()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.bqplot_mark_tooltip')].some(
                 (t) => getComputedStyle(t).display !== 'none'
                   && /3 · row\\s+0\\s+column\\s+2\\s+value\\s+\\d/.test(t.innerText))""")
        # (Restoring opens the models' comms, so the kernel holds plain copies of them;
        # no grid: nothing in Python draws or answers for it.)
        grids = lab.execute(
            # open widgets: _instances from ipywidgets 8.0.3 on, Widget._active_widgets before
            "from ipywidgets.widgets import widget\n"
            "registry = getattr(widget, '_instances', None)\n"
            "registry = widget.Widget._active_widgets if registry is None else registry\n"
            "print(sorted({type(w).__name__ for w in registry.values()}))")
        assert "DigitHeatmapGrid" not in grids and "GridController" not in grids, grids
    finally:
        page.close()


def test_trusted_without_state_is_ipywidgets_error(lab_server: Any, browser: Any,
                                                   executed: nbformat.NotebookNode) -> None:
    name = _write(lab_server, "reopen-nostate.ipynb", executed, state=False, trusted=True)
    lab = _open(browser, lab_server, name)
    try:
        lab.page.wait_for_function(
            f"() => {OUTPUT}.innerText.includes('Error displaying widget: model not found')",
            timeout=60_000)
        assert lab.page.evaluate(f"() => {OUTPUT}.querySelectorAll('img').length") == 0
    finally:
        lab.page.close()


def test_untrusted_without_state_shows_the_png(lab_server: Any, browser: Any,
                                               executed: nbformat.NotebookNode) -> None:
    name = _write(lab_server, "reopen-untrusted.ipynb", executed, state=False, trusted=False)
    lab = _open(browser, lab_server, name)
    try:
        lab.page.wait_for_function(
            f"() => {{ const img = {OUTPUT}.querySelector('.jp-RenderedImage img');"
            " return img && img.complete && img.naturalWidth > 300; }", timeout=60_000)
        assert "model not found" not in _output_text(lab)
    finally:
        lab.page.close()
