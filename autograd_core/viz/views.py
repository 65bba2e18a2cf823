"""Views of backward stepping: a text table for terminals, an HTML table and an ipywidgets view.

One row per step: the node, its upstream gradient, its local derivatives, and what
each input received (``input <- gradient``). The ipywidgets view (slider and
previous/next buttons beside the graph, redrawn by the kernel) is optional: the
default notebook display is the self-contained page of ``stepper_page.py``, which needs no
kernel. Without ipywidgets, ``widget()`` returns the steps (shown as that page).
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

from ..function import Function
from ..scalar import Scalar
from .dot import parameter_names

if TYPE_CHECKING:
    from .stepping import BackwardSteps, Step

COLUMNS = ("step", "node", "op", "upstream grad", "local d(out)/d(in)", "each input received")


def text_table(steps: "BackwardSteps", upto: int | None = None) -> str:
    """The steps so far (up to index ``upto``) as aligned plain text."""
    names = parameter_names(steps.params)
    rows = [COLUMNS] + [cells(step, names) for step in _taken(steps, upto)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"{len(steps.steps)} of {steps.total} steps taken")
    return "\n".join(lines)


def html_table(steps: "BackwardSteps", upto: int | None = None, current: int | None = None) -> str:
    """The steps so far (up to index ``upto``) as an HTML table; row ``current`` is highlighted
    and named in the caption."""
    head = "".join(f"<th style='text-align:left'>{html.escape(name)}</th>" for name in COLUMNS)
    names = parameter_names(steps.params)
    body = []
    for step in _taken(steps, upto):
        style = " style='background:#ffe0b2'" if step.index == current else ""
        row = "".join(f"<td style='text-align:left'>{html.escape(cell)}</td>" for cell in cells(step, names))
        body.append(f"<tr{style}>{row}</tr>")
    if current is None:
        caption = f"<caption>{len(steps.steps)} of {steps.total} steps taken</caption>"
    else:
        caption = f"<caption>backward step {current + 1} of {steps.total}</caption>"
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def step_widget(steps: "BackwardSteps", **draw_options: Any) -> Any:
    """Slider + previous/next buttons showing each step's row and graph; the HTML table without ipywidgets."""
    try:
        import ipywidgets
    except ImportError:
        return steps
    if not steps.steps:
        return steps
    slider = ipywidgets.IntSlider(value=1, min=1, max=len(steps.steps), description="step", continuous_update=False)
    previous = ipywidgets.Button(description="previous", icon="arrow-left")
    following = ipywidgets.Button(description="next", icon="arrow-right")
    view = ipywidgets.HTML()

    def show(_: Any = None) -> None:
        index = slider.value - 1  # the slider counts steps from 1, as the captions do
        view.value = html_table(steps, upto=index, current=index) + _picture(steps.draw(index, **draw_options))

    def move(offset: int) -> Any:
        def handler(_: Any) -> None:
            slider.value = min(max(slider.value + offset, slider.min), slider.max)

        return handler

    slider.observe(show, names="value")
    previous.on_click(move(-1))
    following.on_click(move(+1))
    show()
    return ipywidgets.VBox([ipywidgets.HBox([previous, slider, following]), view])


def _picture(graph: Any) -> str:
    """The graph as inline SVG, or its DOT text when no renderer is installed."""
    from .render import HOW_TO_GET_A_RENDERER, find_renderer

    if find_renderer() is None:
        return f"<p>{html.escape(HOW_TO_GET_A_RENDERER)}</p><pre>{html.escape(graph.source)}</pre>"
    svg = graph.pipe(format="svg", encoding="utf-8")
    return svg.replace("<svg ", "<svg style='max-width:100%;height:auto' ", 1)  # at most the cell's width


def _taken(steps: "BackwardSteps", upto: int | None) -> list:
    return steps.steps if upto is None else steps.steps[: range(len(steps.steps))[upto] + 1]


def cells(step: "Step", names: dict[int, str]) -> tuple[str, ...]:
    received = ", ".join(
        f"{node_name(source, names)} <- {value_text(grad)}" for source, grad in zip(step.inputs, step.input_grads)
    )
    local = ", ".join(value_text(grad) for grad in step.local_grads)
    upstream = value_text(step.upstream)
    return (str(step.index + 1), node_name(step.node, names), step.op or "leaf", upstream, local, received)


def node_name(node: Any, names: dict[int, str]) -> str:
    """A Scalar's label (or its op and value); a Tensor op's name and shape; a leaf's parameter name."""
    if isinstance(node, Scalar):
        if node.label is not None:
            return node.label
        return f"[{node.op}] {node.data:.4g}" if node.op else f"{node.data:.4g}"
    if isinstance(node, Function):
        return f"{type(node).__name__} {node._shape}"
    return names.get(id(node), f"leaf {node.shape}")


def value_text(value: Any) -> str:
    """A number to 6 significant digits; a small array in full; a large one by shape and norm."""
    if value is None:
        return "-"
    array = np.asarray(value)
    if array.size == 1:
        return f"{float(array.reshape(())):.6g}"
    if array.size <= 8:
        return np.array2string(array, separator=", ", formatter={"float_kind": "{:.4g}".format}).replace("\n", "")
    return f"<{'x'.join(map(str, array.shape))} array, |max| {np.abs(array).max():.3g}>"
