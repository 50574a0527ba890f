"""First paint and streaming in JupyterLab, one commit against another, runs alternating.

    python benchmarks/paint_stream.py --base 1f429c4 --runs 3      # about 4 minutes

Each run starts a fresh JupyterLab and Chromium (``browser_side.Session``) for each of the
two trees in turn (``--base``, a commit exported with ``git archive`` into a temporary
folder with this tree's built ``static/`` bundle, or ``--base-static``'s when the page's
code changed, then this worktree), so load on a shared machine falls on both alike. In
each, for 10x7x6 (SVG) then 100x28x28 (canvas): the display, timed as ``browser_side``
times first paint, with when the last comm_open and the display message reached the page
(for 10x7x6 the first display of a fresh page and kernel: cold); two streams of
``--seconds`` each (``browser_side``'s streaming loop); then the same display again in that
page and kernel (warm). Prints one JSON line per measurement and, at the end, median
[lowest - highest] of the runs' medians. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = ((10, 7, 6), (100, 28, 28))

#: browser_side's display script, also noting when the comm opens and the display message
#: reached the page.
_OPENS = ("if (args.direction === 'recv' && type === 'comm_open') lastOpen = performance.now() - t0;\n"
          "        if (viewArrived === null && args.direction === 'recv'")


def _one_tree(root: str, seconds: float) -> list[dict]:
    """Measure the tree at ``root`` (run in a subprocess with it first on the path)."""
    sys.path.insert(0, root)
    from contextlib import ExitStack

    from benchmarks import browser_side as bs

    display = bs.JS_DISPLAY.replace("if (viewArrived === null && args.direction === 'recv'", _OPENS)
    display = display.replace("let viewArrived = null;", "let viewArrived = null, lastOpen = null;")
    display = display.replace("viewArrivedMs: viewArrived,", "viewArrivedMs: viewArrived, lastOpen,")
    out = []
    with ExitStack() as stack:
        session = bs.Session(stack, lambda _: None)
        for shape in SIZES:
            canvas = shape[0] * shape[1] * shape[2] > bs.SMALL_CELLS
            session.serial += 1
            key = f"dhg-bench-{session.serial}"
            spec = bs._probe_spec(key, shape, canvas)
            session.execute(f"A, B, S = _bench_tensors({shape!r}, {spec['row']}, {spec['col']})")
            option = ", renderer='canvas'" if canvas else ""
            code = (f"g = DigitHeatmapGrid(A, vmin=0.0, vmax=1.0, columns=2{option})\n"
                    f"g.add_class({key!r})\ng")
            shown = session.page.evaluate(display, [0, code, spec, bs.JS_MAKE_PROBE,
                                                    shape[0] * shape[1] * shape[2], 120_000])
            size = "x".join(map(str, shape))
            out.append({"size": size, "first_paint_ms": shown["ms"],
                        "view_arrived_ms": shown["viewArrivedMs"],
                        "last_open_ms": shown["lastOpen"]})
            session.page.wait_for_timeout(500)
            session.lab.wait_kernel()
            for _ in range(2):
                session.execute("g.data = A")
                stream = session.stream(spec, seconds)
                out.append({"size": size, **{k: stream[k] for k in (
                    "updates_per_s", "comm_messages", "comm_bursts",
                    "last_change_after_loop_ms", "final_colour_ok", "frames_per_s")}})
            # The same display again, in the same page and kernel: what the first one paid
            # once (the page loading bqplot's and this package's code, the kernel's first
            # use of PIL and the figure modules) is not paid twice.
            session.clear()
            session.serial += 1
            key = f"dhg-bench-{session.serial}"
            spec = bs._probe_spec(key, shape, canvas)
            again = session.page.evaluate(display, [
                0, code.replace(f"dhg-bench-{session.serial - 1}", key), spec, bs.JS_MAKE_PROBE,
                shape[0] * shape[1] * shape[2], 120_000])
            out.append({"size": size, "first_paint_warm_ms": again["ms"],
                        "view_arrived_warm_ms": again["viewArrivedMs"]})
            session.lab.wait_kernel()
            session.clear()
    return out


def _summary(rows: list[dict], key: str, size: str) -> str:
    per_run = [statistics.median(v) for v in (
        [r[key] for r in run if r["size"] == size and r.get(key) is not None] for run in rows) if v]
    if not per_run:
        return "-"
    return (f"{statistics.median(per_run):.1f} [{min(per_run):.1f} - {max(per_run):.1f}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (git rev)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="each stream's length")
    parser.add_argument("--base-static", type=Path, default=REPO / "digitheat_widget" / "static",
                        help="the base's built bundle (digitheat_widget/static of a tree built "
                             "at --base); default this tree's, right when only Python changed")
    parser.add_argument("--tree", help=argparse.SUPPRESS)  # internal: measure this tree
    args = parser.parse_args()
    if args.tree:
        print(json.dumps(_one_tree(args.tree, args.seconds)))
        return 0
    with tempfile.TemporaryDirectory(prefix="dhg-base-") as base:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.base],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", base], input=archive, check=True)
        shutil.copytree(args.base_static,
                        Path(base) / "digitheat_widget" / "static", dirs_exist_ok=True)
        trees = {"base": base, "this": str(REPO)}
        results: dict[str, list[list[dict]]] = {name: [] for name in trees}
        for number in range(args.runs):
            for name, root in trees.items():
                env = {**os.environ, "PYTHONPATH": root}  # the kernel imports this tree too
                done = subprocess.run(
                    [sys.executable, __file__, "--base", args.base, "--tree", root,
                     "--seconds", str(args.seconds)],
                    env=env, check=True, capture_output=True, text=True, cwd=root)
                rows = json.loads(done.stdout.strip().splitlines()[-1])
                results[name].append(rows)
                for row in rows:
                    print(json.dumps({"tree": name, "run": number + 1, **row}), flush=True)
        for size in ("x".join(map(str, s)) for s in SIZES):
            for key in ("first_paint_ms", "view_arrived_ms", "last_open_ms",
                        "first_paint_warm_ms", "view_arrived_warm_ms", "updates_per_s",
                        "last_change_after_loop_ms"):
                print(f"{size:<10} {key:<26} " + "   ".join(
                    f"{name}: {_summary(results[name], key, size)}" for name in trees))
    return 0


if __name__ == "__main__":
    sys.exit(main())
