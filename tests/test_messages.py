"""What reaches the page: which widget gets a message, how many, how big, in what form.

Every widget talks to a recording comm (see conftest.py), so each ``send`` is seen with
its JSON part and its binary buffers, exactly as ipywidgets hands them to the kernel.
"""

from __future__ import annotations

import bqplot
import numpy as np
import pytest


#: Largest JSON part accepted for a limits update to the ColorScale.
SMALL_MESSAGE = 200


def count_numbers(value) -> int:
    """How many numbers a JSON-able value holds (anywhere inside)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return 1
    if isinstance(value, (list, tuple)):
        return sum(count_numbers(v) for v in value)
    if isinstance(value, dict):
        return sum(count_numbers(v) for v in value.values())
    return 0


def decode_feed(event) -> tuple[np.ndarray, list[int]]:
    """The tensor and the panels to redraw in an update of the grid's PanelFeed, decoded
    from the message alone (dtype, shape and byte order as the page reads them)."""
    data = event.data
    assert data["method"] == "update"
    assert set(data["state"]) == {"frame"}
    # The values went out of the JSON, as one buffer.
    assert data["buffer_paths"] == [["frame", "values"]]
    frame = data["state"]["frame"]
    assert "values" not in frame
    (buffer,) = event.buffers
    dtype = np.dtype(frame["dtype"]).newbyteorder("<")
    tensor = np.frombuffer(memoryview(buffer).cast("B"), dtype=dtype)
    return tensor.reshape(frame["shape"]), frame["changed"]


def feed_of(grid):
    """The widget the marks' new values travel through: the one update carrying them."""
    return grid._feed


def marks(grid) -> list[bqplot.GridHeatMap]:
    return [p.mark for p in grid._panels]


def assert_feeds(event, expected: np.ndarray, changed: list[int]) -> None:
    """``event`` carries maps ``changed`` of the tensor ``expected`` (within float32
    rounding) in binary, with no number in its JSON beyond their shape and indices."""
    maps, redrawn = decode_feed(event)
    assert redrawn == changed
    assert count_numbers(event.data["state"]) == 3 + len(changed)
    assert maps.shape == (len(changed), *expected.shape[1:])
    np.testing.assert_allclose(maps.astype(np.float64), expected[changed], rtol=2.0**-23, atol=0)


def one_panel_changed(sample: np.ndarray, index: int) -> np.ndarray:
    """The sample with one cell of one panel changed, keeping the overall min and max."""
    new = sample.copy()
    new[index, 3, 2] = (sample.min() + sample.max()) / 2 + 1e-5
    assert new.min() == sample.min() and new.max() == sample.max()
    return new


@pytest.mark.parametrize("index", [0, 6, 9])
def test_one_changed_panel_sends_one_binary_message_that_redraws_it(grid, recorder, sample, index):
    new = one_panel_changed(sample, index)
    with recorder.capture() as cap:
        grid.data = new
    assert len(cap.sends) == 1, [(type(e.comm), e.data) for e in cap.sends]
    assert cap.opens == [] and cap.closes == []
    (event,) = cap.sends
    assert event.comm is feed_of(grid).comm
    assert_feeds(event, new, [index])
    assert event.buffer_bytes == 7 * 6 * 4  # that one map, in float32
    # Python's mark has the values the page will draw, without a message of its own.
    np.testing.assert_allclose(grid._panels[index].mark.color, new[index], rtol=2.0**-23)
    print(f"one-panel update: JSON {event.json_size} B, buffers {event.buffer_bytes} B")


def test_one_changed_panel_from_a_torch_tensor(grid, recorder, sample):
    torch = pytest.importorskip("torch")  # torch==2.13.0 CPU wheel is installed for this suite
    new = one_panel_changed(sample, 4)
    with recorder.capture() as cap:
        grid.data = torch.from_numpy(new.copy())
    assert [e.comm for e in cap.sends] == [feed_of(grid).comm]
    assert_feeds(cap.sends[0], new, [4])


def test_change_of_overall_max_also_updates_the_colour_scale_only(grid, recorder, sample):
    new = sample.copy()
    new[5, 0, 0] = sample.max() * 1.05  # same tick format (step stays 0.002)
    with recorder.capture() as cap:
        grid.data = new
    targets = {id(e.comm) for e in cap.sends}
    assert targets == {id(feed_of(grid).comm), id(grid._color_scale.comm)}
    assert len(cap.sends) == 2
    (scale_msg,) = cap.sends_to(grid._color_scale)
    assert scale_msg.data["state"] == {"max": pytest.approx(sample.max() * 1.05)}


@pytest.mark.parametrize(
    "same",
    [
        lambda s: s.copy(),
        lambda s: s.tolist(),
        lambda s: s.astype(np.float64, order="F"),
    ],
    ids=["copy", "list", "fortran"],
)
def test_equal_data_sends_nothing(grid, recorder, sample, same):
    with recorder.capture() as cap:
        grid.data = same(sample)
    assert cap.events == []


def test_equal_data_with_nan_sends_nothing(grid, recorder, sample):
    data = sample.copy()
    data[1, 1, 1] = np.nan
    grid.data = data
    with recorder.capture() as cap:
        grid.data = data.copy()
    assert cap.events == []


def test_full_update_sends_one_binary_message_for_all_panels(grid, recorder, sample):
    new = sample[::-1].copy()  # every panel differs, min and max stay
    with recorder.capture() as cap:
        grid.data = new
    assert len(cap.sends) == 1
    (event,) = cap.sends
    assert event.comm is feed_of(grid).comm
    assert_feeds(event, new, list(range(10)))
    for index, mark in enumerate(marks(grid)):
        np.testing.assert_allclose(mark.color, new[index], rtol=2.0**-23)
    # The budget: at most 2x the raw float32 tensor, JSON included.
    raw = new.astype(np.float32).nbytes
    assert event.json_size + event.buffer_bytes <= 2 * raw
    print(f"10-panel update: 1 message, JSON {event.json_size} B, buffers "
          f"{event.buffer_bytes} B ({(event.json_size + event.buffer_bytes) / raw:.2f}x raw)")


def test_vmax_sends_one_small_message_to_the_colour_scale_only(grid, recorder):
    with recorder.capture() as cap:
        grid.vmax = 0.01  # same tick step (0.001 -> ',.3f'), so the axis is unchanged
    assert len(cap.sends) == 1, [e.data for e in cap.sends]
    (event,) = cap.sends
    assert event.comm is grid._color_scale.comm
    assert event.data["state"] == {"max": 0.01}
    assert event.buffers == []
    assert event.json_size < SMALL_MESSAGE
    print(f"vmax update: JSON {event.json_size} B")


def test_vmax_that_changes_the_tick_format_sends_nothing_to_heatmaps(grid, recorder):
    with recorder.capture() as cap:
        grid.vmax = 0.5
    heatmaps = {id(m.comm) for m in marks(grid)}
    assert not [e for e in cap.sends if id(e.comm) in heatmaps]
    (scale_msg,) = cap.sends_to(grid._color_scale)
    assert scale_msg.data["state"] == {"max": 0.5}
    assert scale_msg.json_size < SMALL_MESSAGE
    # The colorbar shows the new format (updated in place or rebuilt).
    assert grid._colorbar_axis.tick_format != ",.3f"
    assert grid._colorbar_axis.scale is grid._color_scale


def test_both_limits_in_hold_sync_send_one_message(grid, recorder):
    with recorder.capture() as cap:
        with grid.hold_sync():
            grid.vmin = 0.001
            grid.vmax = 0.011
    assert len(cap.sends) == 1
    (event,) = cap.sends
    assert event.comm is grid._color_scale.comm
    assert event.data["state"] == {"min": 0.001, "max": 0.011}
    assert event.json_size < SMALL_MESSAGE
    print(f"vmin+vmax update: JSON {event.json_size} B")


def test_colormap_sends_one_message_to_the_colour_scale(grid, recorder):
    with recorder.capture() as cap:
        grid.colormap = "viridis"
    assert len(cap.sends) == 1
    (event,) = cap.sends
    assert event.comm is grid._color_scale.comm
    colours = event.data["state"]["colors"]
    assert set(event.data["state"]) == {"colors"}
    assert colours == list(grid._color_scale.colors)
    assert colours[0] == "#440154" and colours[-1] == "#fde725"  # viridis' ends
    print(f"colormap update: JSON {event.json_size} B")


def test_hold_sync_sends_one_message_per_widget(grid, recorder, sample):
    """hold_sync promises: 'each child widget sends one message for all its changes'."""
    new = one_panel_changed(sample, 1)
    with recorder.capture() as cap:
        with grid.hold_sync():
            grid.data = new  # panel 1's colours change
            grid.highlighted = [0]  # panel 1 is dimmed: its opacity changes too
    per_comm: dict[int, list] = {}
    for event in cap.sends:
        per_comm.setdefault(id(event.comm), []).append(event.data["state"])
    repeated = {k: v for k, v in per_comm.items() if len(v) > 1}
    assert repeated == {}, repeated
    mark_states = per_comm[id(grid._panels[1].mark.comm)]
    assert set(mark_states[0]) == {"opacity"}  # its colours went through the feed
    (feed_state,) = per_comm[id(feed_of(grid).comm)]
    assert feed_state["frame"]["changed"] == [1]


def test_bad_input_sends_nothing_even_in_hold_sync(grid, recorder, sample):
    from traitlets import TraitError

    with recorder.capture() as cap:
        with pytest.raises(TraitError):
            with grid.hold_sync():
                grid.data = sample[::-1]
                grid.vmin, grid.vmax = 0.01, 0.001
    assert cap.events == []


def test_large_values_travel_as_float64(grid, recorder, sample):
    new = sample.copy()
    new[2] = 1e300 * sample[2]
    with grid.hold_sync():
        grid.vmin, grid.vmax = 0.0, 1e300
    with recorder.capture() as cap:
        grid.data = new
    (event,) = cap.sends_to(feed_of(grid))
    decoded, changed = decode_feed(event)
    assert decoded.dtype == np.float64
    np.testing.assert_array_equal(decoded, new[changed])
    assert 2 in changed


def test_a_page_that_asks_for_a_resync_gets_every_map_once(grid, recorder, sample):
    """A page whose feed started late (updates came while its module loaded) asks for every
    map; it gets them all, current, in one message, and nothing else changes."""
    new = one_panel_changed(sample, 2)
    grid.data = new
    with recorder.capture() as cap:
        feed_of(grid)._handle_custom_msg({"event": "resync"}, [])
    assert [e.comm for e in cap.sends] == [feed_of(grid).comm]
    assert_feeds(cap.sends[0], new, list(range(10)))
    # Again: the same maps as the last message, and still sent (the page asked).
    with recorder.capture() as cap:
        feed_of(grid)._handle_custom_msg({"event": "resync"}, [])
    assert [e.comm for e in cap.sends] == [feed_of(grid).comm]
    assert_feeds(cap.sends[0], new, list(range(10)))
    with recorder.capture() as cap:
        feed_of(grid)._handle_custom_msg({"event": "something else"}, [])
    assert cap.events == []
