"""What differs in Pyodide (JupyterLite's kernel), made so here.

Paging where no thread can start: the whole stack's limits are computed on the event loop,
chunk by chunk, with the progress shown, and equal what the background thread finds.
Threads are made unavailable as Pyodide makes them: ``threading.Thread.start`` raises
``RuntimeError("can't start new thread")``.

Files: Pyodide reports a umask of 0777; an export must still be readable by its writer.
(The whole site, in Chromium: tests/pipelines/test_jupyterlite.py.)"""

from __future__ import annotations

import asyncio
import os
import threading
import time

import numpy as np
import pytest

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget import pages

RNG = np.random.default_rng(11)
#: 5,000 maps of 7 x 6: an in-memory stack is summarised 1,000 panels a chunk, so 5 chunks.
VALUES = RNG.normal(size=(5000, 7, 6))
VALUES[4000:] *= 10  # the last chunk holds the extremes: the first page's limits differ
VALUES[3, 2, 1] = np.nan


def threaded_result(values, **options) -> dict:
    """The whole stack's summary as the background thread computes it."""
    grid = DigitHeatmapGrid(values, page_size=100, **options)
    try:
        assert grid.wait_for_limits(60) and grid._summary.mode == "thread"
        return dict(grid._summary.result)
    finally:
        grid.close()


def refuse_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on Thread.start fails as in Pyodide; the list fills with the names of the
    threads asked for."""
    asked: list[str] = []

    def refuse(thread: threading.Thread) -> None:
        asked.append(thread.name)
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    return asked


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return refuse_threads(monkeypatch)


async def until(condition, what: str, timeout: float = 30.0) -> None:
    """Give the loop turns until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0)


def test_limits_come_from_the_event_loop_and_equal_the_threads(monkeypatch):
    expected = threaded_result(VALUES)
    asked = refuse_threads(monkeypatch)
    monkeypatch.setattr(pages, "COOPERATIVE_SLICE", 0.0)  # one chunk per turn: see each step
    first_page = VALUES[:100]

    async def in_a_kernel():
        grid = DigitHeatmapGrid(VALUES, page_size=100, controls=True)  # no error
        bar, note = grid._limits_status.children
        # Nothing computed in the constructor: the page's limits, said to be provisional.
        assert grid.limits_scope == "page" and grid._summary.mode == "event loop"
        assert grid.limits == (np.nanmin(first_page), np.nanmax(first_page))
        assert note.value.startswith("Colour limits are provisional")
        shown = []

        def look() -> bool:
            shown.append((bar.value, bar.max))
            return grid.limits_scope == "stack"

        await until(look, "the whole stack's limits")
        return grid, shown, note.value

    grid, shown, note = asyncio.run(in_a_kernel())
    try:
        assert asked == ["digitheat-limits"]  # tried once, then the loop took over
        assert grid._summary.result == expected
        assert grid.limits == (np.nanmin(VALUES), np.nanmax(VALUES))
        # The progress bar went through the chunks one turn at a time.
        assert {(float(done), 5.0) for done in range(1, 5)} <= set(shown)
        assert "whole stack's (5,000 panels" in note
        assert grid.controls.vmax_slider.value == pytest.approx(np.nanmax(VALUES))
    finally:
        grid.close()


def test_on_pyodide_no_thread_is_even_tried(monkeypatch):
    expected = threaded_result(VALUES)
    monkeypatch.setattr(pages, "threads_unavailable", lambda: True)

    def never(thread: threading.Thread) -> None:
        raise AssertionError(f"a thread was started: {thread.name}")

    monkeypatch.setattr(threading.Thread, "start", never)

    async def in_a_kernel():
        grid = DigitHeatmapGrid(VALUES, page_size=100)
        assert grid.limits_scope == "page"
        await until(lambda: grid.limits_scope == "stack", "the whole stack's limits")
        return grid

    grid = asyncio.run(in_a_kernel())
    try:
        assert grid._summary.mode == "event loop" and grid._summary.result == expected
    finally:
        grid.close()


def test_wait_for_limits_computes_what_is_left(no_threads):
    async def in_a_kernel():
        grid = DigitHeatmapGrid(VALUES, page_size=100)
        assert grid.limits_scope == "page"
        # Waiting on the loop from inside it would never end: the chunks are computed here.
        assert grid.wait_for_limits(60)
        assert grid.limits_scope == "stack" and grid._summary.done == 5
        return grid

    grid = asyncio.run(in_a_kernel())
    try:
        assert grid.limits == (np.nanmin(VALUES), np.nanmax(VALUES))
    finally:
        grid.close()


def test_without_threads_or_a_loop_the_constructor_computes_them(no_threads):
    grid = DigitHeatmapGrid(VALUES, page_size=100)  # plain Python: no loop to come back to
    try:
        assert grid._summary.mode == "caller" and grid.limits_scope == "stack"
        assert grid.limits == (np.nanmin(VALUES), np.nanmax(VALUES))
    finally:
        grid.close()


def test_a_new_source_stops_the_old_pass_on_the_loop(no_threads):
    async def in_a_kernel():
        grid = DigitHeatmapGrid(VALUES, page_size=100)
        old = grid._summary
        grid.data = VALUES[:2000] * -1  # replaced before the loop had a turn
        assert not old.running and old.result is None
        await until(lambda: grid.limits_scope == "stack", "the new stack's limits")
        return grid, old

    grid, old = asyncio.run(in_a_kernel())
    try:
        assert old.result is None and old.done == 0  # never computed a chunk
        assert grid.limits == (np.nanmin(-VALUES[:2000]), np.nanmax(-VALUES[:2000]))
    finally:
        grid.close()


def test_a_dask_stack_without_threads(monkeypatch):
    da = pytest.importorskip("dask.array")
    import dask

    lazy = da.from_array(VALUES[:1000], chunks=(50, 7, 6))
    expected = threaded_result(lazy)
    refuse_threads(monkeypatch)

    async def in_a_kernel():
        # Pages are read with the user's scheduler: in Pyodide, the synchronous one.
        with dask.config.set(scheduler="synchronous"):
            grid = DigitHeatmapGrid(lazy)
        await until(lambda: grid.limits_scope == "stack", "the whole stack's limits")
        return grid

    grid = asyncio.run(in_a_kernel())
    try:
        assert grid._summary.engine == "dask" and grid._summary.total == 20
        assert grid._summary.result == expected
    finally:
        grid.close()


def test_an_export_stays_readable_by_its_writer_under_pyodides_umask(tmp_path):
    """In JupyterLite, grid.save("grid.html") wrote a file Python could not open again
    (PermissionError): 0666 less Pyodide's umask 0777 is mode 000."""
    umask = os.umask(0o777)
    try:
        grid = DigitHeatmapGrid()
        grid.save(tmp_path / "grid.html")
        grid.close()
    finally:
        os.umask(umask)
    assert (tmp_path / "grid.html").stat().st_mode & 0o600 == 0o600
    assert "digitheat" in (tmp_path / "grid.html").read_text()
