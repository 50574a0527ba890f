"""``--to digitheat-html`` in-process: malformed saved widget state, and pages without one.

A notebook holding one grid's output and its saved state is made here, with no kernel
(the grid's display bundle and ipywidgets' ``dependency_state``, as nbclient saves them).
Each malformed variant (tests/malformed_states.py) goes through the exporter: the page is
written, shows the picture, carries no view, no runtime and no state, and the log names
what is wrong. A page without widget state (JupyterLab's default save) names no URL to
load (the pipelines tier opens it offline in Chromium); MathJax is kept for math alone.
"""

from __future__ import annotations

import copy
import logging
import re

import nbformat
import pytest
from ipywidgets.embed import dependency_state
from malformed_states import MALFORMED
from nbconvert import HTMLExporter

from digitheat_widget import DigitHeatmapGrid, sample_data
from digitheat_widget.export.nbconvert import StaticFallbackHTMLExporter
from digitheat_widget.export.saved_state import WIDGET_STATE, SavedStateError, notebook_state

IMG = re.compile(r'<img (?=[^>]*src="data:image/png;base64,)[^>]*\balt="10 heatmaps')
URL = re.compile(r'\b(?:src|href)="(?:https?:)?//')


@pytest.fixture(scope="module")
def saved_notebook() -> nbformat.NotebookNode:
    grid = DigitHeatmapGrid(sample_data(), columns=2)
    bundle = grid._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("grid", outputs=[
        nbformat.v4.new_output("display_data", data=bundle)])
    state = dependency_state([grid], drop_defaults=False)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A grid"), cell])
    notebook.metadata["widgets"] = {
        WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": state}}
    # Through JSON, as a stored notebook is read.
    notebook = nbformat.reads(nbformat.writes(notebook), as_version=4)
    grid.close()
    return notebook


def export(notebook: nbformat.NotebookNode, caplog: pytest.LogCaptureFixture) -> tuple[str, str]:
    exporter = StaticFallbackHTMLExporter()
    exporter.log = logging.getLogger("digitheat-test-nbconvert")
    with caplog.at_level(logging.WARNING, logger="digitheat-test-nbconvert"):
        page, _ = exporter.from_notebook_node(notebook)
    return page, caplog.text


def test_well_formed_state_goes_live(saved_notebook, caplog) -> None:
    page, log = export(saved_notebook, caplog)
    assert log == ""
    assert page.count('<script type="text/x-digitheat-runtime">') == 1
    assert page.count('<script type="application/vnd.jupyter.widget-view+json">') == 1
    assert len(IMG.findall(page)) == 1 and not URL.search(page)


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_state_gives_the_picture_and_names_the_fault(
        saved_notebook, caplog, name: str) -> None:
    variant = MALFORMED[name]
    notebook = copy.deepcopy(saved_notebook)
    variant.change(notebook)
    if variant.plain_html:
        HTMLExporter().from_notebook_node(copy.deepcopy(notebook))  # plain --to html copes
    page, log = export(notebook, caplog)
    assert "shown as pictures" in log and variant.names in log, log
    assert len(IMG.findall(page)) == 1
    assert "widget-view+json" not in page and "widget-state+json" not in page
    assert "text/x-digitheat-runtime" not in page
    assert not URL.search(page), URL.findall(page)  # no CDN widget manager either
    with pytest.raises(SavedStateError, match=re.escape(variant.names)):
        notebook_state(notebook.metadata)  # the one check, as Sphinx's checked_state


def test_without_state_the_page_names_no_url(saved_notebook, caplog) -> None:
    """As JupyterLab saves a notebook by default: no require.js, no html-manager, no
    MathJax from a CDN (the notebook has no math), and no warning."""
    notebook = copy.deepcopy(saved_notebook)
    del notebook.metadata["widgets"]
    page, log = export(notebook, caplog)
    assert log == ""
    assert len(IMG.findall(page)) == 1
    assert not URL.search(page), URL.findall(page)
    assert "require.min.js" not in page and "mathjax" not in page.lower()


def test_math_still_loads_mathjax(saved_notebook, caplog) -> None:
    notebook = copy.deepcopy(saved_notebook)
    del notebook.metadata["widgets"]
    notebook.cells[0].source = "# A grid\n\nIts values are $p(x)$."
    page, _ = export(notebook, caplog)
    assert "mathjax" in page.lower() and "require.min.js" not in page
