"""Concurrency: assignments from several threads never give the page a mix of two tensors.

What is guaranteed (README "Streaming", grid.py ``DigitHeatmapGrid.__setattr__``): the
grid holds one re-entrant lock per grid across validate -> store -> notify observers ->
send, for every trait assignment from any thread, and the live view's (merged) send
takes the same lock. So

* one assignment's messages leave as one uninterrupted run: no other change to the same
  grid (data, limits, colormap, highlight) can send in between, and every message of an
  assignment that carries maps (to the grid's controller: a patch of the changed maps,
  or the whole stack) carries that assignment's tensor;
* the page ends on the last tensor assigned, with the limits and colours in force;
* sends are merged (< 1/60 s apart) only while an asyncio event loop runs in the
  assigning thread; a merged send carries the latest tensor for every changed panel.
  In plain threads (no running loop) every assignment is sent at once, as here.

What the page holds and draws is read from the controller's messages (page_model.py).

Not promised, and not tested as such: that the page sees every intermediate tensor when
sends are merged. Two tests below (``..._BUG_11``, ``..._BUG_12``) cover compound
operations the lock does not span yet: ``grid[i] = v`` (read, modify, write) and a
``hold_sync()`` batch.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time

import numpy as np
import pytest
from conftest import Event
from page_model import Page, controller_of, mismatches, tensor_messages
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid

SHAPE = (10, 4, 4)
ASSIGNMENTS = 200
COLORMAPS = ["viridis", "magma", "gray", "hot", "RdBu_r"]


def panel_messages(events, controller) -> list[tuple[int, int, float]]:
    """(position in ``events``, panel, value) for every panel a message to the page's
    controller redraws (a patch's maps, or the whole stack), in order, decoded from the
    message's bytes; the tensors here are constant, so each message must hold one value."""
    out = []
    for position, kind, indices, maps in tensor_messages(events, controller):
        assert maps.min() == maps.max(), f"one message ({kind}), two tensors"
        out += [(position, panel, float(maps.flat[0])) for panel in indices]
    return out


def main_thread_sends(events, controller) -> list:
    """Messages to the controller that carry a colormap or highlight change (only the
    main thread makes those here)."""
    return [e for e in events if e.kind == "send" and e.comm is controller.comm
            and {"colormap", "highlighted"} & set((e.data or {}).get("state", {}))]


def test_threaded_assignments_reach_the_page_whole(recorder, widgets_of):
    """A background thread assigns tensor i (all cells i) for i = 0..199 while the main
    thread keeps changing vmax, colormap and highlighted."""
    grid = DigitHeatmapGrid(np.full(SHAPE, -1.0))
    controller = controller_of(grid)
    order: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()
    main_changed = threading.Event()

    def writer():
        try:
            for i in range(ASSIGNMENTS):
                if i % 50 == 25:
                    # The writer can finish before the main thread is scheduled at all; wait
                    # (on a condition) for a main-thread change so the two really overlap.
                    main_changed.clear()
                    main_changed.wait(timeout=30)
                recorder.events.append(Event("assign", None, i))  # a boundary in the log
                grid.data = np.full(SHAPE, float(i))
                order.append(("writer", i))
        except BaseException as err:  # reported below, not lost in the thread
            errors.append(err)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    changes = 0
    try:
        while not done.is_set():
            grid.vmax = [None, 150.0, 300.0][changes % 3]
            grid.colormap = COLORMAPS[changes % len(COLORMAPS)]
            grid.highlighted = [changes % 10] if changes % 2 else []
            order.append(("main", changes))
            changes += 1
            main_changed.set()
    finally:
        thread.join(timeout=120)
    try:
        assert not thread.is_alive() and errors == []
        assert [i for who, i in order if who == "writer"] == list(range(ASSIGNMENTS))
        # Split the log at the writer's boundaries: after boundary i come exactly the ten
        # panels of tensor i, one each, before boundary i + 1.
        bounds = [k for k, e in enumerate(recorder.events) if e.kind == "assign"]
        assert len(bounds) == ASSIGNMENTS
        redrawn = panel_messages(recorder.events, controller)
        for i, (a, b) in enumerate(zip(bounds, bounds[1:] + [len(recorder.events)])):
            sent = [(panel, value) for k, panel, value in redrawn if a < k < b]
            assert sorted(p for p, _ in sent) == list(range(10)), f"assignment {i}: panels {sent}"
            assert {v for _, v in sent} == {float(i)}, f"assignment {i} carried {sent}"
        # Both threads really ran at once: the main thread's changes reached the page
        # between the writer's first and last assignment.
        interleaved = main_thread_sends(recorder.events[bounds[0]:bounds[-1]], controller)
        print(f"\n{ASSIGNMENTS} threaded assignments, {changes} main-thread changes, "
              f"{len(interleaved)} colormap/highlight messages between the first and last assignment")
        assert changes >= 3 and interleaved
        # The page ends on the last tensor, and on exactly what Python holds.
        page = Page(recorder.events)
        shown = page.shown(grid)
        assert shown.data.shape == SHAPE and (shown.data == ASSIGNMENTS - 1).all()
        assert (grid.data == ASSIGNMENTS - 1).all()
        assert mismatches(page, widgets_of(grid)) == []
        assert shown.limits == grid.limits and (shown.vmin, shown.vmax) == (grid.vmin, grid.vmax)
        assert shown.colormap == grid.colormap and shown.highlighted == grid.highlighted
    finally:
        grid.close()


def test_merged_sends_in_an_event_loop_are_whole_and_end_on_the_latest(recorder, widgets_of):
    """With a running event loop, assignments closer than 1/60 s are merged: fewer sends,
    each still one whole tensor, and the last one is the last tensor assigned."""
    grid = DigitHeatmapGrid(np.full(SHAPE, -1.0))
    controller = controller_of(grid)
    start = len(recorder.events)

    def page_has_the_last_tensor() -> bool:
        return any(value == ASSIGNMENTS - 1 for _, _, value in
                   panel_messages(recorder.events[start:], controller))

    rng = np.random.default_rng(0)
    work = rng.random((80, 80))

    async def loop():
        for i in range(ASSIGNMENTS):
            np.linalg.svd(work)  # a training step's worth of work between assignments
            grid.data = np.full(SHAPE, float(i))
            await asyncio.sleep(0)
        deadline = time.monotonic() + 10
        while not page_has_the_last_tensor():  # the merged send still to come
            assert time.monotonic() < deadline, "the merged send never came"
            await asyncio.sleep(0.005)

    try:
        asyncio.run(loop())
        sent = [(panel, value) for k, panel, value in panel_messages(recorder.events, controller)
                if k >= start]
        blocks = [sent[k:k + 10] for k in range(0, len(sent), 10)]
        assert len(sent) % 10 == 0
        values = []
        for block in blocks:
            assert sorted(p for p, _ in block) == list(range(10)), block
            assert len({v for _, v in block}) == 1, f"one send mixed tensors: {block}"
            values.append(block[0][1])
        print(f"\n{ASSIGNMENTS} assignments in an event loop reached the page as {len(blocks)} whole sends")
        assert values == sorted(values) and len(set(values)) == len(values)
        assert values[-1] == ASSIGNMENTS - 1
        assert len(blocks) < ASSIGNMENTS, "nothing was merged"
        page = Page(recorder.events)
        assert mismatches(page, widgets_of(grid)) == []
        assert (page.shown(grid).data == ASSIGNMENTS - 1).all()
        assert page.shown(grid).limits == grid.limits
    finally:
        grid.close()


def test_concurrent_panel_updates_lose_nothing_BUG_11(recorder):
    """Ten threads each stream their own panel with ``grid[k] = values``. Each panel must
    end on its thread's last values. ``update_panel`` copies ``data``, changes one panel
    and assigns the copy back; without the lock around all three, one thread's assignment
    puts back another panel's old values (a lost update)."""
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, as a busy kernel would
    grid = DigitHeatmapGrid(np.zeros(SHAPE))
    errors = []

    def stream(panel):
        try:
            for step in range(1, 51):
                grid[panel] = np.full(SHAPE[1:], float(step))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=stream, args=(k,)) for k in range(10)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        sys.setswitchinterval(old_interval)
    try:
        assert errors == []
        final = [float(grid.data[k, 0, 0]) for k in range(10)]
        assert final == [50.0] * 10, f"panels ended on {final}: updates were lost"
        shown = Page(recorder.events).shown(grid)
        assert [float(v) for v in shown.data[:, 0, 0]] == final
        assert (shown.data == np.asarray(final)[:, None, None]).all()
    finally:
        grid.close()


def _parked_on_the_grid_lock(thread: threading.Thread) -> bool:
    """True while ``thread`` waits to enter DigitHeatmapGrid.__setattr__'s lock (its
    innermost Python frame is that method: acquiring the lock is C code)."""
    frame = sys._current_frames().get(thread.ident)
    return frame is not None and frame.f_code is DigitHeatmapGrid.__setattr__.__code__


def test_assignment_during_another_threads_batch_is_not_lost_BUG_12(recorder):
    """Thread B assigns data while the main thread is inside ``with grid.hold_sync():``,
    whose batch is then refused. B's assignment returned without error, so it must hold
    afterwards (applied before or after the batch, never rolled back with it)."""
    grid = DigitHeatmapGrid(np.zeros(SHAPE))
    started, done = threading.Event(), threading.Event()

    def other():
        started.set()
        grid.data = np.ones(SHAPE)
        done.set()

    thread = threading.Thread(target=other)
    try:
        with pytest.raises(TraitError, match=r"expected vmin < vmax"):
            with grid.hold_sync():
                grid.vmin = 0.5
                thread.start()
                started.wait(10)
                # B either finishes (the batch does not hold B off) or waits on the lock.
                deadline, parked = time.monotonic() + 10, 0
                while not done.is_set() and parked < 50:
                    parked = parked + 1 if _parked_on_the_grid_lock(thread) else 0
                    assert time.monotonic() < deadline, "thread B neither finished nor waited"
                    time.sleep(0.001)
                grid.vmax = 0.1  # refused: the whole batch rolls back
        thread.join(timeout=30)
        assert done.is_set()
        assert (grid.vmin, grid.vmax) == (None, None)
        assert (grid.data == 1.0).all(), "thread B's assignment was rolled back with the batch"
        shown = Page(recorder.events).shown(grid)
        assert (shown.data == 1.0).all() and (shown.vmin, shown.vmax) == (None, None)
    finally:
        thread.join(timeout=30)
        grid.close()


def test_large_updates_are_spaced_by_bytes_and_end_on_the_latest(recorder):
    """A 100x28x28 update is 314 KB of float32: sent as fast as assigned (60 a second),
    a small machine's server and browser fall behind. Sends are spaced so at most
    MAX_SEND_RATE bytes a second go out, and the last tensor always arrives."""
    shape = (100, 28, 28)
    grid = DigitHeatmapGrid(np.zeros(shape))
    controller = controller_of(grid)
    payload = int(np.prod(shape)) * 4
    spacing = payload / grid.MAX_SEND_RATE
    assert spacing > grid.MIN_SEND_INTERVAL  # the case this is about
    start = len(recorder.events)

    def patches() -> list:
        return [e for e in recorder.events[start:] if e.kind == "send" and e.comm is controller.comm
                and "patch" in e.data.get("state", {})]

    async def loop() -> float:
        began = time.monotonic()
        for i in range(1, 200):
            grid.data = np.full(shape, float(i))
            await asyncio.sleep(0.002)
        elapsed = time.monotonic() - began
        deadline = time.monotonic() + 10
        while not (patches() and grid._view.controller.data.tensor[0, 0, 0] == 199.0
                   and not grid._view.flush_pending):
            assert time.monotonic() < deadline, "the last send never came"
            await asyncio.sleep(0.005)
        return elapsed

    try:
        elapsed = asyncio.run(loop())
        sent = len(patches())
        print(f"\n199 assignments in {elapsed:.2f} s reached the page as {sent} sends "
              f"(spacing {spacing * 1e3:.0f} ms)")
        assert 2 <= sent <= elapsed / spacing + 2
        assert (Page(recorder.events).shown(grid).data == 199.0).all()
    finally:
        grid.close()
