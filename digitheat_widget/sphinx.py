"""Sphinx extension: grids in myst-nb pages, live and offline.

Add one line to ``conf.py`` (or, in Jupyter Book 1's ``_config.yml``,
``sphinx: extra_extensions: [digitheat_widget.sphinx]``)::

    extensions = ["myst_nb", "digitheat_widget.sphinx"]

and every grid in a notebook page shows its picture at once (the PNG of its output, with
the grid's summary as alt text), then the live grid, with no kernel and no network:
hover values, cell selection, title clicks and every control. The live grid needs the
notebook's saved widget state (myst-nb saves it when it executes the notebook, e.g.
``nb_execution_mode = "force"``; JupyterLab's "Save Widget State" in a stored notebook);
without it the picture stays.

What it does:

* myst-nb's ``nb_ipywidgets_js`` (require.js and ``@jupyter-widgets/html-manager`` from
  CDNs) is emptied: the pages load no widget script from the internet. The state myst-nb
  writes into a page (``application/vnd.jupyter.widget-state+json``) is kept.
* Each grid output (widget view + PNG + summary) becomes the picture followed by the view
  tag (:func:`digitheat_widget.export.saved_state.view_markup`); in other builders
  (LaTeX, ...) the PNG gets the summary as alt text.
* The offline runtime (:func:`~digitheat_widget.export.saved_state.site_script`: the
  widget manager, the controls, and the front-end files of the installed bqplot,
  bqscales and anywidget) is written once per site into
  ``_static/digitheat/digitheat-embed.<hash>.js`` with its CSS; each page with a live
  widget loads it once, after the page's first paint, however many grids it has. It
  renders the page's other ipywidgets too (ipywidgets' own controls, bqplot,
  anywidget-based widgets).

``digitheat_live = False`` in ``conf.py`` keeps the pictures alone. A page whose saved
state is malformed (:func:`~digitheat_widget.export.saved_state.checked_state`) keeps
them too, with a warning naming what is wrong (``suppress_warnings =
["digitheat.widget_state"]`` silences it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from docutils import nodes

from .export.html import StaticPicture, json_for_script
from .export.saved_state import (
    WIDGET_STATE,
    WIDGET_VIEW,
    SavedStateError,
    checked_state,
    grid_live_when,
    grid_summary,
    picture_open,
    site_css,
    site_loader,
    site_script,
)

__all__ = ["setup"]

STATIC_DIR = "digitheat"
_PAGES = "_digitheat_live_pages"
_FILES = "_digitheat_files"


def _mime_children(bundle: nodes.Element) -> dict[str, nodes.Element]:
    return {child.get("mime_type"): child for child in bundle.children
            if isinstance(child, nodes.container) and child.get("mime_type")}


def _page_state(app: Any, docname: str) -> dict[str, Any] | None:
    """``{model_id: model}`` of the widget state myst-nb writes into page ``docname``
    (checked: :func:`~digitheat_widget.export.saved_state.checked_state`); ``None``, with
    a warning naming what is wrong, if it is malformed."""
    from myst_nb.sphinx_ import NbMetadataCollector
    from sphinx.util import logging

    for _uri, kwargs in NbMetadataCollector.get_js_files(app.env, docname).values():
        if kwargs.get("type") == WIDGET_STATE and kwargs.get("body"):
            try:
                # myst-nb escaped "</script>" as "<\/script>", which JSON reads back as is.
                return checked_state(json.loads(kwargs["body"]))
            except (SavedStateError, ValueError) as error:
                logging.getLogger(__name__).warning(
                    "the grids are shown as pictures: the notebook's widget state is "
                    "malformed: %s", error, location=docname, type="digitheat",
                    subtype="widget_state")
                return None
    return {}


def _image(container: nodes.Element) -> nodes.image | None:
    found = list(container.findall(nodes.image))
    return found[0] if len(found) == 1 else None


def _view_json(container: nodes.Element) -> dict[str, Any] | None:
    """The widget view in myst-nb's raw ``<script type="...widget-view+json">``."""
    for raw in container.findall(nodes.raw):
        text = raw.astext()
        start = text.find(">")
        end = text.rfind("</script>")
        if text.startswith(f'<script type="{WIDGET_VIEW}"') and 0 < start < end:
            try:
                view = json.loads(text[start + 1:end].replace("<\\/script>", "</script>"))
            except ValueError:
                return None
            return view if isinstance(view, dict) else None
    return None


def _transform(app: Any, doctree: nodes.document, docname: str) -> None:
    """Before myst-nb picks one mime type per output: grid outputs get the summary as
    their PNG's alt text and, in HTML, the picture then the live view."""
    from myst_nb.core.render import WIDGET_VIEW_MIMETYPE

    html = app.builder.format == "html"
    live = html and app.config.digitheat_live
    state: dict[str, Any] | None = None
    state_read = False
    bundles = [n for n in doctree.findall(nodes.container)
               if n.get("nb_element") == "mime_bundle"]
    for bundle in bundles:
        mimes = _mime_children(bundle)
        if "image/png" not in mimes or "text/plain" not in mimes:
            continue
        summary = grid_summary({"text/plain": mimes["text/plain"].astext()})
        image = _image(mimes["image/png"])
        if summary is None or image is None:
            continue
        image["alt"] = summary
        view_container = mimes.get(WIDGET_VIEW_MIMETYPE)
        if view_container is None:
            continue
        view = _view_json(view_container) if live else None
        if view is not None and not state_read:
            state, state_read = _page_state(app, docname), True
        if view is None or state is None:
            # The picture: myst-nb's HTML priority would pick the view.
            bundle.remove(view_container)
            continue
        live_when = grid_live_when(state, str(view.get("model_id")))
        picture = StaticPicture(markup="", live_when=live_when or {}, label=summary)
        view_container.children = []
        view_container += nodes.raw("", f'<div class="digitheat-embed">\n{picture_open(picture)}',
                                    format="html")
        view_container += image.deepcopy()
        view_container += nodes.raw(
            "", f'</div>\n<script type="{WIDGET_VIEW}">{json_for_script(view)}</script>\n</div>',
            format="html")
        if live_when is not None:
            getattr(app, _PAGES).add(docname)


def _builder_inited(app: Any) -> None:
    """Name the site's runtime files after their content (so a browser never keeps an
    old one); they are written once, at the end of the build (:func:`_write_site_files`)."""
    if app.builder.format != "html":
        return
    files = {}
    for text, suffix in ((site_script(), "js"), (site_css(), "css")):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        files[suffix] = (f"{STATIC_DIR}/digitheat-embed.{digest}.{suffix}", text)
    setattr(app, _FILES, files)


def _write_site_files(app: Any, exception: Exception | None) -> None:
    files = getattr(app, _FILES, None)
    if exception is not None or not files or not getattr(app, _PAGES):
        return
    for name, text in files.values():
        path = Path(app.builder.outdir) / "_static" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    if pagename not in getattr(app, _PAGES):
        return
    files = getattr(app, _FILES)
    app.add_css_file(files["css"][0])
    app.add_js_file(None, body=site_loader(context["pathto"](f"_static/{files['js'][0]}", 1)))


def _config_inited(app: Any, config: Any) -> None:
    # No require.js, no html-manager from CDNs: this extension's runtime renders the
    # widgets; myst-nb still writes each page's widget state.
    config.nb_ipywidgets_js = {}


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx (and myst-nb, which it needs).

    Parameters
    ----------
    app
        The Sphinx application.

    Returns
    -------
    dict
        The extension's metadata.
    """
    from sphinx.transforms.post_transforms import SphinxPostTransform

    from . import __version__

    app.setup_extension("myst_nb")
    app.add_config_value("digitheat_live", True, "html", types=[bool])
    setattr(app, _PAGES, set())

    class DigitheatGridOutputs(SphinxPostTransform):
        """Grid outputs: alt text, and in HTML the picture then the live view."""

        default_priority = 3  # before myst-nb's SelectMimeType (4)

        def run(self, **kwargs: Any) -> None:
            _transform(self.app, self.document, self.env.docname)

    app.add_post_transform(DigitheatGridOutputs)
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _write_site_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
