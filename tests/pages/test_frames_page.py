"""Frames in an exported page (the Python side: tests/unit/test_frames.py): playback with
no kernel, scrubbing with the keyboard, the live region reading the frame's values."""

from __future__ import annotations

from chromium import open_saved
from histories import history, recorded


def summary(page) -> str:
    return page.evaluate("() => document.querySelector('.dhg-body').getAttribute('aria-label')")


def announced(page) -> str:
    return page.evaluate("() => document.querySelector('.dhg-announce').textContent")


def test_exported_page_plays_and_scrubs_with_the_keyboard(chromium_browser, tmp_path):
    frames = history(8)
    grid = recorded(frames, controls=True)
    grid.frame = 2
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "frames.html")
    try:
        assert "frame epoch 2 of 8" in summary(page)
        label = page.locator(".dhg-controls .widget-label", has_text="of 8")
        assert label.text_content() == "epoch 2 (3 of 8)"
        # Keyboard alone: focus the grid, read a cell, step the frames with ] and [.
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")  # panel 1, cell (0, 0)
        # Limits 0 .. 1 (fixed over all frames): ticks 0.1 apart, values one digit finer.
        assert grid.tick_format == ",.1f"
        fmt = ".2f"
        assert announced(page) == f"1, row 0, column 0, value {frames[2, 1, 0, 0]:{fmt}}"
        page.keyboard.press("]")
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame epoch 3 of 8')")
        assert announced(page) == f"1, row 0, column 0, value {frames[3, 1, 0, 0]:{fmt}}"
        assert label.text_content() == "epoch 3 (4 of 8)"
        page.keyboard.press("[")
        page.keyboard.press("[")
        assert announced(page) == f"1, row 0, column 0, value {frames[1, 1, 0, 0]:{fmt}}"
        # The frame slider's handle takes arrow keys too.
        page.locator(".dhg-controls .widget-hslider .noUi-handle").last.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame epoch 2 of 8')")
        # Play runs through the frames, wrapping round, with no kernel; pause stops.
        page.locator(".dhg-controls .widget-toggle-button", has_text="play").click()
        seen = set()
        for _ in range(3):
            page.wait_for_function(
                "(seen) => { const m = /frame epoch (\\d+) of/.exec(document.querySelector('.dhg-body')"
                ".getAttribute('aria-label')); return m && !seen.includes(+m[1]); }", arg=sorted(seen))
            seen.add(int(summary(page).split("frame epoch ")[1].split(" ")[0]))
        page.locator(".dhg-controls .widget-toggle-button", has_text="play").click()
        page.wait_for_function("() => !document.querySelector('.dhg-controls .widget-toggle-button.mod-active')")
        assert len(seen) == 3
        stopped = summary(page)
        # The cells show the frame the summary names: the focused cell reads its value.
        shown = int(stopped.split("frame epoch ")[1].split(" ")[0])
        page.locator(".dhg-body").focus()
        page.keyboard.press("Home")  # the focused panel's (1) first cell
        assert announced(page) == f"1, row 0, column 0, value {frames[shown, 1, 0, 0]:{fmt}}"
        assert summary(page) == stopped  # paused: no frame moved since
        assert blocked == []
    finally:
        page.close()
        grid.close()


def test_renamed_frames_show_in_the_exported_page(chromium_browser, tmp_path):
    # Issue 24: the page kept the labels the frames were recorded with.
    grid = recorded(history(8))
    grid.frame = 2
    grid.to_html()  # what came so far has reached the page: the labels come on their own
    grid.frame_labels = [f"lr {e}" for e in range(8)]
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "renamed.html")
    try:
        assert "frame lr 2 of 8" in summary(page)
        page.locator(".dhg-body").focus()
        page.keyboard.press("]")  # the page names the next frame by its new label too
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame lr 3 of 8')")
        assert blocked == []
    finally:
        page.close()
    grid.show_controls = True  # the control panel's readout, in a page saved with one
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "renamed-controls.html")
    try:
        label = page.locator(".dhg-controls .widget-label", has_text="of 8")
        assert label.text_content() == "lr 2 (3 of 8)"
        page.locator(".dhg-body").focus()
        page.keyboard.press("]")
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame lr 3 of 8')")
        assert label.text_content() == "lr 3 (4 of 8)"
        assert blocked == []
    finally:
        page.close()
        grid.close()


def test_new_data_is_no_frame_in_the_exported_page(chromium_browser, tmp_path):
    # Issue 24: after new data the page still claimed frame 0 while showing the new data.
    frames = history(2)
    grid = recorded(frames, controls=True)
    grid.frame = 0
    grid.data = grid.data * 2
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "new-data.html")
    try:
        assert "2 frames, none shown" in summary(page) and "frame 0 of" not in summary(page)
        label = page.locator(".dhg-controls .widget-label", has_text="2 frames")
        assert label.text_content() == "none shown (2 frames)"
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")  # panel 1, cell (0, 0): the new data
        fmt = ".2f"
        assert announced(page) == f"1, row 0, column 0, value {grid.data[1, 0, 0]:{fmt}}"
        page.keyboard.press("]")  # the first frame, page-side
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame epoch 0 of 2')")
        assert announced(page) == f"1, row 0, column 0, value {frames[0, 1, 0, 0]:{fmt}}"
        assert blocked == []
    finally:
        page.close()
    grid.frame = 0  # Python: data is frame 0 again, and a page saved now says so
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "frame-again.html")
    try:
        assert "frame epoch 0 of 2" in summary(page)
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")
        assert announced(page) == f"1, row 0, column 0, value {frames[0, 1, 0, 0]:{fmt}}"
    finally:
        page.close()
        grid.close()
