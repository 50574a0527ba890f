"""What the page holds: the widget models rebuilt from the recording comm's log.

A front end builds each model from the ``open`` message (full state, binary buffers put
back at their ``buffer_paths``) and then applies every ``update`` in order. Doing the same
here tells what the page *would* show without a browser, decoded independently of the
package: arrays come back from their bytes with the dtype and shape in the message.

Used by test_matrix.py, test_properties.py, test_roundtrip.py and test_concurrency.py.
"""

from __future__ import annotations

import math
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
                self.models[comm_id].update(change)
                if "frame" in change and _is_feed(self.models[comm_id]):
                    self._feed_marks(self.models[comm_id])
                self.updates += 1
        elif event.kind == "close":
            self.closed.add(comm_id)

    def _feed_marks(self, feed: dict) -> None:
        """What feed.js does with a new frame: each changed panel's slice becomes its
        mark's ``color`` (here in the form Python's state has: bytes, dtype, shape)."""
        frame = feed["frame"]
        if not frame:
            return
        count, rows, cols = frame["shape"]
        assert count == len(frame["changed"]), "one map of values per changed index"
        values = np.frombuffer(frame["values"], dtype=np.dtype(frame["dtype"]).newbyteorder("<"))
        assert values.size == count * rows * cols, "values do not match their shape"
        for position, index in enumerate(frame["changed"]):
            if index >= len(feed["marks"]):
                continue  # the page skips a map that no longer has a mark
            ref = feed["marks"][index]
            assert ref.startswith("IPY_MODEL_"), ref
            mark_id = ref[len("IPY_MODEL_"):]
            assert mark_id in self.models and mark_id not in self.closed, "feed to a lost mark"
            panel = values[position * rows * cols:(position + 1) * rows * cols]
            # bqplot's binary array form; "type" is for dates, None for numbers.
            self.models[mark_id]["color"] = {
                "value": panel.tobytes(), "dtype": frame["dtype"], "shape": [rows, cols],
                "type": None}

    def state(self, widget: Any) -> dict:
        """The page's state of ``widget`` (found by its comm id)."""
        return self.models[widget.comm.comm_id]

    def array(self, widget: Any, name: str) -> np.ndarray:
        return decode_array(self.state(widget)[name])


def _is_feed(state: dict) -> bool:
    """Whether a model is the grid's PanelFeed (an anywidget model with panel values)."""
    return state.get("_anywidget_id", "").endswith("PanelFeed") and "frame" in state


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
