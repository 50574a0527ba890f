"""Compare mode (issue "Watch it learn, hand it out", item 4): ``grid.compare(reference)``
shows data - reference on a diverging colormap centred on 0, ``showing`` flips between
data, reference and difference (in Python, the control panel's menu, or V on the grid),
and an exported page flips with no kernel, reading out both values."""

from __future__ import annotations


import numpy as np
import pytest
from page_model import controller_of, page_sends
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid, sample_data

RGB_TOLERANCE = 6


def class_mean_reference() -> np.ndarray:
    data = sample_data()
    return np.repeat(data.mean(axis=0, keepdims=True), len(data), axis=0)


def test_compare_shows_the_difference_centred_on_zero():
    data, reference = sample_data(), class_mean_reference()
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    assert grid.showing == "difference"
    top = np.abs(data - reference).max()
    assert grid.limits == pytest.approx((-top, top))
    figure = grid.figure
    np.testing.assert_allclose(figure.data, data - reference)
    assert figure.colormap == "RdBu_r"
    np.testing.assert_array_equal(grid.data, data)  # data itself is untouched
    grid.close()


def test_showing_flips_views_with_shared_limits():
    data, reference = sample_data(), class_mean_reference() * 1.5
    grid = DigitHeatmapGrid(data, colormap="magma")
    grid.compare(reference)
    grid.vmin, grid.vmax = -0.001, 0.001
    grid.showing = "reference"
    assert (grid.vmin, grid.vmax) == (None, None)  # the limits follow what is shown
    both = (min(data.min(), reference.min()), max(data.max(), reference.max()))
    assert grid.limits == pytest.approx(both)  # the same colour, the same value
    np.testing.assert_array_equal(grid.figure.data, grid.reference)
    assert grid.figure.colormap == "magma"
    grid.showing = "data"
    assert grid.limits == pytest.approx(both)
    np.testing.assert_array_equal(grid.figure.data, data)
    grid.compare(None)
    assert grid.showing == "data" and grid.reference is None
    assert grid.limits == pytest.approx((data.min(), data.max()))
    grid.close()


def test_another_grid_as_reference():
    before = DigitHeatmapGrid(sample_data() * 0.5)
    after = DigitHeatmapGrid(sample_data())
    after.compare(before)
    np.testing.assert_allclose(after.figure.data, sample_data() * 0.5)
    before.close()
    after.close()


def test_bad_comparisons_are_refused_and_nothing_changes():
    grid = DigitHeatmapGrid()
    with pytest.raises(TraitError, match=r"showing 'difference' needs a reference: call compare\(reference\) first"):
        grid.showing = "difference"
    with pytest.raises(TraitError, match=r"reference expected maps shaped like data \(10, 7, 6\), got shape \(3, 3, 3\)"):
        grid.compare(np.zeros((3, 3, 3)))
    assert grid.reference is None and grid.showing == "data"
    grid.compare(class_mean_reference())
    grid.data = np.zeros((4, 5, 5))  # another shape: nothing left to compare with
    assert grid.reference is None and grid.showing == "data"
    grid.close()


def test_flipping_sends_no_maps_and_the_page_can_flip(recorder):
    grid = DigitHeatmapGrid()
    grid.compare(class_mean_reference())
    controller = controller_of(grid)
    with recorder.capture() as cap:
        grid.showing = "reference"
    (event,) = [e for e in cap.sends if e.comm is controller.comm]
    state = event.data["state"]
    assert state["compare"]["showing"] == "reference"
    assert not {"patch", "data", "reference"} & set(state) and event.buffer_bytes == 0
    page_sends(grid, {"event": "showing", "value": [2]})  # a person picks the difference
    assert grid.showing == "difference"
    page_sends(grid, {"event": "showing", "value": [7]})  # refused: nothing changes
    assert grid.showing == "difference"
    grid.close()


@pytest.mark.parametrize(("event", "value", "answer"), [
    ("showing", [7], "compare"),  # no such view
    ("frame", [9], "frame"),      # no such frame
    ("page", [9], "paging"),      # no such page
])
def test_a_refused_page_event_is_answered_with_what_stands(recorder, event, value, answer):
    """Issue 24: Python answered a refused view, frame or page from the page with the
    state of a trait the controller does not have (an error in the kernel's log, and the
    page got no answer). It now sends the controller's trait that holds it."""
    grid = DigitHeatmapGrid(np.random.default_rng(0).random((40, 3, 3)), page_size=10)
    assert grid.page_count == 4
    assert grid.wait_for_limits(30)  # found in a thread, which sends them when done
    grid.record("a")
    grid.compare(grid.data * 0.5)
    before = (grid.showing, grid.frame, grid.page)
    controller = controller_of(grid)
    with recorder.capture() as cap:
        page_sends(grid, {"event": event, "value": value})
    assert (grid.showing, grid.frame, grid.page) == before
    (sent,) = [e for e in cap.sends if e.comm is controller.comm]
    assert set(sent.data["state"]) == {answer}
    grid.close()


@pytest.mark.parametrize("mode", ["symmetric", "robust"])
def test_autoscale_follows_the_view_shown(mode):
    """Issue 24: in the difference view, autoscale used the data: limits +-0.0147 for a
    difference of 0.01 at most (one flat colour)."""
    data = sample_data()
    reference = data + np.random.default_rng(3).uniform(-0.01, 0.01, data.shape)
    grid = DigitHeatmapGrid(data)
    grid.compare(reference)
    grid.showing = "difference"
    difference = data - reference
    low, high = grid.autoscale(mode)
    if mode == "symmetric":
        assert (low, high) == (-np.abs(difference).max(), np.abs(difference).max())
    else:
        np.testing.assert_allclose((low, high), np.percentile(difference, [2, 98]))
    grid.close()
