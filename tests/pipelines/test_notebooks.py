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
