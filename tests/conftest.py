"""Shared fixtures for the Python-side tests: a recording comm and widget-state snapshots.

The recording comm follows ipywidgets' own test helper (ipywidgets/widgets/tests/utils.py:
replace ``comm.create_comm`` with a factory of dummy comms that record ``send``), with
two changes: every comm gets its own id (ipywidgets' DummyComm shares 'a-b-c-d', which
would make ``ipywidgets.widgets.widget._instances`` useless for counting open widgets),
and every open, send and close goes into one ordered log, so a test can say "nothing at
all reached the page" as well as "this one widget got one message".

ipywidgets before 8.0.5 (the lowest versions pyproject.toml allows) open comms with
``ipykernel.comm.Comm``, imported into ``ipywidgets.widgets.widget``, and its ``Widget.comm``
trait accepts only instances of that class: there the recorder also replaces that name,
with a recording comm that is such an instance, so both ways of opening a comm are seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import comm
import numpy as np
import pytest
from ipywidgets import Widget
from ipywidgets.widgets import widget as widget_module

from digitheat_widget import DigitHeatmapGrid, sample_data

#: The public traits of DigitHeatmapGrid (the issue's, plus the selection and renderer).
GRID_TRAITS = (
    "data", "vmin", "vmax", "colormap", "highlighted", "labels", "columns", "nan_color",
    "cell_size", "selected", "renderer", "show_controls",
)


@dataclass
class Event:
    kind: str  # "open", "send" or "close"
    comm: RecordingComm
    data: Any = None
    buffers: list[Any] = field(default_factory=list)

    @property
    def json_size(self) -> int:
        """Bytes of the JSON part of the message, as the kernel would serialise it."""
        return len(json.dumps(self.data).encode())

    @property
    def buffer_bytes(self) -> int:
        return sum(memoryview(b).nbytes for b in self.buffers)


class RecordingComm:
    kernel = "Truthy"  # Widget._send only sends when the comm has a kernel

    def __init__(self, recorder: Recorder, **kwargs: Any) -> None:
        self.comm_id = kwargs.get("comm_id") or uuid4().hex
        self.recorder = recorder
        self.closed = False
        recorder.events.append(
            Event("open", self, kwargs.get("data"), list(kwargs.get("buffers") or []))
        )

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        self.callback = callback

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.recorder.events.append(Event("send", self, data, list(buffers or [])))

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.closed = True
        self.recorder.events.append(Event("close", self))


@dataclass
class Capture:
    events: list[Event] = field(default_factory=list)

    @property
    def sends(self) -> list[Event]:
        return [e for e in self.events if e.kind == "send"]

    @property
    def opens(self) -> list[Event]:
        return [e for e in self.events if e.kind == "open"]

    @property
    def closes(self) -> list[Event]:
        return [e for e in self.events if e.kind == "close"]

    def sends_to(self, widget: Widget) -> list[Event]:
        assert widget.comm is not None, f"{type(widget).__name__} is closed"
        return [e for e in self.sends if e.comm is widget.comm]


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def create_comm(self, **kwargs: Any) -> RecordingComm:
        return RecordingComm(self, **kwargs)

    @contextlib.contextmanager
    def capture(self) -> Iterator[Capture]:
        start = len(self.events)
        box = Capture()
        try:
            yield box
        finally:
            box.events = self.events[start:]


#: ipykernel's Comm where this ipywidgets opens comms with it (before 8.0.5), else None.
_KERNEL_COMM: Any = getattr(widget_module, "Comm", None)
_KernelRecordingComm: Any = (
    None if _KERNEL_COMM is None
    else type("KernelRecordingComm", (RecordingComm, _KERNEL_COMM), {"kernel": "Truthy"})
)


def open_widgets() -> dict[str, Widget]:
    """ipywidgets' registry of open widgets by model id: the module's ``_instances`` (8.0.3 on),
    ``Widget._active_widgets`` in 8.0.1 and 8.0.2, which pyproject.toml allows."""
    registry = getattr(widget_module, "_instances", None)
    return registry if registry is not None else Widget._active_widgets


@pytest.fixture(autouse=True)
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Every widget made in a test talks to a recording comm instead of a kernel."""
    rec = Recorder()
    monkeypatch.setattr(comm, "create_comm", rec.create_comm)
    if _KernelRecordingComm is not None:
        monkeypatch.setattr(
            widget_module, "Comm", lambda **kwargs: _KernelRecordingComm(rec, **kwargs))
    return rec


@pytest.fixture(autouse=True)
def plain_python_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that drives no browser runs as in plain Python, whatever ran before it.

    Playwright's sync API keeps its asyncio loop marked as running in this thread between
    calls (its loop lives in a parked greenlet): after the session's browser has started,
    ``asyncio.get_running_loop()`` finds that loop, and the grid's merged sends would wait
    on it for the next browser call. For the tests that use no browser, the loop is set
    aside for their duration, so the order the tiers run in (or pytest-xdist's) cannot
    change what they see."""
    if "chromium_browser" in request.fixturenames:
        yield
        return
    parked = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(parked)


@pytest.fixture
def sample() -> np.ndarray:
    """The bundled sample: 10 maps of 7 x 6 (a fresh, writable copy)."""
    data = sample_data()
    assert data.shape == (10, 7, 6)
    return data


@pytest.fixture(scope="module")
def sample_limits() -> tuple[float, float]:
    """The default grid's colour limits (the sample's range), as the grid reports them."""
    grid = DigitHeatmapGrid()
    try:
        return grid.limits
    finally:
        grid.close()


@pytest.fixture
def grid(sample: np.ndarray) -> Iterator[DigitHeatmapGrid]:
    widget = DigitHeatmapGrid(sample)
    yield widget
    widget.close()


# ---------------------------------------------------------------------- widget trees


def walk_widgets(root: Widget) -> list[Widget]:
    """Every widget reachable from ``root`` through synced traits (children, marks, axes,
    scales, layout, style, tooltip...), each once, in a deterministic order.

    Found independently of the package's own bookkeeping, so it also sees widgets the
    package forgot about (e.g. a figure's default scales).
    """
    found: dict[int, Widget] = {}

    def visit(value: Any) -> None:
        if isinstance(value, Widget):
            if id(value) in found:
                return
            found[id(value)] = value
            for key in value.keys:
                visit(getattr(value, key))
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(root)
    return list(found.values())


def normalise(value: Any) -> Any:
    """A comparable form of a widget state or trait value: arrays and buffers by value,
    NaN equal to NaN, tuples as lists."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (memoryview, bytes, bytearray)):
        view = memoryview(value)
        return ("buffer", view.format, view.shape, view.tobytes())
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def snapshot(grid: DigitHeatmapGrid) -> dict[str, Any]:
    """The grid's public trait values and the state of every widget it shows (found
    through synced traits alone: its controller, whose state is what the page draws, and
    the drawing widgets), by value."""
    return {
        "traits": {name: normalise(getattr(grid, name)) for name in GRID_TRAITS},
        "widgets": {
            w.model_id: (type(w).__name__, normalise(w.get_state()))
            for w in walk_widgets(grid)
        },
    }


_MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-zA-Z-]+)")
_UID = re.compile(r"\bdhg-[0-9a-f]{12}\b")


def structure(grid: DigitHeatmapGrid) -> list[tuple[str, Any]]:
    """Like :func:`snapshot`, but with model ids (references and the controller's bare
    ``own_id``) replaced by positions in the tree and the per-instance id masked (the CSS class ``grid.css_class``, ``dhg-<uid>``, and the bare
    uid the controller's geometry carries), so two separately built grids can be compared."""
    widgets = walk_widgets(grid)
    position = {w.model_id: index for index, w in enumerate(widgets)}
    css_class = grid.css_class
    assert _UID.fullmatch(css_class), css_class
    uid = css_class.removeprefix("dhg-")

    def strip(value: Any) -> Any:
        if isinstance(value, str):
            if value == uid:
                return "UID"
            if value in position:  # a bare model id (the controller's own_id)
                return f"#{position[value]}"
            value = _MODEL_REF.sub(lambda m: f"#{position.get(m.group(1), '?')}", value)
            return _UID.sub("dhg-UID", value)
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [(type(w).__name__, strip(normalise(w.get_state()))) for w in widgets]


@pytest.fixture
def take_snapshot():
    return snapshot


@pytest.fixture
def take_structure():
    return structure


@pytest.fixture
def widgets_of():
    return walk_widgets


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """The session's one headless Chromium (tests/chromium.py): exported pages open in it
    offline, and the JupyterLab tier takes a context of it."""
    import chromium

    with chromium.launch() as browser:
        yield browser


# ---------------------------------------------------------------------- tiers

#: The test tiers, one folder each, in the order they run (see README, "Development").
#: unit: no browser, no server, no kernel subprocess, no network; pages: exported pages in
#: offline Chromium; lab: JupyterLab, Notebook 7 and Voila servers; pipelines: notebook
#: execution, Sphinx / Jupyter Book, nbconvert, the wheel.
TIERS = ("unit", "pages", "lab", "pipelines")
_TESTS_DIR = Path(__file__).resolve().parent


def _tier_of(item: pytest.Item) -> str:
    relative = Path(str(item.path)).resolve().relative_to(_TESTS_DIR)
    tier = relative.parts[0] if len(relative.parts) > 1 else ""
    if tier not in TIERS:
        raise pytest.UsageError(f"{relative}: every test lives in one of tests/{{{','.join(TIERS)}}}/")
    return tier


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its folder's tier, and run the tiers in order: the unit tier
    first, before any Playwright has started (its sync API leaves an event loop in the
    thread, which changes how the grid merges sends), and the cheapest feedback first."""
    for item in items:
        item.add_marker(getattr(pytest.mark, _tier_of(item)))
    items.sort(key=lambda item: TIERS.index(_tier_of(item)))
