"""The wheel a fresh machine would build: hatchling runs the JS build (npm, esbuild), the
wheel carries the runtime, and a clean venv with only that wheel (and its dependencies
from PyPI) exports an offline page within the size budget.

Runs scripts/check_wheel.sh from a clean clone of HEAD (FRESH=1): no node_modules and no
built files, as on a new machine. Uncommitted changes are not in that clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUDGET = 1_500_000  # the page budget for the default grid, in bytes


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout (clones HEAD)")
def test_wheel_from_a_clean_clone_builds_installs_and_exports():
    if shutil.which("npm") is None and os.environ.get("CI") != "true":
        pytest.skip("npm is not installed (the wheel build runs the JS build)")
    run = subprocess.run(["bash", "scripts/check_wheel.sh"], cwd=REPO, capture_output=True,
                         text=True, timeout=900, env={**os.environ, "FRESH": "1"})
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert "(npm build ran)" in out  # the runtime was built by the wheel build itself
    size = re.search(r"grid\.html: ([\d,]+) bytes", out)
    assert size, out[-3000:]
    assert 0 < int(size.group(1).replace(",", "")) <= BUDGET
