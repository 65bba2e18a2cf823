"""``Function.backward_arrays``: a plain backward (``create_graph=False``) runs it on ndarrays
where an op defines it (``engine.input_gradients``). Each one must give the gradients its
Tensor ``backward`` gives, which a backward with ``create_graph=True`` runs: both are compared
here for every op that has one, with broadcasting, numbers as operands and inputs that take
no gradient; a test fails for an op with a ``backward_arrays`` not listed here."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Function
from autograd_core.ops import elementwise, reduce, shape

# op class -> (function of the inputs, input shapes, which inputs require grad)
CASES = {
    elementwise.Add: (lambda a, b: a + b, [(3, 4), (4,)], [True, True]),
    elementwise.Sub: (lambda a, b: a - b, [(3, 1), (3, 4)], [True, True]),
    elementwise.Mul: (lambda a, b: a * b * 2.5, [(2, 3), (1, 3)], [True, False]),
    elementwise.Div: (lambda a, b: 1.5 / a + a / b, [(2, 3), (3,)], [True, True]),
    elementwise.Neg: (lambda a: -a, [(4,)], [True]),
    elementwise.Exp: (lambda a: a.exp(), [(2, 2)], [True]),
    elementwise.Log: (lambda a: (a * a + 1).log(), [(3,)], [True]),
    elementwise.Sqrt: (lambda a: (a * a + 1).sqrt(), [(3,)], [True]),
    elementwise.Tanh: (lambda a: a.tanh(), [(2, 3)], [True]),
    elementwise.Sigmoid: (lambda a: a.sigmoid(), [(5,)], [True]),
    elementwise.Relu: (lambda a: a.relu(), [(4, 5)], [True]),
    reduce.Sum: (lambda a: a.sum(1) * a.sum() + a.sum((0, 1), keepdim=True), [(40, 30)], [True]),
    reduce.Mean: (lambda a: a.mean(0) + a.mean(), [(3, 4)], [True]),
    shape.Reshape: (lambda a: a.reshape(6, 2) * 3, [(3, 4)], [True]),
    shape.Permute: (lambda a: a.permute(2, 0, 1) * 3, [(2, 3, 4)], [True]),
    shape.BroadcastTo: (lambda a: a.expand(3, 4) * 3, [(1, 4)], [True]),
    shape.GetItem: (lambda a: a[1:, ::2] * 3, [(3, 4)], [True]),
    shape.Index: (lambda a: a[np.array([0, 2, 0])] * 3, [(3, 4)], [True]),
    shape.Clone: (lambda a: a.clone() * 3, [(3,)], [True]),
}


def _ops_with_backward_arrays() -> set:
    """The engine's ops that have one (``nn``'s test theirs beside their layers)."""
    found, stack = set(), [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__dict__.get("backward_arrays") is not None and sub.__module__.startswith("autograd_core."):
                found.add(sub)
    return found


def test_every_op_with_backward_arrays_is_compared_here():
    missing = sorted(f"{op.__module__}.{op.__qualname__}" for op in _ops_with_backward_arrays() - set(CASES))
    assert not missing, f"ops with a backward_arrays but no case in this file's CASES: {missing}"


@pytest.mark.parametrize("op", list(CASES), ids=lambda op: op.__name__)
def test_backward_arrays_gives_what_backward_gives(op):
    function, shapes, requires = CASES[op]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]

    def inputs() -> list:
        return [ag.tensor(a, requires_grad=r) for a, r in zip(arrays, requires)]

    plain = inputs()
    out = function(*plain)
    upstream = ag.tensor(rng.standard_normal(out.shape))
    assert any(type(node) is op for node in _nodes(out)), f"the case does not run {op.__name__}"
    out.backward(upstream)
    recorded = inputs()
    wanted = [t for t in recorded if t.requires_grad]
    expected = ag.grad(function(*recorded), wanted, upstream, create_graph=True)
    for mine, theirs in zip([t for t in plain if t.requires_grad], expected):
        assert mine.grad.dtype == theirs.dtype and mine.grad.shape == theirs.shape
        np.testing.assert_allclose(mine.grad.array, theirs.array, rtol=1e-12, atol=1e-12)


def _nodes(tensor: ag.Tensor) -> list:
    seen, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, Function) and node not in seen:
            seen.append(node)
            stack.extend(node._next)
    return seen


def test_a_plain_backward_hands_hooks_tensors_and_takes_their_replacements():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda grad: seen.append(type(grad)) or grad * 2)
    x.register_hook(lambda grad: seen.append(type(grad)))
    y.sum().backward()
    assert seen == [ag.Tensor, ag.Tensor]
    np.testing.assert_array_equal(x.grad.array, [6.0, 6.0])
