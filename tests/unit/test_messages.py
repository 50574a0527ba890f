"""What reaches the page: which widget gets a message, how many, how big, in what form.

Every widget talks to a recording comm (see conftest.py), so each ``send`` is seen with
its JSON part and its binary buffers, exactly as ipywidgets hands them to the kernel.

The grid's whole visible state lives in its controller (the GridController among
``grid.children``); the page-side controller sets the bqplot panels or the canvas from
it. So a change of data, limits, colormap, highlight or selection is one message to the
controller and none to any bqplot widget: the tensor travels as a ``patch`` (the changed
maps, with their indices) or, for a new precision or a page that asks, as ``data`` (the
whole stack), both in one binary buffer.
"""

from __future__ import annotations

import numpy as np
import pytest
from page_model import Page, controller_of

from digitheat_widget import DigitHeatmapGrid

#: Largest JSON part accepted for a limits update.
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


def decode_tensor(event, kind: str) -> tuple[np.ndarray, list[int] | None]:
    """The maps an update of the controller carries in ``kind`` ("patch" or "data") and
    their indices (None for the whole stack), decoded from the message alone (dtype,
    shape and byte order as the page reads them)."""
    data = event.data
    assert data["method"] == "update"
    encoded = data["state"][kind]
    # The values went out of the JSON, as one buffer.
    assert "buffer" not in encoded
    paths = data["buffer_paths"]
    assert [kind, "buffer"] in paths, paths
    buffer = event.buffers[paths.index([kind, "buffer"])]
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    maps = np.frombuffer(memoryview(buffer).cast("B"), dtype=dtype).reshape(encoded["shape"])
    return maps, encoded.get("indices")


def assert_patch(event, expected: np.ndarray, changed: list[int]) -> None:
    """``event`` carries maps ``changed`` of the tensor ``expected`` (within float32
    rounding) in binary, with no number in its JSON beyond their shape, their sequence
    number and their indices."""
    maps, indices = decode_tensor(event, "patch")
    assert indices == changed
    assert event.data["buffer_paths"] == [["patch", "buffer"]]
    # shape, sequence, indices, and the stack's sequence when it holds every map changed
    # since that stack (a saved notebook then needs no other patch).
    patch = event.data["state"]["patch"]
    assert count_numbers(patch) == 3 + 1 + len(changed) + ("base" in patch)
    assert maps.shape == (len(changed), *expected.shape[1:])
    np.testing.assert_allclose(maps.astype(np.float64), expected[changed], rtol=2.0**-23, atol=0)


def only_to_controller(cap, grid):
    """The one message of a capture, which must go to the grid's controller."""
    assert len(cap.sends) == 1, [(type(e.comm), e.data) for e in cap.sends]
    (event,) = cap.sends
    assert event.comm is controller_of(grid).comm
    return event


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
    event = only_to_controller(cap, grid)
    assert cap.opens == [] and cap.closes == []
    assert set(event.data["state"]) == {"patch"}  # same limits: nothing else
    assert_patch(event, new, [index])
    assert event.buffer_bytes == 7 * 6 * 4  # that one map, in float32
    # The page's stack now holds the new values (patch applied in order, none skipped).
    page = Page(recorder.events).shown(grid)
    np.testing.assert_allclose(page.data, new, rtol=2.0**-23)
    print(f"one-panel update: JSON {event.json_size} B, buffers {event.buffer_bytes} B")


def test_one_changed_panel_from_a_torch_tensor(grid, recorder, sample):
    torch = pytest.importorskip("torch")  # torch==2.13.0 CPU wheel is installed for this suite
    new = one_panel_changed(sample, 4)
    with recorder.capture() as cap:
        grid.data = torch.from_numpy(new.copy())
    assert_patch(only_to_controller(cap, grid), new, [4])


def test_update_panel_sends_that_panel_alone(grid, recorder, sample):
    with recorder.capture() as cap:
        grid.update_panel(-2, sample[8] * 0.5)  # negative: from the end
    event = only_to_controller(cap, grid)
    expected = sample.copy()
    expected[8] *= 0.5
    assert_patch(event, expected, [8])
    assert event.buffer_bytes == 7 * 6 * 4


def test_a_per_panel_update_carries_its_maps_and_limits_as_ipywidgets_splits_them(recorder,
                                                                                 sample):
    # The controller splits its message's buffers itself (controller.put): the message
    # must be what ipywidgets' own split makes of the same state, buffers in order.
    from ipywidgets.widgets.widget import _remove_buffers

    grid = DigitHeatmapGrid(sample, panel_limits="per-panel")
    try:
        with recorder.capture() as cap:
            grid[2] = sample[2] * 3  # its extremes move: its limits travel with it
        event = only_to_controller(cap, grid)
        controller = controller_of(grid)
        state = {name: getattr(controller, name) for name in event.data["state"]}
        assert {"patch", "limits"} <= set(state)
        ours = (event.data["state"], event.data["buffer_paths"], event.buffers)
        theirs = _remove_buffers(state)
        assert ours[:2] == theirs[:2]
        assert [bytes(b) for b in ours[2]] == [bytes(b) for b in theirs[2]]
        assert ["limits", "panels"] in ours[1] and ["patch", "buffer"] in ours[1]
        # The saved state (what a notebook keeps) holds the new panel too.
        assert controller.get_state()["data"]["buffer"] is not None
        np.testing.assert_array_equal(controller.data.tensor[2], sample[2] * 3)
    finally:
        grid.close()


def test_change_of_overall_max_also_updates_the_limits_in_the_same_message(grid, recorder, sample):
    new = sample.copy()
    new[5, 0, 0] = sample.max() * 1.05  # same tick format (step stays 0.002)
    with recorder.capture() as cap:
        grid.data = new
    # Was: one message to the panel feed and one to the ColorScale. Now one message to
    # the controller carries both the changed map and the limits that follow the data.
    event = only_to_controller(cap, grid)
    state = event.data["state"]
    assert set(state) == {"patch", "limits", "auto_limits"}
    assert_patch(event, new, [5])
    assert state["limits"]["high"] == pytest.approx(sample.max() * 1.05)
    assert state["limits"]["low"] == pytest.approx(sample.min())
    assert state["auto_limits"] == [pytest.approx(sample.min()), pytest.approx(sample.max() * 1.05)]


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
    event = only_to_controller(cap, grid)
    assert set(event.data["state"]) == {"patch"}
    assert_patch(event, new, list(range(10)))
    np.testing.assert_allclose(Page(recorder.events).shown(grid).data, new, rtol=2.0**-23)
    # The budget: at most 2x the raw float32 tensor, JSON included.
    raw = new.astype(np.float32).nbytes
    assert event.json_size + event.buffer_bytes <= 2 * raw
    print(f"10-panel update: 1 message, JSON {event.json_size} B, buffers "
          f"{event.buffer_bytes} B ({(event.json_size + event.buffer_bytes) / raw:.2f}x raw)")


def test_vmax_sends_one_small_message_to_the_controller_only(grid, recorder, sample):
    with recorder.capture() as cap:
        grid.vmax = 0.01  # same tick step (0.001 -> ',.3f')
    event = only_to_controller(cap, grid)
    assert set(event.data["state"]) == {"limits"}
    limits = event.data["state"]["limits"]
    assert (limits["vmin"], limits["vmax"]) == (None, 0.01)
    assert (limits["low"], limits["high"]) == (pytest.approx(sample.min()), 0.01)
    assert limits["tick_format"] == ",.3f"
    assert event.buffers == []
    assert event.json_size < SMALL_MESSAGE
    print(f"vmax update: JSON {event.json_size} B")


def test_vmax_that_changes_the_tick_format_sends_nothing_to_bqplot(grid, recorder):
    with recorder.capture() as cap:
        grid.vmax = 0.5
    # Nothing to the marks, axes or colour scale: the page's controller sets them.
    event = only_to_controller(cap, grid)
    assert cap.opens == [] and cap.closes == []
    limits = event.data["state"]["limits"]
    assert limits["high"] == 0.5
    assert event.json_size < SMALL_MESSAGE
    # The colorbar shows the new format: 0..0.5 has ticks every 0.05, two decimals.
    assert limits["tick_format"] == ",.2f"
    assert Page(recorder.events).shown(grid).tick_format == ",.2f"
    controller = controller_of(grid)
    assert controller.colorbar_axis.scale is controller.color_scale


def test_both_limits_in_hold_sync_send_one_message(grid, recorder):
    with recorder.capture() as cap:
        with grid.hold_sync():
            grid.vmin = 0.001
            grid.vmax = 0.011
    event = only_to_controller(cap, grid)
    assert set(event.data["state"]) == {"limits"}
    limits = event.data["state"]["limits"]
    assert (limits["vmin"], limits["vmax"], limits["low"], limits["high"]) == (
        0.001, 0.011, 0.001, 0.011)
    assert event.json_size < SMALL_MESSAGE
    print(f"vmin+vmax update: JSON {event.json_size} B")


def test_colormap_sends_one_message_to_the_controller(grid, recorder):
    with recorder.capture() as cap:
        grid.colormap = "viridis"
    event = only_to_controller(cap, grid)
    assert set(event.data["state"]) == {"colormap"}
    colormap = event.data["state"]["colormap"]
    assert colormap["name"] == "viridis"
    colours = colormap["stops"]
    assert len(colours) >= 16
    assert colours[0] == "#440154" and colours[-1] == "#fde725"  # viridis' ends
    print(f"colormap update: JSON {event.json_size} B")


def test_hold_sync_sends_one_message_for_all_changes(grid, recorder, sample):
    """hold_sync promises: 'the page gets one message for all of them'."""
    new = one_panel_changed(sample, 1)
    with recorder.capture() as cap:
        with grid.hold_sync():
            grid.data = new  # panel 1's colours change
            grid.highlighted = [0]  # panel 1 is dimmed
            grid.colormap = "magma"
    # Was: one message per widget (the feed, the mark's opacity...); now all in one.
    event = only_to_controller(cap, grid)
    state = event.data["state"]
    assert set(state) == {"patch", "highlighted", "colormap"}
    assert_patch(event, new, [1])
    assert state["highlighted"] == [0]
    assert state["colormap"]["name"] == "magma"


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
    # A new precision on the wire: the whole stack goes again, in float64, in one message.
    event = only_to_controller(cap, grid)
    decoded, indices = decode_tensor(event, "data")
    assert indices is None
    assert decoded.dtype == np.float64
    np.testing.assert_array_equal(decoded, new)
    assert "patch" not in event.data["state"]
    page = Page(recorder.events).shown(grid)
    assert page.dtype == "float64"
    np.testing.assert_array_equal(page.data, new)
    # And the next change of one map is a float64 patch.
    newer = new.copy()
    newer[2, 0, 0] = 5e299
    with recorder.capture() as cap:
        grid.data = newer
    maps, indices = decode_tensor(only_to_controller(cap, grid), "patch")
    assert indices == [2] and maps.dtype == np.float64
    np.testing.assert_array_equal(maps[0], newer[2])


def test_a_page_that_asks_for_a_resync_gets_every_map_once(grid, recorder, sample):
    """A page that missed an update (its controller started late, or a patch did not
    follow the stack it holds) asks for the stack; it gets every map, current, in one
    message, and nothing else changes."""
    new = one_panel_changed(sample, 2)
    grid.data = new
    controller = controller_of(grid)
    for _ in range(2):  # again: the same maps as the last message, and still sent
        with recorder.capture() as cap:
            controller._handle_message(controller, {"event": "resync"}, [])
        event = only_to_controller(cap, grid)
        assert set(event.data["state"]) == {"data"}
        decoded, indices = decode_tensor(event, "data")
        assert indices is None
        np.testing.assert_allclose(decoded, new, rtol=2.0**-23)
        assert cap.opens == [] and cap.closes == []
    with recorder.capture() as cap:
        controller._handle_message(controller, {"event": "something else"}, [])
    assert cap.events == []
    # The page's stack and the patches after it still follow each other.
    newer = one_panel_changed(new, 7)
    grid.data = newer
    np.testing.assert_allclose(Page(recorder.events).shown(grid).data, newer, rtol=2.0**-23)


def test_a_page_that_lost_messages_gets_the_whole_state_in_one(recorder, sample):
    """anywidget drops every message to a controller whose page module started more than
    2 s after its model (compat.js hearAgainIfDropped); the page then asks for all of it
    ("resync", part "all"): one message that carries the whole current state (the stack
    whole, so no patch), and a page that saw the grid open and then only that message
    shows what Python holds. The controller's first state names its own model id, which
    the page looks its model up by."""
    with recorder.capture() as opening:
        grid = DigitHeatmapGrid(sample)
    try:
        controller = controller_of(grid)
        opened = [e for e in opening.opens if e.comm is controller.comm]
        assert len(opened) == 1 and opened[0].data["state"]["own_id"] == controller.model_id
        with recorder.capture():  # all lost on the way to the page
            grid.data = one_panel_changed(sample, 2)
            grid.vmax = 0.01
            grid.colormap = "viridis"
            grid.highlighted = [3]
        with recorder.capture() as cap:
            controller._handle_message(controller, {"event": "resync", "part": "all"}, [])
        event = only_to_controller(cap, grid)
        assert not {"patch", "frames_patch", "_esm", "_css"} & set(event.data["state"])
        assert cap.opens == [] and cap.closes == []
        shown = Page(opening.events + cap.events).shown(grid)
        np.testing.assert_allclose(shown.data, grid.data, rtol=2.0**-23)
        assert (shown.vmax, shown.colormap, shown.highlighted) == (0.01, "viridis", [3])
    finally:
        grid.close()


def test_a_cell_end_sends_only_what_a_saved_notebook_would_lack(grid, recorder, sample):
    """At a cell's end the saved state must show every change (the stack and the last
    patch are all a notebook keeps), without sending again what the last patch holds."""
    from digitheat_widget.live.view import flush_waiting

    new = sample.copy()
    new[2] += 1e-4
    with recorder.capture() as cap:
        grid.data = new  # map 2 alone: the patch holds every change since the stack
        flush_waiting()
    (event,) = cap.sends
    assert event.data["state"]["patch"]["indices"] == [2]
    new[5] += 1e-4
    with recorder.capture() as cap:
        grid.data = new  # map 5 alone now; map 2 changed earlier: a saved state lacks it
        flush_waiting()
    first, last = cap.sends
    assert first.data["state"]["patch"]["indices"] == [5]
    patch = last.data["state"]["patch"]
    assert patch["indices"] == [2, 5]
    stack = controller_of(grid).data
    assert patch["base"] == stack.seq - 3  # the stack sent before the three patches
    maps, _ = decode_tensor(last, "patch")
    np.testing.assert_allclose(maps.astype(np.float64), new[[2, 5]], rtol=2.0**-23, atol=0)
    with recorder.capture() as cap:
        flush_waiting()  # nothing new: nothing sent
    assert cap.sends == []


def test_the_player_costs_no_widget_and_no_message(recorder, sample):
    """The compact player is drawn by the page's controller: player=False is in the
    controller's first state (the same widgets open, nothing more is sent), and turning it
    back on is one small message to the controller. The controller's show_player is the
    grid's, with no control panel shown."""
    counts = {}
    for player in (True, False):
        with recorder.capture() as cap:
            grid = DigitHeatmapGrid(sample, player=player)
        controller = controller_of(grid)
        (opened,) = [e for e in cap.opens if e.comm is controller.comm]
        assert opened.data["state"]["show_player"] is player
        counts[player] = (len(cap.opens), len(cap.sends))
        if not player:
            with recorder.capture() as cap:
                grid.show_player = True
            event = only_to_controller(cap, grid)
            assert event.data["state"] == {"show_player": True}
        grid.close()
    assert counts[True] == counts[False]
    # A control panel shown has its own playback row: no player while it shows.
    grid = DigitHeatmapGrid(sample, controls=True)
    controller = controller_of(grid)
    assert controller.show_player is False
    grid.show_controls = False
    assert controller.show_player is True
    grid.show_player = False
    grid.show_controls = True
    grid.show_controls = False
    assert controller.show_player is False
    grid.close()


def test_construction_opens_each_widget_with_its_classes_and_sends_one_message(recorder, sample):
    """Issue 26 (first paint): every widget the grid opens carries its CSS classes and
    layout in its opening message, and the tooltips share one layout, so building a grid
    sends one message after the opens (the grid's children, once its view exists), not
    one per class added (44 more at ten panels)."""
    with recorder.capture() as cap:
        grid = DigitHeatmapGrid(sample)
    assert [sorted(e.data["state"]) for e in cap.sends] == [["children"]]
    states = [e.data["state"] for e in cap.opens]
    classes = [c for state in states for c in state.get("_dom_classes", [])]
    count = sample.shape[0]
    for name in ("digitheat-grid", grid.css_class, "dhg-body", "dhg-colorbar"):
        assert classes.count(name) == 1, name
    for index in range(count):
        assert classes.count(f"dhg-p{index}") == classes.count(f"dhg-t{index}") == 1
    tooltips = [s for s in states if s.get("_model_name") == "TooltipModel"]
    assert len(tooltips) == count and len({s["layout"] for s in tooltips}) == 1
    grid_state = next(s for s in states if "digitheat-grid" in s.get("_dom_classes", []))
    (layout,) = [e.data["state"] for e in cap.opens
                 if "IPY_MODEL_" + e.comm.comm_id == grid_state["layout"]]
    assert layout["width"] == "fit-content"
    grid.close()


def _paged_grid():
    grid = DigitHeatmapGrid(np.random.default_rng(5).random((12, 7, 6)), page_size=4)
    grid.page = 0
    assert grid.wait_for_limits(30)  # found in a thread, which sends them when done
    return grid


#: Each kind of change the live view sends, as (setup, change): every branch of its send
#: (a patch, the whole stack, compare, frames whole / added / shown / relabelled, paging).
_KINDS = {
    "one panel": (None, lambda g: g.update_panel(3, np.full((7, 6), 0.5))),
    "every map": (None, lambda g: setattr(g, "data", np.asarray(g.data) * 0.5)),
    "float64 needed": (None, lambda g: setattr(g, "data", np.asarray(g.data, np.float64) + 1e9)),
    "reference": (None, lambda g: g.compare(np.asarray(g.data) * 0.5)),
    "view shown": (lambda g: g.compare(np.asarray(g.data) * 0.5),
                   lambda g: setattr(g, "showing", "data")),
    "frame recorded": (lambda g: g.record("a"), lambda g: g.record("b")),
    "frame shown": (lambda g: (g.record("a"), g.record("b")), lambda g: setattr(g, "frame", 0)),
    "frames relabelled": (lambda g: (g.record("a"), g.record("b")),
                          lambda g: setattr(g, "frame_labels", ["first", "second"])),
    "frames whole": (None, lambda g: setattr(g, "frames", np.stack([np.asarray(g.data)] * 3))),
    "next page": ("paged", lambda g: setattr(g, "page", 1)),
}


@pytest.mark.parametrize("kind", list(_KINDS))
def test_every_kind_of_change_is_one_message_to_the_controller(recorder, kind):
    """Whatever a change sends (maps, the stack, a reference, frames, a page), the page
    gets it in one message: parts that came apart could be drawn apart (new maps under
    the old limits for a frame)."""
    setup, change = _KINDS[kind]
    grid = _paged_grid() if setup == "paged" else DigitHeatmapGrid()
    try:
        if callable(setup):
            setup(grid)
        grid._view.flush()
        with recorder.capture() as cap:
            change(grid)
            grid._view.flush()
        controller = controller_of(grid)
        to_controller = [e for e in cap.sends if e.comm is controller.comm]
        assert len(to_controller) == 1, [e.data for e in to_controller]
        assert to_controller[0].data["state"], kind
        # Besides it, only a new page's titles (the SVG panels' figures, tooltips and title hits).
        others = {key for e in cap.sends if e.comm is not controller.comm for key in e.data["state"]}
        assert others <= ({"title", "tooltip", "labels"} if setup == "paged" else set()), others
    finally:
        grid.close()
