"""Lifecycle: closing a grid closes every widget it made, however it changed (the shipped
notebooks run end to end in tests/pipelines/test_notebooks.py)."""

from __future__ import annotations

import gc
import re
from collections import Counter

import bqplot
import conftest
import numpy as np
import pytest
from ipywidgets.widgets import widget as widget_module
from page_model import controller_of
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid

def open_widgets() -> dict[str, object]:
    """ipywidgets' registry of open widgets (model id -> widget)."""
    return dict(conftest.open_widgets())


def describe(widget, among) -> str:
    """'Layout (layout of Tooltip)': a widget's type and which widget holds it, if any."""
    for owner in among:
        if owner is widget:
            continue
        for key in owner.keys:
            value = getattr(owner, key, None)
            if value is widget or (isinstance(value, (list, tuple)) and any(v is widget for v in value)):
                return f"{type(widget).__name__} ({key} of {type(owner).__name__})"
    return type(widget).__name__


def leftovers(before: dict[str, object], among=()) -> list[str]:
    after = open_widgets()
    return sorted(describe(after[k], among) for k in set(after) - set(before))


@pytest.fixture
def created(monkeypatch):
    """Every widget constructed during the test, in order (to say who held a leftover)."""
    made: list = []
    monkeypatch.setattr(widget_module.Widget, "_widget_construction_callback", made.append)
    return made


@pytest.fixture
def baseline():
    gc.collect()  # let widgets of earlier tests that were never referenced again go first
    return open_widgets()


def test_close_closes_every_widget(baseline, created, recorder, widgets_of):
    grid = DigitHeatmapGrid()
    shown = widgets_of(grid)
    assert len(open_widgets()) > len(baseline)
    grid.close()
    left = leftovers(baseline, created)
    assert left == [], f"left open after close(): {dict(Counter(left))}"
    assert len(open_widgets()) == len(baseline)
    still_open = sorted(type(w).__name__ for w in shown if w.comm is not None)
    assert still_open == []
    # Every comm that was opened for the grid was also closed.
    opened = {id(e.comm) for e in recorder.events if e.kind == "open"}
    closed = {id(e.comm) for e in recorder.events if e.kind == "close"}
    assert opened - closed == set()


def test_close_after_changing_n_and_map_size(baseline, created, sample):
    rng = np.random.default_rng(1)
    grid = DigitHeatmapGrid(sample, highlighted=[1, 9])
    grid.data = sample[:4]  # fewer panels
    grid.data = np.concatenate([sample, sample])  # more panels
    grid.data = rng.random((3, 5, 8))  # another map size
    grid.data = rng.random((6, 12, 12))  # and another, with more panels
    grid.vmax = 50.0  # another tick format
    grid.columns = 4
    grid.cell_size = 9
    grid.data = sample  # back to the start
    grid.close()
    left = leftovers(baseline, created)
    assert left == [], f"left open after close(): {dict(Counter(left))}"
    assert len(open_widgets()) == len(baseline)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda g, s: setattr(g, "data", s[:3]), id="fewer panels"),
        pytest.param(lambda g, s: setattr(g, "data", np.ones((10, 4, 4))), id="new map size"),
        pytest.param(lambda g, s: setattr(g, "vmax", 500.0), id="new tick format"),
    ],
)
def test_widgets_dropped_by_a_change_are_closed(grid, sample, widgets_of, created, change):
    before = widgets_of(grid)
    change(grid, sample)
    now = {id(w) for w in widgets_of(grid)}
    dropped = [w for w in before if id(w) not in now]
    not_closed = sorted(describe(w, [*before, *created]) for w in dropped if w.comm is not None)
    assert not_closed == [], f"dropped but left open: {dict(Counter(not_closed))}"


def test_every_open_widget_belongs_to_the_grid(baseline, widgets_of):
    """Nothing the grid opens is out of reach of the page's widget tree (an orphan would
    leak, since close() could only find it through private bookkeeping)."""
    grid = DigitHeatmapGrid()
    try:
        created = {k for k in open_widgets() if k not in baseline}
        reachable = {w.model_id for w in widgets_of(grid)}
        # Was: one deliberate exception, the panel feed kept out of the view tree. The
        # tensor now travels through the controller, which is a child of the grid.
        outside = sorted(type(open_widgets()[k]).__name__ for k in created - reachable)
        assert outside == []
        # The controller names every mark the page shows, one per panel.
        controller = controller_of(grid)
        marks = [w for w in widgets_of(grid) if isinstance(w, bqplot.GridHeatMap)]
        assert controller.marks == marks and len(marks) == grid.data.shape[0]
    finally:
        grid.close()


def test_failed_construction_leaves_no_widget_open(baseline, created, recorder):
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected a 3-D array"):
        DigitHeatmapGrid(np.zeros(3))
    gc.collect()
    left = leftovers(baseline, created)
    assert left == [], f"left open by a refused constructor: {dict(Counter(left))}"
    opened = {id(e.comm) for e in recorder.events if e.kind == "open"}
    closed = {id(e.comm) for e in recorder.events if e.kind == "close"}
    assert opened - closed == set()


def test_a_closed_grid_says_so_when_saved_live(tmp_path):
    """Issue 24: after close(), to_html() raised "'NoneType' object has no attribute
    'comm_id'". It now says the grid is closed; its pictures still draw (no widgets)."""
    grid = DigitHeatmapGrid()
    grid.close()
    for save in (grid.to_html, lambda: grid.save(tmp_path / "g.html")):
        with pytest.raises(RuntimeError, match=r"DigitHeatmapGrid\.to_html: the grid is closed"):
            save()
    assert not (tmp_path / "g.html").exists()
    assert grid.to_png(1).startswith(b"\x89PNG") and "<svg" in grid.to_svg()


def test_a_closed_grid_says_so_when_displayed():
    """Issue 24: after close(), _repr_mimebundle_() raised "'NoneType' object is not
    callable" (ipywidgets sets it to None), and IPython displayed the closed grid's repr as
    if it were live. Displayed, it now says it is closed, and offers no widget view."""
    from IPython.core.formatters import DisplayFormatter

    grid = DigitHeatmapGrid()
    grid.close()
    bundle = grid._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert re.fullmatch(r"DigitHeatmapGrid: the grid is closed \(close\(\) was called\).*",
                        bundle["text/plain"])
    shown, _ = DisplayFormatter().format(grid)  # what IPython shows for `grid` in a cell
    assert shown == bundle
