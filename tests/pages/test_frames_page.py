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
