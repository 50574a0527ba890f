"""Lifecycle under stress: a thousand grids made, displayed and closed leave nothing open and
Python memory flat; a click callback that raises is shown, not swallowed, and does not
break the clicks after it."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from conftest import open_widgets
from page_model import controller_of

from digitheat_widget import DigitHeatmapGrid

REPO = Path(__file__).resolve().parents[2]
GRIDS = 1000
MEASURED = 500  # memory growth is measured over the last MEASURED grids
MAX_GROWTH_MB = 3.0


def click(grid, digit: int, row: int, col: int) -> None:
    """A cell click as the page reports it: the page's controller catches the mark's
    click and sends the grid's controller {"event": "selected", "value": [d, r, c]}."""
    controller = controller_of(grid)
    controller._handle_message(controller, {"event": "selected", "value": [digit, row, col]}, [])


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _pymalloc_bytes() -> int | None:
    """Bytes in the blocks pymalloc has handed out (Python's objects up to 512 bytes), from
    ``sys._debugmallocstats``, which writes to the C stderr; None where it says nothing."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        found = re.search(rb"# bytes in allocated blocks\s*=\s*([\d,]+)", out.read())
    return int(found.group(1).replace(b",", b"")) if found else None


def heap_bytes() -> int | None:
    """Bytes in use on the process's heap: pymalloc's blocks (arenas it maps itself) plus
    what glibc's malloc has handed out (mallinfo2: its arenas and its own mmaps), which is
    where everything else goes, Python's larger objects, numpy's buffers and the C
    libraries' memory alike. It sees every byte tracemalloc would trace, and more, without
    tracemalloc's cost on every allocation (three times slower per grid). None where it
    cannot be read (no glibc >= 2.33, or no pymalloc statistics)."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError, TypeError):  # not glibc, or older than 2.33
        return None
    mallinfo2.restype = _Mallinfo2
    small = _pymalloc_bytes()
    if small is None:
        return None
    info = mallinfo2()
    return small + info.uordblks + info.hblkhd


def make_display_close(recorder, sample) -> tuple[int, dict[int, int], str]:
    """Make, display and close GRIDS grids of varied shapes and options; return the comms
    left unclosed, the memory in use (after a collection) at grid GRIDS - MEASURED and at
    the end, and what measured it.

    Memory is the heap in use (heap_bytes); where that cannot be read, tracemalloc's
    traced memory, tracing from 50 grids before the first measure."""
    rng = np.random.default_rng(0)
    shapes = [(10, 7, 6), (3, 4, 5), (12, 9, 9)]
    sizes: dict[int, int] = {}
    unclosed = 0
    traced = heap_bytes() is None

    def measure() -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0] if traced else heap_bytes()

    for i in range(GRIDS):
        if traced and i == GRIDS - MEASURED - 50:  # warm (caches, fonts) before tracing starts
            tracemalloc.start()
        if i == GRIDS - MEASURED:
            sizes[i] = measure()
        opened_before = len(recorder.events)
        data = sample if i % 3 == 0 else rng.random(shapes[i % 3])
        # Every 7th grid on the canvas renderer: both renderers' widgets must go away.
        grid = DigitHeatmapGrid(data, highlighted=[0], controls=(i % 10 == 0),
                                renderer="canvas" if i % 7 == 3 else "auto")
        bundle = grid._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" in bundle
        grid.vmax = float(np.nanmax(grid.data)) * 0.9
        grid.data = grid.data[::-1]  # a full update: one patch to the controller
        grid.close()
        events = recorder.events[opened_before:]
        opened = {id(e.comm) for e in events if e.kind == "open"}
        closed = {id(e.comm) for e in events if e.kind == "close"}
        unclosed += len(opened - closed)
        del grid, bundle, events
        recorder.events.clear()  # the log itself would otherwise grow with every grid
    sizes[GRIDS] = measure()
    if not traced:
        return unclosed, sizes, "heap in use"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return unclosed, sizes, f"traced memory, peak {peak / 2**20:.1f} MB"


def test_a_thousand_grids_leave_nothing_open_and_memory_flat(recorder, sample):
    gc.collect()
    start_count = len(open_widgets())
    with warnings.catch_warnings():
        # bqplot passes traitlets an argument it deprecates, three warnings per grid; pytest
        # keeps every warning it catches, which would grow memory by itself (~2 KB a grid).
        warnings.filterwarnings("ignore", r"Passing unrecognized arguments", DeprecationWarning)
        unclosed, sizes, meter = make_display_close(recorder, sample)
    first, last = sizes[GRIDS - MEASURED], sizes[GRIDS]
    growth_mb = (last - first) / 2**20
    print(f"\n{GRIDS} grids made, displayed, closed: open widgets {start_count} -> "
          f"{len(open_widgets())}; {meter}: after grid {GRIDS - MEASURED}: "
          f"{first / 2**20:.3f} MB, after grid {GRIDS}: {last / 2**20:.3f} MB "
          f"(growth over the last {MEASURED}: {growth_mb:+.3f} MB, "
          f"{(last - first) / MEASURED:.0f} B per grid)")
    assert unclosed == 0, f"{unclosed} comms opened and never closed"
    assert len(open_widgets()) == start_count
    assert growth_mb < MAX_GROWTH_MB


def test_a_raising_callback_is_shown_and_later_clicks_still_work(grid, caplog):
    """Outside IPython, ipywidgets' CallbackDispatcher logs the exception with its
    traceback; the next callback still runs and the next click still selects."""
    calls = []

    def broken(digit, row, col, value):
        raise RuntimeError(f"broken callback saw {digit},{row},{col}")

    grid.on_cell_click(broken)
    grid.on_cell_click(lambda *args: calls.append(args))
    with caplog.at_level(logging.WARNING):
        click(grid, 2, 3, 4)
    assert grid.selected == (2, 3, 4)
    assert calls == [(2, 3, 4, grid.data[2, 3, 4])]
    shown = [r for r in caplog.records if r.exc_info and "broken callback saw 2,3,4" in str(r.exc_info[1])]
    assert shown, "the exception was swallowed: " + repr([r.getMessage() for r in caplog.records])
    assert "broken callback saw 2,3,4" in caplog.text and "Traceback" in caplog.text
    caplog.clear()
    click(grid, 7, 0, 5)
    assert grid.selected == (7, 0, 5)
    assert calls[-1] == (7, 0, 5, grid.data[7, 0, 5])
    assert "broken callback saw 7,0,5" in caplog.text


def test_a_raising_callback_shows_its_traceback_in_ipython(tmp_path):
    """In a kernel, CallbackDispatcher calls IPython's showtraceback: run a real IPython
    shell in a separate process (so this test process keeps no shell) and read its output."""
    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        from digitheat_widget import DigitHeatmapGrid
        grid = DigitHeatmapGrid()
        seen = []
        def broken(*args):
            raise ValueError("callback exploded at %s" % (args[:3],))
        grid.on_cell_click(broken)
        grid.on_cell_click(lambda *args: seen.append(args[:3]))
        from digitheat_widget.live.controller import GridController
        (controller,) = [w for w in grid.children if isinstance(w, GridController)]
        def click(d, r, c):
            controller._handle_message(
                controller, {"event": "selected", "value": [d, r, c]}, [])
        click(1, 2, 3)
        click(4, 5, 0)
        print("SELECTED", grid.selected, "SEEN", seen)
    """)
    env = dict(os.environ, IPYTHONDIR=str(tmp_path / "ipython"), PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, cwd=REPO, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert out.count("ValueError") >= 2 and "callback exploded at (1, 2, 3)" in out, out
    assert "callback exploded at (4, 5, 0)" in out
    assert "Traceback" in out or "----> " in out, "IPython shows the traceback, not just the message"
    assert "SELECTED (4, 5, 0) SEEN [(1, 2, 3), (4, 5, 0)]" in out
