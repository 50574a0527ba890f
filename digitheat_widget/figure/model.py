"""``Figure``: what a grid draws, described once, from its traits.

Every renderer draws from this description and from nothing else: the bqplot panels
and the canvas in the page (through :meth:`Figure.to_page`, which the page's controller
and the canvas read), the static SVG and PNG and the exported page's first picture
(through :mod:`digitheat_widget.figure.scene`). A new visual property is added here
once, then drawn by each front end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .colormaps import colormap_stops, map_values
from .colors import parse_color
from .layout import DIMMED_OPACITY, STRIP_HEIGHT, GridGeometry, auto_cell_size, readable_cell
from .ticks import tick_format, tick_labels, tick_values, value_format, value_text


def css_color(color: str) -> str:
    """A validated CSS colour in the one form every front end reads: ``rgba(r, g, b, a)``."""
    r, g, b, alpha = parse_color(color)
    return f"rgba({r}, {g}, {b}, {alpha:.3f})"


def title_tooltip(label: str) -> str:
    """Hover text of a panel's title (set as an attribute or text, never parsed as HTML)."""
    return f"{label}: click to highlight or un-highlight"


@dataclass(frozen=True)
class Figure:
    """The grid's picture, apart from how it is drawn.

    Built by :func:`describe`; immutable, so a renderer can keep the one it drew and
    compare it with the next to redraw only what changed.
    """

    data: np.ndarray = field(repr=False, compare=False)
    geometry: GridGeometry
    limits: tuple[float, float]
    #: The limits with vmin = vmax = None (the page's "auto limits" restores them).
    auto_limits: tuple[float, float]
    vmin: float | None
    vmax: float | None
    colormap: str | tuple[str, ...]
    stops: tuple[str, ...]
    nan_color: str
    labels: tuple[str, ...]
    highlighted: tuple[int, ...]
    selected: tuple[int, int, int] | None
    #: Where the page is narrower than the grid: whether it may use fewer columns (the
    #: grid's ``columns`` were not given) and the smallest cell it may scale to (the
    #: cell itself when ``cell_size`` was given). Pictures keep the geometry as it is.
    fit_columns: bool = False
    fit_min_cell: int = 0
    #: ``panel_limits="per-panel"``: each panel's limits in force and automatic limits
    #: (its own range, by the shared limits' rule), in the figure's (page-local) panel
    #: order; None with one shared scale (``limits``, the colorbar).
    panel_limits: tuple[tuple[float, float], ...] | None = None
    panel_auto: tuple[tuple[float, float], ...] | None = None

    # ------------------------------------------------------------------ derived

    @cached_property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.data.shape)  # type: ignore[return-value]

    @cached_property
    def tick_format(self) -> str:
        """d3-format of the colorbar's labels."""
        return tick_format(*self.limits)

    @cached_property
    def value_format(self) -> str:
        """d3-format of hover values: one decimal more than the colorbar's."""
        return value_format(self.tick_format)

    @property
    def colorbar_ticks(self) -> np.ndarray:
        return tick_values(*self.limits)

    @property
    def colorbar_labels(self) -> list[str]:
        return tick_labels(*self.limits)

    @property
    def per_panel(self) -> bool:
        """Whether each panel has its own colour limits (and scale strip)."""
        return self.panel_limits is not None

    def limits_of(self, index: int) -> tuple[float, float]:
        """Panel ``index``'s colour limits in force (the shared ones without per-panel)."""
        return self.panel_limits[index] if self.panel_limits is not None else self.limits

    @cached_property
    def panel_tick_formats(self) -> tuple[str, ...]:
        """Each panel's d3-format of its scale strip's labels (per-panel limits)."""
        return tuple(tick_format(*pair) for pair in self.panel_limits or ())

    def value_format_of(self, index: int) -> str:
        """d3-format of panel ``index``'s hover and readout values."""
        if self.panel_limits is None:
            return self.value_format
        return value_format(self.panel_tick_formats[index])

    def strip_labels(self, index: int) -> tuple[str, str]:
        """Panel ``index``'s scale strip labels: its low and high limit, in its value
        format (one decimal more than its tick format, so the ends are not rounded off)."""
        low, high = self.limits_of(index)
        fmt = self.value_format_of(index)
        return value_text(low, fmt), value_text(high, fmt)

    @property
    def colormap_name(self) -> str | None:
        """The colormap's name, or None for a list of colours."""
        return self.colormap if isinstance(self.colormap, str) else None

    def cell_rgb(self, over: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
        """Every cell's colour as shown, (N, H, W, 3) floats 0..255: NaN in ``nan_color``
        and, while panels are highlighted, the others at DIMMED_OPACITY over ``over``."""
        background = np.array(over, dtype=np.float64)
        if self.panel_limits is None:
            colors = map_values(self.data, *self.limits, self.colormap)
        else:
            colors = np.stack([map_values(self.data[i], *pair, self.colormap)
                               for i, pair in enumerate(self.panel_limits)])
        r, g, b, alpha = parse_color(self.nan_color)
        colors[np.isnan(self.data)] = np.array([r, g, b]) * alpha + background * (1 - alpha)
        if self.highlighted:
            dimmed = [i for i in range(self.shape[0]) if i not in set(self.highlighted)]
            colors[dimmed] = colors[dimmed] * DIMMED_OPACITY + background * (1 - DIMMED_OPACITY)
        return colors

    def with_cell(self, cell: int) -> Figure:
        """The same figure drawn with ``cell`` px per cell."""
        g = self.geometry
        return replace(self, geometry=replace(g, cell=cell))

    def with_data(self, data: np.ndarray, limits: tuple[float, float],
                  auto: tuple[float, float],
                  panels: tuple[np.ndarray, np.ndarray] | None = None) -> Figure:
        """The same figure showing other maps of the same shape (a frame), with their
        limits in force and automatic limits (and, per-panel, ``panels``: each panel's
        limits in force and automatic limits)."""
        if data.shape != self.shape:
            raise ValueError(f"expected maps of shape {self.shape}, got {data.shape}")
        per = {} if panels is None else {"panel_limits": _pairs(panels[0]),
                                         "panel_auto": _pairs(panels[1])}
        return replace(self, data=data, limits=limits, auto_limits=auto, **per)

    def head(self, count: int) -> Figure:
        """The same figure with only its first ``count`` panels (limits and colours kept)."""
        if count >= self.shape[0]:
            return self
        g = self.geometry
        return replace(
            self, data=self.data[:count], labels=self.labels[:count],
            highlighted=tuple(i for i in self.highlighted if i < count),
            selected=self.selected if self.selected and self.selected[0] < count else None,
            geometry=replace(g, panels=count),
            panel_limits=None if self.panel_limits is None else self.panel_limits[:count],
            panel_auto=None if self.panel_auto is None else self.panel_auto[:count])

    def summary(self) -> str:
        """One sentence that says what the figure shows: the accessible description of the
        live grid (its page twin is js/src/page/summary.js, checked by golden cases) and of
        its pictures."""
        count, rows, cols = self.shape
        name = self.colormap_name or "custom colours"
        chosen = ", ".join(self.labels[i] for i in self.highlighted)
        if self.panel_limits is None:
            low, high = (value_text(v, self.value_format) for v in self.limits)
            limits = f"colour limits {low} to {high}"
        else:
            limits = "colour limits per panel (each panel's scale under it)"
        return (f"{count} heatmaps of {rows} by {cols} cells, colormap {name}, {limits}"
                + (f", highlighted: {chosen}" if chosen else ""))

    # ------------------------------------------------------------------ for the page

    def page_layout(self) -> dict[str, object]:
        """Geometry, titles and how the page may fit the grid to a narrow container
        (``fit_columns``, ``fit_min_cell``: js/src/page/fit.js): changes only with the
        shape, columns, cell size or labels."""
        return {**self.geometry.to_page(), "labels": list(self.labels),
                "title_tooltips": [title_tooltip(label) for label in self.labels],
                "fit_columns": self.fit_columns,
                "fit_min_cell": self.fit_min_cell or self.geometry.cell}

    def page_limits(self) -> dict[str, object]:
        """The colour limits in force and their format: one small message per change (the
        page derives the hover format, ``value_format``, from ``tick_format``)."""
        return page_limits(self.limits, self.vmin, self.vmax, self.panel_limits, self.panel_auto)

    def page_auto_limits(self) -> list[float]:
        """The limits with vmin = vmax = None, for the page's "auto limits"."""
        return list(self.auto_limits)

    def page_colormap(self) -> dict[str, object]:
        return {"name": self.colormap_name, "stops": list(self.stops)}

    def page_nan_color(self) -> str:
        return css_color(self.nan_color)


def page_limits(limits: tuple[float, float], vmin: float | None, vmax: float | None,
                panels: Sequence[tuple[float, float]] | np.ndarray | None = None,
                panel_auto: Sequence[tuple[float, float]] | np.ndarray | None = None,
                ) -> dict[str, object]:
    """:meth:`Figure.page_limits` of a figure with these limits in force and vmin, vmax;
    per-panel, also each panel's limits in force (``panels``: low, high of panel 0, then
    of panel 1... in the page's panel order, one flat list) and, where they differ, the
    automatic limits (``panel_auto``, the same form: what the page's "auto limits" and its
    own vmin/vmax apply the rule to; absent, they are ``panels``). One shared scale sends
    neither key."""
    out: dict[str, object] = {"vmin": vmin, "vmax": vmax, "low": limits[0], "high": limits[1],
                              "tick_format": tick_format(*limits)}
    if panels is not None:
        flat = np.asarray(panels, dtype="<f8").ravel()
        out["panels"] = _wire_floats(flat)
        if panel_auto is not None and panel_auto is not panels:  # the same: nothing to add
            auto = np.asarray(panel_auto, dtype="<f8").ravel()
            if not np.array_equal(auto, flat):
                out["panel_auto"] = _wire_floats(auto)
    return out


def _wire_floats(values: np.ndarray) -> memoryview:
    """Little-endian float64 values as one binary buffer (a DataView in the page, as
    ipywidgets gives it; js/src/page/limits.js's panelPairs reads it): 2N floats travel
    without JSON, so per-panel limits cost a full update little more than one pair."""
    return memoryview(np.ascontiguousarray(values, dtype="<f8").tobytes())


def describe(
    data: np.ndarray,
    *,
    limits: tuple[float, float],
    auto: tuple[float, float],
    vmin: float | None,
    vmax: float | None,
    colormap: str | Sequence[str],
    nan_color: str,
    labels: Sequence[str],
    highlighted: Sequence[int],
    selected: tuple[int, int, int] | None,
    columns: int,
    cell_size: int | None,
    columns_given: bool = True,
    panels: tuple[Sequence[tuple[float, float]] | np.ndarray,
                  Sequence[tuple[float, float]] | np.ndarray] | None = None,
) -> Figure:
    """The :class:`Figure` of a grid with these (validated) trait values; ``columns_given``
    False lets the page use fewer columns where it is narrow; ``panels`` (per-panel limits):
    each panel's limits in force and automatic limits, and a scale strip under each."""
    count, rows, cols = data.shape
    cell = cell_size or auto_cell_size(rows, cols)
    colormap = colormap if isinstance(colormap, str) else tuple(colormap)
    return Figure(
        data=data,
        geometry=GridGeometry(rows=rows, cols=cols, panels=count, columns=columns, cell=cell,
                              strip=STRIP_HEIGHT if panels is not None else 0),
        limits=limits, auto_limits=auto, vmin=vmin, vmax=vmax, colormap=colormap,
        stops=tuple(colormap_stops(colormap)), nan_color=nan_color, labels=tuple(labels),
        highlighted=tuple(highlighted), selected=selected,
        fit_columns=not columns_given,
        fit_min_cell=cell if cell_size else readable_cell(cell),
        panel_limits=None if panels is None else _pairs(panels[0]),
        panel_auto=None if panels is None else _pairs(panels[1]),
    )


def _pairs(limits: Sequence[tuple[float, float]] | np.ndarray) -> tuple[tuple[float, float], ...]:
    """Per-panel limits as the figure holds them: a tuple of (low, high) floats."""
    return tuple((float(low), float(high)) for low, high in np.asarray(limits, float).tolist())
