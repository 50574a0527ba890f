"""Importing the package in JupyterLab loads a grid's widget modules into the page before
any grid is shown (live/prefetch.py, js/src/page/prefetch.js), and the model that asked
is closed once the page has answered."""

from __future__ import annotations

from digitheat_widget.live.prefetch import GRID_CLASSES

from .conftest import open_notebook
from .harness import write_notebook

#: How many files of each widget package's front end the page has loaded, its
#: remoteEntry (loaded with JupyterLab) aside.
JS_FILES_LOADED = """() => {
    const counts = {bqplot: 0, bqscales: 0};
    for (const entry of performance.getEntriesByType('resource')) {
        for (const name of Object.keys(counts)) {
            if (entry.name.includes(`/extensions/${name}/static/`)
                    && !entry.name.includes('remoteEntry')) counts[name]++;
        }
    }
    return counts;
}"""


def test_importing_the_package_loads_the_grid_modules_before_any_grid(browser, lab_server):
    write_notebook(lab_server.root / "prefetch.ipynb", ["import sys"])
    lab = open_notebook(browser, lab_server, "prefetch.ipynb")
    try:
        # JupyterLab's start fills the default buffer of 250 entries.
        lab.page.evaluate("() => performance.setResourceTimingBufferSize(100000)")
        lab.page.wait_for_function("() => performance.getEntriesByType('resource').length > 0")
        before = lab.page.evaluate(JS_FILES_LOADED)
        lab.execute("import digitheat_widget\nfrom digitheat_widget.live import prefetch")
        lab.wait_for_kernel_value("prefetch._opened.prefetched", str(len(GRID_CLASSES)))
        assert lab.execute("print(prefetch._opened.comm is None)").strip() == "True", (
            "the prefetch model stayed open after the page answered")
        after = lab.page.evaluate(JS_FILES_LOADED)
        assert after["bqplot"] > before["bqplot"] and after["bqscales"] > before["bqscales"], (
            f"no new front-end files of bqplot or bqscales: {before} -> {after}")
        assert lab.page.locator(".bqplot, .digitheat-grid").count() == 0, "something was drawn"
        assert lab.console_errors == []
    finally:
        lab.page.close()
