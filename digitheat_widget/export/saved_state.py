"""Live offline grids in pages built from notebooks: nbconvert's and Sphinx's.

A notebook executed with its widget state saved (``nbconvert --execute``, nbclient,
myst-nb's execution, JupyterLab's "Save Widget State") holds everything a page needs to
show its grids live with no kernel: the state in the notebook's metadata and, in each
grid's output, the view (``application/vnd.jupyter.widget-view+json``) next to a PNG of
the figure and the grid's summary (``text/plain``).

This module turns those into what :mod:`.html`'s offline runtime renders, reusing its
pieces (the runtime, the front-end files of the installed bqplot, bqscales and
anywidget, the inert-script bootstrap):

* :func:`view_markup`: one output's markup: the PNG as the picture shown first (alt
  text: the grid's summary), and the view tag the runtime replaces it with once the
  live grid has drawn every cell;
* :func:`page_scripts`: the runtime and the front-end files a page needs, inline and
  inert (for nbconvert: one self-contained page);
* :func:`site_script`, :func:`site_css`: the same as one JavaScript file and one CSS
  file a whole site shares (for Sphinx: written once into ``_static``), and
  :func:`site_loader`, the one inline script a page needs to load it after its
  first paint.

Where the state is missing, or a view's model is not in it, the picture stays.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .html import (
    AMD_MODULES,
    BOOTSTRAP,
    DARK_WHEN,
    RUNTIME_TYPE,
    EmbedError,
    StaticPicture,
    amd_path,
    amd_script,
    amd_source,
    extras_needed,
    json_for_script,
    picture_html,
    required_classes,
    runtime_files,
    script_text,
    static_text,
    style_text,
    themed_css,
)

__all__ = [
    "GRID_REPR", "WIDGET_STATE", "WIDGET_VIEW", "grid_live_when", "grid_summary",
    "notebook_state", "page_scripts", "picture_from_output", "picture_open", "site_css",
    "site_loader",
    "site_script", "view_markup",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: A grid's text/plain (its repr): the summary inside is the picture's alt text.
GRID_REPR = re.compile(r"^<DigitHeatmapGrid: (.*)>$", re.DOTALL)
_MODEL_REF = re.compile(r"^IPY_MODEL_(.+)$")
#: The runtime.css rule for a page of its own (margins, font, background of <body>):
#: a page of a site or of nbconvert has its own.
_BODY_RULE = re.compile(r"(?:(?<=})|^)body\{[^}]*\}")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "".join(value or ())


def notebook_state(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The widget state a notebook saved, or ``None``.

    Parameters
    ----------
    metadata
        The notebook's metadata (``nb.metadata``).

    Returns
    -------
    dict or None
        ``{"version_major": ..., "version_minor": ..., "state": {model_id: ...}}`` as
        saved, when it holds at least one model.
    """
    saved = (metadata.get("widgets") or {}).get(WIDGET_STATE) or {}
    return saved if saved.get("state") else None


def grid_summary(data: dict[str, Any]) -> str | None:
    """The grid's summary from an output's ``text/plain``, or ``None`` if the output is
    not a grid's.

    Parameters
    ----------
    data
        An output's mime bundle (``output["data"]``).

    Returns
    -------
    str or None
        The sentence ``repr(grid)`` holds (maps, size, colormap, limits, highlight).
    """
    match = GRID_REPR.match(_text(data.get("text/plain", "")))
    return match[1] if match else None


def _models(state: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    """Every model reachable from ``model_id`` through IPY_MODEL_ references, once."""
    seen: dict[str, dict[str, Any]] = {}

    def visit(value: Any) -> None:
        if isinstance(value, str):
            match = _MODEL_REF.match(value)
            if match and match[1] in state and match[1] not in seen:
                seen[match[1]] = state[match[1]]
                visit(state[match[1]].get("state", {}))
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(f"IPY_MODEL_{model_id}")
    return list(seen.values())


def grid_live_when(state: dict[str, Any], model_id: str) -> dict[str, int] | None:
    """When the live view of grid ``model_id`` shows what its picture does, as
    :class:`.html.StaticPicture`'s ``live_when``; ``None`` if ``state`` (the saved
    state's ``"state"``) has no grid of that id.

    Parameters
    ----------
    state
        ``{model_id: model}`` of a saved widget state.
    model_id
        The id in the output's widget view.

    Returns
    -------
    dict or None
        ``{CSS selector: count}``: as :func:`.html.grid_picture` says for the SVG
        renderer (every cell, a colorbar tick, the controller's style, which it adds
        once it has put values and colours on the panels); for the canvas renderer
        its canvas and the controller's style.
    """
    if model_id not in state:
        return None
    for model in _models(state, model_id):
        attrs = model.get("state", {})
        if not {"geometry", "data", "marks"} <= attrs.keys():
            continue  # not a grid's controller
        shape = (attrs.get("data") or {}).get("shape") or ()
        if attrs.get("canvas"):
            return {".dhg-canvas canvas": 1, ".dhg-controller style": 1}
        cells = 1
        for size in shape:
            cells *= int(size)
        return {"rect.heatmapcell": cells, ".dhg-colorbar .tick": 1,
                ".dhg-controller style": 1}
    return None


def picture_from_output(data: dict[str, Any], live_when: dict[str, int] | None = None,
                        ) -> StaticPicture | None:
    """A grid output's PNG as the picture a page shows first, with the grid's summary
    as its alt text; ``None`` if the output is not a grid's or has no PNG.

    Parameters
    ----------
    data
        The output's mime bundle.
    live_when
        When the live view replaces it (:func:`grid_live_when`); ``None``: never.

    Returns
    -------
    StaticPicture or None
    """
    summary = grid_summary(data)
    png = data.get("image/png")
    if summary is None or not isinstance(png, str):
        return None
    # The alt text is on the <img>; the wrapper's role/label is left to the <img> alone.
    markup = (f'<img src="data:image/png;base64,{html.escape(png.strip())}" '
              f'alt="{html.escape(summary)}" style="max-width: 100%; height: auto">')
    return StaticPicture(markup=markup, live_when=live_when or {}, label=summary)


def picture_open(picture: StaticPicture) -> str:
    """The picture's wrapper up to where its own markup goes, for pages whose builder
    writes the picture itself (Sphinx writes its <img>, then ``</div>``).

    Parameters
    ----------
    picture
        Its ``markup`` is not used; ``label`` and ``live_when`` are.

    Returns
    -------
    str
        ``<div class="digitheat-static" role="img" aria-label="..." data-live-when="...">``,
        attributes escaped.
    """
    return picture_html(picture).removesuffix(f"{picture.markup}</div>\n")


def view_markup(view: dict[str, Any], picture: StaticPicture | None) -> str:
    """One widget output's markup: the picture, then the view tag the runtime renders.

    Parameters
    ----------
    view
        The output's widget view (``{"model_id": ..., "version_major": 2, ...}``).
    picture
        What shows until the live view has drawn (and for good where it cannot).

    Returns
    -------
    str
        ``<div class="digitheat-embed">`` with the picture and the view tag, the view's
        JSON escaped so it cannot end its <script>.
    """
    return (f'<div class="digitheat-embed">\n{picture_html(picture)}'
            f'<script type="{WIDGET_VIEW}">{json_for_script(view)}</script>\n</div>')


def _page_css(css: str, theme: str) -> str:
    """runtime.css for a page that is not the runtime's own: without its <body> rule,
    in JupyterLab's light theme (as the page around and the PNG picture) or dark."""
    css = _BODY_RULE.sub("", css)
    if theme == "dark":
        return themed_css(css, "dark")
    return css.replace(DARK_WHEN, "@media not all")  # light whatever the system prefers


def _parts(state: dict[str, Any] | None, theme: str = "light",
           ) -> tuple[str, str, list[tuple[str, str]]]:
    """(runtime JS, CSS, [(AMD module name, source)]): for ``state``, what it needs
    (refusing classes the runtime cannot show); for ``None``, everything there is."""
    runtime_js, runtime_css, manifest = runtime_files()
    provides = tuple(manifest["provides"])
    if state is None:
        used = {module for _, module, _ in AMD_MODULES}
        extras = list(manifest.get("extras", []))
    else:
        used = {module for module, _ in required_classes(state)}
        extras = extras_needed(state, manifest)
    modules, css = [], [_page_css(runtime_css, theme)]
    for extra in extras:
        css.append(static_text(extra["css"]))
        modules.append((extra["module"], static_text(extra["script"])))
    for distribution, module, _licence in AMD_MODULES:
        if module in used:
            try:
                path = amd_path(distribution, module)
            except EmbedError:
                if state is None:
                    continue  # a site: only what is installed
                raise
            modules.append((module, amd_source(path, path.stat().st_mtime, provides)))
    return runtime_js, "\n".join(css), modules


def page_scripts(state: dict[str, Any], theme: str = "light") -> str:
    """The runtime, CSS and front-end files that render ``state``'s views in one page,
    inline: inert until the page has painted its pictures (as :mod:`.html`'s pages).

    Parameters
    ----------
    state
        ``{model_id: model}`` of the page's widget state (the state script itself is
        the page's; the runtime reads every ``application/vnd.jupyter.widget-state+json``
        script of the page).
    theme
        ``"light"`` or ``"dark"``: JupyterLab's theme the widgets are drawn in (the
        page's own; nbconvert's ``--theme``).

    Returns
    -------
    str
        A <style>, the inert runtime and module scripts, and the bootstrap.

    Raises
    ------
    EmbedError
        If the runtime is not built, or the state needs a widget class it cannot show.
    """
    runtime_js, css, modules = _parts(state, theme)
    return "\n".join([
        f"<style>{style_text(css)}</style>",
        f'<script type="{RUNTIME_TYPE}">{script_text(runtime_js)}</script>',
        *(amd_script(name, source) for name, source in modules),
        f"<script>{BOOTSTRAP}</script>",
    ])


def site_script() -> str:
    """One JavaScript file with the runtime and every front-end file it can use, for a
    whole site: it puts the front-end files in the page as inert scripts (compiled only
    when a model needs one), then runs the runtime, which renders every widget view of
    the page from the page's widget state.

    Returns
    -------
    str
        The file's text.
    """
    runtime_js, _css, modules = _parts(None)
    inert = json.dumps([[name, source] for name, source in modules], ensure_ascii=False)
    return (
        "/* digitheat-widget: the offline widget runtime of a site's pages (see\n"
        "   digitheat_widget/export/saved_state.py). */\n"
        "(function () {\n"
        f"  var modules = {inert};\n"
        "  modules.forEach(function (m) {\n"
        "    var s = document.createElement('script');\n"
        "    s.type = 'text/x-digitheat-amd';\n"
        "    s.setAttribute('data-amd-module', m[0]);\n"
        "    s.text = m[1];\n"
        "    document.body.appendChild(s);\n"
        "  });\n"
        "})();\n"
        f"{runtime_js}\n"
    )


def site_css() -> str:
    """The runtime's CSS for a site's pages: JupyterLab's light theme, without the rule
    for a page's <body>.

    Returns
    -------
    str
    """
    return _parts(None)[1]


def site_loader(url: str) -> str:
    """The inline script of a page that loads :func:`site_script` from ``url`` after
    the page's first frame has painted (so its pictures show at once).

    Parameters
    ----------
    url
        The file's address relative to the page.

    Returns
    -------
    str
        JavaScript (without the <script> element).
    """
    return script_text(
        "requestAnimationFrame(function(){setTimeout(function(){"
        "var s=document.createElement('script');"
        f"s.src={json.dumps(url)};s.id='digitheat-embed-runtime';"
        "document.body.appendChild(s)},0)})"
    )
