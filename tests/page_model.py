"""What the page holds: the widget models rebuilt from the recording comm's log.

A front end builds each model from the ``open`` message (full state, binary buffers put
back at their ``buffer_paths``) and then applies every ``update`` in order. Doing the same
here tells what the page *would* show without a browser, decoded independently of the
package: arrays come back from their bytes with the dtype and shape in the message.

The grid's own state lives in its controller (``Page.shown``): the drawing widgets (bqplot
panels, canvas) are set from it in the page by ``controller.js``, which this model does not
run, so what the page draws is read from the controller, not from the drawing widgets.

What the page sends back (a cell click, a title click) reaches Python as a custom message
to the controller: ``page_click`` and ``page_highlight`` send one, as the page would.

Used by most Python-side tests (test_matrix.py, test_properties.py, test_roundtrip.py,
test_concurrency.py, test_messages.py, test_traits.py, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _copy(value: Any) -> Any:
    """A copy of a JSON-like state (dicts and lists copied, leaves shared)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _as_bytes(buffer: Any) -> bytes:
    return memoryview(buffer).cast("B").tobytes() if not isinstance(buffer, bytes) else buffer


def with_buffers(state: dict, paths: list, buffers: list) -> dict:
    """``state`` with each buffer (as bytes) put back at its path, as a front end does."""
    state = _copy(state)
    for path, buffer in zip(paths or [], buffers or []):
        node = state
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _as_bytes(buffer)
    return state


class Page:
    """Every model the page would hold after the messages in ``events``, by comm id."""

    def __init__(self, events: list) -> None:
        self.models: dict[str, dict] = {}
        self.closed: set[str] = set()
        self.updates = 0
        for event in events:
            self.apply(event)

    def apply(self, event: Any) -> None:
        comm_id = getattr(event.comm, "comm_id", None)
        if event.kind == "open":
            data = event.data or {}
            self.models[comm_id] = with_buffers(
                data.get("state", {}), data.get("buffer_paths", []), event.buffers)
        elif event.kind == "send":
            data = event.data or {}
            if data.get("method") in ("update", "echo_update"):
                assert comm_id in self.models, "an update for a model the page never opened"
                assert comm_id not in self.closed, "an update for a closed model"
                change = with_buffers(
                    data.get("state", {}), data.get("buffer_paths", []), event.buffers)
                model = self.models[comm_id]
                before = model.get("frame")
                model.update(change)
                if "patch" in change and _is_controller(model):
                    self._apply_patch(model)
                if "frames_patch" in change and _is_controller(model):
                    self._apply_frames_patch(model)
                if ("frames" in change or change.get("frame", before) != before) and (
                        _is_controller(model)):
                    self._show_frame(model)
                self.updates += 1
        elif event.kind == "close":
            self.closed.add(comm_id)

    def _apply_patch(self, controller: dict) -> None:
        """What controller.js does with a patch: the changed maps go into its stack (kept
        here as the stack's encoded form, so ``shown`` reads one place)."""
        patch, stack = controller["patch"], controller["data"]
        if not patch:
            return
        assert patch["seq"] == stack["seq"] + 1, "a patch was skipped: the page would resync"
        assert patch["dtype"] == stack["dtype"], "a patch in another precision than the stack"
        dtype = np.dtype(patch["dtype"]).newbyteorder("<")
        maps = np.frombuffer(patch["buffer"], dtype=dtype).reshape(patch["shape"])
        assert maps.shape[0] == len(patch["indices"]), "one map per changed index"
        values = np.frombuffer(stack["buffer"], dtype=dtype).reshape(stack["shape"]).copy()
        values[patch["indices"]] = maps
        controller["data"] = {**stack, "buffer": values.tobytes(), "seq": patch["seq"]}

    def _apply_frames_patch(self, controller: dict) -> None:
        """What controller.js does with a frames patch: the frames recorded go after the
        ones held (less the ``drop`` oldest), or, with ``relabel``, every frame's labels
        are replaced."""
        patch, frames = controller["frames_patch"], controller["frames"]
        if not patch or not frames:
            return
        assert patch["seq"] == frames["seq"] + 1, "a frames patch was skipped: the page would resync"
        if patch.get("relabel"):
            assert "buffer" not in patch, "a relabel carries no maps"
            assert len(patch["labels"]) == frames["shape"][0], "one label per frame held"
            controller["frames"] = {**frames, "labels": list(patch["labels"]), "seq": patch["seq"]}
            return
        dtype = np.dtype(patch["dtype"]).newbyteorder("<")
        held = np.frombuffer(frames["buffer"], dtype=dtype).reshape(frames["shape"])
        added = np.frombuffer(patch["buffer"], dtype=dtype).reshape(patch["shape"])
        drop = patch.get("drop", 0)
        values = np.concatenate([held[drop:], added]) if len(held) else added
        controller["frames"] = {**frames, "buffer": values.tobytes(), "shape": list(values.shape),
                                "seq": patch["seq"],
                                "labels": [*frames.get("labels", [])[drop:], *patch["labels"]]}

    def _show_frame(self, controller: dict) -> None:
        """What controller.js does when Python names another frame, or sends the frames
        whole: the page shows the frame named from the frames it holds (no maps come); -1
        shows none and leaves the maps."""
        t, frames, stack = controller["frame"], controller["frames"], controller["data"]
        if t < 0 or not frames or not 0 <= t < frames["shape"][0]:
            return
        dtype = np.dtype(frames["dtype"]).newbyteorder("<")
        maps = np.frombuffer(frames["buffer"], dtype=dtype).reshape(frames["shape"])[t]
        if list(maps.shape) == list(stack["shape"]):
            values = maps.astype(np.dtype(stack["dtype"]).newbyteorder("<"))
            controller["data"] = {**stack, "buffer": values.tobytes()}

    def controller(self, grid: Any) -> dict:
        """The page's state of ``grid``'s controller (the one the grid shows)."""
        controllers = [self.models[ref[len("IPY_MODEL_"):]] for ref in
                       self.state(grid)["children"]
                       if _is_controller(self.models[ref[len("IPY_MODEL_"):]])]
        assert len(controllers) == 1, f"{len(controllers)} controllers among the grid's children"
        return controllers[0]

    def shown(self, grid: Any) -> Shown:
        """What the page draws for ``grid``: the controller's state, decoded."""
        c = self.controller(grid)
        stack = c["data"]
        values = np.frombuffer(stack["buffer"], dtype=np.dtype(stack["dtype"]).newbyteorder("<"))
        return Shown(
            data=values.reshape(stack["shape"]), dtype=stack["dtype"],
            limits=(c["limits"]["low"], c["limits"]["high"]), vmin=c["limits"]["vmin"],
            vmax=c["limits"]["vmax"], tick_format=c["limits"]["tick_format"],
            value_format=_hover_format(c["limits"]["tick_format"]), colormap=c["colormap"]["name"],
            stops=list(c["colormap"]["stops"]), highlighted=list(c["highlighted"]),
            selected=list(c["selected"]), nan_color=c["nan_color"], geometry=c["geometry"],
            labels=list(c["geometry"]["labels"]),
            auto_limits=tuple(c["auto_limits"]) if c.get("auto_limits") else None,
            frame=None if c.get("frame", -1) < 0 else c["frame"],
            frame_labels=list((c.get("frames") or {}).get("labels") or []),
        )

    def refs(self, grid: Any, name: str) -> list[dict]:
        """The page's states of the models the controller names in its trait ``name``
        (``marks``, ``figures``, ``titles``, ``tooltips``; or one model, e.g. ``canvas``,
        as a list of zero or one)."""
        value = self.controller(grid)[name]
        refs = value if isinstance(value, list) else [] if value is None else [value]
        return [self.models[ref[len("IPY_MODEL_"):]] for ref in refs]

    def reachable(self, widget: Any) -> dict[str, dict]:
        """Every model the page reaches from ``widget`` through model references, by id."""
        seen: dict[str, dict] = {}
        todo = [widget.comm.comm_id]
        while todo:
            model = todo.pop()
            if model in seen or model not in self.models:
                continue
            seen[model] = self.models[model]
            todo.extend(json_refs(self.models[model]))
        return seen

    def state(self, widget: Any) -> dict:
        """The page's state of ``widget`` (found by its comm id)."""
        return self.models[widget.comm.comm_id]

    def array(self, widget: Any, name: str) -> np.ndarray:
        return decode_array(self.state(widget)[name])


def json_refs(value: Any) -> set[str]:
    """Model ids referenced anywhere in a page state (``"IPY_MODEL_<id>"``)."""
    found: set[str] = set()
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        found.add(value[len("IPY_MODEL_"):])
    elif isinstance(value, dict):
        for item in value.values():
            found |= json_refs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= json_refs(item)
    return found


def _hover_format(tick_format: str) -> str:
    """What controller.js makes of the colorbar's format for hover values: one decimal
    (or mantissa digit) more, no thousands separator."""
    kind, digits = tick_format[-1], int(tick_format.replace(",", "")[1:-1])
    return f".{digits + 1}{kind}"


def _is_controller(state: dict) -> bool:
    """Whether a model is a grid's GridController (the anywidget that holds what is shown)."""
    return state.get("_anywidget_id", "").endswith("GridController")


def is_canvas(state: dict) -> bool:
    """Whether a model is a grid's canvas renderer (CanvasGrid)."""
    return state.get("_anywidget_id", "").endswith("CanvasGrid")


def tensor_messages(events: list, controller: Any) -> list[tuple[int, str, list[int], np.ndarray]]:
    """Every tensor the page got for ``controller`` (the Python widget), in order:
    ``(position in events, "data" | "patch", map indices, maps)``, decoded from the
    message's bytes with the dtype and shape it names (the whole stack: indices 0..N-1)."""
    comm_id, out = controller.comm.comm_id, []
    for position, event in enumerate(events):
        if event.kind not in ("open", "send") or getattr(event.comm, "comm_id", None) != comm_id:
            continue
        data = event.data or {}
        if event.kind == "send" and data.get("method") != "update":
            continue
        state = with_buffers(data.get("state", {}), data.get("buffer_paths", []), event.buffers)
        for kind in ("data", "patch"):
            encoded = state.get(kind)
            if not encoded:
                continue
            dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
            maps = np.frombuffer(encoded["buffer"], dtype=dtype).reshape(encoded["shape"])
            indices = list(encoded["indices"]) if kind == "patch" else list(range(maps.shape[0]))
            out.append((position, kind, indices, maps))
    return out


# ---------------------------------------------------------------------- what the page sends


def saved_state(events: list, widget: Any) -> dict:
    """The state a notebook saved from the kernel's messages holds for ``widget`` (nbclient,
    as ``nbconvert --execute`` and myst-nb use it): its open state with each update's keys
    put over it, the last value of each key alone (no patch applied, unlike :class:`Page`)."""
    comm, state = widget.comm, {}
    for event in events:
        if event.comm is comm and event.kind == "open":
            state = with_buffers(event.data.get("state", {}), event.data.get("buffer_paths", []),
                                 event.buffers)
        elif event.comm is comm and event.kind == "send" and (event.data or {}).get("method") == "update":
            state.update(with_buffers(event.data.get("state", {}),
                                      event.data.get("buffer_paths", []), event.buffers))
    return state


def controller_of(grid: Any) -> Any:
    """The grid's GridController (Python side): the one among ``grid.children``."""
    found = [w for w in grid.children if type(w).__name__ == "GridController"]
    assert len(found) == 1, f"{len(found)} controllers among the grid's children"
    return found[0]


def page_sends(grid: Any, content: dict) -> None:
    """The page sends ``content`` to the grid's controller (a custom message)."""
    controller = controller_of(grid)
    controller._handle_message(controller, content, [])


def _made_on(made_on: tuple[int, ...] | None) -> dict:
    """The ``offset``, ``count`` (and ``stack``) a page adds to a click (state.js
    clickEvent)."""
    if made_on is None:
        return {}
    return dict(zip(("offset", "count", "stack"), made_on))


def made_on_shown(page: Page, grid: Any) -> tuple[int, int, int]:
    """What a click made now on the page adds (state.js clickEvent, node-tested): the
    stack and page its controller holds, and how many panels its maps have."""
    controller = page.controller(grid)
    paging = controller["paging"]
    return paging.get("offset", 0), controller["data"]["shape"][0], paging.get("stack")


def page_click(grid: Any, digit: int, row: int, col: int,
               made_on: tuple[int, ...] | None = None) -> None:
    """A person clicks cell (digit, row, col) in the page; ``made_on``: the (offset,
    count[, stack]) of the page it was made on, as the page sends it (None: not sent;
    :func:`made_on_shown` gives what the page holds)."""
    page_sends(grid, {"event": "selected", "value": [digit, row, col], **_made_on(made_on)})


def page_highlight(grid: Any, indices: list[int],
                   made_on: tuple[int, ...] | None = None) -> None:
    """A person's title clicks in the page leave ``indices`` highlighted (``made_on`` as
    for :func:`page_click`)."""
    page_sends(grid, {"event": "highlighted", "value": list(indices), **_made_on(made_on)})


@dataclass(frozen=True)
class Shown:
    """What a page draws for a grid, read from its controller's state."""

    data: np.ndarray
    dtype: str
    limits: tuple[float, float]
    vmin: float | None
    vmax: float | None
    tick_format: str
    value_format: str
    colormap: str | None
    stops: list[str]
    highlighted: list[int]
    selected: list[int]
    nan_color: str
    geometry: dict
    labels: list[str]
    #: The limits with vmin = vmax = None (what the page's "auto limits" button restores).
    auto_limits: tuple[float, float] | None = None
    #: The frame shown (None: none, the data is not one of them) and every frame's label.
    frame: int | None = None
    frame_labels: list[str] = field(default_factory=list)


def decode_array(spec: Any) -> np.ndarray:
    """A bqplot/ipywidgets binary array ({'value': bytes, 'dtype', 'shape'}) as numpy."""
    assert isinstance(spec, dict) and {"value", "dtype", "shape"} <= set(spec), spec
    return np.frombuffer(spec["value"], dtype=np.dtype(spec["dtype"])).reshape(spec["shape"])


def comparable(value: Any) -> Any:
    """A form of a state where Python's memoryviews and the page's bytes compare equal,
    tuples equal lists and NaN equals NaN."""
    if isinstance(value, (memoryview, bytes, bytearray)):
        return ("bytes", _as_bytes(value))
    if isinstance(value, np.ndarray):
        return ("bytes", np.ascontiguousarray(value).tobytes())
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [comparable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def python_state(widget: Any) -> dict:
    """``widget.get_state()`` as ipywidgets would send it (buffers as bytes)."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers(widget.get_state())
    return with_buffers(state, paths, buffers)


def mismatches(page: Page, widgets: list) -> list[str]:
    """Widgets whose page state differs from their Python state (names and keys)."""
    wrong = []
    for widget in widgets:
        if widget.comm is None:
            wrong.append(f"{type(widget).__name__} is closed")
            continue
        if widget.comm.comm_id not in page.models:
            wrong.append(f"{type(widget).__name__} was never opened on the page")
            continue
        ours, theirs = comparable(python_state(widget)), comparable(page.state(widget))
        keys = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
        if keys:
            wrong.append(f"{type(widget).__name__}: {keys}")
    return wrong
