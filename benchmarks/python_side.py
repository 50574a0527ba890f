"""Python-side costs of DigitHeatmapGrid and three peers, all measured in this process.

Every subject gets the same float64 tensors with values in [0, 1] and fixed colour
limits 0..1 (so no subject sends colour-limit changes during a data update), and the
same operations:

- construction: build the widget (or figure) from the tensor; every comm open is
  serialised as the kernel would (see ``_comm``). For matplotlib, build the figure and
  render the first PNG, which is what ipympl sends when the figure is shown.
- full update: replace all N maps (alternating between two different tensors).
- one-panel update: replace map 3 only.
- vmax change: move the upper colour limit (alternating 0.90 / 0.95).

Timings are medians of repeated runs (``measure``); bytes and messages are what the
recording comm saw for one run of the operation (for matplotlib: the PNG's size, one
image message). Python bytes held: tracemalloc's traced memory after construction minus
before, with a collection on both sides.
"""

from __future__ import annotations

import gc
import io
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._comm import Recorder, Tally

RECORDER = Recorder()
RECORDER.install()

PANEL = 3  # the map replaced by the one-panel update
VMAX_VALUES = (0.90, 0.95)
#: Grids with more cells than 10x7x6 count as large: with a renderer option, both
#: renderers are measured there.
SMALL_CELLS = 10 * 7 * 6


# ---------------------------------------------------------------------- timing


@dataclass
class Budget:
    """How long to repeat one measurement: at least ``min_n`` runs and ``seconds`` of
    runs, at most ``max_n`` runs; but past ``cap`` seconds stop after the current run
    (so slow peers get fewer runs, never none)."""

    seconds: float = 1.5
    min_n: int = 5
    max_n: int = 200
    cap: float = 6.0


def measure(run: Callable[[int], Any], budget: Budget, prepare: Callable[[int], Any] | None = None,
            ) -> dict[str, Any]:
    """Time ``run(i)`` for i = 0, 1, ...; ``prepare(i)`` runs untimed before each."""
    times: list[float] = []
    start = time.perf_counter()
    i = 0
    while True:
        if prepare is not None:
            prepare(i)
        t0 = time.perf_counter()
        run(i)
        times.append(time.perf_counter() - t0)
        i += 1
        elapsed = time.perf_counter() - start
        if i >= budget.max_n:
            break
        if i >= budget.min_n and elapsed >= budget.seconds:
            break
        if elapsed >= budget.cap and i >= 1:
            break
    return {"median_s": statistics.median(times), "n": len(times), "min_s": min(times),
            "max_s": max(times)}


def traffic(tally: Tally) -> dict[str, Any]:
    return {"messages": tally.messages, "bytes": tally.total_bytes,
            "json_bytes": tally.json_bytes, "buffer_bytes": tally.buffer_bytes,
            "largest_message": max(tally.sizes, default=0)}


# ---------------------------------------------------------------------- subjects


class Subject:
    """One way of showing the tensor. ``build`` returns a handle the others take."""

    name = ""
    label = ""
    #: What this subject cannot do at a size, as {size_key: reason}; filled in by run.
    png = False  # bytes are PNG sizes, not comm traffic

    def build(self, tensor: np.ndarray) -> Any:
        raise NotImplementedError

    def close(self, handle: Any) -> None:
        pass

    def full_update(self, handle: Any, tensor: np.ndarray) -> None:
        raise NotImplementedError

    def panel_update(self, handle: Any, index: int, values: np.ndarray) -> None:
        raise NotImplementedError

    def set_vmax(self, handle: Any, vmax: float) -> None:
        raise NotImplementedError

    def last_png_bytes(self, handle: Any) -> int:
        return 0


class Ours(Subject):
    def __init__(self, renderer: str | None = None) -> None:
        from digitheat_widget import DigitHeatmapGrid

        self.cls = DigitHeatmapGrid
        self.renderer = renderer
        self.name = "ours" if renderer is None else f"ours-{renderer}"
        self.label = "ours" if renderer is None else f"ours ({renderer})"

    def kwargs(self) -> dict[str, Any]:
        return {} if self.renderer is None else {"renderer": self.renderer}

    def build(self, tensor: np.ndarray, **extra: Any) -> Any:
        return self.cls(tensor, vmin=0.0, vmax=1.0, **self.kwargs(), **extra)

    def build_auto(self, tensor: np.ndarray) -> Any:
        return self.cls(tensor, **self.kwargs())

    def close(self, grid: Any) -> None:
        grid.close()

    def full_update(self, grid: Any, tensor: np.ndarray) -> None:
        grid.data = tensor

    def panel_update(self, grid: Any, index: int, values: np.ndarray) -> None:
        grid[index] = values

    def set_vmax(self, grid: Any, vmax: float) -> None:
        grid.vmax = vmax


class OursAuto(Ours):
    """Ours with automatic limits, shared or per panel (issue 27's cost)."""

    def __init__(self, panel_limits: str = "shared", renderer: str | None = None) -> None:
        super().__init__(renderer)
        self.panel_limits = panel_limits
        self.label = f"ours ({panel_limits})"

    def build(self, tensor: np.ndarray, **extra: Any) -> Any:
        return self.cls(tensor, panel_limits=self.panel_limits, **self.kwargs(), **extra)


def paired_per_panel_update(inputs: Inputs, runs: int, renderer: str | None = None
                            ) -> dict[str, Any]:
    """Full updates with automatic limits (extremes that move each time), per-panel limits
    against the shared scale, in alternating runs."""
    return _paired(OursAuto("per-panel", renderer), OursAuto("shared", renderer), inputs, runs,
                   lambda subject, handle, i: subject.full_update(
                       handle, inputs.tensors[(i + 1) % 2] * (1 + (i % 2))))


class NaiveBqplot(Subject):
    """What a user would write with bqplot alone: N Figures, each with its own row and
    column scales and axes and a GridHeatMap, one ColorScale shared by all marks, a
    colorbar Figure, laid out in a GridBox beside the colorbar."""

    name = "naive"
    label = "naive bqplot"

    def build(self, tensor: np.ndarray) -> Any:
        import bqplot
        from ipywidgets import GridBox, HBox, Layout

        from digitheat_widget.figure.layout import auto_cell_size
        from digitheat_widget.figure.colormaps import colormap_stops

        count, rows, cols = tensor.shape
        cell = auto_cell_size(rows, cols)
        scale = bqplot.ColorScale(min=0.0, max=1.0, colors=colormap_stops("hot"))
        figures, marks = [], []
        for index in range(count):
            row, column = bqplot.OrdinalScale(reverse=True), bqplot.OrdinalScale()
            mark = bqplot.GridHeatMap(color=tensor[index],
                                      scales={"row": row, "column": column, "color": scale})
            axes = [bqplot.Axis(scale=column), bqplot.Axis(scale=row, orientation="vertical")]
            figures.append(bqplot.Figure(
                marks=[mark], axes=axes, title=str(index), padding_y=0.0,
                fig_margin={"top": 30, "bottom": 22, "left": 28, "right": 6},
                layout=Layout(width=f"{cols * cell + 34}px", height=f"{rows * cell + 52}px")))
            marks.append(mark)
        colorbar = bqplot.Figure(
            marks=[], axes=[bqplot.ColorAxis(scale=scale, orientation="vertical", side="right")],
            layout=Layout(width="80px", height="600px"))
        box = HBox([GridBox(figures, layout=Layout(grid_template_columns="repeat(2, auto)")),
                    colorbar])
        return {"box": box, "marks": marks, "scale": scale}

    def close(self, handle: Any) -> None:
        from ipywidgets import Widget

        # Every widget this composition opened (figures, marks, scales, axes, layouts).
        seen: dict[int, Widget] = {}

        def visit(value: Any) -> None:
            if isinstance(value, Widget):
                if id(value) not in seen:
                    seen[id(value)] = value
                    for key in value.keys:
                        visit(getattr(value, key))
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item)
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)

        visit(handle["box"])
        for widget in seen.values():
            widget.close()

    def full_update(self, handle: Any, tensor: np.ndarray) -> None:
        for mark, values in zip(handle["marks"], tensor):
            mark.color = values

    def panel_update(self, handle: Any, index: int, values: np.ndarray) -> None:
        handle["marks"][index].color = values

    def set_vmax(self, handle: Any, vmax: float) -> None:
        handle["scale"].max = vmax


class Plotly(Subject):
    """plotly FigureWidget of ``px.imshow(tensor, facet_col=0, facet_col_wrap=2)``."""

    name = "plotly"
    label = "plotly"

    def __init__(self) -> None:
        import plotly

        self.version = plotly.__version__

    def build(self, tensor: np.ndarray) -> Any:
        import plotly.express as px
        import plotly.graph_objects as go

        rows = -(-tensor.shape[0] // 2)
        # make_subplots refuses the default 0.03 row spacing above 34 rows.
        spacing = {"facet_row_spacing": 0.5 / rows} if rows > 30 else {}
        figure = px.imshow(tensor, facet_col=0, facet_col_wrap=2, zmin=0.0, zmax=1.0,
                           color_continuous_scale="hot", **spacing)
        return go.FigureWidget(figure)

    def close(self, widget: Any) -> None:
        widget.close()

    def full_update(self, widget: Any, tensor: np.ndarray) -> None:
        with widget.batch_update():
            for trace, values in zip(widget.data, tensor):
                trace.z = values

    def panel_update(self, widget: Any, index: int, values: np.ndarray) -> None:
        # Facets are laid out bottom-up by px, but trace i is still map i.
        widget.data[index].z = values

    def set_vmax(self, widget: Any, vmax: float) -> None:
        widget.layout.coloraxis.cmax = vmax


class Matplotlib(Subject):
    """What ipympl does on every change: redraw the whole figure with Agg and send it as
    one PNG. N ``imshow`` subplots (2 per row, each about the size of one of our panels)
    sharing one Normalize, and a colorbar; an update is ``set_data`` (or the norm's
    vmax), ``canvas.draw()``, then the rendered buffer encoded as PNG (as ipympl's
    ``get_diff_image`` does for a full frame; ``print_png`` would draw a second time)."""

    name = "mpl"
    label = "matplotlib"
    png = True
    AGG_MAX_PX = 65_000  # Agg refuses images of 2**16 px or more on a side

    def build(self, tensor: np.ndarray) -> Any:
        import matplotlib

        matplotlib.use("agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.colors import Normalize
        from matplotlib.figure import Figure

        from digitheat_widget.figure.layout import auto_cell_size

        count, rows, cols = tensor.shape
        cell = auto_cell_size(rows, cols)
        panel_w, panel_h = cols * cell + 34, rows * cell + 52
        grid_rows = -(-count // 2)
        width, height = 2 * panel_w + 90, grid_rows * panel_h
        scale = min(1.0, self.AGG_MAX_PX / height)
        figure = Figure(figsize=(width * scale / 100, height * scale / 100), dpi=100)
        FigureCanvasAgg(figure)
        norm = Normalize(0.0, 1.0)
        axes = figure.subplots(grid_rows, 2, squeeze=False).ravel()
        figure.subplots_adjust(left=0.08, right=0.8, top=1 - 30 / panel_h / grid_rows,
                               bottom=22 / panel_h / grid_rows, wspace=0.2, hspace=0.3)
        images = []
        for index, ax in enumerate(axes):
            if index < count:
                images.append(ax.imshow(tensor[index], cmap="hot", norm=norm))
                ax.set_title(str(index), fontsize=10)
            else:
                ax.set_axis_off()
        figure.colorbar(images[0], cax=figure.add_axes([0.85, 0.05, 0.03, 0.9]))
        handle = {"figure": figure, "images": images, "norm": norm, "scale": scale, "png": 0}
        self._redraw(handle)
        return handle

    def _redraw(self, handle: dict) -> None:
        from PIL import Image

        canvas = handle["figure"].canvas
        canvas.draw()
        buffer = np.asarray(canvas.get_renderer().buffer_rgba())
        out = io.BytesIO()
        Image.fromarray(buffer).save(out, format="png")
        handle["png"] = out.tell()

    def close(self, handle: Any) -> None:
        handle["figure"].clear()

    def full_update(self, handle: Any, tensor: np.ndarray) -> None:
        for image, values in zip(handle["images"], tensor):
            image.set_data(values)
        self._redraw(handle)

    def panel_update(self, handle: Any, index: int, values: np.ndarray) -> None:
        handle["images"][index].set_data(values)
        self._redraw(handle)

    def set_vmax(self, handle: Any, vmax: float) -> None:
        handle["norm"].vmax = vmax
        self._redraw(handle)

    def last_png_bytes(self, handle: Any) -> int:
        return handle["png"]


# ---------------------------------------------------------------------- one subject, one size


@dataclass
class Inputs:
    shape: tuple[int, int, int]
    tensors: tuple[np.ndarray, np.ndarray]
    panels: tuple[np.ndarray, np.ndarray]

    @classmethod
    def make(cls, shape: tuple[int, int, int], seed: int = 0) -> Inputs:
        rng = np.random.default_rng(seed)
        a, b = rng.random(shape), rng.random(shape)
        return cls(shape, (a, b), (rng.random(shape[1:]), rng.random(shape[1:])))


@dataclass
class SubjectResult:
    subject: str
    label: str
    size: str
    results: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _op(subject: Subject, handle: Any, run: Callable[[int], Any], budget: Budget,
        ) -> dict[str, Any]:
    gc.collect()
    RECORDER.reset()
    t0 = time.perf_counter()
    timing = measure(run, budget)
    timing["wall_s"] = time.perf_counter() - t0
    tally = RECORDER.reset()
    # Traffic of one run: the recorder saw n runs; report the per-run mean (every run of
    # an operation sends the same kind of messages) and the messages of one run.
    n = timing["n"]
    if subject.png:
        timing.update({"messages": 1, "bytes": subject.last_png_bytes(handle), "png": True})
    else:
        timing.update({"messages": tally.messages / n, "bytes": tally.total_bytes / n,
                       "json_bytes": tally.json_bytes / n, "buffer_bytes": tally.buffer_bytes / n,
                       "largest_message": max(tally.sizes, default=0)})
    return timing


def held_bytes(build: Callable[[], Any], close: Callable[[Any], None]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        handle = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    close(handle)
    return after - before


def run_subject(subject: Subject, inputs: Inputs, budget: Budget,
                measure_held: bool = True) -> SubjectResult:
    size = "x".join(map(str, inputs.shape))
    out = SubjectResult(subject.name, subject.label, size)
    a, b = inputs.tensors

    # The cold build (imports, caches) is kept for the updates; its time is first_s.
    gc.collect()
    RECORDER.reset()
    first = time.perf_counter()
    handle = subject.build(a)
    first = time.perf_counter() - first
    build_tally = RECORDER.reset()
    build_png = subject.last_png_bytes(handle)

    # Warm builds, each closed outside the timed part. A build slower than the cap is
    # not repeated: the cold one is the measurement.
    built: list[Any] = []

    def construct(i: int) -> None:
        built.append(subject.build(inputs.tensors[(i + 1) % 2]))

    def discard(i: int = 0) -> None:
        while built:
            subject.close(built.pop())

    if first < budget.cap:
        t0 = time.perf_counter()
        timing = measure(construct, budget, prepare=discard)
        discard()
        timing["wall_s"] = time.perf_counter() - t0
    else:
        timing = {"median_s": first, "n": 1, "min_s": first, "max_s": first, "cold": True}
    RECORDER.reset()
    timing["first_s"] = first
    if subject.png:
        timing.update({"messages": 1, "bytes": build_png, "png": True})
    else:
        timing.update(traffic(build_tally))
    out.results["construct"] = timing

    out.results["full"] = _op(subject, handle,
                              lambda i: subject.full_update(handle, inputs.tensors[(i + 1) % 2]),
                              budget)
    out.results["panel"] = _op(subject, handle,
                               lambda i: subject.panel_update(handle, PANEL, inputs.panels[i % 2]),
                               budget)
    out.results["vmax"] = _op(subject, handle,
                              lambda i: subject.set_vmax(handle, VMAX_VALUES[i % 2]), budget)

    if isinstance(subject, Ours):
        # What displaying the grid costs in Python besides construction: the mime bundle
        # (widget view + the static PNG fallback for nbconvert / GitHub).
        def bundle(i: int) -> None:
            bundle.result = handle._repr_mimebundle_()

        t0 = time.perf_counter()
        timing = measure(bundle, Budget(seconds=budget.seconds / 3, min_n=1, max_n=20,
                                        cap=budget.cap / 3))
        timing["wall_s"] = time.perf_counter() - t0
        timing["bytes"] = len(bundle.result.get("image/png", ""))
        timing["messages"] = 0
        out.results["repr"] = timing
        # A full update with automatic limits (the default): limits follow the data.
        subject.close(handle)
        handle = subject.build_auto(a)
        out.results["full_auto"] = _op(
            subject, handle,
            lambda i: subject.full_update(handle, inputs.tensors[(i + 1) % 2] * (1 + (i % 2))),
            budget)
    subject.close(handle)

    build_s = out.results["construct"]["median_s"]
    if not isinstance(subject, Ours) and build_s > 1.0:
        measure_held = False  # peers only: tracemalloc makes a build 2-3x slower
    if measure_held:
        t0 = time.perf_counter()
        out.results["held"] = {"bytes": held_bytes(lambda: subject.build(a), subject.close),
                               "wall_s": time.perf_counter() - t0}
    else:
        out.skipped["held"] = (f"skipped: one build takes {build_s:.0f} s, "
                               "2-3x that under tracemalloc")
    return out


def paired_full_update(ours: Subject, peer: Subject, inputs: Inputs, runs: int) -> dict[str, Any]:
    """Full updates of ``ours`` and ``peer`` in alternating runs: load on a shared machine
    then falls on both alike, so their ratio is steadier than that of two separate series."""
    return _paired(ours, peer, inputs, runs,
                   lambda subject, handle, i: subject.full_update(handle, inputs.tensors[(i + 1) % 2]))


def paired_panel_update(ours: Subject, peer: Subject, inputs: Inputs, runs: int
                        ) -> dict[str, Any]:
    """One-panel updates (map ``PANEL``) of ``ours`` and ``peer`` in alternating runs."""
    return _paired(ours, peer, inputs, runs,
                   lambda subject, handle, i: subject.panel_update(handle, PANEL,
                                                                  inputs.panels[i % 2]))


def _paired(ours: Subject, peer: Subject, inputs: Inputs, runs: int,
            operation: Callable[[Subject, Any, int], None]) -> dict[str, Any]:
    mine, theirs = ours.build(inputs.tensors[0]), peer.build(inputs.tensors[0])
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    try:
        for i in range(runs):
            # Who goes first alternates too, so neither always runs on a warm cache.
            order = [("ours", ours, mine), ("peer", peer, theirs)]
            for key, subject, handle in (order if i % 2 else order[::-1]):
                t0 = time.perf_counter()
                operation(subject, handle, i)
                times[key].append(time.perf_counter() - t0)
        RECORDER.reset()
    finally:
        ours.close(mine)
        peer.close(theirs)
    return {"median_s": statistics.median(times["ours"]), "n": runs,
            "peer_median_s": statistics.median(times["peer"]), "peer": peer.label}


#: The peers, by the name ``--peers`` takes.
PEER_NAMES = ("naive", "plotly", "matplotlib")


def subjects(with_renderers: bool, peers: tuple[str, ...] = PEER_NAMES) -> list[Subject]:
    from digitheat_widget import DigitHeatmapGrid

    found: list[Subject] = []
    if with_renderers and "renderer" in DigitHeatmapGrid.class_traits():
        found += [Ours("svg"), Ours("canvas")]
    else:
        found.append(Ours())
    makers = {"naive": NaiveBqplot, "plotly": Plotly, "matplotlib": Matplotlib}
    found += [makers[name]() for name in PEER_NAMES if name in peers]
    return found


def has_renderer_option() -> bool:
    from digitheat_widget import DigitHeatmapGrid

    return "renderer" in DigitHeatmapGrid.class_traits()


def run(sizes: list[tuple[int, int, int]], quick: bool, log: Callable[[str], None],
        peers: tuple[str, ...] = PEER_NAMES) -> list[dict]:
    """All subjects (ours and ``peers``) at all sizes; returns one dict per (subject, size)."""
    budget = Budget(seconds=0.3, min_n=3, max_n=30, cap=4.0) if quick else Budget()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    results = []
    for shape in sizes:
        inputs = Inputs.make(shape)
        large = shape[0] * shape[1] * shape[2] > SMALL_CELLS
        for subject in subjects(with_renderers=large, peers=peers):
            t0 = time.perf_counter()
            cells = shape[0] * shape[1] * shape[2]
            result = run_subject(subject, inputs, budget)
            if isinstance(subject, Matplotlib) and _mpl_height(shape) > Matplotlib.AGG_MAX_PX:
                result.notes.append(
                    f"drawn at {Matplotlib.AGG_MAX_PX / _mpl_height(shape):.0%} of the page size "
                    "(Agg's 65,536 px limit)")
            log(f"  {subject.label:<16} {'x'.join(map(str, shape)):<10} "
                f"{time.perf_counter() - t0:6.1f} s  ({cells} cells)")
            results.append(result.__dict__)
        size = "x".join(map(str, shape))
        # Per-panel limits against the shared scale, each of our renderers at each size.
        for entry in results:
            if entry["size"] == size and entry["subject"].startswith("ours"):
                renderer = entry["subject"].partition("-")[2] or None
                entry["results"]["per_panel_paired"] = paired_per_panel_update(
                    inputs, runs=100 if quick else 1000, renderer=renderer)
        if "naive" not in peers:
            continue
        if not large:  # the target: no more Python time than the naive composition
            default = next(r for r in results if r["subject"] == "ours" and r["size"] == size)
            default["results"]["full_paired"] = paired_full_update(
                Ours(), NaiveBqplot(), inputs, runs=200 if quick else 2000)
        # A one-panel update against one mark.color, each of our renderers at each size.
        for entry in results:
            if entry["size"] == size and entry["subject"].startswith("ours"):
                renderer = entry["subject"].partition("-")[2] or None
                entry["results"]["panel_paired"] = paired_panel_update(
                    Ours(renderer), NaiveBqplot(), inputs, runs=200 if quick else 2000)
    return results


def _mpl_height(shape: tuple[int, int, int]) -> int:
    from digitheat_widget.figure.layout import auto_cell_size

    count, rows, cols = shape
    return -(-count // 2) * (rows * auto_cell_size(rows, cols) + 52)
