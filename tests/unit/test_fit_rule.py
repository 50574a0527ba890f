"""What the page is told about fitting a grid to a narrow container (issue 28): whether it
may use fewer columns (``columns`` not given) and the smallest cell it may scale to
(``cell_size`` not given: half the cell, at least 4 px). The rule itself runs in the page
(js/src/page/fit.js, js/test/fit.test.mjs; tests/pages/test_fit.py in Chromium)."""

from __future__ import annotations

import numpy as np
import pytest
from traitlets import TraitError

from page_model import controller_of

from digitheat_widget import DigitHeatmapGrid


def told(grid: DigitHeatmapGrid) -> tuple[bool, int, int]:
    geometry = controller_of(grid).geometry
    return geometry["fit_columns"], geometry["fit_min_cell"], geometry["cell"]


def test_automatic_columns_and_cells_may_be_fitted():
    grid = DigitHeatmapGrid()  # 7 x 6 maps at 21 px
    try:
        assert told(grid) == (True, 11, 21)
    finally:
        grid.close()
    grid = DigitHeatmapGrid(np.zeros((100, 28, 28)))  # 5 px cells: 4 px at least
    try:
        assert told(grid) == (True, 4, 5)
    finally:
        grid.close()


def test_what_is_given_is_kept():
    grid = DigitHeatmapGrid(columns=3, cell_size=9)
    try:
        assert told(grid) == (False, 9, 9)
    finally:
        grid.close()


def test_columns_assigned_later_are_kept_even_the_same_number(recorder):
    grid = DigitHeatmapGrid()
    controller = controller_of(grid)
    try:
        assert grid.columns == 2 and told(grid)[0]
        with recorder.capture() as capture:
            grid.columns = 2  # no change of the trait: the page is told all the same
        assert told(grid) == (False, 11, 21)
        sends = capture.sends_to(controller)
        assert len(sends) == 1 and set(sends[0].data["state"]) == {"geometry"}
        with recorder.capture() as capture:
            grid.columns = 2  # told once
        assert capture.sends_to(controller) == []
    finally:
        grid.close()


def test_refused_columns_leave_them_automatic():
    grid = DigitHeatmapGrid()
    try:
        with pytest.raises(TraitError, match="columns"):
            grid.columns = 0
        assert grid.columns == 2 and told(grid)[0]
        with pytest.raises(TraitError, match="vmax"):  # the batch is refused whole
            with grid.hold_sync():
                grid.columns = 3
                grid.vmax = float("nan")
        assert grid.columns == 2 and told(grid)[0]
        grid.columns = 3
        assert told(grid)[0] is False
    finally:
        grid.close()


def test_pictures_keep_the_grid_size():
    grid = DigitHeatmapGrid()
    try:
        assert 'width="404"' in grid.to_svg()
    finally:
        grid.close()
