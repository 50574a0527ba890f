"""The page loads a grid's widget modules when the package is imported in a kernel.

A fresh page fetches and compiles the front-end files of bqplot, bqscales and ipywidgets'
controls (about 0.9 MB) only when the first widget of each arrives, so the first grid
displayed in a session waited for them: 0.41 s from display to first paint against 0.21 s
for the next grid (issue 26, item 3). Importing :mod:`digitheat_widget` in a kernel opens
one :class:`ModulePrefetch` model; its page-side module (``js/src/page/prefetch.js``) asks
the widget manager to load the classes a grid's first display creates, which loads their
modules while the notebook waits for the next cell, and tells Python when it is done,
which closes the model. Nothing is drawn and no other model is created.

Once per process, only in a kernel (IPython with a kernel: ipykernel, JupyterLite's
Pyodide kernel), and not at all with the environment variable ``DIGITHEAT_PREFETCH=0``. A
client that never answers (nbclient executing a notebook, a front end without widgets)
leaves the model open: a few hundred bytes of the saved widget state, which a page showing
that state offline leaves alone (its runtime carries what its grids need).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import anywidget
import bqplot
import bqscales
import ipywidgets
from traitlets import Int, List, Unicode

from . import module_text

#: Setting this environment variable to ``0`` turns the prefetch off.
ENVIRONMENT = "DIGITHEAT_PREFETCH"

#: The widget classes a grid's first display opens (SVG panels; the canvas renderer opens
#: a subset, plus its own anywidget model, whose module is this one's). Loading a class
#: loads its whole module, so the control panel's sliders and dropdowns come with Button.
GRID_CLASSES: tuple[type[ipywidgets.Widget], ...] = (
    bqplot.Figure, bqplot.GridHeatMap, bqplot.Tooltip, bqplot.Axis, bqplot.ColorAxis,
    bqscales.LinearScale, bqscales.OrdinalScale, bqscales.ColorScale,
    ipywidgets.VBox, ipywidgets.HBox, ipywidgets.GridBox, ipywidgets.Button,
    ipywidgets.ButtonStyle, ipywidgets.Layout,
)


def model_class(widget_class: type[ipywidgets.Widget]) -> list[str]:
    """``[model name, module, module version]`` of a widget class, as its models are
    opened in the page."""
    traits = widget_class.class_traits()
    return [traits[name].default_value
            for name in ("_model_name", "_model_module", "_model_module_version")]


class ModulePrefetch(anywidget.AnyWidget):
    """Asks the page to load the modules of a grid's widgets; closes once it has.

    Not for direct use: importing the package in a kernel opens one (:func:`start`).
    """

    # The module as text, read once (as the controller's: a Path would be watched).
    _esm = module_text("prefetch")

    prefetch_classes = List(
        List(Unicode()), help="[model name, module, module version] of each class the page "
        "loads (GRID_CLASSES).").tag(sync=True)
    prefetched = Int(None, allow_none=True, read_only=True,
                     help="How many of the classes the page loaded, as it reported; None "
                     "until it has (the model closes then).")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("prefetch_classes", [model_class(c) for c in GRID_CLASSES])
        super().__init__(**kwargs)
        self.on_msg(self._heard)

    def _heard(self, _widget: Any, content: Any, _buffers: Any) -> None:
        loaded = content.get("prefetched") if isinstance(content, dict) else None
        if isinstance(loaded, int) and not isinstance(loaded, bool):
            self.set_trait("prefetched", loaded)
            self.close()


#: The prefetch this process opened, if any.
_opened: ModulePrefetch | None = None


def in_kernel() -> bool:
    """Whether this process is a kernel's (IPython running with a kernel)."""
    ipython = sys.modules.get("IPython")  # never imported here just to ask
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def start() -> ModulePrefetch | None:
    """Open the prefetch, once per process, in a kernel, unless ``DIGITHEAT_PREFETCH=0``.

    Returns
    -------
    ModulePrefetch or None
        The one this process opened (now or before), or ``None`` if it opened none.
    """
    global _opened
    if _opened is None and os.environ.get(ENVIRONMENT) != "0" and in_kernel():
        _opened = ModulePrefetch()
    return _opened
