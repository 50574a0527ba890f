"""The machine description and the one markdown table built from a run's results."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PEERS = (("naive", "naive bqplot"), ("plotly", "plotly"), ("mpl", "matplotlib"))


# ---------------------------------------------------------------------- machine


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _chromium() -> str:
    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                             timeout=30).stdout
        match = re.search(r"Chromium [\d.]+", out)
        return match.group(0) if match else out.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
        return out or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    import numpy

    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram": _ram(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "bqplot": _version("bqplot"),
        "bqscales": _version("bqscales"),
        "ipywidgets": _version("ipywidgets"),
        "ipykernel": _version("ipykernel"),
        "jupyterlab": _version("jupyterlab"),
        "plotly": _version("plotly"),
        "anywidget": _version("anywidget"),
        "matplotlib": _version("matplotlib"),
        "chromium": _chromium(),
        "commit": _git_commit(),
        "loadavg_start": loadavg(),
    }


def machine_lines(info: dict[str, Any]) -> list[str]:
    return [
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, {info['os']}; "
        f"load average {info['loadavg_start']} at start, {info.get('loadavg_end', '?')} at end "
        "(shared machine: other jobs ran meanwhile, so numbers are noisy).",
        f"Software: Python {info['python']}, numpy {info['numpy']}, bqplot {info['bqplot']} "
        f"(bqscales {info['bqscales']}), ipywidgets {info['ipywidgets']}, ipykernel "
        f"{info['ipykernel']}, JupyterLab {info['jupyterlab']}, {info['chromium']} headless, "
        f"plotly {info['plotly']} (anywidget {info['anywidget']}), matplotlib {info['matplotlib']}.",
        f"Run: {info['date']}, commit {info['commit']}, `{info.get('command', '')}`, "
        f"{info.get('duration_s', 0):.0f} s in all.",
    ]


# ---------------------------------------------------------------------- formatting


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    ms = seconds * 1000
    if ms < 1:
        return f"{ms:.3f} ms"
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "n/a"
    if n < 1024:
        return f"{n:.0f} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 ** 2:.2f} MB"


def fmt_ratio(ours: float | None, peer: float | None) -> str:
    if ours is None or peer is None or peer == 0:
        return "—"
    ratio = ours / peer
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def _messages(m: float) -> str:
    count = f"{m:.0f}" if abs(m - round(m)) < 1e-9 else f"{m:.1f}"
    return f"{count} msg" + ("" if count == "1" else "s")


# ---------------------------------------------------------------------- the table


def _python_cells(entry: dict | None, op: str, kind: str) -> tuple[str, float | None]:
    """Text and raw value of one subject's cell for a Python-side operation."""
    if entry is None:
        return "n/a (not run)", None
    if op in entry["skipped"]:
        return f"n/a ({entry['skipped'][op]})", None
    result = entry["results"].get(op)
    if result is None:
        return "n/a", None
    if kind == "time":
        text = fmt_time(result["median_s"])
        if result.get("n", 99) < 5:
            text += f" (n={result['n']})"
        return text, result["median_s"]
    if kind == "held":
        return fmt_bytes(result["bytes"]), result["bytes"]
    if result.get("png"):
        return f"{fmt_bytes(result['bytes'])} PNG", result["bytes"]
    text = f"{fmt_bytes(result['bytes'])}, {_messages(result['messages'])}"
    return text, result["bytes"]


PYTHON_ROWS = (
    ("construct", "time", "Py: construction"),
    ("construct", "bytes", "Py: construction, sent to page"),
    ("full", "time", "Py: full update"),
    ("full", "bytes", "Py: full update, sent"),
    ("panel", "time", "Py: one-panel update `grid[3] = v`"),
    ("panel", "bytes", "Py: one-panel update, sent"),
    ("vmax", "time", "Py: vmax change"),
    ("vmax", "bytes", "Py: vmax change, sent"),
    ("held", "held", "Py: memory held per grid"),
)
OURS_ONLY_ROWS = (
    ("full_paired", "paired", "Py: full update, runs alternating with naive bqplot's"),
    ("panel_paired", "paired", "Py: one-panel update, runs alternating with naive bqplot's "
     "`marks[3].color = v`"),
    ("full_auto", "time", "Py: full update, automatic limits"),
    ("per_panel_paired", "paired", "Py: full update, automatic limits, per-panel vs shared "
     "(runs alternating)"),
    ("full_auto", "bytes", "Py: full update, automatic limits, sent"),
    ("repr", "time", "Py: display bundle (view + static PNG)"),
    ("repr", "png", "Py: display bundle, PNG size"),
)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return fmt_time(value / 1000)


def browser_rows(config: dict, peers_blank: list[str]) -> list[list[str]]:
    size, label = config["size"], config["label"]

    def row(name: str, text: str) -> list[str]:
        return [size, label, f"Page: {name}", text, *peers_blank]

    if "first_paint" not in config:
        return [row("all", f"n/a ({config.get('error', 'not measured')})")]
    shown = config["first_paint"]
    limited = " (the Jupyter server dropped messages: IOPub rate exceeded)" if shown.get(
        "rateLimited") else ""
    if shown["ms"] is None:
        return [row("display → first full paint",
                    f"never ({config.get('error', '')}; longest frame "
                    f"{_ms(shown['longestFrameGapMs'])})")]
    details = []
    if shown.get("madeApart"):
        details.append("grid made in the cell before: display only")
    if shown.get("viewArrivedMs") is not None:
        details.append(f"view + PNG from the kernel after {_ms(shown['viewArrivedMs'])}")
    details.append(f"longest frame {_ms(shown['longestFrameGapMs'])}")
    if shown.get("canvasScale") is not None and shown["canvasScale"] < 0.999:
        details.append(f"canvas at {shown['canvasScale']:.0%} resolution")
    rows = [row("display → first full paint",
                _ms(shown["ms"]) + f" ({'; '.join(details)})" + limited)]
    heap = config["heap"]
    rows.append(row("JS heap added by the grid",
                    f"{fmt_bytes(heap['delta'])} (+{heap['dom_elements']:,} DOM elements)"
                    if heap["delta"] is not None else "n/a (no performance.memory)"))
    errors = config.get("errors", {})
    for key, name in (("vmax", "vmax change"), ("full", "full update")):
        if key not in config:
            rows.append(row(name, f"n/a ({errors.get(key, 'not measured')})"))
            continue
        part = config[key]
        total, after = part["total"], part["after_arrival"]
        notes = []
        if key in errors:
            notes.append(f"stopped {errors[key]}")
        if total["missed"]:
            notes.append(f"{total['missed']} never repainted")
        if part.get("rate_limited"):
            notes.append(f"IOPub rate exceeded in {part['rate_limited']}")
        extra = f" ({'; '.join(notes)})" if notes else ""
        rows.append(row(f"{name}, assignment → repainted (median of {total['n']})",
                        _ms(total["median_ms"]) + extra))
        rows.append(row(f"{name}, last message arrived → repainted",
                        f"{_ms(after['median_ms'])} ({_messages(part['messages_seen'])} seen"
                        f", longest frame {_ms(part['longest_frame_gap_ms'])})"))
        if part.get("wire_frames"):
            text = (f"{fmt_bytes(part['wire_bytes'])} in {_messages(part['wire_frames'])}")
            if key == "full":
                text += (f" = {part['wire_bytes'] / part['raw_float32_bytes']:.1f}× the raw "
                         f"float32 tensor ({fmt_bytes(part['raw_float32_bytes'])})")
            rows.append(row(f"{name}, received over the kernel websocket", text))
    rows += paired_rows(config, row)
    if "stream" not in config:
        rows.append(row("streaming", f"n/a ({errors.get('stream', 'not measured')})"))
        return rows
    stream = config["stream"]
    rate = stream["updates_per_s"]
    after_loop = stream["last_change_after_loop_ms"]
    if stream["settled_within_1s"]:
        settle = "settled on the last values"
    elif stream["final_colour_ok"]:
        settle = (f"backlog: last values shown {_ms(after_loop)} after the loop"
                  if after_loop is not None else "backlog")
    else:
        settle = (f"NOT settled on the last values (showed {stream['seen']}, expected "
                  f"{stream['expected']})")
    text = ((f"{rate:.1f}/s" if rate is not None else "n/a")
            + f" during a {stream['python_loop_s']:.0f} s loop (Python assigned "
            f"{stream['assignments_per_s']:,.0f}/s; page {stream['frames_per_s']:.0f} frames/s, "
            f"longest frame {_ms(stream['longest_frame_gap_ms'])}); {settle}")
    if stream["settled_within_1s"] and after_loop is not None and after_loop > 0:
        text += f" {_ms(after_loop)} after the loop"
    if stream.get("rate_limited"):
        text += "; IOPub message rate exceeded: the server dropped updates"
    rows.append(row("streaming, full updates/s reaching the page", text))
    return rows


def paired_rows(config: dict, row: Callable[[str, str], list[str]]) -> list[list[str]]:
    """Per-panel vs shared limits, in alternating blocks of runs (browser_side.paired_per_panel)."""
    name = "full update, per-panel vs shared limits (alternating blocks of 5 runs)"
    paired = config.get("full_paired")
    if not paired:
        return [row(name, f"n/a ({config.get('errors', {}).get('full_paired', 'not measured')})")]
    pp, shared = paired["per_panel"], paired["shared"]
    rows = []
    for part, what in (("total", "assignment → repainted"),
                       ("after_arrival", "last message arrived → repainted")):
        a, b = pp[part], shared[part]
        missed = a["missed"] + b["missed"]
        rows.append(row(f"{name}, {what}",
                        f"{_ms(a['median_ms'])} vs {_ms(b['median_ms'])} = "
                        f"{fmt_ratio(a['median_ms'], b['median_ms'])} (medians of {a['n']} and "
                        f"{b['n']} runs" + (f"; {missed} never repainted" if missed else "")
                        + ")"))
    if pp.get("browser_cpu_ms") is not None and shared.get("browser_cpu_ms") is not None:
        rows.append(row(f"{name}, browser CPU time per run",
                        f"{_ms(pp['browser_cpu_ms'])} vs {_ms(shared['browser_cpu_ms'])} = "
                        f"{fmt_ratio(pp['browser_cpu_ms'], shared['browser_cpu_ms'])}"))
    return rows


def table(python: list[dict], browser: dict | None, sizes: list[str]) -> list[str]:
    header = ["size", "grid", "measure", "ours", *[c for _, name in PEERS
                                                  for c in (name, f"ours/{name}")]]
    lines = [_row(header), _row(["---"] * len(header))]
    blank = ["—"] * (2 * len(PEERS))
    by_key = {(e["subject"], e["size"]): e for e in python}
    for size in sizes:
        ours_entries = [e for e in python if e["size"] == size and e["subject"].startswith("ours")]
        for ours in ours_entries:
            for op, kind, name in PYTHON_ROWS:
                text, value = _python_cells(ours, op, kind)
                cells = [size, ours["label"], name, text]
                for key, _ in PEERS:
                    peer = by_key.get((key, size))
                    peer_text, peer_value = _python_cells(peer, op, kind)
                    cells += [peer_text, fmt_ratio(value, peer_value)]
                lines.append(_row(cells))
            for op, kind, name in OURS_ONLY_ROWS:
                result = ours["results"].get(op)
                if result is None:
                    continue
                if kind == "png":
                    text = (f"{fmt_bytes(result['bytes'] * 3 / 4)} PNG "
                            f"({fmt_bytes(result['bytes'])} as base64 in the notebook)")
                elif kind == "paired":
                    text = (f"{fmt_time(result['median_s'])} vs {fmt_time(result['peer_median_s'])}"
                            f" = {fmt_ratio(result['median_s'], result['peer_median_s'])} "
                            f"(medians of {result['n']:,} runs each)")
                else:
                    text, _ = _python_cells(ours, op, kind)
                lines.append(_row([size, ours["label"], name, text, *blank]))
        if browser:
            for config in browser["configs"]:
                if config["size"] == size:
                    lines += [_row(r) for r in browser_rows(config, blank)]
    return lines


def markdown(info: dict, python: list[dict], browser: dict | None, sizes: list[str],
             browser_note: str | None = None) -> str:
    lines = ["# digitheat-widget benchmarks", ""]
    lines += [f"- {line}" for line in machine_lines(info)]
    lines += ["", *table(python, browser, sizes), ""]
    notes = [
        "Py rows: medians of repeated runs in one Python process (n shown where < 5), fixed "
        "colour limits 0..1, float64 input. Time includes serialising every message as "
        "ipykernel would (json_clean + json_packer); bytes = JSON content + binary buffers "
        "per operation, without Jupyter message headers. matplotlib = ipympl's way: "
        "redraw the figure with Agg and send one PNG.",
        "Plain Python loops send at once (the 1/60 s merging needs a running asyncio loop), "
        "so Py rows are the full cost of every assignment.",
        "Page rows: JupyterLab 4 in headless Chromium on the same machine as the kernel; "
        "repaint = first animation frame in which a cell of the last panel shows its new "
        "colour; medians. Peers were not measured in the page.",
    ]
    try:
        from digitheat_widget import DigitHeatmapGrid

        if "renderer" in DigitHeatmapGrid.class_traits():
            threshold = getattr(DigitHeatmapGrid, "CANVAS_THRESHOLD", None)
            notes.append(
                "`ours (svg)` / `ours (canvas)`: renderer='svg' / 'canvas' given explicitly; "
                "the default renderer='auto' draws on a canvas above "
                f"{threshold:,} cells, i.e. at the sizes above 10x7x6 here."
                if threshold else "`ours (svg)` / `ours (canvas)`: the renderer option.")
    except ImportError:
        pass
    if browser_note:
        notes.append(browser_note)
    lines += [f"- {note}" for note in notes]
    for entry in python:
        for note in entry.get("notes", []):
            lines.append(f"- {entry['label']} at {entry['size']}: {note}.")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- several runs

def _find(python: list[dict], size: str, subject: str) -> dict | None:
    return next((e for e in python if e["size"] == size and e["label"] == subject), None)


def _summary_metrics(python: list[dict], browser: dict | None, size: str
                     ) -> dict[tuple[str, str], tuple[float | None, str]]:
    """The README's numbers for one size in one run: (grid, measure) -> (value, unit)."""
    out: dict[tuple[str, str], tuple[float | None, str]] = {}
    for entry in python:
        if entry["size"] != size or not entry["label"].startswith("ours"):
            continue
        label, results = entry["label"], entry["results"]
        naive = _find(python, size, "naive bqplot")
        full = results.get("full", {})
        out[(label, "Py: full update")] = (full.get("median_s"), "s")
        if naive and "full" in naive["results"] and full.get("median_s"):
            out[(label, "Py: full update / naive bqplot's")] = (
                full["median_s"] / naive["results"]["full"]["median_s"], "x")
        paired = results.get("full_paired", {})
        if paired.get("median_s") and paired.get("peer_median_s"):
            out[(label, "Py: full update / naive bqplot's, alternating runs")] = (
                paired["median_s"] / paired["peer_median_s"], "x")
        out[(label, "Py: full update, sent")] = (full.get("bytes"), "B")
        panel = results.get("panel", {})
        out[(label, "Py: one-panel update")] = (panel.get("median_s"), "s")
        out[(label, "Py: one-panel update, sent")] = (panel.get("bytes"), "B")
        paired = results.get("panel_paired", {})
        if paired.get("median_s") and paired.get("peer_median_s"):
            out[(label, "Py: one-panel update / naive bqplot's mark.color, alternating runs")] = (
                paired["median_s"] / paired["peer_median_s"], "x")
        out[(label, "Py: full update, messages")] = (full.get("messages"), "")
        out[(label, "Py: vmax change, sent")] = (results.get("vmax", {}).get("bytes"), "B")
        out[(label, "Py: vmax change, messages")] = (results.get("vmax", {}).get("messages"), "")
    for config in (browser or {}).get("configs", []):
        if config["size"] != size:
            continue
        label = config["label"]
        paint = config.get("first_paint") or {}
        out[(label, "Page: display -> first full paint")] = (
            None if paint.get("ms") is None else paint["ms"] / 1000, "s")
        for op, name in (("full", "full update"), ("vmax", "vmax change")):
            after = (config.get(op) or {}).get("after_arrival", {})
            out[(label, f"Page: {name}, last message arrived -> repainted")] = (
                None if after.get("median_ms") is None else after["median_ms"] / 1000, "s")
        paired = config.get("full_paired") or {}
        out[(label, "Page: full update, per-panel / shared limits, alternating runs")] = (
            paired.get("ratio_total"), "x")
        out[(label, "Page: full update, per-panel / shared limits, alternating runs, "
                    "arrival -> repainted")] = (paired.get("ratio_after_arrival"), "x")
        stream = config.get("stream") or {}
        out[(label, "Page: streaming, full updates/s reaching the page")] = (
            stream.get("updates_per_s"), "/s")
        settled = stream.get("last_change_after_loop_ms")
        out[(label, "Page: streaming, page settled after the loop")] = (
            None if settled is None else settled / 1000, "s")
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return fmt_time(value)
    if unit == "B":
        return fmt_bytes(value)
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:g}"


def summary(runs: list[tuple[list[dict], dict | None]], sizes: list[str]) -> list[str]:
    """A table of the README's numbers over several runs: median [min - max] (n)."""
    lines = ["| size | grid | measure | median | range | runs |", "| --- | --- | --- | --- | --- | --- |"]
    for size in sizes:
        per_run = [_summary_metrics(python, browser, size) for python, browser in runs]
        keys = list(dict.fromkeys(k for metrics in per_run for k in metrics))
        for key in keys:
            unit = next(m[key][1] for m in per_run if key in m)
            values = [m[key][0] for m in per_run if key in m and m[key][0] is not None]
            missing = len(per_run) - len(values)
            median = statistics.median(values) if values else None
            spread = f"{_fmt(min(values), unit)} - {_fmt(max(values), unit)}" if values else "n/a"
            count = f"{len(values)}" + (f" ({missing} failed)" if missing else "")
            lines.append(f"| {size} | {key[0]} | {key[1]} | {_fmt(median, unit)} | {spread} | {count} |")
    return lines
