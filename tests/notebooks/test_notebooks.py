"""The notebooks: each source ``notebooks/NN_name.py`` runs end to end in a fresh Jupyter
kernel (its last cell holds the checks), every cell that draws shows a picture, and the
shipped ``.ipynb`` (built by ``notebooks/build.py``) has the same cells as its source and
shows its pictures without a kernel."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="jupytext is needed to read the notebooks")
pytest.importorskip("nbclient", reason="nbclient is needed to execute the notebooks")

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("notebook_build", ROOT / "notebooks" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SOURCES = build.sources()
# a cell that calls one of these, or whose result is one of these objects, must show a picture
FIGURE_CALLS = ("plt.show()", "draw_graph(", ".draw(")
FIGURE_RESULTS = re.compile(r"Figure|ComputationGraph|Digraph|BackwardSteps")
MAX_NOTEBOOK_BYTES = 1_500_000


def figure_cells(notebook) -> list:
    """The code cells that draw: a pyplot figure, a graph or the stepper page."""
    def draws(cell) -> bool:
        results = "".join("".join(output.get("data", {}).get("text/plain", "")) for output in cell.get("outputs", []))
        return any(call in cell.source for call in FIGURE_CALLS) or bool(FIGURE_RESULTS.search(results))

    return [cell for cell in notebook.cells if cell.cell_type == "code" and draws(cell)]


def shows_a_picture(cell) -> bool:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            return True
        if "data:image/svg+xml;base64," in "".join(data.get("text/html", "")):
            return True
    return False


def test_the_notebooks_are_found():
    assert [path.stem for path in SOURCES][:4] == [
        "01_backprop_by_hand", "02_tensors_and_graphs", "03_cnn", "04_rnn",
    ]


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_the_shipped_notebook_has_the_cells_of_its_source(source: Path) -> None:
    shipped = source.with_suffix(".ipynb")
    assert shipped.exists(), f"{shipped.name} is missing: run python notebooks/build.py {source.stem[:2]}"
    expected = [(cell.cell_type, cell.source) for cell in build.read(source).cells]
    found = [(cell["cell_type"], "".join(cell["source"])) for cell in json.loads(shipped.read_text())["cells"]]
    assert found == expected, (
        f"{shipped.name} does not match {source.name}: edit the .py and run python notebooks/build.py {source.stem[:2]}"
    )


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_the_shipped_notebook_shows_its_pictures_without_a_kernel(source: Path) -> None:
    shipped = source.with_suffix(".ipynb")
    if not shipped.exists():
        pytest.skip(f"{shipped.name} is missing (the test above says so)")
    import nbformat

    notebook = nbformat.read(shipped, as_version=4)
    assert shipped.stat().st_size < MAX_NOTEBOOK_BYTES, "a notebook this big: cap the stepper's steps, shrink figures"
    assert "widgets" not in notebook.metadata  # widget state is dropped by the build
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    assert all(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")  # all ran
    missing = [cell.source.splitlines()[-1] for cell in figure_cells(notebook) if not shows_a_picture(cell)]
    assert not missing, f"cells that draw but show no picture: {missing}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.stem)
def test_notebook_runs_end_to_end_and_every_figure_cell_shows_a_picture(source: Path, tmp_path: Path) -> None:
    try:
        notebook = build.execute(build.read(source), tmp_path)  # a failing cell raises with its traceback
    except build.KernelUnavailable as error:
        pytest.skip(f"a Jupyter kernel could not be started: {error}")
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    cells = figure_cells(notebook)
    assert cells, "no cell that draws was found: FIGURE_CALLS is out of date"
    missing = [cell.source.splitlines()[-1] for cell in cells if not shows_a_picture(cell)]
    assert not missing, f"cells that draw but show no picture: {missing}"
    assert notebook.cells[-1].source.startswith("assert") or "## Checks" in notebook.cells[-2].source
