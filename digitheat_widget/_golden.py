"""Golden cases: Python's answers to the questions the page also answers.

The page (``js/src/page/``) restates a few of Python's rules because it must answer
without a kernel: number formats and value text, colorbar ticks and size, automatic
limits, the summary sentence, where panels sit and what a point hits, the layout of a grid
at other columns and cell sizes (where the page fits it to a narrow container). This module asks
Python's own functions (``figure/ticks.py``, ``figure/layout.py``, ``figure/model.py``,
``data.py``, and a grid for frames and compare) and writes their inputs and answers to
``js/test/golden.json``; the node tests (``js/test/*.test.mjs``) import the page's modules
and reproduce every case. ``tests/unit/test_golden_cases.py`` regenerates the cases in
memory and fails when the committed file differs, so a change of a Python rule that the
page does not follow fails in CI.

    python -m digitheat_widget._golden          # rewrite js/test/golden.json

Floats are written as JSON numbers (shortest round-trip form, which JavaScript parses to
the same double); NaN and the infinities, which JSON cannot hold, as the strings "NaN",
"inf" and "-inf" (:func:`_num`).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .data import auto_limits
from .figure.layout import STRIP_HEIGHT, GridGeometry
from .figure.model import describe
from .figure.ticks import tick_format, tick_labels, value_format, value_text

GOLDEN = Path(__file__).resolve().parents[1] / "js" / "test" / "golden.json"


def _num(value: float) -> float | str:
    """A float as JSON holds it: itself, or "NaN" / "inf" / "-inf"."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _pair(pair: Any) -> list[float | str] | None:
    return None if pair is None else [_num(v) for v in pair]


def _finite_range(values: np.ndarray) -> list[float] | None:
    finite = values[np.isfinite(values)]
    return [float(finite.min()), float(finite.max())] if finite.size else None


# ---------------------------------------------------------------------- formats


def _ranges() -> list[tuple[float, float]]:
    """Ranges a person can reach: the sample's, constant-widened, tiny, huge (up to
    +-1e300), negative, on a large offset, lopsided, and random ones over 24 decades."""
    rng = np.random.default_rng(22)
    fixed = [(0.0, 0.0147), (0.0, 1.0), (-1.0, 1.0), (0.0, 0.005), (0.00475, 0.00525),
             (0.0, 0.0111), (0.007, 0.0111), (1e-9, 3e-9), (0.0, 2e6), (-5e7, 5e7),
             (1e6, 1e6 + 1), (299.99, 300.01), (300.0, 300.00001), (0.0, 3e-300),
             (-3.5, -3.4), (0.0, 123456.0), (1e299, 1e300), (-1e300, 1e300), (-1e300, -1e299),
             (-0.5, 0.5), (0.95, 1.05), (-1e-6, 1e-6), (1.0, 1.0 + 2.0**-40),
             (999999.0, 1000001.0), (-123.456, 789.0), (5e-7, 6e-7), (0.1, 0.1000007)]
    # Powers by Python's float ** (the C library's pow), not numpy's: numpy 2's vectorised
    # pow differs from numpy 1.23's in the last bits, and the cases must not depend on
    # which numpy wrote them (scripts/test.sh checks the file with both).
    spans = [10.0 ** float(e) for e in rng.uniform(-12, 12, 40)]
    lows = [float(z) * 10.0 ** float(e)
            for z, e in zip(rng.normal(0, 1, 40), rng.uniform(-6, 8, 40))]
    return fixed + [(float(lo), float(lo + span)) for lo, span in zip(lows, spans)]


def format_cases() -> list[dict[str, Any]]:
    out = []
    for lo, hi in _ranges():
        fmt = tick_format(lo, hi)
        out.append({"lo": lo, "hi": hi, "tick_format": fmt, "value_format": value_format(fmt)})
    return out


def tick_label_cases() -> list[dict[str, Any]]:
    return [{"lo": lo, "hi": hi, "labels": tick_labels(lo, hi)} for lo, hi in _ranges()]


def value_text_cases() -> list[dict[str, Any]]:
    values = [0.0, -0.0, 1.0, -1.0, 0.125, -0.125, 0.375, 2.5, 3.5, -2.5, 0.005, 0.00475,
              0.0147, 1234.5678, -9876543.21, 1e-7, 1.5e-7, 123456.0, 1e21, -1e22, 2.0**70,
              1e300, -1e-300, 5e-324, 0.1 + 0.2, 1 / 3, float("nan"), float("inf"),
              float("-inf")]
    formats = [".0f", ".2f", ".4f", ".3e", ".1e", ".0e", ",.3f", ",.1f", ".8f"]
    return [{"value": _num(v), "format": f, "text": value_text(v, f)}
            for v in values for f in formats
            if not (f.startswith(",") and not math.isfinite(v))]


# ---------------------------------------------------------------------- limits


def auto_limit_cases() -> list[dict[str, Any]]:
    """``data.auto_limits`` of arrays (the page has their finite range) with vmin/vmax
    given or not: constant maps, NaN-only maps, one end fixed on either side, ranges too
    narrow for distinct ticks, zero, huge values."""
    nan = float("nan")
    arrays = [
        [0.0, 0.0147], [0.005, 0.005], [0.0, 0.0], [-3.0, -3.0], [1e300, 1e300], [nan, nan],
        [nan, 2.0, nan], [1.0, 1.0 + 2.0**-45], [300.0, 300.0 + 1e-12], [-1.0, 1.0],
        [5e-324, 5e-324], [1e-310, 2e-310], [-7.5, 12.25, nan], [1e6, 1e6 + 1],
    ]
    bounds = [(None, None), (0.0, None), (None, 1.0), (0.001, 0.002), (0.004, None),
              (None, 0.0), (2.0, None), (None, -5.0), (0.0, 1.0)]
    out = []
    for values in arrays:
        tensor = np.array(values, dtype=np.float64)
        for vmin, vmax in bounds:
            if vmin is not None and vmax is not None and vmin >= vmax:
                continue
            out.append({"range": _finite_range(tensor), "vmin": vmin, "vmax": vmax,
                        "limits": list(auto_limits(tensor, vmin, vmax))})
    return out


def _grid(data: np.ndarray, frame_limits: str = "fixed") -> Any:
    from .grid import DigitHeatmapGrid

    grid = DigitHeatmapGrid(data)
    grid.frame_limits = frame_limits
    return grid


def frame_cases() -> list[dict[str, Any]]:
    """Per-frame limits: a grid's frames with ``frame_limits="per-frame"``, what the
    controller sends with them (each frame's automatic limits), and for each frame and
    vmin/vmax the limits and tick format Python's grid has with that frame shown. Also
    an empty history (what a page gets after ``grid.frames = np.zeros((0, 0, 0, 0))``)."""
    rng = np.random.default_rng(5)
    histories = {
        "constant frame": np.stack([np.full((2, 3, 3), 0.005), rng.random((2, 3, 3)) * 0.01,
                                    np.zeros((2, 3, 3))]),
        "NaN-only frame": np.stack([np.full((1, 2, 2), np.nan), np.array([[[1.0, np.nan],
                                                                           [3.0, 4.0]]])]),
        "growing": np.stack([rng.random((2, 2, 3)) * 10.0 ** k for k in range(-3, 4)]),
        "negative": np.stack([-rng.random((1, 3, 2)) - k for k in range(4)]),
    }
    out = []
    for name, frames in histories.items():
        for vmin, vmax in [(None, None), (0.0, None), (None, 0.0)]:
            grid = _grid(frames[0], frame_limits="per-frame")
            try:
                grid.frames = frames
                grid.vmin, grid.vmax = vmin, vmax
                sent = grid._view.controller.frames.auto  # what the page holds
                limits, formats = [], []
                for t in range(len(frames)):
                    grid.frame = t
                    limits.append(list(grid.limits))
                    formats.append(grid.tick_format)
                out.append({"name": name, "auto": sent, "vmin": vmin, "vmax": vmax,
                            "limits": limits, "tick_formats": formats})
            finally:
                grid.close()
    grid = _grid(np.ones((1, 2, 2)), frame_limits="per-frame")
    try:
        grid.record()
        grid.frames = np.zeros((0, 0, 0, 0))
        state = grid._view.controller.get_state()["frames"]
        out.append({"name": "empty history", "auto": state.get("auto"), "shape": state["shape"],
                    "vmin": None, "vmax": None, "limits": [], "tick_formats": []})
    finally:
        grid.close()
    return out


def compare_cases() -> list[dict[str, Any]]:
    """Each view's automatic limits with a reference (the data's and reference's range
    together; the difference symmetric about 0), from a grid, and the ranges the page
    would find in what it holds: the data's automatic limits, the reference's finite
    range, the largest finite |data - reference|."""
    rng = np.random.default_rng(9)
    pairs = [
        (rng.random((2, 3, 3)), rng.random((2, 3, 3))),
        (rng.random((2, 3, 3)), rng.random((2, 3, 3)) + 5),
        (np.full((1, 2, 2), 0.005), np.full((1, 2, 2), 0.005)),  # no difference at all
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2))),
        (np.full((1, 2, 2), np.nan), rng.random((1, 2, 2))),
        (rng.random((1, 2, 2)), np.full((1, 2, 2), np.nan)),
        (-rng.random((2, 2, 2)) * 1e-8, rng.random((2, 2, 2)) * 1e-8),
        (rng.random((1, 3, 3)) * 1e6, rng.random((1, 3, 3)) * 1e6 + 1e6),
        (np.array([[[1.0, 2.0], [3.0, np.nan]]]), np.array([[[1.5, np.nan], [2.0, 4.0]]])),
    ]
    out = []
    for data, reference in pairs:
        grid = _grid(data)
        try:
            grid.compare(reference)
            base = grid._auto_base()
            views = grid._compare_auto_by_view(base)
            difference = _finite_range(np.abs(data - reference))
            out.append({"base": list(base), "reference": _finite_range(reference),
                        "difference_top": None if difference is None else difference[1],
                        "auto": views})
        finally:
            grid.close()
    return out


def panel_limit_cases() -> list[dict[str, Any]]:
    """Per-panel limits (``panel_limits="per-panel"``) from grids: each panel's automatic
    limits of the maps shown (the page works them out for a frame or view it shows by
    itself: limits.js's panelAuto), the limits in force with vmin/vmax, and each panel's
    strip labels (strip.js's stripLabels)."""
    rng = np.random.default_rng(27)
    sample = rng.random((4, 3, 3))
    magnitudes = np.stack([sample[k] * 10.0 ** (3 * k - 4) for k in range(4)])
    constant = np.stack([np.full((2, 2), 5.0), np.zeros((2, 2)), np.full((2, 2), np.nan),
                         np.array([[1.0, np.nan], [1.0 + 1e-13, 1.0]])])
    signed = rng.standard_normal((3, 2, 3)) * np.array([1e-6, 1.0, 1e6])[:, None, None]
    stacks = [(magnitudes, None), (constant, None), (signed, None),
              (magnitudes, magnitudes * 2 - 0.1), (signed, rng.standard_normal((3, 2, 3)))]
    bounds = [(None, None), (0.0, None), (None, 1.0), (0.001, 0.002)]
    out = []
    for data, reference in stacks:
        grid = _grid(data)
        try:
            grid.panel_limits = "per-panel"
            views = ["data"] if reference is None else ["data", "reference", "difference"]
            if reference is not None:
                grid.compare(reference)
            for view in views:
                if reference is not None:
                    grid.showing = view
                shown = grid._shown()
                case: dict[str, Any] = {
                    "shape": list(data.shape), "view": view, "values": _json_values(shown),
                    "data": _json_values(data) if reference is not None else None,
                    "reference": _json_values(reference) if reference is not None else None,
                    "bounds": []}
                for vmin, vmax in bounds:
                    with grid.hold_sync():
                        grid.vmin, grid.vmax = vmin, vmax
                    figure = grid.figure
                    case["panel_auto"] = [list(p) for p in figure.panel_auto]
                    case["bounds"].append({
                        "vmin": vmin, "vmax": vmax,
                        "panels": [list(p) for p in figure.panel_limits],
                        "strip_labels": [list(figure.strip_labels(i))
                                         for i in range(data.shape[0])]})
                out.append(case)
        finally:
            grid.close()
    return out


def _json_values(stack: np.ndarray) -> list[float | None]:
    """A stack's values flat, NaN as null (JSON has none)."""
    return [None if v != v else v for v in np.asarray(stack, float).ravel().tolist()]


# ---------------------------------------------------------------------- summary


def summary_cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    shapes = [(10, 7, 6), (1, 1, 1), (3, 28, 28), (100, 5, 4), (2, 3, 9)]
    limit_sets = [(0.0, 0.0147), (-1.0, 1.0), (0.00475, 0.00525), (0.0, 2e6), (1e-9, 3e-9),
                  (-1e300, 1e300), (299.99, 300.01)]
    colormaps: list[Any] = ["hot", "viridis", "RdBu_r", ["#000000", "#ff0000", "#ffffff"]]
    out = []
    for i, shape in enumerate(shapes):
        for j, (lo, hi) in enumerate(limit_sets):
            count = shape[0]
            labels = [f"d{k}" if (i + j) % 2 else f"<b>{k}</b> & co" for k in range(count)]
            highlighted = sorted(rng.choice(count, size=min(count, (i + j) % 3), replace=False)
                                 .tolist())
            colormap = colormaps[(i + j) % len(colormaps)]
            figure = describe(
                np.zeros(shape), limits=(lo, hi), auto=(lo, hi), vmin=None, vmax=None,
                colormap=colormap, nan_color="#4a90d9", labels=labels, highlighted=highlighted,
                selected=None, columns=2, cell_size=None)
            out.append({"shape": list(shape), "limits": [lo, hi], "tick_format": figure.tick_format,
                        "colormap": figure.colormap_name, "labels": labels,
                        "highlighted": highlighted, "summary": figure.summary()})
        # Per-panel limits: the sentence says so.
        figure = describe(
            np.zeros(shape), limits=(0.0, 1.0), auto=(0.0, 1.0), vmin=None, vmax=None,
            colormap="hot", nan_color="#4a90d9", labels=[str(k) for k in range(shape[0])],
            highlighted=[0], selected=None, columns=2, cell_size=None,
            panels=([(0.0, 1.0)] * shape[0], [(0.0, 1.0)] * shape[0]))
        out.append({"shape": list(shape), "limits": [0.0, 1.0], "tick_format": figure.tick_format,
                    "colormap": "hot", "labels": list(figure.labels), "highlighted": [0],
                    "per_panel": True, "summary": figure.summary()})
    return out


# ---------------------------------------------------------------------- geometry


def _geometries() -> list[GridGeometry]:
    return [GridGeometry(rows=7, cols=6, panels=10, columns=2, cell=21),
            GridGeometry(rows=28, cols=28, panels=100, columns=5, cell=5),
            GridGeometry(rows=1, cols=1, panels=1, columns=2, cell=24),
            GridGeometry(rows=3, cols=9, panels=7, columns=3, cell=16),
            GridGeometry(rows=64, cols=2, panels=5, columns=4, cell=4),
            GridGeometry(rows=28, cols=28, panels=100, columns=5, cell=5, strip=STRIP_HEIGHT),
            GridGeometry(rows=7, cols=6, panels=10, columns=2, cell=21, strip=STRIP_HEIGHT)]


def geometry_cases() -> list[dict[str, Any]]:
    """Panel and plot origins of panels, and what points hit (cells, titles, gaps,
    margins, past the last panel), from ``GridGeometry``."""
    rng = np.random.default_rng(11)
    out = []
    for g in _geometries():
        layout = g.to_page()
        origins = [{"panel": p, "panel_origin": list(g.panel_origin(p)),
                    "plot_origin": list(g.plot_origin(p))} for p in range(min(g.panels, 12))]
        points = [(0.0, 0.0), (3.0, 3.0), (2.9, 10.0), (40.0, 40.0), (g.panel_width - 0.5, 10.0),
                  (g.panel_width + 2.0, 10.0), (g.grid_width + 10.0, 5.0), (-1.0, 5.0),
                  (5.0, g.grid_height - 1.0), (g.panel_width - 3.0, 15.0),
                  (28.0, 30.0), (27.99, 30.0), (28.0 + g.plot_width, 30.0)]
        points += [(float(x), float(y)) for x, y in zip(
            rng.uniform(-5, g.grid_width + 5, 14), rng.uniform(-5, g.grid_height + 5, 14))]
        hits = []
        for x, y in points:
            hit = g.hit(x, y)
            hits.append({"x": x, "y": y, "hit": None if hit is None else list(hit)})
        out.append({"layout": layout, "origins": origins, "hits": hits})
    return out


def layout_cases() -> list[dict[str, Any]]:
    """The whole page layout (``GridGeometry.to_page``: sizes, ticks, colorbar height) of
    each geometry drawn at other columns and cells, as the page lays a grid out where it
    is narrower than the grid (js/src/page/fit.js)."""
    out = []
    for g in _geometries():
        at = []
        for columns in sorted({1, 2, g.columns}):
            for cell in sorted({1, 4, 5, 11, 16, g.cell}):
                layout = GridGeometry(rows=g.rows, cols=g.cols, panels=g.panels,
                                      columns=columns, cell=cell, strip=g.strip).to_page()
                at.append({"columns": columns, "cell": cell, "layout": layout})
        out.append({"natural": g.to_page(), "at": at})
    return out


def colorbar_cases() -> list[dict[str, Any]]:
    """Colorbar width and margins for label sets (and for the labels of ranges)."""
    layout = _geometries()[0].to_page()
    sets = [[], ["0"], ["0.000", "0.002", "0.014"], ["-1.0e+300", "1.0e+300"],
            ["1,000,000", "2,000,000"], ["x" * 40]]
    sets += [tick_labels(lo, hi) for lo, hi in _ranges()[:12]]
    return [{"labels": labels, "layout": layout,
             "width": GridGeometry.colorbar_width(labels),
             "margin": GridGeometry.colorbar_margin(labels)} for labels in sets]


# ---------------------------------------------------------------------- writing


def cases() -> dict[str, Any]:
    groups = {
        "formats": format_cases(),
        "tick_labels": tick_label_cases(),
        "value_text": value_text_cases(),
        "auto_limits": auto_limit_cases(),
        "frames": frame_cases(),
        "compare": compare_cases(),
        "panel_limits": panel_limit_cases(),
        "summary": summary_cases(),
        "geometry": geometry_cases(),
        "layout": layout_cases(),
        "colorbar": colorbar_cases(),
    }
    counts = {name: count_of(name, group) for name, group in groups.items()}
    return {"written_by": "python -m digitheat_widget._golden", "counts": counts,
            "total": sum(counts.values()), "cases": groups}


def count_of(name: str, group: list[dict[str, Any]]) -> int:
    """Checks in a group: one per case, one per frame and per hit point."""
    if name == "frames":
        return sum(max(1, len(case["limits"])) for case in group)
    if name == "compare":
        return 3 * len(group)
    if name == "panel_limits":
        return sum(1 + len(case["bounds"]) for case in group)
    if name == "geometry":
        return sum(len(case["origins"]) + len(case["hits"]) for case in group)
    if name == "layout":
        return sum(len(case["at"]) for case in group)
    return len(group)


def text() -> str:
    """The golden file's text."""
    return json.dumps(cases(), indent=1, allow_nan=False) + "\n"


def main() -> int:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    written = text()
    GOLDEN.write_text(written, encoding="utf-8")
    print(f"{GOLDEN}: {json.loads(written)['total']} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
