"""Frames and compare in JupyterLab (issue "Watch it learn, hand it out"): frames
recorded in the kernel reach the page one at a time and show in the playback row; a frame
or a view (data, reference, difference) chosen in the page reaches Python, and one chosen
in Python shows in the page."""

from __future__ import annotations

import re

import pytest

from .conftest import open_grid


SETUP = """\
from digitheat_widget import DigitHeatmapGrid
fgrid = DigitHeatmapGrid(controls=True)
fbase = fgrid.data.copy()
"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    lab = open_grid(browser, lab_server, SETUP, "fgrid")
    yield lab
    lab.page.close()




def summary_has(lab, text: str) -> None:
    lab.page.wait_for_function(
        "([sel, text]) => document.querySelector(sel + ' .dhg-body').getAttribute('aria-label').includes(text)",
        arg=[lab.selector, text], timeout=20_000)


def label_is(lab, text: str) -> None:
    """The playback row's label (set by the page and by Python) comes to say ``text``."""
    lab.page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel + ' .dhg-controls .widget-label')]"
        ".some((l) => l.textContent === text)", arg=[lab.selector, text], timeout=20_000)


def announced(lab) -> str:
    return lab.page.evaluate(f"document.querySelector('{lab.selector} .dhg-announce').textContent")


def test_recorded_frames_play_and_scrub_both_ways(lab):
    page = lab.page
    lab.execute("for epoch in range(5):\n    fgrid.data = fbase * (epoch + 1) / 5\n"
                "    fgrid.record(f'epoch {epoch}')")
    summary_has(lab, "frame epoch 4 of 5")
    label_is(lab, "epoch 4 (5 of 5)")
    # The page applied the loop's slider updates without sending any back: Python still
    # shows the last frame with auto limits. (It once took a stale frame slider value and
    # a limit slider's value snapped to its step, sent while the page applied the kernel's
    # own update.) A message the page sent just before this request may be handled after
    # it (harness.wait_for_kernel_value): an absence cannot be waited for, so this check
    # catches what the page sent while it applied the loop, not a message still in flight.
    assert lab.execute("print(fgrid.frame, fgrid.vmin, fgrid.vmax)").split() == ["4", "None", "None"]
    # The page steps back with the keyboard alone; Python follows, data and all.
    page.locator(f"{lab.selector} .dhg-body").focus()
    page.keyboard.press("ArrowRight")  # panel 0, cell (0, 1)
    page.keyboard.press("[")
    summary_has(lab, "frame epoch 3 of 5")
    lab.wait_for_kernel_value("fgrid.frame", "3")
    assert lab.execute("print(bool((fgrid.data == fgrid.frames[3]).all()))").strip() == "True"
    value = float(lab.execute("print(fgrid.frames[3, 0, 0, 1])"))
    assert announced(lab) == f"0, row 0, column 1, value {value:.4f}"
    # Python picks a frame: the page shows it, from the frames it holds.
    lab.execute("fgrid.frame = 0")
    summary_has(lab, "frame epoch 0 of 5")
    label_is(lab, "epoch 0 (1 of 5)")
    page.locator(f"{lab.selector} .dhg-body").focus()
    page.keyboard.press("Home")
    value = float(lab.execute("print(fgrid.frames[0, 0, 0, 0])"))
    assert announced(lab) == f"0, row 0, column 0, value {value:.4f}"
    # Play in the page: frames move on in Python too; pause stops them.
    page.locator(f"{lab.selector} .dhg-controls .widget-toggle-button", has_text="play").click()
    lab.wait_for_kernel_value("fgrid.frame in (2, 3, 4)", "True")
    page.locator(f"{lab.selector} .dhg-controls .widget-toggle-button", has_text="play").click()
    page.wait_for_function(
        "(sel) => !document.querySelector(sel + ' .dhg-controls .widget-toggle-button.mod-active')",
        arg=lab.selector)


def test_compare_flips_both_ways(lab):
    page = lab.page
    lab.execute("fgrid.compare(fbase * 0.5)")
    summary_has(lab, "showing the difference data - reference")
    # The keyboard flips the view in the page; Python follows.
    page.locator(f"{lab.selector} .dhg-body").focus()
    page.keyboard.press("Home")
    page.keyboard.press("v")
    summary_has(lab, "showing the data")
    lab.wait_for_kernel_value("fgrid.showing", "data")
    data, ref = (float(v) for v in lab.execute(
        "print(fgrid.data[0, 0, 0], fgrid.reference[0, 0, 0])").split())
    assert announced(lab) == f"0, row 0, column 0, data {data:.4f} (data {data:.4f}, reference {ref:.4f})"
    # Python flips: the page shows the reference.
    lab.execute("fgrid.showing = 'reference'")
    summary_has(lab, "showing the reference")
    lab.execute("fgrid.compare(None)")
    lab.page.wait_for_function(
        "(sel) => !document.querySelector(sel + ' .dhg-body').getAttribute('aria-label').includes('showing')",
        arg=lab.selector, timeout=20_000)


def test_the_player_scrubs_and_python_follows(lab):
    # Issue 24: a grid with frames and no control panel has a compact player; a frame
    # chosen in it reaches Python's `frame`, as the control panel's slider does.
    page = lab.page
    lab.execute("import numpy as np\nfgrid.show_controls = False\nwith fgrid.hold_sync():\n"
                "    fgrid.frames = np.stack([fbase * (e + 1) / 4 for e in range(4)])\n"
                "    fgrid.frame_labels = [f'step {e}' for e in range(4)]\nfgrid.frame = 0")
    scrubber = page.locator(f"{lab.selector} .dhg-scrub")
    scrubber.wait_for(state="visible")
    summary_has(lab, "frame step 0 of 4")
    scrubber.fill("2")  # a scrub to frame 2
    summary_has(lab, "frame step 2 of 4")
    lab.wait_for_kernel_value("fgrid.frame", "2")
    assert lab.execute("print(bool((fgrid.data == fgrid.frames[2]).all()))").strip() == "True"
    # The keyboard: the scrubber's own keys, not the notebook's (ArrowUp would select the
    # cell above in command mode).
    active = "window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    cell = page.evaluate(active)
    scrubber.focus()
    page.keyboard.press("ArrowUp")
    lab.wait_for_kernel_value("fgrid.frame", "3")
    assert page.evaluate(active) == cell
    # Enter on the play button plays (not the notebook's "edit the cell"), and pauses.
    button = page.locator(f"{lab.selector} .dhg-play")
    button.focus()
    page.keyboard.press("Enter")
    lab.wait_for_kernel_value("fgrid.frame != 3", "True")  # it plays on from frame 3
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "false"
    assert page.evaluate(active) == cell
    assert page.evaluate("window.jupyterapp.shell.currentWidget.content.mode") == "command"
    # Python picks a frame: the player follows; the control panel takes its place.
    lab.execute("fgrid.frame = 1")
    page.wait_for_function(
        "(sel) => document.querySelector(sel + ' .dhg-scrub').getAttribute('aria-valuetext') === 'step 1 (2 of 4)'",
        arg=lab.selector, timeout=20_000)
    lab.execute("fgrid.show_controls = True")
    page.locator(f"{lab.selector} .dhg-player").wait_for(state="hidden")


JS_WATCH_TEXT = """([sel, name]) => { window[name] = []; const el = document.querySelector(sel);
    new MutationObserver(() => window[name].push(el.textContent))
        .observe(el, {childList: true, characterData: true, subtree: true}); }"""


def test_quick_keys_land_where_they_say_with_a_kernel(lab):
    """Eleven quick ] presses end on the last frame, in the page and in Python, and the page
    never shows a frame it has left; four quick v presses go one view on. (Python's answers
    to the earlier presses pulled the page back, and the next presses went on from there:
    eleven ] ended on frame 7.)"""
    page = lab.page
    lab.execute("import numpy as np\nfgrid.compare(None)\nfgrid.show_controls = False\n"
                "with fgrid.hold_sync():\n"
                "    fgrid.frames = np.stack([fbase * (e + 1) / 12 for e in range(12)])\n"
                "    fgrid.frame_labels = [f'step {e}' for e in range(12)]\nfgrid.frame = 0")
    readout = f"{lab.selector} .dhg-player-readout"
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent === 'step 0 (1 of 12)'",
                           arg=readout, timeout=20_000)
    page.evaluate(JS_WATCH_TEXT, [readout, "dhgFramesSeen"])
    page.locator(f"{lab.selector} .dhg-body").focus()
    for _ in range(11):
        page.keyboard.press("]")
    lab.wait_for_kernel_value("fgrid.frame", "11")
    page.wait_for_function("(sel) => document.querySelector(sel).textContent === 'step 11 (12 of 12)'",
                           arg=readout)
    seen = [int(re.search(r"step (\d+)", text)[1]) for text in page.evaluate("window.dhgFramesSeen")]
    assert seen == sorted(seen), f"the page went back: {seen}"
    # Views: from the difference, one v shows the data (test_compare_flips_both_ways);
    # four go round the three views and one on.
    lab.execute("fgrid.compare(fbase * 0.5)")
    summary_has(lab, "showing the difference data - reference")
    page.locator(f"{lab.selector} .dhg-body").focus()
    for _ in range(4):
        page.keyboard.press("v")
    lab.wait_for_kernel_value("fgrid.showing", "data")
    summary_has(lab, "showing the data")
    lab.execute("fgrid.compare(None)")
