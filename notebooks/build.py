"""Build the shipped notebooks from their sources.

Each ``notebooks/NN_name.py`` (jupytext's percent format: the source, the file to edit)
is executed top to bottom in a fresh Jupyter kernel and saved beside it as
``NN_name.ipynb`` with its outputs, so that GitHub, nbviewer and a Jupyter opened
without jupytext show the lesson with its graphs and figures.

    python notebooks/build.py            # every notebook
    python notebooks/build.py 01 04      # the ones whose names start with 01 or 04

Needs the test extra (jupytext, nbclient, ipykernel). Edit the .py file, never the
.ipynb: tests/notebooks checks that the two agree cell for cell.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parent
ROOT = NOTEBOOKS.parent
CELL_TIMEOUT_S = 300


class KernelUnavailable(RuntimeError):
    """No Jupyter kernel could be started here (no kernelspec, no ipykernel, sockets refused)."""


def sources() -> list[Path]:
    """The notebook sources: ``notebooks/NN_name.py``, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def read(source: Path) -> Any:
    """The notebook a source describes, without outputs."""
    import jupytext

    return jupytext.read(source)


def execute(notebook: Any, folder: str | Path) -> Any:
    """Run every cell of ``notebook`` in a fresh kernel working in ``folder`` (files the
    lesson writes go there), importing this checkout; returns it with its outputs.
    A failing cell raises nbclient's ``CellExecutionError`` with that cell's traceback."""
    import nbclient

    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    client.km = client.create_kernel_manager()
    try:
        client.start_new_kernel(env={**os.environ, "PYTHONPATH": path})
        client.start_new_kernel_client()
    except Exception as error:
        client._cleanup_kernel()
        raise KernelUnavailable(f"{type(error).__name__}: {error}") from error
    return client.execute()


def tidy(notebook: Any) -> Any:
    """Keep what a reader needs: outputs, the kernel's name and language; drop widget
    state (big, and useless without a kernel) and jupytext's pairing information."""
    for key in ("widgets", "jupytext"):
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def build(source: Path) -> Path:
    """Execute ``source`` and write ``NN_name.ipynb`` beside it; returns that path."""
    import nbformat

    with tempfile.TemporaryDirectory(prefix=f"{source.stem}-") as folder:
        notebook = tidy(execute(read(source), folder))
    target = source.with_suffix(".ipynb")
    nbformat.write(notebook, target)
    return target


def main(argv: list[str]) -> int:
    chosen = [source for source in sources() if not argv or any(source.name.startswith(name) for name in argv)]
    if not chosen:
        print(f"no notebook source matches {' '.join(argv)} in {NOTEBOOKS}", file=sys.stderr)
        return 1
    for source in chosen:
        target = build(source)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
