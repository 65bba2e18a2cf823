"""``Scalar``: one number per graph node, for learning backprop by hand.

    >>> from autograd_core import Scalar
    >>> a, b = Scalar(2.0, label="a"), Scalar(-3.0, label="b")
    >>> c = (a * b + a.exp()).tanh()
    >>> c.backward()
    >>> round(a.grad, 4), round(b.grad, 4)
    (0.9672, 0.4408)

Every op records, at forward time, its inputs and its *local derivatives* as plain
numbers (``d out / d input``), so the backward pass is only ``input.grad +=
upstream * local`` in the order ``engine.Traversal`` gives (the traversal that
``Tensor.backward`` and backward stepping drive), run by ``backward_numbers`` below,
its specialisation to numbers; it is iterative, so a chain of a million Scalars
backpropagates. A node holds no closure and no reference back to its users, so a
graph is freed by reference counting as soon as the last Scalar of it is dropped.

Most ops take one or two inputs. ``Scalar.dot`` and ``Scalar.sum`` take any number:
a neuron's ``w1 x1 + w2 x2 + ... + wn xn`` is then one node with 2n inputs instead of
n products and n additions, which is what makes a network of Scalars fast to build
and to backpropagate:

    >>> xs, ws = [Scalar(1.0), Scalar(2.0)], [Scalar(0.5), Scalar(-1.0)]
    >>> y = Scalar.dot(ws, xs)
    >>> y.backward()
    >>> y.data, [w.grad for w in ws], [x.grad for x in xs]
    (-1.5, [1.0, 2.0], [0.5, -1.0])

Unlike ``Tensor``, every Scalar takes part in the graph (there is no
``requires_grad``) and every Scalar's ``.grad`` is filled in by ``backward``, as in
micrograd. Gradients accumulate: call ``zero_grad`` between steps. As with Tensors, one
``backward`` spends the graph (a second raises ``GraphError``) unless it is given
``retain_graph=True``.
"""
from __future__ import annotations

import math
import numbers
import operator
from typing import Any, Iterable, Sequence

import numpy as np

from .engine import Traversal
from .errors import GraphError, ShapeError
from .tensor import Tensor
from .types import Scalarlike


class Scalar:
    """A float that records the ops applied to it.

    Attributes:
        data: the value (a Python float).
        grad: the accumulated d(output)/d(this) after ``backward`` (0.0 before).
        label: an optional name shown in drawings and step tables.

    A node made by an op keeps its inputs in ``_a`` and ``_b`` (``_b`` is None for
    one-input ops; both are None for values the user created) and the local
    derivatives ``_da = d out/d a`` and ``_db = d out/d b`` as numbers. An n-ary node
    (``dot``, ``sum``) keeps all its inputs as a tuple in ``_a`` and their local
    derivatives as a tuple in ``_da`` (``_b`` None). ``_deps`` (0 between passes) and
    ``_g`` (set when a pass first reaches the node) are the backward pass's
    bookkeeping, see ``backward_numbers``.
    ``Scalar(other_scalar)`` is a new leaf with the same value (cut from the graph).
    """

    # ``_label`` is left unset on op results until a label is given: the cyclic GC visits
    # every set slot of every Scalar it scans, and a training step makes tens of thousands
    __slots__ = ("data", "grad", "_label", "_op", "_a", "_b", "_da", "_db", "_g", "_deps")
    __array_ufunc__ = None  # so NumPy numbers and arrays defer to Scalar's reflected operators

    def __init__(self, value: Scalarlike, label: str | None = None) -> None:
        if type(value) is float:  # the usual case, without the ABC check below (~0.3 us)
            pass
        elif isinstance(value, Scalar):
            value = value.data
        elif not isinstance(value, numbers.Real):
            raise TypeError(
                f"Scalar(): value must be a real number, got {type(value).__name__} {value!r}; "
                "use autograd_core.tensor(...) for arrays."
            )
        self.data = float(value)
        self.grad = 0.0
        self._label = label
        self._op = ""
        self._a = self._b = None
        self._da = self._db = 0.0
        self._deps = 0

    # -- introspection -------------------------------------------------------------
    @property
    def label(self) -> str | None:
        """The name shown in drawings and step tables (None until one is set)."""
        return getattr(self, "_label", None)

    @label.setter
    def label(self, label: str | None) -> None:
        self._label = label

    @property
    def op(self) -> str:
        """The op that produced this value (``"*"``, ``"tanh"``, ...); ``""`` for a leaf."""
        return self._op

    @property
    def inputs(self) -> tuple["Scalar", ...]:
        """The Scalars this one was computed from (empty for a leaf)."""
        if type(self._a) is tuple:
            return self._a
        return _children(self)[: (self._a is not None) + (self._b is not None)]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``d self / d input`` for each of ``inputs``, as recorded by the op."""
        if type(self._a) is tuple:
            return self._da
        return (self._da, self._db)[: len(self.inputs)]

    @property
    def is_leaf(self) -> bool:
        """True for Scalars the user created (and constants), False for op results."""
        return self._a is None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label is not None else ""
        return f"Scalar(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    def __float__(self) -> float:
        return self.data

    # -- arithmetic: forward value and local derivatives side by side -------------------
    # ``+`` and ``*`` make most of a network's nodes (each neuron is sum(w * x) + b), so
    # they build their node in place: _record's work without the call, ~8% of a step.
    def __add__(self, other: Any) -> "Scalar":
        if type(other) is not Scalar and (other := _constant(other)) is NotImplemented:
            return other
        node = _new(Scalar)
        node.data = self.data + other.data
        node.grad = 0.0
        node._op = "+"
        node._a, node._b = self, other
        node._da = node._db = 1.0  # d(a+b)/da = 1, d(a+b)/db = 1
        node._deps = 0
        return node

    def __radd__(self, other: Any) -> "Scalar":
        if (other := _constant(other)) is NotImplemented:
            return other
        return _record(other.data + self.data, "+", other, 1.0, self, 1.0)

    def __sub__(self, other: Any) -> "Scalar":
        if type(other) is not Scalar and (other := _constant(other)) is NotImplemented:
            return other
        # d(a-b)/da = 1, d(a-b)/db = -1
        return _record(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __rsub__(self, other: Any) -> "Scalar":
        if (other := _constant(other)) is NotImplemented:
            return other
        return _record(other.data - self.data, "-", other, 1.0, self, -1.0)

    def __mul__(self, other: Any) -> "Scalar":
        if type(other) is not Scalar and (other := _constant(other)) is NotImplemented:
            return other
        node = _new(Scalar)
        node.data = self.data * other.data
        node.grad = 0.0
        node._op = "*"
        node._a, node._b = self, other
        node._da, node._db = other.data, self.data  # d(a*b)/da = b, d(a*b)/db = a
        node._deps = 0
        return node

    def __rmul__(self, other: Any) -> "Scalar":
        if (other := _constant(other)) is NotImplemented:
            return other
        return _record(other.data * self.data, "*", other, self.data, self, other.data)

    def __truediv__(self, other: Any) -> "Scalar":
        if type(other) is not Scalar and (other := _constant(other)) is NotImplemented:
            return other
        return _divide(self, other)

    def __rtruediv__(self, other: Any) -> "Scalar":
        if (other := _constant(other)) is NotImplemented:
            return other
        return _divide(other, self)

    def __pow__(self, exponent: Any) -> "Scalar":
        if isinstance(exponent, Scalar):
            return _power(self, exponent)
        if not isinstance(exponent, numbers.Real):
            return NotImplemented
        # a number exponent is part of the op, not an input: d(a^n)/da = n a^(n-1)
        value, d_base = _power_rule(self.data, float(exponent))
        return _record(value, f"**{exponent:g}", self, d_base, None, 0.0)

    def __rpow__(self, base: Any) -> "Scalar":
        if (base := _constant(base)) is NotImplemented:
            return base
        return _power(base, self)

    def __neg__(self) -> "Scalar":
        # d(-a)/da = -1
        return _record(-self.data, "neg", self, -1.0, None, 0.0)

    # -- functions -----------------------------------------------------------------
    def exp(self) -> "Scalar":
        try:
            value = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"Scalar.exp: exp({self.data:g}) is larger than the biggest float (about 1.8e308, "
                "reached at 709.78); scale the input down or use log-space arithmetic."
            ) from None
        # d(e^a)/da = e^a
        return _record(value, "exp", self, value, None, 0.0)

    def log(self) -> "Scalar":
        if self.data <= 0:
            raise ValueError(
                f"Scalar.log: log({self.data:g}) is not a real number (log needs a positive "
                "input); clamp or shift the input, e.g. (x + 1e-12).log()."
            )
        # d(log a)/da = 1/a
        return _record(math.log(self.data), "log", self, 1.0 / self.data, None, 0.0)

    def tanh(self) -> "Scalar":
        value = math.tanh(self.data)
        # d(tanh a)/da = 1 - tanh(a)^2
        return _record(value, "tanh", self, 1.0 - value * value, None, 0.0)

    def sigmoid(self) -> "Scalar":
        value = _sigmoid(self.data)
        # d(sigmoid a)/da = sigmoid(a) (1 - sigmoid(a))
        return _record(value, "sigmoid", self, value * (1.0 - value), None, 0.0)

    def relu(self) -> "Scalar":
        positive = self.data > 0
        # d(relu a)/da = 1 for a > 0, else 0 (0 at the kink, as PyTorch)
        return _record(self.data if positive else 0.0, "relu", self, 1.0 if positive else 0.0, None, 0.0)

    def leaky_relu(self, negative_slope: float = 0.01) -> "Scalar":
        """``a`` for a > 0, ``negative_slope * a`` otherwise."""
        positive = self.data > 0
        # d/da = 1 for a > 0, else negative_slope
        local = 1.0 if positive else negative_slope
        return _record(self.data * local, "leaky_relu", self, local, None, 0.0)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> "Scalar":
        """``log(1 + exp(beta a)) / beta``, linear where ``beta a > threshold`` (PyTorch's defaults)."""
        scaled = beta * self.data
        if scaled > threshold:
            return _record(self.data, "softplus", self, 1.0, None, 0.0)
        # d(softplus a)/da = sigmoid(beta a)
        value = math.log1p(math.exp(scaled)) / beta
        return _record(value, "softplus", self, _sigmoid(scaled), None, 0.0)

    # -- n-ary ops: one node for a whole sum --------------------------------------------
    @staticmethod
    def dot(xs: Sequence["Scalar"], ys: Sequence["Scalar"]) -> "Scalar":
        """``xs[0] ys[0] + xs[1] ys[1] + ... + xs[n-1] ys[n-1]`` as one node with 2n inputs.

        The value and gradients are those of ``sum(x * y for x, y in zip(xs, ys))``, but
        the graph gets one node instead of n products and n additions (a linear layer's
        row, an attention score). A Scalar may appear several times (``dot(xs, xs)`` is
        the sum of squares); each use gets its gradient.

        Raises:
            TypeError: an item is not a Scalar (wrap numbers in ``Scalar(...)``).
            ShapeError: ``xs`` and ``ys`` differ in length, or both are empty.
        """
        xs, ys = _operands("Scalar.dot", "xs", xs), _operands("Scalar.dot", "ys", ys)
        if len(xs) != len(ys) or not xs:
            raise ShapeError(
                f"Scalar.dot: xs has {len(xs)} values and ys has {len(ys)}; it needs two equally long, "
                "non-empty sequences of Scalars (pair them up, e.g. one weight per input)."
            )
        x_data = [x.data for x in xs]
        y_data = [y.data for y in ys]
        # d(sum x_i y_i)/dx_i = y_i, d(sum x_i y_i)/dy_i = x_i
        return _record_many(sum(map(operator.mul, x_data, y_data)), "dot", xs + ys, (*y_data, *x_data))

    @staticmethod
    def sum(values: Iterable["Scalar"]) -> "Scalar":
        """``values[0] + values[1] + ... + values[n-1]`` as one node with n inputs.

        The value and gradients are those of the builtin ``sum(values)``, which makes a
        chain of n additions (and a constant 0 leaf); this is one node.

        Raises:
            TypeError: an item is not a Scalar (wrap numbers in ``Scalar(...)``).
            ShapeError: ``values`` is empty (a sum of nothing has no graph to join).
        """
        values = _operands("Scalar.sum", "values", values)
        if not values:
            raise ShapeError("Scalar.sum: got no values; it needs at least one Scalar to add up.")
        # d(sum v_i)/dv_i = 1
        return _record_many(sum([value.data for value in values]), "sum", values, (1.0,) * len(values))

    # -- autograd ------------------------------------------------------------------
    def backward(self, gradient: Scalarlike = 1.0, retain_graph: bool | None = None) -> None:
        """Add d(self)/d(x) (times ``gradient``) into ``x.grad`` for every Scalar x in the graph.

        The graph is walked in ``engine.Traversal``'s order (Kahn's algorithm, no
        recursion) by ``backward_numbers``, so each node propagates once, with
        its gradient from every path summed, exactly as ``backward_steps`` shows it.

        As in PyTorch, a backward spends the graph it goes through: a second
        ``backward()`` reaching the same op nodes raises ``GraphError`` instead of
        silently adding the gradients again. With ``retain_graph=True`` the graph stays
        usable and each later backward adds its gradients to ``.grad`` (PyTorch's
        accumulation). Leaves are never spent: a new forward pass from the same
        parameters backpropagates as usual (``zero_grad`` between steps).
        """
        backward_numbers(self, float(gradient), bool(retain_graph))

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 for this Scalar and every Scalar it was computed from."""
        traversal = Traversal((self,), (None,), _children)
        while (item := traversal.pop()) is not None:
            item[0].grad = 0.0
            traversal.push(item[0], None)


def propagate(node: Scalar, upstream: float) -> tuple[float, ...]:
    """One backward step: accumulate ``upstream`` into ``node.grad`` and return the
    gradient each input receives (``upstream * local derivative``, the chain rule)."""
    node.grad += upstream
    if type(node._a) is tuple:
        return tuple([upstream * local for local in node._da])
    return upstream * node._da, upstream * node._db


def backward_numbers(root: Scalar, gradient: float, retain_graph: bool = False) -> None:
    """``engine.Traversal`` specialised to Scalars: the same order, much faster.

    It runs exactly the loop ``Scalar`` would run on ``Traversal`` -- Kahn's algorithm
    with a last-in-first-out ready stack, each node's inputs visited in order (``_a`` then ``_b``, or the n-ary
    tuple), every node's gradient complete before it propagates -- so the nodes are
    visited in the same order and every gradient is summed in the same order, bit for
    bit (the tests compare both). What changes is where the bookkeeping lives: instead
    of dicts keyed by node, each node carries its pending edge count in ``_deps`` and
    its gradient buffer in ``_g`` (slots, no allocation). ``_deps`` is 0 between passes,
    so a non-zero count marks a node as seen (no separate set); ``_g`` is reset on a
    node's first visit to -0.0, the float whose addition changes nothing, not even a
    zero's sign, so the first contribution is stored exactly as ``Traversal`` stores
    it.

    As a Tensor backward frees the graph's saved values, a pass without
    ``retain_graph`` *spends* the op nodes it goes through (``_deps`` becomes False,
    still 0 for the counts; the local derivatives stay readable): a later pass that
    reaches a spent node raises ``GraphError`` before any gradient is added. As the
    counts live on the nodes, two threads must not backpropagate through shared nodes
    at the same time.
    """
    if root._deps is False:
        raise _spent_error(root)
    spent = 0 if retain_graph else False
    stack = [root]
    pop, push = stack.pop, stack.append
    try:
        while stack:  # count the edges into every reachable node (first visit: reset its buffer)
            node = pop()
            a = node._a
            if type(a) is tuple:
                for child in a:
                    if child._deps:
                        child._deps += 1
                    else:
                        if child._deps is False:
                            raise _spent_error(child)
                        child._deps = 1
                        child._g = -0.0
                        push(child)
            elif a is not None:
                if a._deps:
                    a._deps += 1
                else:
                    if a._deps is False:
                        raise _spent_error(a)
                    a._deps = 1
                    a._g = -0.0
                    push(a)
                b = node._b
                if b is not None:
                    if b._deps:
                        b._deps += 1
                    else:
                        if b._deps is False:
                            raise _spent_error(b)
                        b._deps = 1
                        b._g = -0.0
                        push(b)
        root._g = gradient
        push(root)
        while stack:  # pop a complete node, accumulate, hand each input its share
            node = pop()
            upstream = node._g
            node.grad += upstream
            a = node._a
            if a is None:
                continue
            node._deps = spent  # its count is 0 already: False spends it, 0 keeps it
            if type(a) is tuple:
                for child, local in zip(a, node._da):
                    child._g += upstream * local
                    remaining = child._deps - 1
                    child._deps = remaining
                    if not remaining:
                        push(child)
                continue
            a._g += upstream * node._da
            remaining = a._deps - 1
            a._deps = remaining
            if not remaining:
                push(a)
            b = node._b
            if b is not None:
                b._g += upstream * node._db
                remaining = b._deps - 1
                b._deps = remaining
                if not remaining:
                    push(b)
    except BaseException:  # e.g. KeyboardInterrupt: leave no half-counted node behind
        _reset_counts(root)
        raise


def _spent_error(node: Scalar) -> GraphError:
    return GraphError(
        f"Scalar.backward: trying to backward through the graph a second time: the {node._op!r} node "
        f"(value {node.data!r}) was already backpropagated by an earlier backward(), which spends the "
        "graph (as PyTorch frees it). Pass retain_graph=True to the earlier backward() to go through it "
        "again (gradients then add up), or recompute the forward pass."
    )


def _reset_counts(root: Scalar) -> None:
    """Set ``_deps`` back to 0 on every node under ``root`` (after an interrupted pass);
    spent nodes stay spent."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        if node._deps is not False:
            node._deps = 0
        for child in _children(node):
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                stack.append(child)


def zero_grad(scalars: Iterable[Scalar]) -> None:
    """Set ``.grad`` to 0 for each of ``scalars`` (e.g. a model's parameters)."""
    for scalar in scalars:
        scalar.grad = 0.0


_inputs_of_two = operator.attrgetter("_a", "_b")


def _children(node: Scalar) -> tuple:
    """``Traversal``'s view of the graph: a node's inputs (None where it has fewer than two)."""
    inputs = node._a
    return inputs if type(inputs) is tuple else _inputs_of_two(node)


_new = object.__new__


def _record(data: float, op: str, a: Scalar, da: float, b: Scalar | None, db: float) -> Scalar:
    """A new node: the op's value, its inputs, and the local derivatives d data / d input."""
    node = _new(Scalar)
    node.data = data
    node.grad = 0.0
    node._op = op
    node._a = a
    node._b = b
    node._da = da
    node._db = db
    node._deps = 0
    return node


def _record_many(data: float, op: str, inputs: tuple, local_grads: tuple) -> Scalar:
    """A new n-ary node: its value, all its inputs, and d data / d input for each."""
    node = _new(Scalar)
    node.data = data
    node.grad = 0.0
    node._op = op
    node._a = inputs
    node._b = None
    node._da = local_grads
    node._db = 0.0
    node._deps = 0
    return node


def _operands(op: str, name: str, values: Iterable[Any]) -> tuple:
    """``values`` as a tuple of Scalars, or a TypeError naming the op and the first other item."""
    values = tuple(values)
    if not set(map(type, values)) <= {Scalar}:  # one C-speed pass for the usual case
        for position, value in enumerate(values):
            if not isinstance(value, Scalar):
                raise TypeError(
                    f"{op}: {name}[{position}] is a {type(value).__name__} ({value!r}), not a Scalar; "
                    f"{op} takes Scalars only: wrap numbers in Scalar(...)."
                )
    return values


def _constant(value: Any) -> Any:
    """A number operand as a constant leaf Scalar; NotImplemented for anything else."""
    if type(value) is float or type(value) is int:  # the usual constants (``x / 4``, ``x - peak``)
        return Scalar(value)
    if isinstance(value, Scalar):  # a subclass
        return value
    if isinstance(value, numbers.Real):
        return Scalar(value)
    if isinstance(value, (Tensor, np.ndarray)):
        kind = type(value).__name__
        raise TypeError(
            f"a Scalar cannot be combined with a {kind} (shape {value.shape}): a Scalar holds one "
            f"number. Use {kind.lower()}.item() for a one-element {kind}, or build the graph from "
            "Tensors (autograd_core.tensor(scalar.data)) to work with arrays."
        )
    return NotImplemented


def _divide(a: Scalar, b: Scalar) -> Scalar:
    if b.data == 0:
        raise ZeroDivisionError(
            f"Scalar division: {a.data:g} / {b.data:g} divides by zero; add a small epsilon to "
            "the denominator or guard the zero case."
        )
    # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
    return _record(a.data / b.data, "/", a, 1.0 / b.data, b, -a.data / (b.data * b.data))


def _power(base: Scalar, exponent: Scalar) -> Scalar:
    a = base.data
    value, d_base = _power_rule(a, exponent.data)
    # d(a^b)/db = a^b log(a)   (0 at a == 0; NaN for a < 0, as PyTorch)
    d_exponent = value * math.log(a) if a > 0 else (0.0 if a == 0 else math.nan)
    return _record(value, "**", base, d_base, exponent, d_exponent)


def _power_rule(a: float, b: float) -> tuple[float, float]:
    """``a ** b`` and d(a^b)/da = b a^(b-1) (infinite at a == 0 for 0 < b < 1, as sqrt's)."""
    value = _real_power(a, b)
    if b == 0:
        return value, 0.0
    if a == 0 and b < 1:
        return value, math.inf
    return value, b * _real_power(a, b - 1)


def _real_power(a: float, b: float) -> float:
    """``a ** b`` as a real number, or an error that names both numbers."""
    if a < 0 and not b.is_integer():
        raise ValueError(
            f"Scalar power: ({a:g}) ** {b:g} is not a real number (a negative base needs a "
            "whole-number exponent); use abs() of the base or an integer exponent."
        )
    try:
        return a**b
    except ZeroDivisionError:
        raise ZeroDivisionError(
            f"Scalar power: 0 ** {b:g} divides by zero (a negative exponent of zero); "
            "shift the base away from zero."
        ) from None
    except OverflowError:
        raise OverflowError(
            f"Scalar power: ({a:g}) ** {b:g} is larger than the biggest float; scale the inputs down."
        ) from None


def _sigmoid(x: float) -> float:
    """``1 / (1 + e^-x)`` without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    exp_x = math.exp(x)
    return exp_x / (1.0 + exp_x)


__all__ = ["Scalar", "zero_grad"]
