"""Write a widget as ONE self-contained HTML page: no kernel, no network.

The page holds the widget state (``ipywidgets.embed.embed_data``, binary buffers
base64-encoded), a slim widget runtime built from ``js/`` (a widget manager on
``@jupyter-widgets/base-manager``, ``@jupyter-widgets/base`` and the few controls a grid
uses) and the front-end files of the *installed* bqplot and bqscales, read from the
``share/jupyter/nbextensions`` files their wheels install. So the page draws with the
very JavaScript that matches the Python packages that made the state. A grid with its
control panel also gets the part with sliders, dropdowns, toggles and jslink
(``runtime-controls.js``): its limit sliders are jslinked to the colour scale, so they
recolour the page with no kernel. Other controls (media, pickers, tabs, ...) are in a
part of their own (``runtime-controls-more.js``), and so is ipywidgets' Output
(``runtime-output.js``: the outputs saved in its state, text as text); a page carries a
part only if its widget state needs one of its classes.

anywidget-based widgets work too (anywidget's own front-end file is taken from its
installed package like bqplot's; their ES module, in the state, is imported from a
blob: URL).

Everything that needs no kernel keeps working (hover tooltips, jslinked sliders);
nothing talks back to Python. A Content-Security-Policy in the page forbids every
network request.

A grid's page also holds a static SVG picture of the figure, drawn in Python
(:mod:`.svg`), where the live view goes: it is what the page paints first, and
the live view replaces it once it has drawn its cells. Front-end files are inert
``<script type="text/x-digitheat-amd">`` elements, compiled only when the runtime needs
them, after that first paint.
"""

from __future__ import annotations

import functools
import html
import importlib.metadata
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from ipywidgets import Widget
from ipywidgets.embed import dependency_state, embed_data

from .files import write_atomically

__all__ = ["StaticPicture", "grid_picture", "grid_to_html", "widget_to_html"]

STATIC = Path(__file__).parent.parent / "static"
_BUILD_HINT = "npm --prefix js ci && npm --prefix js run build"

#: Front-ends the page can take from installed Python packages, as AMD files: (Python
#: distribution, module name, licence). A page carries those its widget state uses.
AMD_MODULES = (
    ("bqscales", "bqscales", "Apache-2.0"),
    ("bqplot", "bqplot", "Apache-2.0"),
    # anywidget's models load their ES module from a blob: URL (see _csp).
    ("anywidget", "anywidget", "MIT"),
)

#: No requests at all: scripts and styles are inline, images and fonts may only be data:.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)

_STATE_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}


#: The type of the page's front-end scripts: inert (the parser neither compiles nor runs
#: them); the runtime runs one when a model first needs its module (js/src/index.js).
INERT_AMD_TYPE = "text/x-digitheat-amd"
#: The runtime is inert too, and run by BOOTSTRAP.
RUNTIME_TYPE = "text/x-digitheat-runtime"
#: The page's only parser-run script. Parsing then runs no JavaScript at all, so the
#: first frame paints the static picture as soon as the HTML is parsed; the runtime is
#: compiled and run in the first task after that frame (rAF runs just before a frame
#: paints; the task it queues, after). Inline scripts inserted by script run on
#: insertion, as 'unsafe-inline' in the CSP allows. rAF waits while a page is hidden:
#: one opened in a background tab shows its picture and builds the live view when shown.
BOOTSTRAP = (
    "requestAnimationFrame(function(){setTimeout(function(){"
    f"var t=document.querySelector('script[type=\"{RUNTIME_TYPE}\"]'),"
    "s=document.createElement('script');s.text=t.textContent;t.replaceWith(s)},0)})"
)


#: A page's colours: JupyterLab's light theme, its dark theme, or whichever of the two
#: the reader's system asks for (CSS ``prefers-color-scheme``).
THEMES = ("auto", "light", "dark")


def _theme_markup(theme: object, caller: str) -> dict[str, str]:
    """The page's <html> class and color-scheme for ``theme``, or a clear error."""
    if not isinstance(theme, str) or theme not in THEMES:
        raise ValueError(f"{caller} expected theme as one of {', '.join(map(repr, THEMES))}, "
                         f"got {type(theme).__name__} {theme!r}")
    if theme == "auto":
        return {"theme_class": "", "color_scheme": "light dark"}
    return {"theme_class": f' class="digitheat-theme-{theme}"', "color_scheme": theme}


#: The one media query of runtime.css under which JupyterLab's dark variables apply
#: (scripts/make_theme_css.py); a page with theme="dark" applies them always.
DARK_WHEN = "@media(prefers-color-scheme:dark)"


def themed_css(css: str, theme: str) -> str:
    if theme != "dark":
        return css
    if css.count(DARK_WHEN) != 1:
        raise EmbedError(f"the page runtime's CSS should hold {DARK_WHEN!r} once; rebuild it: "
                         f"{_BUILD_HINT}")
    return css.replace(DARK_WHEN, "@media all")


class EmbedError(RuntimeError):
    """The page cannot be written: runtime not built, or a front-end file is unusable."""


@dataclass(frozen=True)
class StaticPicture:
    """What a page shows where the live view goes until that view has drawn.

    Parameters
    ----------
    markup
        Trusted HTML/SVG markup, with every user string already escaped.
    live_when
        ``{CSS selector: count}``: the live view replaces the picture once it holds at
        least ``count`` elements matching each selector.
    label
        The picture's accessible name.
    """

    markup: str
    live_when: dict[str, int] = field(default_factory=dict)
    label: str = ""


# ---------------------------------------------------------------------- page parts


def runtime_files() -> tuple[str, str, dict[str, Any]]:
    """The built runtime: (JavaScript, CSS, manifest), read afresh so a rebuild counts."""
    files = [STATIC / name for name in ("runtime.js", "runtime.css", "runtime-manifest.json")]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise EmbedError(
            f"the offline widget runtime is not built ({', '.join(missing)} missing in "
            f"{STATIC}); build it from a source checkout with `{_BUILD_HINT}` "
            f"(needs Node.js >= 18), or install a wheel, which contains it"
        )
    js, css, manifest = (f.read_text(encoding="utf-8") for f in files)
    return js, css, json.loads(manifest)


def amd_path(distribution: str, module: str) -> Path:
    """The installed ``share/jupyter/nbextensions/<module>/index.js`` of a distribution."""
    wanted = f"share/jupyter/nbextensions/{module}/index.js"
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise EmbedError(f"{distribution} is not installed; pip install {distribution}") from None
    for file in dist.files or ():
        if str(file).replace("\\", "/").endswith(wanted):
            path = Path(dist.locate_file(file)).resolve()
            if path.is_file():
                return path
    fallback = Path(sys.prefix) / wanted
    if fallback.is_file():
        return fallback
    raise EmbedError(
        f"{distribution} {dist.version} is installed but its front-end file {wanted} was not "
        f"found; reinstall it with `pip install --force-reinstall {distribution}`"
    )


_DEFINE = re.compile(r"(?:^|[\n;])\s*define\(\s*\[([^\]]*)\]")
_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S*\s*$")


@functools.cache
def amd_source(path: Path, mtime: float, provides: tuple[str, ...]) -> str:
    """An AMD file's text, checked to depend only on modules the runtime provides."""
    text = path.read_text(encoding="utf-8")
    head = _DEFINE.search(text)
    if head is None:
        raise EmbedError(f"{path} has no define([...], ...): not an AMD module")
    deps = json.loads(f"[{head.group(1)}]")
    unknown = sorted(set(deps) - set(provides))
    if unknown:
        raise EmbedError(
            f"{path} needs {unknown}, which the page runtime does not provide "
            f"(it provides {list(provides)}); this version is not supported by to_html"
        )
    return _SOURCE_MAP.sub("\n", text)  # the .map is not in the page


def script_text(js: str) -> str:
    """JavaScript made safe to sit between <script> and </script>.

    ``</script`` would end the element and ``<!--`` could change how the HTML parser
    reads the rest; both only occur inside strings, regexes or comments, where
    ``\\x3C`` means the same ``<``.
    """
    return re.sub(r"<(?=/script|!--)", r"\\x3C", js, flags=re.IGNORECASE)


def style_text(css: str) -> str:
    if re.search(r"</style", css, flags=re.IGNORECASE):
        raise EmbedError("the runtime CSS contains '</style'; rebuild it")
    return css


def json_for_script(data: Any) -> str:
    """JSON that can never end its <script> element: ``<``, ``>``, ``&`` as \\u escapes."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _STATE_ESCAPES[m.group()], text)


def required_classes(state: dict[str, Any]) -> set[tuple[str, str]]:
    """(module, class) of every model and view class the state names."""
    required = set()
    for model in state.values():
        attrs = model["state"]
        required.add((model["model_module"], model["model_name"]))
        if attrs.get("_view_name") is not None:
            required.add((attrs.get("_view_module"), attrs["_view_name"]))
    return required


def extras_needed(state: dict[str, Any], manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The optional runtime parts the state needs; refuse classes that no part has."""
    core, extras = manifest["classes"], manifest.get("extras", [])
    loaded = {module for _, module, _ in AMD_MODULES}
    needed: list[dict[str, Any]] = []
    missing = set()
    for module, name in sorted(required_classes(state)):
        if module in loaded:
            continue  # bqplot/bqscales classes come with their own files
        if name in core.get(module, ()):
            continue
        extra = next((e for e in extras if name in e["classes"].get(module, ())), None)
        if extra is None:
            missing.add(f"{module}.{name}")  # a third-party front-end: not in the page
        elif extra not in needed:
            needed.append(extra)
    if missing:
        raise EmbedError(
            f"the page runtime cannot show {', '.join(sorted(missing))}: only widgets of "
            f"ipywidgets, bqplot, bqscales and anywidget can be exported"
        )
    return needed


def amd_script(module: str, source: str) -> str:
    return (f'<script type="{INERT_AMD_TYPE}" data-amd-module="{html.escape(module)}">'
            f"{script_text(source)}</script>")


def static_text(name: str) -> str:
    path = STATIC / name
    if not path.is_file():
        raise EmbedError(f"{path} is missing; rebuild the runtime with `{_BUILD_HINT}`")
    return path.read_text(encoding="utf-8")


def _csp(modules: set[str]) -> str:
    """The page's Content-Security-Policy; anywidget imports its ES module from blob:."""
    if "anywidget" in modules:
        return CONTENT_SECURITY_POLICY.replace("script-src 'unsafe-inline'",
                                               "script-src 'unsafe-inline' blob:")
    return CONTENT_SECURITY_POLICY


# ---------------------------------------------------------------------- page


_PAGE = """\
<!DOCTYPE html>
<html lang="en"{theme_class}>
<head>
<meta charset="utf-8">
<meta name="color-scheme" content="{color_scheme}">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{generator}">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
<h1 style="position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap">{title}</h1>
<div class="digitheat-embed">
{picture}<script type="application/vnd.jupyter.widget-view+json">{view}</script>
</div>
</main>
<script type="application/vnd.jupyter.widget-state+json">{state}</script>
<script type="{runtime_type}">{runtime}</script>
<!-- {notice} -->
{amd}
<script>{bootstrap}</script>
</body>
</html>
"""


#: Written right after a grid picture's SVG, inside its wrapper. Until the parser has
#: reached it, the SVG is the wrapper's last child, and style.css keeps it hidden: a
#: frame painted while the parser is inside the SVG (it yields there on a loaded machine
#: or a slow network) shows no half-drawn picture. CSS, so it needs no script.
PICTURE_END = "<span hidden></span>"


def picture_html(picture: StaticPicture | None) -> str:
    if picture is None:
        return ""
    return (f'<div class="digitheat-static" role="img" aria-label="{html.escape(picture.label)}" '
            f'data-live-when="{html.escape(json.dumps(picture.live_when))}">'
            f"{picture.markup}</div>\n")


def widget_to_html(widget: Widget, path: str | os.PathLike[str] | None = None, *,
                   title: str = "widget", picture: StaticPicture | None = None,
                   theme: str = "auto", hidden: Sequence[Widget] = ()) -> str:
    """Write ``widget`` (bqplot / box / HTML widgets) as one offline HTML page.

    Parameters
    ----------
    widget
        The widget to show; its state and that of every widget it references go in.
    path
        Where to write the page (UTF-8); ``None`` only returns it.
    title
        The page's ``<title>``.
    picture
        A static picture the page shows where the widget goes until the live view has
        drawn (and for good where scripts do not run).
    theme
        ``"auto"`` (JupyterLab's light or dark theme, as the reader's system prefers),
        ``"light"`` or ``"dark"``.
    hidden
        Widgets among those referenced that the page does not show (their layout gets
        ``display: none`` in the page only): controls that need a kernel.

    Returns
    -------
    str
        The page.

    Raises
    ------
    EmbedError
        If the runtime is not built, a front-end file is unusable, or the state needs
        a widget class the page cannot show.
    """
    theme_markup = _theme_markup(theme, "widget_to_html")
    runtime_js, runtime_css, manifest = runtime_files()
    provides = tuple(manifest["provides"])

    # Only this widget and what it references: embed_data alone would take the state of
    # every widget alive in the kernel. Full state (drop_defaults=False): a default left
    # out would be filled in by the JavaScript model's own default, not always Python's.
    state = dependency_state([widget], drop_defaults=False)
    for gone in hidden:
        layout = state.get(gone.layout.model_id)
        if layout is not None:
            layout["state"] = {**layout["state"], "display": "none"}
    data = embed_data(views=[widget], drop_defaults=False, state=state)
    used = {module for module, _ in required_classes(data["manager_state"]["state"])}

    scripts, versions, licences = [], [], []
    for distribution, module, licence in AMD_MODULES:
        if module not in used:
            continue
        path_of_module = amd_path(distribution, module)
        source = amd_source(path_of_module, path_of_module.stat().st_mtime, provides)
        scripts.append(amd_script(module, source))
        versions.append(f"{distribution} {importlib.metadata.version(distribution)}")
        licences.append(f"{distribution} {licence}")
    css = [themed_css(runtime_css, theme)]
    # Optional parts (controls beyond a grid's: sliders, toggles, jslink) go before the
    # AMD files; like them, they are evaluated only when a model needs them.
    for extra in extras_needed(data["manager_state"]["state"], manifest):
        css.append(static_text(extra["css"]))
        scripts.insert(0, amd_script(extra["module"], static_text(extra["script"])))
    (view,) = data["view_specs"]
    from .. import __version__

    page = _PAGE.format(
        csp=_csp(used),
        **theme_markup,
        generator=html.escape(f"digitheat-widget {__version__} ({', '.join(versions)})"),
        title=html.escape(title),
        picture=picture_html(picture),
        css=style_text("\n".join(css)),
        view=json_for_script(view),
        state=json_for_script(data["manager_state"]),
        runtime_type=RUNTIME_TYPE,
        runtime=script_text(runtime_js),
        bootstrap=BOOTSTRAP,
        notice=html.escape(f"Front-end files as installed with {', '.join(versions)} "
                           f"(licences: {', '.join(licences)})" if versions else ""),
        amd="\n".join(scripts),
    )
    if path is not None:
        write_atomically(path, page.encode("utf-8"))  # as is: no newline translation
    return page


def grid_picture(grid: Widget, label: str = "") -> StaticPicture | None:
    """The static first paint of a grid's page: its figure as inline SVG.

    Parameters
    ----------
    grid
        A :class:`~digitheat_widget.DigitHeatmapGrid`, drawn as it is now.
    label
        The picture's accessible name.

    Returns
    -------
    StaticPicture or None
        ``None`` for the canvas renderer: the large stacks it is for would make a
        picture of one SVG element per cell (about 57 bytes each) larger than the rest
        of the page.
    """
    if grid.active_renderer != "svg":
        return None
    from .svg import static_svg

    figure = grid.figure
    return StaticPicture(
        markup=static_svg(figure) + PICTURE_END,
        live_when=svg_live_when(figure.shape, figure.per_panel),
        label=label,
    )


def svg_live_when(shape: tuple[int, ...], per_panel: bool) -> dict[str, int]:
    """When a grid drawn on SVG panels, of maps ``shape`` (N, H, W), shows what its
    picture does, as ``{CSS selector: count}``: bqplot draws every cell of every panel; the
    colorbar's ticks come earlier (per-panel limits show none: each panel's strip, which
    the page draws); the controller's view (its <style>) renders only after it has put the
    values and colours on the panels."""
    cells = math.prod(int(size) for size in shape)
    scale = {".dhg-strip": int(shape[0])} if per_panel else {".dhg-colorbar .tick": 1}
    return {"rect.heatmapcell": cells, **scale, ".dhg-controller style": 1}


def grid_to_html(grid: Widget, path: str | os.PathLike[str] | None = None,
                 title: str = "digitheat grid", theme: str = "auto",
                 hidden: Sequence[Widget] = ()) -> str:
    """Write a :class:`~digitheat_widget.DigitHeatmapGrid` as one self-contained HTML page.

    The page renders the grid as the widget shows it, with no kernel and no network.
    Everything a person can do on the live grid works there (hover, selection, title
    clicks, the control panel); changes do not reach Python.

    It first paints a static SVG picture of the figure drawn in Python (the picture
    ``grid.to_svg()`` draws: titles, ticks, colorbar, highlight, NaN colour), in the
    place of the live view, which replaces it once it has drawn every cell. Where
    JavaScript is off, stripped (as some learning-management systems do with pasted
    HTML) or fails, the picture stays: the page still shows the figure, without hover
    or sliders. With ``renderer="canvas"`` there is no picture.

    Parameters
    ----------
    grid
        The :class:`~digitheat_widget.DigitHeatmapGrid`.
    path
        Where to write the page (UTF-8); ``None`` only returns it.
    title
        The page's ``<title>``, also the picture's accessible name.
    theme
        ``"auto"`` follows the reader's system (light or dark, as JupyterLab's themes);
        ``"light"`` or ``"dark"`` fix it.
    hidden
        Widgets of the grid that need Python (a paged grid's pager: the page holds only
        the panels shown), hidden in the page.

    Returns
    -------
    str
        The page.
    """
    if not isinstance(title, str):
        raise TypeError(f"{type(grid).__name__}.to_html expected title as a str, got "
                        f"{type(title).__name__} {title!r}")
    _theme_markup(theme, f"{type(grid).__name__}.to_html")  # before the picture is drawn
    return widget_to_html(grid, path, title=title, picture=grid_picture(grid, label=title),
                          theme=theme, hidden=list(hidden))
