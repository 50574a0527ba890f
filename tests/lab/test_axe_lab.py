"""axe-core in JupyterLab (issue "Readable without a mouse and without sight", item 5): on
the default grid, the grid with its control panel and the canvas renderer, no violation
at all from the widget's own elements, and none of impact serious or critical in the
notebook's outputs (JupyterLab's own page has some, listed below), in JupyterLab's light
and dark themes."""

from __future__ import annotations

import pytest

from .conftest import open_notebook
from .harness import write_notebook


CELLS = [
    "import numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
    "axe_default = DigitHeatmapGrid()\n"
    "axe_controls = DigitHeatmapGrid(controls=True, highlighted=[2])\n"
    "axe_canvas = DigitHeatmapGrid(np.random.default_rng(0).random((100, 28, 28)))",
    "axe_default",
    "axe_controls",
    "axe_canvas",
]
GRIDS = ("axe_default", "axe_controls", "axe_canvas")


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    write_notebook(lab_server.root / "axe.ipynb", CELLS)
    lab = open_notebook(browser, lab_server, "axe.ipynb")
    lab.selectors = {name: "." + lab.execute(f"print({name}.css_class)").strip() for name in GRIDS}
    # Every grid has drawn: the SVG panels' cells, the canvas, the controller's summary.
    lab.page.wait_for_function(
        """(sels) => Object.values(sels).every((s) => document.querySelector(s + ' .dhg-body[aria-label]'))
             && document.querySelectorAll(sels.axe_default + ' rect.heatmapcell').length === 420
             && document.querySelectorAll(sels.axe_controls + ' rect.heatmapcell').length === 420
             && document.querySelector(sels.axe_canvas + ' .dhg-canvas canvas').width > 0""",
        arg=lab.selectors, timeout=90_000)
    yield lab
    lab.page.close()


def _found(violations: list[dict]) -> list[tuple]:
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_no_axe_violation_in_jupyterlab(lab, theme):
    from axe_playwright_python.sync_playwright import Axe

    page = lab.page
    lab.command("apputils:change-theme", {"theme": theme})
    page.wait_for_function("(name) => document.body.dataset.jpThemeName === name", arg=theme)
    try:
        axe = Axe()
        for name, selector in lab.selectors.items():
            assert page.locator(selector).count() == 1  # the context is the grid, once
            own = axe.run(page, context=selector).response
            assert _found(own["violations"]) == [], f"{name} in {theme}"
        # JupyterLab 4.6's own page has serious and critical ones (unnamed CodeMirror
        # editors, toolbar buttons' aria attributes, the windowed notebook's list): none
        # may lie in an output area, where only the grids are.
        whole = axe.run(page).response["violations"]
        severe = [(v["id"], node["target"][-1]) for v in whole
                  if v["impact"] in ("serious", "critical") for node in v["nodes"]]
        in_outputs = page.evaluate(
            "(targets) => targets.filter((t) => { const el = document.querySelector(t);"
            " return !el || el.closest('.jp-OutputArea'); })", [t for _, t in severe])
        assert in_outputs == []
    finally:
        lab.command("apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_function("() => document.body.dataset.jpThemeName === 'JupyterLab Light'")
