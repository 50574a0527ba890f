"""The live widgets of one grid: controller, panels or canvas, colorbar.

:class:`LiveView` builds them from a :class:`~digitheat_widget.figure.Figure` and builds
them again only when the figure's layout changes (shape, columns, cell size, labels,
renderer). Every other change travels through the controller alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from ipywidgets import Widget

from ..figure import Figure
from . import svg
from .canvas import CanvasGrid
from .controller import GridController, Stack


class LiveView:
    """Owns the widgets that draw a grid in the page (see the module docstring)."""

    def __init__(self, figure: Figure, uid: str, use_canvas: bool, wire_dtype: type) -> None:
        self.color_scale = svg.color_scale(figure)
        self._build(figure, use_canvas)
        self.body = svg.body(self._body_children())
        controller = GridController(
            geometry={**figure.page_layout(), "uid": uid}, limits=figure.page_limits(),
            colormap=figure.page_colormap(), nan_color=figure.page_nan_color(),
            highlighted=list(figure.highlighted), selected=list(figure.selected or []),
            color_scale=self.color_scale, data=Stack(figure.data, wire_dtype), **self._refs(),
        )
        controller.layout.display = "none"  # holds only a <style>; takes no space
        self.controller = controller

    # ------------------------------------------------------------------ building

    def _build(self, figure: Figure, use_canvas: bool) -> None:
        self.colorbar = svg.Colorbar(figure, self.color_scale)
        self.panels: svg.SvgPanels | None = None
        self.canvas: CanvasGrid | None = None
        if use_canvas:
            self.canvas = CanvasGrid(figure)
        else:
            self.panels = svg.SvgPanels(figure, self.color_scale)

    def _body_children(self) -> list[Widget]:
        drawing = self.canvas if self.canvas is not None else self.panels.box
        return [drawing, self.colorbar.figure]

    def _refs(self) -> dict[str, Any]:
        panel_refs = self.panels.refs() if self.panels is not None else {
            "marks": [], "tooltips": [], "figures": [], "titles": []}
        return {"canvas": self.canvas, "colorbar": self.colorbar.figure,
                "colorbar_axis": self.colorbar.axis, **panel_refs}

    def _drawing_widgets(self) -> list[Widget]:
        found = self.colorbar.widgets()
        if self.panels is not None:
            found += self.panels.widgets()
        if self.canvas is not None:
            found += [self.canvas, self.canvas.layout]
        return found

    def rebuild(self, figure: Figure, use_canvas: bool, wire_dtype: type) -> None:
        """New drawing widgets for a new layout; the controller and colour scale stay."""
        old = self._drawing_widgets()
        self._build(figure, use_canvas)
        controller = self.controller
        # New widgets first (the page must know them before the controller names them),
        # then the controller's refs, layout and stack, then the old widgets go.
        with controller.hold_sync():
            for name, value in self._refs().items():
                setattr(controller, name, value)
            controller.geometry = {**figure.page_layout(), "uid": controller.geometry["uid"]}
            controller.send_stack(figure.data, wire_dtype)
        self.body.children = self._body_children()
        for widget in old:
            widget.close()

    # ------------------------------------------------------------------ reading

    @property
    def active_renderer(self) -> str:
        return "canvas" if self.canvas is not None else "svg"

    def set_controls(self, refs: dict[str, Any], colormaps: dict[str, list[str]]) -> None:
        """Let the controller drive (and follow) a control panel's widgets in the page."""
        with self.controller.hold_sync():
            self.controller.controls = refs
            self.controller.colormaps = colormaps

    def send(self, figure: Figure, parts: Sequence[str], maps: Sequence[int] = (),
             stack: bool = False, wire_dtype: type = np.float32) -> None:
        """One message: the figure's ``parts`` and the changed ``maps`` (or the stack)."""
        controller = self.controller
        with controller.hold_sync():
            if stack:
                controller.send_stack(figure.data, wire_dtype)
            elif maps:
                controller.send_maps(figure.data, maps)
            controller.show(figure, parts)

    def widgets(self) -> list[Widget]:
        """Every widget this view created, each once."""
        return [*self._drawing_widgets(), self.color_scale, self.body, self.body.layout,
                self.controller, self.controller.layout]

    def close(self) -> None:
        for widget in self.widgets():
            widget.close()
