"""Backward one node at a time, for seeing the chain rule at work.

    >>> steps = autograd_core.backward_steps(loss)
    >>> step = steps.next()          # one node: its upstream gradient, local
    >>> print(steps)                 # derivatives and what each input received
    >>> steps.draw()                 # the graph, this node highlighted, gradients so far
    >>> steps.run()                  # the rest; now every .grad equals loss.backward()'s
    >>> steps.save_html("steps.html")  # one page to step through in any browser

In a notebook, ``backward_steps(loss)`` displays as that page (``stepper_page.py``): the graph
and the step table, with First/Previous/Next/Last buttons and a slider wherever scripts
run; no kernel and no network needed, so it also works in exported HTML.

Each ``next()`` pops one entry of an ``engine.Traversal``, the traversal whose order
``Scalar.backward`` and ``Tensor.backward`` follow, and takes the step backward takes
there: ``engine.backward_step`` for a Tensor graph entry (hooks, fitted gradients,
accumulation into leaves, the push to the ready set), ``scalar.propagate`` for a
Scalar. So the steps come in the real backward pass's order and the gradients end up
identical. Saved values are kept (as with ``retain_graph=True``) so that earlier steps
can still be drawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from .. import engine
from ..function import Function
from ..grad_mode import set_grad_enabled
from ..scalar import Scalar, propagate
from ..tensor import Tensor

MAX_EMBEDDED_STEPS = 100  # steps a notebook display or a saved page holds at most, by default


@dataclass(frozen=True)
class Step:
    """One node of the backward pass.

    Attributes:
        index: 0 for the root, then one per node in the order backward visits them.
        node: the Scalar, the Tensor op's graph node (``grad_fn``) or the leaf Tensor.
        op: the op's name ("*", "tanh", "MatMul"; "" for a leaf).
        upstream: d(root)/d(node's output), complete (every path has contributed) and
            after the node's hooks (what it propagated); None when no gradient reaches it.
        inputs: the node's inputs that take gradients.
        local_grads: d(output)/d(input) for each input. For a Tensor op with more than
            one output element: the op's backward applied to a gradient of ones, i.e.
            d(sum of output)/d(input) (exactly the elementwise derivative for elementwise
            ops).
        input_grads: what each input received from this node: upstream * local derivative
            (a vector-Jacobian product for Tensors).
    """

    index: int
    node: Any
    op: str
    upstream: Any
    inputs: tuple
    local_grads: tuple
    input_grads: tuple


class BackwardSteps:
    """The backward pass of ``root``, run one node per ``next()``; see the module docstring."""

    def __init__(self, root: Scalar | Tensor, gradient: Any = None, params: Any = None) -> None:
        self.root = root
        self.params = params
        self.steps: list[Step] = []
        if isinstance(root, Scalar):
            roots, root_grads, children = (root,), (1.0 if gradient is None else float(gradient),), _scalar_inputs
        elif isinstance(root, Tensor):
            roots, root_grads = engine.backward_roots("backward_steps", root, gradient)
            children = engine.tensor_children
        else:
            raise TypeError(f"backward_steps: root must be a Scalar or a Tensor, got {type(root).__name__}")
        self._traversal = engine.Traversal(roots, root_grads, children)
        self.total = len(set(self._traversal.dependencies).union(roots))

    @property
    def done(self) -> bool:
        return len(self.steps) == self.total

    def next(self) -> Step | None:
        """Run backward through one more node; None once every node has been visited."""
        item = self._traversal.pop()
        if item is None:
            return None
        node, upstream = item
        if isinstance(node, Scalar):
            step = _scalar_step(self._traversal, len(self.steps), node, upstream)
        else:
            step = _tensor_step(self._traversal, len(self.steps), node, upstream)
        self.steps.append(step)
        return step

    def run(self) -> "BackwardSteps":
        """Run the remaining steps; returns self (so ``print(steps.run())`` works)."""
        while self.next() is not None:
            pass
        return self

    def __iter__(self) -> Iterator[Step]:
        """Every step, from the first; running the ones not yet taken."""
        position = 0
        while position < len(self.steps) or self.next() is not None:
            yield self.steps[position]
            position += 1

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def gradients(self, upto: int | None = None) -> dict:
        """``{node: gradient}`` known after step ``upto`` (default: the latest)."""
        last = len(self.steps) if upto is None else range(len(self.steps))[upto] + 1
        return {step.node: step.upstream for step in self.steps[:last] if step.upstream is not None}

    def draw(self, step: int | None = None, **options: Any) -> Any:
        """The graph as it stands after ``step`` (default: the latest): that node highlighted,
        the gradients known so far filled in, and what it sent written on its edges.
        ``options`` go to ``draw_graph`` (e.g. ``rankdir``, ``show_data``)."""
        from .dot import draw_graph

        current = None
        if self.steps:
            current = self.steps[-1 if step is None else step]
        grads = self.gradients(None if current is None else current.index)
        edge_grads = {}
        if current is not None:
            edge_grads = {(current.node, source): grad for source, grad in zip(current.inputs, current.input_grads)}
        options.setdefault("params", self.params)
        options.setdefault("title", _caption(self, current))
        return draw_graph(
            self.root, grads=grads, edge_grads=edge_grads,
            highlight=() if current is None else (current.node,), **options,
        )

    # -- views (see views.py) --------------------------------------------------------
    def table(self, upto: int | None = None) -> str:
        """The steps so far as a plain-text table (for terminals)."""
        from .views import text_table

        return text_table(self, upto)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self.steps)} of {self.total} steps taken>"

    def html(self, max_steps: int = MAX_EMBEDDED_STEPS, **draw_options: Any) -> str:
        """The self-contained stepper page as an HTML fragment (see ``stepper_page.py``), running the
        steps not taken yet up to ``max_steps`` in all; ``draw_options`` go to ``draw_graph``."""
        from .stepper_page import stepper_html

        return stepper_html(self, max_steps, **draw_options)

    def save_html(self, path: Any, max_steps: int = MAX_EMBEDDED_STEPS, **draw_options: Any) -> Any:
        """Write the stepper as one HTML file that opens in any browser, offline; returns its path."""
        from .stepper_page import save_stepper

        return save_stepper(self, path, max_steps, **draw_options)

    def _repr_html_(self) -> str:
        """A notebook's display: the self-contained stepper page (runs the steps not taken yet)."""
        return self.html()

    def widget(self, **draw_options: Any) -> Any:
        """The optional ipywidgets view: a slider and previous/next buttons that redraw the
        graph in the kernel (runs every step first); without ipywidgets, the steps
        themselves (displayed as the self-contained page)."""
        from .views import step_widget

        return step_widget(self.run(), **draw_options)


def backward_steps(root: Scalar | Tensor, gradient: Any = None, params: Any = None) -> BackwardSteps:
    """Prepare ``root``'s backward pass to be run one node at a time (nothing runs yet).

    ``gradient`` as in ``backward``; ``params`` (a module or ``{name: tensor}``) names
    the Tensor leaves in tables and drawings.
    """
    return BackwardSteps(root, gradient, params)


def _scalar_inputs(node: Scalar) -> tuple:
    return node.inputs


def _scalar_step(traversal: engine.Traversal, index: int, node: Scalar, upstream: float) -> Step:
    child_grads = propagate(node, upstream)  # the step Scalar.backward takes at each node
    traversal.push(node, child_grads)
    inputs = node.inputs
    return Step(index, node, node.op, upstream, inputs, node.local_grads, child_grads[: len(inputs)])


def _tensor_step(traversal: engine.Traversal, index: int, node: Any, upstream: Tensor | None) -> Step:
    with set_grad_enabled(False), np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        local = _local_gradients(node) if isinstance(node, Function) and upstream is not None else None
        upstream, child_grads = engine.backward_step(traversal, node, upstream, retain_graph=True)
    if not isinstance(node, Function):  # a leaf: its gradient went into .grad
        return Step(index, node, "", _array(upstream), (), (), ())
    children = engine.tensor_children(node)
    positions = [position for position, child in enumerate(children) if child is not None]
    return Step(
        index, node, type(node).__name__, _array(upstream), tuple(children[position] for position in positions),
        tuple(local[position] if local is not None else None for position in positions),
        tuple(_array(child_grads[position]) if child_grads is not None else None for position in positions),
    )


def _local_gradients(node: Function) -> list:
    """The node's backward applied to ones, fitted to each input (no hooks run)."""
    ones = Tensor._make(np.ones(node._shape, dtype=node._dtype), False, None)
    return [_array(gradient) for gradient in engine.input_gradients(node, ones)]


def _array(gradient: Tensor | None) -> np.ndarray | None:
    return None if gradient is None else gradient.array


def _caption(steps: BackwardSteps, current: Step | None) -> str:
    if current is None:
        return f"backward: 0 of {steps.total} steps taken"
    return f"backward step {current.index + 1} of {steps.total}"
