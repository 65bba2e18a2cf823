"""Backward stepping: one Traversal pop/push per step, gradients equal to backward()'s
after the last step, what each step reports, and the text/HTML/widget views."""
from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.scalar import Scalar
from autograd_core.viz import backward_steps
from autograd_core.viz.dot import COLORS
from autograd_core.viz.stepping import BackwardSteps, Step


def scalar_network(values: list[float]) -> tuple[Scalar, list[Scalar]]:
    x, y, z = (Scalar(value, label=name) for value, name in zip(values, "xyz"))
    shared = (x * y + z).tanh()
    shared.label = "shared"
    loss = shared * shared + (shared - x).sigmoid() * z + (y * 0.5).exp()
    loss.label = "loss"
    return loss, [x, y, z]


def tensor_network(arrays: list[np.ndarray]) -> tuple[ag.Tensor, list[ag.Tensor]]:
    weight, bias, scale = (ag.from_numpy(array.copy()).requires_grad_() for array in arrays)
    inputs = ag.from_numpy(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
    hidden = (inputs @ weight + bias).tanh()  # bias broadcast over the batch
    loss = (hidden * scale).sum() + (hidden**2).mean()  # hidden used twice
    return loss, [weight, bias, scale]


@given(st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_scalar_steps_end_with_exactly_backwards_gradients(values):
    loss, leaves = scalar_network(values)
    steps = backward_steps(loss)
    assert not steps.done and steps.steps == []
    taken = 0
    while steps.next() is not None:
        taken += 1
    assert steps.done and taken == steps.total == len(steps.steps)
    reference, reference_leaves = scalar_network(values)
    reference.backward()
    # the same arithmetic in the same order: equal bit for bit
    assert [leaf.grad for leaf in leaves] == [leaf.grad for leaf in reference_leaves]


def test_tensor_steps_end_with_exactly_backwards_gradients():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((2, 4))]
    loss, leaves = tensor_network(arrays)
    steps = backward_steps(loss).run()
    reference, reference_leaves = tensor_network(arrays)
    reference.backward()
    for leaf, expected in zip(leaves, reference_leaves):
        np.testing.assert_array_equal(leaf.grad.array, expected.grad.array)
    assert steps.done and [step.op for step in steps][:2] == ["Add", "Mean"]


def test_one_step_is_one_node_with_upstream_local_and_received_gradients():
    a, b = Scalar(2.0, label="a"), Scalar(-3.0, label="b")
    product = a * b
    product.label = "product"
    loss = product.tanh()
    steps = backward_steps(loss, gradient=2.0)
    first = steps.next()
    assert isinstance(first, Step) and first.index == 0 and first.node is loss and first.op == "tanh"
    assert first.upstream == 2.0 and first.inputs == (product,)
    assert first.local_grads == pytest.approx((1 - np.tanh(-6.0) ** 2,))
    assert first.input_grads == pytest.approx((2.0 * (1 - np.tanh(-6.0) ** 2),))
    second = steps.next()
    assert second.node is product and second.upstream == first.input_grads[0]
    assert second.local_grads == (-3.0, 2.0) and second.input_grads == (second.upstream * -3.0, second.upstream * 2.0)
    assert a.grad == 0.0  # not reached yet
    steps.run()
    assert a.grad == second.input_grads[0] and b.grad == second.input_grads[1]


def test_tensor_steps_report_fitted_gradients_and_local_derivatives():
    x = ag.tensor([[1.0], [2.0]], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([3.0, 4.0, 5.0], dtype=ag.float64, requires_grad=True)
    steps = backward_steps((x * y).sum(), params={"x": x, "y": y})
    total_step, mul_step = steps.next(), steps.next()
    assert total_step.op == "Sum" and total_step.upstream == 1.0
    assert mul_step.op == "Mul" and mul_step.upstream.shape == (2, 3)
    assert mul_step.inputs == (x, y)
    np.testing.assert_array_equal(mul_step.local_grads[0], [[12.0], [12.0]])  # backward of ones, summed to x's shape
    np.testing.assert_array_equal(mul_step.input_grads[1], [3.0, 3.0, 3.0])
    leaf_steps = steps.run().steps[2:]
    assert {id(step.node) for step in leaf_steps} == {id(x), id(y)} and all(step.op == "" for step in leaf_steps)


def test_tensor_hooks_run_once_and_steps_show_what_the_hooks_made():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    calls = []
    hidden = x * 3.0
    hidden.retain_grad()
    hidden.register_hook(lambda grad: calls.append(grad.array.copy()) or grad * 2)
    x.register_hook(lambda grad: grad * 10)
    steps = backward_steps(hidden.sum()).run()
    assert len(calls) == 1
    np.testing.assert_array_equal(x.grad.array, [60.0, 60.0])  # both hooks' replacements, as backward() does
    np.testing.assert_array_equal(hidden.grad.array, [2.0, 2.0])  # retained after the hook, as backward() does
    mul_step = next(step for step in steps if step.op == "Mul")
    np.testing.assert_array_equal(mul_step.upstream, [2.0, 2.0])  # what the node propagated: after its hook
    np.testing.assert_array_equal(mul_step.local_grads[0], [3.0, 3.0])  # the op's own derivative, hooks aside
    np.testing.assert_array_equal(mul_step.input_grads[0], [6.0, 6.0])
    leaf_step = next(step for step in steps if step.node is x)
    np.testing.assert_array_equal(leaf_step.upstream, [60.0, 60.0])
    reference = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    reference_hidden = reference * 3.0
    reference_hidden.register_hook(lambda grad: grad * 2)
    reference.register_hook(lambda grad: grad * 10)
    reference_hidden.sum().backward()
    np.testing.assert_array_equal(x.grad.array, reference.grad.array)


def test_stepping_takes_the_engines_step_and_no_private_engine_function():
    import inspect

    from autograd_core.viz import stepping

    source = inspect.getsource(stepping)
    assert "engine.backward_step(" in source
    assert "engine._" not in source and "from ..engine import _" not in source


def test_iterating_and_indexing():
    loss, _ = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    steps.next()
    listed = list(steps)  # runs the rest, starting from the first step
    assert len(listed) == steps.total and listed[0] is steps[0] and steps.done
    assert steps.next() is None
    assert repr(steps) == f"<BackwardSteps: {steps.total} of {steps.total} steps taken>"


def test_gradients_known_so_far():
    loss, (x, y, z) = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    steps.next()
    assert steps.gradients() == {loss: 1.0}
    steps.run()
    known = steps.gradients()
    assert known[x] == x.grad and len(known) == steps.total
    assert steps.gradients(0) == {loss: 1.0}


def test_text_table_has_a_row_per_step():
    loss, _ = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    steps.next()
    steps.next()
    text = str(steps)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["step", "node", "op"] and "each input received" in lines[0]
    assert len(lines) == 2 + 2 + 1  # header, rule, two steps, footer
    assert lines[2].startswith("1") and "loss" in lines[2] and "<-" in lines[2]
    assert lines[-1] == f"2 of {steps.total} steps taken"
    assert steps.table(upto=0).count("\n") == 3


def test_text_table_names_tensor_parameters():
    weight = ag.ones(2, 2, requires_grad=True)
    steps = backward_steps((weight * 2.0).sum(), params={"encoder.weight": weight}).run()
    assert "encoder.weight" in steps.table() and "Mul (2, 2)" in steps.table()


def test_html_table():
    from autograd_core.viz.views import html_table

    loss, _ = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    steps.next()
    page = html_table(steps)
    assert page.startswith("<table>") and page.count("<tr") == 2 and "&lt;-" in page


def test_drawing_a_step_highlights_it_and_shows_the_gradients_so_far():
    loss, (x, y, z) = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    assert "0 of" in steps.draw().source  # nothing taken yet: a plain drawing
    steps.next()
    source = steps.draw().source
    assert COLORS["highlight"] in source and COLORS["sent"] in source
    assert "grad &middot;" in source  # nodes not reached yet
    assert f"backward step 1 of {steps.total}" in source
    steps.run()
    assert "grad &middot;" not in steps.draw().source
    assert "rankdir=TB" in steps.draw(0, rankdir="TB").source


def test_widget_falls_back_to_the_table_without_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails
    loss, _ = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    view = steps.widget()
    assert view is steps and steps.done and "agcStepper(" in view._repr_html_()  # shown as the stepper page


def test_widget_with_ipywidgets():
    ipywidgets = pytest.importorskip("ipywidgets", reason="ipywidgets is optional and not installed")
    loss, _ = scalar_network([0.1, 0.2, 0.3])
    steps = backward_steps(loss)
    view = steps.widget()
    assert isinstance(view, ipywidgets.VBox)
    controls, page = view.children
    previous, slider, following = controls.children
    assert (slider.min, slider.value, slider.max) == (1, 1, steps.total) and "<table>" in page.value
    assert f"<caption>backward step 1 of {steps.total}</caption>" in page.value
    following.click()
    assert slider.value == 2 and f"backward step 2 of {steps.total}" in page.value
    assert f"{steps.total} of {steps.total} steps taken" not in page.value  # the caption follows the slider
    previous.click()
    previous.click()  # stops at the first step
    assert slider.value == 1


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: backward_steps(3.0), TypeError, ["backward_steps", "Scalar or a Tensor", "float"]),
        (lambda: backward_steps(ag.ones(2)), ag.GraphError, ["backward_steps", "does not require grad"]),
        (lambda: backward_steps(ag.ones(2, requires_grad=True)), ag.GraphError, ["backward_steps", "shape (2,)"]),
    ],
)
def test_bad_roots_are_explained(make, error, words):
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_backward_steps_is_a_backward_steps():
    assert isinstance(backward_steps(Scalar(1.0)), BackwardSteps)
