"""A one-panel update (``grid[d] = values``, ``update_panel``) costs that panel, not the stack.

What it sends: one message to the controller, a ``patch`` of that map alone, on both
renderers, with frames, a reference or pages, whatever the stack's size. What it does in
Python: no copy of the stack (measured in memory allocated, not in time: speed is for
``benchmarks/``). What stays right meanwhile, each checked against the rule applied to
the whole stack from scratch (``data.auto_limits``, ``codec.needs_float64``, or a grid
built anew from the final maps): automatic limits (NaN maps, masked cells, constant
maps, +-1e300), the precision on the wire, what the page holds; and a refused batch rolls
a panel update back. An array read from ``grid.data`` before an update keeps its values.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_model import Page, controller_of
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.data import auto_limits
from digitheat_widget.live.codec import needs_float64

SHAPE = (12, 6, 5)
VARIANTS = ["plain", "auto limits", "frames", "compare", "paged"]


def stack(count: int = SHAPE[0], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((count, *SHAPE[1:]))


def made(variant: str, values: np.ndarray, renderer: str = "auto") -> DigitHeatmapGrid:
    """A grid of ``values`` set up as ``variant`` says (fixed limits 0..1 unless automatic)."""
    limits = {} if variant == "auto limits" else {"vmin": 0.0, "vmax": 1.0}
    if variant == "paged":
        limits["page_size"] = values.shape[0] // 2
    grid = DigitHeatmapGrid(values, renderer=renderer, **limits)
    if variant == "frames":
        grid.record()
        grid.data = values[::-1]
        grid.record()
    elif variant == "compare":
        grid.compare(values[::-1] * 0.5)
    elif variant == "paged":
        assert grid.wait_for_limits(60)  # the whole stack's limits: a thread that allocates
    return grid


def page_of(recorder) -> Page:
    return Page(recorder.events)


# ------------------------------------------------------------------------ what is sent


@pytest.mark.parametrize("renderer", ["svg", "canvas"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_panel_update_sends_that_panel_alone_whatever_the_stack(recorder, variant, renderer):
    """The message of ``grid[3] = v`` is the same size for 12 maps as for 400: one patch
    of map 3 (plus small parts that follow the data), and the page ends on the new map."""
    sizes = {}
    for count in (12, 400):
        grid = made(variant, stack(count), renderer)
        panel = np.full(SHAPE[1:], 0.25)
        panel[0, 0] = 0.75
        with recorder.capture() as cap:
            grid[3] = panel
        assert cap.opens == [] and cap.closes == []
        assert [e.comm for e in cap.sends] == [controller_of(grid).comm]
        (event,) = cap.sends
        patch = event.data["state"]["patch"]
        assert patch["indices"] == [3] and patch["shape"] == [1, *SHAPE[1:]]
        assert event.buffer_bytes == SHAPE[1] * SHAPE[2] * 4  # that map, float32
        shown = page_of(recorder).shown(grid)
        np.testing.assert_array_equal(shown.data[3], panel.astype(np.float32))
        np.testing.assert_array_equal(shown.data, grid.data.astype(np.float32))
        assert grid.paged == (variant == "paged")
        sizes[count] = event.json_size
        grid.close()
    # The JSON grows with nothing but the digits of a sequence number.
    assert abs(sizes[400] - sizes[12]) <= 8, sizes


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_panel_update_allocates_about_a_panel_not_the_stack(variant):
    """1000 maps of 28x28 (6.3 MB as float64): each update allocates well under a
    twentieth of that (before: a copy of the whole stack, then its float32 wire copy)."""
    values = np.random.default_rng(1).random((1000, 28, 28))
    grid = made(variant, values, "canvas")
    panels = [np.random.default_rng(k).random((28, 28)) for k in range(4)]
    for k in range(4):  # the first update copies the stack once (it was the caller's)
        grid[k % 3] = panels[k]
    tracemalloc.start()
    try:
        for k in range(8):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            grid[(k % 3) + 1] = panels[k % 4]
            peak = tracemalloc.get_traced_memory()[1] - before
            assert peak < values.nbytes / 20, f"update {k} allocated {peak:,} B"
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(grid.data[(7 % 3) + 1], panels[7 % 4])  # the last update
    grid.close()


def test_arrays_read_before_an_update_keep_their_values():
    """The grid writes a new panel where no array anyone holds can see it: an array read
    from ``grid.data`` (or ``grid[i]``) before keeps its values, and so does another grid
    given this one's data or compared with it."""
    grid = DigitHeatmapGrid(stack(), vmin=0.0, vmax=1.0)
    grid[0] = np.zeros(SHAPE[1:])  # from here on, data is the grid's own buffer
    snapshots = []
    for step in range(6):
        held, row = grid.data, grid[step % 4]
        copies = (held.copy(), row.copy())
        other = DigitHeatmapGrid(grid.data)
        compared = DigitHeatmapGrid(stack(seed=5))
        compared.compare(grid)
        reference = compared.reference.copy()
        for k in range(4):
            grid[k] = np.full(SHAPE[1:], step + k / 10)
        snapshots.append(held)
        np.testing.assert_array_equal(held, copies[0])
        np.testing.assert_array_equal(row, copies[1])
        np.testing.assert_array_equal(other.data, copies[0])
        np.testing.assert_array_equal(compared.reference, reference)
        other.close()
        compared.close()
    assert len({id(s) for s in snapshots}) == len(snapshots)
    assert [float(s[3, 0, 0]) for s in snapshots[1:]] == [step - 1 + 0.3 for step in range(1, 6)]


def test_a_paged_grid_stays_paged_and_its_page_gets_the_panel(recorder):
    values = stack(12)
    grid = DigitHeatmapGrid(values, page_size=5)
    grid.page = 1
    # The whole stack's limits are found in a thread, which sends them when done: not
    # during the capture (it came there once, in CI's lowest-versions run).
    assert grid.wait_for_limits(30)
    with recorder.capture() as cap:
        grid[2] = np.full(SHAPE[1:], 0.5)
    (event,) = cap.sends
    assert event.data["state"]["patch"]["indices"] == [2]
    assert grid.paged and grid.page == 1 and grid.page_count == 3 and grid.panel_count == 12
    np.testing.assert_array_equal(grid.data[2], np.full(SHAPE[1:], 0.5))
    np.testing.assert_array_equal(np.delete(grid.data, 2, 0), np.delete(values[5:10], 2, 0))
    grid.page = 0  # the stack given does not change: page 1 read again shows its own maps
    grid.page = 1
    np.testing.assert_array_equal(grid.data, values[5:10])
    grid.close()


# ------------------------------------------------------------------------ what stays right


def expected_state(grid: DigitHeatmapGrid) -> dict:
    """What the grid and the page should say of ``grid.data``, from the rules applied to
    the whole stack from scratch."""
    data = np.asarray(grid.data)
    auto = auto_limits(data, None, None)
    # The limits in force: vmin and vmax, else the automatic limits (as documented).
    both_auto = grid.vmin is None and grid.vmax is None
    return {"limits": auto if both_auto else auto_limits(np.array(auto), grid.vmin, grid.vmax),
            "auto": auto, "dtype": "float64" if needs_float64(data) else "float32"}


def assert_follows(grid: DigitHeatmapGrid, recorder) -> None:
    want = expected_state(grid)
    assert grid.limits == want["limits"]
    assert grid.figure.auto_limits == want["auto"]
    shown = page_of(recorder).shown(grid)
    assert shown.limits == want["limits"] and shown.auto_limits == want["auto"]
    assert shown.dtype == want["dtype"]
    np.testing.assert_array_equal(shown.data, grid.data.astype(want["dtype"]))


#: Panels that move the limits or the precision: NaN maps, masked cells, constants,
#: the largest magnitudes, float32's subnormals, a ramp float32 would flatten.
def hard_panels() -> list[object]:
    ramp = np.linspace(0.0, 1e-3, SHAPE[1] * SHAPE[2]).reshape(SHAPE[1:])
    masked = np.ma.masked_greater(np.linspace(-3.0, 3.0, 30).reshape(SHAPE[1:]), 2.0)
    return [
        np.full(SHAPE[1:], np.nan),
        masked,
        np.full(SHAPE[1:], 7.0),
        np.full(SHAPE[1:], -1e300),
        np.full(SHAPE[1:], 1e300),
        np.full(SHAPE[1:], 1e-39),
        1e6 + ramp,
        np.zeros(SHAPE[1:]),
        np.full(SHAPE[1:], 0.5),
    ]


@pytest.mark.parametrize(("vmin", "vmax"), [(None, None), (0.0, None), (None, 1.0), (0.0, 1.0)])
def test_limits_and_precision_follow_panel_updates(recorder, vmin, vmax):
    grid = DigitHeatmapGrid(stack(), vmin=vmin, vmax=vmax)
    for step, panel in enumerate(hard_panels() * 2):
        grid[(step * 5) % SHAPE[0]] = panel
        assert_follows(grid, recorder)
    # Every map NaN, then constant: no finite value, then no spread.
    for digit in range(SHAPE[0]):
        grid[digit] = np.full(SHAPE[1:], np.nan)
    assert_follows(grid, recorder)
    for digit in range(SHAPE[0]):
        grid[digit] = np.full(SHAPE[1:], 3.0)
        assert_follows(grid, recorder)
    grid.close()


def test_a_masked_panel_update_keeps_the_limits_of_its_unmasked_cells(recorder):
    grid = DigitHeatmapGrid(stack())
    panel = np.ma.masked_greater(np.full(SHAPE[1:], 50.0), 10.0)
    panel[0, 0] = 2.0
    panel.mask[0, 0] = False
    grid[4] = panel
    assert grid.limits == (float(np.delete(stack(), 4, 0).min()), 2.0)
    assert_follows(grid, recorder)
    grid.close()


@pytest.mark.parametrize("fixed", [False, True], ids=["auto", "fixed"])
@pytest.mark.parametrize("variant", ["frames", "compare"])
def test_limits_after_panel_updates_are_a_new_grids(variant, fixed):
    """With frames or a reference, limits (and each view's, and the precision) after
    panel updates are those of a grid built anew from the final state, in Python and in
    what the page was sent (with vmin and vmax fixed too: each view's automatic limits
    still follow the data, and the page's "auto limits" and view flips use them)."""
    grid = made(variant, stack(), "auto")
    grid.vmin, grid.vmax = (-1.0, 1.0) if fixed else (None, None)
    for step, panel in enumerate(hard_panels()):
        grid[step % 5] = panel
        grid._view.flush()
        controller = controller_of(grid)
        assert controller.auto_limits == list(grid._auto_now()), step
        if variant == "compare":
            assert controller.compare["auto"] == grid._compare_state()[1]["auto"], step
        fresh = DigitHeatmapGrid(grid.data)
        if variant == "frames":
            fresh.frames = grid.frames
            fresh.data = grid.data
        elif variant == "compare":
            fresh.compare(grid.reference)
            fresh.showing = grid.showing
        fresh.vmin, fresh.vmax = grid.vmin, grid.vmax
        assert grid.limits == fresh.limits, step
        assert grid._compare_state()[1]["auto"] == fresh._compare_state()[1]["auto"], step
        assert grid._wire_dtypes() == fresh._wire_dtypes(), step
        if variant == "compare":
            np.testing.assert_array_equal(grid._shown(), grid.data - grid.reference)
        fresh.close()
    grid.close()


FAST = settings(deadline=None, max_examples=40, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
VALUES = st.sampled_from([0.0, 0.5, -2.0, 7.0, np.nan, 1e300, -1e300, 1e-39, 3e-320,
                          1e6, 1e6 + 1e-4, 123.456])


@FAST
@given(first=st.lists(VALUES, min_size=4 * 6, max_size=4 * 6),
       updates=st.lists(st.tuples(st.integers(0, 3), st.lists(VALUES, min_size=6, max_size=6)),
                        min_size=1, max_size=8),
       limits=st.sampled_from([(None, None), (None, 1.0), (-3.0, None), (-5.0, 5.0)]))
def test_any_panel_updates_leave_limits_precision_and_page_right(recorder, first, updates, limits):
    grid = DigitHeatmapGrid(np.array(first).reshape(4, 2, 3), vmin=limits[0], vmax=limits[1],
                            renderer="canvas")
    try:
        for digit, values in updates:
            grid[digit] = np.array(values).reshape(2, 3)
            assert_follows(grid, recorder)
    finally:
        grid.close()


def test_a_refused_batch_rolls_panel_updates_back(recorder):
    grid = DigitHeatmapGrid(stack())
    grid[1] = np.full(SHAPE[1:], 0.3)  # the grid's own buffer from here on
    before, held = grid.data.copy(), grid.data
    limits = grid.limits
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match="vmin < vmax"):
            with grid.hold_sync():
                grid[2] = np.full(SHAPE[1:], 40.0)  # moves the limits
                grid[5] = np.full(SHAPE[1:], -40.0)
                grid.vmin, grid.vmax = 2.0, 1.0
    assert cap.sends == []  # the page keeps what it has
    assert grid.data is held
    np.testing.assert_array_equal(grid.data, before)
    assert grid.limits == limits
    assert_follows(grid, recorder)
    # And the next updates start from the rolled-back maps.
    for digit in (2, 5, 2):
        grid[digit] = np.full(SHAPE[1:], 0.9)
        assert_follows(grid, recorder)
    expected = before.copy()
    expected[[2, 5]] = 0.9
    np.testing.assert_array_equal(grid.data, expected)
    grid.close()


def test_an_error_inside_a_batch_rolls_a_panel_update_back(recorder):
    """Compared, the difference shown follows the rollback too."""
    grid = DigitHeatmapGrid(stack())
    grid.compare(stack(seed=3))
    grid[1] = np.full(SHAPE[1:], -2.0)  # data and difference: the grid's own buffers
    before, difference, limits = grid.data.copy(), grid._shown().copy(), grid.limits
    with pytest.raises(ZeroDivisionError):
        with grid.hold_sync():
            grid[0] = np.full(SHAPE[1:], 9.0)
            1 / 0
    np.testing.assert_array_equal(grid.data, before)
    np.testing.assert_array_equal(grid._shown(), difference)
    assert grid.limits == limits
    for value in (9.0, 0.5):
        grid[0] = np.full(SHAPE[1:], value)
        np.testing.assert_array_equal(grid._shown(), grid.data - grid.reference)
        fresh = DigitHeatmapGrid(grid.data)
        fresh.compare(grid.reference)
        assert grid.limits == fresh.limits
        fresh.close()
    grid.close()


def test_a_paged_grid_keeps_the_whole_stacks_limits():
    """Paged, automatic limits are the stack's (the stack given, which a panel update of
    the page shown does not change)."""
    values = stack(12)
    grid = DigitHeatmapGrid(values, page_size=5)
    assert grid.wait_for_limits(60)
    for panel in hard_panels()[:5]:
        grid[1] = panel
        assert grid.limits == auto_limits(values, None, None)
    grid.close()


def test_an_unchanged_panel_sends_nothing(recorder):
    grid = DigitHeatmapGrid(stack())
    panel = grid.data[6].copy()
    panel[0, 0] = np.nan
    grid[6] = panel
    data = grid.data
    with recorder.capture() as cap:
        grid[6] = panel.copy()  # NaN where it was NaN: the same map
    assert cap.sends == [] and grid.data is data
    # A map without finite values, again: its extremes (NaN) tell nothing; still the same.
    grid[2] = np.full(SHAPE[1:], np.nan)
    data = grid.data
    with recorder.capture() as cap:
        grid[2] = np.full(SHAPE[1:], np.nan)
    assert cap.sends == [] and grid.data is data
    # The same extremes, other values between them: a change all the same.
    ramp = np.linspace(0.0, 1.0, SHAPE[1] * SHAPE[2]).reshape(SHAPE[1:])
    grid[4] = ramp
    with recorder.capture() as cap:
        grid[4] = ramp[::-1, ::-1].copy()
    (event,) = cap.sends
    assert event.data["state"]["patch"]["indices"] == [4]
    np.testing.assert_array_equal(grid.data[4], ramp[::-1, ::-1])
    grid.close()


# ---------------------------------------------------------------- the summary's extremes

MAP_VALUES = st.sampled_from([0.0, 0.5, -2.0, 7.0, np.nan, 1e300, -1e300, 1e-39, 3e-320, 9.0])


@FAST
@given(first=st.lists(MAP_VALUES, min_size=4 * 3, max_size=4 * 3),
       updates=st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
                                  st.lists(MAP_VALUES, min_size=9, max_size=9)),
                        min_size=1, max_size=6))
def test_a_replaced_summary_has_the_extremes_of_its_stack(first, updates):
    """MapSummary.replaced carries the stack's extremes over from the summary before
    (no pass over N maps) where the replaced maps decide them: after any replacements
    they are those of the stack summarised from scratch. A kept end the replaced maps
    held (min, max or smallest magnitude moving in) would be stale here."""
    from digitheat_widget.data import MapSummary

    stack_now = np.array(first).reshape(4, 1, 3)
    summary = MapSummary.of(stack_now)
    summary.extremes()  # found: what replaced() follows from
    for indices, values in updates:
        new = stack_now.copy()
        maps = np.array(values).reshape(3, 1, 3)[:len(indices)]
        new[indices] = maps
        summary = summary.replaced(new, indices, MapSummary.of(maps))
        assert summary.extremes() == MapSummary.of(new).extremes()
        stack_now = new


@pytest.mark.parametrize("end", ["low", "high", "tiny"])
def test_an_end_the_replaced_map_held_moves_in(end):
    """The replaced map held the stack's minimum (maximum, smallest magnitude) alone and
    the new map does not reach it: the end moves in. A summary that kept the old
    extremes for the new stack would still say the old end."""
    from digitheat_widget.data import MapSummary

    stack_now = np.full((3, 2, 2), 5.0)
    stack_now[1] = {"low": 1.0, "high": 9.0, "tiny": 0.001}[end]
    summary = MapSummary.of(stack_now)
    before = summary.extremes()
    new = stack_now.copy()
    new[1] = 5.0
    replaced = summary.replaced(new, [1], MapSummary.of(new[1:2]))
    # The range is found at once from the maps' own extremes (N numbers), not left for later.
    assert replaced._range == (5.0, 5.0)
    assert replaced.extremes() == ((5.0, 5.0), 5.0) != before


def test_an_end_the_new_map_passes_moves_out_without_a_pass():
    """A new map beyond both ends: the extremes are its own, known at once (the summary
    holds them found) and the same as found from scratch."""
    from digitheat_widget.data import MapSummary

    stack_now = np.random.default_rng(3).random((6, 4, 4)) + 1.0
    summary = MapSummary.of(stack_now)
    summary.extremes()
    new = stack_now.copy()
    new[2] = np.linspace(0.5, 9.0, 16).reshape(4, 4)
    replaced = summary.replaced(new, [2], MapSummary.of(new[2:3]))
    assert replaced._range == (0.5, 9.0) and replaced._smallest == 0.5  # followed, not found
    assert replaced.extremes() == MapSummary.of(new).extremes()


def test_one_maps_summary_is_the_stacks_rule():
    """MapSummary.of one map (a panel update's shortcut) says what it says of the same map
    in a stack of several: each map's extremes and smallest magnitude, and the range."""
    from digitheat_widget.data import MapSummary

    maps = [np.array([[0.5, 2.0]]), np.array([[-3.0, -0.25]]), np.array([[-1.0, 4.0]]),
            np.array([[0.0, 0.0]]), np.array([[np.nan, np.nan]]), np.array([[np.nan, 0.5]])]
    together = MapSummary.of(np.stack([*maps, np.array([[9.0, 9.0]])]))
    for index, one in enumerate(maps):
        alone = MapSummary.of(one[np.newaxis])
        for field in ("low", "high", "tiny"):
            np.testing.assert_array_equal(getattr(alone, field), getattr(together, field)[[index]])
        scratch = MapSummary(alone.low.copy(), alone.high.copy(), alone.tiny.copy())
        assert alone.extremes() == scratch.extremes(), index


def test_stacks_made_by_panel_updates_are_taken_back_without_a_copy_and_not_hoarded():
    """The arrays the grid made are known as converted (a second grid takes one as it is),
    weakly: the registry holds at most twice as many entries as it last found alive (or
    1024), dead ones dropped in one pass past that."""
    from digitheat_widget import data as data_module

    grid = DigitHeatmapGrid(stack(), vmin=0.0, vmax=1.0)
    kept = []
    for step in range(3000):  # each stack held: 3000 distinct arrays made
        grid[step % SHAPE[0]] = np.full(SHAPE[1:], step % 7 / 10)
        kept.append(grid.data)
        assert len(data_module._CONVERTED) <= data_module._CONVERTED_LIMIT[0]
    assert data_module._CONVERTED_LIMIT[0] >= 3000  # (each pass found them alive)
    kept.clear()
    held = grid.data
    other = DigitHeatmapGrid(held, vmin=0.0, vmax=1.0)
    assert other.data is held  # known as converted and checked: no copy
    other.close()
    grid.close()


def test_with_both_limits_fixed_a_data_update_sends_the_automatic_limits_alone(recorder):
    """vmin and vmax fix the limits in force whatever the data: an update that moves the
    data's extremes sends its automatic limits and not the limits in force (unchanged);
    once an end is automatic again, or in the same batch, the limits follow the data."""
    grid = DigitHeatmapGrid(stack(), vmin=0.2, vmax=0.8)
    for values in (np.full(SHAPE[1:], 5.0), np.full(SHAPE[1:], -5.0)):
        with recorder.capture() as cap:
            grid[3] = values
        (event,) = cap.sends
        assert set(event.data["state"]) == {"patch", "auto_limits"}
        assert_follows(grid, recorder)
    with recorder.capture() as cap:
        grid.data = stack(seed=1) * 3
    assert "limits" not in cap.sends[-1].data["state"]
    assert_follows(grid, recorder)
    with recorder.capture() as cap:
        with grid.hold_sync():  # an end automatic again, and the data moved, together
            grid.vmin = None
            grid[3] = np.full(SHAPE[1:], -9.0)
    assert grid.limits == (-9.0, 0.8)
    assert_follows(grid, recorder)
    grid[3] = np.full(SHAPE[1:], -7.0)  # then the limits in force follow the data
    assert grid.limits == (-7.0, 0.8)
    assert_follows(grid, recorder)
    grid.close()
