"""The page's rules agree with Python's, by golden cases.

``digitheat_widget._golden`` asks Python's own functions (number formats, value text,
tick labels, automatic limits, per-frame and per-view limits, the summary, panel origins,
hit tests, colorbar size) and writes their inputs and answers to ``js/test/golden.json``;
the node tests in ``js/test/`` import the page's modules (``js/src/page/``) and reproduce
every case. Here: the committed file is what Python answers today (a rule changed in
Python without regenerating fails), and the node tests and the type check pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from digitheat_widget import _golden

JS = Path(__file__).resolve().parents[2] / "js"


def test_committed_golden_cases_are_what_python_answers() -> None:
    committed = _golden.GOLDEN.read_text(encoding="utf-8")
    fresh = _golden.text()
    assert committed == fresh, (
        "js/test/golden.json differs from what Python's rules give now: regenerate it with "
        "`python -m digitheat_widget._golden`, then make the page (js/src/page/) follow")
    assert json.loads(fresh)["total"] >= 200


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed for the page's tests, and CI is set")
        pytest.skip("node/npm are not installed: the page's node tests and type check cannot run")
    if not (JS / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("js/node_modules is missing: run `npm --prefix js ci`")
        pytest.skip("js/node_modules is missing: run `npm --prefix js ci`")
    return subprocess.run(["npm", "--prefix", str(JS), *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_page_modules_reproduce_every_golden_case() -> None:
    result = _npm("test")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_page_modules_type_check() -> None:
    result = _npm("run", "check")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
