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
        assert page.locator(".dhg-player").is_hidden()  # the panel's playback row plays them
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
    grid = recorded(history(8), player=False)  # asked for no player: the keys still play
    grid.frame = 2
    grid.to_html()  # what came so far has reached the page: the labels come on their own
    grid.frame_labels = [f"lr {e}" for e in range(8)]
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "renamed.html")
    try:
        assert "frame lr 2 of 8" in summary(page)
        page.locator(".dhg-body").focus()
        page.keyboard.press("]")  # the page names the next frame by its new label too
        page.wait_for_function("() => document.querySelector('.dhg-body').getAttribute('aria-label').includes('frame lr 3 of 8')")
        assert page.locator(".dhg-player").is_hidden()  # player=False
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


def shown_frame(page) -> int:
    """The frame the grid names in its accessible summary ("frame epoch 3 of 8")."""
    return int(summary(page).split("frame epoch ")[1].split(" ")[0])


def frame_named(page, label: str) -> None:
    page.wait_for_function(
        "(text) => document.querySelector('.dhg-body').getAttribute('aria-label').includes(text)",
        arg=f"frame {label} of")


def test_exported_grid_with_frames_and_no_controls_has_a_player(chromium_browser, tmp_path):
    # Issue 24: an exported grid with frames but no control panel showed a still grid.
    frames = history(8)
    grid = recorded(frames)
    grid.frame = 2
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "training.html")
    try:
        button = page.get_by_role("button", name="Play frames")
        scrubber = page.get_by_role("slider", name="Frame")
        readout = page.locator(".dhg-player-readout")
        assert button.is_visible() and scrubber.is_visible()
        assert button.get_attribute("aria-pressed") == "false"
        assert scrubber.get_attribute("aria-valuetext") == "epoch 2 (3 of 8)"
        assert (scrubber.input_value(), scrubber.get_attribute("max")) == ("2", "7")
        assert readout.text_content() == "epoch 2 (3 of 8)"
        for target in (button, scrubber):  # touch-sized
            box = target.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, box
        # Play advances the frame shown, in the cells too; pause stops it.
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        frame_named(page, "epoch 4")  # two frames on: it plays, not one step
        button.click()
        page.wait_for_function("() => document.querySelector('.dhg-play').getAttribute('aria-pressed') === 'false'")
        stopped = shown_frame(page)
        assert scrubber.get_attribute("aria-valuetext") == f"epoch {stopped} ({stopped + 1} of 8)"
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")  # panel 1, cell (0, 0)
        assert announced(page) == f"1, row 0, column 0, value {frames[stopped, 1, 0, 0]:.2f}"
        assert shown_frame(page) == stopped  # paused
        # Scrubbing shows the frame chosen: its label, and its values in the cells.
        scrubber.fill("6")
        frame_named(page, "epoch 6")
        assert readout.text_content() == "epoch 6 (7 of 8)"
        page.locator(".dhg-body").focus()
        page.keyboard.press("Home")  # the focused panel's (1) first cell
        assert announced(page) == f"1, row 0, column 0, value {frames[6, 1, 0, 0]:.2f}"
        # The keyboard alone: Tab from the grid to the button, Space plays and pauses;
        # Tab on to the scrubber, whose keys pick frames.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "dhg-play"
        page.keyboard.press(" ")
        assert button.get_attribute("aria-pressed") == "true"
        frame_named(page, "epoch 0")  # it wraps round
        page.keyboard.press(" ")
        assert button.get_attribute("aria-pressed") == "false"
        page.keyboard.press("Tab")
        page.keyboard.press("End")
        frame_named(page, "epoch 7")
        page.keyboard.press("ArrowLeft")
        frame_named(page, "epoch 6")
        assert scrubber.get_attribute("aria-valuetext") == "epoch 6 (7 of 8)"
        # The grid's own keys move the player too (one road).
        page.locator(".dhg-body").focus()
        page.keyboard.press("[")
        frame_named(page, "epoch 5")
        assert scrubber.input_value() == "5" and readout.text_content() == "epoch 5 (6 of 8)"
        assert blocked == []
    finally:
        page.close()
        grid.close()
