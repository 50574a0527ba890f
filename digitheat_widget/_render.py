"""The bqplot side of the grid: geometry and the widgets that draw one panel or the colorbar.

Kept apart from the widget class so that the traits (what the user controls) and the
drawing (which bqplot widgets, how big) can change independently.

Sharing is deliberate: every panel uses the same colour scale, row/column scales, axes
and figure layout, so a 10-panel grid opens few comms and a change of limits or colormap
is one message to one shared ``ColorScale`` that every panel and the colorbar redraw from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import bqplot
import numpy as np
from ipywidgets import Button, ButtonStyle, GridBox, Layout, Widget

#: Space around each panel's plot area, in px: title above, tick labels left and below.
PANEL_MARGIN = {"top": 30, "bottom": 22, "left": 28, "right": 6}
#: Gap between panels in the grid, in px.
GAP_X, GAP_Y = 6, 4
#: Where the colorbar's bar is drawn inside its own figure (bqplot insets a vertical
#: ColorAxis by 100 px at each end of the plot area, see ColorAxis.x_offset).
COLORBAR_INSET = 100
COLORBAR_BAR_LEFT = 12
COLORBAR_BAR_WIDTH = 20  # bqplot's fixed bar thickness
TICK_FONT = "10px"
TITLE_FONT = "13px"
#: Opacity of panels that are not highlighted while some are.
DIMMED_OPACITY = 0.4
#: Colour of the outline around highlighted panels.
ACCENT_COLOR = "#2f80ed"
#: Outline of the clicked cell: cyan stands out on every built-in colormap's cells.
SELECTED_COLOR = "#00e5ff"


def auto_cell_size(rows: int, cols: int) -> int:
    """Pixels per cell: about 150 px for the longer side of a panel, 4-24 px per cell."""
    return max(4, min(24, 150 // max(rows, cols)))


@dataclass(frozen=True)
class GridGeometry:
    """Pixel sizes of one panel and of the whole grid of panels."""

    rows: int
    cols: int
    panels: int
    columns: int
    cell: int

    @property
    def panel_width(self) -> int:
        return self.cols * self.cell + PANEL_MARGIN["left"] + PANEL_MARGIN["right"]

    @property
    def panel_height(self) -> int:
        return self.rows * self.cell + PANEL_MARGIN["top"] + PANEL_MARGIN["bottom"]

    @property
    def grid_rows(self) -> int:
        return math.ceil(self.panels / self.columns)

    @property
    def grid_height(self) -> int:
        return self.grid_rows * self.panel_height + (self.grid_rows - 1) * GAP_Y

    def tick_positions(self, length: int) -> list[int]:
        """Axis ticks 0..length-1, thinned so labels stay at least 16 px apart."""
        step = max(1, math.ceil(16 / self.cell))
        return list(range(0, length, step))


@dataclass
class SharedParts:
    """Widgets that every panel shares."""

    color_scale: bqplot.ColorScale
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

    def widgets(self) -> list[Widget]:
        """The shared widgets, except the colour scale, which outlives a change of map size."""
        return [
            self.row_scale, self.column_scale, self.x_axis, self.y_axis,
            self.figure_scale_x, self.figure_scale_y, self.panel_layout, self.cell_layout,
            self.title_layout, self.title_style,
        ]


def title_width(geometry: GridGeometry) -> int:
    """Width of the clickable title area: the panel minus the outline at both sides."""
    return geometry.panel_width - 6


def make_shared(geometry: GridGeometry, color_scale: bqplot.ColorScale) -> SharedParts:
    """Scales, axes and layout for panels of ``geometry``'s size."""
    row_scale = bqplot.OrdinalScale(reverse=True)  # row 0 at the top, like an image
    column_scale = bqplot.OrdinalScale()
    tick_style = {"font-size": TICK_FONT}
    return SharedParts(
        color_scale=color_scale,
        row_scale=row_scale,
        column_scale=column_scale,
        x_axis=bqplot.Axis(
            scale=column_scale, orientation="horizontal", side="bottom",
            tick_values=geometry.tick_positions(geometry.cols), tick_style=tick_style,
            grid_lines="none",
        ),
        y_axis=bqplot.Axis(
            scale=row_scale, orientation="vertical", side="left",
            tick_values=geometry.tick_positions(geometry.rows), tick_style=tick_style,
            grid_lines="none",
        ),
        figure_scale_x=bqplot.LinearScale(),
        figure_scale_y=bqplot.LinearScale(),
        panel_layout=Layout(
            width=f"{geometry.panel_width}px", height=f"{geometry.panel_height}px",
            margin="0px", padding="0px", overflow="visible", flex="0 0 auto",
            grid_area="1 / 1",
        ),
        # Figure and title button share one grid cell, so the button lies over the title.
        cell_layout=Layout(
            grid_template_columns="auto", grid_template_rows="auto", margin="0px",
            padding="0px", overflow="visible",
        ),
        # Inset by the outline width so the button never hides a highlight outline.
        title_layout=Layout(
            grid_area="1 / 1", align_self="flex-start", width=f"{title_width(geometry)}px",
            height=f"{PANEL_MARGIN['top'] - 3}px", margin="3px 3px 0px 3px", padding="0px",
        ),
        title_style=ButtonStyle(button_color="transparent"),
    )


def resize_shared(shared: SharedParts, geometry: GridGeometry) -> None:
    """Adapt the shared parts to panels of a new size."""
    shared.x_axis.tick_values = geometry.tick_positions(geometry.cols)
    shared.y_axis.tick_values = geometry.tick_positions(geometry.rows)
    shared.panel_layout.width = f"{geometry.panel_width}px"
    shared.panel_layout.height = f"{geometry.panel_height}px"
    shared.title_layout.width = f"{title_width(geometry)}px"


@dataclass
class Panel:
    """One digit's map: a Figure holding one GridHeatMap, under a clickable title."""

    figure: bqplot.Figure
    mark: bqplot.GridHeatMap
    tooltip: bqplot.Tooltip
    title_button: Button
    cell: GridBox

    def widgets(self) -> list[Widget]:
        """The widgets this panel owns (its layouts and styles are shared, except the
        tooltip's)."""
        return [self.figure, self.mark, self.tooltip, self.tooltip.layout, self.title_button,
                self.cell]


def wire_dtype(tensor: np.ndarray) -> type:
    """float32 (half the bytes) when it shows the data exactly as float64 would, else float64.

    float64 is needed when a value is outside float32's normal range, or when the data's
    spread is tiny next to its magnitude (e.g. 300.000000 .. 300.000010), where float32's
    rounding (2^-24 of the value) would move a cell by a visible share of the colour range.
    """
    finite = tensor[np.isfinite(tensor)]
    if not finite.size:
        return np.float32
    info = np.finfo(np.float32)
    largest = float(np.abs(finite).max())
    nonzero = np.abs(finite[finite != 0])
    if largest > float(info.max) or (nonzero.size and float(nonzero.min()) < float(info.tiny)):
        return np.float64
    spread = float(finite.max() - finite.min())
    if spread > 0 and largest / spread > 4096:  # rounding above 2^-12 of the range
        return np.float64
    return np.float32


def wire_values(values: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """The array sent to the page for one panel, in ``dtype`` (see :func:`wire_dtype`)."""
    return np.ascontiguousarray(values, dtype=dtype)


def make_panel(
    index: int, values: np.ndarray, label: str, shared: SharedParts, tooltip_format: str,
    dtype: type = np.float32,
) -> Panel:
    """Build the figure for map ``index`` of shape (H, W), titled ``label``."""
    rows, cols = values.shape
    tooltip = make_tooltip(label, tooltip_format)
    mark = bqplot.GridHeatMap(
        color=wire_values(values, dtype),
        row=np.arange(rows, dtype=np.int32),
        column=np.arange(cols, dtype=np.int32),
        scales={"row": shared.row_scale, "column": shared.column_scale,
                "color": shared.color_scale},
        stroke=None,  # no cell outlines: the reference figure has none
        tooltip=tooltip,
    )
    figure = bqplot.Figure(
        marks=[mark],
        axes=[shared.x_axis, shared.y_axis],
        title=label,
        title_style={"font-size": TITLE_FONT},
        fig_margin=dict(PANEL_MARGIN),
        padding_x=0.0,
        padding_y=0.0,
        scale_x=shared.figure_scale_x,
        scale_y=shared.figure_scale_y,
        layout=shared.panel_layout,
        min_aspect_ratio=0.01,
        max_aspect_ratio=100.0,
        animation_duration=0,
    )
    figure.add_class("dhg-panel")
    figure.add_class(f"dhg-p{index}")
    # bqplot's title cannot be clicked: a transparent button over it can.
    title_button = Button(description="", tooltip=title_tooltip(label),
                          layout=shared.title_layout, style=shared.title_style)
    title_button.add_class("dhg-title-hit")
    cell = GridBox([figure, title_button], layout=shared.cell_layout)
    return Panel(figure=figure, mark=mark, tooltip=tooltip, title_button=title_button, cell=cell)


def make_tooltip(label: str, value_format: str) -> bqplot.Tooltip:
    """Hover text for one panel: its label, the cell's row and column, and the value.

    bqplot writes tooltip labels with ``.text()``, so user labels are never parsed as HTML.
    """
    return bqplot.Tooltip(
        fields=["row", "column", "color"], labels=tooltip_labels(label),
        formats=["", "", value_format],
    )


def title_tooltip(label: str) -> str:
    """Hover text of a panel's title (set as an attribute, never parsed as HTML)."""
    return f"{label}: click to highlight or un-highlight"


def tooltip_labels(label: str) -> list[str]:
    """The names shown beside row, column and value in a panel's tooltip."""
    return [f"{label} · row", "column", "value"]


def _label_px(tick_labels: list[str]) -> int:
    """Width of the longest tick label at 10 px font (about 6.5 px a character)."""
    return int(max((len(t) for t in tick_labels), default=4) * 6.5)


def colorbar_width(tick_labels: list[str]) -> int:
    """Figure width that fits the bar, its ticks and its longest tick label."""
    return COLORBAR_BAR_LEFT + COLORBAR_BAR_WIDTH + 8 + _label_px(tick_labels)


def colorbar_margin(geometry: GridGeometry, tick_labels: list[str]) -> dict[str, int]:
    """Margins that put the bar where we want it, whatever bqplot's fixed offsets.

    bqplot draws a vertical ColorAxis inset by 100 px at both ends of the plot area and
    at x = plot width + right margin / 2 - 20. Negative top/bottom margins push the
    inset part outside the figure, so the bar runs exactly from the top of the first
    row of panels' plot areas to the bottom of the last; the right margin leaves room for
    the labels, and a negative left margin brings the bar to ``COLORBAR_BAR_LEFT``.
    """
    plot_width = 2
    right = 2 * (_label_px(tick_labels) + 8)
    left = colorbar_width(tick_labels) - plot_width - right
    return {
        "top": PANEL_MARGIN["top"] - COLORBAR_INSET,
        "bottom": PANEL_MARGIN["bottom"] - COLORBAR_INSET,
        "left": left,
        "right": right,
    }


def make_colorbar(
    color_scale: bqplot.ColorScale, geometry: GridGeometry, tick_format: str,
    tick_labels: list[str],
) -> tuple[bqplot.Figure, bqplot.ColorAxis]:
    """A figure with no marks and one vertical ColorAxis: the grid's single colorbar."""
    axis = bqplot.ColorAxis(
        scale=color_scale, orientation="vertical", side="right", tick_format=tick_format,
        tick_style={"font-size": TICK_FONT}, grid_lines="none",
    )
    width = colorbar_width(tick_labels)
    figure = bqplot.Figure(
        marks=[],
        axes=[axis],
        fig_margin=colorbar_margin(geometry, tick_labels),
        # The negative margins extend the plot area past the figure: clip it, or the grid
        # would grow a scrollbar for empty space.
        layout=Layout(width=f"{width}px", height=f"{geometry.grid_height}px",
                      margin="0px", padding="0px", overflow="hidden", flex="0 0 auto"),
        min_aspect_ratio=0.001,
        max_aspect_ratio=1000.0,
        animation_duration=0,
    )
    figure.add_class("dhg-colorbar")
    return figure, axis


def colorbar_widgets(figure: bqplot.Figure) -> list[Widget]:
    """Everything a colorbar figure owns: itself, its layout, axis and default scales."""
    return [figure, figure.layout, *figure.axes, figure.scale_x, figure.scale_y]
