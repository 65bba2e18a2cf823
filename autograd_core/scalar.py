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
``Tensor.backward`` and backward stepping drive), run by ``engine.backward_numbers``,
its specialisation to numbers; it is iterative, so a chain of a million Scalars
backpropagates. A node holds no closure and no reference back to its users, so a
graph is freed by reference counting as soon as the last Scalar of it is dropped.

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
from typing import Any, Iterable

import numpy as np

from .engine import Traversal, backward_numbers
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
    derivatives ``_da = d out/d a`` and ``_db = d out/d b`` as numbers. ``_deps``
    (0 between passes) and ``_g`` (set when a pass first reaches the node) are the
    backward pass's bookkeeping, see ``engine.backward_numbers``.
    ``Scalar(other_scalar)`` is a new leaf with the same value (cut from the graph).
    """

    # ``_label`` is left unset on op results until a label is given: the cyclic GC visits
    # every set slot of every Scalar it scans, and a training step makes tens of thousands
    __slots__ = ("data", "grad", "_label", "_op", "_a", "_b", "_da", "_db", "_g", "_deps")
    __array_ufunc__ = None  # so NumPy numbers and arrays defer to Scalar's reflected operators

    def __init__(self, value: Scalarlike, label: str | None = None) -> None:
        if isinstance(value, Scalar):
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
        return _children(self)[: (self._a is not None) + (self._b is not None)]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``d self / d input`` for each of ``inputs``, as recorded by the op."""
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

    # -- autograd ------------------------------------------------------------------
    def backward(self, gradient: Scalarlike = 1.0, retain_graph: bool | None = None) -> None:
        """Add d(self)/d(x) (times ``gradient``) into ``x.grad`` for every Scalar x in the graph.

        The graph is walked in ``engine.Traversal``'s order (Kahn's algorithm, no
        recursion) by ``engine.backward_numbers``, so each node propagates once, with
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


def propagate(node: Scalar, upstream: float) -> tuple[float, float]:
    """One backward step: accumulate ``upstream`` into ``node.grad`` and return the
    gradient each input receives (``upstream * local derivative``, the chain rule)."""
    node.grad += upstream
    return upstream * node._da, upstream * node._db


def zero_grad(scalars: Iterable[Scalar]) -> None:
    """Set ``.grad`` to 0 for each of ``scalars`` (e.g. a model's parameters)."""
    for scalar in scalars:
        scalar.grad = 0.0


#: ``Traversal``'s view of the graph: a node's inputs (None where it has fewer than two)
_children = operator.attrgetter("_a", "_b")
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


def _constant(value: Any) -> Any:
    """A number operand as a constant leaf Scalar; NotImplemented for anything else."""
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
