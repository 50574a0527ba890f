"""nbconvert support: show the grid's static picture where no live widget can render.

Every grid's display output carries an ``image/png`` next to the widget view. nbconvert's
LaTeX/PDF exporters already prefer the picture. Its HTML exporter always prefers the widget
view, which renders nothing when the notebook has no saved widget state or the page has no
network (the widget runtime comes from a CDN). The ``digitheat-html`` exporter below shows the
picture instead (set ``StaticFallbackPreprocessor.always_static = False`` to keep live views of
widgets whose state the notebook saved)::

    jupyter nbconvert --to digitheat-html notebook.ipynb
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


class StaticFallbackPreprocessor(Preprocessor):
    """Drop the widget view from outputs that also carry a picture, so the picture shows.

    With ``always_static = False``, views of widgets whose state the notebook saved are kept
    (they render where the page can load the widget runtime)."""

    always_static = Bool(True, help="Show the picture even where widget state was saved.").tag(
        config=True
    )

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW in data and "image/png" in data:
                    model_id = data[WIDGET_VIEW].get("model_id")
                    if self.always_static or model_id not in state:
                        del data[WIDGET_VIEW]
        return nb, resources


class StaticFallbackHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter with :class:`StaticFallbackPreprocessor` switched on."""

    export_from_notebook = "HTML (digitheat static fallback)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_preprocessor(StaticFallbackPreprocessor, enabled=True)
