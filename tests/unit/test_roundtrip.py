"""State round trips: every widget of a grid survives ``get_state`` -> ``set_state``, the
way bqplot's own tests check their widgets, and survives the front end's way back too (an
``update`` message whose arrays travel as binary buffers), without changing the grid.

This is what a page reload, a second view or a saved notebook relies on: the state the
page holds, fed back, must mean the same grid. The browser side is
tests/browser/test_roundtrip_browser.py.

What a person does in the page (select a cell, toggle a highlight) comes back to Python
as a message to the grid's controller (``{"event": ..., "value": [...]}``, see
page_model.page_click), not as a state update of the grid: the last tests check that
way back, and that a refused value changes nothing and tells the page what stands.

The controller's ``data`` (the whole stack, encoded) round-trips through ``set_state``
like every other key (it did not: BUG-15, kept as a regression test below).
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers
from page_model import (
    Page,
    comparable,
    controller_of,
    mismatches,
    page_click,
    page_highlight,
    page_sends,
)

from digitheat_widget import DigitHeatmapGrid


def state_of(widget, grid) -> dict:
    """``widget.get_state()``, the controller's ``data`` included (BUG-15 is fixed)."""
    return widget.get_state()


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
    assert controller_of(any_grid) in widgets
    before = take_snapshot(any_grid)
    failed = []
    for widget in widgets:
        state = state_of(widget, any_grid)
        widget.set_state(state)
        if comparable(state_of(widget, any_grid)) != comparable(state):
            failed.append(type(widget).__name__)
    assert failed == []
    assert take_snapshot(any_grid) == before


def front_end_update(widget, state: dict) -> None:
    """The page sends ``state`` back as {'method': 'update', 'state', 'buffer_paths'} plus
    the binary buffers (bytes)."""
    state, paths, buffers = _remove_buffers(state)
    widget._handle_msg({"content": {"data": {"method": "update", "state": state,
                                             "buffer_paths": paths}},
                        "buffers": [bytes(memoryview(b).cast("B")) for b in buffers]})


def test_every_widget_round_trips_through_a_front_end_update(any_grid, widgets_of, take_snapshot,
                                                            recorder, caplog):
    """Handling a front-end update of a widget's own state must reproduce the same state
    without an error (``_handle_msg`` only logs one), change no grid trait, and leave the
    page's models equal to Python's."""
    widgets = widgets_of(any_grid)
    before = take_snapshot(any_grid)
    traits = {name: getattr(any_grid, name) for name in ("selected", "show_controls", "labels")}
    failed = []
    with caplog.at_level(logging.WARNING):
        for widget in widgets:
            expected = comparable(state_of(widget, any_grid))
            front_end_update(widget, state_of(widget, any_grid))
            if comparable(state_of(widget, any_grid)) != expected:
                failed.append(type(widget).__name__)
    assert failed == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert take_snapshot(any_grid) == before
    assert {name: getattr(any_grid, name) for name in traits} == traits
    assert mismatches(Page(recorder.events), widgets) == []


def test_the_controllers_stack_round_trips_BUG_15(grid, take_snapshot, caplog):
    """The controller's ``data`` as the page holds it ({dtype, shape, seq, buffer}), fed
    back through set_state or a front-end update, means the same stack."""
    controller = controller_of(grid)
    before, state = take_snapshot(grid), controller.get_state("data")
    with caplog.at_level(logging.WARNING):
        front_end_update(controller, state)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    controller.set_state(state)
    assert comparable(controller.get_state("data")) == comparable(state)
    assert take_snapshot(grid) == before


def test_selected_travels_as_a_list_and_comes_back_as_a_tuple(grid, recorder, sample):
    """JSON has no tuples: the page holds the selection as a list (in the controller), a
    click there comes back as a message with a list, and the trait holds a tuple of ints.

    (The grid used to sync ``selected`` itself and the page could send None; now the page
    only selects a cell, and Python clears the selection: [] on the page.)"""
    grid.selected = (4, 5, 3)
    assert Page(recorder.events).shown(grid).selected == [4, 5, 3]
    clicks = []
    grid.on_cell_click(lambda *args: clicks.append(args))
    page_click(grid, 1, 6, 0)
    assert grid.selected == (1, 6, 0) and all(type(p) is int for p in grid.selected)
    assert clicks == [(1, 6, 0, sample[1, 6, 0])]
    assert Page(recorder.events).shown(grid).selected == [1, 6, 0]
    grid.selected = None
    assert Page(recorder.events).shown(grid).selected == []


def test_highlight_travels_both_ways(grid, recorder):
    """Title clicks in the page come back as the list of highlighted panels."""
    page_highlight(grid, [7, 2])
    assert grid.highlighted == [7, 2]
    assert Page(recorder.events).shown(grid).highlighted == [7, 2]
    page_highlight(grid, [])
    assert grid.highlighted == []
    assert Page(recorder.events).shown(grid).highlighted == []


@pytest.mark.parametrize("content, trait", [
    ({"event": "selected", "value": [10, 0, 0]}, "selected"),  # digit outside the data
    ({"event": "selected", "value": [0, 7, 0]}, "selected"),  # row outside
    ({"event": "selected", "value": [0, 0]}, "selected"),  # not a cell
    ({"event": "highlighted", "value": [10]}, "highlighted"),  # no panel 10
    ({"event": "highlighted", "value": [3, 3]}, "highlighted"),  # repeated
], ids=["digit 10", "row 7", "two parts", "panel 10", "repeated panel"])
def test_a_refused_state_from_the_page_changes_nothing(grid, take_snapshot, recorder, content, trait):
    """A page (or a stale exported one) cannot put the grid into an impossible selection
    or highlight: the trait keeps its value, no click callback runs, and the page is sent
    what stands (the change it made on its own is undone by that answer)."""
    grid.selected, grid.highlighted = (0, 0, 0), [1]
    before = take_snapshot(grid)
    clicks = []
    grid.on_cell_click(lambda *args: clicks.append(args))
    controller = controller_of(grid)
    with recorder.capture() as cap:
        page_sends(grid, content)
    assert (grid.selected, grid.highlighted) == ((0, 0, 0), [1])
    assert take_snapshot(grid) == before
    assert clicks == []
    standing = {"selected": [0, 0, 0], "highlighted": [1]}[trait]
    assert [e.data for e in cap.sends] == [
        {"method": "update", "state": {trait: standing}, "buffer_paths": []}]
    assert cap.sends == cap.sends_to(controller) and cap.opens == [] and cap.closes == []
    shown = Page(recorder.events).shown(grid)
    assert (shown.selected, shown.highlighted) == ([0, 0, 0], [1])


@pytest.mark.parametrize("content", [
    {"event": "selected", "value": [True, 0, 0]},  # bools are not indices
    {"event": "selected", "value": "0,0,0"},
    {"event": "selected"},
    {"event": "highlighted", "value": [1.0]},
    {"event": "unknown", "value": [1]},
    ["selected", [1, 2, 3]],
], ids=["bool part", "str value", "no value", "float index", "unknown event", "not a dict"])
def test_a_malformed_message_from_the_page_is_ignored(grid, take_snapshot, recorder, content):
    """Messages that are not the contract's change nothing and get no answer."""
    grid.selected = (0, 0, 0)
    before = take_snapshot(grid)
    with recorder.capture() as cap:
        page_sends(grid, content)
    assert take_snapshot(grid) == before
    assert cap.events == []
