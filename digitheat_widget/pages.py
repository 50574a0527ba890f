"""Stacks too large to draw at once: one page of panels at a time, read on demand.

A grid pages when it is given a lazy array (a Dask array, an xarray ``DataArray``, a
Zarr array) of any size, an in-memory array of more than :data:`~digitheat_widget.data.
MAX_PANELS` panels, or a ``page_size`` smaller than its panel count. It then keeps the
whole stack as :attr:`Pages.source` without computing it, and ``data`` is the page shown:
``page_size`` panels from ``page * page_size``, read (and, for Dask, computed) when that
page is shown, with the last few pages kept in a small cache. Nothing else of the stack
is held in the kernel.

Panel indices are global everywhere a person sees or gives one: titles (labels),
``highlighted``, ``selected`` and ``on_cell_click``. Only ``data`` (and the traits that
follow its shape: ``labels``, ``frames``, ``reference``) is the page.

Colour limits: the page's own at first ("provisional", said in the page), while a
background thread asks the engine for the whole stack's minimum, maximum and robust
percentiles chunk by chunk (through a ``dask.distributed`` client when one is running,
else Dask's local scheduler or plain reads), with a progress bar in the page. Where no
thread can start (Pyodide, in JupyterLite), the same pass runs on the kernel's event loop,
a few chunks per turn between the kernel's messages. When it finishes, automatic limits become the whole stack's, and ``autoscale("robust")`` uses
its percentiles. Minimum and maximum are exact; the percentiles are read off a sketch of
1001 quantiles per chunk, merged with each chunk's size as weight (within about a
thousandth of a chunk's values in rank). ``stack_limits=False`` skips that pass.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import itertools
import sys
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator
from typing import Any

import numpy as np
import traitlets
from ipywidgets import HTML, FloatProgress, HBox, Layout
from traitlets import TraitError, observe, validate

from .data import (
    CHUNK,
    MAPS,
    MAX_PANELS,
    PAGED,
    as_stack,
    check_real,
    check_size,
    engine_error,
    min_span,
)
from .traits import Integer, default_labels, owner

#: Panels per page when ``page_size`` is None and the grid pages.
DEFAULT_PAGE_SIZE = 100
#: Pages kept in memory after they were read (the pages around the one shown, typically).
CACHED_PAGES = 4
#: Robust limits: these percentiles, as ``autoscale("robust")`` takes them.
ROBUST_PERCENTILES = (2.0, 98.0)


def _module(value: Any) -> str:
    return type(value).__module__.split(".")[0]


def is_lazy(value: Any) -> bool:
    """Whether ``value`` is an array the grid reads a page at a time: a Dask array, an
    xarray ``DataArray`` backed by one, or a Zarr array."""
    if _module(value) == "xarray":
        return is_lazy(getattr(value, "data", None))  # in memory: converted as numpy is
    return _module(value) in ("dask", "zarr") and hasattr(value, "shape")


def _engine_array(value: Any) -> Any:
    """The array behind an xarray ``DataArray`` (Dask's, numpy's), or ``value`` itself."""
    return value.data if _module(value) == "xarray" else value


def wants_paging(value: Any, page_size: int | None) -> bool:
    """Whether a stack given as ``data`` is shown a page at a time (see the module)."""
    if is_lazy(value):
        return True
    shape = getattr(value, "shape", None)
    if shape is None or len(shape) != 3:
        return False
    count = int(shape[0])
    return count > MAX_PANELS or (page_size is not None and count > page_size)


class PanelSource:
    """An (N, H, W) stack read a slice of panels at a time, with a cache of slices.

    Parameters
    ----------
    array
        A Dask array, an xarray ``DataArray``, a Zarr array, or an in-memory array (kept
        by reference, not copied: a page is copied when it is read).
    names
        A title per panel (a sequence of N), or None: the ``DataArray``'s coordinate on
        its first dimension if it has one, else the global index.
    """

    def __init__(self, array: Any, names: Any = None) -> None:
        if _module(array) == "xarray" and names is None and array.dims:
            coord = array.coords.get(array.dims[0])
            names = None if coord is None else coord.values  # formatted when read
        if not is_lazy(array) and not isinstance(array, np.ndarray):
            array = np.asarray(array)
        # The one kind and size checks, from dtype and shape: nothing is read to refuse it.
        check_size(tuple(getattr(array, "shape", ())), PAGED)
        shape = tuple(int(s) for s in array.shape)
        check_real(np.dtype(_engine_array(array).dtype))
        if names is not None and len(names) != shape[0]:
            raise ValueError(f"expected {shape[0]} labels (one per panel), got {len(names)}")
        self.array = array
        self.shape: tuple[int, int, int] = shape
        self.names = names
        self.lazy = is_lazy(array)
        self._cache: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def labels(self, start: int, stop: int) -> list[str]:
        """The titles of panels ``start`` .. ``stop - 1``."""
        if self.names is None:
            return [str(i) for i in range(start, stop)]
        return [str(name) for name in self.names[start:stop]]

    def read(self, start: int, stop: int) -> np.ndarray:
        """Panels ``start`` .. ``stop - 1`` as a checked float64 (n, H, W) array; only the
        chunks holding them are computed or read."""
        key = (start, stop)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        # The one size check before anything is read (a Zarr slice reads) or computed.
        check_size((stop - start, *self.shape[1:]), MAPS)
        try:
            part = _engine_array(self.array[start:stop])  # a Zarr slice reads here
        except Exception as err:
            raise ValueError(engine_error(_engine_array(self.array), err)) from None
        tensor = as_stack(part, MAPS)
        with self._cache_lock:
            self._cache[key] = tensor
            while len(self._cache) > CACHED_PAGES:
                self._cache.popitem(last=False)
        return tensor

    def chunk_bounds(self) -> list[tuple[int, int]]:
        """(start, stop) of each chunk along the first axis (pages of 1000 panels for an
        in-memory array)."""
        first = getattr(_engine_array(self.array), "chunks", None)
        if isinstance(first, tuple) and first and isinstance(first[0], tuple):
            sizes = list(first[0])  # Dask: the size of each chunk
        else:
            step = int(first[0]) if isinstance(first, tuple) and first else 1000
            sizes = [min(step, self.shape[0] - s) for s in range(0, self.shape[0], step)]
        bounds, start = [], 0
        for size in sizes:
            bounds.append((start, start + size))
            start += size
        return bounds


#: Quantiles each chunk is summarised by (its sketch): the robust limits are read off
#: the sketches of all chunks together, each point weighing a 1/SKETCH_POINTS of its chunk.
SKETCH_POINTS = 1001


def _summarise(block: Any) -> tuple[float, float, np.ndarray, int]:
    """(min, max, quantile sketch, finite count) of one chunk, through the one
    conversion: values the grid refuses (+-inf, magnitudes above 1e300) stop the whole
    stack's limits, as they stop a page from being shown."""
    values = as_stack(block, CHUNK)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (np.inf, -np.inf, np.zeros(0), 0)
    sketch = np.quantile(finite, np.linspace(0, 1, SKETCH_POINTS))
    return (float(finite.min()), float(finite.max()), sketch, int(finite.size))


def _combine(parts: list[tuple[float, float, np.ndarray, int]]) -> dict[str, float] | None:
    """The chunks' summaries as one: exact min and max; percentiles from the merged
    sketches (each chunk's quantiles weighted by its size), within about 1/1000 of a
    chunk's values in rank."""
    counted = [p for p in parts if p[3]]
    if not counted:
        return None
    points = np.concatenate([p[2] for p in counted])
    weights = np.concatenate([np.full(len(p[2]), p[3] / len(p[2])) for p in counted])
    order = np.argsort(points, kind="stable")
    points, ranks = points[order], np.cumsum(weights[order])
    total = ranks[-1]
    low, high = (float(points[min(np.searchsorted(ranks, total * q / 100), len(points) - 1)])
                 for q in ROBUST_PERCENTILES)
    return {"min": min(p[0] for p in counted), "max": max(p[1] for p in counted),
            "low": low, "high": high, "count": int(total)}


def _distributed_client() -> Any:
    """The running ``dask.distributed`` client, or None."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client
        return None


_RUNNING: weakref.WeakSet[StackSummary] = weakref.WeakSet()


@atexit.register
def _stop_summaries() -> None:
    """A kernel shutting down mid-computation: stop every summary and give its thread a
    moment to leave numpy, rather than be killed inside it."""
    summaries = list(_RUNNING)
    for summary in summaries:
        summary.cancel()
    for summary in summaries:
        summary.wait(2.0)


#: Without threads (Pyodide), the pass runs on the event loop: each turn computes chunks
#: for about this long (seconds), then gives the loop back to the kernel's messages.
COOPERATIVE_SLICE = 0.05


def threads_unavailable() -> bool:
    """Whether this Python cannot start threads at all (Pyodide, in JupyterLite)."""
    return sys.platform == "emscripten"


def _event_loop() -> asyncio.AbstractEventLoop | None:
    """The loop the kernel runs on, to come back to later; None in plain Python."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if threads_unavailable():  # Pyodide's loop runs whenever Python is idle
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return asyncio.get_event_loop()
        except RuntimeError:
            return None
    return None


class StackSummary:
    """The whole stack's limits, found chunk by chunk in a background thread, or, where
    no thread can start (Pyodide), on the event loop a few chunks per turn.

    ``done`` / ``total`` count chunks; ``result`` is None until every chunk is in (then
    a dict of min, max, low, high, count); ``error`` holds what stopped it, if anything.
    ``on_progress(summary)`` is called after each step and at the end (from the thread,
    or from the event loop). ``mode`` says where it runs: ``"thread"``, ``"event loop"``
    or ``"caller"`` (no thread and no loop: computed by :meth:`start`).
    """

    def __init__(self, source: PanelSource, on_progress: Callable[[StackSummary], None]) -> None:
        self.source = source
        self.on_progress = on_progress
        self.done = 0
        self.total = 0
        self.result: dict[str, float] | None = None
        self.error: Exception | None = None
        self.engine = "numpy"
        self.mode = "thread"
        self._cancelled = threading.Event()
        self._futures: list[Any] = []
        self._thread = threading.Thread(target=self._run, name="digitheat-limits", daemon=True)
        self._steps: Iterator[None] | None = None  # without a thread: the pass, step by step
        self._finished = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._turn: asyncio.Handle | None = None

    def start(self) -> StackSummary:
        _RUNNING.add(self)
        if not threads_unavailable():
            try:
                self._thread.start()
                return self
            except RuntimeError:  # "can't start new thread": no threads here after all
                pass
        self._steps = self._pass(cooperative=True)
        self._loop = _event_loop()
        if self._loop is None:
            self.mode = "caller"  # nothing would come back to it later: computed now
            self._advance(None)
        else:
            self.mode = "event loop"
            self._turn = self._loop.call_soon(self._take_turn)
        return self

    def cancel(self) -> None:
        """Stop at the next chunk (a distributed client's tasks are cancelled)."""
        self._cancelled.set()
        if self._turn is not None:
            self._turn.cancel()
            self._turn = None
        client = _distributed_client() if self._futures else None
        if client is not None:
            try:
                client.cancel(self._futures)
            except Exception:  # the client may be closing; nothing is waited on
                pass

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the pass to end; whether it did. On the event loop, the chunks left
        are computed here and now (within ``timeout``): waiting on the loop from inside
        it would never end."""
        if self._steps is None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        if not self._finished and not self._cancelled.is_set():
            self._advance(None if timeout is None else time.monotonic() + timeout)
        return self._finished or self._cancelled.is_set()

    @property
    def running(self) -> bool:
        if self._steps is None:
            return self._thread.is_alive()
        return not self._finished and not self._cancelled.is_set()

    def _take_turn(self) -> None:
        """One turn on the event loop: chunks for about COOPERATIVE_SLICE seconds."""
        self._turn = None
        if self._advance(time.monotonic() + COOPERATIVE_SLICE) and self._loop is not None:
            self._turn = self._loop.call_soon(self._take_turn)

    def _advance(self, deadline: float | None) -> bool:
        """Steps of the pass until ``deadline`` (None: to the end); whether any are left."""
        steps = self._steps
        while not self._finished and not self._cancelled.is_set():
            try:
                next(steps)
            except StopIteration:
                break
            except BaseException:  # Ctrl-C while wait() computes: the pass stops, said
                self.error = RuntimeError("the whole stack's limits were interrupted")
                self._finished = True
                self._step()
                raise
            if deadline is not None and time.monotonic() >= deadline:
                break
        return not self._finished and not self._cancelled.is_set()

    def _step(self) -> None:
        if not self._cancelled.is_set():
            self.on_progress(self)

    def _run(self) -> None:
        for _ in self._pass(cooperative=False):
            pass

    def _pass(self, cooperative: bool) -> Iterator[None]:
        """The pass, one step (a chunk, or a batch of chunks) per ``next``; at the end
        ``result`` or ``error`` is set and ``on_progress`` called."""
        try:
            if self._is_dask():
                parts = yield from self._dask_parts(cooperative)
            else:
                parts = yield from self._read_parts()
            if parts is not None and not self._cancelled.is_set():
                self.result = _combine(parts) or {"min": 0.0, "max": 1.0, "low": 0.0,
                                                  "high": 1.0, "count": 0}
        except Exception as err:  # reported in the page and kept; never raised in a thread
            self.error = err
        self._finished = True
        self._step()

    def _is_dask(self) -> bool:
        return _module(_engine_array(self.source.array)) == "dask"

    def _read_parts(self) -> Generator[None, None, list[tuple] | None]:
        bounds = self.source.chunk_bounds()
        self.total, parts = len(bounds), []
        array = self.source.array
        for start, stop in bounds:
            if self._cancelled.is_set():
                return None
            block = array[start:stop]
            parts.append(_summarise(_engine_array(block)))
            self.done += 1
            self._step()
            yield
        return parts

    def _dask_parts(self, cooperative: bool) -> Generator[None, None, list[tuple] | None]:
        import dask

        blocks = _engine_array(self.source.array).to_delayed().ravel()
        tasks = [dask.delayed(_summarise)(block) for block in blocks]
        self.total = len(tasks)
        client = None if cooperative else _distributed_client()
        if client is not None:
            from distributed import as_completed

            self.engine = "dask.distributed"
            self._futures = client.compute(tasks)
            parts = []
            for future in as_completed(self._futures):
                if self._cancelled.is_set():
                    return None
                parts.append(future.result())
                self.done += 1
                self._step()
                yield
            return parts
        self.engine = "dask"
        # Two chunks at a time: more held at once grows the kernel's memory with N (a
        # fiftieth of a million panels' chunks: 363 MB at the peak instead of 247).
        # Without threads, one at a time on Dask's synchronous scheduler (its threaded
        # one starts a pool).
        batch, scheduler = (1, "synchronous") if cooperative else (2, None)
        parts = []
        for first in range(0, len(tasks), batch):
            if self._cancelled.is_set():
                return None
            parts.extend(dask.compute(*tasks[first:first + batch], scheduler=scheduler))
            self.done = len(parts)
            self._step()
            yield
        return parts


class Pages(traitlets.HasTraits):
    """The grid's paging: ``page_size``, ``page``, and the source the pages come from.

    Mixed into :class:`~digitheat_widget.DigitHeatmapGrid`, before its other mixins: its
    ``__setattr__`` sees an assignment to ``data`` first (inside the grid's lock).
    """

    page_size = Integer(
        None, allow_none=True,
        help="Panels per page. None: every panel of an in-memory stack of up to 4096, "
        "else 100. Smaller than the panel count, the grid shows one page at a time.",
    )
    page = Integer(0, help="The page shown, 0 .. page_count - 1; data is that page's panels.")
    stack_limits = traitlets.Bool(
        True, help="Paged: compute the whole stack's colour limits in the background (one "
        "pass over every chunk). False: automatic limits stay the page's.",
    )

    _source: PanelSource | None = None
    _summary: StackSummary | None = None
    _loading_page = False
    _page_span: tuple[int, int, int] | None = None  # (source, first, stop) shown
    #: Which stack the panels shown belong to: a new number (never one the grid used
    #: before) each time data is given a new stack (maps of another shape, a source to
    #: page, or an array that ends paging), not for another page of the same stack. The
    #: page's clicks name it (``paging["stack"]``, state.js ``clickEvent``): one made on a
    #: stack no longer shown is ignored, not applied to the panel of that index in this one.
    _stack_serial = 0
    _limits_status: HBox | None = None

    # ------------------------------------------------------------------ reading

    @property
    def source(self) -> Any:
        """The whole stack being paged (as given: a Dask, xarray or Zarr array, or an
        in-memory array), or None when ``data`` is the whole stack."""
        return None if self._source is None else self._source.array

    @property
    def paged(self) -> bool:
        """Whether the grid shows one page of a larger (or lazy) stack."""
        return self._source is not None

    @property
    def panel_count(self) -> int:
        """How many panels the whole stack has (``len(data)`` when not paged)."""
        return self._source.shape[0] if self._source is not None else int(self.data.shape[0])

    @property
    def page_count(self) -> int:
        """How many pages the stack makes (1 when not paged)."""
        if self._source is None:
            return 1
        size = self._page_size_in_force()
        return max(1, -(-self._source.shape[0] // size))

    @property
    def panel_offset(self) -> int:
        """Global index of the first panel shown (0 when not paged)."""
        return self.page * self._page_size_in_force() if self._source is not None else 0

    @property
    def limits_scope(self) -> str:
        """What automatic limits are taken from: ``"data"`` (not paged: every panel),
        ``"page"`` (provisional, while the whole stack's are being computed) or
        ``"stack"`` (the whole stack's)."""
        if self._source is None:
            return "data"
        return "stack" if self._stack_limits() is not None else "page"

    def wait_for_limits(self, timeout: float | None = None) -> bool:
        """Block until the whole stack's limits are known (or their computation stopped);
        whether it ended within ``timeout`` seconds. Without threads (Pyodide) the chunks
        left are computed by this call."""
        summary = self._summary
        return True if summary is None else summary.wait(timeout)

    # ------------------------------------------------------------------ for the grid

    def _page_size_in_force(self) -> int:
        return self.page_size if self.page_size is not None else DEFAULT_PAGE_SIZE

    def _stack_limits(self) -> dict[str, float] | None:
        summary = self._summary
        return None if summary is None else summary.result

    def _default_labels(self, count: int) -> list[str]:
        """Titles for ``count`` panels shown: the page's global names when paged."""
        if self._source is None:
            return default_labels(count)
        offset = self.panel_offset
        return self._source.labels(offset, offset + count)

    def _on_page(self, indices: list[int]) -> list[int]:
        """Global panel indices -> indices in ``data``, for those on the page shown."""
        offset, count = self.panel_offset, int(self.data.shape[0])
        return [i - offset for i in indices if offset <= i < offset + count]

    def _local_selected(self) -> tuple[int, int, int] | None:
        selected = self.selected
        if selected is None or self._source is None:
            return selected
        local = self._on_page([selected[0]])
        return (local[0], selected[1], selected[2]) if local else None

    def _page_made_on(self, made_on: tuple[int, int, int | None] | None,
                      trait: str) -> tuple[int, int]:
        """(offset, count) of the page a click (or a page turn) was made on, in the stack
        shown: ``made_on`` (offset, count, stack) as the page sent it (Python may have
        turned the page or changed ``page_size`` since); without it, the page shown now (a
        page that sends no stack: its own page if paged, as before). TraitError, refused as
        ``trait``, if it was made on a stack no longer shown."""
        if made_on is None:
            return self.panel_offset, int(self.data.shape[0])
        offset, count, stack = made_on
        if stack is None:
            return (offset, count) if self._source is not None else (
                self.panel_offset, int(self.data.shape[0]))
        if stack != self._stack_serial:
            raise TraitError(f"{owner(self, trait)} expected a click or page turn made on "
                             f"the stack shown (number {self._stack_serial}), got one made on "
                             f"stack {stack}, no longer shown: ignored")
        return offset, count

    def _panel_value(self, panel: int, row: int, col: int) -> float:
        """The value of global cell (panel, row, col): from ``data`` when it is on the page
        shown, else read from the source (its page, which is likely cached)."""
        local = panel - self.panel_offset
        if 0 <= local < int(self.data.shape[0]):
            return float(self.data[local, row, col])
        size = self._page_size_in_force()
        start = panel // size * size
        stop = min(self._source.shape[0], start + size)
        return float(self._source.read(start, stop)[panel - start, row, col])

    def _set_page_highlight(self, local: list[int],
                            made_on: tuple[int, int, int | None] | None = None) -> None:
        """The panels highlighted on a page are ``local`` (its indices): the page shown,
        or the one ``made_on`` (offset, count) names; other pages' highlights stay."""
        offset, count = self._page_made_on(made_on, "highlighted")
        outside = [i for i in local if not 0 <= i < count]
        if outside:
            raise TraitError(f"{owner(self, 'highlighted')} expected panels of the page shown, "
                             f"0..{count - 1}, got {outside}")
        others = [i for i in self.highlighted if not offset <= i < offset + count]
        self.highlighted = [*others, *(offset + i for i in local)]  # repeats are refused there

    def _paging_state(self) -> dict[str, int]:
        """What the page needs to name the stack its clicks are made on and, paged, to
        cross pages with the keyboard and to say where it is."""
        if self._source is None:
            return {"stack": self._stack_serial}
        return {"stack": self._stack_serial, "page": self.page, "page_count": self.page_count,
                "offset": self.panel_offset, "total": self.panel_count}

    def _new_stack(self) -> None:
        """Data was given a new stack: clicks made on the one before are ignored."""
        numbers = self.__dict__.setdefault("_stack_numbers", itertools.count(1))
        old, self._stack_serial = self._stack_serial, next(numbers)
        self._on_rollback(lambda: setattr(self, "_stack_serial", old))

    # ------------------------------------------------------------------ assignment

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "data" or self._loading_page:
            super().__setattr__(name, value)
            return
        view = self._live()
        # What the assignment sends waits for the stack's number: the page gets both in
        # one message, so it never names the maps it shows by another stack's number.
        with view.batched() if view is not None else contextlib.nullcontext():
            if wants_paging(value, self.page_size):
                try:
                    source = PanelSource(value)
                except ValueError as err:
                    raise TraitError(f"{owner(self, 'data')} {err}") from None
                self._open_source(source)
                self._new_stack()
                return
            paged = self._source is not None
            shape = getattr(self._trait_values.get("data"), "shape", None)
            if paged:
                self._close_source()  # an array shown whole: the stack is no longer paged
            super().__setattr__(name, value)
            if paged or self.data.shape != shape:  # (new values of the same maps: the same stack)
                self._new_stack()

    def _show_other_maps(self, maps: np.ndarray) -> None:
        """``data`` becomes other maps of the panels shown (a recorded frame of them):
        no assignment of the user's, so a paged grid stays paged over its source, on its
        page, and the stack keeps its number (see ``Frames``: frames are the page's)."""
        loading, self._loading_page = self._loading_page, True
        try:
            self.data = maps
        finally:
            self._loading_page = loading

    def _open_source(self, source: PanelSource) -> None:
        """Page ``source`` from its first page: data becomes that page (as one change),
        and the whole stack's limits are computed anew."""
        old_source, old_span = self._source, self._page_span
        self._source = source
        try:
            self._show_page(0, "data")  # a refusal names data: the stack given is refused
        except BaseException as err:  # Ctrl-C while the page computes, too
            self._source = old_source
            if isinstance(err, TraitError) or not isinstance(err, Exception):
                raise
            raise TraitError(f"{owner(self, 'data')} could not read page 0: "
                             f"{type(err).__name__}: {err}") from err
        old_summary = self._summary
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
        self._start_summary()

        def undo() -> None:  # a refused batch: the stack paged before, and its limits
            if self._summary is not None:
                self._summary.cancel()
            self._source, self._page_span, self._summary = old_source, old_span, None
            if old_summary is not None:
                self._start_summary()
            self._paging_changed()

        self._on_rollback(undo)

    def _close_source(self) -> None:
        if self._summary is not None:
            self._summary.cancel()
        self._source, self._summary, self._page_span = None, None, None
        self._loading_page = True
        try:
            self.page = 0
        finally:
            self._loading_page = False
        self._paging_changed()

    def _show_page(self, page: int, trait: str = "page") -> None:
        """Show ``page``; values refused when they are read are refused as ``trait``."""
        source, size = self._source, self._page_size_in_force()  # page: checked by the caller
        start, stop = page * size, min(source.shape[0], (page + 1) * size)
        try:
            maps = source.read(start, stop)
        except ValueError as err:  # values as_tensor refuses, found when they are read
            raise TraitError(f"{owner(self, trait)} could not show page {page} (panels "
                             f"{start}..{stop - 1}): {err}") from None
        view = self._live()
        with view.batched() if view is not None else contextlib.nullcontext():
            self._loading_page = True
            try:
                with self.hold_trait_notifications():
                    span = (id(source), start, stop)
                    if self._page_span not in (None, span):
                        self._keep_for_panels(None)  # other panels: no frames, no reference
                    self.page = page
                    self.data = maps
                    self.labels = source.labels(start, stop)
                self._page_span = span
            finally:
                self._loading_page = False
            self._paging_changed()

    def _start_summary(self) -> None:
        if self._source is None or not self.stack_limits:
            return
        self._summary = StackSummary(self._source, self._summary_progress)
        self._summary.start()

    def _summary_progress(self, summary: StackSummary) -> None:
        """From the summary's thread: show progress; at the end, the new limits."""
        with self._lock:
            if summary is not self._summary:
                return  # a source replaced meanwhile
            self._show_limits_status()
            if summary.result is not None or summary.error is not None:
                self._stack_summary_arrived()

    # ------------------------------------------------------------------ observers

    @validate("page")
    def _check_page(self, proposal: traitlets.Bunch) -> int:
        value = proposal["value"]
        if self._loading_page:
            return value
        count = self.page_count
        if isinstance(value, bool) or not 0 <= value < count:
            raise TraitError(f"{owner(self, 'page')} expected a page in 0..{count - 1}, got {value!r}")
        return value

    @validate("page_size")
    def _check_page_size(self, proposal: traitlets.Bunch) -> int | None:
        value = proposal["value"]
        if value is not None and (isinstance(value, bool) or not 1 <= value <= MAX_PANELS):
            raise TraitError(f"{owner(self, 'page_size')} expected None or panels per page in "
                             f"1..{MAX_PANELS}, got {value!r}")
        return value

    @observe("page")
    def _on_page_trait(self, change: traitlets.Bunch) -> None:
        if self._loading_page or self._source is None:
            return
        try:
            self._show_page(change["new"])
        except Exception:
            self._loading_page = True
            try:
                self.page = change["old"]  # nothing half applied
            finally:
                self._loading_page = False
            raise

    @observe("stack_limits")
    def _on_stack_limits(self, change: traitlets.Bunch) -> None:
        if self._source is None:
            return
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
        self._start_summary()
        self._stack_summary_arrived()
        self._show_limits_status()

    @observe("page_size")
    def _on_page_size(self, change: traitlets.Bunch) -> None:
        if not isinstance(self._trait_values.get("data"), np.ndarray):
            return  # __init__ pages once data is given
        source = self._source
        if source is None:
            if change["new"] is not None and self.data.shape[0] > change["new"]:
                # The titles go with their panels: each page shows its own, and the whole
                # stack gets them all back (page_size = None).
                names = self.labels if self.labels != default_labels(self.data.shape[0]) else None
                self._open_source(PanelSource(self.data, names))
            return
        whole = not source.lazy and (
            change["new"] is None and source.shape[0] <= MAX_PANELS
            or change["new"] is not None and change["new"] >= source.shape[0])
        if whole:
            self._close_source()
            with self.hold_trait_notifications():
                self._loading_page = True  # the same stack, shown whole: not a new one
                try:
                    self.data = source.array
                finally:
                    self._loading_page = False
                self.labels = source.labels(0, source.shape[0])
            return
        first = self.page * (change["old"] or DEFAULT_PAGE_SIZE)  # the first panel shown stays
        self._show_page(min(first // self._page_size_in_force(), self.page_count - 1))

    # Hooks the grid fills in.
    def _keep_for_panels(self, shape: tuple[int, ...] | None) -> None:
        """Drop frames and a reference not made of the panels shown (see the grid)."""

    def _on_rollback(self, undo: Callable[[], None]) -> None:
        """Call ``undo()`` if the batch being applied is refused."""

    def _live(self) -> Any:
        """The grid's live view, or None (being built, or closed)."""
        return None

    def _paging_changed(self) -> None:
        """The page shown or the paging changed: tell the page and the controls."""

    def _stack_summary_arrived(self) -> None:
        """The whole stack's limits arrived (or failed): redraw with them."""

    def _show_limits_status(self) -> None:
        """Show where the limits come from, with the background computation's progress."""
        status = self._limits_status
        if status is None:
            return
        bar, note = status.children
        summary, scope = self._summary, self.limits_scope
        if self._source is None:
            status.layout.display = "none"
            return
        status.layout.display = None
        if summary is None:
            bar.layout.display = "none"
            note.value = "Colour limits: this page's (stack_limits is off)"
        elif summary.error is not None:
            bar.layout.display = "none"
            note.value = html.escape(
                f"Colour limits: this page's (the whole stack's could not be computed: "
                f"{type(summary.error).__name__}: {summary.error})"[:500])
        elif scope == "page":
            bar.layout.display = None
            bar.max, bar.value = max(summary.total, 1), summary.done
            note.value = (f"Colour limits are provisional (this page's) while the whole stack's "
                          f"are computed: {summary.done} of {summary.total or '?'} chunks")
        else:
            bar.layout.display = "none"
            note.value = (f"Colour limits: the whole stack's ({self.panel_count:,} panels, "
                          f"computed with {summary.engine})")

    def _make_limits_status(self) -> HBox:
        bar = FloatProgress(min=0, max=1, value=0, description="limits",
                            layout=Layout(width="260px"))
        note = HTML()
        note.add_class("dhg-limits-note")
        status = HBox([bar, note], layout=Layout(display="none", align_items="center"))
        status.add_class("dhg-limits-status")
        return status


def stack_robust_limits(summary: dict[str, float]) -> tuple[float | None, float | None]:
    """``autoscale("robust")`` from a stack's summary: its percentiles, or automatic
    when they are too close for distinct ticks."""
    low, high = summary["low"], summary["high"]
    return (low, high) if high - low >= min_span(low, high) else (None, None)
