"""The linked cursor's trait: ``grid.cursor`` is a (row, column) of every map or None.

Python sets it (one message to the controller); the page sets it (a ``cursor`` event,
applied without an echo); bad values are refused, naming the trait, and the grid keeps
its cursor."""

from __future__ import annotations

import numpy as np
import pytest
from page_model import controller_of, page_sends
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid


def test_python_sets_the_cursor_in_one_message_to_the_controller(grid, recorder):
    with recorder.capture() as cap:
        grid.cursor = (3, 4)
    assert grid.cursor == (3, 4)
    assert [e.data["state"] for e in cap.sends] == [{"cursor": [3, 4]}]
    assert cap.sends[0].comm is controller_of(grid).comm
    with recorder.capture() as cap:
        grid.cursor = None
    assert [e.data["state"] for e in cap.sends] == [{"cursor": []}]


@pytest.mark.parametrize("bad, said", [
    ((7, 0), "expected a (row, column) inside the maps' (7, 6), got (7, 0)"),
    ((0, -1), "inside the maps' (7, 6), got (0, -1)"),
    ((1,), "expected None or a (row, column) tuple of integers, got (1,)"),
    ((1.0, 2), "tuple of integers, got (1.0, 2)"),
    ((True, 1), "tuple of integers, got (True, 1)"),
    ("ab", "tuple of integers, got 'ab'"),
])
def test_a_bad_cursor_is_refused_naming_the_trait_and_the_cursor_stays(bad, said):
    grid = DigitHeatmapGrid()
    grid.cursor = (2, 3)
    with pytest.raises(TraitError) as refused:
        grid.cursor = bad
    assert str(refused.value).startswith("DigitHeatmapGrid.cursor expected")
    assert said in str(refused.value)
    assert grid.cursor == (2, 3)
    assert controller_of(grid).cursor == [2, 3]


def test_the_page_sets_the_cursor_without_an_echo(grid, recorder):
    with recorder.capture() as cap:
        page_sends(grid, {"event": "cursor", "value": [5, 1]})
    assert grid.cursor == (5, 1)
    assert controller_of(grid).cursor == [5, 1]
    assert cap.sends == []  # the page shows it already
    with recorder.capture() as cap:
        page_sends(grid, {"event": "cursor", "value": []})
    assert grid.cursor is None and cap.sends == []


def test_a_refused_page_cursor_gets_what_stands(grid, recorder):
    grid.cursor = (1, 1)
    with recorder.capture() as cap:
        page_sends(grid, {"event": "cursor", "value": [40, 1]})  # outside the 7 x 6 maps
    assert grid.cursor == (1, 1)
    assert [e.data["state"] for e in cap.sends] == [{"cursor": [1, 1]}]


def test_the_cursor_follows_a_new_shape_and_stays_on_a_page_or_new_values():
    grid = DigitHeatmapGrid()
    grid.cursor = (6, 5)
    grid.data = np.asarray(grid.data) * 2  # new values, same shape
    assert grid.cursor == (6, 5)
    grid.data = np.zeros((4, 3, 3))
    assert grid.cursor is None and controller_of(grid).cursor == []
    paged = DigitHeatmapGrid(np.random.default_rng(0).random((30, 5, 4)), page_size=10)
    paged.cursor = (4, 3)
    paged.page = 2  # a cell position: the same on every page
    assert paged.cursor == (4, 3)
