"""``jupyter nbconvert --to digitheat-html``: the notebook's grids live and offline.

The two-grid notebook (tests/notebook_pages.py) is converted with ``--execute`` (so it
holds its widget state) by the command a teacher would type, and the page is opened
offline in Chromium: pictures first, every cell's colour, hover, a control, a click,
labels as text, nothing requested, the runtime and bqplot's front end once. Without
widget state the same exporter gives the pictures alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from notebook_pages import check_live_grids, two_grids_notebook

#: The alt text of each PNG <img> (nbconvert writes attributes in its own order).
IMG = re.compile(r'<img (?=[^>]*src="data:image/png;base64,)[^>]*\balt="([^"]*)"')


def convert(path: Path, *args: str) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "digitheat-html", *args,
         str(path)], capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return path.with_suffix(".html")


@pytest.fixture(scope="module")
def limits() -> tuple[float, float]:
    from digitheat_widget import DigitHeatmapGrid

    grid = DigitHeatmapGrid()
    try:
        return grid.limits
    finally:
        grid.close()


@pytest.fixture(scope="module")
def live_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nbconvert") / "grids.ipynb"
    nbformat.write(two_grids_notebook(), path)
    return convert(path, "--execute")


def test_page_carries_the_runtime_once_and_no_cdn(live_page: Path) -> None:
    text = live_page.read_text(encoding="utf-8")
    assert text.count('<script type="text/x-digitheat-runtime">') == 1
    assert text.count('data-amd-module="bqplot"') == 1
    assert text.count('<script type="application/vnd.jupyter.widget-view+json">') == 2
    assert len(IMG.findall(text)) == 2  # the pictures, with the summary as alt text
    assert all(alt.startswith("10 heatmaps of 7 by 6 cells") for alt in IMG.findall(text))
    sources = re.findall(r'<script[^>]*\ssrc="([^"]*)"', text)
    assert sources == [], sources  # no require.js, html-manager or MathJax from a CDN
    print(f"\nnbconvert page with two live grids: {len(text.encode()) / 1e6:.2f} MB")


def test_page_live_offline(live_page: Path, offline_browser: Any,
                           limits: tuple[float, float]) -> None:
    check_live_grids(offline_browser, live_page, limits)


def test_without_widget_state_the_pictures(tmp_path: Path) -> None:
    """As JupyterLab saves a notebook by default: outputs, no widget state."""
    import nbclient

    notebook = two_grids_notebook()
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    assert notebook.metadata.pop("widgets", None)
    path = tmp_path / "stored.ipynb"
    nbformat.write(notebook, path)
    text = convert(path).read_text(encoding="utf-8")
    assert len(IMG.findall(text)) == 2
    assert "widget-view+json" not in text and "text/x-digitheat-runtime" not in text
