"""Round trips in JupyterLab: one grid shown twice stays in sync, and a notebook saved with
its widget state draws the same grid again after a reload with the kernel gone.

Expected colours come from matplotlib's colormaps and the sample file, never from the
package under test.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from .conftest import open_notebook
from .harness import LabPage, wait_until, write_notebook
from .pagestate import JS_READ_GRID, expected_rgb, panel_view, parse_rgb, reading_order


REPO = Path(__file__).resolve().parents[2]
SAMPLE = np.load(REPO / "digitheat_widget" / "data" / "sample_digits.npy")
RGB_TOLERANCE = 6
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: Every view of the grid (the selector matches each), each as 10 panels in data order:
#: highlighted or not, and per row (bqplot's DOM order: data order) the cells' fill and opacity.
JS_READ_VIEWS = r"""(selector) => [...document.querySelectorAll(selector)].map((root) =>
    [...Array(10).keys()].map((k) => {
        const fig = root.querySelector('.dhg-p' + k);
        if (!fig) return null;
        return {
            highlighted: fig.classList.contains('dhg-highlighted'),
            rows: [...fig.querySelectorAll('g.heatmaprow')].map((row) =>
                [...row.querySelectorAll('rect.heatmapcell')].map((cell) => {
                    const s = getComputedStyle(cell);
                    return [s.fill, parseFloat(s.opacity)];
                })),
        };
    }))"""


def view_fills(view: list) -> np.ndarray:
    """(10, 7, 6, 3) fills of one view."""
    return np.array([[[parse_rgb(fill) for fill, _ in row] for row in panel["rows"]] for panel in view],
                    dtype=float)


def view_opacity(view: list) -> np.ndarray:
    return np.array([[[opacity for _, opacity in row] for row in panel["rows"]] for panel in view])


class TwoViews:
    def __init__(self, lab: LabPage, selector: str) -> None:
        self.lab, self.selector = lab, selector

    def read(self) -> list:
        return self.lab.page.evaluate(JS_READ_VIEWS, self.selector)

    def change_and_wait(self, code: str, expected: np.ndarray | None = None,
                        predicate: str = "true") -> list:
        """Run ``code``; wait until there are two complete, identical views whose fills
        are within RGB_TOLERANCE of ``expected`` (10, 7, 6, 3) and ``predicate(views)``."""
        self.lab.execute(code)
        self.lab.page.wait_for_function(
            f"""([sel, expected, tol]) => {{
                const views = ({JS_READ_VIEWS})(sel);
                if (views.length !== 2 || views.some(v => v.some(p => !p || p.rows.length !== 7))) return false;
                if (JSON.stringify(views[0]) !== JSON.stringify(views[1])) return false;
                if (expected) {{
                    for (let k = 0; k < 10; k++) for (let r = 0; r < 7; r++) for (let c = 0; c < 6; c++) {{
                        const got = views[0][k].rows[r][c][0].match(/[\\d.]+/g).map(Number);
                        for (let i = 0; i < 3; i++) if (Math.abs(got[i] - expected[k][r][c][i]) > tol) return false;
                    }}
                }}
                return ({predicate});
            }}""", arg=[self.selector, None if expected is None else expected.tolist(), RGB_TOLERANCE],
            timeout=30_000)
        return self.read()


@pytest.fixture(scope="module")
def two_views(browser, lab_server):
    setup = ("import numpy as np\nfrom digitheat_widget import DigitHeatmapGrid, sample_data\n"
             "SAMPLE = sample_data()\ntwin = DigitHeatmapGrid()\n")
    write_notebook(lab_server.root / "twin.ipynb", [setup, "twin", "twin"])
    lab = open_notebook(browser, lab_server, "twin.ipynb")
    lab.page.wait_for_function(
        "() => document.querySelectorAll('.digitheat-grid rect.heatmapcell').length === 840", timeout=90_000)
    views = TwoViews(lab, f".{lab.execute('print(twin.css_class)').strip()}")
    yield views
    lab.page.close()


def assert_both(views: list, expected: np.ndarray) -> None:
    assert len(views) == 2
    first, second = view_fills(views[0]), view_fills(views[1])
    np.testing.assert_array_equal(first, second)
    worst = np.abs(first - expected).max()
    assert worst <= RGB_TOLERANCE, f"cells off by up to {worst:.0f} RGB units"


# Each test sets everything it relies on: the tests may run in any order (pytest-randomly).
RESET = "twin.highlighted = []\ntwin.vmax = None\ntwin.data = SAMPLE\n"


def test_two_views_of_one_grid_show_the_same_colours(two_views):
    expected = expected_rgb(SAMPLE, SAMPLE.min(), SAMPLE.max())
    assert_both(two_views.change_and_wait(RESET, expected), expected)


def test_two_views_follow_vmax(two_views):
    expected = expected_rgb(SAMPLE, SAMPLE.min(), 0.01)
    assert_both(two_views.change_and_wait(RESET + "twin.vmax = 0.01", expected), expected)


def test_two_views_follow_new_data(two_views):
    new = SAMPLE[::-1] * 0.8
    expected = expected_rgb(new, new.min(), new.max())
    views = two_views.change_and_wait(RESET + "twin.data = SAMPLE[::-1] * 0.8", expected)
    assert_both(views, expected)


def test_two_views_follow_highlighted(two_views):
    views = two_views.change_and_wait(
        RESET + "twin.highlighted = [2, 5]",
        predicate="views[0].filter(p => p.highlighted).length === 2 && views[0][0].rows[0][0][1] < 1")
    for view in views:
        assert [k for k, panel in enumerate(view) if panel["highlighted"]] == [2, 5]
        opacity = view_opacity(view)
        assert (opacity[[2, 5]] == 1).all() and (opacity[[0, 1, 3, 4, 6, 7, 8, 9]] < 1).all()


# --------------------------------------------------------------------- saved widget state


SETTINGS = Path(".jupyter-home") / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"


#: The notebook is open. Never throws: JupyterLab may navigate while it starts (a second
#: window on the same workspace is moved to a workspace of its own), and a predicate
#: that throws would end the wait instead of retrying in the new page.
JS_NOTEBOOK_OPEN = """(name) => {
    try {
        const w = window.jupyterapp.shell.currentWidget;
        return !!(w && w.sessionContext && w.context.path.endsWith(name));
    } catch (e) { return false; }
}"""


def open_lab(browser, server, name: str) -> LabPage:
    """LabPage.open, robust to that navigation (see JS_NOTEBOOK_OPEN)."""
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server.url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_function(JS_NOTEBOOK_OPEN, arg=name, timeout=60_000)
    lab = LabPage(page, server)
    lab.wait_kernel()
    return lab


def layout(state: dict) -> dict[str, tuple[float, float]]:
    """Where each panel (by its dhg-p<k> class) and the colorbar sit, relative to the grid."""
    x0, y0 = state["box"]["x"], state["box"]["y"]
    where = {}
    for panel in state["panels"]:
        digit = next(c for c in panel["classes"].split() if c.startswith("dhg-p") and c[5:].isdigit())
        where[digit] = (panel["box"]["x"] - x0, panel["box"]["y"] - y0)
    where["colorbar"] = (state["colorbar"]["box"]["x"] - x0, state["colorbar"]["box"]["y"] - y0)
    return where


def _kernels(server) -> list[str]:
    with urllib.request.urlopen(f"{server.url}/api/kernels", timeout=5) as response:
        return [k["id"] for k in json.loads(response.read())]


#: True once the panel titled `title` shows the expected [r, g, b] per cell (page order),
#: each channel within `tol`.
JS_PANEL_SHOWS = """([sel, title, expected, tol]) => { const s = (JS_READ_GRID)(sel);
    const p = s.panels.find((q) => q.title === title);
    return !!p && p.cells.length === expected.length && p.cells.every((c, k) => {
        const rgb = c.fill.match(/[\\d.]+/g).map(Number);
        return rgb.every((v, j) => Math.abs(v - expected[k][j]) <= tol); }); }""".replace(
    "JS_READ_GRID", JS_READ_GRID)


def wait_panel_shows(lab: LabPage, selector: str, title: str, values: np.ndarray) -> None:
    """Wait until panel ``title`` shows ``values`` (colours from matplotlib, not the package)."""
    expected = expected_rgb(values, SAMPLE.min(), SAMPLE.max()).reshape(-1, 3).tolist()
    lab.page.wait_for_function(JS_PANEL_SHOWS, arg=[selector, title, expected, RGB_TOLERANCE],
                               timeout=30_000)


def wait_reversed(lab: LabPage, selector: str) -> None:
    """Wait until the page shows the reversed sample (sent as one full update)."""
    wait_panel_shows(lab, selector, "0", SAMPLE[9])


def wait_all_cells(lab: LabPage) -> None:
    """Wait until the page shows the default grid's 420 cells."""
    lab.page.wait_for_function(
        "() => document.querySelectorAll('.digitheat-grid rect.heatmapcell').length === 420",
        timeout=90_000)


def run_and_reverse(lab: LabPage, name: str) -> str:
    """Run the notebook (it shows grid ``name``), send the reversed sample as one full
    update and wait until the page shows it; return the grid's selector."""
    lab.run_all()
    wait_all_cells(lab)
    selector = f".{lab.execute(f'print({name}.css_class)').strip()}"
    lab.execute(f"{name}.data = {name}.data[::-1].copy()")
    wait_reversed(lab, selector)
    return selector


def assert_shows(state: dict, data: np.ndarray) -> None:
    panels = reading_order([panel_view(p) for p in state["panels"]])
    assert [p.title for p in panels] == [str(d) for d in range(10)]
    for digit, panel in enumerate(panels):
        worst = np.abs(panel.fills - expected_rgb(data[digit], SAMPLE.min(), SAMPLE.max())).max()
        assert worst <= RGB_TOLERANCE, f"panel {digit} off by {worst:.0f}"


def test_page_reload_with_the_kernel_shows_the_latest_values(browser, lab_server):
    """New values reach the page through the grid's controller, not through the marks' own
    messages; a page that reloads its models from the kernel must still get them, and a
    page that missed an update asks for the whole stack (a resync) and gets it."""
    path = lab_server.root / "reload-live.ipynb"
    write_notebook(path, ["from digitheat_widget import DigitHeatmapGrid\nlive = DigitHeatmapGrid()\n",
                          "live"])
    lab = open_lab(browser, lab_server, "reload-live.ipynb")
    try:
        selector = run_and_reverse(lab, "live")
        lab.execute("from digitheat_widget.live.controller import GridController\n"
                    "controller, = [c for c in live.children if isinstance(c, GridController)]\n"
                    "resyncs = []\ncontroller.on_resync(lambda: resyncs.append(1))")
        lab.command("docmanager:save")
        lab.page.reload(wait_until="domcontentloaded")
        lab.page.wait_for_function(JS_NOTEBOOK_OPEN, arg="reload-live.ipynb", timeout=60_000)
        wait_all_cells(lab)
        lab.wait_kernel()
        assert lab.execute("print('live' in globals())").strip() == "True"  # same kernel
        # The reloaded page shows the values of the last update, not the first state's.
        wait_reversed(lab, selector)
        assert_shows(lab.page.evaluate(JS_READ_GRID, selector), SAMPLE[::-1])
        # And the reloaded page still takes updates through the controller.
        lab.execute("live.data = live.data[::-1].copy()")
        wait_panel_shows(lab, selector, "9", SAMPLE[9])
        assert_shows(lab.page.evaluate(JS_READ_GRID, selector), SAMPLE)
        # A page that missed an update (here: Python skips a sequence number, as if a
        # message had been lost) asks for a resync, and then shows the whole new stack.
        resyncs_before = int(lab.execute("print(len(resyncs))").strip())
        lab.execute("controller.data.seq += 1  # the page never saw this one\n"
                    "live.data = live.data[::-1].copy()")
        wait_until(lambda: int(lab.execute("print(len(resyncs))").strip()) > resyncs_before, 30,
                   "the page to ask for a resync")
        wait_reversed(lab, selector)
        assert_shows(lab.page.evaluate(JS_READ_GRID, selector), SAMPLE[::-1])
    finally:
        lab.page.close()


def test_saved_widget_state_renders_after_reload_without_the_kernel(browser, lab_server, output_dir):
    """Run, update the data (one full update through the controller), save with widget state
    (jupyterlab-manager's saveState setting), shut the kernel down, reload the page: the
    grid is drawn again, with the updated values, from the notebook's saved state alone."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    settings = lab_server.root / SETTINGS
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"saveState": True}))
    path = lab_server.root / "saved.ipynb"
    setup = "from digitheat_widget import DigitHeatmapGrid\nsaved = DigitHeatmapGrid()\n"
    write_notebook(path, [setup, "saved"])
    lab = open_lab(browser, lab_server, "saved.ipynb")
    try:
        selector = run_and_reverse(lab, "saved")
        live = layout(lab.page.evaluate(JS_READ_GRID, selector))
        lab.command("docmanager:save")

        def saved_state():
            try:
                notebook = json.loads(path.read_text())
            except (OSError, ValueError):
                return None
            return notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE)

        state = wait_until(saved_state, 30, "the notebook saved with its widget state")
        models = {m["model_name"] for m in state["state"].values()}
        assert {"GridHeatMapModel", "ColorScaleModel", "FigureModel"} <= models

        kernel = lab.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
        lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        wait_until(lambda: kernel not in _kernels(lab_server), 30, "the kernel to shut down")

        lab.page.reload(wait_until="domcontentloaded")
        lab.page.wait_for_function(JS_NOTEBOOK_OPEN, arg="saved.ipynb", timeout=60_000)
        wait_all_cells(lab)
        try:
            wait_reversed(lab, selector)  # the controller draws the values after the cells
        except PlaywrightTimeout:
            pass  # assert_shows says what the page shows instead
        state = lab.page.evaluate(JS_READ_GRID, selector)
        try:
            assert_shows(state, SAMPLE)
        except AssertionError:
            pass
        else:
            raise AssertionError("the restored page shows the data of the first state, not the "
                                 "updated data that was saved")
        assert_shows(state, SAMPLE[::-1])
        # Without a kernel ipywidgets marks every widget disconnected; the grid shows one
        # broken-link icon for itself, not one per panel and colorbar.
        icons = lab.page.evaluate(
            """(sel) => { const root = document.querySelector(sel);
                return [root, ...root.querySelectorAll('.jupyter-widgets-disconnected')]
                    .filter((el) => el.classList.contains('jupyter-widgets-disconnected'))
                    .map((el) => getComputedStyle(el, '::before').content)
                    .filter((content) => content && content !== 'none').length; }""",
            selector)
        assert icons == 1, f"{icons} disconnected icons drawn"
        assert [t["text"] for t in sorted(state["colorbar"]["ticks"], key=lambda t: -t["y"])][-1] == "0.014"
        lab.page.locator(selector).screenshot(path=str(output_dir / "screenshots" / "grid-restored.png"))
        # The same picture, not only the same cells: every panel and the colorbar where the
        # live grid had them (relative to the grid's corner).
        restored = layout(state)
        moved = {k: (live[k], restored.get(k)) for k in live
                 if restored.get(k) is None or max(abs(a - b) for a, b in zip(live[k], restored[k])) > 2}
        assert moved == {}, f"moved after the reload (live, restored): {moved}"
        # Drawn from the saved state, not re-run: the new kernel (if one started) has no grid.
        if lab.page.evaluate("() => !!window.jupyterapp.shell.currentWidget.sessionContext.session"):
            lab.wait_kernel()
            assert lab.execute("print('saved' in globals())").strip() == "False"
    finally:
        settings.unlink(missing_ok=True)
        lab.page.close()
