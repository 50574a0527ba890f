"""Course sites: Sphinx + myst-nb (and Jupyter Book 1) with ``digitheat_widget.sphinx``.

A site with one notebook page holding two grids is built (the notebook executed at build
by myst-nb, ``nb_execution_mode = "force"``, so its widget state is saved as a teacher's
would be), then opened offline in Chromium (tests/notebook_pages.py: pictures first, every
cell's colour, hover, a control, a click, labels as text, nothing requested). The files
are checked too: the runtime is written once for the site and loaded once by the page, and
no page names a CDN. Without the extension, the one myst-nb setting that shows the PNG is
checked, and what alt text it gets.
"""

from __future__ import annotations

import copy
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest
from malformed_states import MALFORMED
from notebook_pages import EVIL, check_live_grids, console_errors, two_grids_notebook

CONF = """\
project = "course"
extensions = [{extensions}]
exclude_patterns = ["_build"]
nb_execution_mode = "{mode}"
nb_execution_timeout = 300
{extra}
"""
INDEX = "# Course\n\n```{toctree}\ngrids\n```\n"
PNG_SRC = re.compile(r'<img [^>]*src="(_images/[0-9a-f]+\.png)"[^>]*>')
SUMMARY = ("10 heatmaps of 7 by 6 cells, colormap {cmap}, colour limits 0.0000 to 0.0147")


def build_pages(root: Path, pages: dict[str, nbformat.NotebookNode], *, extensions: str,
                mode: str, extra: str = "") -> list[str]:
    """Write a site of notebook ``pages`` (name: notebook) under ``root`` and build it
    into ``root / "_build"``; Sphinx's warnings."""
    root.mkdir(parents=True)
    (root / "conf.py").write_text(CONF.format(extensions=extensions, mode=mode, extra=extra))
    (root / "index.md").write_text(INDEX.replace("grids", "\n".join(pages)))
    for name, notebook in pages.items():
        nbformat.write(notebook, root / f"{name}.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(root), str(root / "_build")],
        capture_output=True, text=True, check=False, cwd=root, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # Sphinx's warnings (the kernel's own "[IPKernelApp] WARNING" about TCP is not one).
    return [line for line in result.stderr.splitlines() if "WARNING:" in line]


def build_site(root: Path, notebook: nbformat.NotebookNode, *, extensions: str,
               mode: str, extra: str = "") -> Path:
    """Write the site's sources under ``root`` and build it; the built grids page."""
    warnings = build_pages(root, {"grids": notebook}, extensions=extensions, mode=mode,
                           extra=extra)
    assert warnings == [], warnings
    return root / "_build" / "grids.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site with the extension, the notebook executed by myst-nb at build."""
    return build_site(tmp_path_factory.mktemp("sphinx") / "site", two_grids_notebook(),
                      extensions='"myst_nb", "digitheat_widget.sphinx"', mode="force")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    """The notebook executed by nbclient, its widget state saved (as a stored notebook)."""
    notebook = two_grids_notebook()
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    assert notebook.metadata["widgets"]
    return notebook


def test_site_files_runtime_once_and_no_cdn(site: Path) -> None:
    out = site.parent
    runtimes = sorted((out / "_static" / "digitheat").glob("*.js"))
    assert len(runtimes) == 1, runtimes
    text = site.read_text(encoding="utf-8")
    name = f"_static/digitheat/{runtimes[0].name}"
    assert text.count(name) == 1  # loaded once, by the one loader script
    # No widget script from the internet (myst-nb's require.js / html-manager defaults).
    sources = re.findall(r'<script[^>]*\ssrc="([^"]*)"', text)
    assert sources and not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    assert "cdn.jsdelivr" not in text and "require.min.js" not in text
    # One state for the page; two views, each after its picture; the picture's alt text
    # is the grid's summary (labels are not in it, but escaping is checked anyway).
    assert text.count('type="application/vnd.jupyter.widget-state+json"') == 1
    assert text.count('<script type="application/vnd.jupyter.widget-view+json">') == 2
    pictures = re.findall(r'<div class="digitheat-static"[^>]*>\s*<img [^>]*>', text)
    assert len(pictures) == 2
    alts = [html.unescape(re.search(r'<img [^>]*alt="([^"]*)"', p)[1]) for p in pictures]
    assert alts == [SUMMARY.format(cmap="hot"), SUMMARY.format(cmap="viridis")]
    assert EVIL not in text  # the labels in the state are escaped
    size = runtimes[0].stat().st_size
    print(f"\nsite runtime {size / 1e6:.2f} MB written once; page {len(text) / 1e3:.0f} KB")


def test_site_page_live_offline(site: Path, chromium_browser: Any,
                                sample_limits: tuple[float, float]) -> None:
    facts = check_live_grids(chromium_browser, site, sample_limits)
    assert facts["runtime_requests"] == 1
    print(f"\nmodules in the page: {facts['amd']}")


def test_without_the_extension_one_setting_shows_the_png(tmp_path: Path,
                                                         executed: nbformat.NotebookNode) -> None:
    """myst-nb alone: nb_mime_priority_overrides drops the widget view, so the PNG shows;
    myst-nb gives it its file path as alt text. With the extension and
    digitheat_live = False: the same PNG, with the grid's summary as alt text."""
    setting = 'nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]'
    page = build_site(tmp_path / "plain", executed, extensions='"myst_nb"', mode="off",
                      extra=setting)
    text = page.read_text(encoding="utf-8")
    images = PNG_SRC.findall(text)
    assert len(images) == 2 and "widget-view+json\">" not in text
    alts = [html.unescape(a) for a in re.findall(r'<img alt="([^"]*)" src="_images/', text)]
    assert alts == images  # the path: what a screen reader would hear

    page = build_site(tmp_path / "static", executed,
                      extensions='"myst_nb", "digitheat_widget.sphinx"', mode="off",
                      extra="digitheat_live = False")
    text = page.read_text(encoding="utf-8")
    assert len(PNG_SRC.findall(text)) == 2
    assert "widget-view+json\">" not in text and "digitheat-embed." not in text
    alts = [html.unescape(a) for a in re.findall(r'<img alt="([^"]*)" src="_images/', text)]
    assert alts == [SUMMARY.format(cmap="hot"), SUMMARY.format(cmap="viridis")]


def test_saved_state_without_execution(tmp_path: Path, executed: nbformat.NotebookNode,
                                       chromium_browser: Any, sample_limits: tuple[float, float]) -> None:
    """A notebook stored with its widget state, built without executing it: live too."""
    page = build_site(tmp_path / "stored", executed,
                      extensions='"myst_nb", "digitheat_widget.sphinx"', mode="off")
    check_live_grids(chromium_browser, page, sample_limits)


def test_jupyter_book_1(tmp_path: Path, chromium_browser: Any,
                        sample_limits: tuple[float, float]) -> None:
    """Jupyter Book 1: the extension from _config.yml's sphinx.extra_extensions."""
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: Course\nauthor: Teacher\n"
        "execute:\n  execute_notebooks: force\n  timeout: 300\n"
        "sphinx:\n  extra_extensions:\n    - digitheat_widget.sphinx\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: grids\n")
    nbformat.write(two_grids_notebook(), book / "grids.ipynb")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(book)]
    result = subprocess.run(command,
                            capture_output=True, text=True, check=False, env=env, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    page = book / "_build" / "html" / "grids.html"
    assert len(list((page.parent / "_static" / "digitheat").glob("*.js"))) == 1
    # The book theme's own console errors (sphinx-thebe's script twice, pydata-sphinx-
    # theme's mode), as on its index page, which has no grid and no runtime.
    theme_errors = console_errors(chromium_browser, page.parent / "genindex.html")
    assert "digitheat-embed." not in (page.parent / "genindex.html").read_text()
    check_live_grids(chromium_browser, page, sample_limits, theme_errors=theme_errors)
    print(f"\nJupyter Book 1's theme logs, without any grid: {theme_errors}")


def test_malformed_state_pictures_and_a_warning(tmp_path: Path,
                                                executed: nbformat.NotebookNode) -> None:
    """Each malformed saved state myst-nb alone builds (tests/malformed_states.py), one
    page each in one site: myst-nb alone builds it; with the extension the build ends
    too, each page shows its two pictures (no view, no runtime) and one warning names
    the page and what is wrong."""
    pages = {}
    for name, variant in MALFORMED.items():
        if variant.myst_nb:
            pages[name] = copy.deepcopy(executed)
            variant.change(pages[name])
    plain = build_pages(tmp_path / "plain", pages, extensions='"myst_nb"', mode="off")
    assert plain == [], plain
    warnings = build_pages(tmp_path / "site", pages,
                           extensions='"myst_nb", "digitheat_widget.sphinx"', mode="off")
    assert len(warnings) == len(pages), warnings
    out = tmp_path / "site" / "_build"
    for name in pages:
        (warning,) = [w for w in warnings if f"/{name}.ipynb:" in w]
        assert "shown as pictures" in warning and MALFORMED[name].names in warning, warning
        text = (out / f"{name}.html").read_text(encoding="utf-8")
        assert len(PNG_SRC.findall(text)) == 2, name
        assert "widget-view+json\">" not in text and "digitheat-embed." not in text, name
    assert not (out / "_static" / "digitheat").exists()  # no page needed the runtime
