"""Interaction in JupyterLab: hover values, clicks that reach Python, title clicks, the
control panel both ways, and streaming updates without a backlog."""

from __future__ import annotations

import json
import time
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from .conftest import open_notebook
from .harness import page_messages_report, record_page_messages, write_notebook
from .pagestate import JS_READ_GRID, panel_view, reading_order


REPO = Path(__file__).resolve().parents[2]
SAMPLE = np.load(REPO / "digitheat_widget" / "data" / "sample_digits.npy")
SELECTED = (0, 229, 255)  # the documented clicked-cell outline, #00e5ff

SETUP = """\
import numpy as np, time
from digitheat_widget import DigitHeatmapGrid, sample_data
SAMPLE = sample_data()
clicks = []
def record(*args):
    clicks.append(args)
igrid = DigitHeatmapGrid(controls=True)
igrid.on_cell_click(record)
""" + record_page_messages("igrid")


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    write_notebook(lab_server.root / "interact.ipynb", [SETUP, "igrid"])
    lab = open_notebook(browser, lab_server, "interact.ipynb")
    lab.page.wait_for_function(
        "() => document.querySelectorAll('.digitheat-grid rect.heatmapcell').length === 420"
        " && document.querySelectorAll('.dhg-controls .noUi-handle, .dhg-controls .slider-container').length >= 2",
        timeout=90_000)
    lab.selector = f".{lab.execute('print(igrid.css_class)').strip()}"
    yield lab
    lab.page.close()


def cell(lab, digit: int, row: int, col: int):
    """The SVG rect of a cell, found by bqplot's DOM order (rows, then columns, in data order)."""
    return (lab.page.locator(f"{lab.selector} .dhg-p{digit} g.heatmaprow").nth(row)
            .locator("rect.heatmapcell").nth(col))


def test_hover_shows_label_row_column_value(lab) -> None:
    cell(lab, 3, 2, 3).hover()
    text = lab.page.wait_for_function(
        """() => { for (const t of document.querySelectorAll('.bqplot_mark_tooltip table')) {
                       const vals = [...t.querySelectorAll('.datavalue')].map(v => v.textContent);
                       if (vals.length === 3 && vals[0] !== '') return t.innerText; }
                   return false; }""").json_value()
    value = SAMPLE[3, 2, 3]
    assert "3 · row" in text
    cells = [line.split("\t") for line in text.strip().splitlines()]
    assert cells[0][1] == "2" and cells[1] == ["column", "3"]
    # The colorbar shows 3 decimals (0.000 .. 0.014); hover shows one more.
    assert cells[2] == ["value", f"{value:.4f}"]


def test_click_reaches_python_and_marks_the_cell(lab) -> None:
    cell(lab, 7, 1, 4).click()
    lab.page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('{lab.selector} .dhg-p7 g.heatmaprow:nth-of-type(2)"
        f" rect.heatmapcell:nth-of-type(5)')).stroke.replace(/\\s/g, '') === 'rgb(0,229,255)'")
    lab.wait_for_kernel_value("igrid.selected", "(7, 1, 4)",
                              report=lambda: page_messages_report(lab, "igrid"))
    # The callback ran in the same step as `selected` was set.
    digit, row, col, value = eval(lab.execute("print(repr(clicks[-1]))"))  # numbers printed by Python
    assert (digit, row, col) == (7, 1, 4)
    assert value == pytest.approx(SAMPLE[7, 1, 4], rel=1e-12)
    # Exactly one cell is marked.
    marked = lab.page.evaluate(
        f"() => [...document.querySelectorAll('{lab.selector} rect.heatmapcell')]"
        ".filter(r => getComputedStyle(r).stroke.replace(/\\s/g, '') === 'rgb(0,229,255)').length")
    assert marked == 1


def test_title_click_toggles_highlight(lab) -> None:
    title = lab.page.locator(f"{lab.selector} .dhg-p6").locator("xpath=..").locator(".dhg-title-hit")
    title.click()
    lab.page.wait_for_function(
        f"() => document.querySelector('{lab.selector} .dhg-p6').classList.contains('dhg-highlighted')")
    lab.wait_for_kernel_value("igrid.highlighted", "[6]",
                              report=lambda: page_messages_report(lab, "igrid"))
    # The control panel's toggle for 6 follows.
    assert lab.page.locator(f"{lab.selector} .dhg-controls button.mod-active").all_inner_texts() == ["6"]
    title.click()
    lab.page.wait_for_function(
        f"() => !document.querySelector('{lab.selector} .dhg-p6').classList.contains('dhg-highlighted')")
    lab.wait_for_kernel_value("igrid.highlighted", "[]",
                              report=lambda: page_messages_report(lab, "igrid"))



def test_quick_title_clicks_all_count(lab) -> None:
    """Five titles clicked in quick succession: all five highlighted, in the page and in
    Python, and no panel un-highlighted meanwhile (Python's answers to the first clicks
    pulled the page's highlight back, and the next click toggled from there)."""
    lab.page.evaluate("""(sel) => { window.dhgHighlightSeen = [];
        const grid = document.querySelector(sel);
        new MutationObserver(() => window.dhgHighlightSeen.push(
            [...grid.querySelectorAll('.dhg-highlighted')].length))
            .observe(grid, {attributes: true, attributeFilter: ['class'], subtree: true}); }""",
                      lab.selector)
    for panel in range(1, 6):
        title = lab.page.locator(f"{lab.selector} .dhg-p{panel}").locator("xpath=..").locator(".dhg-title-hit")
        title.click()
    lab.wait_for_kernel_value("igrid.highlighted", "[1, 2, 3, 4, 5]")
    lab.page.wait_for_function(
        "(sel) => [1, 2, 3, 4, 5].every((p) => document.querySelector(`${sel} .dhg-p${p}`)"
        ".classList.contains('dhg-highlighted'))", arg=lab.selector)
    seen = lab.page.evaluate("window.dhgHighlightSeen")
    try:
        assert seen == sorted(seen), f"panels un-highlighted meanwhile: {seen}"
    finally:
        lab.execute("igrid.highlighted = []")

JS_VMAX_READOUT = ("(sel) => document.querySelectorAll(sel + ' .dhg-controls .widget-readout')[1]"
                   ".textContent.trim()")


def test_controls_change_traits_and_page(lab) -> None:
    # Colormap picker -> trait -> cells.
    lab.page.locator(f"{lab.selector} .dhg-controls select").select_option("viridis")
    lab.page.wait_for_function(
        f"(sel) => ({JS_READ_GRID})(sel).panels[0].cells.some(c => c.fill.replace(/\\s/g, '') === 'rgb(68,1,84)')",
        arg=lab.selector)
    lab.wait_for_kernel_value("igrid.colormap", "viridis")
    # A highlight toggle -> trait -> outline.
    lab.page.locator(f"{lab.selector} .dhg-controls button", has_text="2").first.click()
    lab.page.wait_for_function(
        f"() => document.querySelector('{lab.selector} .dhg-p2').classList.contains('dhg-highlighted')")
    lab.wait_for_kernel_value("igrid.highlighted", "[2]")
    # The vmax slider, moved with the keyboard -> trait -> colours.
    before = lab.execute("print(igrid.limits[1])").strip()
    handle = lab.page.locator(f"{lab.selector} .dhg-controls .widget-slider").nth(1).locator(".noUi-handle")
    # Every value the readout shows meanwhile (Python's answers to values the slider
    # has moved past pulled it back up for a moment).
    lab.page.evaluate(f"""(sel) => {{ window.dhgVmaxSeen = [];
        const readout = document.querySelectorAll(sel + ' .dhg-controls .widget-readout')[1];
        new MutationObserver(() => window.dhgVmaxSeen.push(({JS_VMAX_READOUT})(sel)))
            .observe(readout, {{childList: true, characterData: true, subtree: true}}); }}""",
                      lab.selector)
    handle.focus()
    for _ in range(40):
        handle.press("ArrowLeft")
    # Python's echoes of the values the slider passed through can still be arriving (the
    # page shows each, then the last): wait until the page and Python agree on a value
    # below the one before (one read of the page's readout, taken early, was such a value).
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + 15
    agreed = lambda: lab.execute("print(f'{igrid.limits[1]:.3f}')").strip()  # noqa: E731
    held = agreed()
    while True:
        try:
            lab.page.wait_for_function(f"([sel, text]) => ({JS_VMAX_READOUT})(sel) === text",
                                       arg=[lab.selector, held], timeout=1000)
            if float(held) < float(before) and agreed() == held:
                break
        except PlaywrightTimeout:
            pass
        assert time.monotonic() < deadline, (
            f"the page's vmax slider and igrid.vmax never agreed below {before}: the page "
            f"shows {lab.page.evaluate(JS_VMAX_READOUT, lab.selector)}, igrid.limits[1] is {held}")
        held = agreed()
    vmax = float(lab.execute("print(igrid.vmax)").strip())
    assert vmax < float(before)
    seen = [float(text) for text in lab.page.evaluate("window.dhgVmaxSeen")]
    assert seen and all(b <= a for a, b in zip(seen, seen[1:])), f"the slider went back: {seen}"
    state = lab.page.evaluate(JS_READ_GRID, lab.selector)
    panels = reading_order([panel_view(p) for p in state["panels"]])
    lo = float(lab.execute("print(igrid.limits[0])").strip())
    hi = float(lab.execute("print(igrid.limits[1])").strip())
    expected = matplotlib.colormaps["viridis"](np.clip((SAMPLE[0] - lo) / (hi - lo), 0, 1))[..., :3] * 255
    assert np.abs(panels[0].fills - expected).max() <= 6
    lab.execute("igrid.colormap = 'hot'\nigrid.vmax = None\nigrid.highlighted = []")


def test_python_moves_the_controls(lab) -> None:
    lab.execute("igrid.vmax = 0.01\nigrid.colormap = 'magma'\nigrid.highlighted = [4, 9]")
    try:
        _wait_for_controls(lab)
    finally:
        lab.execute("igrid.vmax = None\nigrid.colormap = 'hot'\nigrid.highlighted = []")
    lab.page.wait_for_function(
        f"() => document.querySelector('{lab.selector} .dhg-controls select').value === 'hot'")


def test_auto_limits_stay_auto_while_data_changes(lab) -> None:
    """Python moves the limit sliders to follow new data; the page applies that without
    sending a value back, so the limits stay automatic (a slider once sent its value
    snapped to its step, which pinned vmin and vmax)."""
    lab.execute("igrid.vmin = igrid.vmax = None\n"
                "for factor in (0.37, 1.91, 0.73, 2.63, 1.17):\n    igrid.data = SAMPLE * factor")
    expected = lab.execute("print(f'{igrid.limits[1]:.3f}')").strip()
    lab.page.wait_for_function(
        f"([sel, text]) => ({JS_VMAX_READOUT})(sel) === text", arg=[lab.selector, expected],
        timeout=15_000)
    # What the page sent while it applied the updates has reached the kernel (a message
    # still in flight may be handled after this request: harness.wait_for_kernel_value).
    try:
        assert lab.execute("print(igrid.vmin, igrid.vmax)").split() == ["None", "None"]
    finally:
        lab.execute("igrid.vmin = igrid.vmax = None\nigrid.data = SAMPLE")


def _wait_for_controls(lab) -> None:
    """Wait until the page's controls show vmax 0.010, "magma" and toggles 4 and 9 on; on
    a timeout, say what they show."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    read = f"""() => {{
            const c = document.querySelector('{lab.selector} .dhg-controls');
            const readouts = [...c.querySelectorAll('.widget-readout')].map(r => r.textContent.trim());
            const active = [...c.querySelectorAll('button.mod-active')].map(b => b.textContent.trim());
            return {{readouts, colormap: c.querySelector('select').value, active}};
        }}"""
    try:
        lab.page.wait_for_function(
            f"""() => {{ const s = ({read})();
                return s.readouts[1] === '0.010' && s.colormap === 'magma'
                    && JSON.stringify(s.active) === JSON.stringify(['4', '9']); }}""",
            timeout=15_000)
    except PlaywrightTimeout:
        raise AssertionError(f"the controls show {lab.page.evaluate(read)}; page errors: "
                             f"{lab.console_errors}") from None


def test_streaming_reaches_the_page_without_backlog(lab, output_dir: Path) -> None:
    """A training loop: each step does some real work (softmax-regression gradient steps on
    1797 x 42 random inputs, a few ms) and then assigns the full tensor."""
    steps = 300
    factors = [0.2 + 0.8 * ((i * 37) % 101) / 100 for i in range(steps)]
    watched = "state.panels[1].cells[15].fill"
    lab.execute("igrid.vmax = 0.015\nigrid.colormap = 'hot'")
    result = lab.page.evaluate(
        """async ([code, sel, readSrc, watched]) => {
            const read = eval(readSrc);
            const pick = new Function('state', 'return ' + watched);
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            let last = pick(read(sel)), changes = 0, first = null, lastChange = null, running = true;
            const frame = () => {
                const now = pick(read(sel));
                if (now !== last) { changes++; last = now; lastChange = performance.now();
                                    if (first === null) first = lastChange; }
                if (running) requestAnimationFrame(frame);
            };
            requestAnimationFrame(frame);
            const t0 = performance.now();
            const future = kernel.requestExecute({code, store_history: false});
            let out = '';
            future.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text; };
            await future.done;
            const tDone = performance.now();
            running = false;
            return {changes, first: first - t0, lastChange: lastChange - t0, done: tDone - t0, out};
        }""",
        [f"rng = np.random.default_rng(0)\nX = rng.random((1797, 42)); W = np.zeros((42, 10))\n"
         f"t0 = time.perf_counter()\nfor f in {factors!r}:\n"
         "    for _ in range(8):\n"
         "        z = X @ W; p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)\n"
         "        W -= 1e-3 * X.T @ (p - 0.1)\n"
         "    igrid.data = SAMPLE * f\n"
         "print(time.perf_counter() - t0)", lab.selector, JS_READ_GRID, watched],
    )
    # After the loop the page must settle on the last values promptly (no queue to drain).
    final_fill = matplotlib.colormaps["hot"](min(1.0, SAMPLE[1].ravel()[15] * factors[-1] / 0.015))
    expected = tuple(int(round(c * 255)) for c in final_fill[:3])
    lab.page.wait_for_function(
        f"(sel) => {{ const s = ({JS_READ_GRID})(sel); const m = {watched}.match(/[\\d.]+/g).map(Number);"
        f" return Math.abs(m[0] - {expected[0]}) <= 6 && Math.abs(m[1] - {expected[1]}) <= 6"
        f" && Math.abs(m[2] - {expected[2]}) <= 6; }}".replace("state.", "s."),
        arg=lab.selector, timeout=5_000)
    python_s = float(result["out"].strip())
    span_s = max(result["lastChange"] - result["first"], 1.0) / 1000
    rate = result["changes"] / span_s
    report = {"steps": steps, "python_loop_s": python_s,
              "page_repaints_seen": result["changes"], "page_updates_per_s": rate,
              "execute_done_ms": result["done"]}
    (output_dir / "streaming.json").write_text(json.dumps(report, indent=1))
    print(f"\nstreaming: {steps} full updates in {python_s:.2f} s of Python; the page repainted "
          f"{result['changes']} times, {rate:.0f} updates/s reaching the page")
    assert result["changes"] >= 10, "the page kept updating while the loop ran"
    lab.execute("igrid.vmax = None\nigrid.data = SAMPLE")
