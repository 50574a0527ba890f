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

Where the state is missing, or a view's model is not in it, the picture stays. A saved
state is read through one check, :func:`checked_state` (nbconvert's and Sphinx's): one
that is malformed (a list for ``state``, a model that is not an object or lacks its
``state`` or ``model_module``, a grid's stack whose shape is not whole numbers or does
not match its bytes, ...) raises :class:`SavedStateError` naming what is wrong, and the
page shows the pictures.
"""

from __future__ import annotations

import binascii
import html
import json
import math
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
    svg_live_when,
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
    "GRID_REPR", "WIDGET_STATE", "WIDGET_VIEW", "SavedStateError", "checked_state",
    "grid_live_when", "grid_summary",
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


class SavedStateError(ValueError):
    """A saved widget state the offline runtime cannot read; the message says what is
    wrong (the page shows the pictures instead)."""


#: A grid controller's stacks (live/codec.py's form): each (T, N, H, W) or (N, H, W).
_STACKS = ("data", "patch", "frames", "frames_patch", "reference")
_DTYPES = {"float32": 4, "float64": 8}
_ENCODINGS = {"base64": binascii.a2b_base64, "hex": binascii.a2b_hex}


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null",
            bool: "a boolean"}.get(type(value), f"a {type(value).__name__}")


def _buffers(model_id: str, model: dict[str, Any]) -> dict[tuple[Any, ...], bytes]:
    """The model's binary buffers by path, decoded; refusing any malformed one."""
    buffers = model.get("buffers", [])
    if not isinstance(buffers, list):
        raise SavedStateError(f"model {model_id!r}: 'buffers' is {_kind(buffers)}, not a list")
    found = {}
    for buffer in buffers:
        path = buffer.get("path") if isinstance(buffer, dict) else None
        encoding = buffer.get("encoding") if isinstance(buffer, dict) else None
        data = buffer.get("data") if isinstance(buffer, dict) else None
        if (not isinstance(path, list) or not path or encoding not in _ENCODINGS
                or not isinstance(data, str)
                or not all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in path)):
            raise SavedStateError(
                f"model {model_id!r}: a buffer is not {{path, encoding: base64 or hex, data}}")
        try:
            found[tuple(path)] = _ENCODINGS[encoding](data)
        except (binascii.Error, ValueError):
            raise SavedStateError(
                f"model {model_id!r}: buffer {path!r} is not valid {encoding}") from None
    return found


def _check_stack(model_id: str, name: str, stack: Any,
                 buffers: dict[tuple[Any, ...], bytes]) -> None:
    """A grid controller's stack as the page decodes it (js/src/page/codec.js): a known
    dtype, a shape of whole numbers, as many bytes as the shape says."""
    if stack is None or stack == {} or (isinstance(stack, dict) and not (
            {"dtype", "shape", "buffer"} & stack.keys())):
        return  # none, or a frames_patch that only relabels
    where = f"grid controller {model_id!r}: {name}"
    if not isinstance(stack, dict):
        raise SavedStateError(f"{where} is {_kind(stack)}, not an encoded stack")
    dtype, shape = stack.get("dtype"), stack.get("shape")
    if dtype not in _DTYPES:
        raise SavedStateError(f"{where}'s dtype is {dtype!r}, not 'float32' or 'float64'")
    if (not isinstance(shape, list) or len(shape) not in (3, 4) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
        raise SavedStateError(f"{where}'s shape is {shape!r}, not 3 or 4 whole numbers")
    size = math.prod(shape) * _DTYPES[dtype]
    data = buffers.get((name, "buffer"))
    if data is None and size:
        raise SavedStateError(f"{where} has no buffer")
    if len(data or b"") != size:
        raise SavedStateError(f"{where} has {len(data or b'')} bytes; its shape {shape} and "
                              f"dtype {dtype} need {size}")


def checked_state(saved: Any) -> dict[str, dict[str, Any]]:
    """``{model_id: model}`` of a saved widget state, once every part a page reads is
    what it should be; the one check of a saved state (nbconvert's and Sphinx's).

    Parameters
    ----------
    saved
        The saved state: ``{"version_major": 2, "version_minor": ..., "state": {...}}``
        (``application/vnd.jupyter.widget-state+json``), as read from JSON.

    Returns
    -------
    dict
        Its ``state``: each model an object with string ``model_name``,
        ``model_module`` and ``model_module_version``, an object ``state`` (string
        ``_view_name`` / ``_view_module`` where given) and well-formed ``buffers``; each
        grid controller's stacks decodable.

    Raises
    ------
    SavedStateError
        Naming the first thing that is wrong.
    """
    if not isinstance(saved, dict):
        raise SavedStateError(f"the saved widget state is {_kind(saved)}, not an object")
    if saved.get("version_major", 2) != 2:
        raise SavedStateError(f"the saved widget state's version_major is "
                              f"{saved.get('version_major')!r}, not 2")
    models = saved.get("state")
    if not isinstance(models, dict):
        raise SavedStateError(f"the saved widget state's 'state' is {_kind(models)}, "
                              f"not an object of models")
    for model_id, model in models.items():
        if not isinstance(model, dict):
            raise SavedStateError(f"model {model_id!r} is {_kind(model)}, not an object")
        for key in ("model_name", "model_module", "model_module_version"):
            if not isinstance(model.get(key), str):
                raise SavedStateError(f"model {model_id!r}: {key!r} is "
                                      f"{'missing' if key not in model else _kind(model[key])}"
                                      f", not a string")
        attrs = model.get("state")
        if not isinstance(attrs, dict):
            raise SavedStateError(f"model {model_id!r}: 'state' is "
                                  f"{'missing' if 'state' not in model else _kind(attrs)}"
                                  f", not an object")
        for key in ("_view_name", "_view_module"):
            if not isinstance(attrs.get(key), (str, type(None))):
                raise SavedStateError(f"model {model_id!r}: {key!r} is {_kind(attrs[key])}, "
                                      f"not a string")
        buffers = _buffers(model_id, model)
        if _is_controller(attrs):
            for name in _STACKS:
                _check_stack(model_id, name, attrs.get(name), buffers)
            if attrs.get("data") in (None, {}):
                raise SavedStateError(f"grid controller {model_id!r} has no data")
    return models


def _is_controller(attrs: dict[str, Any]) -> bool:
    return {"geometry", "data", "marks"} <= attrs.keys()


def notebook_state(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The widget state a notebook saved, checked (:func:`checked_state`), or ``None``.

    Parameters
    ----------
    metadata
        The notebook's metadata (``nb.metadata``).

    Returns
    -------
    dict or None
        ``{"version_major": ..., "version_minor": ..., "state": {model_id: ...}}`` as
        saved, when it holds at least one model.

    Raises
    ------
    SavedStateError
        If the notebook's widget metadata or its state is malformed.
    """
    widgets = metadata.get("widgets")
    if widgets is None:
        return None
    if not isinstance(widgets, dict):
        raise SavedStateError(f"the notebook's 'widgets' metadata is {_kind(widgets)}, "
                              f"not an object")
    saved = widgets.get(WIDGET_STATE)
    if saved is None:
        return None
    return saved if checked_state(saved) else None


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
                visit(state[match[1]]["state"])
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
        ``{model_id: model}`` of a saved widget state, as :func:`checked_state` returns.
    model_id
        The id in the output's widget view.

    Returns
    -------
    dict or None
        ``{CSS selector: count}``: as :func:`.html.grid_picture` says for the SVG
        renderer (every cell, a colorbar tick or with per-panel limits every panel's
        strip, the controller's style, which it adds once it has put values and colours
        on the panels); for the canvas renderer
        its canvas and the controller's style.
    """
    if not isinstance(model_id, str) or model_id not in state:
        return None
    for model in _models(state, model_id):
        attrs = model["state"]  # checked_state's models
        if not _is_controller(attrs):
            continue  # not a grid's controller
        if attrs.get("canvas"):
            return {".dhg-canvas canvas": 1, ".dhg-controller style": 1}
        # Per-panel limits: each SVG panel has its own scale.
        return svg_live_when(attrs["data"]["shape"], bool(attrs.get("scales")))
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
