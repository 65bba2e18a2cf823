"""Turning DOT text into pictures: find a renderer, or say exactly how to get one.

The renderer is, in order:
1. the system Graphviz ``dot`` on ``PATH`` (then everything ``graphviz.Digraph`` does works as usual);
2. the ``graphviz-pure`` program from the PyPI wheel of that name (a self-contained
   ``dot`` port, installed by ``pip install "autograd-core[viz]"``), looked up on ``PATH`` and
   beside the running Python (a Jupyter kernel's ``PATH`` may lack the environment's scripts);
3. none: the DOT text is still there (``graph.source``); rendering raises
   ``RendererNotFoundError`` and notebooks show the DOT text with a warning, both saying
   how to install a renderer.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import Any

import graphviz

SYSTEM_DOT = "dot"
WHEEL_DOT = "graphviz-pure"

HOW_TO_GET_A_RENDERER = (
    "Install one of: the graphviz-pure wheel, a self-contained dot (`pip install graphviz-pure`, "
    "or `pip install \"autograd-core[viz]\"`), or Graphviz itself (`apt-get install graphviz`, "
    "`brew install graphviz`, `conda install graphviz`, or https://graphviz.org/download/), "
    "then run the cell again; no restart is needed."
)


class RendererNotFoundError(graphviz.ExecutableNotFound):
    """No ``dot`` and no ``graphviz-pure`` program: the message says how to install one."""

    def __init__(self, action: str, source_path: str | None = None) -> None:
        written = f" The DOT text was written to {source_path}." if source_path else " The DOT text is in graph.source."
        RuntimeError.__init__(
            self,
            f"{action}: no Graphviz renderer found (no `{SYSTEM_DOT}` on PATH and no "
            f"`{WHEEL_DOT}` program).{written} {HOW_TO_GET_A_RENDERER}",
        )


# Fonts with Helvetica's metrics (the ones the layout used), then wider ones scaled to fit
FONT_FAMILIES = (
    "Helvetica, Arial, Arimo, 'Liberation Sans', 'Nimbus Sans', 'Nimbus Sans L', 'TeX Gyre Heros', FreeSans, "
    "'Fitted DejaVu Sans', 'Fitted Verdana', sans-serif"
)
# DejaVu Sans (and Bitstream Vera, and Verdana, of the same widths) set text about 15% wider
# than Helvetica (25% in bold): where they are the only sans, they are drawn that much
# smaller, with some room to spare, so that text stays inside boxes sized for Helvetica.
_FITTED = [  # (family, weight, local fonts, size-adjust)
    ("Fitted DejaVu Sans", "normal", ("DejaVu Sans", "Bitstream Vera Sans"), "85%"),
    ("Fitted DejaVu Sans", "bold", ("DejaVu Sans Bold", "Bitstream Vera Sans Bold"), "78%"),
    ("Fitted Verdana", "normal", ("Verdana",), "85%"),
    ("Fitted Verdana", "bold", ("Verdana Bold",), "78%"),
]
FITTED_FACES = "<style>\n{}\n</style>".format("\n".join(
    f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
    f"src: {', '.join(f'local({name!r})' for name in names)}; size-adjust: {adjust}; }}"
    for family, weight, names, adjust in _FITTED
))
_FONT_FAMILY = re.compile(r'font-family="Helvetica[^"]*"')
_SVG_START = re.compile(r"<svg\b[^>]*>")


def portable_svg(svg: str) -> str:
    """Graphviz SVG whose text fits its boxes in any browser: Helvetica's metric twins by
    name, then wider fonts scaled down (``FITTED_FACES``), then any sans-serif font."""
    if not _FONT_FAMILY.search(svg):
        return svg
    svg = _FONT_FAMILY.sub(f'font-family="{FONT_FAMILIES}"', svg)
    return _SVG_START.sub(lambda start: start.group(0) + "\n" + FITTED_FACES, svg, count=1)


def find_renderer() -> str | None:
    """The path of the program that will lay out graphs: system ``dot``, else ``graphviz-pure``, else None."""
    system = shutil.which(SYSTEM_DOT)
    if system is not None:
        return system
    for folder in _script_folders():
        found = shutil.which(WHEEL_DOT, path=folder)
        if found is not None:
            return found
    return None


def _script_folders() -> list[str | None]:
    """Where a wheel's programs may be: ``PATH`` (None), the environment's scripts folder, the interpreter's folder."""
    return [None, sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]


def _is_system_dot(program: str) -> bool:
    return Path(program).stem == SYSTEM_DOT


class ComputationGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with whichever renderer ``find_renderer`` finds.

    With the system ``dot`` it behaves exactly as ``graphviz.Digraph``. With
    ``graphviz-pure`` it supports what scripts and notebooks need: ``pipe(format=...)``,
    ``render(filename, format=...)`` / ``render(outfile="graph.png")`` and inline display.
    With neither, display falls back to the DOT text and rendering raises
    ``RendererNotFoundError`` naming the fix.
    """

    def pipe(
        self, format: str | None = None, *, engine: str | None = None, encoding: str | None = None, **options: Any
    ) -> Any:
        """The rendered graph as bytes (or text when ``encoding`` is given); SVG made portable (``portable_svg``)."""
        program = find_renderer()
        if program is None:
            raise RendererNotFoundError(f"rendering the graph as {format or self.format}")
        format = format or self.format
        if _is_system_dot(program):
            output = super().pipe(format, engine=engine, encoding=encoding, **options)
        else:
            _refuse_options("pipe", options)
            output = self._run(program, format, engine or self.engine)
            output = output.decode(encoding) if encoding is not None else output
        if format != "svg":
            return output
        if isinstance(output, bytes):
            return portable_svg(output.decode(self.encoding)).encode(self.encoding)
        return portable_svg(output)

    def render(
        self,
        filename: str | os.PathLike | None = None,
        directory: str | os.PathLike | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *,
        outfile: str | os.PathLike | None = None,
        engine: str | None = None,
        **options: Any,
    ) -> str:
        """Save the DOT text and render it to a file; returns the rendered file's path.

        ``render("graph", format="png")`` writes ``graph`` (DOT) and ``graph.png``;
        ``render(outfile="graph.svg")`` takes the format from the suffix.
        """
        program = find_renderer()
        if program is not None and _is_system_dot(program):
            rendered = super().render(
                filename, directory=directory, view=view, cleanup=cleanup, format=format, outfile=outfile,
                engine=engine, **options,
            )
            if Path(rendered).suffix == ".svg":
                Path(rendered).write_text(portable_svg(Path(rendered).read_text(encoding="utf-8")), encoding="utf-8")
            return rendered
        if outfile is not None and format is None:
            format = Path(outfile).suffix.lstrip(".") or None
        format = format or self.format
        if outfile is not None and filename is None:  # the DOT text goes beside the picture
            filename = Path(outfile).with_suffix(".gv")
        source_path = self.save(filename, directory=directory)
        if program is None:
            raise RendererNotFoundError(f"rendering the graph to {format}", source_path)
        _refuse_options("render", {"view": view, **options})
        if outfile is not None:
            target = Path(outfile) if directory is None else Path(directory, outfile)
        else:
            target = Path(f"{source_path}.{format}")
        output = self._run(program, format, engine or self.engine)
        if format == "svg":
            output = portable_svg(output.decode(self.encoding)).encode(self.encoding)
        target.write_bytes(output)
        if cleanup:
            os.remove(source_path)
        return str(target)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        """Jupyter display: the rendered SVG, or the DOT text with a warning when no renderer exists."""
        if find_renderer() is None:
            warnings.warn(RendererNotFoundError("displaying the graph").args[0], RuntimeWarning, stacklevel=2)
            return {"text/plain": self.source}
        return super()._repr_mimebundle_(include, exclude, **kwargs)

    def _run(self, program: str, format: str, engine: str) -> bytes:
        command = [program, f"-K{engine}", f"-T{format}"]
        result = subprocess.run(command, input=self.source.encode(self.encoding), capture_output=True)
        if result.returncode != 0:
            raise graphviz.CalledProcessError(result.returncode, command, output=result.stdout, stderr=result.stderr)
        return result.stdout


def _refuse_options(method: str, options: dict) -> None:
    """graphviz-pure mode supports the common arguments only: say so rather than ignore the rest."""
    given = [name for name, value in options.items() if value not in (None, False)]
    if given:
        raise TypeError(
            f"ComputationGraph.{method}: {', '.join(given)} need the "
            f"system Graphviz `dot` (found only `{WHEEL_DOT}`, which supports format, engine, "
            "filename, directory, outfile and cleanup). Install Graphviz, or open the written file yourself."
        )
