"""The documentation site (docs/), built by its one command and read offline in Chromium.

``bash scripts/docs.sh OUT`` builds it as a user would (warnings are errors). myst-nb
executes the guide's MyST notebooks and the notebooks of notebooks/, failing the build on
any cell that raises, through its cache in docs/_build/jupyter_cache (cold in CI; on a
developer's machine it executes only what changed). So the build also proves that the
shipped notebooks run from top to bottom.

Then every page is opened with every request that is not ``file:``, ``data:`` or
``blob:`` aborted: no page may ask anything of the network or log an error, a page
with an ``ipywidgets.Output`` shows it (its saved text, not ipywidgets' error box), and
on every page with a grid each grid goes live (its picture replaced by the
live view), and a hover on one of its cells shows a tooltip naming the cell and its
value. Where a grid shows the bundled sample, that value is the sample's. All waits are
on page conditions.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from chromium import block_network

from digitheat_widget import sample_data

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: The pages whose first grid shows the bundled sample, as built.
SAMPLE_PAGES = ["getting-started.html", "guide/explore.html", "notebooks/quickstart.html"]
#: Every page with examples: a grid in each (the guide's MyST notebooks, the notebooks).
GRID_PAGES = [
    "getting-started.html", "guide/look.html", "guide/explore.html", "guide/streaming.html",
    "guide/frames.html", "guide/compare.html", "guide/large.html", "guide/keyboard.html",
    "notebooks/quickstart.html", "notebooks/explore.html", "notebooks/teach.html",
    "notebooks/large.html",
]
#: A tooltip, its white space made single spaces: the SVG grid's (bqplot's table) and the
#: canvas' ("3 · row 0, column 2, value 0.0123"; comparing: the view's name and both values).
TOOLTIP = re.compile(r"row (\d+),? column (\d+),? (?:.*? )?(?:value|data|reference|difference) "
                     r"(-?[0-9.]+(?:e[-+]?\d+)?|NaN)")

#: Shows the tooltip of a cell of the ``index``-th embed and returns its text: an SVG
#: grid's cell is hovered by Playwright (below); a canvas is probed point by point.
VISIBLE_TOOLTIP = """(index) => {
  const embed = document.querySelectorAll('.digitheat-embed')[index];
  const shown = [...embed.querySelectorAll('.dhg-canvas-tooltip'),
                 ...document.querySelectorAll('.bqplot_mark_tooltip')]
    .filter((t) => getComputedStyle(t).display !== 'none' && t.textContent.trim());
  return shown.length ? shown[0].innerText : null;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built by scripts/docs.sh into a fresh folder."""
    out = tmp_path_factory.mktemp("docs") / "html"
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "scripts/docs.sh", str(out)], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=900, env={**os.environ, "DOCS_INSTALL": "0"})
    seconds = time.monotonic() - started
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"\ndocs built in {seconds:.0f} s ({size / 1e6:.1f} MB)")
    return out


def test_every_page_is_built_and_every_notebook_executed(site: Path) -> None:
    """Each source page has its HTML page; each notebook page holds its outputs (the
    build executed it: the cells' outputs and the widget state are in the page)."""
    sources = [p for p in DOCS.rglob("*") if p.suffix in (".md", ".ipynb")
               and "_build" not in p.parts and p.name != "README.md"]
    missing = [str(p.relative_to(DOCS)) for p in sources
               if not (site / p.relative_to(DOCS)).with_suffix(".html").exists()]
    assert missing == []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = site / "notebooks" / f"{notebook.stem}.html"
        text = page.read_text(encoding="utf-8")
        assert 'class="cell_output' in text, notebook.name
        assert 'type="application/vnd.jupyter.widget-state+json"' in text, notebook.name


def _hover_a_cell(page: Any, index: int) -> str:
    """The tooltip text once a cell of the ``index``-th grid of the page is hovered."""
    embed = page.locator(".digitheat-embed").nth(index)
    embed.scroll_into_view_if_needed()
    cells = embed.locator("rect.heatmapcell")
    if cells.count():
        cells.nth(cells.count() // 3).hover()
        page.wait_for_function(f"() => ({VISIBLE_TOOLTIP})({index})")
        return page.evaluate(VISIBLE_TOOLTIP, index)
    canvas = embed.locator(".dhg-canvas canvas")
    canvas.evaluate("(e) => e.scrollIntoView({block: 'start'})")
    box = canvas.bounding_box()
    assert box, f"grid {index} has neither SVG cells nor a canvas"
    # Points of the first panel (its plot starts a few tens of pixels in), on screen.
    for dy in range(40, 200, 20):
        for dx in range(40, 200, 20):
            page.mouse.move(box["x"] + dx, box["y"] + dy)
            text = page.evaluate(VISIBLE_TOOLTIP, index)
            if text:
                return text
    raise AssertionError(f"no point of grid {index}'s canvas shows a tooltip")


def test_every_page_offline_grids_live(site: Path, chromium_browser: Any) -> None:
    # The site's pages (pydata-sphinx-theme also copies a template, webpack-macros.html,
    # into _static/: not a page).
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    assert len(pages) >= 20
    sample = sample_data()
    live: dict[str, int] = {}
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    for path in pages:
        name = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        blocked = block_network(page)
        try:
            page.goto(path.as_uri(), wait_until="load")
            grids = text.count('<div class="digitheat-embed">')
            if grids:
                page.wait_for_function(
                    "() => document.documentElement.dataset.digitheatEmbed === 'ready'"
                    " && !document.querySelector('.digitheat-static, .digitheat-pending')")
                assert page.locator(".digitheat-embed-error").count() == 0, name
                for index in range(grids):
                    tooltip = re.sub(r"\s+", " ", _hover_a_cell(page, index))
                    found = TOOLTIP.search(tooltip)
                    assert found, f"{name}, grid {index}: {tooltip!r}"
                    if index == 0 and name in SAMPLE_PAGES:
                        label = tooltip.split("·")[0].strip()
                        row, col, shown = int(found[1]), int(found[2]), found[3]
                        decimals = len(shown.split(".")[1])
                        want = sample[int(label), row, col]
                        assert abs(float(shown) - want) <= 0.5 * 10 ** -decimals, (
                            name, tooltip, want)
                    page.mouse.move(0, 0)
                live[name] = grids
            assert blocked == [], f"{name} asked the network for {blocked}"
            if "@jupyter-widgets/output" in text:
                assert page.locator(".widget-output").count() >= 1, name
                assert page.locator(".jupyter-widgets-error-widget").count() == 0, name
            assert errors == [], (name, errors)
        finally:
            page.close()
    context.close()
    assert sorted(live) == sorted(GRID_PAGES), live
    print(f"\n{len(pages)} pages offline; live grids: {sum(live.values())} on {len(live)} pages")
