"""A grid whose page model started late still hears Python (JupyterLab + Chromium).

anywidget gives a model 2 s from its creation to load its module; past that it drops every
message from Python to the model, for good. A page busy for longer meanwhile (here: a
JavaScript output of the same cell that holds the page for 3 s; in use, a large SVG grid
drawing, a slow phone) used to leave the grid showing its first values, deaf to Python.
The expected colours come from matplotlib, never from the package under test.
"""

from __future__ import annotations


import numpy as np

from .conftest import open_notebook
from .harness import write_notebook
from .pagestate import JS_READ_GRID, panel_view, reading_order
from .test_lab import assert_colours, expected_colours

VALUES = np.linspace(0.0, 1.0, 12).reshape(1, 3, 4)
HOLD_MS = 3000  # anywidget's limit is 2 s
SETUP = """\
import numpy as np
from IPython.display import display
from digitheat_widget import DigitHeatmapGrid
"""
# The change after display reaches the page while its model waits: anywidget drops it.
CELL = (f"late = DigitHeatmapGrid(np.array({VALUES.tolist()}), vmin=0.0, vmax=1.0)\n"
        "display(late)\nlate.vmax = 0.5")

#: Holds the page for HOLD_MS the next time a JavaScript module is made from text, as
#: anywidget does right after making a model (its 2 s start with the model): what a page
#: busy drawing something else does to a grid starting meanwhile, made certain.
JS_HOLD_NEXT_MODULE = """(holdMs) => {
    const original = URL.createObjectURL;
    window.__dhgHeldMs = null;
    URL.createObjectURL = function (blob) {
        if (blob && blob.type === 'text/javascript') {
            URL.createObjectURL = original;
            const t0 = performance.now();
            while (performance.now() - t0 < holdMs) { /* the page is busy */ }
            window.__dhgHeldMs = performance.now() - t0;
        }
        return original.call(URL, blob);
    };
}"""

JS_RUN_NEW_CELL = """async (code) => {
    const app = window.jupyterapp;
    const notebook = app.shell.currentWidget.content;
    notebook.activeCellIndex = notebook.widgets.length - 1;
    await app.commands.execute('notebook:insert-cell-below');
    notebook.activeCell.model.sharedModel.setSource(code);
    await app.commands.execute('notebook:run-cell');
}"""


DRAWN_WITH = ("([sel, cells]) => document.querySelector(sel + ' .dhg-body[aria-label]')"
              " && document.querySelectorAll(sel + ' rect.heatmapcell').length === cells")


def wait_for_fill(lab, selector: str, predicate: str) -> dict:
    """Until ``predicate(s)`` holds of the grid read from the page; a timeout says the
    page did not follow Python."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        lab.page.wait_for_function(
            f"(sel) => {{ const s = ({JS_READ_GRID})(sel); return !!s && s.panels.length > 0 && ({predicate}); }}",
            arg=selector, timeout=20_000)
    except PlaywrightTimeout:
        raise AssertionError(f"the page did not follow Python within 20 s ({predicate}); "
                             f"page errors: {lab.console_errors}") from None
    return lab.page.evaluate(JS_READ_GRID, selector)


def test_a_grid_started_while_the_page_was_busy_still_hears_python(browser, lab_server) -> None:
    write_notebook(lab_server.root / "late.ipynb", [SETUP])
    lab = open_notebook(browser, lab_server, "late.ipynb")
    try:
        lab.page.evaluate(JS_HOLD_NEXT_MODULE, HOLD_MS)
        lab.page.evaluate(JS_RUN_NEW_CELL, CELL)
        lab.wait_kernel()
        selector = f".{lab.execute('print(late.css_class)').strip()}"
        # Drawn, its page code running (it writes the keyboard's description), and what
        # Python said while the page was held shown: vmax 0.5.
        lab.page.wait_for_function(DRAWN_WITH, arg=[selector, VALUES.size], timeout=30_000)
        # The condition was forced: the grid's module was held past anywidget's 2 s.
        assert lab.page.evaluate("() => window.__dhgHeldMs") >= HOLD_MS
        state = wait_for_fill(lab, selector,  # 0.5 and above: white at vmax 0.5
                              "s.panels[0].cells[6].fill.replace(/\\s/g, '') === 'rgb(255,255,255)'")
        panels = reading_order([panel_view(p) for p in state["panels"]])
        assert_colours(panels[0].fills, expected_colours(VALUES[0], 0.0, 0.5, "hot"))
        # And what Python says next: limits and data.
        lab.execute("late.vmax = 1.0\nlate.data = 1.0 - late.data")
        state = wait_for_fill(lab, selector,  # 1.0 where 0.0 was: white
                              "s.panels[0].cells[0].fill.replace(/\\s/g, '') === 'rgb(255,255,255)'"
                              " && s.panels[0].cells[6].fill.replace(/\\s/g, '') !== 'rgb(255,255,255)'")
        panels = reading_order([panel_view(p) for p in state["panels"]])
        assert_colours(panels[0].fills, expected_colours(1.0 - VALUES[0], 0.0, 1.0, "hot"))
    finally:
        lab.page.close()
