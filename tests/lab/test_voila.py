"""Voila: a notebook as a web app (a kernel per page view), as teachers hand it out.

Voila is started as a subprocess on a free port with its own Jupyter dirs, serving a
notebook with the default grid and a grid with its control panel; Chromium opens it with
every request that does not go to that server aborted (and counted; Voila's own Font
Awesome CSS from jsdelivr is the one that tries to leave). Read from the page: every cell
of the default grid in matplotlib's "hot" colour of its value; a hover shows the value;
the colormap menu recolours through the kernel. Waits are on conditions
(HTTP status, DOM state); the server is stopped by its PID.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from notebook_pages import expected_colours, fills

from digitheat_widget import sample_data

from .harness import voila_server, write_notebook


CELLS = 420
#: The sample's range: the default grid's automatic colour limits.
SAMPLE_RANGE = (float(sample_data().min()), float(sample_data().max()))
RGB_TOLERANCE = 6

@pytest.fixture(scope="module")
def voila(chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Voila serving grids.ipynb; its URL."""
    root = tmp_path_factory.mktemp("voila")
    write_notebook(root / "grids.ipynb", [
        "from digitheat_widget import DigitHeatmapGrid\nDigitHeatmapGrid()",
        "DigitHeatmapGrid(controls=True)",
    ])
    with voila_server(root, "grids.ipynb") as url:
        yield url


def test_voila_renders_hovers_and_controls(voila: str, browser: Any, output_dir: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    left: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith((voila, "data:", "blob:", voila.replace("http", "ws"))):
            request_route.continue_()
        else:
            left.append(url)
            request_route.abort()

    page.route("**/*", route)
    try:
        page.goto(voila, wait_until="domcontentloaded", timeout=120_000)
        # The kernel starts, runs both cells, and the page draws both grids.
        page.wait_for_function(
            f"() => document.querySelectorAll('.digitheat-grid').length === 2 && "
            f"document.getElementsByClassName('heatmapcell').length >= {2 * CELLS}",
            timeout=120_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.digitheat-grid')].every("
            "(g) => g.querySelectorAll('.dhg-colorbar .tick text').length >= 2)")

        # The default grid: every cell in "hot"'s colour of its value.
        default = fills(page, 0, root=".digitheat-grid")
        assert np.abs(default - expected_colours("hot", *SAMPLE_RANGE)).max() <= RGB_TOLERANCE

        # Hover: the value, with one decimal more than the colorbar's labels.
        ticks = page.locator(".digitheat-grid >> nth=0 >> .dhg-colorbar .tick text"
                             ).all_text_contents()
        decimals = len(ticks[0].split(".")[1]) + 1
        digit, row, col = 3, 0, 2
        expected = format(sample_data()[digit, row, col], f".{decimals}f")
        page.locator(f".digitheat-grid >> nth=0 >> .dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) "
                     f"rect.heatmapcell:nth-of-type({col + 1})").hover()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.bqplot_mark_tooltip')].some(
                 (t) => getComputedStyle(t).display !== 'none' && t.textContent.trim())""")
        shown = page.evaluate(
            """() => [...document.querySelectorAll('.bqplot_mark_tooltip')]
                 .filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.innerText)""")
        assert len(shown) == 1, shown
        text = re.sub(r"\s+", " ", shown[0])
        assert f"{digit} · row {row}" in text and f"value {expected}" in text, text

        # A control: the second grid's colormap menu recolours it (through the kernel:
        # Voila runs one), and leaves the default grid as it was.
        before = fills(page, 1, root=".digitheat-grid")
        page.locator(".digitheat-grid >> nth=1 >> .dhg-controls").get_by_label("colormap", exact=True).select_option("viridis")
        page.wait_for_function(
            "(before) => getComputedStyle(document.querySelectorAll('.digitheat-grid')[1]"
            ".querySelector('.dhg-p0 rect.heatmapcell')).fill !== before",
            arg="rgb({}, {}, {})".format(*before[0]))
        assert np.abs(fills(page, 1, root=".digitheat-grid") - expected_colours("viridis", *SAMPLE_RANGE)).max() <= RGB_TOLERANCE
        assert np.array_equal(fills(page, 0, root=".digitheat-grid"), default)

        page.screenshot(path=output_dir / "screenshots" / "voila.png", full_page=True)
        # Voila 0.5's own page template asks jsdelivr for Font Awesome's CSS (its icons);
        # offline that fails and the page works (all the above ran with it aborted).
        # Nothing else may leave: the grid's front end comes from the server.
        assert [u for u in left if "/@fortawesome/fontawesome-free" not in u] == [], left
        assert errors == [], errors
    finally:
        page.close()
