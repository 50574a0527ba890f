"""Pixel layout of a grid: sizes, gaps, fonts and colours that every renderer shares.

Everything here is a plain number or string, in CSS pixels, so the live bqplot panels,
the canvas, the static SVG/PNG and the exported page's first picture all place the same
thing at the same pixel. The page receives it through :meth:`Figure.to_page`; nothing in
the front end has a default of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Space around each panel's plot area, in px: title above, tick labels left and below.
PANEL_MARGIN = {"top": 30, "bottom": 22, "left": 28, "right": 6}
#: Gap between panels in the grid, in px.
GAP_X, GAP_Y = 6, 4
#: bqplot insets a vertical ColorAxis by 100 px at each end of its plot area.
COLORBAR_INSET = 100
#: Where the colorbar's bar sits in its own figure, and bqplot's fixed bar thickness.
COLORBAR_BAR_LEFT = 12
COLORBAR_BAR_WIDTH = 20
TICK_FONT_PX = 10
TITLE_FONT_PX = 13
#: d3-axis defaults: tick length and the gap between a tick and its label.
TICK_LENGTH = 6
TICK_PADDING = 3
#: Opacity of panels that are not highlighted while some are.
DIMMED_OPACITY = 0.4
#: Colour of the outline around highlighted panels, and its width (inside the panel).
ACCENT_COLOR = "#2f80ed"
HIGHLIGHT_WIDTH = 3
#: Outline of the selected cell: cyan stands out on every built-in colormap's cells.
SELECTED_COLOR = "#00e5ff"
#: How missing values (NaN) are drawn by default: a mid blue that no built-in sequential
#: map ends in, so a gap never passes for a very low or very high value.
DEFAULT_NAN_COLOR = "#4a90d9"
#: Tallest colorbar: beside a tall grid (many panels) a bar running its whole height
#: would put its first label a screen below the top. The default 5 x 2 grid (1,011 px)
#: keeps a full-height bar.
MAX_COLORBAR_HEIGHT = 1100
#: Width a grid of many panels aims to fill with its default columns (a notebook cell).
DEFAULT_GRID_WIDTH = 960
#: Up to this many panels, the default is the reference layout's 2 columns.
TWO_COLUMNS_UP_TO = 12
#: Labels stay at least this far apart on a panel's axes: 28 columns of 5 px cells show
#: every 4th index, not 28 overlapping numbers.
MIN_TICK_SPACING = 16
#: Where the page is narrower than the grid (a phone, a narrow pane), the page scales an
#: automatic cell size down (js/src/page/fit.js) to half its size at most, and never below
#: this many px (a 28 x 28 map's 5 px cells go to 4 px, the sample's 21 px to 11 px).
MIN_READABLE_CELL = 4
#: Per-panel colour limits (``panel_limits="per-panel"``): each panel gets a scale strip
#: under its x axis labels: a STRIP_BAR px gradient bar across the plot width, its min and
#: max labels (tick font) under its ends. STRIP_HEIGHT px are added to each panel's height.
STRIP_GAP = 4
STRIP_BAR = 6
STRIP_HEIGHT = STRIP_GAP + STRIP_BAR + 2 + TICK_FONT_PX + 2


def auto_cell_size(rows: int, cols: int) -> int:
    """Pixels per cell: about 150 px for the longer side of a panel, 4-24 px per cell."""
    return max(4, min(24, 150 // max(rows, cols)))


def default_columns(count: int, rows: int, cols: int, cell: int | None = None) -> int:
    """Columns when none are given: 2 (the reference 5 x 2 layout) up to
    TWO_COLUMNS_UP_TO panels, else as many as fit DEFAULT_GRID_WIDTH px."""
    if count <= TWO_COLUMNS_UP_TO:
        return 2
    panel = cols * (cell or auto_cell_size(rows, cols)) + PANEL_MARGIN["left"] + PANEL_MARGIN["right"]
    return max(2, min(count, (DEFAULT_GRID_WIDTH + GAP_X) // (panel + GAP_X)))


def readable_cell(cell: int) -> int:
    """The smallest cell the page may scale an automatic ``cell`` down to where the grid
    is wider than its container: half of it, at least MIN_READABLE_CELL px (and never
    more than ``cell``)."""
    return min(cell, max(MIN_READABLE_CELL, math.ceil(cell / 2)))


def label_px(labels: tuple[str, ...] | list[str]) -> int:
    """Width of the longest tick label at the tick font (about 6.5 px a character)."""
    return int(max((len(t) for t in labels), default=4) * 6.5)


@dataclass(frozen=True)
class GridGeometry:
    """Pixel sizes of one panel, of the grid of panels and of the colorbar beside it."""

    rows: int
    cols: int
    panels: int
    columns: int
    cell: int
    #: Height of each panel's scale strip under its axis (per-panel limits), 0 without.
    strip: int = 0

    @property
    def plot_width(self) -> int:
        return self.cols * self.cell

    @property
    def plot_height(self) -> int:
        return self.rows * self.cell

    @property
    def panel_width(self) -> int:
        return self.plot_width + PANEL_MARGIN["left"] + PANEL_MARGIN["right"]

    @property
    def panel_height(self) -> int:
        return self.plot_height + PANEL_MARGIN["top"] + PANEL_MARGIN["bottom"] + self.strip

    @property
    def grid_rows(self) -> int:
        return math.ceil(self.panels / self.columns)

    @property
    def grid_columns(self) -> int:
        """Columns actually used (fewer than ``columns`` when there are fewer panels)."""
        return min(self.columns, self.panels)

    @property
    def grid_width(self) -> int:
        return self.columns * self.panel_width + (self.columns - 1) * GAP_X

    @property
    def grid_height(self) -> int:
        return self.grid_rows * self.panel_height + (self.grid_rows - 1) * GAP_Y

    @property
    def colorbar_height(self) -> int:
        """The colorbar figure's height: the grid's, at most MAX_COLORBAR_HEIGHT."""
        return min(self.grid_height, MAX_COLORBAR_HEIGHT)

    def panel_origin(self, index: int) -> tuple[int, int]:
        """Top-left corner of panel ``index`` in the grid, reading order."""
        return ((index % self.columns) * (self.panel_width + GAP_X),
                (index // self.columns) * (self.panel_height + GAP_Y))

    def plot_origin(self, index: int) -> tuple[int, int]:
        """Top-left corner of panel ``index``'s cells."""
        x, y = self.panel_origin(index)
        return x + PANEL_MARGIN["left"], y + PANEL_MARGIN["top"]

    def hit(self, x: float, y: float) -> tuple[str, int, int, int] | None:
        """What is under point (x, y) of the grid, in CSS px: ``("cell", panel, row,
        column)``, ``("title", panel, -1, -1)`` (the top margin inside the highlight
        outline: the SVG panels' title button, the canvas' title click) or None (a gap,
        an axis, past the last panel). The canvas' clicks and hover use its twin
        (js/src/page/geometry.js)."""
        step_x, step_y = self.panel_width + GAP_X, self.panel_height + GAP_Y
        column, row = math.floor(x / step_x), math.floor(y / step_y)
        if not (0 <= column < self.columns and row >= 0):
            return None
        local_x, local_y = x - column * step_x, y - row * step_y
        panel = row * self.columns + column
        if local_x >= self.panel_width or local_y >= self.panel_height or panel >= self.panels:
            return None
        cell_x, cell_y = local_x - PANEL_MARGIN["left"], local_y - PANEL_MARGIN["top"]
        if 0 <= cell_x < self.plot_width and 0 <= cell_y < self.plot_height:
            return "cell", panel, math.floor(cell_y / self.cell), math.floor(cell_x / self.cell)
        if (HIGHLIGHT_WIDTH <= local_y < PANEL_MARGIN["top"]
                and HIGHLIGHT_WIDTH <= local_x < self.panel_width - HIGHLIGHT_WIDTH):
            return "title", panel, -1, -1
        return None

    def tick_count(self, length: int) -> int:
        """How many axis labels fit along ``length`` cells, MIN_TICK_SPACING px apart (at
        least 2, as bqplot draws none for fewer)."""
        return max(2, math.ceil(length / max(1, math.ceil(MIN_TICK_SPACING / self.cell))))

    def tick_positions(self, length: int) -> list[int]:
        """Axis ticks among 0..length-1: every one if :meth:`tick_count` allows, else
        evenly thinned the way bqplot thins an ordinal axis given that count (every
        ``length // (count - 1)``-th), so the live SVG panels, the canvas and the static
        pictures label the same rows and columns, never closer than MIN_TICK_SPACING."""
        count = self.tick_count(length)
        return list(range(length)) if length <= count else list(range(0, length, length // (count - 1)))

    @property
    def x_ticks(self) -> list[int]:
        return self.tick_positions(self.cols)

    @property
    def y_ticks(self) -> list[int]:
        # Row 0 is at the top: bqplot's reversed row scale thins from the last row up.
        return sorted(self.rows - 1 - p for p in self.tick_positions(self.rows))

    # ------------------------------------------------------------------ colorbar

    @staticmethod
    def colorbar_width(tick_labels: tuple[str, ...] | list[str]) -> int:
        """Colorbar figure width that fits the bar, its ticks and its longest label."""
        return COLORBAR_BAR_LEFT + COLORBAR_BAR_WIDTH + 8 + label_px(tick_labels)

    @staticmethod
    def colorbar_margin(tick_labels: tuple[str, ...] | list[str]) -> dict[str, int]:
        """bqplot margins that put the bar where we want it, whatever its fixed offsets.

        bqplot draws a vertical ColorAxis inset by 100 px at both ends of the plot area and
        at x = plot width + right margin / 2 - 20. Negative top/bottom margins push the
        inset outside the figure, so the bar runs exactly from the top of the first row of
        plot areas to the bottom of the last; the right margin leaves room for the labels,
        and a negative left margin brings the bar to ``COLORBAR_BAR_LEFT``.
        """
        plot_width = 2
        right = 2 * (label_px(tick_labels) + 8)
        left = GridGeometry.colorbar_width(tick_labels) - plot_width - right
        return {"top": PANEL_MARGIN["top"] - COLORBAR_INSET,
                "bottom": PANEL_MARGIN["bottom"] - COLORBAR_INSET,
                "left": left, "right": right}

    def strip_origin(self, index: int) -> tuple[int, int]:
        """Top-left corner of panel ``index``'s scale strip bar (per-panel limits): under
        its x axis labels, as wide as its cells."""
        left, top = self.plot_origin(index)
        return left, top + self.plot_height + PANEL_MARGIN["bottom"] + STRIP_GAP

    def to_page(self) -> dict[str, object]:
        """Everything a front end needs to place panels, cells, ticks and titles (and,
        with per-panel limits, ``strip``: the scale strips' sizes)."""
        strip = {"strip": {"height": self.strip, "gap": STRIP_GAP, "bar": STRIP_BAR}} \
            if self.strip else {}
        return {**strip,
            "count": self.panels, "rows": self.rows, "cols": self.cols,
            "columns": self.columns, "cell": self.cell, "margin": dict(PANEL_MARGIN),
            "gap_x": GAP_X, "gap_y": GAP_Y,
            "panel_width": self.panel_width, "panel_height": self.panel_height,
            "plot_width": self.plot_width, "plot_height": self.plot_height,
            "width": self.grid_width, "height": self.grid_height,
            "x_ticks": self.x_ticks, "y_ticks": self.y_ticks,
            "tick_font_px": TICK_FONT_PX, "title_font_px": TITLE_FONT_PX,
            "tick_length": TICK_LENGTH, "tick_padding": TICK_PADDING,
            "accent_color": ACCENT_COLOR, "highlight_width": HIGHLIGHT_WIDTH,
            "selected_color": SELECTED_COLOR, "dimmed_opacity": DIMMED_OPACITY,
            "colorbar_bar_left": COLORBAR_BAR_LEFT, "colorbar_bar_width": COLORBAR_BAR_WIDTH,
            "colorbar_inset": COLORBAR_INSET, "colorbar_height": self.colorbar_height,
            "max_colorbar_height": MAX_COLORBAR_HEIGHT, "min_tick_spacing": MIN_TICK_SPACING,
        }
