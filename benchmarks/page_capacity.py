"""How fast the page alone can take full updates: no kernel, no server, no websocket.

    python benchmarks/page_capacity.py [--sizes 10x7x6,100x28x28] [--frames 240]

Exports a grid (``grid.save``), opens it offline in headless Chromium, and at every
animation frame gives the page's controller a patch of every map (what a kernel's full
update carries), the way a message would. Reports the median and 90th percentile of the
time the controller takes to apply one (the drawing it starts included) and of the gap
between animation frames while it does: if frames stay near 16.7 ms, the page can show a
new full update every frame, and a slower stream is lost before the page (in the kernel,
the server or the websocket). Part of the streaming profile in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from tests.chromium import launch  # noqa: E402

JS = """async (frames) => {
  const [manager] = await window.digitheatEmbed.ready;
  const models = await Promise.all(Object.values(manager._models));
  const c = models.find((m) => (m.get('_anywidget_id') || '').endsWith('GridController'));
  const data = c.get('data');
  const size = data.shape.reduce((a, b) => a * b, 1);
  const indices = [...Array(data.shape[0]).keys()];
  let seq = data.seq, last = performance.now();
  const apply = [], gaps = [];
  for (let f = 0; f < frames; f++) {
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now(); gaps.push(now - last); last = now;
    const values = new Float32Array(size).map(() => Math.random());
    seq += 1;
    const t0 = performance.now();
    c.set('patch', {dtype: 'float32', shape: data.shape, seq, indices,
                    buffer: new DataView(values.buffer)});
    apply.push(performance.now() - t0);
  }
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  return {apply_ms: [q(apply, 0.5), q(apply, 0.9)], frame_gap_ms: [q(gaps.slice(1), 0.5), q(gaps.slice(1), 0.9)]};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10x7x6,100x28x28")
    parser.add_argument("--frames", type=int, default=240)
    args = parser.parse_args()
    from digitheat_widget import DigitHeatmapGrid

    rows = []
    with launch() as browser, tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            shape = tuple(int(v) for v in size.split("x"))
            grid = DigitHeatmapGrid(np.random.default_rng(0).random(shape), vmin=0.0, vmax=1.0)
            path = Path(tmp) / f"{size}.html"
            grid.save(path)
            page = browser.new_page()
            page.goto(path.as_uri())
            page.wait_for_function("() => document.querySelector('.dhg-controller style')")
            result = page.evaluate(JS, args.frames)
            rows.append({"size": size, "renderer": grid.active_renderer, **result})
            page.close()
            grid.close()
    print("| size | renderer | apply a full update (median, p90) | frame gap (median, p90) |")
    print("| --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['size']} | {r['renderer']} | {r['apply_ms'][0]:.1f} ms, {r['apply_ms'][1]:.1f} ms "
              f"| {r['frame_gap_ms'][0]:.1f} ms, {r['frame_gap_ms'][1]:.1f} ms |")
    print(json.dumps(rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
