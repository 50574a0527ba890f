"""Paging (issue "Beyond one machine"): lazy stacks are read a page at a time, panel
indices stay global, and the whole stack's limits come from the engine in the background
(a real dask.distributed cluster, with worker processes: tests/pipelines/test_cluster.py)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.pages import CACHED_PAGES, DEFAULT_PAGE_SIZE

from page_model import (Page, controller_of, made_on_shown, page_click, page_highlight,
                        page_sends)

da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(7)
#: 1,000 maps of 7 x 6 in chunks of 50 panels: small enough to check every value here.
VALUES = RNG.normal(size=(1000, 7, 6))
VALUES[3, 2, 1] = np.nan


class ChunkLog:
    """Which chunks (first-axis block indices) a Dask array's graph has computed."""

    def __init__(self) -> None:
        self.touched: list[int] = []
        self._lock = threading.Lock()

    def array(self, values: np.ndarray, chunk: int):
        def block(block_info=None):
            start, stop = block_info[None]["array-location"][0]
            with self._lock:
                self.touched.append(start // chunk)
            return values[start:stop]

        shape = values.shape
        chunks = ((chunk,) * (shape[0] // chunk), (shape[1],), (shape[2],))
        return da.map_blocks(block, chunks=chunks, dtype=values.dtype, meta=np.array((), values.dtype))


@pytest.fixture
def log() -> ChunkLog:
    return ChunkLog()


def test_lazy_stack_reads_only_the_page_shown(log):
    grid = DigitHeatmapGrid(log.array(VALUES, 50), stack_limits=False)
    assert grid.paged and grid.source is not None
    assert grid.page_count == 10 and grid.panel_count == 1000
    assert grid.data.shape == (DEFAULT_PAGE_SIZE, 7, 6)
    np.testing.assert_array_equal(grid.data, VALUES[:100])
    assert sorted(set(log.touched)) == [0, 1]  # panels 0-99: chunks 0 and 1, nothing else
    log.touched.clear()
    grid.page = 7
    np.testing.assert_array_equal(grid.data, VALUES[700:800])
    assert sorted(set(log.touched)) == [14, 15]
    assert grid.labels[0] == "700" and grid.panel_offset == 700
    grid.close()


def test_pages_are_cached_a_few_at_a_time(log):
    grid = DigitHeatmapGrid(log.array(VALUES, 50), page_size=50, stack_limits=False)
    for page in range(12):
        grid.page = page
    assert len(grid._source._cache) == CACHED_PAGES
    log.touched.clear()
    grid.page = 10  # read a moment ago: from the cache
    assert log.touched == []
    grid.page = 2  # read long ago: computed again
    assert log.touched == [2]
    grid.close()


def test_indices_are_global_on_every_page():
    clicks = []
    grid = DigitHeatmapGrid(da.from_array(VALUES, chunks=(50, 7, 6)), page_size=20,
                            stack_limits=False)
    grid.on_cell_click(lambda *args: clicks.append(args))
    grid.page = 3  # panels 60-79
    grid.highlighted = [61, 5, 999]
    assert grid.figure.highlighted == (1,)  # drawn on this page: the second panel
    # A click in the page on its third panel is panel 62 in Python.
    grid._on_page_event("selected", [2, 4, 5])
    assert grid.selected == (62, 4, 5)
    assert clicks == [(62, 4, 5, VALUES[62, 4, 5])]
    assert grid.figure.selected == (2, 4, 5)
    # The page toggles the highlight of its panels only; other pages' stay.
    grid._on_page_event("highlighted", [0])
    assert sorted(grid.highlighted) == [5, 60, 999]
    grid.page = 0
    assert grid.figure.highlighted == (5,) and grid.figure.selected is None
    # A panel outside the whole stack is refused, naming the trait.
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.highlighted expected indices in "
                                         r"0\.\.999, got \[1000\]"):
        grid.highlighted = [1000]
    assert sorted(grid.highlighted) == [5, 60, 999]
    grid.close()


def test_bad_pages_are_refused_and_nothing_changes():
    grid = DigitHeatmapGrid(da.from_array(VALUES, chunks=(50, 7, 6)), stack_limits=False)
    grid.page = 2
    before = grid.data
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.page expected a page in 0\.\.9, got 10"):
        grid.page = 10
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.page_size expected None or panels "
                                         r"per page in 1\.\.4096, got 0"):
        grid.page_size = 0
    assert grid.page == 2 and grid.data is before and grid.page_size is None
    # A lazy stack that is not (N, H, W) is refused as an array is.
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected a 3-D array \(N, H, W\), "
                                         r"got 4-D with shape \(2, 2, 7, 6\)"):
        grid.data = da.zeros((2, 2, 7, 6))
    assert grid.page == 2 and grid.data is before
    grid.close()


def test_a_page_with_bad_values_is_refused_where_it_is_read():
    values = VALUES.copy()
    values[250, 0, 0] = np.inf
    grid = DigitHeatmapGrid(da.from_array(values, chunks=(50, 7, 6)), stack_limits=False)
    with pytest.raises(TraitError, match=r"expected finite values or NaN, got \+-inf"):
        grid.page = 2
    assert grid.page == 0
    np.testing.assert_array_equal(grid.data, values[:100])
    grid.close()


def test_page_size_keeps_the_first_panel_and_whole_stacks_come_back():
    grid = DigitHeatmapGrid(VALUES[:300], page_size=100)  # in memory, asked to page
    assert grid.paged and grid.page_count == 3
    grid.page = 2
    grid.page_size = 30  # panel 200 stays in view
    assert grid.page == 6 and grid.labels[0] == "180" and grid.page_count == 10
    grid.page_size = None  # an in-memory stack of up to 4096 panels: shown whole again
    assert not grid.paged and grid.data.shape == (300, 7, 6) and grid.labels[-1] == "299"
    grid.close()
    # More than 4096 panels in memory: paged without being asked.
    many = DigitHeatmapGrid(np.zeros((5000, 2, 2)))
    assert many.paged and many.page_count == 50 and many.data.shape == (100, 2, 2)
    many.data = np.ones((10, 2, 2))  # an array shown whole: no longer paged
    assert not many.paged and many.page_count == 1 and many.labels == [str(i) for i in range(10)]
    many.close()


def test_stack_limits_arrive_from_the_background_and_say_so():
    values = VALUES.copy()
    values[900:] *= 10  # the last pages hold the extremes: the first page's limits differ
    grid = DigitHeatmapGrid(da.from_array(values, chunks=(50, 7, 6)), controls=True)
    assert grid.wait_for_limits(60)
    assert grid.limits_scope == "stack" and grid._summary.engine == "dask"
    assert grid._summary.done == grid._summary.total == 20
    assert grid.limits == (np.nanmin(values), np.nanmax(values))
    note = grid._limits_status.children[1].value
    assert "whole stack's (1,000 panels" in note
    # The robust limits: each chunk's percentiles averaged, close to the exact ones.
    low, high = grid.autoscale("robust")
    exact = np.nanpercentile(values, [2, 98])
    span = np.nanmax(values) - np.nanmin(values)
    assert abs(low - exact[0]) < 0.02 * span and abs(high - exact[1]) < 0.02 * span
    # The control panel's sliders follow the stack's limits.
    assert grid.controls.vmax_slider.value == pytest.approx(high)
    grid.close()


def test_provisional_limits_are_the_pages_until_then():
    gate = threading.Event()

    def slow(block, block_info=None):
        if block_info[0]["chunk-location"][0] >= 2:  # past page 0: held until released
            gate.wait(30)
        return block

    lazy = da.from_array(VALUES, chunks=(50, 7, 6))
    grid = DigitHeatmapGrid(lazy.map_blocks(slow, dtype=VALUES.dtype), stack_limits=False)
    first = grid.data
    grid.stack_limits = True
    try:
        assert grid.limits_scope == "page"
        assert grid.limits == (np.nanmin(first), np.nanmax(first))
        note = grid._limits_status.children[1].value
        assert note.startswith("Colour limits are provisional (this page's)")
    finally:
        gate.set()
    assert grid.wait_for_limits(60) and grid.limits_scope == "stack"
    assert grid.limits == (np.nanmin(VALUES), np.nanmax(VALUES))
    grid.close()


def test_xarray_and_zarr_sources(tmp_path):
    xr = pytest.importorskip("xarray")
    zarr = pytest.importorskip("zarr")
    names = [f"img-{i:04d}" for i in range(1000)]
    array = xr.DataArray(da.from_array(VALUES, chunks=(100, 7, 6)), dims=("image", "y", "x"),
                         coords={"image": names})
    grid = DigitHeatmapGrid(array, page_size=10, stack_limits=False)
    grid.page = 42
    assert grid.labels[0] == "img-0420" and grid.paged
    np.testing.assert_array_equal(grid.data, VALUES[420:430])
    grid.close()
    store = zarr.open(str(tmp_path / "maps.zarr"), mode="w", shape=VALUES.shape,
                      chunks=(64, 7, 6), dtype="f4")
    store[:] = VALUES
    grid = DigitHeatmapGrid(store)
    grid.page = 9
    np.testing.assert_allclose(grid.data, VALUES[900:1000].astype("f4"))
    assert grid.wait_for_limits(60) and grid._summary.total == 16  # one step per chunk
    assert grid.limits == (float(np.nanmin(store[:])), float(np.nanmax(store[:])))
    grid.close()


def test_pager_controls_turn_pages():
    grid = DigitHeatmapGrid(da.from_array(VALUES, chunks=(50, 7, 6)), page_size=25,
                            controls=True, stack_limits=False)
    controls = grid.controls
    assert controls.page_label.value == "of 40: panels 0-24 of 1,000"
    assert controls.previous_button.disabled
    controls.next_button.click()
    assert grid.page == 1 and controls.page_input.value == 2
    controls.page_input.value = 40
    assert grid.page == 39 and controls.next_button.disabled
    controls.goto_input.value = 613
    controls.goto_button.click()
    assert grid.page == 24 and grid.selected == (613, 0, 0)
    # The toggles are the page's panels, named by their global index.
    assert [t.description for t in controls.toggles.children][:2] == ["600", "601"]
    controls.toggles.children[13].value = True
    assert grid.highlighted == [613]
    grid.close()


def test_frames_and_a_reference_belong_to_the_page_they_were_made_of():
    grid = DigitHeatmapGrid(da.from_array(VALUES, chunks=(50, 7, 6)), page_size=10,
                            stack_limits=False)
    grid.record("first")
    grid.record("second")
    grid.compare(VALUES[:10] * 0.5)
    assert len(grid.frames) == 2 and grid.showing == "difference"
    grid.page = 0  # the same panels: kept
    assert len(grid.frames) == 2 and grid.reference is not None
    grid.page = 1  # other panels: neither applies to them
    assert len(grid.frames) == 0 and grid.frame_labels == []
    assert grid.reference is None and grid.showing == "data"
    np.testing.assert_array_equal(grid.data, VALUES[10:20])
    grid.close()


def test_page_size_set_later_keeps_the_titles():
    """Issue 24: setting page_size after construction (or back to None) replaced the
    user's labels with panel numbers."""
    labels = [f"class {i}" for i in range(40)]
    grid = DigitHeatmapGrid(VALUES[:40], labels=labels)
    grid.page_size = 10
    assert grid.labels == labels[:10]
    grid.page = 2
    assert grid.labels == labels[20:30]
    grid.page_size = None
    assert grid.labels == labels and grid.page_count == 1
    grid.close()


def test_ctrl_c_while_a_new_source_computes_leaves_the_grid_as_it_was():
    """Issue 24: a KeyboardInterrupt while a new Dask source's first page computed left
    the grid half switched: paged over the new source, data the old array."""
    def interrupted(block_info=None):
        raise KeyboardInterrupt

    lazy = da.map_blocks(interrupted, chunks=((100,) * 50, (7,), (6,)), dtype=np.float64,
                         meta=np.array((), np.float64))
    grid = DigitHeatmapGrid(VALUES[:10])
    before = (grid.data, grid.paged, grid.page_count, grid.panel_count, list(grid.labels),
              grid.vmax)
    for assign in (lambda: setattr(grid, "data", lazy), lambda: _in_a_batch(grid, lazy)):
        with pytest.raises(KeyboardInterrupt):
            assign()
        assert (grid.data, grid.paged, grid.page_count, grid.panel_count, list(grid.labels),
                grid.vmax) == before
    grid.close()


def _in_a_batch(grid, value):
    with grid.hold_sync():
        grid.vmax = 3.0
        grid.data = value


def test_a_click_made_on_a_page_python_has_left_means_the_cell_clicked():
    """Issue 24: the page's click names the page it was made on; one that crossed a page
    change selects that cell (not the same place on the page now shown) and calls back with
    its value, read from the source."""
    clicks = []
    grid = DigitHeatmapGrid(da.from_array(VALUES, chunks=(50, 7, 6)), page_size=20,
                            stack_limits=False)
    grid.on_cell_click(lambda *args: clicks.append(args))
    grid.page = 2  # panels 40-59: the page the person clicks on...
    grid.page = 3  # ...while Python has moved on to 60-79
    page_click(grid, 2, 4, 5, made_on=(40, 20))
    assert grid.selected == (42, 4, 5)
    assert clicks == [(42, 4, 5, VALUES[42, 4, 5])]
    assert grid.figure.selected is None  # not on the page shown
    # A page_size change in flight: the local index past the new page's end, no IndexError.
    grid.page_size = 5  # page 0 of 5 panels (the first panel kept: page 12, 60-64)
    page_click(grid, 17, 0, 1, made_on=(60, 20))
    assert grid.selected == (77, 0, 1)
    assert clicks[-1] == (77, 0, 1, VALUES[77, 0, 1])
    # A title click likewise toggles that page's highlight, not the shown page's.
    grid.highlighted = [41, 62]
    page_highlight(grid, [1, 3], made_on=(40, 20))
    assert sorted(grid.highlighted) == [41, 43, 62]
    page_highlight(grid, [], made_on=(40, 20))
    assert grid.highlighted == [62]
    # Outside the page it names: refused, and the page is told what stands.
    before = len(clicks)
    page_click(grid, 20, 0, 0, made_on=(40, 20))
    assert grid.selected == (77, 0, 1) and len(clicks) == before
    # Without an offset (a page saved before it was sent): the page shown now, as before.
    page_click(grid, 1, 2, 3)
    assert grid.selected == (grid.panel_offset + 1, 2, 3)
    assert clicks[-1] == (grid.panel_offset + 1, 2, 3, VALUES[grid.panel_offset + 1, 2, 3])
    grid.close()


def _clicks(grid) -> list:
    clicks: list = []
    grid.on_cell_click(lambda *args: clicks.append(args))
    return clicks


@pytest.mark.parametrize("replace", ["another source", "an in-memory array", "maps of another shape"])
def test_a_click_made_on_a_stack_no_longer_shown_is_ignored(recorder, replace):
    """Issue 24: a click in flight when the whole stack is replaced was applied to the
    panel of the same index in the new one (a paged source given another: panel 42 of the
    new source selected and its value called back; an array given to an unpaged grid:
    (9, 6, 5) of maps the person never saw). The page names the stack its maps belong to
    (Python's number, sent with the maps); a click made on another is ignored, and the
    page is told what stands."""
    paged = replace != "maps of another shape"
    grid = (DigitHeatmapGrid(da.from_array(VALUES[:100], chunks=(50, 7, 6)), page_size=20,
                             stack_limits=False) if paged else DigitHeatmapGrid(VALUES[:10]))
    clicks = _clicks(grid)
    if paged:
        grid.page = 2
    grid.selected, grid.highlighted = (1, 1, 1), [1]
    before = made_on_shown(Page(recorder.events), grid)  # the page the person clicks on
    grid.data = {"another source": lambda: da.from_array(VALUES[100:200], chunks=(50, 7, 6)),
                 "an in-memory array": lambda: VALUES[500:520],
                 "maps of another shape": lambda: VALUES[:12, :6, :6]}[replace]()
    stands, sent = (grid.selected, grid.highlighted), len(recorder.events)
    page_click(grid, 2, 4, 5, made_on=before)
    page_highlight(grid, [1, 3], made_on=before)
    assert (grid.selected, grid.highlighted) == stands and clicks == []
    # The page is told what stands (it had shown the click already).
    controller = controller_of(grid)
    told = [e.data["state"] for e in recorder.events[sent:] if e.kind == "send"
            and e.comm is controller.comm]
    assert told == [{"selected": controller.selected}, {"highlighted": controller.highlighted}]
    # A click made on the stack shown now is applied: the page got its number with its maps.
    page = Page(recorder.events)
    assert page.controller(grid)["paging"]["stack"] != before[2]
    page_click(grid, 2, 4, 5, made_on=made_on_shown(page, grid))
    assert grid.selected == (2, 4, 5) and clicks == [(2, 4, 5, grid.data[2, 4, 5])]
    grid.close()


def test_a_click_on_the_same_stack_repaged_or_with_new_values_is_applied(recorder):
    """The same stack shown another way keeps its number: a click made on page 2 of 20
    panels that arrives after ``page_size = None`` shows the whole stack selects the panel
    clicked (it selected panel 2, the local index); new values for maps of the same shape
    (a training loop) are the same stack: a click made before them is applied."""
    grid = DigitHeatmapGrid(VALUES[:100], page_size=20, stack_limits=False)
    clicks = _clicks(grid)
    grid.page = 2
    made_on = made_on_shown(Page(recorder.events), grid)
    grid.page_size = None
    assert not grid.paged and grid.data.shape == (100, 7, 6)
    page_click(grid, 2, 4, 5, made_on=made_on)
    assert grid.selected == (42, 4, 5) and clicks == [(42, 4, 5, VALUES[42, 4, 5])]
    page_highlight(grid, [3], made_on=made_on)
    assert grid.highlighted == [43]
    made_on = made_on_shown(Page(recorder.events), grid)
    grid.data = VALUES[100:200]  # new values, the same maps
    page_click(grid, 7, 0, 0, made_on=made_on)
    assert grid.selected == (7, 0, 0) and clicks[-1] == (7, 0, 0, VALUES[107, 0, 0])
    grid.close()


def test_a_stack_number_travels_with_the_maps_it_names(recorder):
    """The page never holds maps with another stack's number: each message that brings
    maps of a new stack (whole or patched) carries its number, and a refused batch leaves
    Python's number as the page has it."""
    grid = DigitHeatmapGrid(da.from_array(VALUES[:100], chunks=(50, 7, 6)), page_size=20,
                            stack_limits=False)
    controller = controller_of(grid)
    for give in (lambda: da.from_array(VALUES[200:300], chunks=(50, 7, 6)),
                 lambda: VALUES[:3], lambda: VALUES[:3, :4, :4]):
        start = len(recorder.events)
        grid.data = give()
        maps = [e.data["state"] for e in recorder.events[start:] if e.kind == "send"
                and e.comm is controller.comm and {"data", "patch"} & set(e.data["state"])]
        assert maps and all("paging" in state for state in maps[:1]), maps
        assert Page(recorder.events).controller(grid)["paging"]["stack"] == grid._paging_state()["stack"]
    number = grid._paging_state()["stack"]
    with pytest.raises(TraitError):
        with grid.hold_sync():
            grid.data = VALUES[:5]
            grid.vmin, grid.vmax = 1.0, 0.0
    assert grid._paging_state()["stack"] == number == Page(recorder.events).controller(grid)["paging"]["stack"]
    grid.close()


@pytest.mark.parametrize("given", ["in memory", "dask"])
def test_a_frame_shown_on_a_paged_grid_is_the_pages_and_paging_goes_on(recorder, given):
    """Issue 24: showing a recorded frame on a paged grid ended paging (panel_count 100 ->
    20, the source gone, page 0 claimed over panels 40-59): the frame's maps took the road
    of a user's ``data =``. Frames are the page's (another page drops them): showing one,
    from Python, from the page or by assigning frames, makes data that frame of the page's
    panels, and the grid stays paged over the same source, page and stack."""
    values = VALUES[:100]
    source = values if given == "in memory" else da.from_array(values, chunks=(50, 7, 6))
    grid = DigitHeatmapGrid(source, page_size=20, stack_limits=False)
    grid.page = 2
    grid.record("before")
    grid.update_panel(3, np.zeros((7, 6)))
    grid.record("after")
    made_on = made_on_shown(Page(recorder.events), grid)  # a click made now, arriving late
    shows = {
        "frame = 0": (lambda: setattr(grid, "frame", 0), 0),
        "the page's slider": (lambda: page_sends(grid, {"event": "frame", "value": [1]}), 1),
        "frame = -2": (lambda: setattr(grid, "frame", -2), 0),
        "frames =": (lambda: setattr(grid, "frames", [values[40:60] * 2, values[40:60] * 3]), 1),
    }
    for name, (show, frame) in shows.items():
        show()
        assert grid.frame == frame, name
        assert grid.paged and grid.source is source and grid.panel_count == 100, name
        assert (grid.page, grid.page_count, grid.panel_offset) == (2, 5, 40), name
        assert grid.labels == [str(i) for i in range(40, 60)], name
        np.testing.assert_array_equal(grid.data, grid.frames[frame])
        page = Page(recorder.events)
        assert page.controller(grid)["paging"] == {
            "stack": made_on[2], "page": 2, "page_count": 5, "offset": 40, "total": 100}, name
        np.testing.assert_array_equal(page.shown(grid).data,
                                      grid.frames[frame].astype(np.float32))
    np.testing.assert_array_equal(grid.data, values[40:60] * 3)
    # The same stack: a click made before the frames were shown means the panel clicked.
    page_click(grid, 1, 2, 3, made_on=made_on)
    assert grid.selected == (41, 2, 3)
    grid.page = 3  # other panels: the frames were page 2's
    assert len(grid.frames) == 0 and grid.frame is None and grid.paged
    np.testing.assert_array_equal(grid.data, values[60:80])
    grid.close()


@pytest.mark.parametrize("replace", ["another source", "an in-memory array"])
def test_a_page_turn_made_on_a_stack_no_longer_shown_is_ignored(recorder, replace):
    """Issue 24: the keys' page turn (past a page's first or last cell) named no stack, so
    one asked on a source Python had since replaced turned the new one (to page 3 of maps
    the person never saw). It names the stack as clicks do; one made on another stack is
    ignored, and the page is told the paging that stands."""
    grid = DigitHeatmapGrid(da.from_array(VALUES[:100], chunks=(50, 7, 6)), page_size=20,
                            stack_limits=False)
    grid.page = 2
    before = made_on_shown(Page(recorder.events), grid)  # the page the key is pressed on
    grid.data = {"another source": lambda: da.from_array(VALUES[100:200], chunks=(50, 7, 6)),
                 "an in-memory array": lambda: VALUES[500:600]}[replace]()
    assert grid.paged and (grid.page, grid.page_count) == (0, 5)
    controller, sent = controller_of(grid), len(recorder.events)
    page_sends(grid, {"event": "page", "value": [3],
                      **dict(zip(("offset", "count", "stack"), before))})
    assert grid.page == 0 and grid.labels[0] == "0"
    told = [e.data["state"] for e in recorder.events[sent:] if e.kind == "send"
            and e.comm is controller.comm]
    page = Page(recorder.events)
    assert told == [{"paging": page.controller(grid)["paging"]}]
    assert told[0]["paging"]["stack"] != before[2] and told[0]["paging"]["page"] == 0
    # A turn made on the stack shown is applied; so is one from a page that names none.
    page_sends(grid, {"event": "page", "value": [3],
                      **dict(zip(("offset", "count", "stack"), made_on_shown(page, grid)))})
    assert grid.page == 3 and grid.labels[0] == "60"
    page_sends(grid, {"event": "page", "value": [1]})
    assert grid.page == 1
    grid.close()
