"""The page's twins of Python's number formats, checked in Chromium.

The page formats the colorbar and hover values itself when a person changes the limits
in the page (an exported page has no kernel to ask); ``js/src/page/format.js``'s
``tickFormat`` and ``valueFormat`` must say what ``digitheat_widget.figure.ticks`` says
for the same range. The node tests check them against the golden cases
(tests/unit/test_golden_cases.py); here the same module runs in the browser's engine. It
imports nothing, so it is imported from its own file into a blank page; no widget is
involved.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digitheat_widget.figure.ticks import tick_format, value_format

CONTROLLER = Path(__file__).resolve().parents[2] / "js" / "src" / "page" / "format.js"


@pytest.fixture(scope="module")
def controller_module(chromium_browser: Any) -> Iterator[Any]:
    """A blank page with format.js imported as ``window.controller``."""
    source = base64.b64encode(CONTROLLER.read_bytes()).decode("ascii")
    page = chromium_browser.new_page()
    page.goto("about:blank")
    page.evaluate("async (src) => { window.controller = await import("
                  "'data:text/javascript;base64,' + src); }", source)
    yield page
    page.close()


def ranges() -> list[tuple[float, float]]:
    """Ranges a person can reach: the sample's, tiny, huge, negative, offset, lopsided."""
    rng = np.random.default_rng(7)
    fixed = [(0.0, 0.0147), (0.0, 1.0), (-1.0, 1.0), (0.0, 0.005), (0.0, 0.0111),
             (0.007, 0.0111), (1e-9, 3e-9), (0.0, 2e6), (-5e7, 5e7), (1e6, 1e6 + 1),
             (299.99, 300.01), (0.0, 1e-300 * 3), (-3.5, -3.4), (0.0, 123456.0),
             (1e299, 1e300)]
    spans = 10.0 ** rng.uniform(-12, 12, 200)
    lows = rng.normal(0, 1, 200) * 10.0 ** rng.uniform(-6, 8, 200)
    return fixed + [(float(lo), float(lo + span)) for lo, span in zip(lows, spans)]


def test_tick_and_value_formats_match_python(controller_module: Any) -> None:
    cases = ranges()
    theirs = controller_module.evaluate(
        "(cases) => cases.map(([lo, hi]) => { const t = window.controller.tickFormat(lo, hi);"
        " return [t, window.controller.valueFormat(t)]; })", [list(c) for c in cases])
    ours = [[tick_format(lo, hi), value_format(tick_format(lo, hi))] for lo, hi in cases]
    differ = [(c, o, t) for c, o, t in zip(cases, ours, theirs) if o != t]
    assert not differ, f"{len(differ)} of {len(cases)} ranges differ, e.g. {differ[:3]}"
    # Not one format for everything: the cases reach both notations and many precisions.
    formats = {o[0] for o in ours}
    assert any(f.endswith("e") for f in formats) and len(formats) > 10
