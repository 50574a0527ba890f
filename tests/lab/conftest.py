"""Fixtures for the JupyterLab tier: one JupyterLab server per session, and a context of the
session's one Chromium (tests/chromium.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import LabPage, jupyter_server, write_notebook

OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="session")
def lab_server(chromium_browser: Any, lab_root: Path) -> Iterator:
    with jupyter_server(lab_root, app="lab") as server:
        yield server


@pytest.fixture(scope="session")
def notebook7_server(chromium_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """One Notebook 7 server for the tier (a different client from JupyterLab); each test
    writes its notebooks into ``server.root``."""
    with jupyter_server(tmp_path_factory.mktemp("nb7"), app="notebook") as server:
        yield server


@pytest.fixture(scope="package")
def browser(chromium_browser: Any) -> Iterator:
    """A fresh context of the session's Chromium (no state shared with the pages tier)."""
    context = chromium_browser.new_context(viewport={"width": 1000, "height": 1400},
                                           device_scale_factor=1)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    (OUTPUT_DIR / "screenshots").mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


def open_notebook(browser, server, name: str, theme: str | None = None) -> LabPage:
    """Open ``name`` in JupyterLab, wait for its kernel, and run all its cells."""
    lab = LabPage.open(browser, server, name, theme=theme)
    lab.run_all()
    return lab


#: The default 10x7x6 grid drawn: its SVG cells and its keyboard description in place.
DRAWN = ("(sel) => document.querySelector(sel + ' .dhg-body[aria-label]')"
         " && document.querySelectorAll(sel + ' rect.heatmapcell').length === 420")


def open_grid(browser, server, setup: str, grid: str, ready: str = DRAWN) -> LabPage:
    """A notebook of ``setup`` and then ``grid`` (the name of a grid it makes), opened and
    run; ``lab.selector`` is that grid's CSS class. Returns once the JavaScript predicate
    ``ready(selector)`` holds in the page."""
    write_notebook(server.root / f"{grid}.ipynb", [setup, grid])
    lab = open_notebook(browser, server, f"{grid}.ipynb")
    lab.selector = f".{lab.execute(f'print({grid}.css_class)').strip()}"
    lab.page.wait_for_function(ready, arg=lab.selector, timeout=90_000)
    return lab


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    """A failed test shows the end of the Jupyter server's log, which holds its kernels'
    stderr: an exception a kernel raised in a comm handler (a page's click that never
    reached a trait, say) is logged there and nowhere else."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("lab_server")
    if report.when == "call" and report.failed and server is not None:
        lines = server.log().splitlines()[-60:]
        report.sections.append(("Jupyter server log, last 60 lines", "\n".join(lines)))
