"""Frames (issue "Watch it learn, hand it out", items 1 and 2): a history of shape
(T, N, H, W) recorded from a loop or given whole, the frame shown, fixed or per-frame
limits, the memory bound and what travels to the page (playback in an exported page:
tests/pages/test_frames_page.py)."""

from __future__ import annotations

import numpy as np
import pytest
from histories import history, recorded
from page_model import Page, controller_of, page_sends, saved_state
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid, sample_data


# ---------------------------------------------------------------------- Python side


def test_no_frames_by_default():
    grid = DigitHeatmapGrid()
    assert grid.frames.shape[0] == 0 and grid.frame is None and grid.frame_labels == []
    assert not grid.frames.flags.writeable
    with pytest.raises(TraitError, match=r"frame expected None \(there are no frames\), got 0"):
        grid.frame = 0
    grid.close()


def test_record_appends_copies_and_shows_the_last():
    frames = history()
    grid = recorded(frames)
    np.testing.assert_array_equal(grid.frames, frames)
    assert grid.frame == 5 and grid.frame_labels == [f"epoch {e}" for e in range(6)]
    assert not grid.frames.flags.writeable
    grid.data = frames[0] * 3  # later changes of data do not reach recorded frames
    np.testing.assert_array_equal(grid.frames[5], frames[5])
    assert grid.record() == 6 and grid.frame_labels[-1] == "6"  # default: its number
    grid.close()


def test_choosing_a_frame_shows_it_and_refuses_what_is_outside():
    frames = history()
    grid = recorded(frames)
    grid.frame = 2
    np.testing.assert_array_equal(grid.data, frames[2])
    grid.frame = -1
    assert grid.frame == 5
    np.testing.assert_array_equal(grid.data, frames[5])
    for bad in (6, -7, True):
        with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.frame expected 0\.\.5 \(or -6\.\.-1\), got"):
            grid.frame = bad
    assert grid.frame == 5
    grid.close()


def test_frames_given_whole():
    frames = history(4)
    grid = DigitHeatmapGrid(frames[0])
    with grid.hold_sync():
        grid.frames = frames
        grid.frame_labels = ["a", "b", "c", "d"]
    assert grid.frame == 3 and grid.frame_labels == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(grid.data, frames[3])
    before = grid.frames
    with pytest.raises(TraitError, match=r"frames expected frames of maps shaped like data \(10, 7, 6\), got shape \(2, 10, 7, 5\)"):
        grid.frames = np.zeros((2, 10, 7, 5))
    with pytest.raises(TraitError, match=r"frames expected 4 frames \(one per entry of frame_labels\), got 2"):
        grid.frames = frames[:2]
    with pytest.raises(TraitError, match=r"frames expected a 4-D array \(T, N, H, W\), got 3-D"):
        grid.frames = frames[0]
    with pytest.raises(TraitError, match=r"frame_labels expected 4 labels \(one per frame\), got 1"):
        grid.frame_labels = ["x"]
    assert grid.frames is before and grid.frame == 3  # nothing half applied
    grid.close()


def test_max_frames_drops_the_oldest():
    frames = history(7)
    grid = DigitHeatmapGrid(frames[0])
    grid.max_frames = 4
    for epoch, maps in enumerate(frames):
        grid.data = maps
        grid.record(f"epoch {epoch}")
    np.testing.assert_array_equal(grid.frames, frames[3:])
    assert grid.frame_labels == ["epoch 3", "epoch 4", "epoch 5", "epoch 6"] and grid.frame == 3
    with pytest.raises(TraitError, match=r"max_frames expected at least the 4 frames held, got 3"):
        grid.max_frames = 3
    with pytest.raises(TraitError, match=r"frames expected at most max_frames = 4 frames, got 5"):
        grid.frames = frames[:5]
    grid.close()


def test_limits_are_fixed_across_frames_or_follow_the_frame():
    frames = history()
    grid = recorded(frames)
    grid.frame = 0
    assert grid.limits == (frames.min(), frames.max())  # colours compare over time
    grid.frame_limits = "per-frame"
    assert grid.limits == (frames[0].min(), frames[0].max())
    with pytest.raises(TraitError, match=r"frame_limits"):
        grid.frame_limits = "sometimes"
    grid.close()


def test_a_new_map_shape_starts_a_new_history():
    grid = recorded(history(3))
    grid.data = np.zeros((4, 5, 5))
    assert grid.frames.shape[0] == 0 and grid.frame is None and grid.frame_labels == []
    grid.close()


def test_record_sends_the_new_frame_alone(recorder):
    frames = history(3)
    grid = recorded(frames[:2])
    controller = controller_of(grid)
    grid.data = frames[2]
    with recorder.capture() as cap:
        grid.record("last")
    sends = [e for e in cap.sends if e.comm is controller.comm]
    assert len(sends) == 1
    state = sends[0].data["state"]
    assert state["frames_patch"]["shape"] == [1, 10, 7, 6] and state["frames_patch"]["drop"] == 0
    assert state["frames_patch"]["labels"] == ["last"]  # its label alone
    assert sends[0].buffer_bytes == 10 * 7 * 6 * 4  # one frame, float32
    assert state["frame"] == 2
    grid.close()


def test_a_frame_chosen_in_python_or_the_page_sends_no_maps(recorder):
    grid = recorded(history())
    controller = controller_of(grid)
    with recorder.capture() as cap:
        grid.frame = 1
    (event,) = [e for e in cap.sends if e.comm is controller.comm]
    assert event.data["state"]["frame"] == 1
    assert "patch" not in event.data["state"] and "data" not in event.data["state"]
    assert event.buffer_bytes == 0  # the page holds the frames
    page_sends(grid, {"event": "frame", "value": [4]})  # a person scrubs in the page
    assert grid.frame == 4
    np.testing.assert_array_equal(grid.data, grid.frames[4])
    page_sends(grid, {"event": "frame", "value": [40]})  # refused: the page is told back
    assert grid.frame == 4
    grid.close()


def test_renamed_frames_reach_the_page_and_the_export(recorder):
    # Issue 24: new labels for the frames held never left Python.
    grid = recorded(history(4), controls=True)
    grid.frame = 2
    controller = controller_of(grid)
    with recorder.capture() as cap:
        grid.frame_labels = [f"step {10 * e}" for e in range(4)]
    (event,) = [e for e in cap.sends if e.comm is controller.comm]
    assert event.buffer_bytes == 0  # the labels alone: the page holds the maps
    shown = Page(recorder.events).shown(grid)
    assert shown.frame_labels == ["step 0", "step 10", "step 20", "step 30"]
    assert shown.frame == 2
    assert grid.controls.frame_label.value == "step 20 (3 of 4)"
    assert '"step 20"' in grid.to_html()  # an exported page opens with them
    grid.record("step 40")  # the next frame follows the relabelled ones
    assert Page(recorder.events).shown(grid).frame_labels == [
        "step 0", "step 10", "step 20", "step 30", "step 40"]
    grid.close()


def test_new_data_shows_no_frame_until_one_is_chosen(recorder):
    # Issue 24: frame stayed 0 while data was new, and choosing frame 0 again did nothing.
    grid = DigitHeatmapGrid(sample_data(), controls=True)
    grid.record()
    grid.record()
    grid.frame = 0
    grid.data = grid.data * 2
    assert grid.frame is None  # frame names the frame data is: none now
    shown = Page(recorder.events).shown(grid)
    assert shown.frame is None
    np.testing.assert_allclose(shown.data, grid.data, rtol=1e-6)
    assert grid.controls.frame_label.value == "none shown (2 frames)"
    grid.frame = 0  # assigning frame makes data that frame, again
    np.testing.assert_array_equal(grid.data, grid.frames[0])
    shown = Page(recorder.events).shown(grid)
    assert shown.frame == 0
    np.testing.assert_allclose(shown.data, grid.frames[0], rtol=1e-6)
    # Data that is the frame shown keeps it; a record shows the new frame.
    grid.data = grid.frames[0].copy()
    assert grid.frame == 0
    grid.data = grid.data + 1
    assert grid.record() == 2 and grid.frame == 2
    grid.close()


def test_a_new_history_of_as_many_frames_shows_its_own_last_frame():
    grid = DigitHeatmapGrid(history(3)[0])
    grid.frames = history(3)
    grid.frames = history(3, seed=1)  # frame stays 2: data must still follow
    assert grid.frame == 2
    np.testing.assert_array_equal(grid.data, history(3, seed=1)[2])
    grid.close()


def test_a_new_history_reaches_the_page_with_the_frame_it_shows(recorder):
    """Issue 24: ``grid.frames = history`` sent the frame shown before the frames (the page
    showed that index of the history it held, then took the new one without showing it),
    and a history as long as the last (the frame unchanged, a cell run again) came as
    frames alone: the page kept showing the old history's maps as that frame. The frames
    and the frame travel in one message, and the page shows the frame named from the
    frames that came (controller.js; node: frames.test.mjs)."""
    grid = DigitHeatmapGrid(history(3)[0])
    grid.frames = history(3)
    grid.frame = 0
    controller = controller_of(grid)
    for seed in (1, 2):  # frame 0 -> 3, then 3 -> 3
        new = history(4, seed=seed)
        with recorder.capture() as cap:
            grid.frames = new
        states = [e.data["state"] for e in cap.sends if e.comm is controller.comm]
        assert [sorted({"frame", "frames"} & set(s)) for s in states
                if {"frame", "frames"} & set(s)] == [["frame", "frames"] if seed == 1 else ["frames"]]
        assert grid.frame == 3
        np.testing.assert_array_equal(grid.data, new[3])
        shown = Page(recorder.events).shown(grid)
        assert shown.frame == 3
        np.testing.assert_allclose(shown.data, new[3], rtol=1e-6)
    grid.close()


def test_record_refuses_a_bad_label_or_a_new_shape():
    grid = recorded(history(2))
    with pytest.raises(TypeError, match=r"record expected label as a str or None, got int 3"):
        grid.record(3)
    with pytest.raises(TraitError, match=r"frame_labels expected labels of at most"):
        grid.record("x" * 20_000)
    grid.data = np.zeros((3, 3, 3))  # a new shape: a new history, then it records again
    assert grid.record() == 0 and grid.frames.shape == (1, 3, 3, 3)
    grid.close()


def test_a_page_that_missed_frames_gets_them_all(recorder):
    grid = recorded(history(4))
    controller = controller_of(grid)
    with recorder.capture() as cap:
        page_sends(grid, {"event": "resync", "part": "frames"})
    (event,) = [e for e in cap.sends if e.comm is controller.comm]
    frames = event.data["state"]["frames"]
    assert frames["shape"] == [4, 10, 7, 6] and frames["labels"] == [f"epoch {e}" for e in range(4)]
    assert event.buffer_bytes == 4 * 10 * 7 * 6 * 4
    grid.close()


def test_a_cell_that_records_frames_leaves_every_frame_in_a_saved_notebook(recorder):
    """Issue 24: a notebook saved from the kernel's messages (``nbconvert --execute``,
    myst-nb) keeps each model's last state: the frames sent whole (the first recorded) and
    the last ``frames_patch`` (the last recorded), so a page built from it had 1 of 5
    frames. When the cell ends, a grid whose frames were patched since they were last sent
    whole sends them whole: the saved frames are every frame, labels and all."""
    from digitheat_widget.live.view import flush_waiting

    frames = history(5)
    grid = DigitHeatmapGrid(frames[0])  # displayed in one cell...
    flush_waiting()
    for epoch, maps in enumerate(frames):  # ...recorded in the next
        grid.data = maps
        grid.record(f"step {epoch}")
    grid.frame_labels = [f"lr {epoch}" for epoch in range(5)]  # a relabel patch, too
    flush_waiting()  # the cell ends
    controller = controller_of(grid)
    saved = saved_state(recorder.events, controller)["frames"]
    assert saved["labels"] == [f"lr {epoch}" for epoch in range(5)]
    values = np.frombuffer(saved["buffer"], np.dtype(saved["dtype"]).newbyteorder("<"))
    np.testing.assert_allclose(values.reshape(saved["shape"]), frames, rtol=2.0**-24)
    sent = len(recorder.events)
    flush_waiting()  # another cell that changed nothing: nothing sent again
    assert recorder.events[sent:] == []
    grid.record("step 5")  # recorded in a later cell: the saved state follows again
    flush_waiting()
    saved = saved_state(recorder.events, controller)["frames"]
    assert saved["shape"][0] == 6 and saved["labels"][-1] == "step 5"
    assert saved["seq"] > controller.frames_patch["seq"]  # whole, after the last patch
    grid.close()


def test_page_with_200_frames_stays_small(tmp_path, capsys):
    frames = np.random.default_rng(3).random((200, 10, 7, 6)) * sample_data().max()
    grid = DigitHeatmapGrid(frames[0], controls=True)
    single = len(grid.to_html().encode())
    grid.frames = frames
    size = len(grid.to_html().encode())
    raw = frames.astype(np.float32).nbytes
    with capsys.disabled():
        print(f"\n[frames] 200 frames of 10x7x6: page {size:,} B (one frame {single:,} B, "
              f"frames as float32 {raw:,} B)")
    assert size < 2_000_000
    # The frames travel once, in base64 (4/3 of their bytes), and little else is added.
    assert size - single < raw * 4 / 3 + 20_000
    grid.close()

