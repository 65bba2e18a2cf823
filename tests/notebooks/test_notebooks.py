"""Every notebook in notebooks/ (jupytext percent-format .py files) runs end to end in a
fresh Jupyter kernel. The notebooks assert their own key numbers, so a drift fails here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="jupytext is needed to read the notebooks")
nbclient = pytest.importorskip("nbclient", reason="nbclient is needed to execute the notebooks")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
CELL_TIMEOUT_S = 120


def test_the_notebooks_are_found():
    assert [path.stem for path in NOTEBOOKS][:2] == ["01_backprop_by_hand", "02_tensors_and_graphs"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_end_to_end(path: Path, tmp_path: Path) -> None:
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    # the kernel runs in a temporary folder: make sure it imports this checkout
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    client.km = client.create_kernel_manager()
    try:
        client.start_new_kernel(env=env)
        client.start_new_kernel_client()
    except Exception as error:  # no kernelspec, no ipykernel, sockets refused, ...
        client._cleanup_kernel()
        pytest.skip(f"a Jupyter kernel could not be started: {type(error).__name__}: {error}")
    client.execute()  # raises CellExecutionError (with the cell's traceback) if any cell fails
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
