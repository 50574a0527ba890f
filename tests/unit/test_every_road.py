"""Every rule once: every stack the grid takes (data, a reference through compare(),
frames assigned or recorded, a page of a paged source, the whole stack's limits) goes
one road: one conversion, one size check before any work, one wire encoding, one
transaction, one lock. The bad inputs every road refuses are cases of the one bad-input
table (test_bad_input.py, EVERY_ROAD); here, one test per defect the roads used to have
apart (issue 22)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from page_model import Page
from test_bad_input import page_frames

da = pytest.importorskip("dask.array")

SHAPE = (2, 3, 4)


def _good(offset: float = 0.0) -> np.ndarray:
    return np.arange(24, dtype=float).reshape(SHAPE) / 24 + offset


# ---------------------------------------------------------------------- precision


def _page(recorder) -> Page:
    return Page(recorder.events)


def _stack(encoded: dict) -> np.ndarray:
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(encoded["buffer"], dtype=dtype).reshape(encoded["shape"])


def test_a_reference_travels_in_the_precision_its_difference_needs(recorder):
    grid = DigitHeatmapGrid(np.full((2, 4, 4), 1e6))
    ramp = 1e6 + np.linspace(0, 0.01, 32).reshape(2, 4, 4)
    grid.compare(ramp)
    assert grid.showing == "difference"
    controller = _page(recorder).controller(grid)
    data, reference = _stack(controller["data"]), _stack(controller["reference"])
    assert controller["data"]["dtype"] == controller["reference"]["dtype"] == "float64"
    difference = data - reference
    assert len(np.unique(difference)) == 32  # 32 cells, 32 colours (float32: one)
    np.testing.assert_array_equal(difference, grid.data - grid.reference)
    grid.close()


def test_a_huge_reference_stays_finite_in_the_page(recorder):
    grid = DigitHeatmapGrid(_good())  # float32 would do for the data alone
    grid.compare(np.full(SHAPE, 1e300))
    reference = _stack(_page(recorder).controller(grid)["reference"])
    assert reference.dtype == np.float64 and np.all(reference == 1e300)
    grid.close()


def test_frames_travel_in_the_precision_each_frame_needs(recorder):
    grid = DigitHeatmapGrid(_good())
    grid.record()
    assert _page(recorder).controller(grid)["frames"]["dtype"] == "float32"
    grid.data = 1e6 + np.linspace(0, 0.01, 24).reshape(SHAPE)  # shown with its own limits
    grid.record()
    page = _page(recorder).controller(grid)
    frames = _stack(page["frames"])  # the whole history again, in float64
    assert page["frames"]["dtype"] == "float64"
    np.testing.assert_array_equal(frames, grid.frames)
    grid.close()

    assigned = DigitHeatmapGrid(_good())
    assigned.frames = np.stack([_good(), 1e6 + np.linspace(0, 0.01, 24).reshape(SHAPE)])
    page = _page(recorder).controller(assigned)
    assert page["frames"]["dtype"] == "float64"
    np.testing.assert_array_equal(_stack(page["frames"]), assigned.frames)
    assigned.close()


# ---------------------------------------------------------------------- bounded work


def test_too_many_frames_are_refused_from_their_shape(recorder):
    grid = DigitHeatmapGrid(np.zeros((1, 1, 1)))
    start = time.perf_counter()
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.frames expected at most "
                       r"max_frames = 1000 frames, got 200000"):
        grid.frames = np.zeros((200_000, 1, 1, 1))
    assert time.perf_counter() - start < 0.5
    assert len(grid.frames) == 0
    grid.close()


def test_a_lazy_reference_too_large_is_never_computed():
    computed = []

    def block(x: np.ndarray) -> np.ndarray:
        computed.append(x.shape)
        return x

    lazy = da.zeros((300_000, 28, 28), chunks=(10_000, 28, 28)).map_blocks(block)
    computed.clear()  # Dask's dtype inference calls it on empty stand-ins
    grid = DigitHeatmapGrid(np.zeros((3, 28, 28)))
    start = time.perf_counter()
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.reference expected at most 4096 "
                       r"panels, got 300000 \(a reference is shaped like data\)"):
        grid.compare(lazy)
    assert time.perf_counter() - start < 1.0
    assert computed == [] and grid.reference is None and grid.showing == "data"
    grid.close()


def test_record_is_bounded_as_assigned_frames_are(monkeypatch, recorder):
    import digitheat_widget.frames as frames_module

    # A small bound, so the test holds kilobytes, not the real 2 GiB.
    small = replace(frames_module.FRAMES, values=5 * 24)
    monkeypatch.setattr(frames_module, "FRAMES", small)
    grid = DigitHeatmapGrid(_good())
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.frames expected at most 120 "
                       r"values in all frames, got 144 in shape \(6, 2, 3, 4\)"):
        grid.frames = np.stack([_good()] * 6)
    for _ in range(5):
        grid.record()
    before = (grid.frames.copy(), list(grid.frame_labels))
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.frames expected at most 120 "
                           r"values in all frames, got 144 in shape \(6, 2, 3, 4\)"):
            grid.record()
    assert cap.events == []
    np.testing.assert_array_equal(grid.frames, before[0])
    assert grid.frame_labels == before[1]
    grid.max_frames = 5  # a moving window stays within the bound: the oldest goes
    grid.record("6")
    assert len(grid.frames) == 5 and grid.frame_labels[-1] == "6"
    grid.close()


# ---------------------------------------------------------------------- masks


def test_masked_frames_keep_their_masks_as_data_does():
    values = np.full(SHAPE, -999.0)
    mask = np.zeros(SHAPE, dtype=bool)
    mask[0, 1, 2] = mask[1, 0, 0] = True
    masked = np.ma.masked_array(values, mask=mask)
    grid = DigitHeatmapGrid(masked)
    grid.frames = [masked, masked]
    assert np.isnan(grid.data[0, 1, 2]) and np.isnan(grid.frames[1, 1, 0, 0])
    np.testing.assert_array_equal(np.isnan(grid.frames[0]), mask)
    np.testing.assert_array_equal(np.isnan(grid.frames[1]), np.isnan(grid.data))
    grid.compare(masked)
    np.testing.assert_array_equal(np.isnan(grid.reference), mask)
    grid.close()


# ---------------------------------------------------------------------- transaction


def test_a_refused_batch_takes_back_its_record_everywhere(recorder):
    grid = DigitHeatmapGrid(_good())
    grid.record("a")
    grid.record("b")
    with recorder.capture() as cap:
        with pytest.raises(RuntimeError, match="stop"):
            with grid.hold_sync():
                grid.record("c")
                raise RuntimeError("stop")
    assert cap.events == []  # the page never heard of "c"
    assert len(grid.frames) == 2 and grid.frame_labels == ["a", "b"] and grid.frame == 1
    assert grid.record("c") == 2  # and recording goes on
    assert grid.frame_labels == ["a", "b", "c"]
    frames, labels = page_frames(recorder, grid)
    assert labels == ["a", "b", "c"]
    np.testing.assert_array_equal(frames, grid.frames.astype(frames.dtype))
    grid.close()


def test_a_refused_batch_takes_back_its_reference_and_paging(recorder):
    grid = DigitHeatmapGrid(_good())
    with recorder.capture() as cap:
        with pytest.raises(TraitError):
            with grid.hold_sync():
                grid.compare(_good(1.0))
                grid.vmin = "low"
    assert cap.events == [] and grid.reference is None and grid.showing == "data"
    with pytest.raises(TraitError):
        with grid.hold_sync():
            grid.data = da.from_array(np.stack([_good()[0]] * 10), chunks=5)
            grid.columns = 0
    assert not grid.paged and grid.panel_count == 2
    np.testing.assert_array_equal(grid.data, _good())
    grid.close()


# ---------------------------------------------------------------------- one lock


def test_records_from_four_threads_all_arrive_in_one_order(recorder):
    grid = DigitHeatmapGrid(_good())
    start, errors = threading.Barrier(4), []

    def work(thread: int) -> None:
        start.wait()
        try:
            for step in range(25):
                grid.data = _good(thread * 100 + step)
                grid.record(f"{thread}:{step}")
        except Exception as err:  # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(grid.frames) == len(grid.frame_labels) == 100 and grid.frame == 99
    assert sorted(grid.frame_labels) == sorted(f"{t}:{s}" for t in range(4) for s in range(25))
    grid._view.flush()  # a merged send still waiting for its time
    frames, labels = page_frames(recorder, grid)
    assert labels == grid.frame_labels
    np.testing.assert_array_equal(frames, grid.frames.astype(frames.dtype))
    grid.close()


def test_every_kind_of_change_from_threads_at_once_leaves_one_state(recorder):
    stack = da.from_array(np.stack([_good()[0]] * 8), chunks=2)
    grid = DigitHeatmapGrid(stack, page_size=2, stack_limits=False)
    start, errors = threading.Barrier(4), []

    def recorder_thread() -> None:
        for _ in range(20):
            grid.record()

    def pager() -> None:
        for step in range(20):
            grid.page = step % 4

    def comparer() -> None:
        for step in range(20):
            grid.compare(np.asarray(grid.data) + step)  # data may be another page by then

    def highlighter() -> None:  # (assigning data would show it whole: no more pages)
        for step in range(20):
            grid.highlighted = [step % 8]

    def run(work: Callable[[], None]) -> None:
        start.wait()
        try:
            work()
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(w,))
               for w in (recorder_thread, pager, comparer, highlighter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(grid.frames) == len(grid.frame_labels)
    if grid.reference is not None:
        assert grid.reference.shape == grid.data.shape
    grid._view.flush()
    frames, labels = page_frames(recorder, grid)
    assert labels == grid.frame_labels
    if len(grid.frames):
        np.testing.assert_array_equal(frames, grid.frames.astype(frames.dtype))
    grid.close()


# ---------------------------------------------------------------------- stack limits


@pytest.mark.parametrize("bad", [1e301, 1.7e308, -1.7e308, np.inf])
def test_the_whole_stack_limits_refuse_what_the_grid_refuses(bad):
    maps = np.stack([_good()[0]] * 6)
    maps[5, 1, 1] = bad  # on the last page
    grid = DigitHeatmapGrid(da.from_array(maps, chunks=2), page_size=2)
    assert grid.wait_for_limits(30)
    assert grid.limits_scope == "page"  # the page's limits stand
    assert max(abs(v) for v in grid.limits) < 2
    assert "could not be computed: ValueError" in grid._limits_status.children[1].value
    grid.vmax = 0.9  # later changes, pictures and the page still work
    assert repr(grid).startswith("<DigitHeatmapGrid: ")
    assert grid.to_png()[:4] == b"\x89PNG" and "<html" in grid.to_html().lower()
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.page could not show page 2"):
        grid.page = 2
    grid.close()


# ---------------------------------------------------------------------- one rule


def test_frames_and_reference_follow_the_panels_shown_by_one_rule():
    grid = DigitHeatmapGrid(_good())
    grid.record()
    grid.compare(_good(1.0))
    grid.data = _good()[:, :2]  # maps of another shape
    assert len(grid.frames) == 0 and grid.reference is None and grid.showing == "data"

    paged = DigitHeatmapGrid(np.stack([_good()[0]] * 6), page_size=2, stack_limits=False)
    paged.record()
    paged.compare(np.asarray(paged.data) + 1)
    paged.page = 1  # other panels of the same shape
    assert len(paged.frames) == 0 and paged.reference is None and paged.showing == "data"
    grid.close()
    paged.close()


def test_a_paged_source_is_checked_from_its_shape_and_dtype_before_any_read():
    grid = DigitHeatmapGrid(_good())
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected real numbers .*got "
                       r"string"):
        grid.data = da.from_array(np.full((5000, 2, 2), "x"), chunks=1000)
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected panels of at most "
                       r"33,554,432 values, got shape \(10, 8192, 8192\)"):
        grid.data = da.zeros((10, 8192, 8192), chunks=(1, 8192, 8192))
    assert not grid.paged
    np.testing.assert_array_equal(grid.data, _good())
    grid.close()
