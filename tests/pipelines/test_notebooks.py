"""The notebooks the project ships run from start to end in a real kernel (nbclient)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb")) if NOTEBOOK_DIR.is_dir() else []


@pytest.mark.parametrize(
    "path", NOTEBOOKS or [None], ids=[p.name for p in NOTEBOOKS] or ["no notebooks"]
)
def test_notebook_runs_without_errors(path):
    if path is None:
        pytest.fail(f"no notebook found in {NOTEBOOK_DIR}: the project promises notebooks")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    assert any(cell.cell_type == "code" for cell in notebook.cells), f"{path.name} has no code"
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell raised\n{err}")
    errors = [
        output for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "error"
    ]
    assert errors == [], f"{path.name}: {errors}"


def _controller_state(notebook) -> dict:
    """The saved widget state of the one grid's controller (nbclient saves what the
    kernel's messages left each model holding)."""
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (controller,) = [m["state"] for m in states.values() if "frame_limits" in m["state"]]
    return controller


def test_changes_made_just_before_a_cell_ends_are_saved(tmp_path):
    """Issue 24: changes closer than 1/60 s to the previous send were merged into a send
    after the cell had ended, so ``nbconvert --execute`` saved the grid without them."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from digitheat_widget import DigitHeatmapGrid\n"
        "g = DigitHeatmapGrid()\ng.highlighted = [3, 8]\ng.vmax = 0.005\ng")])
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    saved = _controller_state(notebook)
    assert saved["highlighted"] == [3, 8]
    assert saved["limits"]["vmax"] == 0.005


def test_a_cells_patches_are_saved_whole(tmp_path):
    """Issue 24: a notebook saved from the kernel's messages held the first stack and the
    last patch alone, so its page showed maps from before the cell's other updates. When
    the cell ends, Python sends every map changed since the stack as one patch, based on
    it: the saved stack with that patch is the grid's data."""
    import base64

    import nbformat
    import numpy as np
    from nbclient import NotebookClient

    from digitheat_widget.live.codec import decode

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import time\nimport numpy as np\nfrom digitheat_widget import DigitHeatmapGrid\n"
        "g = DigitHeatmapGrid(np.zeros((4, 3, 3)), vmin=0, vmax=10)\ng"), nbformat.v4.new_code_cell(
        "for d in range(4):\n    g[d] = np.full((3, 3), d + 1.0)\n    time.sleep(0.05)  # apart: sent one by one\n"
        "np.save('shown.npy', g.data)")])
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (model,) = [m for m in states.values() if "frame_limits" in m["state"]]
    # nbclient writes binary buffers apart from the state, base64, with their paths.
    buffers = {tuple(b["path"]): base64.b64decode(b["data"]) for b in model["buffers"]}
    saved, patch = model["state"]["data"], model["state"]["patch"]
    assert patch["base"] == saved["seq"] and patch["indices"] == [0, 1, 2, 3]
    held = decode({**saved, "buffer": buffers[("data", "buffer")]}).copy()
    held[patch["indices"]] = decode({**patch, "buffer": buffers[("patch", "buffer")]})
    np.testing.assert_array_equal(held, np.load(tmp_path / "shown.npy"))


def test_a_cells_recorded_frames_are_saved_whole(tmp_path):
    """Issue 24: ``nbconvert --to notebook --execute`` saved the frames sent whole (the
    first recorded) and the last frames_patch: 1 of the loop's 5 frames. When the cell
    ends, frames patched since they were sent whole are sent whole again."""
    import base64

    import nbformat
    import numpy as np

    from digitheat_widget.live.codec import decode

    from notebook_pages import training_notebook

    path = tmp_path / "training.ipynb"
    nbformat.write(training_notebook(), path)
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                             "--ExecutePreprocessor.timeout=120",  # not forever: see convert()
                             "--execute", "--inplace", str(path)], capture_output=True, text=True,
                            timeout=400, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    notebook = nbformat.read(path, as_version=4)
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (model,) = [m for m in states.values() if "frame_limits" in m["state"]]
    buffers = {tuple(b["path"]): base64.b64decode(b["data"]) for b in model["buffers"]}
    saved = model["state"]["frames"]
    assert saved["labels"] == [f"epoch {e}" for e in range(5)]
    assert model["state"]["frame"] == 4
    held = decode({**saved, "buffer": buffers[("frames", "buffer")]})
    np.testing.assert_allclose(held, np.load(tmp_path / "frames.npy"), rtol=2.0**-24)
