"""Run every benchmark and print one markdown table: ``python benchmarks/run.py``.

    python benchmarks/run.py                     # all sizes, Python side and page side
    python benchmarks/run.py --quick             # smoke run: 10x7x6, few repeats (~1-2 min)
    python benchmarks/run.py --sizes 10x7x6,100x28x28
    python benchmarks/run.py --skip-browser      # Python side only
    python benchmarks/run.py --skip-python       # page side only
    python benchmarks/run.py --runs 3            # three runs: the table of the last, and
                                                 # the README's numbers as median and range

Writes benchmarks/results.md (the table) and benchmarks/results.json (raw numbers);
``--quick`` writes results-quick.md / .json instead, so a smoke run never replaces the
numbers of a full run. See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from benchmarks import python_side, report  # noqa: E402

DEFAULT_SIZES = "10x7x6,100x28x28,1000x7x6"


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    sizes = []
    for part in text.split(","):
        try:
            n, h, w = (int(v) for v in part.strip().lower().split("x"))
        except ValueError:
            raise SystemExit(f"--sizes expected NxHxW[,NxHxW...], e.g. 10x7x6, got {part!r}") from None
        if min(n, h, w) < 1 or n < 4:
            raise SystemExit(f"--sizes: each size needs N >= 4 (the one-panel update replaces "
                             f"map 3) and H, W >= 1, got {part!r}")
        sizes.append((n, h, w))
    return sizes


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="short smoke run: few repeats, 1 s of streaming; sizes default "
                        "to 10x7x6; writes results-quick.*")
    parser.add_argument("--sizes", help=f"comma-separated NxHxW (default {DEFAULT_SIZES}; "
                        "with --quick 10x7x6)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="Python side only (no JupyterLab, no Chromium)")
    parser.add_argument("--skip-python", action="store_true",
                        help="page side only (no Python-side rows)")
    parser.add_argument("--peers", default=",".join(python_side.PEER_NAMES),
                        help="comma-separated peers measured next to ours, of "
                        f"{', '.join(python_side.PEER_NAMES)} (default all; naive is needed for "
                        "the alternating-runs rows)")
    parser.add_argument("--output", metavar="NAME",
                        help="write benchmarks/NAME.md and NAME.json (default results, or "
                        "results-quick with --quick), so a partial run keeps a full run's "
                        "numbers")
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat the whole measurement this many times (each in a fresh "
                        "JupyterLab and Chromium); the output adds median and range over runs")
    args = parser.parse_args(argv)
    if args.skip_python and args.skip_browser:
        raise SystemExit("--skip-python and --skip-browser: nothing left to measure")

    started = time.perf_counter()
    sizes = parse_sizes(args.sizes or ("10x7x6" if args.quick else DEFAULT_SIZES))
    size_names = ["x".join(map(str, s)) for s in sizes]
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "") + (
        f" --sizes {args.sizes}" if args.sizes else "") + (
        " --skip-browser" if args.skip_browser else "") + (
        " --skip-python" if args.skip_python else "") + (
        f" --runs {args.runs}" if args.runs > 1 else "") + (
        f" --output {args.output}" if args.output else "")
    if args.runs < 1:
        raise SystemExit(f"--runs expected a count >= 1, got {args.runs}")
    peers = tuple(p.strip() for p in args.peers.split(",") if p.strip())
    unknown = [p for p in peers if p not in python_side.PEER_NAMES]
    if unknown:
        raise SystemExit(f"--peers expected names among {', '.join(python_side.PEER_NAMES)}, "
                         f"got {', '.join(unknown)}")
    args.peers = peers
    if peers != python_side.PEER_NAMES:
        command += f" --peers {','.join(peers)}"
    info = report.machine()
    info["command"] = command

    renderers = python_side.has_renderer_option()
    runs = []
    for number in range(1, args.runs + 1):
        if args.runs > 1:
            log(f"== run {number} of {args.runs}")
        python, browser, browser_note = _measure(args, sizes, renderers, python_side)
        runs.append((python, browser))

    info["loadavg_end"] = report.loadavg()
    info["duration_s"] = time.perf_counter() - started
    text = report.markdown(info, python, browser, size_names, browser_note)
    if args.runs > 1:
        text += "\n".join(["", f"## The README's numbers over {args.runs} runs",
                            "", "Median and range (lowest - highest) of each run's median.", "",
                            *report.summary(runs, size_names), ""])
    stem = args.output or ("results-quick" if args.quick else "results")
    (HERE / f"{stem}.md").write_text(text)
    (HERE / f"{stem}.json").write_text(json.dumps(
        {"machine": info, "sizes": size_names, "python": python, "browser": browser,
         "runs": [{"python": p, "browser": b} for p, b in runs]},
        indent=1, default=str))
    print(text)
    log(f"wrote {HERE / (stem + '.md')} and {HERE / (stem + '.json')} "
        f"in {info['duration_s']:.0f} s")
    return 0


def _measure(args: argparse.Namespace, sizes: list[tuple[int, int, int]], renderers: bool,
             python_side: object) -> tuple[list, dict | None, str | None]:
    """One run: the Python side, then the page side (unless skipped or impossible)."""
    if not args.skip_python:
        log(f"Python side ({'renderer option found: svg and canvas at large sizes' if renderers else 'no renderer option'}):")
    python = [] if args.skip_python else python_side.run(sizes, args.quick, log, peers=args.peers)
    if args.skip_browser:
        return python, None, "Page side skipped (--skip-browser)."
    reason = _browser_missing()
    if reason:
        log(f"Page side not run: {reason}.")
        return python, None, f"Page side not run: {reason}."
    from benchmarks import browser_side

    configs = []
    for shape in sizes:
        large = shape[0] * shape[1] * shape[2] > python_side.SMALL_CELLS
        if renderers and large:
            configs += [(shape, "svg"), (shape, "canvas")]
        else:
            configs.append((shape, None))
    log("Page side (JupyterLab + Chromium):")
    return python, browser_side.run(configs, args.quick, log), None


def _browser_missing() -> str | None:
    from tests.chromium import CHROMIUM

    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


if __name__ == "__main__":
    sys.exit(main())
