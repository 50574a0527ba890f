"""The keyboard in JupyterLab: keys reach the grid (not the notebook's own shortcuts),
Enter selects and H highlights in Python too, and clicks on the page flow back."""

from __future__ import annotations

import pytest

from .conftest import open_grid


SETUP = """\
from digitheat_widget import DigitHeatmapGrid
kgrid = DigitHeatmapGrid()
kclicks = []
kgrid.on_cell_click(lambda *args: kclicks.append(args[:3]))
"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "kgrid")
    yield lab
    lab.page.close()




def announced(lab) -> str:
    return lab.page.evaluate(f"document.querySelector('{lab.selector} .dhg-announce').textContent")


def test_keys_select_and_highlight_in_python(lab):
    page = lab.page
    page.locator(f"{lab.selector} .dhg-body").focus()
    cells = lab.execute("print(kgrid.data.shape)").strip()
    assert cells == "(10, 7, 6)"
    for key in ("PageDown", "PageDown", "ArrowDown", "ArrowRight", "ArrowRight"):
        page.keyboard.press(key)
    value = float(lab.execute("print(kgrid.data[2, 1, 2])"))
    assert announced(lab) == f"2, row 1, column 2, value {value:.4f}"
    # Enter: the notebook would run the cell; here it selects the cell, in Python too.
    page.keyboard.press("Enter")
    lab.wait_for_kernel_value("kgrid.selected", "(2, 1, 2)")
    assert lab.execute("print(kclicks)").strip() == "[(2, 1, 2)]"
    # H highlights the focused panel (the notebook's "h" would toggle a help panel).
    page.keyboard.press("h")
    lab.wait_for_kernel_value("kgrid.highlighted", "[2]")
    # The focus stayed on the grid: no notebook command took the keys.
    assert page.evaluate(f"document.activeElement === document.querySelector('{lab.selector} .dhg-body')")
    page.keyboard.press("h")
    lab.wait_for_kernel_value("kgrid.highlighted", "[]")


def test_python_changes_reach_the_summary(lab):
    lab.execute("kgrid.highlighted = [7]\nkgrid.colormap = 'viridis'")
    lab.page.wait_for_function(
        "(sel) => { const l = document.querySelector(sel + ' .dhg-body').getAttribute('aria-label');"
        " return l.includes('highlighted: 7') && l.includes('colormap viridis'); }",
        arg=lab.selector)


def test_the_keys_follow_a_new_drawing(lab):
    # ipywidgets makes a new drawing when the grid's rows change (the control panel shown
    # or hidden): its keys, tab stop and summary came with the first drawing only.
    page = lab.page
    lab.execute("kgrid.show_controls = True")
    page.locator(f"{lab.selector} .dhg-controls").wait_for(state="visible")
    lab.page.wait_for_function(
        "(sel) => (document.querySelector(sel + ' .dhg-body').getAttribute('aria-label') || '')"
        ".startsWith('10 heatmaps')", arg=lab.selector)
    page.locator(f"{lab.selector} .dhg-body").focus()
    page.keyboard.press("Control+Home")  # the grid's first cell, then its panel's last
    page.keyboard.press("End")
    value = float(lab.execute("print(kgrid.data[0, 6, 5])"))
    assert announced(lab) == f"0, row 6, column 5, value {value:.4f}"
    lab.execute("kgrid.show_controls = False")


def test_the_linked_cursor_python_sets_it_and_a_hover_tells_python(lab):
    page, sel = lab.page, lab.selector
    lab.execute("kgrid.cursor = (3, 4)")
    page.wait_for_function(
        "(sel) => document.querySelectorAll(sel + ' .dhg-cursor-mark').length === 10"
        " && !document.querySelector(sel + ' .dhg-cursor').hidden", arg=sel)
    values = lab.execute("print(' '.join(f'{v:.4f}' for v in kgrid.data[:, 3, 4]))").split()
    shown = page.locator(f"{sel} .dhg-cursor-value").all_text_contents()
    assert shown == values
    mark = page.locator(f"{sel} .dhg-cursor-mark").nth(6).bounding_box()
    cell = page.locator(f"{sel} .dhg-p6 g.heatmaprow:nth-of-type(4) rect.heatmapcell:nth-of-type(5)").bounding_box()
    assert abs(mark["x"] + 2 - cell["x"]) <= 1 and abs(mark["y"] + 2 - cell["y"]) <= 1  # around it
    # While it is on, a hover moves it, and Python hears the cell.
    target = page.locator(f"{sel} .dhg-p1 g.heatmaprow:nth-of-type(3) rect.heatmapcell:nth-of-type(6)").bounding_box()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    lab.wait_for_kernel_value("kgrid.cursor", "(2, 5)")
    lab.execute("kgrid.cursor = None")
    page.wait_for_function(
        "(sel) => document.querySelector(sel + ' .dhg-cursor').hidden"
        " && !document.querySelector(sel + ' .dhg-cursor-mark')", arg=sel)
    # L is the grid's (the notebook's L would toggle line numbers), in Python too.
    page.locator(f"{sel} .dhg-body").focus()
    page.keyboard.press("Control+Home")
    page.keyboard.press("l")
    lab.wait_for_kernel_value("kgrid.cursor", "(0, 0)")
    page.keyboard.press("ArrowRight")
    lab.wait_for_kernel_value("kgrid.cursor", "(0, 1)")
    assert announced(lab).startswith("row 0, column 1 across 10 maps: 0: ")
    page.keyboard.press("l")
    lab.wait_for_kernel_value("kgrid.cursor", "None")
