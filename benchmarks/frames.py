"""Frames: the exported page's size against the number of frames (ours and plotly's
``px.imshow(..., animation_frame=0)`` page, built in the same run), how soon a scrubbed
page repaints, and what ``record()`` costs against a full data update.

    python benchmarks/frames.py [--runs 3]

Page sizes are exact (bytes of the written file). Times are medians of many repeats in
each run; with ``--runs`` the table gives the median and range of the runs' medians.
Scrub: in an exported page opened offline in headless Chromium, a ``]`` key on the grid
shows the next frame; the time is from the key event to the first animation frame whose
page shows that frame's colours (a cell that changes every frame, read from the SVG fill
or the canvas pixel), so a repaint within one frame reads about 16.7 ms or less.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from benchmarks._comm import Recorder  # noqa: E402

RECORDER = Recorder()
RECORDER.install()

from tests.chromium import launch  # noqa: E402

from digitheat_widget import DigitHeatmapGrid, sample_data  # noqa: E402

SCRUB_JS = """async ([steps, canvas, cell]) => {
  const body = document.querySelector('.dhg-body');
  body.focus();
  const read = () => {
    if (canvas) {
      const c = document.querySelector('.dhg-canvas canvas');
      const k = c.width / parseFloat(c.style.width);
      return [...c.getContext('2d').getImageData(cell[0] * k, cell[1] * k, 1, 1).data].join();
    }
    return getComputedStyle(document.querySelector(cell)).fill;
  };
  const times = [];
  for (let s = 0; s < steps; s++) {
    await new Promise((r) => requestAnimationFrame(r));
    const before = read();
    const t0 = performance.now();
    body.dispatchEvent(new KeyboardEvent('keydown', { key: ']', bubbles: true }));
    while (read() === before) await new Promise((r) => requestAnimationFrame(r));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def ramp(frames: int, shape: tuple[int, int, int], seed: int = 0) -> np.ndarray:
    """Frames whose every cell grows from frame to frame (each frame's colours differ)."""
    base = np.random.default_rng(seed).random(shape) + 0.5
    return base[None] * np.linspace(0.2, 1.0, frames)[:, None, None, None]


def page_sizes(tmp: Path) -> list[dict]:
    import plotly.express as px

    rows = []
    for count in (1, 50, 200):
        frames = ramp(count, (10, 7, 6)) * float(sample_data().max())
        grid = DigitHeatmapGrid(frames[0])
        grid.frames = frames
        ours = len(grid.to_html().encode())
        grid.show_controls = True
        ours_controls = len(grid.to_html().encode())
        grid.close()
        figure = px.imshow(frames, animation_frame=0, facet_col=1, facet_col_wrap=2,
                           color_continuous_scale="hot")
        plotly = len(figure.to_html(include_plotlyjs=True, full_html=True).encode())
        rows.append({"frames": count, "ours": ours, "ours_controls": ours_controls,
                     "plotly": plotly, "raw_float32": frames.astype(np.float32).nbytes})
    return rows


def record_cost(repeats: int = 300) -> dict:
    frames = ramp(repeats + 1, (10, 7, 6))
    grid = DigitHeatmapGrid(frames[0])
    grid.max_frames = repeats + 1
    update, record = [], []
    for maps in frames[1:]:
        t0 = time.perf_counter()
        grid.data = maps
        t1 = time.perf_counter()
        grid.record()
        t2 = time.perf_counter()
        update.append(t1 - t0)
        record.append(t2 - t1)
    grid.close()
    return {"update_ms": statistics.median(update) * 1e3, "record_ms": statistics.median(record) * 1e3}


def scrub(browser, tmp: Path, shape: tuple[int, int, int], count: int, steps: int) -> dict:
    grid = DigitHeatmapGrid(ramp(count, shape)[0])
    grid.frames = ramp(count, shape)
    grid.frame = 0
    path = tmp / f"scrub-{'x'.join(map(str, shape))}.html"
    grid.save(path)
    canvas = grid.active_renderer == "canvas"
    g = grid.figure.geometry
    x, y = g.plot_origin(0)
    cell = [x + g.cell // 2, y + g.cell // 2] if canvas else \
        ".dhg-p0 g.heatmaprow:nth-of-type(1) rect.heatmapcell:nth-of-type(1)"
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelector('.dhg-body[aria-label]')"
                           " && !document.querySelector('.digitheat-pending')")
    times = page.evaluate(SCRUB_JS, [min(steps, count - 1), canvas, cell])
    page.close()
    grid.close()
    return {"renderer": "canvas" if canvas else "svg", "median_ms": statistics.median(times),
            "max_ms": max(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    runs = []
    with launch() as browser, tempfile.TemporaryDirectory() as tmp:
        sizes = page_sizes(Path(tmp))
        for _ in range(args.runs):
            runs.append({"record": record_cost(),
                         "scrub_small": scrub(browser, Path(tmp), (10, 7, 6), 200, 60),
                         "scrub_large": scrub(browser, Path(tmp), (100, 28, 28), 50, 40)})

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} [{min(values):.2f} - {max(values):.2f}]"

    print("| frames of 10x7x6 | our page | with the control panel | plotly animation_frame page | ratio (plotly / ours) | raw float32 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in sizes:
        print(f"| {r['frames']} | {r['ours'] / 1e6:.2f} MB | {r['ours_controls'] / 1e6:.2f} MB "
              f"| {r['plotly'] / 1e6:.2f} MB | {r['plotly'] / r['ours']:.1f}x | {r['raw_float32'] / 1e3:.0f} KB |")
    print()
    print(f"Medians of {args.runs} run(s), median [lowest - highest]:")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| full data update, Python (10x7x6) | {spread([r['record']['update_ms'] for r in runs])} ms |")
    print(f"| record() after it, Python | {spread([r['record']['record_ms'] for r in runs])} ms |")
    print(f"| scrub, key -> repainted, 10x7x6 x 200 frames ({runs[0]['scrub_small']['renderer']}) "
          f"| {spread([r['scrub_small']['median_ms'] for r in runs])} ms (slowest step {max(r['scrub_small']['max_ms'] for r in runs):.1f} ms) |")
    print(f"| scrub, key -> repainted, 100x28x28 x 50 frames ({runs[0]['scrub_large']['renderer']}) "
          f"| {spread([r['scrub_large']['median_ms'] for r in runs])} ms (slowest step {max(r['scrub_large']['max_ms'] for r in runs):.1f} ms) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
