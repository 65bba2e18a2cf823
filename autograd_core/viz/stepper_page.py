"""The self-contained backward stepper: one HTML page, no network and no kernel needed.

``steps.save_html(path)`` writes it as a file; ``steps.html()`` (and so a notebook's
display of ``backward_steps(root)``) gives the same page as a fragment. It holds:

- the graph drawn once, as an SVG image in the page (``data:`` URI), showing the
  gradients known after the last embedded step;
- the step table: the node, its upstream gradient, its local derivatives and what each
  input received, one row per step;
- a plain script (``stepper.js``) that, where scripts run, adds the buttons First,
  Previous, Next, Last, a slider numbered 1..N and the caption "backward step K of N",
  puts the graph inline and restyles it per step: the current node highlighted, the
  edges that received gradient coloured, "grad" shown only for nodes already reached.

Where no script runs (a notebook opened from a file before it is trusted, GitHub's
notebook view) the page still shows the graph and the table, and says how to step.
Nothing is fetched: the page has no ``src``/``href`` pointing anywhere, and its styles
are inline. ``max_steps`` caps how many steps are embedded (the rest are named in a note),
so that a big graph does not make a huge notebook.
"""
from __future__ import annotations

import base64
import html
import json
import re
import uuid
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dot import COLORS, draw_graph, parameter_names
from .stepping import MAX_EMBEDDED_STEPS
from .views import COLUMNS, cells, node_name, value_text

if TYPE_CHECKING:
    from .stepping import BackwardSteps, Step

ROW_COLOR = "#ffe0b2"


def stepper_html(steps: "BackwardSteps", max_steps: int = MAX_EMBEDDED_STEPS, **draw_options: Any) -> str:
    """The stepper as an HTML fragment (for a notebook cell), running the steps not taken
    yet, up to ``max_steps`` in all. ``draw_options`` go to ``draw_graph``."""
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1:
        raise ValueError(f"backward steps: max_steps must be a positive int, got {max_steps!r}")
    while len(steps.steps) < max_steps and steps.next() is not None:
        pass
    shown = steps.steps[:max_steps]
    names = parameter_names(steps.params)
    graph, picture = _picture(steps, draw_options)
    page_id = f"agc-backward-steps-{uuid.uuid4().hex[:12]}"  # unique among all outputs a page may show
    data = {
        "total": steps.total,
        "steps": [_step_data(step, graph, names) for step in shown],
        "colors": {"highlight": COLORS["highlight"], "sent": COLORS["sent"], "row": ROW_COLOR},
    }
    cut = ""
    if steps.total > len(shown):
        cut = (
            f"<p style='color:#a04000'>Only the first {len(shown)} of {steps.total} steps are embedded "
            f"(max_steps={max_steps}); pass a larger max_steps to embed more.</p>"
        )
    reached = "every gradient" if len(shown) == steps.total else f"the gradients known after step {len(shown)}"
    note = (
        f"<p data-role='static-note'><b>Backward pass: {steps.total} steps.</b> The graph shows {reached}; "
        "the table lists each step: its node, the upstream gradient, the local derivatives and what each input "
        "received. To step through it with buttons and a slider, run this cell in Jupyter (a notebook opened "
        "from a file runs no scripts in its outputs until it is trusted), or open the page written by "
        "<code>steps.save_html(path)</code> in a browser.</p>"
    )
    script = _script().replace("</", "<\\/")
    payload = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    return (
        f"<div id='{page_id}' style='font-family:Helvetica,Arial,sans-serif;font-size:13px;max-width:100%'>"
        f"{note}{cut}{picture}{_table(shown, names)}</div>"
        f"<script>{script}\nagcStepper({json.dumps(page_id)}, {payload});</script>"
    )


def stepper_document(steps: "BackwardSteps", max_steps: int = MAX_EMBEDDED_STEPS, **draw_options: Any) -> str:
    """The stepper as a whole HTML document (what ``save_html`` writes)."""
    fragment = stepper_html(steps, max_steps, **draw_options)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>backward steps of {html.escape(node_name(steps.root, parameter_names(steps.params)))}</title>\n"
        f"</head>\n<body style='margin:16px'>\n{fragment}\n</body>\n</html>\n"
    )


def save_stepper(steps: "BackwardSteps", path: str | Path, max_steps: int = MAX_EMBEDDED_STEPS, **options: Any) -> Path:
    """Write ``stepper_document`` to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(stepper_document(steps, max_steps, **options), encoding="utf-8")
    return path


def _picture(steps: "BackwardSteps", draw_options: dict) -> tuple[Any, str]:
    """The graph (after the steps taken) and its markup: an SVG image, or why there is none."""
    from .render import HOW_TO_GET_A_RENDERER, find_renderer

    options = {"params": steps.params, **draw_options}
    graph = draw_graph(steps.root, grads=steps.gradients(), **options)
    frame = "max-height:640px;overflow:auto;border:1px solid #dddddd;padding:4px;margin:6px 0"
    if find_renderer() is None:
        return graph, f"<p data-role='graph'>No graph: {html.escape(HOW_TO_GET_A_RENDERER)}</p>"
    svg = graph.pipe(format="svg", encoding="utf-8")
    svg = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", svg, flags=re.DOTALL).strip()
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    image = (
        f"<img src='data:image/svg+xml;base64,{encoded}' style='max-width:100%;height:auto' "
        "alt='the computation graph with the gradients known so far'>"
    )
    return graph, f"<div data-role='graph' style='{frame}'>{image}</div>"


def _step_data(step: "Step", graph: Any, names: dict[int, str]) -> dict:
    """What the script needs for one step: the node's (and its op circle's) name in the
    drawing, the edges along which gradient went, and the step told in words."""
    node = graph.node_names.get(id(step.node))
    entry = graph.entry_points.get(id(step.node))
    edges = [f"{graph.node_names[id(source)]}->{entry}" for source in step.inputs if id(source) in graph.node_names]
    if entry is not None and entry != node:
        edges.append(f"{entry}->{node}")  # a Scalar's op circle hands its result to the value box
    return {"node": node, "op": entry if entry != node else None, "edges": edges, "detail": _detail(step, names)}


def _detail(step: "Step", names: dict[int, str]) -> list[list[str]]:
    name = node_name(step.node, names)
    if not step.inputs:
        return [
            ["node", f"{name} (a leaf)"],
            ["upstream gradient, all paths summed", value_text(step.upstream)],
            ["accumulated into its .grad", value_text(step.upstream)],
        ]
    local = ", ".join(f"d {name} / d {node_name(source, names)} = {value_text(value)}"
                      for source, value in zip(step.inputs, step.local_grads))
    received = ", ".join(f"{node_name(source, names)} \u2190 {value_text(value)}"
                         for source, value in zip(step.inputs, step.input_grads))
    return [
        ["node", f"{name} ({step.op})"],
        ["upstream gradient, all paths summed", value_text(step.upstream)],
        ["local derivatives", local],
        ["each input received (upstream \u00d7 local)", received],
    ]


def _table(shown: list, names: dict[int, str]) -> str:
    cell = "text-align:left;padding:2px 8px;border-bottom:1px solid #e0e0e0;white-space:nowrap"
    head = "".join(f"<th style='{cell}'>{html.escape(column)}</th>" for column in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{html.escape(text)}</td>" for text in cells(step, names)) + "</tr>"
        for step in shown
    )
    return (
        "<div data-role='table' style='max-height:320px;overflow:auto;margin-top:6px'>"
        f"<table style='border-collapse:collapse;font-size:12px'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _script() -> str:
    return resources.files(__package__).joinpath("stepper.js").read_text(encoding="utf-8")
