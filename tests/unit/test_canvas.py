"""The canvas renderer, the Python side, tested through the grid.

``CanvasGrid`` is a drawing layer only: Python gives it the figure's geometry (and the
first values of the rest), the grid's controller names it, and the page-side controller
sets its values, limits, colours, highlight and selection and catches its clicks. So a
change of data, limits, colormap, NaN colour, highlight or selection on a canvas grid is
one message to the controller and none to the canvas; a change of shape, columns, cell
size, labels or renderer builds a new canvas.

Every widget talks to the recording comm of tests/conftest.py, so each message is seen
with its JSON part and its binary buffers. The page side is tested in
tests/browser/test_canvas_browser.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from page_model import Page, controller_of
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure import layout as figure_layout
from digitheat_widget.figure.colormaps import colormap_stops
from digitheat_widget.live.canvas import CanvasGrid

#: The canvas model's traits, all synced to the page.
SYNCED = ("geometry", "vmin", "vmax", "stops", "nan_color", "highlighted", "selected",
          "value_format")


def tensor(shape=(4, 3, 5)) -> np.ndarray:
    data = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) / 10.0
    data[1, 2, 3] = np.nan
    return data


@pytest.fixture
def grid():
    """A small grid drawn on the canvas (4 maps of 3 x 5, one NaN)."""
    widget = DigitHeatmapGrid(tensor(), renderer="canvas")
    yield widget
    widget.close()


def canvas_of(grid) -> CanvasGrid:
    """The canvas the grid's controller names (and so the page's controller draws on)."""
    canvas = controller_of(grid).canvas
    assert isinstance(canvas, CanvasGrid), type(canvas).__name__
    return canvas


def decode(event, kind: str) -> tuple[np.ndarray, list[int] | None]:
    """The maps (and their indices, for a patch) a controller update carries, decoded
    from the message's bytes with the dtype and shape it names."""
    encoded = event.data["state"][kind]
    assert "buffer" not in encoded, "the bytes must not be in the JSON part"
    paths = event.data["buffer_paths"]
    raw = memoryview(event.buffers[paths.index([kind, "buffer"])]).cast("B")
    maps = np.frombuffer(raw, dtype=np.dtype(encoded["dtype"]).newbyteorder("<"))
    return maps.reshape(encoded["shape"]), encoded.get("indices")


def only_to_controller(cap, grid):
    assert len(cap.sends) == 1, [(type(e.comm), e.data) for e in cap.sends]
    (event,) = cap.sends
    assert event.comm is controller_of(grid).comm
    return event


def page_sends(grid, content) -> None:
    """The page's controller sends ``content`` to Python (a click turned into a change)."""
    controller = controller_of(grid)
    controller._handle_message(controller, content, [])


def expected_geometry(count, rows, cols, columns):
    """Sizes by hand from the documented layout: about 150 px for a panel's longer side
    (4..24 px a cell), margins around each plot, gaps between panels."""
    cell = max(4, min(24, 150 // max(rows, cols)))
    margin = figure_layout.PANEL_MARGIN
    panel_w = cols * cell + margin["left"] + margin["right"]
    panel_h = rows * cell + margin["top"] + margin["bottom"]
    grid_rows = -(-count // columns)
    return {
        "count": count, "rows": rows, "cols": cols, "columns": columns, "cell": cell,
        "panel_width": panel_w, "panel_height": panel_h,
        "width": columns * panel_w + (columns - 1) * figure_layout.GAP_X,
        "height": grid_rows * panel_h + (grid_rows - 1) * figure_layout.GAP_Y,
    }


# ------------------------------------------------------------------------- the model


def test_every_named_trait_is_synced_and_documented():
    for name in SYNCED:
        trait = CanvasGrid.class_traits()[name]
        assert trait.metadata.get("sync") is True, name
        assert trait.help, f"{name} has no help"
    # The values are not the canvas's: the page's controller hands it the stack it holds.
    assert "values" not in CanvasGrid.class_traits()


def test_esm_is_the_packaged_js_file(grid):
    """The page gets the build's canvas module (static/canvas.js, bundled by js/build.mjs
    from js/src/page/canvas.js and what it imports), and only that."""
    package = Path(__file__).resolve().parents[2] / "digitheat_widget"
    built = package / "static" / "canvas.js"
    canvas = canvas_of(grid)
    assert canvas._esm == built.read_text(encoding="utf-8")
    assert "export{" in canvas._esm.replace(" ", "") or "export default" in canvas._esm
    assert "import " not in canvas._esm  # one bundle: nothing left to resolve in the page


def test_an_unbuilt_module_says_how_to_build_it(tmp_path, monkeypatch):
    from digitheat_widget import live

    monkeypatch.setattr(live, "_STATIC", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"canvas\.js is not built: run `npm --prefix js ci "
                       r"&& npm --prefix js run build`.*pip install -e \."):
        live.module_text("canvas")


def test_the_controller_names_the_canvas_and_no_svg_panels(grid, recorder):
    controller = controller_of(grid)
    canvas = canvas_of(grid)
    assert grid.active_renderer == "canvas"
    assert controller.marks == controller.figures == controller.tooltips == controller.titles == []
    body = grid.children[-1]
    assert list(body.children) == [canvas, controller.colorbar]  # colorbar beside the canvas
    assert (canvas.layout.margin, canvas.layout.padding) == ("0px", "0px")
    # The page's controller gets the same: the canvas by reference, no marks.
    state = Page(recorder.events).controller(grid)
    assert state["canvas"] == f"IPY_MODEL_{canvas.model_id}"
    assert state["marks"] == [] and state["figures"] == []


def test_canvas_geometry_is_the_figures():
    grid = DigitHeatmapGrid(np.zeros((100, 28, 28)), columns=10)
    try:
        assert grid.active_renderer == "canvas"  # 78,400 cells: 'auto' draws on a canvas
        geometry = canvas_of(grid).geometry
        assert geometry == grid.figure.page_layout()
        controller_geometry = dict(controller_of(grid).geometry)
        assert controller_geometry.pop("uid") == grid.css_class.removeprefix("dhg-")
        assert geometry == controller_geometry
        for key, value in expected_geometry(100, 28, 28, 10).items():
            assert geometry[key] == value, key
        # 5 px cells: every 4th label, 20 px apart; rows thinned from the last one up,
        # as bqplot's reversed row scale does.
        assert geometry["x_ticks"] == [0, 4, 8, 12, 16, 20, 24]
        assert geometry["y_ticks"] == [3, 7, 11, 15, 19, 23, 27]
        assert geometry["labels"] == [str(i) for i in range(100)]
    finally:
        grid.close()


def test_look_comes_from_the_layout():
    grid = DigitHeatmapGrid(renderer="canvas")
    try:
        look = canvas_of(grid).geometry
        assert look["margin"] == figure_layout.PANEL_MARGIN
        assert (look["gap_x"], look["gap_y"]) == (figure_layout.GAP_X, figure_layout.GAP_Y)
        assert (look["tick_font_px"], look["title_font_px"]) == (
            figure_layout.TICK_FONT_PX, figure_layout.TITLE_FONT_PX)
        assert look["accent_color"] == figure_layout.ACCENT_COLOR
        assert look["selected_color"] == figure_layout.SELECTED_COLOR
        assert look["dimmed_opacity"] == figure_layout.DIMMED_OPACITY
        assert look["highlight_width"] == figure_layout.HIGHLIGHT_WIDTH
    finally:
        grid.close()


def test_both_renderers_draw_from_one_figure(recorder):
    """The canvas starts with what the SVG renderer's controller gets, and the page state
    of both grids' controllers is the same but for which drawing widgets they name."""
    options = {"vmin": 0.0, "vmax": 2.0, "colormap": "viridis", "highlighted": [1],
               "labels": list("abcd"), "columns": 3}
    on_canvas = DigitHeatmapGrid(tensor(), renderer="canvas", **options)
    on_svg = DigitHeatmapGrid(tensor(), renderer="svg", **options)
    try:
        page = Page(recorder.events)
        a, b = page.shown(on_canvas), page.shown(on_svg)
        for field in ("limits", "vmin", "vmax", "tick_format", "value_format", "colormap",
                      "stops", "highlighted", "selected", "nan_color", "labels", "dtype"):
            assert getattr(a, field) == getattr(b, field), field
        np.testing.assert_array_equal(a.data, b.data)
        assert {**a.geometry, "uid": ""} == {**b.geometry, "uid": ""}
        canvas = canvas_of(on_canvas)
        assert (canvas.vmin, canvas.vmax) == a.limits == (0.0, 2.0)
        assert canvas.stops == a.stops == colormap_stops("viridis")
        assert canvas.nan_color == a.nan_color
        assert canvas.highlighted == a.highlighted == [1]
        assert canvas.selected == [] and canvas.value_format == a.value_format
    finally:
        on_canvas.close()
        on_svg.close()


def test_nan_default_is_the_grid_default(grid):
    # "#4a90d9", as every front end reads it.
    assert grid.nan_color == figure_layout.DEFAULT_NAN_COLOR == "#4a90d9"
    assert canvas_of(grid).nan_color == "rgba(74, 144, 217, 1.000)"


# ------------------------------------------------------------------------- messages


def test_initial_state_carries_everything_in_one_open(recorder):
    with recorder.capture() as capture:
        grid = DigitHeatmapGrid(tensor(), vmin=0.0, vmax=2.0, labels=list("abcd"), columns=3,
                                renderer="canvas", highlighted=[1], nan_color="red",
                                colormap="viridis")
    try:
        canvas, controller = canvas_of(grid), controller_of(grid)
        opens = [e for e in capture.opens if e.comm is canvas.comm]
        assert len(opens) == 1
        assert not capture.sends_to(canvas), "no update of the canvas after its open"
        assert not capture.sends_to(controller), "no update of the controller after its open"
        state = opens[0].data["state"]
        geometry = state["geometry"]
        assert (geometry["count"], geometry["rows"], geometry["cols"], geometry["columns"]) == (4, 3, 5, 3)
        assert geometry["labels"] == list("abcd") and geometry["x_ticks"] == [0, 1, 2, 3, 4]
        assert (state["vmin"], state["vmax"]) == (0.0, 2.0)
        assert state["stops"] == colormap_stops("viridis")
        assert state["nan_color"] == "rgba(255, 0, 0, 1.000)"
        assert state["highlighted"] == [1] and state["selected"] == []
        assert state["value_format"] == ".2f"  # ticks every 0.2 on 0..2: one decimal, +1
        # The canvas carries no values: the controller's open holds the one stack.
        assert "values" not in state and opens[0].buffers == []
        (controller_open,) = [e for e in capture.opens if e.comm is controller.comm]
        assert controller_open.data["state"]["canvas"] == f"IPY_MODEL_{canvas.model_id}"
        paths = controller_open.data["buffer_paths"]
        raw = memoryview(controller_open.buffers[paths.index(["data", "buffer"])]).cast("B")
        np.testing.assert_array_equal(np.frombuffer(raw, "<f4").reshape(4, 3, 5),
                                      tensor().astype(np.float32))
        # The canvas is opened before the controller that names it.
        order = [e.comm for e in capture.opens]
        assert order.index(canvas.comm) < order.index(controller.comm)
    finally:
        grid.close()


def test_a_grid_on_the_canvas_keeps_one_copy_of_its_data():
    """The controller holds the grid's own read-only tensor; the bytes for the page are
    made while a message is sent, not kept, and the canvas holds none."""
    grid = DigitHeatmapGrid(np.random.default_rng(2).random((100, 28, 28)))
    try:
        assert grid.active_renderer == "canvas"
        controller = controller_of(grid)
        assert controller.data.tensor is grid.data
        grid.data = grid.data[::-1]
        assert controller.data.tensor is grid.data
        assert not any(isinstance(v, np.ndarray) for v in canvas_of(grid).get_state().values())
    finally:
        grid.close()


def test_data_change_is_one_message_to_the_controller(grid, recorder):
    new = tensor()[::-1].copy()
    with recorder.capture() as capture:
        grid.data = new
    event = only_to_controller(capture, grid)
    assert set(event.data["state"]) == {"patch"}  # same limits, same shape
    maps, indices = decode(event, "patch")
    assert indices == [0, 1, 2, 3]
    np.testing.assert_array_equal(maps, new.astype(np.float32))  # NaN == NaN here
    assert np.isnan(maps[2, 2, 3])
    np.testing.assert_array_equal(Page(recorder.events).shown(grid).data, new.astype(np.float32))


def test_update_panel_sends_that_panel_alone(grid, recorder):
    panel = np.full((3, 5), 0.25)
    with recorder.capture() as capture:
        grid.update_panel(2, panel)
    event = only_to_controller(capture, grid)
    maps, indices = decode(event, "patch")
    assert indices == [2]
    np.testing.assert_array_equal(maps, panel[np.newaxis].astype(np.float32))
    assert event.buffer_bytes == 3 * 5 * 4
    shown = Page(recorder.events).shown(grid).data
    expected = tensor()
    expected[2] = panel
    np.testing.assert_array_equal(shown, expected.astype(np.float32))


@pytest.mark.parametrize(("name", "value", "part"), [
    ("vmin", -1.0, "limits"),
    ("vmax", 9.0, "limits"),
    ("colormap", "magma", "colormap"),
    ("nan_color", "#00ff00", "nan_color"),
    ("highlighted", [2], "highlighted"),
    ("selected", (1, 0, 4), "selected"),
])
def test_look_changes_are_one_small_message_to_the_controller(grid, recorder, name, value, part):
    with recorder.capture() as capture:
        setattr(grid, name, value)
    event = only_to_controller(capture, grid)
    assert set(event.data["state"]) == {part}
    assert event.buffers == [] and event.json_size < 1000
    assert not capture.sends_to(canvas_of(grid)) and not capture.opens and not capture.closes


def test_large_grid_update_is_one_message_of_the_raw_bytes(recorder):
    big = np.random.default_rng(1).random((100, 28, 28))
    grid = DigitHeatmapGrid(big, columns=10)
    try:
        assert grid.active_renderer == "canvas"
        with recorder.capture() as capture:
            grid.data = big[::-1]
            grid.vmax = 0.5
        controller = controller_of(grid)
        assert [e.comm for e in capture.sends] == [controller.comm, controller.comm]
        first, second = capture.sends
        assert set(first.data["state"]) == {"patch"}
        assert first.buffer_bytes == 100 * 28 * 28 * 4
        # The JSON is the maps' dtype, shape, sequence number and their 100 indices.
        assert first.json_size < 1000
        maps, indices = decode(first, "patch")
        assert indices == list(range(100))
        np.testing.assert_array_equal(maps, big[::-1].astype(np.float32))
        assert set(second.data["state"]) == {"limits"} and not second.buffers
        assert second.data["state"]["limits"]["vmax"] == 0.5
    finally:
        grid.close()


def test_a_new_shape_builds_one_new_canvas(grid, recorder):
    old = canvas_of(grid)
    old_comm = old.comm
    new = np.random.default_rng(0).random((6, 8, 9))
    with recorder.capture() as capture:
        grid.data = new
    canvas, controller = canvas_of(grid), controller_of(grid)
    assert canvas is not old and old.comm is None
    # One new canvas (and one new colorbar), not one per trait the new shape changes
    # (data, labels): every other open is the colorbar's.
    canvases = [e for e in capture.opens
                if (e.data or {}).get("state", {}).get("_anywidget_id", "").endswith("CanvasGrid")]
    assert len(canvases) == 1, f"{len(canvases)} canvases opened for one change of shape"
    (opened,) = canvases
    assert opened.comm is canvas.comm
    geometry = opened.data["state"]["geometry"]
    for key, value in expected_geometry(6, 8, 9, 2).items():
        assert geometry[key] == value, key
    assert geometry["x_ticks"] == list(range(9))  # 16 px cells: every column labelled
    assert geometry["labels"] == [str(i) for i in range(6)]
    # The controller names the new canvas, with the new stack, after the new canvas is
    # open and before the old one closes.
    events = capture.events
    naming = [e for e in capture.sends_to(controller) if "canvas" in e.data["state"]]
    assert len(naming) == 1
    (update,) = naming
    assert update.data["state"]["canvas"] == f"IPY_MODEL_{canvas.model_id}"
    maps, _ = decode(update, "data")
    np.testing.assert_array_equal(maps, new.astype(np.float32))
    old_closed = [i for i, e in enumerate(events) if e.kind == "close" and e.comm is old_comm]
    assert len(old_closed) == 1
    assert events.index(opened) < events.index(update) < old_closed[0]
    page = Page(recorder.events).shown(grid)
    assert page.geometry["count"] == 6
    assert page.limits == (float(new.min()), float(new.max()))
    np.testing.assert_array_equal(page.data, new.astype(np.float32))


def test_switching_renderer_swaps_the_drawing_widgets(sample, recorder):
    grid = DigitHeatmapGrid(sample)
    try:
        controller = controller_of(grid)
        assert grid.active_renderer == "svg" and controller.canvas is None
        assert len(controller.marks) == 10
        marks = list(controller.marks)
        grid.renderer = "canvas"
        assert grid.active_renderer == "canvas"
        assert controller.marks == [] and all(m.comm is None for m in marks)
        canvas = canvas_of(grid)
        assert canvas.geometry == grid.figure.page_layout()
        np.testing.assert_allclose(Page(recorder.events).shown(grid).data, sample, rtol=2.0**-23)
        grid.renderer = "svg"
        assert grid.active_renderer == "svg"
        assert controller.canvas is None and canvas.comm is None
        assert len(controller.marks) == 10
    finally:
        grid.close()


def test_refused_changes_send_nothing_to_the_canvas(grid, recorder):
    canvas = canvas_of(grid)
    before = canvas.get_state()
    for name, value in [("columns", 0), ("cell_size", 0), ("highlighted", [4]),
                        ("selected", (1, 2)), ("nan_color", "url(x)"), ("colormap", ["#000000"])]:
        with recorder.capture() as capture, pytest.raises(TraitError, match=f"DigitHeatmapGrid.{name}"):
            setattr(grid, name, value)
        assert capture.events == [], name
    assert canvas_of(grid) is canvas and canvas.get_state() == before


# ------------------------------------------------------------------------- clicks


def test_cell_and_title_clicks_reach_python(grid, recorder):
    cells = []
    grid.on_cell_click(lambda *args: cells.append(args))
    page_sends(grid, {"event": "selected", "value": [2, 1, 4]})
    assert grid.selected == (2, 1, 4)
    assert cells == [(2, 1, 4, tensor()[2, 1, 4])]
    # A title click in the page toggles the highlight there; Python gets the result.
    page_sends(grid, {"event": "highlighted", "value": [3]})
    assert grid.highlighted == [3]
    page = Page(recorder.events).shown(grid)
    assert page.selected == [2, 1, 4] and page.highlighted == [3]
    # A click on the NaN cell reports NaN.
    page_sends(grid, {"event": "selected", "value": [1, 2, 3]})
    assert cells[-1][:3] == (1, 2, 3) and np.isnan(cells[-1][3])


def test_callbacks_can_be_removed(grid):
    cells = []
    def callback(*args):
        cells.append(args)

    grid.on_cell_click(callback)
    grid.on_cell_click(callback, remove=True)
    page_sends(grid, {"event": "selected", "value": [0, 0, 0]})
    assert cells == []
    assert grid.selected == (0, 0, 0)  # the selection itself still happens


@pytest.mark.parametrize(("content", "answer"), [
    # Refused by the grid: Python tells the page what stands, so the page undoes it.
    ({"event": "selected", "value": [4, 0, 0]}, {"selected": []}),  # no panel 4
    ({"event": "selected", "value": [0, 3, 0]}, {"selected": []}),  # no row 3
    ({"event": "highlighted", "value": [-1]}, {"highlighted": []}),
    ({"event": "highlighted", "value": [0, 0]}, {"highlighted": []}),  # repeated
    # Not the contract: ignored, nothing sent.
    ({"event": "selected", "value": [0, 0, "1"]}, None),
    ({"event": "selected", "value": [True, 0, 0]}, None),
    ({"event": "selected", "value": "0,0,0"}, None),
    ({"event": "cell_click", "digit": 0, "row": 0, "col": 0}, None),  # the canvas's own
    ({"event": "something else"}, None),
    ("selected", None),
])
def test_malformed_page_messages_change_nothing(grid, recorder, content, answer):
    seen = []
    grid.on_cell_click(lambda *args: seen.append(args))
    with recorder.capture() as capture:
        page_sends(grid, content)
    assert seen == []
    assert grid.selected is None and grid.highlighted == []
    if answer is None:
        assert capture.events == []
    else:
        event = only_to_controller(capture, grid)
        assert event.data["state"] == answer


def test_callbacks_must_be_callable(grid):
    with pytest.raises(TypeError, match="on_cell_click expected a callable"):
        grid.on_cell_click("not a function")  # type: ignore[arg-type]
