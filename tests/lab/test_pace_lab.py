"""Python's updates that reach the page within one frame are each painted, in order, in
frames of their own, and the last is painted at most two frames after it came
(js/src/page/pace.js). Read from the screen: the fill of a watched cell after each frame.

To make updates arrive together, the page's main thread is held (a busy loop) while the
kernel runs one cell per update; each cell's end sends its update (live/view.py flushes
at ``post_execute``). The loop ends when the last cell has written a file the page polls
for, so the messages wait in the browser and are handled one after another."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import open_grid
from .pagestate import expected_rgb, parse_rgb

RGB_TOLERANCE = 6
#: How many times the updates are sent again if they did not reach the page in one frame.
ATTEMPTS = 4

#: Per frame, the watched cell's fill once the frame is painted, and the frame each
#: update message came in (counted from the first frame watched).
JS_HOLD_AND_WATCH = """async ([codes, marker, sel]) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const cell = document.querySelector(sel + ' rect.heatmapcell');
    const painted = [], arrivals = [];
    let frames = 0, watching = true;
    const onMessage = (_, args) => {
        const data = args.msg.content && args.msg.content.data;
        const state = data && data.state;
        if (args.direction === 'recv' && state && ('patch' in state || 'data' in state)) {
            arrivals.push(frames);
        }
    };
    // Read after the frame's paint: a task queued by the frame's own callback.
    const tick = () => {
        const f = ++frames;
        setTimeout(() => painted.push([f, getComputedStyle(cell).fill]), 0);
        if (watching) requestAnimationFrame(tick);
    };
    kernel.anyMessage.connect(onMessage);
    requestAnimationFrame(tick);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const token = JSON.parse(document.getElementById('jupyter-config-data').textContent).token;
    // The notebook's folder, listed (a missing file would log a 404 in the console).
    const url = '/api/contents?content=1' + (token ? `&token=${token}` : '');
    const futures = codes.map((code) => kernel.requestExecute({code, store_history: false}));
    // Hold the page (no frame, no message handled) until the kernel has run every cell.
    const started = performance.now();
    let ran = false;
    while (!ran && performance.now() - started < 60000) {
        const request = new XMLHttpRequest();
        request.open('GET', url, false);
        request.send();
        ran = request.status === 200
            && JSON.parse(request.responseText).content.some((entry) => entry.name === marker);
    }
    await Promise.all(futures.map((future) => future.done));
    const until = frames + 8;
    await new Promise((resolve) => {
        const wait = () => (frames >= until ? resolve() : requestAnimationFrame(wait));
        requestAnimationFrame(wait);
    });
    watching = false;
    kernel.anyMessage.disconnect(onMessage);
    await new Promise((resolve) => setTimeout(resolve, 0));
    return {ran, painted, arrivals};
}"""


def _which(fill: str, values: list[float]) -> float | None:
    """The value among ``values`` whose colour ``fill`` is, if any."""
    rgb = np.asarray(parse_rgb(fill), dtype=float)
    for value in values:
        if np.abs(rgb - expected_rgb(value)).max() <= RGB_TOLERANCE:
            return value
    return None


def _send_together(lab, values: list[float], marker: str) -> dict:
    """Send one update per value, until they reach the page in one frame."""
    codes = [f"g.data = np.full(g.data.shape, {v})" for v in values]
    codes.append(f"open({marker!r}, 'w').write('ran')")
    for _ in range(ATTEMPTS):
        lab.execute(f"import os\nos.path.exists({marker!r}) and os.remove({marker!r})")
        watched = lab.page.evaluate(JS_HOLD_AND_WATCH, [codes, marker, lab.selector])
        assert watched["ran"], "the kernel did not run the cells within 60 s"
        arrivals = watched["arrivals"]
        if len(arrivals) == len(values) and len(set(arrivals)) == 1:
            return watched
        lab.execute(f"g.data = np.full(g.data.shape, {0.05})")  # start again from another colour
    pytest.fail(f"the updates never reached the page in one frame: last arrivals {arrivals}")


def _shown(watched: dict, values: list[float]) -> list[tuple[int, float | None]]:
    """(frame, value) each time the watched cell's painted colour changed."""
    changes: list[tuple[int, float | None]] = []
    for frame, fill in sorted(watched["painted"]):
        value = _which(fill, values)
        if not changes or changes[-1][1] != value:
            changes.append((frame, value))
    return changes


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    setup = ("import numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
             "g = DigitHeatmapGrid(vmin=0.0, vmax=1.0)")
    lab = open_grid(browser, lab_server, setup, "g")
    lab.execute("g.data = np.full(g.data.shape, 0.05)")
    yield lab
    lab.page.close()


def test_two_updates_in_one_frame_are_each_painted_in_order(lab):
    values = [0.35, 0.7]
    watched = _send_together(lab, values, "pace-two")
    shown = [value for _, value in _shown(watched, [0.05, *values])]
    assert shown[-2:] == values, (
        f"painted {shown}: each update should have had a frame of its own, in order")
    assert lab.console_errors == []


def test_the_last_of_several_updates_in_one_frame_is_painted_within_two_frames(lab):
    values = [0.2, 0.4, 0.6, 0.8]
    watched = _send_together(lab, values, "pace-four")
    came = watched["arrivals"][-1]
    changes = _shown(watched, [0.05, *values])
    assert changes[-1][1] == values[-1], f"the page did not end on the last update: {changes}"
    last_frame = changes[-1][0]
    # Arrived before frame came + 1: painted by frame came + 2.
    assert last_frame <= came + 2, (
        f"the last update came before frame {came + 1} and was painted in frame {last_frame}")
    order = [v for _, v in changes if v is not None and v != 0.05]
    assert order == sorted(order), f"painted out of order: {changes}"
    assert lab.console_errors == []
