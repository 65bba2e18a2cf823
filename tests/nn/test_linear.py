import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from nn.linear import Linear, LinearFunction
from tests.helpers import check_op, float_arrays, requires_torch, torch


@settings(max_examples=10)
@given(batch=st.sampled_from([(), (3,), (2, 3)]), bias=st.booleans(), data=st.data())
def test_linear_function_gradients(batch, bias, data):
    x = data.draw(float_arrays(batch + (4,)))
    weight = data.draw(float_arrays((5, 4)))
    arrays = [x, weight] + ([data.draw(float_arrays((5,)))] if bias else [])

    def op(*tensors):
        return LinearFunction.apply(tensors[0], tensors[1], tensors[2] if bias else None)

    torch_op = (lambda *t: torch.nn.functional.linear(*t)) if torch is not None else None
    check_op(op, arrays, torch_op)


@requires_torch
def test_linear_matches_pytorch_with_the_same_weights():
    layer = Linear(6, 3)
    reference = torch.nn.Linear(6, 3)
    reference.load_state_dict({k: torch.tensor(v.array) for k, v in layer.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    layer(ours).sum().backward()
    reference(theirs).sum().backward()
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.array, reference.weight.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_default_init_bounds_follow_pytorch():
    ag.manual_seed(0)
    layer = Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.array).max() <= bound and np.abs(layer.bias.array).max() <= bound
    assert np.abs(layer.weight.array).max() > 0.9 * bound  # uses the whole range
    assert layer.weight.dtype == np.float32


def test_wrong_input_width_names_the_layer_and_shapes():
    with pytest.raises(ag.ShapeError, match=r"Linear\(in_features=4, out_features=2\): expected input of shape \(\*, 4\), got \(3, 5\)"):
        Linear(4, 2)(ag.zeros(3, 5))
