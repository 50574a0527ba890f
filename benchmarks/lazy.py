"""Lazy stacks: a (N, 28, 28) Dask array shown a page at a time, against computing it whole.

    python benchmarks/lazy.py [--runs 3] [--sizes 10000,100000,1000000] [--naive-max 100000]

The stack is generated lazily (``da.map_blocks`` of a generator seeded by the chunk's first
panel; chunks of 1000 panels, float32): nothing of it exists until a page is read. Each
N runs in a fresh subprocess (so its RSS is that N's alone), with the recording comm of
``_comm.py`` in place of a kernel (every message serialised as ipykernel would; Jupyter
headers, about 600 B a message, not counted). In such a process no asyncio loop runs, so
every send leaves at once and an assignment's time is its whole cost.

Lazy path, per N:

- **first page**: ``DigitHeatmapGrid(x)`` in a fresh process (imports done), until it
  returns with ``grid.data`` holding page 0 (checked against ``x[:100]`` afterwards);
- **next page**: ``grid.page = k`` for 20 distinct pages not in the cache, spread over the
  stack (at 1,000,000 panels: 10, 5000, 9000, then seeded random ones), while the whole
  stack's limits are still being computed in the background (what someone browsing right
  after opening gets), then for 10 more after they are done;
- **global limits**: from the start of construction until ``wait_for_limits`` returns
  (Dask's local threaded scheduler, no distributed client; the first 20 page changes run
  meanwhile);
- **kernel memory**: process RSS after imports and building ``x`` (before), after the
  first page, after browsing 20 pages, after the limits; and the peak (``ru_maxrss``).
  These include the background limits computation, which runs meanwhile; so a third
  process per N (**paging alone**) builds the grid with that computation never started
  (``_start_summary`` replaced by a no-op) and browses the same 20 pages: its RSS and
  peak are the paging's own;
- **sent per page**: bytes of every comm message (JSON + binary buffers, comm opens
  included) of one ``grid.page = k``, measured, and the bytes of one page's values as
  ``codec.encode`` puts them on the wire (wire dtype as the grid chose it). Also measured
  under a running asyncio loop, as in a kernel, where sends closer than the grid's send
  interval are merged by a timer: there the timer is waited for (at most 5 s) before the
  bytes are read.

Naive path, per N up to ``--naive-max`` (default 100,000; 1,000,000 x 784 float32 is
3.1 GB, plus its float64 pages): ``np.asarray(x)`` of the whole stack, then
``DigitHeatmapGrid`` of that array (an in-memory stack above 4096 panels is paged too, so
this is full materialisation plus paging of the in-memory array); time, RSS, next page
and global limits as above.

Times are per run (the next-page times: each run's median of its pages); the table gives
the median and range (lowest - highest) over ``--runs``. Writes benchmarks/results-lazy.md
and benchmarks/results-lazy.json. Every wait is bounded: a subprocess is killed after
``CHILD_TIMEOUT`` s and ``wait_for_limits`` waits at most ``LIMITS_TIMEOUT`` s; either is
reported in its cell and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

SHAPE = (28, 28)
CHUNK = 1000
SEED = 0
BROWSED = 20  # pages browsed while the limits are computed (and before the RSS after browsing)
AFTER = 10  # pages browsed once the limits are in
LOOP_PAGES = 3  # pages whose sends are measured under an asyncio loop
CHILD_TIMEOUT = 900.0
LIMITS_TIMEOUT = 600.0
DEFAULT_SIZES = "10000,100000,1000000"
TARGETS = {"first_s": 2.0, "next_s": 0.3}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- the stack


def _block(block_info: Any = None) -> Any:
    """One chunk of the stack: uniform values from a generator seeded by its first panel."""
    import numpy as np

    (start, stop), (h0, h1), (w0, w1) = block_info[None]["array-location"]
    rng = np.random.default_rng([SEED, start])
    return rng.random((stop - start, h1 - h0, w1 - w0), dtype=np.float32)


def lazy_stack(count: int) -> Any:
    """A (count, 28, 28) float32 Dask array in chunks of CHUNK panels; nothing computed."""
    import dask.array as da
    import numpy as np

    sizes = [CHUNK] * (count // CHUNK) + ([count % CHUNK] if count % CHUNK else [])
    return da.map_blocks(_block, dtype=np.float32, chunks=(tuple(sizes), (SHAPE[0],), (SHAPE[1],)),
                         meta=np.empty((0, 0, 0), dtype=np.float32))


# ---------------------------------------------------------------------- memory


def rss() -> int:
    """Bytes of this process's resident set now."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss() -> int:
    """Bytes of this process's largest resident set so far."""
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # KiB on Linux


# ---------------------------------------------------------------------- one process


def pages_to_browse(page_count: int, count: int) -> list[int]:
    """``count`` distinct pages, none of them page 0 (the first page, cached): 10, 5000, 9000
    first when the stack has them, then seeded random ones."""
    import numpy as np

    chosen = [k for k in (10, 5000, 9000) if k < page_count]
    rng = np.random.default_rng(SEED)
    candidates = [int(k) for k in rng.permutation(np.arange(1, page_count))]
    for k in candidates:
        if len(chosen) >= count:
            break
        if k not in chosen:
            chosen.append(k)
    if len(chosen) < count:
        raise SystemExit(f"the stack has {page_count} pages, fewer than the {count + 1} needed")
    return chosen[:count]


def _page_step(grid: Any, recorder: Any, page: int) -> dict[str, Any]:
    recorder.reset()
    scope = grid.limits_scope
    t0 = time.perf_counter()
    grid.page = page
    elapsed = time.perf_counter() - t0
    tally = recorder.reset()
    if grid.panel_offset != page * grid._page_size_in_force():
        raise RuntimeError(f"page {page} not shown (offset {grid.panel_offset})")
    return {"page": page, "s": elapsed, "scope_before": scope, "bytes": tally.total_bytes,
            "buffer_bytes": tally.buffer_bytes, "sends": tally.sends, "opens": tally.opens,
            "sizes": tally.sizes}


def _loop_pages(grid: Any, recorder: Any, pages: list[int]) -> list[dict[str, Any]]:
    """Page changes under a running asyncio loop (as in a kernel): the bytes of everything
    sent until no send is pending (bounded), and the time to the last send."""
    import asyncio

    async def run() -> list[dict[str, Any]]:
        rows = []
        for page in pages:
            await asyncio.sleep(0.25)  # past any send interval: the first send leaves at once
            recorder.reset()
            t0 = time.perf_counter()
            grid.page = page
            assigned = time.perf_counter() - t0
            deadline = time.monotonic() + 5.0
            while grid._view.flush_pending and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            settled = time.perf_counter() - t0
            pending = grid._view.flush_pending
            tally = recorder.reset()
            rows.append({"page": page, "assign_s": assigned, "last_send_s": settled,
                         "still_pending": pending, "bytes": tally.total_bytes,
                         "buffer_bytes": tally.buffer_bytes, "sends": tally.sends,
                         "opens": tally.opens, "sizes": tally.sizes})
        return rows

    return asyncio.run(run())


def child(kind: str, count: int) -> dict[str, Any]:
    """One N in this (fresh) process: the lazy path or the naive one."""
    from benchmarks._comm import Recorder

    recorder = Recorder()
    recorder.install()
    import numpy as np

    from digitheat_widget import DigitHeatmapGrid
    from digitheat_widget.live import codec
    from digitheat_widget.pages import CACHED_PAGES

    if kind == "pages":
        # Paging alone: the background limits computation is never started (its memory is
        # in the lazy path's rows); cancelling it after construction would still let its
        # first batch of chunks run.
        DigitHeatmapGrid._start_summary = lambda self: None
    x = lazy_stack(count)
    out: dict[str, Any] = {"kind": kind, "n": count, "chunk": CHUNK,
                           "rss_before": rss(), "cached_pages": CACHED_PAGES}
    recorder.reset()
    t0 = time.perf_counter()
    if kind == "naive":
        whole = np.asarray(x)
        out["materialise_s"] = time.perf_counter() - t0
        out["rss_materialised"] = rss()
        t1 = time.perf_counter()
        grid = DigitHeatmapGrid(whole)
        out["grid_s"] = time.perf_counter() - t1
    else:
        grid = DigitHeatmapGrid(x)
    out["first_s"] = time.perf_counter() - t0
    built = recorder.reset()
    out["construction_bytes"], out["construction_messages"] = built.total_bytes, built.messages
    out["rss_first"] = rss()
    size = grid._page_size_in_force()
    out.update(page_size=size, page_count=grid.page_count, panel_count=grid.panel_count,
               paged=grid.paged, data_dtype=str(grid.data.dtype))
    first_ok = grid.page == 0 and grid.data.shape == (size, *SHAPE) and np.array_equal(
        grid.data, np.asarray(x[:size]).astype(np.float64))
    out["first_page_checked"] = bool(first_ok)
    wire = np.dtype(grid._wire_dtype)
    out["wire_dtype"] = wire.name
    out["page_values_bytes"] = codec.encode(grid.data, grid._wire_dtype, 0)["buffer"].nbytes

    pages = pages_to_browse(grid.page_count, BROWSED + AFTER + LOOP_PAGES)
    if kind == "pages":
        out["during"] = [_page_step(grid, recorder, k) for k in pages[:BROWSED]]
        out["rss_browsed"] = rss()
        out["rss_peak"] = peak_rss()
        grid.close()
        return out
    out["during"] = [_page_step(grid, recorder, k) for k in pages[:BROWSED]]
    out["rss_browsed"] = rss()
    last = pages[BROWSED - 1]
    out["last_page_checked"] = bool(np.array_equal(
        grid.data, np.asarray(x[last * size:(last + 1) * size]).astype(np.float64)))

    done = grid.wait_for_limits(LIMITS_TIMEOUT)
    out["limits_s"] = time.perf_counter() - t0 if done else None
    out["limits_done"] = done
    summary = grid._summary
    out["limits_engine"] = getattr(summary, "engine", None)
    out["limits_error"] = None if summary is None or summary.error is None else repr(summary.error)
    out["limits_scope"] = grid.limits_scope
    out["limits"] = None if summary is None else summary.result
    out["rss_limits"] = rss()
    recorder.reset()  # the limits' own message, if it came late
    out["after"] = [_page_step(grid, recorder, k) for k in pages[BROWSED:BROWSED + AFTER]]
    if kind == "lazy":
        out["loop"] = _loop_pages(grid, recorder, pages[BROWSED + AFTER:])
    out["rss_end"] = rss()
    out["rss_peak"] = peak_rss()
    grid.close()
    return out


def run_child(kind: str, count: int) -> dict[str, Any]:
    """``child`` in a fresh interpreter, its result read from its last stdout line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--n", str(count)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                              cwd=str(HERE.parent), check=False)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "n": count, "error": f"killed after {CHILD_TIMEOUT:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"kind": kind, "n": count,
                "error": f"exit {done.returncode}: {' / '.join(tail) or 'no output'}"}
    result = json.loads(lines[-1])
    result["process_s"] = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------- the table


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _per_run(results: list[dict], key: Any) -> list[float]:
    """One value per run (``key`` a field name or a function of the result), failures left out."""
    values = []
    for result in results:
        if "error" in result:
            continue
        value = key(result) if callable(key) else result.get(key)
        if value is not None:
            values.append(float(value))
    return values


def _spread(values: list[float], fmt: Any) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} [{fmt(min(values))} - {fmt(max(values))}]"


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def _s(seconds: float) -> str:
    from benchmarks.report import fmt_time

    return fmt_time(seconds)


def _b(n: float) -> str:
    return f"{n:,.0f} B"


def _errors(results: list[dict]) -> str:
    failed = [r["error"] for r in results if "error" in r]
    return f" ({len(failed)} of {len(results)} runs failed: {failed[0]})" if failed else ""


def _limits_cell(results: list[dict]) -> str:
    text = _spread(_per_run(results, "limits_s"), _s)
    late = [r for r in results if "error" not in r and not r.get("limits_done")]
    if late:
        text += f" ({len(late)} runs not done after {LIMITS_TIMEOUT:.0f} s)"
    errors = {r["limits_error"] for r in results if r.get("limits_error")}
    if errors:
        text += f" (error: {min(errors)})"
    return text


def _steps(result: dict, phase: str) -> list[float]:
    return [step["s"] for step in result.get(phase, [])]


def table(info: dict, lazy: dict[int, list[dict]], pages: dict[int, list[dict]],
          naive: dict[int, list[dict]],
          sizes: list[int], naive_max: int, runs: int) -> str:
    heads = [f"N = {n:,}" for n in sizes]
    lines = [
        "# Lazy stacks: one page at a time", "",
        (f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}; "
         f"load average {info['loadavg_start']} at start, {info.get('loadavg_end', '?')} at end "
         "(shared machine: other jobs ran meanwhile, so numbers are noisy)."),
        (f"- Software: Python {info['python']}, numpy {info['numpy']}, dask {info['dask']}, "
         f"distributed {info['distributed']} (not used here: Dask's local threaded scheduler), "
         f"zarr {info['zarr']}, ipywidgets {info['ipywidgets']}."),
        (f"- Run: {info['date']}, commit {info['commit']}, `{info['command']}`, "
         f"{info.get('duration_s', 0):.0f} s in all."),
        (f"- Stack: (N, {SHAPE[0]}, {SHAPE[1]}) float32 Dask array, `map_blocks` of a seeded "
         f"generator, chunks of {CHUNK:,} panels, nothing computed before the grid. Default "
         "page size (100 panels), no control panel. Each N in a fresh subprocess, with the "
         "recording comm (no kernel; no asyncio loop, so every send leaves at once, except in "
         "the rows that say so)."),
        ("- Sent: bytes of comm messages as ipykernel would serialise them (JSON content + "
         "binary buffers, comm opens included), without the Jupyter message headers (about "
         "600 B a message)."),
        (f"- Cells: median [lowest - highest] over {runs} run(s); a page-change cell takes "
         "each run's median of its pages, and `slowest` is the slowest page of all runs."), "",
        "## Lazy path: `DigitHeatmapGrid(x)` on the Dask array", "",
        "| measure | " + " | ".join(heads) + " | target |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]

    def row(label: str, cell: Any, target: str = "", source: dict = lazy) -> None:
        cells = [cell(source[n]) + _errors(source[n]) if source.get(n) else "not run"
                 for n in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def steps_cell(phase: str) -> Any:
        def cell(results: list[dict]) -> str:
            medians = [statistics.median(_steps(r, phase)) for r in results
                       if "error" not in r and _steps(r, phase)]
            slowest = [max(_steps(r, phase)) for r in results if "error" not in r and _steps(r, phase)]
            if not medians:
                return "n/a"
            return f"{_spread(medians, _s)}; slowest {_s(max(slowest))}"
        return cell

    def during_note(results: list[dict]) -> str:
        ok = [r for r in results if "error" not in r]
        stack = sum(1 for r in ok for s in r["during"] if s["scope_before"] == "stack")
        total = sum(len(r["during"]) for r in ok)
        return f"{stack} of {total}"

    row("first page: `DigitHeatmapGrid(x)` until `data` is page 0 (fresh process)",
        lambda rs: _spread(_per_run(rs, "first_s"), _s), "< 2 s")
    row(f"next page `grid.page = k`, not cached, while the stack's limits are computed "
        f"({BROWSED} pages a run)", steps_cell("during"), "< 300 ms")
    row("... of those page changes, made after the stack's limits were already in",
        during_note)
    row(f"next page `grid.page = k`, not cached, after the limits ({AFTER} pages a run)",
        steps_cell("after"), "< 300 ms")
    row("global limits: construction until `wait_for_limits()` returns (local scheduler; "
        f"the first {BROWSED} page changes run meanwhile)", _limits_cell)
    row("kernel RSS before the grid (imports done, `x` built)",
        lambda rs: _spread(_per_run(rs, "rss_before"), _mb), "")
    row("kernel RSS after the first page", lambda rs: _spread(_per_run(rs, "rss_first"), _mb),
        "independent of N")
    row(f"kernel RSS after browsing {BROWSED} pages",
        lambda rs: _spread(_per_run(rs, "rss_browsed"), _mb), "independent of N")
    row("kernel RSS after the global limits", lambda rs: _spread(_per_run(rs, "rss_limits"), _mb),
        "independent of N")
    row("kernel peak RSS (whole process, `ru_maxrss`)",
        lambda rs: _spread(_per_run(rs, "rss_peak"), _mb), "independent of N")
    row(f"kernel RSS after browsing {BROWSED} pages, paging alone (limits computation not "
        "started; a separate process)", lambda rs: _spread(_per_run(rs, "rss_browsed"), _mb),
        "independent of N", source=pages)
    row("kernel peak RSS, paging alone (`ru_maxrss`)",
        lambda rs: _spread(_per_run(rs, "rss_peak"), _mb), "independent of N", source=pages)
    row(f"next page, paging alone ({BROWSED} pages a run)", steps_cell("during"), "< 300 ms",
        source=pages)
    row("sent at construction (all comm opens and messages)",
        lambda rs: _spread(_per_run(rs, "construction_bytes"), _b)
        + f" in {_spread(_per_run(rs, 'construction_messages'), lambda v: f'{v:.0f}')} msgs")

    def sent_cell(phase: str) -> Any:
        def cell(results: list[dict]) -> str:
            ok = [r for r in results if "error" not in r and r.get(phase)]
            if not ok:
                return "n/a"
            steps = [s for r in ok for s in r[phase]]
            total = statistics.median(s["bytes"] for s in steps)
            buffers = statistics.median(s["buffer_bytes"] for s in steps)
            sends = statistics.median(s["sends"] for s in steps)
            opens = statistics.median(s["opens"] for s in steps)
            values = ok[0]["page_values_bytes"]
            return (f"{_b(total)} ({sends:.0f} msgs + {opens:.0f} comm opens), of which binary "
                    f"buffers {_b(buffers)} = {buffers / values:.2f}x one page's values")
        return cell

    row("one page's values as sent (`codec.encode` of `data`, wire dtype)",
        lambda rs: next((f"{_b(r['page_values_bytes'])} ({r['wire_dtype']}; "
                         f"{r['page_size']}x{SHAPE[0]}x{SHAPE[1]}x"
                         f"{4 if r['wire_dtype'] == 'float32' else 8} = "
                         f"{r['page_size'] * SHAPE[0] * SHAPE[1] * (4 if r['wire_dtype'] == 'float32' else 8):,})"
                         for r in rs if "error" not in r), "n/a"))
    row("sent per page change, no event loop (median over the pages after the limits)",
        sent_cell("after"))
    row(f"sent per page change under an asyncio loop, as in a kernel (timer-merged sends "
        f"waited for; {LOOP_PAGES} pages a run)", sent_cell("loop"))

    def loop_time(results: list[dict]) -> str:
        ok = [r for r in results if "error" not in r and r.get("loop")]
        if not ok:
            return "n/a"
        assign = [statistics.median(s["assign_s"] for s in r["loop"]) for r in ok]
        last = [statistics.median(s["last_send_s"] for s in r["loop"]) for r in ok]
        pending = sum(1 for r in ok for s in r["loop"] if s["still_pending"])
        return (f"assignment {_spread(assign, _s)}; last send {_spread(last, _s)} after it"
                + (f" ({pending} still pending after 5 s)" if pending else ""))

    row("page change under an asyncio loop: assignment returns / last (timer) send",
        loop_time, "< 300 ms")
    checks = [r for rs in lazy.values() for r in rs if "error" not in r]
    lines.append("")
    lines.append(f"Pages checked against `x[...]` computed directly: "
                 f"{sum(r['first_page_checked'] and r['last_page_checked'] for r in checks)} of "
                 f"{len(checks)} processes (first page and last browsed page equal).")

    example = next((r["after"][0] for rs in lazy.values() for r in rs
                    if "error" not in r and r.get("after")), None)
    if example is not None:
        lines.append("")
        lines.append(f"One page change (page {example['page']}), its messages in order, bytes: "
                     f"{', '.join(f'{b:,}' for b in example['sizes'])}; plus "
                     f"{example['opens']} comm opens. Binary buffers carry tensor values.")
    lines += ["", ("## Naive path: `np.asarray(x)` (the whole stack computed), then "
                   "`DigitHeatmapGrid` of it"), "",
              ("In-memory stacks above 4096 panels are paged too, so this is full "
               "materialisation plus paging of the in-memory array."), "",
              "| measure | " + " | ".join(heads) + " |",
              "| --- | " + " | ".join("---" for _ in sizes) + " |"]

    def nrow(label: str, cell: Any) -> None:
        cells = []
        for n in sizes:
            if n > naive_max:
                gb = n * SHAPE[0] * SHAPE[1] * 4 / 1e9
                cells.append(f"not run (`--naive-max {naive_max:,}`: {gb:.1f} GB of float32 "
                             "plus float64 pages)")
            elif not naive.get(n):
                cells.append("not run")
            else:
                cells.append(cell(naive[n]) + _errors(naive[n]))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    nrow("`np.asarray(x)`", lambda rs: _spread(_per_run(rs, "materialise_s"), _s))
    nrow("`DigitHeatmapGrid(array)`", lambda rs: _spread(_per_run(rs, "grid_s"), _s))
    nrow("first page in all (both)", lambda rs: _spread(_per_run(rs, "first_s"), _s))
    nrow(f"next page, while the limits are computed ({BROWSED} pages a run)",
         steps_cell("during"))
    nrow(f"next page, after the limits ({AFTER} pages a run)", steps_cell("after"))
    nrow("global limits (construction until `wait_for_limits()` returns; from "
         "`np.asarray` on, including it)", _limits_cell)
    nrow("kernel RSS before", lambda rs: _spread(_per_run(rs, "rss_before"), _mb))
    nrow("kernel RSS after `np.asarray(x)`", lambda rs: _spread(_per_run(rs, "rss_materialised"), _mb))
    nrow("kernel RSS after the first page", lambda rs: _spread(_per_run(rs, "rss_first"), _mb))
    nrow("kernel peak RSS (`ru_maxrss`)", lambda rs: _spread(_per_run(rs, "rss_peak"), _mb))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- main


def machine() -> dict[str, Any]:
    from benchmarks import report

    info = report.machine()
    for name in ("dask", "distributed", "zarr", "psutil"):
        info[name] = report._version(name)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="repeat everything this many times")
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated N (default {DEFAULT_SIZES})")
    parser.add_argument("--naive-max", type=int, default=100_000,
                        help="largest N for the naive path (default 100000: 1,000,000 panels "
                        "are 3.1 GB of float32)")
    parser.add_argument("--child", choices=("lazy", "pages", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.n), default=str))
        return 0
    if args.runs < 1:
        raise SystemExit(f"--runs expected a count >= 1, got {args.runs}")
    try:
        sizes = [int(part.replace("_", "")) for part in args.sizes.split(",")]
    except ValueError:
        raise SystemExit(f"--sizes expected N[,N...], e.g. 10000,100000, got {args.sizes!r}") from None
    needed = (BROWSED + AFTER + LOOP_PAGES + 1) * 100
    if min(sizes) < needed:
        raise SystemExit(f"--sizes: each N needs at least {needed} panels "
                         f"({BROWSED + AFTER + LOOP_PAGES + 1} distinct pages of 100)")

    started = time.perf_counter()
    info = machine()
    command = "python benchmarks/lazy.py" + (f" --runs {args.runs}" if args.runs > 1 else "") + (
        f" --sizes {args.sizes}" if args.sizes != DEFAULT_SIZES else "") + (
        f" --naive-max {args.naive_max}" if args.naive_max != 100_000 else "")
    info["command"] = command
    lazy: dict[int, list[dict]] = {n: [] for n in sizes}
    pages: dict[int, list[dict]] = {n: [] for n in sizes}
    naive: dict[int, list[dict]] = {n: [] for n in sizes if n <= args.naive_max}
    for number in range(1, args.runs + 1):
        log(f"== run {number} of {args.runs}")
        for n in sizes:
            result = run_child("lazy", n)
            lazy[n].append(result)
            log(f"lazy  N={n:>9,}: " + (result["error"] if "error" in result else
                f"first {result['first_s']:.3f} s, next {statistics.median(_steps(result, 'during')):.3f} s"
                f" / {statistics.median(_steps(result, 'after')):.3f} s, limits "
                f"{result['limits_s'] or float('nan'):.1f} s, RSS {result['rss_before'] / 1e6:.0f}"
                f" -> {result['rss_browsed'] / 1e6:.0f} MB, peak {result['rss_peak'] / 1e6:.0f} MB"))
            result = run_child("pages", n)
            pages[n].append(result)
            log(f"pages N={n:>9,}: " + (result["error"] if "error" in result else
                f"next {statistics.median(_steps(result, 'during')):.3f} s, RSS "
                f"{result['rss_first'] / 1e6:.0f} -> {result['rss_browsed'] / 1e6:.0f} MB, "
                f"peak {result['rss_peak'] / 1e6:.0f} MB"))
            if n in naive:
                result = run_child("naive", n)
                naive[n].append(result)
                log(f"naive N={n:>9,}: " + (result["error"] if "error" in result else
                    f"asarray {result['materialise_s']:.2f} s + grid {result['grid_s']:.3f} s, "
                    f"RSS peak {result['rss_peak'] / 1e6:.0f} MB"))
    from benchmarks import report

    info["loadavg_end"] = report.loadavg()
    info["duration_s"] = time.perf_counter() - started
    text = table(info, lazy, pages, naive, sizes, args.naive_max, args.runs)
    (HERE / "results-lazy.md").write_text(text)
    (HERE / "results-lazy.json").write_text(json.dumps(
        {"machine": info, "sizes": sizes, "naive_max": args.naive_max, "targets": TARGETS,
         "lazy": {str(n): r for n, r in lazy.items()},
         "pages": {str(n): r for n, r in pages.items()},
         "naive": {str(n): r for n, r in naive.items()}}, indent=1, default=str))
    print(text)
    log(f"wrote {HERE / 'results-lazy.md'} and {HERE / 'results-lazy.json'} "
        f"in {info['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
