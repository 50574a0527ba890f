"""A narrow JupyterLab pane (issue 28): the grid with its control panel fits the notebook's
width as the window narrows and widens again, with no message to the kernel, and a cell
hovered after each resize shows the value Python holds."""

from __future__ import annotations

import pytest

from digitheat_widget.figure.layout import PANEL_MARGIN

from .conftest import open_grid

SETUP = """\
from digitheat_widget import DigitHeatmapGrid
fgrid = DigitHeatmapGrid(controls=True)
# Every comm message the kernel receives from now on, counted.
_kernel = get_ipython().kernel
_comm_msg = _kernel.shell_handlers["comm_msg"]
fit_messages = []

def _counting(*args, **kwargs):
    fit_messages.append(1)
    return _comm_msg(*args, **kwargs)

_kernel.shell_handlers["comm_msg"] = _counting
"""

#: What the page reads once the grid is drawn at a width: the output area's and the grid's
#: sideways overflow, the colorbar and its labels against the output area's right edge,
#: and the plot area of panel 3 against its figure (bqplot relays out 300 ms after a resize).
READ = """(sel) => {
  const root = document.querySelector(sel);
  const area = root.closest('.jp-OutputArea-output');
  const boxes = [area, root, ...root.querySelectorAll('.widget-box')];
  const bar = root.querySelector('.dhg-colorbar').getBoundingClientRect();
  const labels = [...root.querySelectorAll('.dhg-colorbar .tick text')].map((t) => t.getBoundingClientRect().right);
  const figure = root.querySelector('.dhg-p3').getBoundingClientRect();
  const plot = root.querySelector('.dhg-p3 .plotarea_background').getBoundingClientRect();
  return {overflow: Math.max(...boxes.map((b) => b.scrollWidth - b.clientWidth)),
          right: area.getBoundingClientRect().right, bar: bar.right, labels: Math.max(...labels),
          figure: figure.width, plot: [plot.x, plot.y, plot.width, plot.height]};
}"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "fgrid")
    yield lab
    lab.page.set_viewport_size({"width": 1000, "height": 1400})
    lab.page.close()


def test_narrow_pane_fits_without_a_kernel_round_trip(lab):
    page = lab.page
    sides = PANEL_MARGIN["left"] + PANEL_MARGIN["right"]
    data = {}
    for width, (p, r, c) in ((460, (3, 2, 2)), (380, (3, 5, 3)), (1000, (3, 3, 1))):
        page.mouse.move(0, 0)  # off the grid: bqplot tells Python of a hover
        before = lab.execute("print(len(fit_messages))").strip()
        page.set_viewport_size({"width": width, "height": 1400})
        # Fitted and drawn at that width: nothing overflows sideways, the colorbar and its
        # labels end inside the output area, and bqplot's plot area is the panel's width
        # less its margins (it relays out 300 ms after a resize). Waited on, as the fit
        # follows the resize a frame later; unfitted, the 2 columns of 160 px overflow.
        fitted = ("r.overflow <= 0 && r.bar <= r.right && r.labels <= r.right"
                  + ("" if width < 1000 else " && r.figure > 159.5"))
        read = lab.wait_for(f"""(sel) => {{ const r = ({READ})(sel);
            return {fitted} && Math.abs(r.plot[2] - (r.figure - {sides})) < 0.5 && r; }}""",
            lab.selector)
        assert lab.execute("print(len(fit_messages))").strip() == before, "a resize reached the kernel"
        _, _, w, h = read["plot"]
        page.locator(f"{lab.selector} .dhg-p3").scroll_into_view_if_needed()
        x0, y0 = (page.locator(f"{lab.selector} .dhg-p3 .plotarea_background").bounding_box()[k]
                  for k in ("x", "y"))
        page.mouse.move(x0 + (c + 0.5) * w / 6, y0 + (r + 0.5) * h / 7)
        text = lab.wait_for("""() => [...document.querySelectorAll('.bqplot_mark_tooltip')]
            .filter((t) => getComputedStyle(t).display !== 'none')
            .map((t) => t.innerText.replace(/\\s+/g, ' ').trim()).find((t) => t.startsWith('3 · row'))""")
        if not data:
            data = {key: float(lab.execute(f"print(fgrid.data{key})")) for key in
                    ("[3, 2, 2]", "[3, 5, 3]", "[3, 3, 1]")}
        assert text == f"3 · row {r} column {c} value {data[f'[{p}, {r}, {c}]']:.4f}"
    assert lab.console_errors == []
