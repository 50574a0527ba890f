"""The SVG renderer: bqplot widgets that draw a :class:`~digitheat_widget.figure.Figure`.

Built from the figure's layout when the shape, columns, cell size or labels change, and
only then. Everything that changes while a person explores (values, limits, colormap,
highlight, selection, NaN colour) is set on these widgets in the page by the grid's
controller (``controller.js``), so Python builds the widgets once and never sends them
such a change. A mark's ``color`` in Python is a zero placeholder of the map's shape
(bqplot needs one to size its rows and columns); the controller puts the values in.

Sharing is deliberate: every panel uses the same colour scale, row/column scales, axes
and figure layout, so a 10-panel grid opens few comms.
"""

from __future__ import annotations

from dataclasses import dataclass

import bqplot
import numpy as np
from ipywidgets import Button, ButtonStyle, GridBox, HBox, Layout, Widget

from ..figure import Figure
from ..figure.layout import (
    GAP_X, GAP_Y, HIGHLIGHT_WIDTH, PANEL_MARGIN, TICK_FONT_PX, TITLE_FONT_PX, GridGeometry,
)
from ..figure.model import title_tooltip

TICK_STYLE = {"font-size": f"{TICK_FONT_PX}px"}


@dataclass
class SharedParts:
    """Widgets that every panel shares."""

    row_scale: bqplot.OrdinalScale
    column_scale: bqplot.OrdinalScale
    x_axis: bqplot.Axis
    y_axis: bqplot.Axis
    figure_scale_x: bqplot.LinearScale
    figure_scale_y: bqplot.LinearScale
    panel_layout: Layout
    cell_layout: Layout
    title_layout: Layout
    title_style: ButtonStyle
    tooltip_layout: Layout

    def widgets(self) -> list[Widget]:
        return [self.row_scale, self.column_scale, self.x_axis, self.y_axis,
                self.figure_scale_x, self.figure_scale_y, self.panel_layout, self.cell_layout,
                self.title_layout, self.title_style, self.tooltip_layout]


def _shared(geometry: GridGeometry) -> SharedParts:
    row_scale = bqplot.OrdinalScale(reverse=True)  # row 0 at the top, like an image
    column_scale = bqplot.OrdinalScale()
    return SharedParts(
        row_scale=row_scale,
        column_scale=column_scale,
        # bqplot labels an ordinal axis at every value of its domain whatever tick_values
        # says; num_ticks thins it (figure/layout.py's tick_positions follows its rule).
        x_axis=bqplot.Axis(scale=column_scale, side="bottom",
                           num_ticks=geometry.tick_count(geometry.cols), tick_style=TICK_STYLE,
                           grid_lines="none"),
        y_axis=bqplot.Axis(scale=row_scale, side="left",
                           num_ticks=geometry.tick_count(geometry.rows), tick_style=TICK_STYLE,
                           grid_lines="none"),
        figure_scale_x=bqplot.LinearScale(),
        figure_scale_y=bqplot.LinearScale(),
        panel_layout=Layout(
            width=f"{geometry.panel_width}px", height=f"{geometry.panel_height}px",
            margin="0px", padding="0px", overflow="visible", flex="0 0 auto", grid_area="1 / 1",
        ),
        # Figure and title button share one grid cell, so the button lies over the title.
        cell_layout=Layout(grid_template_columns="auto", grid_template_rows="auto",
                           margin="0px", padding="0px", overflow="visible"),
        # Inset by the outline width so the button never hides a highlight outline.
        title_layout=Layout(
            grid_area="1 / 1", align_self="flex-start",
            width=f"{geometry.panel_width - 2 * HIGHLIGHT_WIDTH}px",
            height=f"{PANEL_MARGIN['top'] - HIGHLIGHT_WIDTH}px",
            margin=f"{HIGHLIGHT_WIDTH}px {HIGHLIGHT_WIDTH}px 0px {HIGHLIGHT_WIDTH}px",
            padding="0px",
        ),
        title_style=ButtonStyle(button_color="transparent"),
        # bqplot styles a tooltip itself; one empty layout serves them all (a widget less
        # per panel to open before the first paint).
        tooltip_layout=Layout(),
    )


@dataclass
class Panel:
    """One map: a Figure holding one GridHeatMap, under a clickable title."""

    figure: bqplot.Figure
    mark: bqplot.GridHeatMap
    tooltip: bqplot.Tooltip
    title_button: Button
    cell: GridBox

    def widgets(self) -> list[Widget]:
        return [self.figure, self.mark, self.tooltip, self.title_button, self.cell]


def _panel(index: int, figure: Figure, shared: SharedParts, color_scale: bqplot.ColorScale
           ) -> Panel:
    geometry, label = figure.geometry, figure.labels[index]
    tooltip = bqplot.Tooltip(fields=["row", "column", "color"],
                             labels=[f"{label} · row", "column", "value"],
                             formats=["", "", figure.value_format], layout=shared.tooltip_layout)
    mark = bqplot.GridHeatMap(
        # A placeholder of the map's shape, one byte a cell: the controller puts the values in.
        color=np.zeros((geometry.rows, geometry.cols), dtype=np.int8),
        row=np.arange(geometry.rows, dtype=np.int32),
        column=np.arange(geometry.cols, dtype=np.int32),
        scales={"row": shared.row_scale, "column": shared.column_scale, "color": color_scale},
        stroke=None,  # no cell outlines: the reference figure has none
        tooltip=tooltip,
    )
    plot = bqplot.Figure(
        marks=[mark], axes=[shared.x_axis, shared.y_axis], title=label,
        title_style={"font-size": f"{TITLE_FONT_PX}px"},
        # Per-panel limits: the page draws the panel's scale strip in the extra bottom margin.
        fig_margin={**PANEL_MARGIN, "bottom": PANEL_MARGIN["bottom"] + geometry.strip},
        padding_x=0.0, padding_y=0.0, scale_x=shared.figure_scale_x,
        scale_y=shared.figure_scale_y, layout=shared.panel_layout, min_aspect_ratio=0.01,
        max_aspect_ratio=100.0, animation_duration=0,
        display_toolbar=False,  # bqplot's pan/zoom toolbar would cover the title on hover
        # Classes given at construction travel in the widget's opening message; add_class
        # afterwards would send one message each (44 for ten panels).
        _dom_classes=["dhg-panel", f"dhg-p{index}"],
    )
    # bqplot's title cannot be clicked: a transparent button over it can. Its click is
    # handled in the page by the controller.
    # Not a tab stop: the grid is one, and the keyboard highlights a panel with "h".
    button = Button(description="", tooltip=title_tooltip(label), layout=shared.title_layout,
                    style=shared.title_style, tabbable=False,
                    _dom_classes=["dhg-title-hit", f"dhg-t{index}"])
    return Panel(figure=plot, mark=mark, tooltip=tooltip, title_button=button,
                 cell=GridBox([plot, button], layout=shared.cell_layout))


class SvgPanels:
    """The grid of bqplot panels for one figure layout (shape, columns, cell, labels)."""

    def __init__(self, figure: Figure, color_scale: bqplot.ColorScale) -> None:
        self.shared = _shared(figure.geometry)
        #: Per-panel limits: one ColorScale per panel (the controller sets each one's
        #: min/max in the page); else none, every panel uses the shared one.
        self.scales = ([panel_scale(figure, i) for i in range(figure.geometry.panels)]
                       if figure.per_panel else [])
        self.panels = [_panel(i, figure, self.shared,
                              self.scales[i] if self.scales else color_scale)
                       for i in range(figure.geometry.panels)]
        self.box = GridBox(
            [p.cell for p in self.panels],
            layout=Layout(grid_template_columns=(
                f"repeat({figure.geometry.columns}, {figure.geometry.panel_width}px)"),
                grid_gap=f"{GAP_Y}px {GAP_X}px", width="auto", overflow="visible"),
        )

    def widgets(self) -> list[Widget]:
        return ([w for p in self.panels for w in p.widgets()] + self.shared.widgets()
                + list(self.scales) + [self.box, self.box.layout])

    def retitle(self, figure: Figure) -> None:
        """New titles for the same layout (a paged grid's next page): set in place, each
        panel's title, tooltip fields and title button, rather than new widgets."""
        for panel, label in zip(self.panels, figure.labels):
            panel.figure.title = label
            panel.tooltip.labels = [f"{label} · row", "column", "value"]
            panel.title_button.tooltip = title_tooltip(label)

    def refs(self) -> dict[str, list[Widget]]:
        """What the controller sets in the page, per panel."""
        return {"marks": [p.mark for p in self.panels],
                "tooltips": [p.tooltip for p in self.panels],
                "figures": [p.figure for p in self.panels],
                "titles": [p.title_button for p in self.panels],
                "scales": list(self.scales)}


class Colorbar:
    """A figure with no marks and one vertical ColorAxis: the grid's single colorbar.

    Its height is the grid's, at most 1,100 px; bqplot keeps the bar length it first drew
    when a figure is resized, so a new layout gets a new Colorbar. A change of limits
    changes only its tick format and width, which the controller sets in the page.
    """

    def __init__(self, figure: Figure, color_scale: bqplot.ColorScale) -> None:
        labels = figure.colorbar_labels
        self.axis = bqplot.ColorAxis(scale=color_scale, side="right",
                                     tick_format=figure.tick_format, tick_style=TICK_STYLE,
                                     grid_lines="none")
        self.figure = bqplot.Figure(
            marks=[], axes=[self.axis], fig_margin=GridGeometry.colorbar_margin(labels),
            # The negative margins extend the plot area past the figure: clip it, or the
            # grid would grow a scrollbar for empty space.
            layout=Layout(width=f"{GridGeometry.colorbar_width(labels)}px",
                          height=f"{figure.geometry.colorbar_height}px", margin="0px",
                          padding="0px", overflow="hidden", flex="0 0 auto"),
            min_aspect_ratio=0.001, max_aspect_ratio=1000.0, animation_duration=0,
            display_toolbar=False, _dom_classes=["dhg-colorbar"],
        )

    def widgets(self) -> list[Widget]:
        f = self.figure
        return [f, f.layout, self.axis, f.scale_x, f.scale_y]


def color_scale(figure: Figure) -> bqplot.ColorScale:
    """The one colour scale every panel and the colorbar share."""
    low, high = figure.limits
    return bqplot.ColorScale(min=low, max=high, colors=list(figure.stops),
                             extrapolation="constant")


def panel_scale(figure: Figure, index: int) -> bqplot.ColorScale:
    """Panel ``index``'s own colour scale (per-panel limits)."""
    low, high = figure.limits_of(index)
    return bqplot.ColorScale(min=low, max=high, colors=list(figure.stops),
                             extrapolation="constant")


def body(children: list[Widget]) -> HBox:
    """Panels (or canvas) with the colorbar beside them, top-aligned."""
    # "dhg-body": the grid's one tab stop (see controller.js).
    return HBox(children, layout=Layout(align_items="flex-start", overflow="visible",
                                        width="auto"), _dom_classes=["dhg-body"])
