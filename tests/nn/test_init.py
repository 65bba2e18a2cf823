import math

import numpy as np
import pytest

import autograd_core as ag
from nn import init
from nn.containers import Sequential
from nn.linear import Linear
from tests.helpers import requires_torch, torch


@requires_torch
@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3, 3), (5, 7, 2)])
def test_fans_and_gains_match_pytorch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init.calculate_fan_in_and_fan_out(ag.zeros(*shape)) == expected
    for name in ["linear", "sigmoid", "tanh", "relu", "selu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


@pytest.mark.parametrize(
    "function, expected_std",
    [
        (lambda t: init.xavier_uniform_(t), math.sqrt(2.0 / (400 + 300))),
        (lambda t: init.xavier_normal_(t), math.sqrt(2.0 / (400 + 300))),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2.0 / 400)),
        (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(2.0 / 300)),
        (lambda t: init.normal_(t, 0.0, 0.3), 0.3),
    ],
)
def test_distribution_scales(function, expected_std):
    ag.manual_seed(1)
    weight = ag.zeros(300, 400)
    function(weight)
    assert weight.array.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(weight.array.mean()) < 0.01 * expected_std * 10


def test_orthogonal_rows_and_columns():
    for shape in [(6, 4), (4, 6)]:
        weight = init.orthogonal_(ag.zeros(*shape), gain=2.0)
        small = min(shape)
        product = weight.array @ weight.array.T if shape[0] < shape[1] else weight.array.T @ weight.array
        np.testing.assert_allclose(product, 4.0 * np.eye(small), atol=1e-5)


def test_init_is_reproducible_with_manual_seed():
    ag.manual_seed(7)
    first = Linear(5, 5).weight.array.copy()
    ag.manual_seed(7)
    np.testing.assert_array_equal(first, Linear(5, 5).weight.array)


def test_lsuv_gives_unit_variance_outputs_in_a_deep_net():
    ag.manual_seed(0)
    layers = [Linear(32, 32) for _ in range(8)]
    model = Sequential(*[m for layer in layers for m in (layer, _Tanh())])
    batch = ag.randn(256, 32) * 5.0
    init.lsuv_(model, batch, tol=0.05)
    outputs = []
    handles = [layer.register_forward_hook(lambda m, a, out: outputs.append(out.array.var())) for layer in layers]
    model(batch)
    for handle in handles:
        handle.remove()
    assert all(abs(variance - 1.0) < 0.05 for variance in outputs), outputs


def test_lsuv_needs_a_layer_with_weights():
    with pytest.raises(ValueError, match="lsuv_: the model has no layer"):
        init.lsuv_(Sequential(_Tanh()), ag.zeros(2, 2))


class _Tanh(Sequential):
    def forward(self, x):
        return x.tanh()


@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (4, 3, 0, 0), (0, 0)])
@pytest.mark.parametrize(
    "function, warns",
    [
        (init.kaiming_uniform_, True),
        (init.kaiming_normal_, True),
        (init.xavier_uniform_, False),
        (init.xavier_normal_, False),
        (init.orthogonal_, False),
        (lambda t: init.uniform_(t, -1, 1), False),
    ],
)
def test_zero_element_tensors_are_left_alone_as_in_pytorch(shape, function, warns):
    """PyTorch's kaiming initialisers warn and return (its Linear(0, 3) builds); none divides by a zero fan."""
    tensor = ag.zeros(*shape)
    if warns:
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert function(tensor) is tensor
    else:
        assert function(tensor) is tensor
    assert tensor.shape == shape
