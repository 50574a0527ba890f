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

import html
import re
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: A grid's text/plain (its repr): the summary inside is the picture's alt text.
GRID_REPR = re.compile(r"^<DigitHeatmapGrid: (.*)>$", re.DOTALL)


def _picture_with_alt(data: dict) -> str | None:
    """The output's PNG as an <img> with the grid's summary as alt text (nbconvert's own
    template writes none), or None if the output is not a grid's."""
    text = data.get("text/plain", "")
    match = GRID_REPR.match(text if isinstance(text, str) else "".join(text))
    png = data.get("image/png")
    if not match or not isinstance(png, str):
        return None
    return (f'<img src="data:image/png;base64,{html.escape(png.strip())}" '
            f'alt="{html.escape(match[1])}" style="max-width: 100%">')


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
                        picture = _picture_with_alt(data)
                        if picture is not None:  # HTML outranks PNG in nbconvert's order
                            data["text/html"] = picture
        return nb, resources


class StaticFallbackHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter with :class:`StaticFallbackPreprocessor` switched on."""

    export_from_notebook = "HTML (digitheat static fallback)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_preprocessor(StaticFallbackPreprocessor, enabled=True)
