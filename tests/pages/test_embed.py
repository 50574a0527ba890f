"""HTML export: one self-contained page that shows the grid as the widget does, offline.

Each page is opened from a file in headless Chromium with every request that is not
``file:``, ``data:`` or ``blob:`` aborted (and counted; one test serves its page from
loopback, to hold its end back), and read back from the DOM:
cell count, computed fills against matplotlib, NaN colour, hover tooltip, panel titles.
A grid's page first paints a static SVG picture drawn in Python, which the live widget
replaces once drawn; a probe installed before any page script looks at every frame
(what it holds is what that frame paints) and at the swap. Waits are on page conditions
only. Timings (first paint, live widget) are printed, never asserted: they depend on
the machine.
"""

from __future__ import annotations

import gzip
import html
import http.server
import json
import re
import statistics
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digitheat_widget import DigitHeatmapGrid, sample_data
from digitheat_widget.export import html as embed
from digitheat_widget.figure import layout as figure_layout

#: The page budget for the default grid, in bytes (peers: plotly 4.8 MB, a plain
#: html-manager + bqplot page 3.6 MB). 1.5 MB until the dark theme's variables (1.5 KB)
#: and the controller's frames and playback code (3 KB) came in; 1.51 MB until paging
#: (keyboard page turns) and the controls' user-only sends (1 KB); 1.515 MB until the page
#: code became typed modules with its own rules (cell-end patches, clicks that name their
#: page, the limit sliders' real aria numbers: 1,515,034 B with the control panel); 1.516 MB
#: until the grid fitted narrow screens (fit.js and the layout twin: 4.1 KB over 1,516,702 B);
#: 1.521 MB until the compact player of a grid with frames (4.7 KB); 1.526 MB until the
#: linked cursor (cursor.js, its CSS and the colour rule of its swatches: 8.3 KB) and
#: per-panel colour limits (strip.js, the per-panel rule and readout: 2.9 KB), together
#: 1,539,166 B with the control panel.
MAX_PAGE_BYTES = 1_540_000
RGB_TOLERANCE = 6
OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
EVIL_LABEL = "</script><script>window.pwned=1</script>"

#: Installed before any script of the page. Records
#: * ``firstFrame``: the first animation frame that shows the static picture (in the DOM,
#:   its SVG not hidden), with what the picture holds then (cell count, computed fills and
#:   boxes of its cells, panel titles) and the page height. A rAF callback runs just
#:   before its frame is painted, and this one is queued before any of the page's, so that
#:   is what the frame paints; the page parses no script before its bootstrap, and the
#:   picture comes first. The parser may stop anywhere in the picture and let frames paint
#:   (a loaded machine, a slow network: HeldPage makes it stop there), so a frame may hold
#:   part of the picture: the page hides it until whole, and this counts what is shown.
#: * ``pictureFrames``: frames whose DOM held the picture, shown or not;
#: * ``emptyFrames``: later frames that showed neither the whole picture nor the whole
#:   live view (a flash of an empty or half-drawn grid);
#: * ``live``: when the picture has left and all live cells exist in a shown host (the
#:   swap happens in one task, so this is when the live widget can first be hovered);
#: * CSP violations and uncaught errors.
#: With ``frames: false`` it does not look at frames (that costs the page about 20 ms
#: before the live widget shows), for timings.
PROBE = """
(() => {
  const p = window.__probe = { expected: null, frames: true, firstFrame: null, pictureFrames: 0,
                               emptyFrames: 0, live: null, liveHeight: null, csp: [], errors: [] };
  const liveCells = document.getElementsByClassName('heatmapcell');
  const pictureCells = () => document.querySelectorAll('.digitheat-static g[class^="dhs-p"] > rect');
  const liveShown = () => p.expected !== null && liveCells.length >= p.expected
    && !document.querySelector('.digitheat-pending');
  const shown = (picture) => {
    const svg = picture && picture.querySelector(':scope > svg');
    return !!svg && getComputedStyle(svg).visibility === 'visible'
      && getComputedStyle(picture).opacity === '1';
  };
  const box = (e) => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; };
  const observer = new MutationObserver(() => {
    if (p.live === null && !document.querySelector('.digitheat-static') && liveShown()) {
      p.live = performance.now();
      p.liveHeight = document.documentElement.scrollHeight;
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  const frame = (t) => {
    const picture = document.querySelector('.digitheat-static');
    if (picture) p.pictureFrames += 1;
    if (p.firstFrame === null && shown(picture)) {
      const cells = [...pictureCells()];
      p.firstFrame = {
        t, cells: cells.length, fills: cells.map((c) => getComputedStyle(c).fill),
        boxes: cells.map(box), height: document.documentElement.scrollHeight,
        titles: [...picture.querySelectorAll('text')].map((e) => e.textContent),
      };
    } else if (p.firstFrame !== null && p.live === null) {
      if (!((shown(picture) && pictureCells().length >= p.expected) || liveShown())) p.emptyFrames += 1;
    }
    if (p.live === null) requestAnimationFrame(frame);
  };
  if (p.frames) requestAnimationFrame(frame);
  document.addEventListener('securitypolicyviolation',
    (e) => window.__probe.csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.addEventListener('error', (e) => window.__probe.errors.push(String(e.message)));
})();
"""


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embed")


class HeldPage:
    """One exported page served over loopback HTTP with everything from byte ``cut`` on
    held back until :meth:`release`: the browser parses, and paints, what came before,
    as when its parser stops there by itself (it yields to let frames paint, which on a
    loaded machine happens anywhere in the page; so does a slow network)."""

    def __init__(self, path: Path, cut: int) -> None:
        body, released = path.read_bytes(), threading.Event()
        self._released = released

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:cut])
                self.wfile.flush()
                released.wait(60)
                self.wfile.write(body[cut:])

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/{path.name}"

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


class OfflinePage:
    """An exported page opened from disk with the network cut off."""

    def __init__(self, browser: Any, path: Path, expected_cells: int, *,
                 javascript: bool = True, frames: bool = True,
                 held: HeldPage | None = None) -> None:
        """Open ``path``; wait until every view is displayed and, for a grid with
        ``expected_cells`` cells, until the live grid has replaced the static picture.
        Without JavaScript, wait for the load event only. ``frames=False``: the probe
        does not look at frames (for timings). ``held``: open the page from it instead
        (its one URL is let through), and release the rest of the page once two frames
        have had the picture in their DOM (the second rAF callback runs after the first
        of those frames has painted)."""
        if held is not None and not (javascript and frames):
            raise ValueError("a held page is released by the probe's frames")
        self.held = held
        # A fresh context per page: no cache, no compiled code from an earlier load.
        self.context = browser.new_context(viewport={"width": 1000, "height": 1100},
                                           device_scale_factor=1,
                                           java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.add_init_script(
            PROBE.replace("expected: null", f"expected: {expected_cells}")
            .replace("frames: true", f"frames: {str(frames).lower()}"))
        if held is None:
            self.page.goto(path.as_uri())
        else:
            self.page.goto(held.url, wait_until="commit")
            self.page.wait_for_function("() => window.__probe.pictureFrames >= 2")
            held.release()
        if not javascript:
            return
        # Every view displayed (the runtime marks <html>), then for a grid its cells.
        self.page.wait_for_function(
            "() => document.documentElement.dataset.digitheatEmbed === 'ready'")
        if expected_cells:
            self.page.wait_for_function(
                f"() => document.getElementsByClassName('heatmapcell').length >= {expected_cells}")
            self.page.wait_for_function("() => window.__probe.live !== null")
            # The colorbar's ticks are drawn in the same pass; wait for them for screenshots.
            self.page.wait_for_function(
                "() => document.querySelectorAll('.dhg-colorbar .tick text').length >= 2")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")) or (self.held and url == self.held.url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    @property
    def probe(self) -> dict[str, Any]:
        return self.page.evaluate("window.__probe")

    def cell(self, digit: int, row: int, col: int) -> Any:
        return self.page.locator(
            f".dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) "
            f"rect.heatmapcell:nth-of-type({col + 1})"
        )

    def fill(self, digit: int, row: int, col: int) -> tuple[int, int, int]:
        text = self.cell(digit, row, col).evaluate("e => getComputedStyle(e).fill")
        match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", text)
        assert match, f"cell ({digit}, {row}, {col}) has fill {text!r}, not an rgb() colour"
        return tuple(int(v) for v in match.groups())  # type: ignore[return-value]

    def live_boxes(self, shape: tuple[int, int, int]) -> list[list[float]]:
        """Boxes of every live cell, in data order (panel, row, column)."""
        return self.page.evaluate(
            """([n, rows, cols]) => {
              const out = [];
              for (let d = 0; d < n; d++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
                const e = document.querySelector(
                  `.dhg-p${d} g.heatmaprow:nth-of-type(${r + 1}) rect.heatmapcell:nth-of-type(${c + 1})`);
                const b = e.getBoundingClientRect();
                out.push([b.x, b.y, b.width, b.height]);
              }
              return out;
            }""", list(shape))

    def close(self) -> None:
        self.context.close()


def rgb(text: str) -> np.ndarray:
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", text)
    assert match, f"{text!r} is not an rgb() colour"
    return np.array([int(v) for v in match.groups()])


def export(grid: DigitHeatmapGrid, path: Path) -> Path:
    embed.grid_to_html(grid, path)
    return path


def hover_format(page: OfflinePage) -> str:
    """The format hover values are documented to take: fixed point with one decimal more
    than the colorbar's tick labels as the page shows them."""
    ticks = page.page.locator(".dhg-colorbar .tick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"-?[\d,]+\.\d+", t) for t in ticks), ticks
    return f".{len(ticks[0].split('.')[1]) + 1}f"


def hot(value: float, lo: float, hi: float) -> np.ndarray:
    import matplotlib

    fraction = min(max((value - lo) / (hi - lo), 0.0), 1.0)
    return np.array(matplotlib.colormaps["hot"](fraction)[:3]) * 255


@pytest.fixture(scope="module")
def default_grid() -> Iterator[DigitHeatmapGrid]:
    grid = DigitHeatmapGrid()
    yield grid
    grid.close()


@pytest.fixture(scope="module")
def default_page_path(default_grid: DigitHeatmapGrid, pages_dir: Path) -> Path:
    return export(default_grid, pages_dir / "default.html")


@pytest.fixture(scope="module")
def default_page(chromium_browser: Any, default_grid: DigitHeatmapGrid,
                 default_page_path: Path) -> Iterator[OfflinePage]:
    page = OfflinePage(chromium_browser, default_page_path, default_grid.data.size)
    yield page
    page.close()


# ---------------------------------------------------------------------- the file


def test_one_file_under_budget(default_page_path: Path, capsys: pytest.CaptureFixture) -> None:
    raw = default_page_path.read_bytes()
    text = raw.decode("utf-8")
    with capsys.disabled():
        print(f"\n[embed] default grid page: {len(raw):,} bytes, "
              f"{len(gzip.compress(raw, 9)):,} gzipped")
    assert len(raw) <= MAX_PAGE_BYTES, f"page is {len(raw):,} bytes, budget {MAX_PAGE_BYTES:,}"
    # Nothing is fetched: no external scripts, styles, frames or images.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", text, re.I)
    # The runtime sits at the end of <body> (in <head> it fails: it touches document.body).
    head, body = text.split("<body>", 1)
    assert "<script>" not in head and body.rstrip().endswith("</script>\n</body>\n</html>")


def test_missing_runtime_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          default_grid: DigitHeatmapGrid) -> None:
    monkeypatch.setattr(embed, "STATIC", tmp_path)
    target = tmp_path / "grid.html"
    hint = "npm --prefix js ci && npm --prefix js run build"
    with pytest.raises(RuntimeError, match=re.escape(hint)):
        embed.grid_to_html(default_grid, target)
    assert not target.exists()


def test_state_cannot_close_its_script_tag(pages_dir: Path) -> None:
    labels = [EVIL_LABEL, "<!--", "a & b", "x>y"] + [str(i) for i in range(4, 10)]
    grid = DigitHeatmapGrid(labels=labels)
    try:
        text = export(grid, pages_dir / "escaped-static.html").read_text(encoding="utf-8")
    finally:
        grid.close()
    # The label's markup appears nowhere as markup: the page has its seven script
    # elements (view, state, runtime, the bqscales, bqplot and anywidget front ends, the
    # grid's controller being an anywidget, and the bootstrap) and no script text holds
    # "<!--".
    assert "window.pwned" in text and "<script>window.pwned" not in text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
    assert [attributes.strip() for attributes, _ in scripts] == [
        'type="application/vnd.jupyter.widget-view+json"',
        'type="application/vnd.jupyter.widget-state+json"',
        'type="text/x-digitheat-runtime"',
        'type="text/x-digitheat-amd" data-amd-module="bqscales"',
        'type="text/x-digitheat-amd" data-amd-module="bqplot"',
        'type="text/x-digitheat-amd" data-amd-module="anywidget"',
        "",
    ]
    assert not any("<!--" in body for _, body in scripts)
    # The static picture holds the labels as escaped SVG text.
    picture = re.search(r'<div class="digitheat-static"[^>]*>(.*?)</div>', text, re.S)
    assert picture and "<script" not in picture.group(1) and "<!--" not in picture.group(1)
    assert f">{html.escape(EVIL_LABEL, quote=False)}</text>" in picture.group(1)
    assert ">a &amp; b</text>" in picture.group(1) and ">x&gt;y</text>" in picture.group(1)
    state = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', text, re.S
    )
    assert state and not re.search(r"[<>&]", state.group(1))
    titles = {m["state"].get("title") for m in json.loads(state.group(1))["state"].values()}
    assert set(labels) <= titles  # \u003c etc. decode back to the labels exactly


def test_unsupported_widgets_are_refused_before_writing(tmp_path: Path) -> None:
    from ipywidgets import DOMWidget, VBox
    from traitlets import Unicode

    class ThirdParty(DOMWidget):
        _model_name = Unicode("ThingModel").tag(sync=True)
        _model_module = Unicode("some-extension").tag(sync=True)
        _view_name = Unicode("ThingView").tag(sync=True)
        _view_module = Unicode("some-extension").tag(sync=True)

    thing = ThirdParty()
    box = VBox([thing])
    target = tmp_path / "thing.html"
    try:
        with pytest.raises(embed.EmbedError, match="some-extension.ThingModel"):
            embed.widget_to_html(box, target)
    finally:
        thing.close()
        box.close()
    assert not target.exists()


def test_front_end_files_are_checked_and_made_safe_to_inline(tmp_path: Path) -> None:
    # A bundle whose strings hold "</script" or "<!--" must not end or confuse its element;
    # \x3C is the same "<" inside JS strings, regexes and comments.
    js = 'define([],function(){return {a:"</script>",b:/<!--/,c:"</SCRIPT "}});'
    safe = embed.script_text(js)
    assert not re.search(r"</script|<!--", safe, re.I) and safe.count("\\x3C") == 3
    # An AMD file needing a module the runtime does not provide is refused by name.
    amd = tmp_path / "index.js"
    amd.write_text('/*! licence */\ndefine(["@jupyter-widgets/base","jquery-ui"],f);\n'
                   "//# sourceMappingURL=index.js.map\n", encoding="utf-8")
    with pytest.raises(embed.EmbedError, match="jquery-ui"):
        embed.amd_source(amd, amd.stat().st_mtime, ("@jupyter-widgets/base",))
    amd.write_text('define(["@jupyter-widgets/base"],f);\n//# sourceMappingURL=index.js.map\n',
                   encoding="utf-8")
    assert "sourceMappingURL" not in embed.amd_source(amd, amd.stat().st_mtime + 1,
                                                       ("@jupyter-widgets/base",))


# ---------------------------------------------------------------------- the page


def test_renders_offline_as_the_widget(default_page: OfflinePage,
                                       default_grid: DigitHeatmapGrid) -> None:
    page, grid = default_page, default_grid
    count, rows, cols = grid.data.shape
    assert page.page.locator("rect.heatmapcell").count() == count * rows * cols == 420
    assert page.blocked == [], f"requests left the page: {page.blocked}"
    probe = page.probe
    assert probe["csp"] == [] and probe["errors"] == [] and page.console_errors == []

    # Colours: matplotlib's "hot" over the grid's limits, at the extremes and inside.
    data, (lo, hi) = grid.data, grid.limits
    known = [np.unravel_index(np.nanargmax(data), data.shape),
             np.unravel_index(np.nanargmin(data), data.shape), (3, 0, 2), (0, 3, 1), (7, 3, 3)]
    middle = np.argsort(np.abs(data - (lo + hi) / 2), axis=None)[0]
    known.append(np.unravel_index(middle, data.shape))
    for digit, row, col in known:
        value = data[digit, row, col]
        got, want = np.array(page.fill(digit, row, col)), hot(value, lo, hi)
        assert np.abs(got - want).max() <= RGB_TOLERANCE, (
            f"cell ({digit}, {row}, {col}) = {value:.4g}: page {got}, matplotlib {want.round()}")

    # Titles and colorbar ticks as the widget writes them.
    titles = page.page.locator(".dhg-panel .mainheading").all_text_contents()
    assert titles == grid.labels
    ticks = page.page.locator(".dhg-colorbar .tick text").all_text_contents()
    assert ticks == grid.tick_labels()

    OUTPUT_DIR.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    page.page.locator(".digitheat-grid").screenshot(path=OUTPUT_DIR / "screenshots" / "embed.png")


def test_hover_shows_the_value(default_page: OfflinePage, default_grid: DigitHeatmapGrid) -> None:
    digit, row, col = 3, 0, 2
    value = default_grid.data[digit, row, col]
    # Hover values show one decimal more than the colorbar's labels in the page.
    expected = format(value, hover_format(default_page))
    default_page.cell(digit, row, col).hover()
    default_page.page.wait_for_function(
        """(expected) => [...document.querySelectorAll('.bqplot_mark_tooltip')].some(
             (t) => getComputedStyle(t).display !== 'none' && t.textContent.includes(expected))""",
        arg=expected,
    )
    shown = default_page.page.evaluate(
        """() => [...document.querySelectorAll('.bqplot_mark_tooltip')]
             .filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.innerText)""")
    assert len(shown) == 1
    text = re.sub(r"\s+", " ", shown[0])
    assert f"{default_grid.labels[digit]} · row {row}" in text and f"column {col}" in text
    assert f"value {expected}" in text
    assert default_page.blocked == []


def test_nan_cells_show_nan_color(chromium_browser: Any, pages_dir: Path) -> None:
    data = sample_data().copy()
    holes = [(0, 0, 0), (4, 3, 2), (9, 6, 5)]
    for hole in holes:
        data[hole] = np.nan
    grid = DigitHeatmapGrid(data, nan_color="#4a90d9")
    page = OfflinePage(chromium_browser, export(grid, pages_dir / "nan.html"), data.size)
    try:
        for hole in holes:
            assert page.fill(*hole) == (0x4A, 0x90, 0xD9)
        lo, hi = grid.limits
        assert np.abs(np.array(page.fill(0, 0, 1)) - hot(data[0, 0, 1], lo, hi)).max() <= RGB_TOLERANCE
        assert page.blocked == []
    finally:
        page.close()
        grid.close()


def test_labels_are_text_never_markup(chromium_browser: Any, pages_dir: Path) -> None:
    labels = [EVIL_LABEL] + [str(i) for i in range(1, 10)]
    grid = DigitHeatmapGrid(labels=labels)
    page = OfflinePage(chromium_browser, export(grid, pages_dir / "evil.html"), grid.data.size)
    try:
        title = page.page.locator(".dhg-p0 .mainheading")
        assert title.text_content() == EVIL_LABEL
        assert page.page.evaluate("typeof window.pwned") == "undefined"
        assert page.page.evaluate("document.scripts.length") == page.page.evaluate(
            "document.querySelectorAll('body > script, .digitheat-embed > script').length")
        assert page.page.title() == "digitheat grid"
        assert page.blocked == [] and page.probe["errors"] == []
    finally:
        page.close()
        grid.close()


def test_title_is_escaped(pages_dir: Path, default_grid: DigitHeatmapGrid) -> None:
    text = embed.grid_to_html(default_grid, title="<b>maps</b> & more")
    assert f"<title>{html.escape('<b>maps</b> & more')}</title>" in text


def known_cells(data: np.ndarray, lo: float, hi: float) -> list[tuple[int, int, int]]:
    """Cells whose colours say most: the extremes, one near the middle, a few fixed."""
    middle = np.argsort(np.abs(data - (lo + hi) / 2), axis=None)[0]
    cells = [np.unravel_index(np.nanargmax(data), data.shape),
             np.unravel_index(np.nanargmin(data), data.shape),
             np.unravel_index(middle, data.shape), (3, 0, 2), (0, 3, 1), (7, 3, 3)]
    return [tuple(int(i) for i in cell) for cell in cells]


@pytest.fixture
def held_page(chromium_browser: Any, default_grid: DigitHeatmapGrid,
              default_page_path: Path) -> Iterator[OfflinePage]:
    """The default page, its parser made to stop half-way through the picture's SVG
    (where it stops by itself now and then on a loaded machine) while frames paint."""
    body = default_page_path.read_bytes()
    start = body.index(b'<div class="digitheat-static"')
    held = HeldPage(default_page_path, (start + body.index(b"</svg>", start)) // 2)
    try:
        page = OfflinePage(chromium_browser, default_page_path, default_grid.data.size, held=held)
        try:
            yield page
        finally:
            page.close()
    finally:
        held.close()


def test_first_frame_shows_the_whole_figure(held_page: OfflinePage,
                                            default_grid: DigitHeatmapGrid) -> None:
    """The first frame with anything in it paints the static picture, whole and right,
    even when frames paint while the parser is half-way through it; the live grid then
    takes its place: same cells at the same pixels, no frame in between without a grid,
    no change of page height, the picture gone."""
    page, grid = held_page, default_grid
    probe = page.probe
    first = probe["firstFrame"]
    assert first is not None, "no frame painted the static picture"
    count, rows, cols = grid.data.shape
    assert first["cells"] == count * rows * cols, (
        f"the first frame that showed the static picture showed {first['cells']} of its "
        f"{count * rows * cols} cells")
    # Colours against matplotlib's "hot" over the grid's limits.
    data, (lo, hi) = grid.data, grid.limits
    for digit, row, col in known_cells(data, lo, hi):
        got = rgb(first["fills"][(digit * rows + row) * cols + col])
        want = hot(data[digit, row, col], lo, hi)
        assert np.abs(got - want).max() <= RGB_TOLERANCE, (digit, row, col, got, want.round())
    assert set(grid.labels) <= set(first["titles"]) and set(grid.tick_labels()) <= set(first["titles"])
    # The Paint Timing API's first contentful paint is that frame (or a later one).
    paints = page.page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]))")
    assert first["t"] <= paints["first-contentful-paint"] <= probe["live"]
    # The swap: live cells where the picture's were, nothing empty shown in between.
    assert probe["emptyFrames"] == 0
    assert page.page.locator(".digitheat-static").count() == 0
    assert page.page.locator(".digitheat-pending").count() == 0
    assert page.page.locator("rect.heatmapcell").count() == count * rows * cols
    live = np.array(page.live_boxes(grid.data.shape))
    assert np.abs(live - np.array(first["boxes"])).max() <= 0.5
    assert probe["liveHeight"] == first["height"]
    assert page.blocked == [] and probe["errors"] == [] and page.console_errors == []


def test_first_paint(chromium_browser: Any, default_grid: DigitHeatmapGrid, default_page_path: Path,
                     capsys: pytest.CaptureFixture) -> None:
    """Print, over five cold loads (fresh context each), when the figure first paints and
    when the live widget is interactive; not asserted.

    First paint is the Paint Timing API's ``first-contentful-paint`` entry: the first
    frame that painted any content, which test_first_frame_shows_the_whole_figure checks
    is the whole static figure. Interactive is the probe's ``live``: the live grid shown
    in the picture's place with all its cells (bqplot attaches hover and click handlers
    in the pass that draws them). Both from navigation start.
    """
    painted, live = [], []
    for _ in range(5):
        page = OfflinePage(chromium_browser, default_page_path, default_grid.data.size, frames=False)
        try:
            painted.append(page.page.evaluate(
                "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"))
            live.append(page.probe["live"])
            assert page.blocked == []
        finally:
            page.close()

    def summary(times: list[float]) -> str:
        return (f"median {statistics.median(times):.0f} ms, range {min(times):.0f}-{max(times):.0f}"
                f" ({', '.join(f'{t:.0f}' for t in times)})")

    with capsys.disabled():
        print(f"\n[embed] over 5 cold loads: figure first painted {summary(painted)};"
              f"\n[embed] live widget interactive {summary(live)}")


def test_static_figure_without_javascript(chromium_browser: Any, pages_dir: Path) -> None:
    """Where scripts do not run (turned off, or stripped by a learning-management
    system), the page still shows the whole figure: the static picture stays."""
    data = sample_data().copy()
    data[4, 3, 2] = np.nan
    grid = DigitHeatmapGrid(data, labels=[EVIL_LABEL] + [str(i) for i in range(1, 10)],
                            highlighted=[2])
    path = export(grid, pages_dir / "no-js.html")
    page = OfflinePage(chromium_browser, path, grid.data.size, javascript=False)
    try:
        count, rows, cols = grid.data.shape
        cells = page.page.locator('.digitheat-static g[class^="dhs-p"] > rect')
        assert cells.count() == count * rows * cols
        # Shown whole once parsed: the rule that hides a half-parsed picture is CSS alone.
        assert page.page.locator(".digitheat-static > svg").is_visible()
        fills = cells.evaluate_all("(cells) => cells.map((c) => getComputedStyle(c).fill)")
        lo, hi = grid.limits
        # Panel 2 highlighted: it keeps full colour; NaN takes nan_color (panel 4 dimmed).
        for digit, row, col in [(2, 0, 2), (2, 3, 1), (2, 6, 5)]:
            got = rgb(fills[(digit * rows + row) * cols + col])
            assert np.abs(got - hot(data[digit, row, col], lo, hi)).max() <= RGB_TOLERANCE
        nan = rgb(fills[(4 * rows + 3) * cols + 2])
        dimmed_nan = np.array([0x4A, 0x90, 0xD9]) * figure_layout.DIMMED_OPACITY + 255 * (1 - figure_layout.DIMMED_OPACITY)
        assert np.abs(nan - dimmed_nan).max() <= RGB_TOLERANCE
        assert page.page.locator(".digitheat-static rect.highlight").count() == len(grid.highlighted)
        texts = page.page.locator(".digitheat-static text").all_text_contents()
        assert EVIL_LABEL in texts and set(grid.tick_labels()) <= set(texts)
        assert page.page.locator("rect.heatmapcell").count() == 0  # no live view
        assert page.blocked == []
    finally:
        page.close()
        grid.close()


def test_static_figure_stays_when_the_runtime_fails(chromium_browser: Any, pages_dir: Path,
                                                    default_grid: DigitHeatmapGrid) -> None:
    """If the live view cannot be built (here: bqplot's front-end throws), the page keeps
    the static figure and says, below it, that the interactive view failed."""
    text = embed.grid_to_html(default_grid)
    text, replaced = re.subn(
        r'(<script type="text/x-digitheat-amd" data-amd-module="bqplot">).*?(</script>)',
        lambda m: m.group(1) + 'throw new Error("bqplot front-end broken");' + m.group(2),
        text, flags=re.S)
    assert replaced == 1
    path = pages_dir / "broken.html"
    path.write_text(text, encoding="utf-8")
    page = OfflinePage(chromium_browser, path, expected_cells=0)
    try:
        error = page.page.locator(".digitheat-embed-error")
        error.wait_for()
        # The message names what failed, taken from the script's own error.
        assert "interactive view could not be shown: bqplot front-end broken" in error.text_content()
        assert page.page.locator(".digitheat-static").is_visible()
        assert page.page.locator('.digitheat-static g[class^="dhs-p"] > rect').count() == 420
        assert page.page.locator("rect.heatmapcell").count() == 0
        assert page.blocked == []
    finally:
        page.close()


def test_page_holds_only_this_grid(pages_dir: Path) -> None:
    """Other widgets alive in the kernel (another grid here) stay out of the page."""
    other = DigitHeatmapGrid(labels=[f"other-{i}" for i in range(10)])
    grid = DigitHeatmapGrid(sample_data()[:3], labels=["a", "b", "c"])
    try:
        text = export(grid, pages_dir / "only.html").read_text(encoding="utf-8")
    finally:
        grid.close()
        other.close()
    assert "other-" not in text
    assert text.count('"model_name":"GridHeatMapModel"') == 3


def test_control_panel_works_without_a_kernel(chromium_browser: Any, pages_dir: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    """The limit sliders drive the colour scale in the page (through the grid's
    controller): dragging recolours the page, which fits the page budget with its control
    panel too."""
    grid = DigitHeatmapGrid(controls=True)
    path = export(grid, pages_dir / "controls.html")
    size = path.stat().st_size
    with capsys.disabled():
        print(f"\n[embed] grid with control panel: {size:,} bytes")
    assert size <= MAX_PAGE_BYTES, f"page is {size:,} bytes, budget {MAX_PAGE_BYTES:,}"
    # It carries the controls part with sliders, dropdowns and toggles, not the others.
    text = path.read_text(encoding="utf-8")
    assert 'data-amd-module="digitheat:controls-extra"' in text
    assert 'data-amd-module="digitheat:controls-more"' not in text
    page = OfflinePage(chromium_browser, path, grid.data.size)
    try:
        digit, row, col = 3, 0, 2
        value = grid.data[digit, row, col]
        before = page.fill(digit, row, col)
        assert np.abs(np.array(before) - hot(value, *grid.limits)).max() <= RGB_TOLERANCE
        handles = page.page.locator(".dhg-controls .noUi-handle")
        assert handles.count() == 2  # vmin, vmax
        handles.nth(1).focus()
        for _ in range(60):
            page.page.keyboard.press("ArrowLeft")  # lower vmax
        page.page.wait_for_function(
            "([sel, before]) => getComputedStyle(document.querySelector(sel)).fill !== before",
            arg=[f".dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) "
                 f"rect.heatmapcell:nth-of-type({col + 1})", "rgb({}, {}, {})".format(*before)],
        )
        lo, hi = page.page.evaluate("""async () => {
            const [manager] = await window.digitheatEmbed.ready;
            const models = await Promise.all(Object.values(manager._models));
            const scale = models.find((m) => m.get('_model_name') === 'ColorScaleModel');
            return [scale.get('min'), scale.get('max')];
        }""")
        assert hi < grid.limits[1]
        after = np.array(page.fill(digit, row, col))
        assert np.abs(after - hot(value, lo, hi)).max() <= RGB_TOLERANCE
        assert page.blocked == [] and page.console_errors == [] and page.probe["csp"] == []
    finally:
        page.close()
        grid.close()


def test_every_control_and_click_works_without_a_kernel(chromium_browser: Any, pages_dir: Path) -> None:
    """The page's controller owns what a person does: the colormap menu recolours, a title
    click highlights (and presses that toggle), a toggle highlights, a cell click outlines
    the cell, "auto limits" undoes a slider drag; all with no kernel and no request."""
    import matplotlib

    grid = DigitHeatmapGrid(controls=True)
    page = OfflinePage(chromium_browser, export(grid, pages_dir / "all-controls.html"), grid.data.size)
    p = page.page
    digit, row, col = 3, 0, 2
    value = grid.data[digit, row, col]
    lo, hi = grid.limits
    cell_fill = f".dhg-p{digit} g.heatmaprow:nth-of-type({row + 1}) rect.heatmapcell:nth-of-type({col + 1})"
    try:
        # Colormap menu: the cells take viridis' colour for the same value.
        hot_fill = "rgb({}, {}, {})".format(*page.fill(digit, row, col))
        p.locator(".dhg-controls select").select_option("viridis")
        viridis = np.array(matplotlib.colormaps["viridis"]((value - lo) / (hi - lo))[:3]) * 255
        p.wait_for_function(
            "([sel, before]) => getComputedStyle(document.querySelector(sel)).fill !== before",
            arg=[cell_fill, hot_fill])
        assert np.abs(np.array(page.fill(digit, row, col)) - viridis).max() <= RGB_TOLERANCE

        # A title click highlights that panel, dims the others and presses its toggle.
        p.locator(".dhg-t5").click()
        p.wait_for_function("() => document.querySelector('.dhg-p5.dhg-highlighted') !== null")
        opacity = lambda d: float(p.locator(f".dhg-p{d} rect.heatmapcell").first.evaluate(  # noqa: E731
            "e => getComputedStyle(e.closest('g.heatmap') || e).opacity"))
        assert opacity(5) == 1.0
        assert opacity(0) == pytest.approx(figure_layout.DIMMED_OPACITY)
        pressed = p.locator(".dhg-controls .jupyter-button.mod-active")
        assert pressed.all_inner_texts() == ["5"]
        # Its toggle again: highlight off, nothing dimmed.
        p.locator(".dhg-controls .jupyter-button", has_text="5").first.click()
        p.wait_for_function("() => document.querySelector('.dhg-highlighted') === null")
        assert opacity(0) == 1.0

        # A cell click outlines that cell.
        page.cell(digit, row, col).click()
        p.wait_for_function(
            "([sel]) => getComputedStyle(document.querySelector(sel)).strokeWidth === '3px'",
            arg=[cell_fill])
        stroke = rgb(page.cell(digit, row, col).evaluate("e => getComputedStyle(e).stroke"))
        assert stroke.tolist() == [0, 229, 255]  # figure_layout.SELECTED_COLOR

        # Drag vmax down with the keyboard, then "auto limits" puts it back.
        before = page.fill(digit, row, col)
        handle = p.locator(".dhg-controls .noUi-handle").nth(1)
        handle.focus()
        for _ in range(60):
            p.keyboard.press("ArrowLeft")
        p.wait_for_function(
            "([sel, before]) => getComputedStyle(document.querySelector(sel)).fill !== before",
            arg=[cell_fill, "rgb({}, {}, {})".format(*before)])
        p.locator(".dhg-controls button", has_text="auto limits").click()
        p.wait_for_function(
            "([sel, before]) => getComputedStyle(document.querySelector(sel)).fill === before",
            arg=[cell_fill, "rgb({}, {}, {})".format(*before)])
        ticks = p.locator(".dhg-colorbar .tick text").evaluate_all("ts => ts.map((t) => t.textContent)")
        assert ticks[0] == "0.000" and ticks[-1] == "0.014"
        # What the controller set on bqplot's models is the page's own: nothing waits in
        # ipywidgets' diff to be sent to a kernel with the model's next save.
        pending = p.evaluate("""async () => {
            const [manager] = await window.digitheatEmbed.ready;
            const models = await Promise.all(Object.values(manager._models));
            return models.filter((m) => m.get('_model_module') === 'bqplot')
              .map((m) => [m.get('_model_name'), Object.keys(m._buffered_state_diff || {})])
              .filter(([, keys]) => keys.length);
        }""")
        assert pending == []
        assert page.blocked == [] and page.console_errors == [] and page.probe["csp"] == []
    finally:
        page.close()
        grid.close()


def test_other_controls_load_from_their_own_part(chromium_browser: Any, pages_dir: Path) -> None:
    """Tabs (a lumino TabBar, bundled in the part with the other controls, on the
    runtime's lumino Widget) and a colour picker work offline; the page carries that part
    and not the one with sliders."""
    from ipywidgets import HTML, ColorPicker, Tab, VBox

    tab = Tab(children=[HTML("<i>first page</i>"), HTML("<i>second page</i>")],
              titles=["one", "two"])
    picker = ColorPicker(value="#ff0000", description="colour")
    box = VBox([tab, picker])
    try:
        text = embed.widget_to_html(box, pages_dir / "tabs.html")
    finally:
        for widget in (*tab.children, tab, picker, box):
            widget.close()
    assert 'data-amd-module="digitheat:controls-more"' in text
    assert 'data-amd-module="digitheat:controls-extra"' not in text
    page = OfflinePage(chromium_browser, pages_dir / "tabs.html", expected_cells=0)
    try:
        tabs = page.page.locator(".lm-TabBar-tab")
        assert tabs.all_text_contents() == ["one", "two"]
        assert page.page.get_by_text("first page").is_visible()
        tabs.nth(1).click()
        page.page.get_by_text("second page").wait_for(state="visible")
        assert not page.page.get_by_text("first page").is_visible()
        assert page.page.locator(".widget-colorpicker input[type=color]").input_value() == "#ff0000"
        assert page.blocked == [] and page.console_errors == [] and page.probe["csp"] == []
    finally:
        page.close()


def test_anywidget_front_ends_load_offline(chromium_browser: Any, pages_dir: Path) -> None:
    """An anywidget (e.g. a canvas renderer) ships its ES module in the state; the page
    imports it from a blob: URL, which its CSP then allows, and nothing else."""
    anywidget = pytest.importorskip("anywidget")
    from ipywidgets import HTML, VBox
    from traitlets import Int

    class Counter(anywidget.AnyWidget):
        _esm = """
        export default {
          render({ model, el }) {
            const button = document.createElement('button');
            button.className = 'aw-counter';
            const show = () => { button.textContent = `count is ${model.get('value')}`; };
            button.addEventListener('click', () => {
              model.set('value', model.get('value') + 1);
              model.save_changes();
            });
            model.on('change:value', show);
            show();
            el.appendChild(button);
          },
        };
        """
        _css = ".aw-counter { color: rgb(1, 2, 3); }"
        value = Int(41).tag(sync=True)

    counter = Counter()
    box = VBox([HTML("<b>made with anywidget</b>"), counter])
    try:
        text = embed.widget_to_html(box, pages_dir / "anywidget.html")
    finally:
        for widget in (counter, box.children[0], box):
            widget.close()
    assert "script-src 'unsafe-inline' blob:;" in text and 'data-amd-module="bqplot"' not in text
    page = OfflinePage(chromium_browser, pages_dir / "anywidget.html", expected_cells=0)
    try:
        button = page.page.locator(".aw-counter")
        button.wait_for()
        assert button.text_content() == "count is 41"
        assert button.evaluate("e => getComputedStyle(e).color") == "rgb(1, 2, 3)"
        button.click()
        page.page.wait_for_function(
            "() => document.querySelector('.aw-counter').textContent === 'count is 42'")
        assert page.blocked == [] and page.console_errors == [] and page.probe["csp"] == []
    finally:
        page.close()


def test_canvas_renderer_exports_offline(chromium_browser: Any, pages_dir: Path) -> None:
    """renderer='canvas' (an anywidget, used for large stacks) draws the same picture in
    the page: one canvas at the SVG geometry, pixels from matplotlib's "hot", hover text."""
    from digitheat_widget.figure import layout as figure_layout

    grid = DigitHeatmapGrid(renderer="canvas")
    path = export(grid, pages_dir / "canvas.html")
    page = OfflinePage(chromium_browser, path, expected_cells=0)
    try:
        page.page.wait_for_function(
            "() => document.querySelector('.dhg-canvas canvas')"
            " && document.querySelectorAll('.dhg-colorbar .tick text').length >= 2")
        count, rows, cols = grid.data.shape
        geometry = grid.figure.geometry
        lo, hi = grid.limits

        def centre(digit: int, row: int, col: int) -> tuple[float, float]:
            x = (digit % grid.columns) * (geometry.panel_width + figure_layout.GAP_X)
            y = (digit // grid.columns) * (geometry.panel_height + figure_layout.GAP_Y)
            return (x + figure_layout.PANEL_MARGIN["left"] + (col + 0.5) * geometry.cell,
                    y + figure_layout.PANEL_MARGIN["top"] + (row + 0.5) * geometry.cell)

        for digit, row, col in [(3, 0, 2), (0, 3, 1), (7, 3, 3), (9, 6, 5)]:
            x, y = centre(digit, row, col)
            rgb = page.page.evaluate(
                """([x, y]) => {
                  const canvas = document.querySelector('.dhg-canvas canvas');
                  const scale = canvas.width / canvas.getBoundingClientRect().width;
                  return Array.from(canvas.getContext('2d')
                    .getImageData(Math.floor(x * scale), Math.floor(y * scale), 1, 1).data.slice(0, 3));
                }""", [x, y])
            want = hot(grid.data[digit, row, col], lo, hi)
            assert np.abs(np.array(rgb) - want).max() <= RGB_TOLERANCE, (digit, row, col, rgb)

        x, y = centre(3, 0, 2)
        box = page.page.locator(".dhg-canvas canvas").bounding_box()
        page.page.mouse.move(box["x"] + x, box["y"] + y)
        expected = format(grid.data[3, 0, 2], hover_format(page))
        page.page.wait_for_function(
            """(expected) => { const t = document.querySelector('.dhg-canvas-tooltip');
                 return t && t.style.display === 'block' && t.textContent.includes(expected); }""",
            arg=expected)
        assert page.blocked == [] and page.console_errors == [] and page.probe["csp"] == []
    finally:
        page.close()
        grid.close()
