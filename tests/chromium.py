"""The one Chromium launcher of the test suite: Debian's Chromium driven by Playwright.

One Playwright and one browser serve the whole session (conftest's ``chromium_browser``):
the exported-page tests (tests/pages, tests/pipelines) open pages in it with every request
that is not ``file:``, ``data:`` or ``blob:`` aborted and counted (``block_network``), and
the JupyterLab tier (tests/lab) takes a fresh context of it per package. Playwright's sync
API allows one instance per thread, so nothing else in the suite starts one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("DIGITHEAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (f"browser tests need Chromium at {CHROMIUM}: run `apt-get install chromium` "
                "(or `bash .ci/run`, which installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need the playwright package: pip install -e '.[test]'"
    return None


def require() -> None:
    """Skip the calling test without a browser, or fail it when CI=true (CI must never
    count a browser test as passed that did not run)."""
    reason = missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the browser is missing: {reason}", pytrace=False)
        pytest.skip(reason)


@contextmanager
def launch() -> Iterator[Any]:
    """A Playwright Chromium browser, closed on exit (see :func:`require`)."""
    require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def block_network(page: Any, requested: list[str] | None = None) -> list[str]:
    """Abort every request of ``page`` that would leave the machine; the list fills with
    their URLs (it should stay empty). ``requested``, if given, fills with every URL the
    page asks for."""
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        if requested is not None:
            requested.append(request_route.request.url)
        if request_route.request.url.startswith(("file:", "data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return blocked


#: An exported SVG grid live: its keyboard description in place, the static picture gone.
LIVE = ("() => document.querySelector('.dhg-body[aria-label]')"
        " && !document.querySelector('.digitheat-pending')")


def open_saved(browser: Any, grid: Any, path: Path, ready: str = LIVE,
               viewport: tuple[int, int] = (1100, 1300)) -> tuple[Any, list[str]]:
    """``grid`` saved to ``path`` and opened offline: (page, blocked URLs) once the
    JavaScript predicate ``ready`` holds. The caller closes the page."""
    grid.save(path)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    blocked = block_network(page)
    try:
        page.goto(path.as_uri())
        page.wait_for_function(ready)
    except Exception:
        page.close()
        raise
    return page, blocked


class SavedPage:
    """``grid`` saved to ``path`` and opened offline in a context of its own (options such
    as ``viewport`` or ``has_touch`` go to ``browser.new_context``), once the JavaScript
    predicate ``ready`` holds: ``page``, the ``blocked`` URLs and the page's ``errors``
    (uncaught exceptions and console errors)."""

    def __init__(self, browser: Any, grid: Any, path: Path, ready: str = LIVE,
                 **context_options: Any) -> None:
        grid.save(path)
        self.grid = grid
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.blocked = block_network(self.page)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(ready)

    def close(self) -> None:
        self.context.close()
