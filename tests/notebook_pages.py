"""Pages built from a notebook with two grids (Sphinx + myst-nb, Jupyter Book 1, nbconvert),
opened offline in Chromium and read back: what the reader sees and can do.

The notebook: grid A, the default grid with its control panel ("hot"); grid B, viridis,
with labels that are markup. :func:`check_live_grids` opens a built page with every
request that is not ``file:``, ``data:`` or ``blob:`` aborted, and checks, from the page:
the pictures come first; both grids go live with every cell in the colour matplotlib
gives its value; a hover shows the value; the colormap menu recolours grid A alone; a
click outlines a cell; labels stay text; the runtime and bqplot's front end are in the
page once; nothing was requested from the network and nothing logged an error.
All waits are on page conditions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from chromium import block_network

from digitheat_widget import sample_data

EVIL = "</script><b>"
GRID_A = "DigitHeatmapGrid(controls=True)"
GRID_B = f"DigitHeatmapGrid(colormap='viridis', labels=[f'{EVIL}{{i}}' for i in range(10)])"
CELLS = 420  # 10 maps of 7 x 6
RGB_TOLERANCE = 6
VIEWPORT = {"width": 1100, "height": 1200}

#: Before any script of the page: ``first``, what the first animation frame that shows a
#: grid in any form (picture or live) holds; ``pictures``, the most pictures a frame
#: showed before any live cell existed.
PROBE = """
window.__first = null;
window.__pictures = 0;
const look = () => {
  const pictures = document.querySelectorAll('.digitheat-static img').length;
  const cells = document.getElementsByClassName('heatmapcell').length;
  if ((pictures || cells) && window.__first === null) window.__first = { pictures, cells };
  if (cells) return;
  window.__pictures = Math.max(window.__pictures, pictures);
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""


def two_grids_notebook() -> nbformat.NotebookNode:
    """The notebook, not executed."""
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Two grids\n\nThe sample, twice."),
            nbformat.v4.new_code_cell(f"from digitheat_widget import DigitHeatmapGrid\n{GRID_A}"),
            nbformat.v4.new_code_cell(GRID_B),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}},
    )


def training_notebook() -> nbformat.NotebookNode:
    """The README's training loop, not executed: the grid shown in one cell, five frames
    recorded in the next, apart (each its own message, as an epoch's would be); the cell
    saves the frames it recorded to ``frames.npy`` beside the notebook."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import time\nimport numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
        "g = DigitHeatmapGrid()\ng"), nbformat.v4.new_code_cell(
        "for epoch in range(5):\n    g.data = g.data * (epoch + 2)\n"
        "    g.record(f'epoch {epoch}')\n    time.sleep(0.05)\n"
        "np.save('frames.npy', g.frames)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})


def _rgb(text: str) -> list[int]:
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", text)
    assert match, f"{text!r} is not an rgb() colour"
    return [int(v) for v in match.groups()]


def expected_colours(colormap: str, lo: float, hi: float) -> np.ndarray:
    """matplotlib's colours of the sample's cells, in (panel, row, column) order."""
    import matplotlib

    values = np.clip((sample_data() - lo) / (hi - lo), 0.0, 1.0).reshape(-1)
    return np.asarray(matplotlib.colormaps[colormap](values))[:, :3] * 255


CELL_FILLS = """([selector, index]) => {
  const root = document.querySelectorAll(selector)[index];
  const out = [];
  for (let d = 0; d < 10; d++) for (let r = 0; r < 7; r++) for (let c = 0; c < 6; c++) {
    const e = root.querySelector(
      `.dhg-p${d} g.heatmaprow:nth-of-type(${r + 1}) rect.heatmapcell:nth-of-type(${c + 1})`);
    out.push(e ? getComputedStyle(e).fill : null);
  }
  return out;
}"""


def _cell(embed: int, digit: int, row: int, col: int) -> str:
    return (f".digitheat-embed >> nth={embed} >> .dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) "
            f"rect.heatmapcell:nth-of-type({col + 1})")


def fills(page: Any, embed: int, root: str = ".digitheat-embed") -> np.ndarray:
    """The fill of every cell of the sample's 10 x 7 x 6 grid in the ``embed``-th element
    matching ``root`` (an embed's output, or a grid in Voila), in (panel, row, column) order."""
    found = page.evaluate(CELL_FILLS, [root, embed])
    missing = sum(f is None for f in found)
    assert missing == 0, f"grid {embed}: {missing} of {CELLS} cells are not drawn"
    return np.array([_rgb(f) for f in found])


def open_offline(browser: Any, path: Path) -> tuple[Any, Any, list[str], list[str]]:
    """(context, page, blocked URLs, console errors) of ``path`` opened offline, once both
    grids are live (all cells drawn, the pictures gone). ``page.requested`` lists every
    URL the page asked for."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested: list[str] = []
    page.requested = requested
    blocked = block_network(page, requested)
    page.add_init_script(PROBE)
    page.goto(path.as_uri())
    page.wait_for_function("() => document.documentElement.dataset.digitheatEmbed === 'ready'")
    page.wait_for_function(
        f"() => document.getElementsByClassName('heatmapcell').length >= {2 * CELLS}"
        " && !document.querySelector('.digitheat-static, .digitheat-pending')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.digitheat-embed')].every("
        "(e) => e.querySelectorAll('.dhg-colorbar .tick text').length >= 2)")
    return context, page, blocked, errors


def console_errors(browser: Any, path: Path) -> list[str]:
    """The console errors of a page with no grid (a theme's own), opened offline."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("file:", "data:", "blob:")) else r.abort())
    page.goto(path.as_uri(), wait_until="load")
    context.close()
    return errors


def check_live_grids(browser: Any, path: Path, limits: tuple[float, float], *,
                     theme_errors: list[str] = ()) -> dict[str, Any]:
    """Every check of the module docstring on the page at ``path``; ``limits``: the
    sample's automatic colour limits; ``theme_errors``: console errors the site's theme
    logs on its pages without grids (:func:`console_errors`), not counted. Returns facts
    for the caller to print."""
    context, page, blocked, errors = open_offline(browser, path)
    try:
        lo, hi = limits
        # The pictures came first: the first frame with a grid showed a picture and no
        # live cell, and both pictures were on screen before any live cell existed.
        first = page.evaluate("window.__first")
        assert first["cells"] == 0 and first["pictures"] >= 1, first
        assert page.evaluate("window.__pictures") == 2
        assert page.locator(".digitheat-embed").count() == 2

        # Every cell drawn, in the colour matplotlib gives its value.
        a_before, b_before = fills(page, 0), fills(page, 1)
        for name, got, cmap in (("A", a_before, "hot"), ("B", b_before, "viridis")):
            worst = np.abs(got - expected_colours(cmap, lo, hi)).max()
            assert worst <= RGB_TOLERANCE, f"grid {name}: a cell is {worst} off {cmap}"

        # Labels are text: grid B's titles read as written, and no <b> was made of them.
        titles = page.locator(".digitheat-embed >> nth=1 >> .dhg-p3 .mainheading").all_text_contents()
        assert titles == [f"{EVIL}3"]
        assert page.locator(".digitheat-embed b").count() == 0

        # Hover a cell of grid B: its tooltip shows the label, place and value, formatted
        # with one decimal more than the colorbar's labels.
        ticks = page.locator(".digitheat-embed >> nth=1 >> .dhg-colorbar .tick text"
                             ).all_text_contents()
        decimals = len(ticks[0].split(".")[1]) + 1
        digit, row, col = 3, 0, 2
        expected = format(sample_data()[digit, row, col], f".{decimals}f")
        page.locator(_cell(1, digit, row, col)).hover()
        page.wait_for_function(
            """(expected) => [...document.querySelectorAll('.bqplot_mark_tooltip')].some(
                 (t) => getComputedStyle(t).display !== 'none' && t.textContent.includes(expected))""",
            arg=expected)
        shown = page.evaluate(
            """() => [...document.querySelectorAll('.bqplot_mark_tooltip')]
                 .filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.innerText)""")
        assert len(shown) == 1
        text = re.sub(r"\s+", " ", shown[0])
        assert f"{EVIL}{digit} · row {row}" in text and f"column {col}" in text, text
        assert f"value {expected}" in text, text

        # Grid A's colormap menu recolours grid A, and only it.
        menu = page.locator(".digitheat-embed >> nth=0 >> .dhg-controls").get_by_label(
            "colormap", exact=True)
        menu.select_option("viridis")
        page.wait_for_function(
            "([sel, before]) => getComputedStyle(document.querySelector(sel)).fill !== before",
            arg=[".digitheat-embed .dhg-p0 rect.heatmapcell",
                 "rgb({}, {}, {})".format(*a_before[0])])
        a_after = fills(page, 0)
        assert np.abs(a_after - expected_colours("viridis", lo, hi)).max() <= RGB_TOLERANCE
        assert np.array_equal(fills(page, 1), b_before)

        # A click outlines the cell (the selection), in grid A.
        cell = page.locator(_cell(0, digit, row, col))
        cell.click()
        page.wait_for_function(
            "(e) => getComputedStyle(e).strokeWidth === '3px'", arg=cell.element_handle())

        # The runtime and bqplot's front end are in the page once, for both grids.
        amd = page.evaluate("""() => [...document.querySelectorAll('script[data-amd-module]')]
                                       .map((s) => s.getAttribute('data-amd-module'))""")
        assert amd.count("bqplot") == 1, amd
        runtime_files = [u for u in page.requested
                         if re.search(r"/digitheat-embed\.[0-9a-f]+\.js$", u)]
        assert blocked == [], f"requests left the page: {blocked}"
        assert [e for e in errors if e not in theme_errors] == [], errors
        return {"amd": amd, "runtime_requests": len(runtime_files)}
    finally:
        context.close()
