"""CanvasGrid, the Python side: synced traits, what one update sends, clicks from the page.

Every widget talks to the recording comm of tests/conftest.py, so each message is seen
with its JSON part and its binary buffers. The page side is tested in
tests/browser/test_canvas_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from traitlets import TraitError

from digitheat_widget.figure import layout as figure_layout
from digitheat_widget.live.canvas import CanvasGrid
from digitheat_widget.figure.colormaps import colormap_stops

#: The traits the issue names, all synced to the page.
SYNCED = ("values", "count", "rows", "cols", "columns", "cell", "vmin", "vmax", "stops",
          "nan_color", "labels", "highlighted", "selected", "value_format")


def tensor(shape=(4, 3, 5)) -> np.ndarray:
    data = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) / 10.0
    data[1, 2, 3] = np.nan
    return data


def decode(event, name: str = "values") -> np.ndarray:
    """The float32 values carried as a binary buffer by one update message."""
    paths = event.data["buffer_paths"]
    assert [name] in paths, f"{name} did not travel as a binary buffer: {paths}"
    assert name not in event.data["state"], "the bytes must not be in the JSON part"
    raw = memoryview(event.buffers[paths.index([name])]).cast("B")
    return np.frombuffer(raw, dtype="<f4")


@pytest.fixture
def canvas():
    widget = CanvasGrid(tensor())
    yield widget
    widget.close()


def page_message(widget: CanvasGrid, content: dict) -> None:
    """Deliver a custom message as the page sends it (model.send in canvas.js)."""
    widget.comm.callback({"content": {"data": {"method": "custom", "content": content}},
                          "buffers": []})


# ------------------------------------------------------------------------- traits


def test_every_named_trait_is_synced_and_documented():
    for name in SYNCED:
        trait = CanvasGrid.class_traits()[name]
        assert trait.metadata.get("sync") is True, name
        assert trait.help, f"{name} has no help"


def test_esm_is_the_packaged_js_file(canvas):
    js = Path(__file__).resolve().parents[1] / "digitheat_widget" / "canvas.js"
    assert canvas._esm == js.read_text()
    assert "export default" in canvas._esm


def wire_bytes(widget) -> bytes:
    """The values as the page gets them (the trait's serialiser, as ipywidgets calls it)."""
    return bytes(widget.trait_metadata("values", "to_json")(widget.values, widget))


def test_data_in_constructor_sets_shape_values_and_auto_cell(canvas):
    assert (canvas.count, canvas.rows, canvas.cols) == (4, 3, 5)
    np.testing.assert_array_equal(
        np.frombuffer(wire_bytes(canvas), dtype="<f4"), tensor().astype(np.float32).ravel()
    )
    assert canvas.cell == figure_layout.auto_cell_size(3, 5)
    assert len(wire_bytes(canvas)) == 4 * 3 * 5 * 4
    # The widget's own copy: changing the caller's array changes nothing shown.
    assert not canvas.values.flags.writeable


def test_defaults_match_the_svg_renderer():
    widget = CanvasGrid()
    try:
        assert widget.stops == colormap_stops("hot")
        assert widget.nan_color == "#4a90d9"  # DigitHeatmapGrid's documented default
        assert (widget.count, widget.values, widget.selected, widget.highlighted) == (0, None, [], [])
        assert wire_bytes(widget) == b""
        assert widget.size == (0, 0)
    finally:
        widget.close()


def test_nan_default_is_the_grid_default():
    from digitheat_widget.figure.layout import DEFAULT_NAN_COLOR

    assert CanvasGrid.class_traits()["nan_color"].default_value == DEFAULT_NAN_COLOR


def test_geometry_and_size_are_the_svg_renderers():
    widget = CanvasGrid(np.zeros((100, 28, 28)), columns=10)
    try:
        geometry = figure_layout.GridGeometry(rows=28, cols=28, panels=100, columns=10,
                                        cell=figure_layout.auto_cell_size(28, 28))
        assert widget.geometry == geometry
        assert widget.size == (10 * geometry.panel_width + 9 * figure_layout.GAP_X, geometry.grid_height)
        assert widget._x_ticks == geometry.tick_positions(28)
        assert widget._y_ticks == geometry.tick_positions(28)
        assert widget._x_ticks == [0, 4, 8, 12, 16, 20, 24]  # 5 px cells: every 4th label
    finally:
        widget.close()


def test_look_comes_from_render():
    widget = CanvasGrid()
    try:
        look = widget._look
        assert look["margin"] == figure_layout.PANEL_MARGIN
        assert (look["gap_x"], look["gap_y"]) == (figure_layout.GAP_X, figure_layout.GAP_Y)
        assert (look["tick_font"], look["title_font"]) == (f"{figure_layout.TICK_FONT_PX}px", f"{figure_layout.TITLE_FONT_PX}px")
        assert look["accent_color"] == figure_layout.ACCENT_COLOR
        assert look["selected_color"] == figure_layout.SELECTED_COLOR
        assert look["dimmed_opacity"] == figure_layout.DIMMED_OPACITY
    finally:
        widget.close()


def test_ticks_follow_rows_cols_and_cell(canvas, recorder):
    with recorder.capture() as capture:
        canvas.cell = 4
    assert canvas._x_ticks == [0, 4] and canvas._y_ticks == [0]
    # cell and both tick lists travel together.
    assert len(capture.sends_to(canvas)) == 1
    assert set(capture.sends_to(canvas)[0].data["state"]) == {"cell", "_x_ticks", "_y_ticks"}


@pytest.mark.parametrize("name, value", [
    ("columns", 0), ("cell", 0), ("count", -1), ("stops", ["#000000"]), ("stops", ["red", "#fff"]),
    ("selected", [1, 2]), ("value_format", "%.4f"), ("value_format", ".4g"),
])
def test_bad_trait_values_are_refused(canvas, name, value):
    with pytest.raises(TraitError, match=f"CanvasGrid.{name}"):
        setattr(canvas, name, value)


# ------------------------------------------------------------------------- messages


def test_initial_state_carries_everything_in_one_open(recorder):
    with recorder.capture() as capture:
        widget = CanvasGrid(tensor(), vmin=0.0, vmax=2.0, labels=list("abcd"), columns=3)
    try:
        opens = [e for e in capture.opens if e.comm is widget.comm]
        assert len(opens) == 1
        assert not capture.sends, "no update after the opens (layout included)"
        assert (widget.layout.margin, widget.layout.padding) == ("0px", "0px")
        state = opens[0].data["state"]
        assert (state["count"], state["rows"], state["cols"], state["columns"]) == (4, 3, 5, 3)
        assert state["labels"] == list("abcd") and state["_x_ticks"] == [0, 1, 2, 3, 4]
        paths = opens[0].data["buffer_paths"]
        raw = memoryview(opens[0].buffers[paths.index(["values"])]).cast("B")
        np.testing.assert_array_equal(np.frombuffer(raw, "<f4"),
                                      tensor().astype(np.float32).ravel())
    finally:
        widget.close()


def test_set_data_sends_one_message_with_shape_and_bytes(canvas, recorder):
    new = np.random.default_rng(0).random((6, 8, 9))
    with recorder.capture() as capture:
        canvas.set_data(new)
    sends = capture.sends_to(canvas)
    assert len(sends) == 1
    state = sends[0].data["state"]
    assert (state["count"], state["rows"], state["cols"]) == (6, 8, 9)
    assert state["_x_ticks"] == list(range(9))  # a new shape brings its ticks along
    np.testing.assert_array_equal(decode(sends[0]), new.astype(np.float32).ravel())
    assert sum(e.buffer_bytes for e in sends) == 6 * 8 * 9 * 4


def test_set_data_same_shape_sends_only_the_bytes(canvas, recorder):
    new = tensor()[::-1].copy()
    with recorder.capture() as capture:
        canvas.set_data(new)
    sends = capture.sends_to(canvas)
    assert len(sends) == 1
    assert sends[0].data["state"] == {} and sends[0].data["buffer_paths"] == [["values"]]
    decoded = decode(sends[0]).reshape(4, 3, 5)
    np.testing.assert_array_equal(decoded, new.astype(np.float32))  # NaN == NaN here
    assert np.isnan(decoded[2, 2, 3])


def test_set_data_accepts_any_real_dtype_and_order(canvas):
    fortran = np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4))
    canvas.set_data(fortran)
    np.testing.assert_array_equal(np.frombuffer(wire_bytes(canvas), "<f4").reshape(2, 3, 4), fortran)


def test_a_grid_on_the_canvas_keeps_one_copy_of_its_data():
    """The canvas shows the grid's own read-only tensor; the float32 bytes for the page
    are made while a message is sent, not kept."""
    from digitheat_widget import DigitHeatmapGrid

    grid = DigitHeatmapGrid(np.random.default_rng(2).random((100, 28, 28)))
    try:
        assert grid.active_renderer == "canvas"
        assert grid._canvas.values is grid.data
        grid.data = grid.data[::-1]
        assert grid._canvas.values is grid.data
    finally:
        grid.close()


def test_large_grid_update_is_one_message_of_the_raw_bytes(recorder):
    big = np.random.default_rng(1).random((100, 28, 28))
    widget = CanvasGrid(big, columns=10)
    try:
        with recorder.capture() as capture:
            widget.set_data(big[::-1])
            widget.vmax = 0.5
        sends = capture.sends_to(widget)
        assert len(sends) == 2
        assert sends[0].buffer_bytes == 100 * 28 * 28 * 4
        assert sends[0].json_size < 200
        assert sends[1].data["state"] == {"vmax": 0.5} and not sends[1].buffers
    finally:
        widget.close()


def test_set_data_refuses_non_3d(canvas, recorder):
    with recorder.capture() as capture, pytest.raises(ValueError, match="3-D"):
        canvas.set_data(np.zeros((3, 4)))
    assert not capture.sends_to(canvas)


def test_limit_and_look_changes_are_small_messages(canvas, recorder):
    with recorder.capture() as capture:
        canvas.vmin = -1.0
        canvas.highlighted = [2]
        canvas.selected = [1, 0, 4]
        canvas.labels = ["<b>a</b>", "b", "c", "d"]
    states = [e.data["state"] for e in capture.sends_to(canvas)]
    assert states == [{"vmin": -1.0}, {"highlighted": [2]}, {"selected": [1, 0, 4]},
                      {"labels": ["<b>a</b>", "b", "c", "d"]}]


# ------------------------------------------------------------------------- clicks


def test_cell_and_title_clicks_reach_their_callbacks(canvas):
    cells, titles = [], []
    canvas.on_cell_click(lambda *args: cells.append(args))
    canvas.on_title_click(lambda *args: titles.append(args))
    page_message(canvas, {"event": "cell_click", "digit": 2, "row": 1, "col": 4})
    page_message(canvas, {"event": "title_click", "digit": 3})
    assert cells == [(2, 1, 4)]
    assert titles == [(3,)]


def test_callbacks_can_be_removed(canvas):
    cells = []
    callback = cells.append
    canvas.on_title_click(callback)
    canvas.on_title_click(callback, remove=True)
    page_message(canvas, {"event": "title_click", "digit": 0})
    assert cells == []


@pytest.mark.parametrize("content", [
    {"event": "cell_click", "digit": 4, "row": 0, "col": 0},  # no panel 4
    {"event": "cell_click", "digit": 0, "row": 3, "col": 0},
    {"event": "cell_click", "digit": 0, "row": 0, "col": "1"},
    {"event": "cell_click", "digit": True, "row": 0, "col": 0},
    {"event": "title_click", "digit": -1},
    {"event": "something else"},
])
def test_malformed_page_messages_are_ignored(canvas, content):
    seen = []
    canvas.on_cell_click(lambda *args: seen.append(args))
    canvas.on_title_click(lambda *args: seen.append(args))
    page_message(canvas, content)
    assert seen == []


def test_callbacks_must_be_callable(canvas):
    with pytest.raises(TypeError, match="on_cell_click expected a callable"):
        canvas.on_cell_click("not a function")  # type: ignore[arg-type]
