"""Seeing the graph: ``draw_graph`` (DOT via graphviz) and ``backward_steps`` (backprop one node at a time).

``graphviz`` itself is imported on first use (it costs ~40 ms), so importing
``autograd_core`` stays quick.
"""
from typing import Any

from .dot import draw_graph
from .stepping import BackwardSteps, Step, backward_steps

_RENDER_NAMES = ("ComputationGraph", "RendererNotFoundError", "find_renderer")


def __getattr__(name: str) -> Any:
    if name in _RENDER_NAMES:
        from . import render

        return getattr(render, name)
    raise AttributeError(f"module 'autograd_core.viz' has no attribute {name!r}")


__all__ = ["draw_graph", "backward_steps", "BackwardSteps", "Step", *_RENDER_NAMES]
