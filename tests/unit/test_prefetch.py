"""Importing the package in a kernel asks the page to load a grid's widget modules
(live/prefetch.py): once, only in a kernel, not with DIGITHEAT_PREFETCH=0, closed when the
page answers; and what it loads covers every class a grid opens."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.live import prefetch


@pytest.fixture
def fresh(monkeypatch):
    """No prefetch opened yet in this process, and IPython's shell as the test sets it."""
    monkeypatch.setattr(prefetch, "_opened", None)
    monkeypatch.delenv(prefetch.ENVIRONMENT, raising=False)
    shell = SimpleNamespace(value=None)
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: shell.value)
    return shell


def page_says(widget, content) -> None:
    """The page's module sends ``content`` (anywidget's model.send: a custom message)."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                        "buffers": []})


def test_in_a_kernel_it_opens_once_with_the_grid_classes(fresh):
    fresh.value = SimpleNamespace(kernel=object())
    opened = prefetch.start()
    assert isinstance(opened, prefetch.ModulePrefetch)
    assert prefetch.start() is opened, "a second import would open a second model"
    assert opened.prefetch_classes[0] == ["FigureModel", "bqplot",
                                          opened.prefetch_classes[0][2]]
    assert len(opened.prefetch_classes) == len(prefetch.GRID_CLASSES)
    opened.close()


@pytest.mark.parametrize("shell", [None, SimpleNamespace(kernel=None), SimpleNamespace()],
                         ids=["plain Python", "IPython without a kernel", "a terminal shell"])
def test_outside_a_kernel_it_opens_nothing(fresh, shell):
    fresh.value = shell
    assert prefetch.start() is None


def test_the_environment_variable_turns_it_off(fresh, monkeypatch):
    fresh.value = SimpleNamespace(kernel=object())
    monkeypatch.setenv(prefetch.ENVIRONMENT, "0")
    assert prefetch.start() is None
    monkeypatch.setenv(prefetch.ENVIRONMENT, "1")
    opened = prefetch.start()
    assert opened is not None
    opened.close()


def test_the_page_answer_closes_it_and_says_how_many_loaded():
    widget = prefetch.ModulePrefetch()
    assert widget.prefetched is None and widget.comm is not None
    page_says(widget, {"prefetched": 13})
    assert widget.prefetched == 13
    assert widget.comm is None, "the model stays open after the page answered"


@pytest.mark.parametrize("content", [{"prefetched": True}, {"prefetched": "14"}, {}, [14]],
                         ids=["a boolean", "a string", "no count", "not an object"])
def test_anything_else_from_the_page_leaves_it_open(content):
    widget = prefetch.ModulePrefetch()
    page_says(widget, content)
    assert widget.prefetched is None and widget.comm is not None
    widget.close()


def _opened_classes(grid) -> set[tuple[str, str, str]]:
    from conftest import walk_widgets

    return {tuple(prefetch.model_class(type(w))) for w in walk_widgets(grid)
            if prefetch.model_class(type(w))[1] != "anywidget"}


@pytest.mark.parametrize("kwargs", [{}, {"renderer": "canvas"}, {"columns": 3, "labels": list("abcdefghij")}],
                         ids=["default", "canvas", "other layout"])
def test_it_loads_every_class_a_grid_opens(kwargs):
    """Each class a grid's display creates (anywidget's aside: the prefetch's own module)
    is one the page loaded before; a class added to the grid and not here fails."""
    grid = DigitHeatmapGrid(np.random.default_rng(0).random((10, 7, 6)), **kwargs)
    loaded = {tuple(c) for c in prefetch.ModulePrefetch().prefetch_classes}
    assert _opened_classes(grid) - loaded == set()
    grid.close()


def test_with_controls_and_player_every_module_is_loaded():
    """The control panel and the player use more classes of the same modules: loading a
    class loads its module, so each module they come from is among those loaded."""
    grid = DigitHeatmapGrid(np.random.default_rng(0).random((10, 7, 6)), controls=True)
    grid.record()
    grid.show_player = True
    modules = {(module, version) for _name, module, version
               in prefetch.ModulePrefetch().prefetch_classes}
    opened = {(module, version) for _name, module, version in _opened_classes(grid)}
    assert opened - modules == set()
    grid.close()


def test_the_default_grid_opens_each_class_it_loads():
    """The list is not padded: each class in it is one the default SVG grid opens."""
    grid = DigitHeatmapGrid(np.random.default_rng(0).random((10, 7, 6)))
    loaded = {tuple(c) for c in prefetch.ModulePrefetch().prefetch_classes}
    assert loaded - _opened_classes(grid) == set()
    grid.close()
