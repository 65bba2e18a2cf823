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


# -- trunc_normal_, eye_, dirac_ ----------------------------------------------------------
def _truncated_normal_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) truncated to [a, b] (the textbook formulas)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    mass = cdf(beta) - cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / mass
    variance = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass - shift**2
    return mean + std * shift, std * math.sqrt(variance)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.5, 6.0)])
def test_trunc_normal_stays_in_bounds_with_the_truncated_statistics(mean, std, a, b):
    ag.manual_seed(3)
    weight = init.trunc_normal_(ag.zeros(400, 500), mean=mean, std=std, a=a, b=b)
    values = weight.array
    assert values.dtype == np.float32
    assert values.min() >= np.float32(a) and values.max() <= np.float32(b)
    expected_mean, expected_std = _truncated_normal_moments(mean, std, a, b)
    assert values.mean() == pytest.approx(expected_mean, abs=0.01 * std)
    assert values.std() == pytest.approx(expected_std, rel=0.01)


@requires_torch
def test_trunc_normal_statistics_match_pytorchs():
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.empty(300, 300), mean=0.5, std=1.5, a=-1.0, b=3.0).numpy()
    source = ag.Generator().manual_seed(0)
    ours = init.trunc_normal_(ag.zeros(300, 300), mean=0.5, std=1.5, a=-1.0, b=3.0, generator=source)
    assert ours.array.mean() == pytest.approx(theirs.mean(), abs=0.02)
    assert ours.array.std() == pytest.approx(theirs.std(), rel=0.02)
    for q in (0.01, 0.25, 0.5, 0.75, 0.99):
        assert np.quantile(ours.array, q) == pytest.approx(np.quantile(theirs, q), abs=0.05)


def test_trunc_normal_generator_makes_it_repeat_and_bad_arguments_fail():
    first = init.trunc_normal_(ag.zeros(5, 5), generator=np.random.default_rng(1)).array.copy()
    np.testing.assert_array_equal(first, init.trunc_normal_(ag.zeros(5, 5), generator=np.random.default_rng(1)).array)
    with pytest.raises(ValueError, match="trunc_normal_: the bounds must satisfy a <= b, got a=2, b=1"):
        init.trunc_normal_(ag.zeros(3), a=2, b=1)
    with pytest.raises(ValueError, match="trunc_normal_: std must be positive, got std=0"):
        init.trunc_normal_(ag.zeros(3), std=0)
    with pytest.raises(TypeError, match="trunc_normal_: generator must be an autograd_core.Generator"):
        init.trunc_normal_(ag.zeros(3), generator=0)
    with pytest.warns(UserWarning, match="mean .* is more than 2 std"):
        init.trunc_normal_(ag.zeros(3), mean=10.0)
    assert init.trunc_normal_(ag.zeros(0, 3)).shape == (0, 3)


@requires_torch
@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye_matches_pytorch(shape):
    expected = torch.nn.init.eye_(torch.empty(shape)).numpy()
    np.testing.assert_array_equal(init.eye_(ag.zeros(*shape)).array, expected)


def test_eye_takes_only_matrices():
    with pytest.raises(ValueError, match=r"eye_: only tensors with 2 dimensions are supported, got shape \(3,\)"):
        init.eye_(ag.zeros(3))
    with pytest.raises(ValueError, match="only tensors with 2 dimensions"):
        init.eye_(ag.zeros(2, 2, 2))


@requires_torch
@pytest.mark.parametrize(
    "shape, groups", [((4, 2, 3), 1), ((4, 2, 3), 2), ((3, 5, 3, 3), 1), ((6, 2, 2, 4), 3), ((2, 3, 3, 3, 3), 1)]
)
def test_dirac_matches_pytorch(shape, groups):
    expected = torch.nn.init.dirac_(torch.empty(shape), groups=groups).numpy()
    np.testing.assert_array_equal(init.dirac_(ag.zeros(*shape), groups=groups).array, expected)


def test_dirac_convolution_passes_its_input_through_and_bad_shapes_fail():
    from nn.conv import Conv2d

    conv = Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = ag.randn(2, 3, 5, 5)
    np.testing.assert_allclose(conv(x).array, x.array, atol=1e-6)
    with pytest.raises(ValueError, match=r"dirac_: only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(ag.zeros(3, 3))
    with pytest.raises(ValueError, match="dirac_: dim 0 must be divisible by groups, got size 3 and groups=2"):
        init.dirac_(ag.zeros(3, 2, 3), groups=2)


@pytest.mark.parametrize("shape, sparsity", [((10, 7), 0.3), ((5, 4), 0.0), ((6, 3), 1.0), ((9, 2), 0.5)])
def test_sparse_zeroes_ceil_sparsity_rows_in_every_column(shape, sparsity):
    ag.manual_seed(0)
    weight = init.sparse_(ag.zeros(*shape), sparsity, std=0.5)
    zeros_per_column = (weight.array == 0).sum(0)
    np.testing.assert_array_equal(zeros_per_column, math.ceil(sparsity * shape[0]))
    assert weight.dtype == np.float32


def test_sparse_values_are_normal_with_std_and_the_zero_rows_differ_per_column():
    weight = init.sparse_(ag.zeros(400, 300), 0.25, std=0.2, generator=np.random.default_rng(1))
    kept = weight.array[weight.array != 0]
    assert abs(kept.std() - 0.2) < 0.003 and abs(kept.mean()) < 0.003
    patterns = {tuple(np.flatnonzero(weight.array[:, column] == 0)) for column in range(300)}
    assert len(patterns) == 300
    again = init.sparse_(ag.zeros(400, 300), 0.25, std=0.2, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(again.array, weight.array)


@requires_torch
def test_sparse_zero_counts_match_pytorchs_and_bad_arguments_fail():
    theirs = torch.nn.init.sparse_(torch.empty(8, 5), 0.4)
    ours = init.sparse_(ag.zeros(8, 5), 0.4)
    np.testing.assert_array_equal((ours.array == 0).sum(0), (theirs.numpy() == 0).sum(0))
    with pytest.raises(ValueError, match=r"sparse_: only tensors with 2 dimensions are supported"):
        init.sparse_(ag.zeros(2, 3, 4), 0.1)
    with pytest.raises(ValueError, match=r"sparse_: sparsity is the fraction of zeros"):
        init.sparse_(ag.zeros(2, 3), 1.5)
