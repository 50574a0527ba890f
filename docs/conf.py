"""The documentation site: Sphinx + myst-nb, with the package's own extension.

Build it with ``bash scripts/docs.sh`` (into docs/_build/html). Pages with examples are
MyST markdown notebooks ({code-cell}) and the notebooks of notebooks/ (linked into
docs/notebooks/); myst-nb executes them once and keeps the result in a cache under
docs/_build, so a build executes only the pages whose code changed. Their grids show
their picture and then the live grid, with no kernel and no network
(``digitheat_widget.sphinx``). The theme's fonts and icons are its own files: no page of
the site asks anything from another host.
"""

from __future__ import annotations

import sys
from pathlib import Path

import digitheat_widget

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "digitheat-widget"
author = "digitheat-widget developers"
copyright = "digitheat-widget developers"
release = version = digitheat_widget.__version__

extensions = [
    "myst_nb",
    "digitheat_widget.sphinx",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "digitheat_docs",
]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "notebooks/output"]
# The README links here by file name; the site's own pages are the .md and .ipynb files.
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# --- myst / myst-nb
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Execute what has changed since the last build (jupyter-cache, keyed by each notebook's
# code); a cell that raises fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / "jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# Notebooks run in a scratch folder: what they save (teach.ipynb's pictures) stays out of
# the source tree.
nb_execution_in_temp = True
nb_merge_streams = True

# --- autodoc
autodoc_member_order = "groupwise"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_class_signature = "mixed"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# --- math: MathML written at build time (digitheat_docs), no MathJax from a CDN
html_math_renderer = "mathml"

# --- HTML
html_theme = "pydata_sphinx_theme"
html_title = "digitheat-widget"
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "logo": {"text": "digitheat-widget"},
    "navbar_align": "left",
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "header_links_before_dropdown": 6,
}
# The reader's system chooses light or dark (the theme's switcher overrides it).
html_context = {"default_mode": "auto"}
html_sidebars = {"index": [], "changelog": [], "api": []}
