"""State round trips: every widget of a grid survives ``get_state`` -> ``set_state``, the
way bqplot's own tests check their widgets, and survives the front end's way back too (an
``update`` message whose arrays travel as binary buffers), without changing the grid.

This is what a page reload, a second view or a saved notebook relies on: the state the
page holds, fed back, must mean the same grid. The browser side is
tests/browser/test_roundtrip_browser.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from digitheat_widget import DigitHeatmapGrid
from page_model import Page, comparable, mismatches


def styled_with_everything(sample: np.ndarray) -> DigitHeatmapGrid:
    data = sample.copy()
    data[3, 2, 1] = np.nan  # a NaN travels too
    grid = DigitHeatmapGrid(data, vmin=0.001, vmax=0.012, colormap=["navy", "#ffcc00", "white"],
                            highlighted=[2, 7], labels=[f"map {i}" for i in range(10)],
                            columns=4, nan_color="rgba(10, 200, 30, 0.5)", cell_size=9,
                            controls=True)
    grid.selected = (3, 2, 1)
    return grid


@pytest.fixture(params=["default", "styled, with controls"])
def any_grid(request, sample):
    grid = DigitHeatmapGrid(sample) if request.param == "default" else styled_with_everything(sample)
    yield grid
    grid.close()


def test_every_widget_round_trips_through_get_and_set_state(any_grid, widgets_of, take_snapshot):
    widgets = widgets_of(any_grid)
    assert len(widgets) > 50, "the grid is made of many widgets; all of them are checked"
    before = take_snapshot(any_grid)
    failed = []
    for widget in widgets:
        state = widget.get_state()
        widget.set_state(state)
        if comparable(widget.get_state()) != comparable(state):
            failed.append(type(widget).__name__)
    assert failed == []
    assert take_snapshot(any_grid) == before


def test_every_widget_round_trips_through_a_front_end_update(any_grid, widgets_of, take_snapshot,
                                                            recorder):
    """The page sends state back as {'method': 'update', 'state', 'buffer_paths'} plus the
    binary buffers (bytes); handling it must reproduce the same state, change no grid
    trait, and leave the page's models equal to Python's."""
    widgets = widgets_of(any_grid)
    before = take_snapshot(any_grid)
    traits = {name: getattr(any_grid, name) for name in ("selected", "show_controls", "labels")}
    failed = []
    for widget in widgets:
        state, paths, buffers = _remove_buffers(widget.get_state())
        expected = comparable(widget.get_state())
        widget._handle_msg({"content": {"data": {"method": "update", "state": state,
                                                 "buffer_paths": paths}},
                            "buffers": [bytes(memoryview(b).cast("B")) for b in buffers]})
        if comparable(widget.get_state()) != expected:
            failed.append(type(widget).__name__)
    assert failed == []
    assert take_snapshot(any_grid) == before
    assert {name: getattr(any_grid, name) for name in traits} == traits
    assert mismatches(Page(recorder.events), widgets) == []


def test_selected_travels_as_a_list_and_comes_back_as_a_tuple(grid, recorder):
    """The one trait the grid itself syncs: JSON has no tuples, so the page sends a list."""
    grid.selected = (4, 5, 3)
    page = Page(recorder.events)
    assert list(page.state(grid)["selected"]) == [4, 5, 3]
    grid._handle_msg({"content": {"data": {"method": "update", "state": {"selected": [1, 6, 0]},
                                           "buffer_paths": []}}, "buffers": []})
    assert grid.selected == (1, 6, 0)
    grid._handle_msg({"content": {"data": {"method": "update", "state": {"selected": None},
                                           "buffer_paths": []}}, "buffers": []})
    assert grid.selected is None


def test_a_refused_state_from_the_page_changes_nothing(grid, take_snapshot):
    """A page (or a stale saved state) cannot put the grid into an impossible selection."""
    grid.selected = (0, 0, 0)
    before = take_snapshot(grid)
    with pytest.raises(Exception, match=r"DigitHeatmapGrid\.selected expected a cell inside"):
        grid.set_state({"selected": [10, 0, 0]})
    assert grid.selected == (0, 0, 0)
    assert take_snapshot(grid) == before
