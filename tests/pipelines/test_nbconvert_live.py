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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import pytest
from chromium import block_network
from notebook_pages import check_live_grids, training_notebook, two_grids_notebook

#: The alt text of each PNG <img> (nbconvert writes attributes in its own order).
IMG = re.compile(r'<img (?=[^>]*src="data:image/png;base64,)[^>]*\balt="([^"]*)"')


def convert(path: Path, *args: str) -> Path:
    result = subprocess.run(
        # A cell waits 120 s at most (nbconvert's default is forever): a kernel that hangs
        # fails the test naming its cell instead of holding CI until its limit.
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "digitheat-html",
         "--ExecutePreprocessor.timeout=120", *args, str(path)],
        capture_output=True, text=True, check=False, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    return path.with_suffix(".html")


#: The page's views are live: no picture and no pending view is left.
LIVE = "!document.querySelector('.digitheat-static, .digitheat-pending')"


@contextmanager
def executed_page(browser: Any, path: Path, notebook: Any, when: str
                  ) -> Iterator[tuple[Any, list[str], list[str]]]:
    """``notebook`` written to ``path``, converted with ``--execute`` and opened offline:
    the page once its views are live and the JavaScript expression ``when`` holds, with
    the requests it tried to send out and the errors it logged."""
    nbformat.write(notebook, path)
    page_path = convert(path, "--execute")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    blocked = block_network(page)
    try:
        page.goto(page_path.as_uri())
        page.wait_for_function(f"() => {LIVE} && ({when})")
        yield page, blocked, errors
    finally:
        page.close()


def code_notebook(*cells: str) -> Any:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


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


def test_page_live_offline(live_page: Path, chromium_browser: Any,
                           sample_limits: tuple[float, float]) -> None:
    check_live_grids(chromium_browser, live_page, sample_limits)


def test_without_widget_state_the_pictures(tmp_path: Path, chromium_browser: Any) -> None:
    """As JupyterLab saves a notebook by default: outputs, no widget state. The page
    shows the pictures and, opened offline, requests nothing but itself: no require.js,
    no html-manager, no MathJax (the notebook has no math)."""
    import nbclient

    notebook = two_grids_notebook()
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    assert notebook.metadata.pop("widgets", None)
    path = tmp_path / "stored.ipynb"
    nbformat.write(notebook, path)
    page_path = convert(path)
    text = page_path.read_text(encoding="utf-8")
    assert len(IMG.findall(text)) == 2
    assert "widget-view+json" not in text and "text/x-digitheat-runtime" not in text
    page = chromium_browser.new_page()
    requested: list[str] = []
    blocked = block_network(page, requested)
    try:
        page.goto(page_path.as_uri(), wait_until="networkidle")
        assert page.locator("img[alt^='10 heatmaps']").count() == 2
    finally:
        page.close()
    assert blocked == []
    assert [url for url in requested if not url.startswith("data:")] == [page_path.as_uri()]


def test_canvas_grid_goes_live_offline(tmp_path: Path, chromium_browser: Any) -> None:
    """A large stack (the canvas renderer): its picture, then its canvas in the colour of
    its values (hot(0.5) everywhere here), offline."""
    import matplotlib
    import numpy as np

    from digitheat_widget.figure import layout as figure_layout

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
        "DigitHeatmapGrid(np.full((100, 28, 28), 0.5), vmin=0.0, vmax=1.0, columns=10)")])
    path = tmp_path / "large.ipynb"
    nbformat.write(notebook, path)
    page_path = convert(path, "--execute")
    assert len(IMG.findall(page_path.read_text(encoding="utf-8"))) == 1
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("file:", "data:", "blob:")) else (blocked.append(r.request.url), r.abort()))
    page.add_init_script(
        "window.__picture = false; const look = () => { if (document.querySelector("
        "'.digitheat-static img')) window.__picture = true; else requestAnimationFrame(look); };"
        " requestAnimationFrame(look);")
    try:
        page.goto(page_path.as_uri())
        x = figure_layout.PANEL_MARGIN["left"] + 2
        y = figure_layout.PANEL_MARGIN["top"] + 2
        rgb = page.wait_for_function(
            f"""() => {{ if (document.querySelector('.digitheat-static')) return false;
                 const c = document.querySelector('.dhg-canvas canvas');
                 if (!c || !c.width) return false;
                 const k = c.width / parseFloat(c.style.width);
                 const p = c.getContext('2d').getImageData({x} * k, {y} * k, 1, 1).data;
                 return p[3] === 255 && p[0] > 200 ? [p[0], p[1], p[2]] : false; }}""",
            timeout=60_000).json_value()
        expected = np.array(matplotlib.colormaps["hot"](0.5)[:3]) * 255
        assert np.abs(np.array(rgb) - expected).max() <= 6
        assert page.evaluate("window.__picture") is True
        assert blocked == []
    finally:
        page.close()


def test_a_cells_streamed_updates_show_in_the_page(tmp_path: Path, chromium_browser: Any) -> None:
    """Issue 24: updates sent one by one in a cell reach the saved page whole (the page
    applies the cell-end patch Python bases on the saved stack), not only the last one."""
    import matplotlib

    notebook = code_notebook(
        "import time\nimport numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
        "g = DigitHeatmapGrid(np.zeros((4, 3, 3)), vmin=0, vmax=10)\ng",
        "for d in range(4):\n    g[d] = np.full((3, 3), d + 1.0)\n    time.sleep(0.05)")
    with executed_page(chromium_browser, tmp_path / "stream.ipynb", notebook,
                       "document.querySelectorAll('rect.heatmapcell').length === 36") as (page, blocked, _):
        shown = page.evaluate("() => [0, 1, 2, 3].map((d) => getComputedStyle(document.querySelector("
                              "`.dhg-p${d} rect.heatmapcell`)).fill)")
        expected = [matplotlib.colors.to_hex(matplotlib.colormaps["hot"]((d + 1) / 10)) for d in range(4)]
        got = ["#{:02x}{:02x}{:02x}".format(*(int(v) for v in re.findall(r"\d+", f)[:3])) for f in shown]
        for have, want in zip(got, expected):
            assert max(abs(int(have[i:i + 2], 16) - int(want[i:i + 2], 16)) for i in (1, 3, 5)) <= 6, (got, expected)
        assert blocked == []


def test_a_cells_recorded_frames_play_in_the_page(tmp_path: Path, chromium_browser: Any) -> None:
    """Issue 24: the README's training loop executed by nbconvert: the page held the first
    frame recorded and named the last, so it could not play them. Every frame is saved, and
    the page steps through all five with the keyboard, offline, each showing its values."""
    import numpy as np

    summary = "document.querySelector('.dhg-body').getAttribute('aria-label')"
    with executed_page(chromium_browser, tmp_path / "training.ipynb", training_notebook(),
                       f"({summary} || '').includes('frame epoch 4 of 5')") as (page, blocked, _):
        frames = np.load(tmp_path / "frames.npy")
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")  # panel 1, cell (0, 0)
        for epoch in (3, 2, 1, 0):
            page.keyboard.press("[")
            page.wait_for_function(f"() => {summary}.includes('frame epoch {epoch} of 5')")
            said = page.evaluate("() => document.querySelector('.dhg-announce').textContent")
            value = float(said.rsplit("value ", 1)[1])
            assert value == pytest.approx(frames[epoch, 1, 0, 0], rel=1e-2, abs=1e-4), (epoch, said)
        assert blocked == []


def test_an_output_area_shows_its_saved_outputs_offline(tmp_path: Path, chromium_browser: Any) -> None:
    """An ``ipywidgets.Output`` (the explore notebook reads clicks into one) shows what was
    printed and displayed into it while the notebook ran: its text as text (markup
    in it is not markup), and a grid displayed into it live. Before, the runtime had no
    Output module and showed ipywidgets' error box in its place."""
    printed = "clicked <b>digit 3</b> & row 2"
    notebook = code_notebook(
        "import ipywidgets as widgets\nimport numpy as np\n"
        "from digitheat_widget import DigitHeatmapGrid\n"
        "out = widgets.Output()\n"
        f"with out:\n    print({printed!r})\n"
        "    display(DigitHeatmapGrid(np.arange(24.0).reshape(4, 2, 3), vmin=0, vmax=23))\n"
        "out")
    with executed_page(chromium_browser, tmp_path / "output.ipynb", notebook,
                       "document.querySelectorAll('.widget-output rect.heatmapcell').length === 24"
                       ) as (page, blocked, errors):
        assert page.locator(".widget-output pre").first.text_content() == printed + "\n"
        assert page.locator(".widget-output b").count() == 0
        assert page.locator(".jupyter-widgets-error-widget, .digitheat-embed-error").count() == 0
        assert blocked == [] and errors == []


def test_a_per_panel_grid_goes_live_offline(tmp_path: Path, chromium_browser: Any) -> None:
    """Issue 27: a grid with per-panel limits has no colorbar, so its picture must give way
    to the live view on each panel's scale strip instead (before, the page waited for a
    colorbar tick that never came, and kept the picture)."""
    notebook = code_notebook(
        "import numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
        "DigitHeatmapGrid(np.arange(24.0).reshape(4, 2, 3) * [[[1]], [[10]], [[100]], [[1000]]],"
        " panel_limits='per-panel')")
    with executed_page(chromium_browser, tmp_path / "per-panel.ipynb", notebook,
                       "document.querySelectorAll('rect.heatmapcell').length === 24") as (page, blocked, _):
        assert page.locator(".dhg-strip").count() == 4
        assert blocked == []
