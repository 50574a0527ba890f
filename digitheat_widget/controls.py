"""The control panel: colour limits, colormap, highlight toggles, reset; with frames,
playback (play/pause, the frame shown, speed).

Controls and traits move together both ways. In the page, the grid's controller
(``js/src/page/controller.js``) also watches these widgets and applies what they say to the
figure at once, so every control works with no kernel, e.g. in an exported page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from ipywidgets import (
    BoundedIntText,
    Button,
    Dropdown,
    FloatSlider,
    HBox,
    IntSlider,
    Label,
    Layout,
    ToggleButton,
    VBox,
    Widget,
)
from traitlets import TraitError

from .figure.colormaps import colormap_names, colormap_stops

if TYPE_CHECKING:
    from .grid import DigitHeatmapGrid

SLIDER_STEPS = 200
CUSTOM = "(custom list)"
#: Playback speeds in the page, frames per second (controller.js reads the number).
SPEEDS = ("1 fps", "2 fps", "5 fps", "10 fps", "20 fps", "30 fps")
_FOLLOWED = ["data", "vmin", "vmax", "colormap", "highlighted", "labels", "frames", "frame",
             "frame_labels", "reference", "showing", "difference_colormap"]


def close_widgets(widgets: Iterable[Widget]) -> None:
    """Close each widget with its layout and style (ipywidgets leaves those open)."""
    for widget in widgets:
        for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
            if part is not None:
                part.close()
        widget.close()


def move_slider(slider: FloatSlider | IntSlider, value: float, low: float, high: float, **settings: Any) -> None:
    """Give ``slider`` a new value and range, as messages the page applies safely.

    The range is widened first, then the value is set, then the range is narrowed (with
    ``settings``), each as its own message. One message with all of them is not safe:
    ipywidgets applies its keys in the order they came, the order of a held sync is a
    set's, and a value applied before its new range is clamped by the page's slider to the
    old one, which the page then sends back as if a person had moved the handle (seen: a
    frame slider following a running loop set ``frame`` back to a stale frame).
    """
    wide_low, wide_high = min(slider.min, low, value), max(slider.max, high, value)
    if (wide_low, wide_high) != (slider.min, slider.max):
        with slider.hold_sync():
            slider.min, slider.max = wide_low, wide_high
    slider.value = value
    with slider.hold_sync():
        slider.min, slider.max = low, high
        for name, setting in settings.items():
            setattr(slider, name, setting)


@dataclass(frozen=True)
class GridLink:
    """What a control panel needs of its grid besides the grid's public traits and
    methods: given by the grid, so the panel calls nothing private of it.

    Attributes
    ----------
    highlighted_shown
        () -> the highlighted panels among those shown, as indices in ``data`` (paged:
        the page's).
    panels_per_page
        () -> panels per page in force (``page_size``, or its default).
    highlight_shown
        (indices in ``data``) -> highlight those panels of the page shown; other pages'
        highlights stay.
    show_in_page
        (panel) -> let the page's controller drive the panel's widgets, if the panel is
        the grid's (called when the panel gains widgets).
    closed
        (panel) -> the panel was closed: the grid stops showing and using it.
    """

    highlighted_shown: Callable[[], list[int]]
    panels_per_page: Callable[[], int]
    highlight_shown: Callable[[list[int]], None]
    show_in_page: Callable[[GridControls], None]
    closed: Callable[[GridControls], None]


class GridControls(VBox):
    """Controls for one :class:`~digitheat_widget.DigitHeatmapGrid`.

    Parameters
    ----------
    grid
        The grid to control. The panel follows the grid's traits and sets them.
    link
        What the panel needs of the grid beyond its public surface (:class:`GridLink`).
    """

    def __init__(self, grid: DigitHeatmapGrid, link: GridLink, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("dhg-controls")
        self._grid, self._link = grid, link
        self._updating = False
        slider_layout = Layout(width="260px")
        self.vmin_slider = FloatSlider(description="vmin", layout=slider_layout,
                                       continuous_update=True, readout=True)
        self.vmax_slider = FloatSlider(description="vmax", layout=slider_layout,
                                       continuous_update=True, readout=True)
        self.colormap_dropdown = Dropdown(description="colormap", options=colormap_names(),
                                          layout=Layout(width="200px"))
        self.reset_button = Button(description="auto limits", icon="refresh",
                                   tooltip="Reset vmin and vmax to the data's range",
                                   layout=Layout(width="110px"))
        self.toggles = HBox(layout=Layout(flex_flow="row wrap"))
        #: The playback row, made when the grid first has frames (a page without frames
        #: carries none of its widgets).
        self.playback: HBox | None = None
        #: The "show" menu (data, reference, difference), made when the grid first has a
        #: reference.
        self.show_dropdown: Dropdown | None = None
        #: The pager (previous, page, next, "go to panel"), made when the grid first pages.
        self.pager: HBox | None = None
        self.children = [
            HBox([self.vmin_slider, self.vmax_slider]),
            HBox([self.colormap_dropdown, self.reset_button]),
            self.toggles,
        ]
        self._rebuild_toggles()
        self.follow_grid()
        self.vmin_slider.observe(self._on_slider, "value")
        self.vmax_slider.observe(self._on_slider, "value")
        self.colormap_dropdown.observe(self._on_colormap, "value")
        self.reset_button.on_click(lambda _: grid.autoscale("minmax"))
        grid.observe(self._on_grid, names=_FOLLOWED)

    @contextlib.contextmanager
    def _from_grid(self) -> Iterator[None]:
        """While controls follow the grid, their own observers must not write back."""
        self._updating = True
        try:
            yield
        finally:
            self._updating = False

    def follow_grid(self) -> None:
        """Show the grid's state now (the grid calls it when its whole stack's limits
        arrive, which no trait says)."""
        grid = self._grid
        lo, hi = grid.limits
        finite = grid.data[np.isfinite(grid.data)]
        low_end = min(lo, float(finite.min())) if finite.size else lo
        high_end = max(hi, float(finite.max())) if finite.size else hi
        step = (high_end - low_end) / SLIDER_STEPS
        readout = grid.tick_format.replace(",", "")
        with self._from_grid():
            for slider, value in ((self.vmin_slider, lo), (self.vmax_slider, hi)):
                move_slider(slider, value, low_end, high_end, step=step, readout_format=readout)
            # The menu shows (and sets) the colormap in force: the difference's own in the
            # difference view.
            in_force = grid.difference_colormap if grid.showing == "difference" else grid.colormap
            name = in_force if isinstance(in_force, str) else CUSTOM
            if name not in self.colormap_dropdown.options:
                self.colormap_dropdown.options = [*colormap_names(), CUSTOM]
            self.colormap_dropdown.value = name
            chosen = set(self._link.highlighted_shown())  # the toggles are the panels shown
            for digit, toggle in enumerate(self.toggles.children):
                toggle.value = digit in chosen
            if grid.reference is not None and self.show_dropdown is None:
                self._add_show_menu()
            if self.show_dropdown is not None:
                self.show_dropdown.value = grid.showing
            if grid.paged and self.pager is None:
                self._add_pager()
            if self.pager is not None:
                self._follow_pages()
            count = len(grid.frames)
            if count and self.playback is None:
                self._add_playback()
            if self.playback is None:
                return
            self.playback.layout.display = None if count else "none"
            move_slider(self.frame_slider, grid.frame or 0, 0, max(count - 1, 0))
            # The page's frames.js frameReadout writes the same.
            self.frame_label.value = (
                "" if not count else f"none shown ({count} frames)" if grid.frame is None
                else f"{grid.frame_labels[grid.frame]} ({grid.frame + 1} of {count})")

    def _add_pager(self) -> None:
        """Pages: previous / next, the page number, and a panel to go to (its page)."""
        self.previous_button = Button(description="previous", icon="chevron-left",
                                      tooltip="The previous page (keyboard: past the first cell)",
                                      layout=Layout(width="100px"))
        self.page_input = BoundedIntText(description="page", min=1, max=1, value=1,
                                         layout=Layout(width="150px"))
        self.page_label = Label(layout=Layout(min_width="200px", margin="0 8px"))
        self.next_button = Button(description="next", icon="chevron-right",
                                  tooltip="The next page (keyboard: past the last cell)",
                                  layout=Layout(width="90px"))
        self.goto_input = BoundedIntText(description="go to panel", min=0, max=0, value=0,
                                         style={"description_width": "initial"},
                                         layout=Layout(width="200px"))
        self.goto_button = Button(description="go", layout=Layout(width="50px"))
        self.previous_button.on_click(lambda _: self._turn(-1))
        self.next_button.on_click(lambda _: self._turn(1))
        self.page_input.observe(self._on_page_input, "value")
        self.goto_button.on_click(lambda _: self._go_to_panel())
        self.pager = HBox([self.previous_button, self.page_input, self.page_label,
                           self.next_button, self.goto_input, self.goto_button])
        self.pager.add_class("dhg-pager")
        self.children = [*self.children, self.pager]

    def _follow_pages(self) -> None:
        grid = self._grid
        self.pager.layout.display = None if grid.paged else "none"
        if not grid.paged:
            return
        count, shown = grid.page_count, len(grid.data)
        first = grid.panel_offset
        self.page_input.max = count  # a bigger max first: the value stays inside
        self.page_input.value = grid.page + 1
        self.page_label.value = (f"of {count:,}: panels {first:,}-{first + shown - 1:,} of "
                                 f"{grid.panel_count:,}")
        self.previous_button.disabled = grid.page == 0
        self.next_button.disabled = grid.page >= count - 1
        self.goto_input.max = grid.panel_count - 1

    def _turn(self, step: int) -> None:
        grid = self._grid
        grid.page = min(max(grid.page + step, 0), grid.page_count - 1)

    def _on_page_input(self, change: Any) -> None:
        if not self._updating and self._grid.paged:
            self._grid.page = change["new"] - 1

    def _go_to_panel(self) -> None:
        """Show the page holding panel ``goto_input.value`` and select its first cell, so
        the page's keyboard focus and readout start there."""
        grid, panel = self._grid, self.goto_input.value
        with grid.hold_sync():
            grid.page = panel // self._link.panels_per_page()
            grid.selected = (panel, 0, 0)

    def _add_show_menu(self) -> None:
        from .compare import SHOWING

        self.show_dropdown = Dropdown(description="show", options=SHOWING,
                                      value=self._grid.showing, layout=Layout(width="200px"))
        self.show_dropdown.observe(self._on_show, "value")
        first_row = self.children[1]
        first_row.children = [*first_row.children, self.show_dropdown]
        self._link.show_in_page(self)  # new controls: tell the page

    def _on_show(self, change: Any) -> None:
        if self._updating:
            return
        try:
            self._grid.showing = change["new"]
        except TraitError:  # no reference any more
            self.follow_grid()

    def _add_playback(self) -> None:
        """Playback: the page plays the frames it holds (with or without a kernel); the
        slider picks the frame shown, in the page and in Python."""
        self.play_button = ToggleButton(description="play", icon="play",
                                        tooltip="Play or pause the frames (P on the grid)",
                                        layout=Layout(width="80px"))
        self.frame_slider = IntSlider(description="frame", min=0, max=0, readout=False,
                                      continuous_update=True, layout=Layout(width="300px"))
        self.frame_label = Label(layout=Layout(min_width="120px", margin="0 0 0 12px"))
        self.speed_dropdown = Dropdown(description="speed", options=SPEEDS, value="5 fps",
                                       layout=Layout(width="150px"))
        self.frame_slider.observe(self._on_frame_slider, "value")
        self.playback = HBox([self.play_button, self.frame_slider, self.frame_label,
                              self.speed_dropdown])
        self.children = [*self.children, self.playback]
        self._link.show_in_page(self)  # new controls: tell the page

    def page_refs(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The widgets the grid's controller drives in the page, and the colormap menu's
        stops for it there (see controller.js's stopsOf)."""
        refs = {"vmin": self.vmin_slider, "vmax": self.vmax_slider,
                "colormap": self.colormap_dropdown, "reset": self.reset_button,
                "toggles": list(self.toggles.children)}
        if self.playback is not None:
            refs.update(play=self.play_button, frame=self.frame_slider,
                        frame_label=self.frame_label, speed=self.speed_dropdown)
        if self.show_dropdown is not None:
            refs["show"] = self.show_dropdown
        # Compact: the page reads each base map's stops as one "rrggbb..." string and
        # reverses it for the "_r" maps (exact reverses); 7 KB instead of 26 in the page.
        return refs, {name: "".join(stop[1:] for stop in colormap_stops(name))
                      for name in colormap_names() if not name.endswith("_r")}

    def _rebuild_toggles(self) -> None:
        for toggle in self.toggles.children:
            for widget in (toggle, toggle.layout, toggle.style):
                widget.close()
        toggles = []
        for label in self._grid.labels:
            toggle = ToggleButton(description=label, tooltip=f"highlight {label}",
                                  layout=Layout(width="auto", min_width="32px"))
            toggle.observe(self._on_toggle, "value")
            toggles.append(toggle)
        self.toggles.children = toggles
        self._link.show_in_page(self)  # new toggles: tell the page

    def _on_grid(self, change: Any) -> None:
        if change["name"] in ("data", "labels") and len(self.toggles.children) != len(self._grid.labels):
            self._rebuild_toggles()
        elif change["name"] == "labels":  # as many panels (a new page): rename in place
            for toggle, label in zip(self.toggles.children, self._grid.labels):
                toggle.description, toggle.tooltip = label, f"highlight {label}"
        self.follow_grid()

    def _on_slider(self, change: Any) -> None:
        if self._updating:
            return
        lo, hi = self.vmin_slider.value, self.vmax_slider.value
        try:
            with self._grid.hold_sync():
                self._grid.vmin, self._grid.vmax = lo, hi
        except TraitError:
            # vmin dragged past vmax: put the sliders (and, through jslink, the scale)
            # back to the limits in force.
            self.follow_grid()

    def _on_frame_slider(self, change: Any) -> None:
        if not self._updating and len(self._grid.frames):
            self._grid.frame = change["new"]

    def _on_colormap(self, change: Any) -> None:
        if not self._updating and change["new"] != CUSTOM:
            if self._grid.showing == "difference":
                self._grid.difference_colormap = change["new"]
            else:
                self._grid.colormap = change["new"]

    def _on_toggle(self, change: Any) -> None:
        if self._updating:
            return
        self._link.highlight_shown([d for d, t in enumerate(self.toggles.children) if t.value])

    def close(self) -> None:
        """Close the panel and every control in it."""
        if self.comm is None:  # already closed
            return
        self._grid.unobserve(self._on_grid, names=_FOLLOWED)
        # The rows (playback, pager) are among self.children; their widgets are not.
        close_widgets([self.vmin_slider, self.vmax_slider, self.colormap_dropdown,
                       self.reset_button, self.toggles, *self.toggles.children,
                       *(self.playback.children if self.playback is not None else ()),
                       *([self.show_dropdown] if self.show_dropdown is not None else []),
                       *(self.pager.children if self.pager is not None else ()),
                       *self.children])
        layout = self.layout
        super().close()
        layout.close()
        # The grid must not keep a closed widget among its children or its controller's
        # references (its export would fail).
        self._link.closed(self)
