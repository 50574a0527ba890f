"""The widget's display output carries a static PNG, so nbconvert, nbviewer and GitHub show
the figure where no widget can render."""

from __future__ import annotations

import base64
import copy
import io
import re
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import numpy as np
import pytest
from nbconvert import HTMLExporter, LatexExporter
from PIL import Image
from traitlets.config import Config

from digitheat_widget.export.nbconvert import StaticFallbackHTMLExporter

REPO = Path(__file__).resolve().parents[2]
PNG_IMG = re.compile(r'<img[^>]*src="data:image/png;base64,')


@pytest.fixture(scope="module")
def executed_quickstart() -> nbformat.NotebookNode:
    notebook = nbformat.read(REPO / "notebooks" / "quickstart.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    return notebook


def _grid_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]


def test_display_output_has_widget_view_and_png(executed_quickstart) -> None:
    outputs = _grid_outputs(executed_quickstart)
    assert len(outputs) == 1, "the quickstart displays one grid"
    data = outputs[0]["data"]
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("RGB")
    # The picture is the default grid: wider than one panel, taller than wide (5 rows of 2),
    # with the "hot" colormap's black and near-white both present.
    width, height = image.size
    assert 300 < width < 600 and height > width
    pixels = np.asarray(image).reshape(-1, 3)
    assert (pixels.max(axis=1) < 20).any(), "black cells (hot's low end)"
    assert (pixels.min(axis=1) > 240).sum() > 0
    assert ((pixels[:, 0] > 200) & (pixels[:, 1] < 60) & (pixels[:, 2] < 60)).any(), "red cells"


def test_plain_nbconvert_html_would_lose_the_picture(executed_quickstart) -> None:
    """Why the digitheat-html exporter exists: with saved widget state (nbclient saves it),
    nbconvert's HTML picks the widget view, which needs the widget runtime from a CDN."""
    assert executed_quickstart.metadata.get("widgets")  # nbclient saved the widget state
    body, _ = HTMLExporter().from_notebook_node(copy.deepcopy(executed_quickstart))
    assert not PNG_IMG.search(body)


def test_plain_nbconvert_html_shows_the_picture_without_saved_widget_state(executed_quickstart) -> None:
    """A notebook saved without widget state (JupyterLab's default) needs no special
    exporter: nbconvert skips a widget view it has no state for and takes the PNG."""
    notebook = copy.deepcopy(executed_quickstart)
    notebook.metadata.pop("widgets", None)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    assert len(PNG_IMG.findall(body)) == len(_grid_outputs(notebook)) >= 1


def test_digitheat_html_exporter_shows_the_picture_then_the_live_grid(executed_quickstart,
                                                                      tmp_path) -> None:
    path = tmp_path / "quickstart.ipynb"
    nbformat.write(executed_quickstart, path)
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to",
                             "digitheat-html", str(path)], capture_output=True, text=True,
                            check=False)
    # The exporter is found through the installed package's entry point
    # (pyproject.toml: digitheat_widget.export.nbconvert); an install made before the
    # module moved still names the old one: reinstall (pip install -e .).
    assert result.returncode == 0, result.stderr[-2000:]
    body = (tmp_path / "quickstart.html").read_text()
    # The notebook holds widget state: the picture, then the view the offline runtime
    # renders in its place (tests/test_nbconvert_live.py opens such a page).
    assert len(PNG_IMG.findall(body)) == 1
    assert body.count('<script type="application/vnd.jupyter.widget-view+json">') == 1
    assert body.count('<script type="text/x-digitheat-runtime">') == 1


def test_always_static_keeps_the_pictures_alone(executed_quickstart) -> None:
    exporter = StaticFallbackHTMLExporter(
        config=Config({"StaticFallbackPreprocessor": {"always_static": True}}))
    body, _ = exporter.from_notebook_node(executed_quickstart)
    assert len(PNG_IMG.findall(body)) == 1
    assert '<script type="application/vnd.jupyter.widget-view+json">' not in body
    assert "text/x-digitheat-runtime" not in body
    # The caller's notebook keeps its outputs as they were.
    assert _grid_outputs(executed_quickstart)


def test_latex_export_uses_the_picture(executed_quickstart) -> None:
    notebook = copy.deepcopy(executed_quickstart)
    # Markdown cells need pandoc for LaTeX; the code cells and their outputs are what counts.
    notebook.cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    body, resources = LatexExporter().from_notebook_node(notebook)
    pngs = [name for name in resources["outputs"] if name.endswith(".png")]
    assert len(pngs) == 1 and pngs[0] in body
