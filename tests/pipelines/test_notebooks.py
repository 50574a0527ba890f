"""The notebooks the project ships run from start to end in a real kernel (nbclient)."""

from __future__ import annotations

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
