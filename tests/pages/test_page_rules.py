"""Page rules that once disagreed with Python, checked in exported pages in Chromium.

The node tests (js/test/, run by tests/unit/test_golden_cases.py) check the page's
modules alone; here the built page runs them in a saved grid opened offline:

* per-frame limits: a frame whose maps are all 0.005, shown page-side with no kernel,
  gets Python's limits (0.00475 to 0.00525: colorbar, summary and live region), not
  0.005 +- 0.5 and "value 0.00";
* a record() after ``grid.frames = np.zeros((0, 0, 0, 0))`` starts a new history in the
  page (it used to become frames of shape [Infinity, 0, 0, 0], none shown);
* the accessible name starts with Python's ``Figure.summary()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from chromium import open_saved

from digitheat_widget import DigitHeatmapGrid

SUMMARY = "document.querySelector('.dhg-body').getAttribute('aria-label')"
ANNOUNCED = "document.querySelector('.dhg-announce').textContent"
TICKS = "[...document.querySelectorAll('.dhg-colorbar .tick text')].map((t) => t.textContent)"


def tab_to_grid(page: Any) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('dhg-body')"):
            return
    raise AssertionError("Tab never reached the grid")


def test_a_constant_frame_shown_offline_has_pythons_limits(chromium_browser: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    frames = np.stack([np.full((2, 3, 3), 0.005), rng.random((2, 3, 3)) * 0.01])
    grid = DigitHeatmapGrid(frames[1])
    try:
        grid.frame_limits = "per-frame"
        grid.frames = frames
        grid.frame = 1  # saved on the second frame; the page steps back by itself
        page, blocked = open_saved(chromium_browser, grid, tmp_path / "per-frame.html")
        try:
            tab_to_grid(page)
            page.keyboard.press("BracketLeft")  # "[": the previous frame, page-side
            page.wait_for_function(f"() => {SUMMARY}.includes('frame 0 of 2')")
            grid.frame = 0  # what Python says of the same frame
            assert grid.limits == (0.00475, 0.00525)
            summary = page.evaluate(SUMMARY)
            assert summary.startswith(grid.figure.summary() + ", frame 0 of 2"), summary
            assert "colour limits 0.004750 to 0.005250" in summary
            assert page.evaluate(ANNOUNCED) == "0, row 0, column 0, value 0.005000"
            page.wait_for_function(f"(want) => JSON.stringify({TICKS}) === JSON.stringify(want)",
                                   arg=grid.tick_labels())
            assert blocked == []
        finally:
            page.close()
    finally:
        grid.close()


def test_a_record_after_an_emptied_history_shows_the_new_frame(chromium_browser: Any,
                                                               tmp_path: Path) -> None:
    grid = DigitHeatmapGrid(np.random.default_rng(3).random((2, 3, 3)))
    try:
        grid.record()
        grid.frames = np.zeros((0, 0, 0, 0))  # the page holds an empty history
        page, blocked = open_saved(chromium_browser, grid, tmp_path / "emptied.html")
        try:
            assert "frame" not in page.evaluate(SUMMARY).split(". ")[0]
            # What the kernel sends on the next record(): the new frame as a frames_patch.
            shape = page.evaluate("""async () => {
                const [manager] = await window.digitheatEmbed.ready;
                let controller = null;
                for (const pending of Object.values(manager._models)) {
                  const model = await pending;
                  if (model.get('frames') && model.get('frames').shape) controller = model;
                }
                const held = controller.get('frames');
                const values = Float32Array.from({ length: 18 }, (_, i) => i / 17);
                controller.set('frames_patch', { dtype: 'float32', shape: [1, 2, 3, 3],
                  seq: held.seq + 1, buffer: new DataView(values.buffer), drop: 0,
                  labels: ['new'], auto: [[0, 1]] });
                controller.set('frame', 0);
                return controller.get('frames').shape;
            }""")
            assert shape == [1, 2, 3, 3]  # was [Infinity, 0, 0, 0]
            page.wait_for_function(f"() => {SUMMARY}.includes('frame new of 1')")
            tab_to_grid(page)
            page.keyboard.press("End")  # the first panel's last cell: 8 / 17
            assert page.evaluate(ANNOUNCED) == f"0, row 2, column 2, value {8 / 17:.2f}"
            assert blocked == []
        finally:
            page.close()
    finally:
        grid.close()
