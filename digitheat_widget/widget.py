"""``DigitHeatmapGrid``: a stack of (N, H, W) maps as a grid of bqplot heatmaps."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import uuid4

import bqplot
import numpy as np
import traitlets
from ipywidgets import HTML, Box, GridBox, HBox, Layout, VBox, Widget
from traitlets import Float, Int, TraitError, TraitType, Unicode, observe, validate

from . import _render
from .colormaps import DEFAULT_COLORMAP, colormap_stops, validate_colormap
from .colors import ColorError, parse_color, to_hex
from .data import as_tensor, auto_limits, sample_data, tick_format, tick_values

#: How missing values (NaN) are drawn by default: a mid blue that no built-in
#: sequential map ends in, so a gap never passes for a very low or very high value.
DEFAULT_NAN_COLOR = "#4a90d9"


def _owner(obj: object, trait: str) -> str:
    return f"{type(obj).__name__}.{trait}"


class _Tensor(TraitType):
    """A real (N, H, W) array, stored as the widget's own read-only float64 copy."""

    info_text = "a real 3-D array-like of shape (N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        try:
            return as_tensor(value)
        except ValueError as err:
            raise TraitError(f"{_owner(obj, self.name)} {err}") from None

    def set(self, obj: Any, value: Any) -> None:
        # Plain traitlets compares arrays with ==, which cannot be a bool, so every
        # assignment would notify; an equal tensor should cost nothing.
        new = self._validate(obj, value)
        old = obj._trait_values.get(self.name)
        obj._trait_values[self.name] = new
        if old is None or old.shape != new.shape or not np.array_equal(old, new, equal_nan=True):
            obj._notify_trait(self.name, old, new)


class _Colormap(TraitType):
    """A known colormap name or a list of at least two CSS colours."""

    info_text = "a colormap name or a list of CSS colours"

    def validate(self, obj: Any, value: Any) -> str | tuple[str, ...]:
        try:
            return validate_colormap(value)
        except ValueError as err:
            raise TraitError(f"{_owner(obj, self.name)} {err}") from None


class _IndexList(TraitType):
    """Distinct panel indices, given as any iterable of integers."""

    info_text = "a list of distinct panel indices"
    default_value: list[int] = []

    def validate(self, obj: Any, value: Any) -> list[int]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TraitError(
                f"{_owner(obj, self.name)} expected a list of panel indices, "
                f"got {type(value).__name__} {value!r}"
            )
        indices = []
        for item in value:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
                raise TraitError(
                    f"{_owner(obj, self.name)} expected integer panel indices, "
                    f"got {type(item).__name__} {item!r}"
                )
            indices.append(int(item))
        if len(set(indices)) != len(indices):
            repeated = sorted({i for i in indices if indices.count(i) > 1})
            raise TraitError(
                f"{_owner(obj, self.name)} expected distinct panel indices, got {repeated} repeated"
            )
        return indices


class _Labels(TraitType):
    """Panel titles: a list of strings."""

    info_text = "a list of strings"

    def validate(self, obj: Any, value: Any) -> list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            raise TraitError(
                f"{_owner(obj, self.name)} expected a list of strings, got {type(value).__name__}"
            )
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise TraitError(
                    f"{_owner(obj, self.name)} expected a list of strings, got "
                    f"{type(item).__name__} {item!r} at position {index}"
                )
        return list(value)


def _default_labels(count: int) -> list[str]:
    return [str(i) for i in range(count)]


class DigitHeatmapGrid(VBox):
    """A grid of heatmaps, one per map of an (N, H, W) tensor, sharing one colour scale.

    By default it shows the bundled sample: the mean image of each handwritten digit 0-9
    as a 7x6 map, five rows of two panels, "hot" colours and one colorbar.

    Parameters
    ----------
    data
        Real array-like of shape (N, H, W): N maps of H rows by W columns. ``None``
        shows :func:`digitheat_widget.sample_data`. The widget keeps its own copy.
    vmin, vmax
        Colour limits; ``None`` takes the data's minimum / maximum.
    colormap
        A colormap name (see :func:`digitheat_widget.colormap_names`) or a list of CSS
        colours spread evenly from vmin to vmax.
    highlighted
        Indices of panels to emphasise; the others are dimmed.
    labels
        Panel titles; default ``"0"`` .. ``"N-1"``.
    columns
        Panels per row of the grid.
    nan_color
        CSS colour for missing values (NaN).
    cell_size
        Pixels per cell; ``None`` chooses about 150 px for a panel's longer side.
    **kwargs
        Passed to :class:`ipywidgets.VBox` (e.g. ``layout``).

    Examples
    --------
    >>> from digitheat_widget import DigitHeatmapGrid, sample_data
    >>> grid = DigitHeatmapGrid(sample_data())
    >>> grid.vmax = 0.01
    >>> grid.highlighted = [3, 8]
    """

    data = _Tensor(
        help="The maps shown, as a read-only float64 array of shape (N, H, W). Assign any "
        "real (N, H, W) array-like to change it; the widget copies what it is given."
    )
    vmin = Float(None, allow_none=True, help="Lower colour limit; None = the data's minimum.")
    vmax = Float(None, allow_none=True, help="Upper colour limit; None = the data's maximum.")
    colormap = _Colormap(
        DEFAULT_COLORMAP,
        help="Colormap name (matplotlib's, e.g. 'hot', 'viridis', 'RdBu_r') or a list of "
        "CSS colours spread evenly from vmin to vmax.",
    )
    highlighted = _IndexList(
        help="Indices of emphasised panels (accent outline); the others are dimmed. [] = none."
    )
    labels = _Labels(help="Panel titles, one per map; default '0'..'N-1'.")
    columns = Int(2, help="Number of panels per row of the grid (at least 1).")
    nan_color = Unicode(DEFAULT_NAN_COLOR, help="CSS colour for missing values (NaN).")
    cell_size = Int(
        None, allow_none=True, help="Pixels per cell (1-64); None = automatic from the map size."
    )

    def __init__(
        self,
        data: Any = None,
        *,
        vmin: float | None = None,
        vmax: float | None = None,
        colormap: str | Sequence[str] = DEFAULT_COLORMAP,
        highlighted: Sequence[int] = (),
        labels: Sequence[str] | None = None,
        columns: int = 2,
        nan_color: str = DEFAULT_NAN_COLOR,
        cell_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        self._panels: list[_render.Panel] = []
        self._built = False
        super().__init__(**kwargs)
        if "layout" not in kwargs:
            self.layout.width = "fit-content"  # as wide as the figure, not the whole cell
        tensor = sample_data() if data is None else data
        with self.hold_trait_notifications():
            self.data = tensor
            self.labels = _default_labels(self.data.shape[0]) if labels is None else labels
            self.vmin, self.vmax = vmin, vmax
            self.colormap = colormap
            self.highlighted = highlighted
            self.columns = columns
            self.nan_color = nan_color
            self.cell_size = cell_size
        self._build()

    # ------------------------------------------------------------------ validation

    @validate("data")
    def _check_data(self, proposal: traitlets.Bunch) -> np.ndarray:
        tensor = proposal["value"]
        count = tensor.shape[0]
        labels = self.labels
        if labels and len(labels) != count and labels != _default_labels(len(labels)):
            raise TraitError(
                f"{_owner(self, 'data')} has {count} panels but labels has {len(labels)} "
                f"entries; set both together inside `with grid.hold_sync():`"
            )
        return tensor

    @validate("labels")
    def _check_labels(self, proposal: traitlets.Bunch) -> list[str]:
        value = proposal["value"]
        count = self.data.shape[0]
        if len(value) != count:
            raise TraitError(
                f"{_owner(self, 'labels')} expected {count} labels (one per panel), got {len(value)}"
            )
        return value

    def _check_limit(self, name: str, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, (bool, np.bool_)) or not np.isfinite(value):
            raise TraitError(f"{_owner(self, name)} expected a finite number or None, got {value!r}")
        other = self.vmax if name == "vmin" else self.vmin
        lo, hi = (value, other) if name == "vmin" else (other, value)
        if lo is not None and hi is not None and not lo < hi:
            raise TraitError(
                f"{_owner(self, name)} expected vmin < vmax, got vmin={lo!r} and vmax={hi!r}; "
                f"to move both, set them together inside `with grid.hold_sync():`"
            )
        return float(value)

    @validate("vmin")
    def _check_vmin(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmin", proposal["value"])

    @validate("vmax")
    def _check_vmax(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmax", proposal["value"])

    @validate("highlighted")
    def _check_highlighted(self, proposal: traitlets.Bunch) -> list[int]:
        count = self.data.shape[0]
        outside = [i for i in proposal["value"] if not 0 <= i < count]
        if outside:
            raise TraitError(
                f"{_owner(self, 'highlighted')} expected indices in 0..{count - 1}, got {outside}"
            )
        return proposal["value"]

    @validate("columns")
    def _check_columns(self, proposal: traitlets.Bunch) -> int:
        value = proposal["value"]
        if isinstance(value, bool) or value < 1:
            raise TraitError(f"{_owner(self, 'columns')} expected an integer >= 1, got {value!r}")
        return value

    @validate("cell_size")
    def _check_cell_size(self, proposal: traitlets.Bunch) -> int | None:
        value = proposal["value"]
        if value is not None and (isinstance(value, bool) or not 1 <= value <= 64):
            raise TraitError(
                f"{_owner(self, 'cell_size')} expected pixels per cell in 1..64 or None, got {value!r}"
            )
        return value

    @validate("nan_color")
    def _check_nan_color(self, proposal: traitlets.Bunch) -> str:
        try:
            parse_color(proposal["value"])
        except ColorError as err:
            raise TraitError(f"{_owner(self, 'nan_color')} {err}") from None
        return proposal["value"]

    # ------------------------------------------------------------------ public helpers

    @property
    def limits(self) -> tuple[float, float]:
        """The colour limits in force ``(low, high)``: vmin/vmax, or the data's range."""
        return auto_limits(self.data, self.vmin, self.vmax)

    @property
    def tick_format(self) -> str:
        """The d3-format string of the colorbar's tick labels (and of hover values)."""
        return tick_format(*self.limits)

    def tick_labels(self) -> list[str]:
        """The colorbar's tick labels, as the page writes them."""
        lo, hi = self.limits
        fmt = self.tick_format
        return [format(0.0 if t == 0 else t, fmt) for t in tick_values(lo, hi)]

    @contextlib.contextmanager
    def hold_sync(self) -> Iterator[None]:
        """Batch changes: traits are checked together at the end, and each child widget
        sends one message for all its changes.

        Use it to change several traits that depend on each other, e.g. both limits,
        or data with a different N together with its labels. If any value is refused,
        none is applied.
        """
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.hold_trait_notifications())
            for widget in self._child_widgets():
                if widget.comm is not None:
                    stack.enter_context(Widget.hold_sync(widget))
            yield

    def close(self) -> None:
        """Close the grid and every widget it created (panels, scales, axes, layouts)."""
        for widget in self._child_widgets():
            widget.close()
        self._panels = []
        layout = self.layout
        super().close()
        layout.close()

    # ------------------------------------------------------------------ building

    def _geometry(self) -> _render.GridGeometry:
        count, rows, cols = self.data.shape
        cell = self.cell_size or _render.auto_cell_size(rows, cols)
        return _render.GridGeometry(rows=rows, cols=cols, panels=count, columns=self.columns,
                                    cell=cell)

    def _build(self) -> None:
        geometry = self._geometry()
        lo, hi = self.limits
        self._color_scale = bqplot.ColorScale(
            min=lo, max=hi, colors=colormap_stops(self.colormap), extrapolation="constant"
        )
        self._shared = _render.make_shared(geometry, self._color_scale)
        self._uid = uuid4().hex[:12]
        self._style = HTML(self._style_html())
        self._style.layout.display = "none"  # holds only a <style>; takes no space
        self._grid_box = GridBox(layout=Layout(
            grid_template_columns=self._grid_template(geometry),
            grid_gap=f"{_render.GAP_Y}px {_render.GAP_X}px", width="auto",
            overflow="visible",
        ))
        self._colorbar, self._colorbar_axis = _render.make_colorbar(
            self._color_scale, geometry, self.tick_format, self.tick_labels()
        )
        self._body = HBox(
            [self._grid_box, self._colorbar],
            layout=Layout(align_items="flex-start", overflow="visible", width="auto"),
        )
        self._sync_panel_count()
        self.children = [self._style, self._body]
        self.add_class("digitheat-grid")
        self.add_class(f"dhg-{self._uid}")
        self._built = True
        self._apply_highlight()

    def _child_widgets(self) -> list[Widget]:
        """Every widget this grid created, with their layout/style widgets, once each."""
        if not self._built:
            return []
        roots: list[Widget] = [w for panel in self._panels for w in panel.widgets()]
        roots += self._shared.widgets() + [self._color_scale]
        roots += [self._style, self._grid_box, self._colorbar, self._colorbar_axis, self._body]
        found: dict[int, Widget] = {}
        for widget in roots:
            found.setdefault(id(widget), widget)
            for part in ("layout", "style"):
                child = getattr(widget, part, None)
                if isinstance(child, Widget):
                    found.setdefault(id(child), child)
        return list(found.values())

    def _grid_template(self, geometry: _render.GridGeometry) -> str:
        return f"repeat({self.columns}, {geometry.panel_width}px)"

    def _style_html(self) -> str:
        # nan_color was validated by the strict parser; the page gets its normalised form,
        # never the user's text, so nothing but a colour can reach this stylesheet.
        r, g, b, alpha = parse_color(self.nan_color)
        colour = f"rgba({r}, {g}, {b}, {alpha:.3f})"
        root = f".dhg-{self._uid}"
        return (
            "<style>"
            # bqplot drops the inline fill of NaN cells (null_color applies only to null),
            # so this rule is what colours them; inline fills of real values win over it.
            f"{root} rect.heatmapcell {{ fill: {colour}; }}"
            f"{root} .dhg-panel {{ outline: 3px solid transparent; outline-offset: -3px; }}"
            f"{root} .dhg-panel.dhg-highlighted {{ outline-color: {_render.ACCENT_COLOR}; }}"
            f"{root} .dhg-panel.dhg-highlighted .mainheading {{ font-weight: bold; }}"
            "</style>"
        )

    def _value_format(self) -> str:
        return self.tick_format.replace(",", "")

    def _new_panel(self, index: int) -> _render.Panel:
        return _render.make_panel(
            self.data[index], self.labels[index], self._shared, self._value_format()
        )

    def _sync_panel_count(self) -> None:
        """Add or remove panels so there is one per map."""
        count = self.data.shape[0]
        while len(self._panels) > count:
            for widget in self._panels.pop().widgets():
                widget.close()
        while len(self._panels) < count:
            self._panels.append(self._new_panel(len(self._panels)))
        self._grid_box.children = [p.figure for p in self._panels]

    def _relayout(self) -> None:
        geometry = self._geometry()
        _render.resize_shared(self._shared, geometry)
        self._grid_box.layout.grid_template_columns = self._grid_template(geometry)
        self._refresh_colorbar()

    def _refresh_colorbar(self) -> None:
        """Give the colorbar the grid's height and room for its labels.

        bqplot's ColorAxis keeps the bar length it was first drawn with when its figure
        is resized, so a colorbar whose size must change is replaced by a new one.
        """
        geometry, labels = self._geometry(), self.tick_labels()
        width, height = f"{_render.colorbar_width(labels)}px", f"{geometry.grid_height}px"
        margin = _render.colorbar_margin(geometry, labels)
        current = self._colorbar
        if (current.layout.width, current.layout.height, current.fig_margin) == (width, height, margin):
            return
        self._colorbar, self._colorbar_axis = _render.make_colorbar(
            self._color_scale, geometry, self.tick_format, labels
        )
        self._body.children = [self._grid_box, self._colorbar]
        for widget in (current, current.layout, *current.axes):
            widget.close()

    def _update_limits(self) -> None:
        lo, hi = self.limits
        with Widget.hold_sync(self._color_scale):
            self._color_scale.min, self._color_scale.max = lo, hi
        fmt = self.tick_format
        if self._colorbar_axis.tick_format != fmt:
            self._colorbar_axis.tick_format = fmt
            self._refresh_colorbar()
            value_format = self._value_format()
            for panel in self._panels:
                panel.tooltip.formats = ["", "", value_format]

    def _apply_highlight(self) -> None:
        chosen = set(self.highlighted)
        for index, panel in enumerate(self._panels):
            emphasised = index in chosen
            if emphasised:
                panel.figure.add_class("dhg-highlighted")
            else:
                panel.figure.remove_class("dhg-highlighted")
            panel.mark.opacity = _render.DIMMED_OPACITY if chosen and not emphasised else 1.0

    # ------------------------------------------------------------------ observers

    @observe("data")
    def _on_data(self, change: traitlets.Bunch) -> None:
        old, new = change["old"], change["new"]
        count = new.shape[0]
        with self.hold_trait_notifications():
            if old is not None and len(self.labels) != count:
                self.labels = _default_labels(count)  # validated: labels were the defaults
            kept = [i for i in self.highlighted if i < count]
            if kept != self.highlighted:
                self.highlighted = kept
        if not self._built:
            return
        if old.shape[1:] != new.shape[1:]:
            # New map size: new scales and axes too, so no old row/column lingers in
            # an ordinal scale's domain.
            for widget in [w for p in self._panels for w in p.widgets()] + self._shared.widgets():
                widget.close()
            self._panels = []
            self._shared = _render.make_shared(self._geometry(), self._color_scale)
        else:
            for index in range(min(count, old.shape[0])):
                if not np.array_equal(old[index], new[index], equal_nan=True):
                    self._panels[index].mark.color = _render.wire_values(new[index])
        if count != old.shape[0] or not self._panels:
            self._sync_panel_count()
            self._relayout()
            self._apply_highlight()
        self._update_limits()

    @observe("vmin", "vmax")
    def _on_limits(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._update_limits()

    @observe("colormap")
    def _on_colormap(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._color_scale.colors = colormap_stops(change["new"])

    @observe("highlighted")
    def _on_highlighted(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._apply_highlight()

    @observe("labels")
    def _on_labels(self, change: traitlets.Bunch) -> None:
        if not self._built:
            return
        for panel, label in zip(self._panels, change["new"]):
            panel.figure.title = label
            panel.tooltip.labels = _render.tooltip_labels(label)

    @observe("columns", "cell_size")
    def _on_layout(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._relayout()

    @observe("nan_color")
    def _on_nan_color(self, change: traitlets.Bunch) -> None:
        if self._built:
            self._style.value = self._style_html()
