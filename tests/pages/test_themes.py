"""Exported pages in light and dark (issue "Readable without a mouse and without sight",
item 4): a page follows the reader's system (``prefers-color-scheme``) or a fixed
``theme=``; every text on it (titles, tick labels, colorbar labels, the control panel) keeps
at least 4.5:1 contrast against what is behind it, in the live view, in the static
picture, and on the canvas renderer, offline."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from contrast import READ_TEXTS, contrast_ratio, is_dark, low_contrast
from chromium import block_network

from digitheat_widget import DigitHeatmapGrid

GRIDS = {
    "default": lambda: DigitHeatmapGrid(),
    "controls": lambda: DigitHeatmapGrid(controls=True, highlighted=[2]),
}
#: (theme written into the page, the reader's system preference) -> dark page expected?
THEMES = {("auto", "light"): False, ("auto", "dark"): True,
          ("dark", "light"): True, ("light", "dark"): False}
LIVE = "() => document.querySelector('.dhg-body[aria-label]') && !document.querySelector('.digitheat-pending')"


def open_page(browser, path, scheme: str, javascript: bool = True):
    context = browser.new_context(color_scheme=scheme, java_script_enabled=javascript,
                                  viewport={"width": 1100, "height": 1200})
    page = context.new_page()
    blocked = block_network(page)
    page.goto(path.as_uri())
    return page, blocked


def page_background(page) -> list[float]:
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor"
                         ".match(/[\\d.]+/g).map(Number)")


@pytest.mark.parametrize(("theme", "scheme"), sorted(THEMES))
@pytest.mark.parametrize("case", sorted(GRIDS))
def test_live_view_text_keeps_contrast(chromium_browser, tmp_path, case, theme, scheme):
    grid = GRIDS[case]()
    path = tmp_path / f"{case}-{theme}.html"
    grid.save(path, theme=theme)
    page, blocked = open_page(chromium_browser, path, scheme)
    try:
        page.wait_for_function(LIVE)
        assert is_dark(page_background(page)) is THEMES[theme, scheme]
        texts = page.evaluate(READ_TEXTS, ".digitheat-embed")
        titles = sorted(t["text"] for t in texts if t["kind"] == "title")
        assert titles == [str(d) for d in range(10)]
        # Panel ticks 0-6 and 0-5 on each panel, and the colorbar's labels.
        assert sum(t["kind"] == "tick" for t in texts) >= 10 * 13 + 3
        if case == "controls":
            assert any(t["kind"] == "html" and t["text"] == "colormap" for t in texts)
        assert low_contrast(texts) == []
        assert blocked == []
    finally:
        page.context.close()
        grid.close()


@pytest.mark.parametrize(("theme", "scheme"), [("auto", "dark"), ("light", "dark"), ("dark", "light")])
def test_static_picture_follows_the_theme(chromium_browser, tmp_path, theme, scheme):
    """Where scripts do not run the picture stays: it takes the page's colours."""
    grid = DigitHeatmapGrid(highlighted=[4])
    path = tmp_path / "picture.html"
    grid.save(path, theme=theme)
    page, _ = open_page(chromium_browser, path, scheme, javascript=False)
    try:
        backdrop = page.evaluate(
            "() => getComputedStyle(document.querySelector('.digitheat-static rect.background')).fill"
            ".match(/[\\d.]+/g).map(Number)")
        assert is_dark(backdrop) is THEMES[theme, scheme]
        texts = page.evaluate(READ_TEXTS, ".digitheat-static")
        assert sorted(t["text"] for t in texts if t["kind"] == "title") == [str(d) for d in range(10)]
        assert low_contrast(texts) == []
        # The axes follow too: the same ink as the tick labels.
        axis, tick = page.evaluate(
            "() => [getComputedStyle(document.querySelector('.digitheat-static .dhs-axis')).stroke,"
            " getComputedStyle(document.querySelector('.digitheat-static .dhs-tick')).fill]")
        assert axis == tick
    finally:
        page.context.close()
        grid.close()


def test_canvas_follows_the_system_when_it_switches(chromium_browser, tmp_path):
    grid = DigitHeatmapGrid(np.random.default_rng(1).random((100, 28, 28)))
    assert grid.active_renderer == "canvas"
    path = tmp_path / "canvas.html"
    grid.save(path)
    page, blocked = open_page(chromium_browser, path, "light")
    # Around the plot areas the canvas is see-through (the page shows); the first panel's
    # title is the most opaque ink in its panel's top margin.
    read = """() => {
      const c = document.querySelector('.dhg-canvas canvas');
      if (!c || !c.width) return null;
      const k = c.width / parseFloat(c.style.width);
      const band = c.getContext('2d').getImageData(0, 0, Math.round(120 * k), Math.round(20 * k)).data;
      let ink = [0, 0, 0, 0];
      for (let i = 0; i < band.length; i += 4) {
        if (band[i + 3] > ink[3]) ink = [band[i], band[i + 1], band[i + 2], band[i + 3]];
      }
      const page = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number);
      return { ink: [ink[0], ink[1], ink[2], ink[3] / 255], page };
    }"""
    try:
        page.wait_for_function(f"() => {{ const r = ({read})(); return r && r.ink[3] > 0.5; }}")
        light = page.evaluate(read)
        assert not is_dark(light["page"])
        assert contrast_ratio(light["ink"], light["page"]) >= 4.5
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(
            f"() => {{ const r = ({read})(); return r && r.page[0] < 60 && r.ink[0] > 128; }}")
        dark = page.evaluate(read)
        assert is_dark(dark["page"])
        assert contrast_ratio(dark["ink"], dark["page"]) >= 4.5
        assert blocked == []
    finally:
        page.context.close()
        grid.close()


def test_no_axe_violation_in_dark(chromium_browser, tmp_path):
    """axe-core checks the control panel's HTML text contrast in dark too."""
    from axe_playwright_python.sync_playwright import Axe

    grid = DigitHeatmapGrid(controls=True, highlighted=[2])
    path = tmp_path / "dark.html"
    grid.save(path, theme="dark")
    page, _ = open_page(chromium_browser, path, "light")
    try:
        page.wait_for_function(LIVE)
        violations = Axe().run(page).response["violations"]
        assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
                for v in violations] == []
    finally:
        page.context.close()
        grid.close()


def test_page_says_its_theme(tmp_path):
    grid = DigitHeatmapGrid()
    try:
        auto, dark, light = (grid.to_html(theme=t) for t in ("auto", "dark", "light"))
        assert '<html lang="en">' in auto and 'content="light dark"' in auto
        assert '<html lang="en" class="digitheat-theme-dark">' in dark
        assert 'content="dark"' in dark and "@media all" in dark and "@media all" not in auto
        assert '<html lang="en" class="digitheat-theme-light">' in light
    finally:
        grid.close()


@pytest.mark.parametrize("bad", ["night", "Dark", None, 1])
def test_bad_theme_is_refused_and_nothing_written(tmp_path, bad):
    grid = DigitHeatmapGrid()
    path = tmp_path / "x.html"
    try:
        with pytest.raises(ValueError, match=r"theme.*'auto', 'light', 'dark'") as err:
            grid.save(path, theme=bad)
        assert repr(bad) in str(err.value)
        assert not path.exists()
        with pytest.raises(ValueError, match=r"theme applies to .html pages only"):
            grid.save(tmp_path / "x.png", theme="dark")
        assert not (tmp_path / "x.png").exists()
    finally:
        grid.close()


def test_cli_theme(tmp_path):
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "digitheat_widget", *args], cwd=tmp_path,
        capture_output=True, text=True, timeout=120)
    written = run("-o", "dark.html", "--theme", "dark")
    assert written.returncode == 0, written.stderr
    assert 'class="digitheat-theme-dark"' in (tmp_path / "dark.html").read_text(encoding="utf-8")
    refused = run("-o", "grid.svg", "--theme", "dark")
    assert refused.returncode == 2
    assert "--theme applies only to .html pages" in refused.stderr
    assert not (tmp_path / "grid.svg").exists()
