"""Run a compatibility program under PyTorch or, through the import mapping only, under autograd-core.

The mapping is the five renames of the README (longest first): ``torch.nn.functional`` ->
``nn.functional``, ``torch.nn`` -> ``nn``, ``torch.optim`` -> ``nn.optim``,
``torch.utils.data`` -> ``nn.data``, ``torch`` -> ``autograd_core``. They are applied to
the program's tokens (dotted names in code, never strings or comments), and to the
``fixed`` helper it imports. Programs run in this process; what they print is collected.
"""
from __future__ import annotations

import io
import re
import sys
import tokenize
import types
from pathlib import Path
from typing import Any

PROGRAMS = Path(__file__).parent / "programs"
MAPPING = [
    (("torch", "nn", "functional"), "nn.functional"),
    (("torch", "nn"), "nn"),
    (("torch", "optim"), "nn.optim"),
    (("torch", "utils", "data"), "nn.data"),
    (("torch",), "autograd_core"),
]
HELPERS = ("fixed",)
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan")


_FROM_TORCH = re.compile(r"^(?P<indent>[ \t]*)from torch import (?P<names>[\w ,]+?)[ \t]*$", re.M)
_SUBMODULES = {"nn": "nn", "optim": "nn.optim"}  # torch's submodules a `from torch import` can name


def _split_from_torch(match: re.Match) -> str:
    """``from torch import nn, optim, zeros`` imports two mapped modules and a name: one statement each."""
    statements, names = [], []
    for item in match.group("names").split(","):
        name, _, alias = (part.strip() for part in item.strip().partition(" as "))
        if name in _SUBMODULES:
            statements.append(f"import torch.{name} as {alias or name}")
        else:
            names.append(item.strip())
    if names:
        statements.insert(0, "from torch import " + ", ".join(names))
    return match.group("indent") + "; ".join(statements)


def rewrite(source: str) -> str:
    """``source`` with the five module renames applied to every dotted name starting with ``torch``
    (and ``from torch import nn`` read as the import of the module ``torch.nn`` it is)."""
    source = _FROM_TORCH.sub(_split_from_torch, source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    edits = []  # (row, start col, end row, end col, text)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        before = tokens[index - 1] if index else None
        if token.type == tokenize.NAME and token.string == "torch" and not (before and before.string == "."):
            names, last = ["torch"], index
            while (last + 2 < len(tokens) and tokens[last + 1].string == "."
                   and tokens[last + 2].type == tokenize.NAME):
                names.append(tokens[last + 2].string)
                last += 2
            for prefix, target in MAPPING:
                if tuple(names[: len(prefix)]) == prefix:
                    end = tokens[index + 2 * (len(prefix) - 1)]
                    edits.append((token.start, end.end, target))
                    break
            index = last + 1
            continue
        index += 1
    for (row, col), (end_row, end_col), text in reversed(edits):
        assert row == end_row, "a dotted module name split over lines"
        line = lines[row - 1]
        lines[row - 1] = line[:col] + text + line[end_col:]
    return "".join(lines)


def _load(name: str, library: str) -> types.ModuleType:
    source = (PROGRAMS / f"{name}.py").read_text()
    module = types.ModuleType(name)
    module.__file__ = str(PROGRAMS / f"{name}.py")
    exec(compile(rewrite(source) if library == "ours" else source, module.__file__, "exec"), module.__dict__)
    return module


def _printer(output: io.StringIO) -> Any:
    """The program's ``print``, writing into ``output``: not through ``sys.stdout``, which other
    threads may swap meanwhile (Numba's error formatting does, in the kernel loader thread)."""
    def program_print(*values: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
                      flush: bool = False) -> None:
        print(*values, sep=sep, end=end, file=output if file is None else file)

    return program_print


def run(program: str, library: str) -> str:
    """Run ``programs/<program>.py`` under ``library`` ("torch" or "ours"); return what it printed."""
    if library not in ("torch", "ours"):
        raise ValueError(f"library must be 'torch' or 'ours', got {library!r}")
    path = PROGRAMS / f"{program}.py"
    source = path.read_text()
    saved = {name: sys.modules.get(name) for name in HELPERS}
    output = io.StringIO()
    try:
        for name in HELPERS:
            sys.modules[name] = _load(name, library)
        code = compile(rewrite(source) if library == "ours" else source, str(path), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(path), "print": _printer(output)})
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return output.getvalue()


def numbers(text: str) -> list[float]:
    """Every number printed, in order."""
    return [float(match) for match in _NUMBER.findall(text)]
