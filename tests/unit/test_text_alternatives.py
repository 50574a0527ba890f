"""Text alternatives: every picture of a grid says in words what it shows.

The summary names the number of maps, their size, the colormap, the colour limits (in
the hover format: one decimal more than the colorbar's) and the highlighted panels; it is
the grid's repr, the text/plain of its output, the <title> of its SVG and the alt text
of its picture in ``--to digitheat-html``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import nbformat
import numpy as np
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from digitheat_widget import DigitHeatmapGrid

SVG = "{http://www.w3.org/2000/svg}"


def expected_summary(data: np.ndarray, colormap: str, labels: list[str], highlighted: list[int],
                     decimals: int) -> str:
    count, rows, cols = data.shape
    lo, hi = float(np.nanmin(data)), float(np.nanmax(data))
    text = (f"{count} heatmaps of {rows} by {cols} cells, colormap {colormap}, colour limits "
            f"{lo:.{decimals}f} to {hi:.{decimals}f}")
    return text + (f", highlighted: {', '.join(labels[i] for i in highlighted)}" if highlighted else "")


@pytest.fixture
def grid():
    grid = DigitHeatmapGrid(highlighted=[3, 8], colormap="viridis")
    yield grid
    grid.close()


def test_repr_is_one_line_summary(grid):
    # The sample's range 0 .. 0.0147: colorbar ticks every 0.002 (3 decimals), hover 4.
    summary = expected_summary(grid.data, "viridis", grid.labels, [3, 8], 4)
    assert repr(grid) == f"<DigitHeatmapGrid: {summary}>"
    assert "\n" not in repr(grid) and len(repr(grid)) < 200


def test_output_text_plain_is_the_summary(grid):
    bundle = grid._repr_mimebundle_()
    assert bundle["text/plain"] == repr(grid)
    assert "image/png" in bundle


def test_svg_title_is_the_summary_and_escaped():
    labels = [f"<b>{i}</b> & co" for i in range(10)]
    grid = DigitHeatmapGrid(labels=labels, highlighted=[1])
    try:
        root = ET.fromstring(grid.to_svg().encode())
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert title is not None
        assert title.text == expected_summary(grid.data, "hot", labels, [1], 4)
    finally:
        grid.close()


def test_summary_follows_changes(grid):
    grid.highlighted = []
    grid.vmin, grid.vmax = None, 0.5
    # 0 .. 0.5: ticks every 0.05 (2 decimals), hover 3.
    assert repr(grid) == "<DigitHeatmapGrid: 10 heatmaps of 7 by 6 cells, colormap viridis, " \
        "colour limits 0.000 to 0.500>"


def test_digitheat_html_picture_has_the_summary_as_alt_text(tmp_path):
    from digitheat_widget.export.nbconvert import StaticFallbackHTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from digitheat_widget import DigitHeatmapGrid\n"
        "DigitHeatmapGrid(highlighted=[2], labels=[f'd<{i}>' for i in range(10)])")])
    ExecutePreprocessor(timeout=120, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(tmp_path)}})
    body, _ = StaticFallbackHTMLExporter().from_notebook_node(nb)
    tags = [t for t in re.findall(r"<img [^>]*>", body) if 'src="data:image/png;base64,' in t]
    assert len(tags) == 1
    images = re.findall(r'alt="([^"]*)"', tags[0])
    from digitheat_widget import sample_data

    labels = [f"d&lt;{i}&gt;" for i in range(10)]  # escaped in the attribute
    assert images[0] == expected_summary(sample_data(), "hot", labels, [2], 4)
    assert "No description has been provided" not in body
