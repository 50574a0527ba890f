"""nbconvert support: grids live and offline in HTML, their picture wherever else.

Every grid's display output carries an ``image/png`` and its summary (``text/plain``) next
to the widget view. nbconvert's LaTeX/PDF exporters already prefer the picture. Its HTML
exporter always prefers the widget view, which renders nothing when the notebook has no
saved widget state, and otherwise loads require.js and the widget runtime from CDNs.

The ``digitheat-html`` exporter below shows each grid as an exported page does
(:mod:`.html`): its picture first (alt text: the grid's summary), then, where the notebook
holds widget state (``--execute``, nbclient, JupyterLab's "Save Widget State"), the live
grid, with no kernel and no network: hover, selection, title clicks, every control. The
offline runtime is in the page once, however many grids it has::

    jupyter nbconvert --to digitheat-html --execute notebook.ipynb

``--StaticFallbackPreprocessor.always_static=True`` keeps the pictures alone. A saved
state that is malformed (:func:`.saved_state.checked_state`) gives the pictures too, with
a warning naming what is wrong, and is left out of the page. The page loads nothing from
the network unless something in it needs it: MathJax for math, require.js and nbconvert's
widget manager for widgets the offline runtime does not show.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, default

from .html import EmbedError
from .saved_state import (
    WIDGET_STATE,
    WIDGET_VIEW,
    SavedStateError,
    grid_live_when,
    notebook_state,
    page_scripts,
    picture_from_output,
    view_markup,
)

__all__ = [
    "WIDGET_STATE",
    "WIDGET_VIEW",
    "StaticFallbackHTMLExporter",
    "StaticFallbackPreprocessor",
]

TEMPLATES = Path(__file__).parent / "templates"
#: Markdown that MathJax would typeset: the page then still loads it (from its CDN).
_MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")
#: An output's script that needs require.js (``require(...)``, ``requirejs.config``,
#: ``define(...)``): the page then still loads it (from its CDN).
_REQUIRE = re.compile(r"\brequire(?:js)?\s*[(.]|\bdefine\s*\(")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "".join(value or ())


class StaticFallbackPreprocessor(Preprocessor):
    """Give each grid output its picture (with alt text) and, where the notebook saved
    the widget state, the live grid that replaces it in the page.

    The page's offline runtime goes into ``resources["digitheat_scripts"]`` (once).
    """

    always_static = Bool(False, help="Show the pictures alone, even where the notebook "
                         "saved widget state.").tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        try:
            state = notebook_state(nb.metadata)
        except SavedStateError as error:
            # nbconvert's own widget filter and template would read it too: the page
            # gets the pictures and no state.
            self.log.warning("digitheat-html: the grids are shown as pictures: the "
                             "notebook's widget state is malformed: %s", error)
            nb.metadata.pop("widgets", None)
            state = None
        models = state["state"] if state else {}
        scripts = None
        if models and not self.always_static:
            try:
                theme = "dark" if resources.get("theme") == "dark" else "light"
                scripts = page_scripts(models, theme)
            except EmbedError as error:  # a widget class the runtime cannot show
                self.log.warning("digitheat-html: the grids are shown as pictures: %s", error)
        live = 0
        other_views = False  # widget views left for nbconvert's CDN widget manager
        requires = False  # outputs whose scripts call require.js
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if _REQUIRE.search(_text(data.get("application/javascript", ""))
                                   + _text(data.get("text/html", ""))):
                    requires = True
                if WIDGET_VIEW not in data:
                    continue
                view = data[WIDGET_VIEW]
                model_id = view.get("model_id") if isinstance(view, dict) else None
                if not isinstance(model_id, str):
                    data.pop(WIDGET_VIEW)  # nbconvert's filter would fail on it
                    continue
                if "image/png" not in data:
                    other_views = other_views or model_id in models
                    continue
                data.pop(WIDGET_VIEW)
                live_when = grid_live_when(models, model_id) if scripts else None
                picture = picture_from_output(data, live_when)
                if picture is None:  # a picture, but not a grid's: nbconvert shows it
                    continue
                if live_when is None:
                    data["text/html"] = picture.markup  # HTML outranks PNG in nbconvert
                else:
                    data["text/html"] = view_markup(view, picture)
                    live += 1
        resources["digitheat_scripts"] = scripts if scripts is not None else ""
        resources["digitheat_live_grids"] = live
        # nbconvert's widget manager (require.js and html-manager from CDNs) only for
        # widgets the offline runtime does not show and the saved state can; require.js
        # also for outputs that call it. Otherwise the page requests nothing.
        cdn_widgets = scripts is None and other_views
        resources["digitheat_cdn_widgets"] = cdn_widgets
        resources["digitheat_requirejs"] = cdn_widgets or requires
        resources["digitheat_math"] = any(
            cell.cell_type == "markdown" and _MATH.search(cell.source) for cell in nb.cells)
        return nb, resources


class StaticFallbackHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter (lab template) with :class:`StaticFallbackPreprocessor`
    switched on: grids live and offline where the notebook saved widget state, their
    picture otherwise."""

    export_from_notebook = "HTML (digitheat, live offline grids)"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "digitheat_html"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATES)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_preprocessor(StaticFallbackPreprocessor, enabled=True)

    def from_notebook_node(self, nb: Any, resources: dict | None = None,
                           **kwargs: Any) -> tuple[str, dict]:
        # Preprocessors change outputs; the caller's notebook stays as it was.
        return super().from_notebook_node(copy.deepcopy(nb), resources, **kwargs)
