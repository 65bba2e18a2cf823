"""``draw_graph``: the computation graph behind a Scalar or a Tensor, as DOT.

Data flows from the inputs to the op that combines them to its result: left to right
when that fits a notebook cell (chains, small graphs), top to bottom when a left-to-right
drawing would be too wide (``rankdir="auto"``, the default, estimates both). For Scalars
each value is a narrow box with its label, data and grad, and each op a small circle of
its own (as one draws backprop by hand). For Tensors each op is a box with its name and
output shape/dtype, each leaf that requires grad a box with its parameter name (when a
module or a ``{name: tensor}`` mapping is given), shape and dtype; ``show_data=True``
adds the values and gradients of small tensors.

Text is laid out with Helvetica's metrics, which Graphviz and graphviz-pure both know
(graphviz-pure draws PNGs in Arimo, Helvetica's metric twin); SVG output names the
metric-compatible fonts first and makes room for wider fallbacks (see ``render.portable_svg``).

The graph is walked breadth first from the root, iteratively; past ``max_nodes`` the
rest is collapsed into one summary node, so a graph of a million nodes draws at once.
"""
from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Mapping
from typing import Any, Callable, Iterable

import numpy as np

from ..function import Function
from ..scalar import Scalar
from ..tensor import Tensor

RANK_DIRECTIONS = ("auto", "LR", "RL", "TB", "BT")
FONT = "Helvetica"
FONT_SIZE = 10  # points, for node text (edge labels 9, titles 13)
CELL_WIDTH_PT = 9 * 72  # about a notebook cell's width: "auto" draws left to right if it fits in this
NODE_SEPARATION_IN, RANK_SEPARATION_IN = 0.15, 0.25
OP_SYMBOLS = {"+": "+", "-": "&minus;", "*": "&times;", "/": "&divide;", "neg": "&minus;x"}
COLORS = {
    "leaf": "#d6eaf8",  # values the user created: inputs and parameters
    "output": "#d5f5e3",  # the root
    "value": "#ffffff",
    "op": "#eeeeee",
    "highlight": "#ffc266",
    "summary": "#fdebd0",
    "sent": "#d35400",  # gradients being passed at the current backward step
}


def draw_graph(
    root: Scalar | Tensor,
    *,
    params: Any = None,
    show_data: bool = False,
    max_elements: int = 12,
    precision: int = 4,
    rankdir: str = "auto",
    max_nodes: int = 300,
    highlight: Iterable[Any] = (),
    grads: Mapping[Any, Any] | None = None,
    edge_grads: Mapping[tuple[Any, Any], Any] | None = None,
    title: str | None = None,
    size: float | tuple[float, float] | None = None,
) -> Any:
    """Draw the graph that computed ``root``; returns a ``graphviz.Digraph`` (a ``ComputationGraph``).

    Args:
        root: a Scalar, or a Tensor that requires grad.
        params: a module (anything with ``named_parameters()``) or a ``{name: tensor}``
            mapping; leaves found in it are shown by name, grouped by module prefix.
        show_data: for Tensors, also show values and gradients of tensors with at most
            ``max_elements`` elements (Scalars always show data and grad).
        precision: significant digits of the numbers shown.
        rankdir: layout direction, one of "LR", "RL", "TB", "BT", or "auto": left to
            right if the drawing fits a notebook cell's width that way, else top to bottom
            when that is narrower.
        max_nodes: entries drawn at most (Scalar values, with their op circles; Tensor
            ops and leaves); the rest becomes one summary node saying how many were left out.
        highlight: nodes to emphasise (Scalars, Tensors or ``grad_fn`` nodes).
        grads: ``{node: gradient}`` shown instead of ``.grad`` (used by backward
            stepping to show the gradients known so far; nodes missing show none).
        edge_grads: ``{(consumer, input): gradient}`` written on the edge from input to consumer.
        title: a caption above the graph.
        size: the largest drawing, in inches: a width, or (width, height); a larger one
            is scaled down to fit (Graphviz's ``size``). None: natural size (notebooks
            scale a wide drawing to the cell's width).

    Render with ``graph.render(outfile="graph.svg")`` (or ``.png``); in Jupyter the
    graph displays inline. See ``autograd_core.viz.render`` for how ``dot`` is found.
    """
    if rankdir not in RANK_DIRECTIONS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANK_DIRECTIONS)}, got {rankdir!r}")
    size_attribute = _size_attribute(size)
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    names = parameter_names(params)
    if isinstance(root, Scalar):
        style: _Style = _ScalarStyle(precision, names)
    elif isinstance(root, Tensor):
        if not root.requires_grad:
            raise ValueError(
                f"draw_graph: the tensor (shape {root.shape}) does not require grad, so it has no "
                "graph to draw; create its inputs with requires_grad=True (and not under no_grad())."
            )
        style = _TensorStyle(precision, names, show_data, max_elements)
    else:
        raise TypeError(f"draw_graph: root must be a Scalar or a Tensor, got {type(root).__name__}")

    from .render import ComputationGraph  # imports graphviz (~40 ms) only when drawing

    drawn, edges, cut = _walk(root, style.children, max_nodes)
    marked = _marked(highlight)
    attributes = [style.node(entry, _role(entry, position, marked), grads) for position, entry in enumerate(drawn)]
    if rankdir == "auto":
        rankdir = _fitting_direction(style, drawn, edges, attributes)
    graph = ComputationGraph(name="computation_graph")
    graph.attr(
        rankdir=rankdir, fontname=FONT, fontsize=str(FONT_SIZE + 1),
        nodesep=str(NODE_SEPARATION_IN), ranksep=str(RANK_SEPARATION_IN), **size_attribute,
    )
    graph.attr("node", fontname=FONT, fontsize=str(FONT_SIZE), margin="0.05,0.03")
    graph.attr("edge", arrowsize="0.6", color="#555555", fontname=FONT, fontsize=str(FONT_SIZE - 1))
    if title:
        graph.attr(label=html.escape(title), labelloc="t", fontsize=str(FONT_SIZE + 3))
    _add_nodes(graph, style, drawn, marked, attributes)
    index = {id(entry): position for position, entry in enumerate(drawn)}

    def entry_point(consumer: Any) -> str:
        """Where a consumer's input edges end: a Scalar's op circle, else the node itself."""
        position = index[id(consumer)]
        return f"op{position}" if style.has_op_node(consumer) else f"n{position}"

    graph.node_names = {id(entry): f"n{position}" for position, entry in enumerate(drawn)}
    graph.entry_points = {id(entry): entry_point(entry) for entry in drawn}

    sent = {(id(consumer), id(source)): value for (consumer, source), value in (edge_grads or {}).items()}
    for consumer, source in edges:
        attributes = {}
        if (id(consumer), id(source)) in sent:
            value = style.format(sent[(id(consumer), id(source))])
            attributes = dict(label=f"<&nbsp;{value}>", fontcolor=COLORS["sent"], color=COLORS["sent"], penwidth="2")
        graph.edge(f"n{index[id(source)]}", entry_point(consumer), **attributes)
    if cut:
        hidden = _count_hidden(cut, style.children, index)
        graph.node(
            "summary", label=f"<&hellip; {hidden} more nodes<br/><i>raise max_nodes to see them</i>>",
            shape="note", style="filled,dashed", fillcolor=COLORS["summary"],
        )
        for consumer in {id(consumer): consumer for consumer, _ in cut}.values():
            graph.edge("summary", entry_point(consumer), style="dashed")
    return graph


def _role(entry: Any, position: int, marked: set[int]) -> str | None:
    return "highlight" if id(entry) in marked else "output" if position == 0 else None


def _add_nodes(graph: Any, style: "_Style", drawn: list, marked: set[int], attributes: list[dict]) -> None:
    """A node per drawn entry (``n<position>``; the root first) with its ``attributes``,
    parameters grouped in clusters by module prefix, and a Scalar's op as a node
    ``op<position>`` of its own."""
    clusters: dict[str, list[tuple[str, dict]]] = {}
    for position, entry in enumerate(drawn):
        node_id = f"n{position}"
        prefix = style.cluster(entry)
        if prefix is None:
            graph.node(node_id, **attributes[position])
        else:
            clusters.setdefault(prefix, []).append((node_id, attributes[position]))
        if style.has_op_node(entry):
            graph.node(f"op{position}", **style.op_node(entry, id(entry) in marked))
            graph.edge(f"op{position}", node_id)
    for prefix, members in clusters.items():
        with graph.subgraph(name=f"cluster_{prefix}") as cluster:
            cluster.attr(label=prefix, style="rounded,dashed", color="#7f8c8d", fontsize="10")
            for node_id, node_attributes in members:
                cluster.node(node_id, **node_attributes)


def _size_attribute(size: Any) -> dict:
    """Graphviz's ``size`` ("width,height" in inches) from a width or a (width, height) pair."""
    if size is None:
        return {}
    pair = (size, 1000.0) if isinstance(size, (int, float)) else tuple(size)
    if len(pair) != 2 or not all(isinstance(value, (int, float)) and value > 0 for value in pair):
        raise ValueError(f"draw_graph: size must be a width or a (width, height) in inches, positive; got {size!r}")
    return {"size": f"{pair[0]:g},{pair[1]:g}"}


def _fitting_direction(style: "_Style", drawn: list, edges: list, attributes: list[dict]) -> str:
    """"LR" if the drawing is at most a notebook cell wide that way, else whichever of
    "LR" and "TB" is narrower. Estimated from each node's label (its text lines at about
    0.55 em per character) and its rank (the longest path down from the root)."""
    position = {id(entry): index for index, entry in enumerate(drawn)}
    sizes = [_label_size(node["label"]) for node in attributes]
    sources: dict[int, list[int]] = {}
    waiting = [0] * len(drawn)  # edges from consumers not yet ranked
    for consumer, source in edges:
        sources.setdefault(position[id(consumer)], []).append(position[id(source)])
        waiting[position[id(source)]] += 1
    steps = [2 if style.has_op_node(entry) else 1 for entry in drawn]  # an op circle sits between
    rank = [0] * len(drawn)
    ready = [0]
    while ready:  # Kahn's order from the root: each entry ranked after all its consumers
        consumer = ready.pop()
        for source in sources.get(consumer, ()):
            rank[source] = max(rank[source], rank[consumer] + steps[consumer])
            waiting[source] -= 1
            if waiting[source] == 0:
                ready.append(source)
    ranks: dict[int, list[tuple[float, float]]] = {}
    for index, (width, height) in enumerate(sizes):
        ranks.setdefault(rank[index], []).append((width, height))
        if steps[index] == 2:
            ranks.setdefault(rank[index] + 1, []).append((22.0, 22.0))
    node_gap, rank_gap = NODE_SEPARATION_IN * 72, RANK_SEPARATION_IN * 72
    across = sum(max(width for width, _ in members) for members in ranks.values()) + rank_gap * (len(ranks) - 1)
    down = max(sum(width for width, _ in members) + node_gap * (len(members) - 1) for members in ranks.values())
    return "LR" if across <= CELL_WIDTH_PT or across <= down else "TB"


def _label_size(label: str) -> tuple[float, float]:
    """About how many points wide and high a node with this label is drawn."""
    text = re.sub(r"&[#\w]+;", "x", label)
    rows = [re.sub(r"<[^>]+>", "", row) for row in re.split(r"<tr>", text)[1:]] or [re.sub(r"<[^>]+>", "", text)]
    width = max(len(row) for row in rows) * 0.55 * FONT_SIZE + 10
    return width, len(rows) * (FONT_SIZE + 8)


def _walk(root: Any, children: Callable[[Any], Iterable[Any]], max_nodes: int) -> tuple[list, list, list]:
    """Breadth-first from ``root``: the first ``max_nodes`` entries, the edges among them
    as (consumer, input) pairs, and the (consumer, input) edges into entries left out."""
    drawn, seen = [root], {id(root)}
    edges, cut = [], []
    queue = deque([root])
    while queue:
        consumer = queue.popleft()
        for source in children(consumer):
            if id(source) in seen:
                edges.append((consumer, source))
            elif len(drawn) < max_nodes:
                seen.add(id(source))
                drawn.append(source)
                queue.append(source)
                edges.append((consumer, source))
            else:
                cut.append((consumer, source))
    return drawn, edges, cut


def _count_hidden(cut: list, children: Callable[[Any], Iterable[Any]], drawn: Mapping[int, int]) -> int:
    """How many entries lie beyond the cut (each counted once, iteratively)."""
    seen = set(drawn)
    stack = []
    for _, source in cut:
        if id(source) not in seen:
            seen.add(id(source))
            stack.append(source)
    hidden = len(stack)
    while stack:
        for source in children(stack.pop()):
            if id(source) not in seen:
                seen.add(id(source))
                stack.append(source)
                hidden += 1
    return hidden


def _marked(highlight: Iterable[Any]) -> set[int]:
    """Ids of the entries to highlight; a non-leaf Tensor stands for its ``grad_fn``."""
    marked = set()
    for entry in highlight:
        marked.add(id(entry))
        if isinstance(entry, Tensor) and entry.grad_fn is not None:
            marked.add(id(entry.grad_fn))
    return marked


def parameter_names(params: Any) -> dict[int, str]:
    """``{id(tensor): name}`` from a module's ``named_parameters()`` or a ``{name: tensor}`` mapping."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items = params.named_parameters()
    elif isinstance(params, Mapping):
        items = params.items()
    else:
        raise TypeError(
            "draw_graph: params must be a module (with named_parameters()) or a {name: tensor} "
            f"mapping, got {type(params).__name__}"
        )
    return {id(tensor): str(name) for name, tensor in items}


def _format_number(value: float, precision: int) -> str:
    return f"{value:.{precision}g}"


class _Style:
    """How one front end's entries look: children, node labels, clusters."""

    def __init__(self, precision: int, names: dict[int, str]) -> None:
        self.precision = precision
        self.names = names

    def cluster(self, entry: Any) -> str | None:
        name = self.names.get(id(entry))
        return name.rsplit(".", 1)[0] if name and "." in name else None

    def has_op_node(self, entry: Any) -> bool:
        return False

    def format(self, value: Any) -> str:
        return _format_number(float(value), self.precision)


class _ScalarStyle(_Style):
    def children(self, entry: Scalar) -> tuple:
        return entry.inputs

    def has_op_node(self, entry: Scalar) -> bool:
        return entry._a is not None

    def node(self, entry: Scalar, role: str | None, grads: Mapping | None) -> dict:
        label = self.names.get(id(entry), entry.label)
        if grads is None:
            grad = self.format(entry.grad)
        else:
            grad = self.format(grads[entry]) if entry in grads else "&middot;"
        rows = [[f"<b>{html.escape(str(label))}</b>"]] if label is not None else []
        rows += [[f"data {self.format(entry.data)}"], [f"grad {grad}"]]
        color = COLORS[role or ("leaf" if entry._a is None else "value")]
        return dict(label=_table(rows, color), shape="plain")

    def op_node(self, entry: Scalar, marked: bool) -> dict:
        symbol = OP_SYMBOLS.get(entry._op, html.escape(entry._op))
        fill = COLORS["highlight"] if marked else COLORS["op"]
        return dict(label=f"<{symbol}>", shape="circle" if len(entry._op) <= 3 else "ellipse", style="filled",
                    fillcolor=fill, width="0.3", height="0.3", fontsize="10")


class _TensorStyle(_Style):
    def __init__(self, precision: int, names: dict[int, str], show_data: bool, max_elements: int) -> None:
        super().__init__(precision, names)
        self.show_data = show_data
        self.max_elements = max_elements

    def children(self, entry: Any) -> tuple:
        if isinstance(entry, Function):
            return tuple(child for child in entry._next if child is not None)
        if isinstance(entry, Tensor) and entry.grad_fn is not None:
            return (entry.grad_fn,)  # the root output: drawn apart from the op that made it
        return ()

    def format(self, value: Any) -> str:
        array = np.asarray(value.array if isinstance(value, Tensor) else value)
        if array.size == 1:
            return _format_number(float(array.reshape(())), self.precision)
        if array.size > self.max_elements:
            return f"({array.size} values)"
        text = np.array2string(array, separator=", ", formatter={"float_kind": f"{{:.{self.precision}g}}".format})
        return html.escape(text.replace("\n", ""))

    def node(self, entry: Any, role: str | None, grads: Mapping | None) -> dict:
        if isinstance(entry, Function):
            rows = [[f"<b>{type(entry).__name__}</b>"], [f"{_shape(entry._shape)} {entry._dtype}"]]
            if grads is not None and entry in grads and self.show_data:
                rows.append([f"grad {self.format(grads[entry])}"])
            return dict(label=_table(rows, COLORS[role or "op"]), shape="plain")
        name = self.names.get(id(entry))
        title = html.escape(name) if name else ("output" if entry.grad_fn is not None else "leaf")
        rows = [[f"<b>{title}</b>"], [f"{_shape(entry.shape)} {entry.dtype}"]]
        if entry.grad_fn is None:
            rows.append(["requires_grad"])
        if self.show_data and entry.array.size <= self.max_elements:
            rows.append([f"data {self.format(entry.array)}"])
            grad = grads.get(entry) if grads is not None else entry.grad
            if grad is not None:
                rows.append([f"grad {self.format(grad)}"])
        return dict(label=_table(rows, COLORS[role or "leaf"]), shape="plain")


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ")" if len(shape) != 1 else f"({shape[0]},)"


def _table(rows: list[list[str]], color: str) -> str:
    """An HTML-like label: one table row per inner list, its cells side by side."""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="3" bgcolor="{color}">{body}</table>>'
