"""Fixtures for the browser suite: one JupyterLab server and one Chromium per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import CHROMIUM, LabPage, chromium, jupyter_server, write_notebook

OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"


def _browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return (f"browser tests need Chromium at {CHROMIUM}: run `apt-get install chromium` "
                "(or `bash .ci/run`, which installs it)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def browser_ready() -> None:
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser is missing: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


# Package scope: the server and Playwright stop when the browser tests are done, so other
# tests (tests/test_embed.py) can start their own Playwright (one per thread at a time).
@pytest.fixture(scope="package")
def lab_server(browser_ready: None, lab_root: Path) -> Iterator:
    with jupyter_server(lab_root, app="lab") as server:
        yield server


@pytest.fixture(scope="package")
def browser(browser_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


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
