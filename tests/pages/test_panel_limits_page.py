"""Per-panel colour limits in exported pages, offline (issue 27; the Python side:
tests/unit/test_panel_limits.py): the 10**k stack, one flat colour per faint map under the
shared scale, shows the whole colormap in every panel per panel, on both renderers, with
each panel's strip reading its own range."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chromium import open_saved

from digitheat_widget import DigitHeatmapGrid, sample_data

CANVAS_LIVE = "() => document.querySelector('.dhg-canvas canvas') && !document.querySelector('.digitheat-pending')"


def magnitudes() -> np.ndarray:
    sample = sample_data()
    return np.stack([sample[k] * 10.0 ** k for k in range(10)])


def svg_colours(page) -> list[int]:
    """Distinct fills of each SVG panel's cells, as the page paints them."""
    found = page.evaluate("""() => [...Array(10).keys()].map((p) => new Set(
        [...document.querySelectorAll(`.dhg-p${p} rect.heatmapcell`)]
          .map((e) => getComputedStyle(e).fill)).size)""")
    return found


def strip_texts(page) -> list[list[str]]:
    return page.evaluate("""() => [...Array(10).keys()].map((p) => {
        const s = document.querySelector(`.dhg-p${p} .dhg-strip`);
        return s ? [s.querySelector('.dhg-strip-low').textContent,
                    s.querySelector('.dhg-strip-high').textContent] : null; })""")


def test_each_panel_uses_the_whole_colormap_offline(chromium_browser, tmp_path: Path):
    stack = magnitudes()
    shared = DigitHeatmapGrid(stack, renderer="svg")
    per_panel = DigitHeatmapGrid(stack, renderer="svg", panel_limits="per-panel")
    page, blocked = open_saved(chromium_browser, shared, tmp_path / "shared.html")
    try:
        # Under the shared scale maps 0-5 are one colour each (the measure).
        assert svg_colours(page)[:6] == [1] * 6
        assert not page.evaluate("() => document.querySelector('.dhg-strip')")
        assert page.evaluate("() => !!document.querySelector('.dhg-colorbar')")
        page.screenshot(path=str(tmp_path / "shared.png"), full_page=True)
    finally:
        page.close()
    page, blocked = open_saved(chromium_browser, per_panel, tmp_path / "per-panel.html")
    try:
        colours = svg_colours(page)
        assert all(n >= 15 for n in colours), colours
        figure = per_panel.figure
        assert strip_texts(page) == [list(figure.strip_labels(k)) for k in range(10)]
        assert strip_texts(page)[0] == ["0.0000", "0.0095"]
        # No shared colorbar shown; the summary says the limits are per panel.
        assert not page.evaluate(
            "() => [...document.querySelectorAll('.dhg-colorbar')].some((e) => e.offsetParent)")
        label = page.evaluate("() => document.querySelector('.dhg-body').getAttribute('aria-label')")
        assert "colour limits per panel" in label
        # The strips lie inside their panel, under its axis labels, as wide as its cells.
        box = page.evaluate("""() => {
            const f = document.querySelector('.dhg-p9').getBoundingClientRect();
            const s = document.querySelector('.dhg-p9 .dhg-strip-bar').getBoundingClientRect();
            const c = document.querySelector('.dhg-p9 rect.heatmapcell').getBoundingClientRect();
            return [f.bottom, s.top, s.bottom, s.width, c.left, s.left]; }""")
        fig_bottom, top, bottom, width, cell_left, strip_left = box
        assert top < bottom <= fig_bottom and abs(width - 6 * 21) <= 1
        assert abs(cell_left - strip_left) <= 1
        page.screenshot(path=str(tmp_path / "per-panel.png"), full_page=True)
        assert blocked == []
    finally:
        page.close()
        shared.close()
        per_panel.close()


def test_canvas_paints_each_panel_with_its_own_limits(chromium_browser, tmp_path: Path):
    stack = magnitudes()
    grid = DigitHeatmapGrid(stack, renderer="canvas", panel_limits="per-panel")
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "canvas.html", ready=CANVAS_LIVE)
    try:
        g = grid.figure.geometry
        # Read each panel's cells and the strip's left end off the canvas, in CSS px.
        found = page.evaluate("""(g) => {
            const canvas = document.querySelector('.dhg-canvas canvas');
            const ctx = canvas.getContext('2d');
            const scale = canvas.width / canvas.getBoundingClientRect().width;
            const out = [];
            for (let p = 0; p < g.count; p++) {
              const ox = (p % g.columns) * (g.panel_width + g.gap_x) + g.margin.left;
              const oy = Math.floor(p / g.columns) * (g.panel_height + g.gap_y) + g.margin.top;
              const seen = new Set();
              for (let r = 0; r < g.rows; r++) for (let c = 0; c < g.cols; c++) {
                const d = ctx.getImageData(Math.round((ox + (c + 0.5) * g.cell) * scale),
                  Math.round((oy + (r + 0.5) * g.cell) * scale), 1, 1).data;
                seen.add(`${d[0]},${d[1]},${d[2]}`);
              }
              out.push(seen.size);
            }
            return out; }""", {**g.to_page()})
        assert all(n >= 15 for n in found), found
        # Each panel's strip is painted under its axis: the colormap's ends at its ends.
        x, y = g.strip_origin(9)
        ends = page.evaluate("""([x, y, w]) => {
            const canvas = document.querySelector('.dhg-canvas canvas');
            const ctx = canvas.getContext('2d');
            const k = canvas.width / canvas.getBoundingClientRect().width;
            return [x + 3, x + w - 3].map((px) => [...ctx.getImageData(Math.round(px * k),
              Math.round((y + 3) * k), 1, 1).data].slice(0, 3)); }""", [x, y, g.plot_width])
        assert max(ends[0]) < 80 and min(ends[1]) > 200, ends  # hot: black .. white
        assert blocked == []
    finally:
        page.close()
        grid.close()


ANNOUNCE = "() => document.querySelector('.dhg-announce').textContent"


def strips_read(page, want: list[list[str]]) -> None:
    """Wait until the strips read ``want``, panel by panel."""
    page.wait_for_function(
        """(want) => JSON.stringify([...Array(want.length).keys()].map((p) => {
            const s = document.querySelector(`.dhg-p${p} .dhg-strip`);
            return s ? [s.querySelector('.dhg-strip-low').textContent,
                        s.querySelector('.dhg-strip-high').textContent] : null; }))
          === JSON.stringify(want)""", arg=want)


def labels_of(figure) -> list[list[str]]:
    return [list(figure.strip_labels(k)) for k in range(figure.shape[0])]


def test_keys_frames_and_auto_limits_per_panel_offline(chromium_browser, tmp_path: Path):
    """Offline: a focused cell is read with its panel's range; a frame shown in the page
    (per-frame limits) gets per-frame x per-panel limits; the "auto limits" button undoes
    autoscale's per-panel robust limits."""
    stack = magnitudes()[:4]
    grid = DigitHeatmapGrid(stack, renderer="svg", panel_limits="per-panel", controls=True)
    grid.frame_limits = "per-frame"
    grid.record("a")
    grid.data = stack * np.array([1.0, 10.0, 1e-3, 5.0])[:, None, None]
    grid.record("b")
    frames = dict(grid.frame_figures())
    grid.autoscale("robust")
    robust = labels_of(grid.figure)
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "frames.html")
    try:
        strips_read(page, robust)
        page.locator(".dhg-body").focus()
        page.keyboard.press("PageDown")  # panel 1, cell (0, 0)
        low, high = grid.figure.strip_labels(1)
        page.wait_for_function(f"() => ({ANNOUNCE})().endsWith('(panel range {low} to {high})')")
        assert page.evaluate(ANNOUNCE).startswith("1, row 0, column 0, value ")
        # The control panel's "auto limits": each panel's own min and max again.
        page.get_by_role("button", name="auto limits").click()
        strips_read(page, labels_of(frames["b"]))
        # The previous frame, shown by the page alone: its own per-panel ranges.
        page.locator(".dhg-body").focus()
        page.keyboard.press("[")
        strips_read(page, labels_of(frames["a"]))
        assert labels_of(frames["a"]) != labels_of(frames["b"])
        assert blocked == []
    finally:
        page.close()
        grid.close()


def test_compare_views_per_panel_offline(chromium_browser, tmp_path: Path):
    """Offline, V flips views: the difference is symmetric about 0 in each panel, the
    data and reference views take each panel's data and reference range, as Python."""
    stack = magnitudes()[:4]
    reference = stack * 0.5 + 0.001
    grid = DigitHeatmapGrid(stack, renderer="svg", panel_limits="per-panel")
    grid.compare(reference)
    expected = {}
    for view in ("data", "reference", "difference"):
        grid.showing = view
        expected[view] = labels_of(grid.figure)
    assert all(low == "-" + high for low, high in expected["difference"])
    page, blocked = open_saved(chromium_browser, grid, tmp_path / "compare.html")
    try:
        strips_read(page, expected["difference"])
        page.locator(".dhg-body").focus()
        for view in ("data", "reference", "difference"):
            page.keyboard.press("v")
            strips_read(page, expected[view])
        assert blocked == []
    finally:
        page.close()
        grid.close()
