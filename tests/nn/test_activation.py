import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

# (our module, PyTorch's module, kinks to keep inputs away from)
MODULES = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU(), [0.0]),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2), [0.0]),
    (lambda: nn.ELU(alpha=0.7), lambda: torch.nn.ELU(alpha=0.7), [0.0]),
    (lambda: nn.GELU(), lambda: torch.nn.GELU(), []),
    (lambda: nn.GELU(approximate="tanh"), lambda: torch.nn.GELU(approximate="tanh"), []),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid(), []),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh(), []),
    (lambda: nn.Softplus(beta=2.0, threshold=3.0), lambda: torch.nn.Softplus(beta=2.0, threshold=3.0), [1.5]),
    (lambda: nn.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1), []),
    (lambda: nn.LogSoftmax(dim=0), lambda: torch.nn.LogSoftmax(dim=0), []),
]


@settings(max_examples=4)
@pytest.mark.parametrize("index", range(len(MODULES)))
@given(data=st.data())
def test_activation_module_gradients_and_parity_float64(index, data):
    make_ours, make_theirs, kinks = MODULES[index]
    x = data.draw(float_arrays(data.draw(shapes(min_dims=1)), low=-3.0, high=3.0, away_from=kinks))
    check_op(make_ours(), [x], make_theirs() if torch else None)


@requires_torch
@pytest.mark.parametrize("index", range(len(MODULES)))
def test_activation_modules_match_pytorch_in_float32_and_repr(index):
    make_ours, make_theirs, _ = MODULES[index]
    x = np.random.default_rng(index).uniform(-5, 5, (4, 6)).astype(np.float32)
    tolerances = dict(value_rtol=1e-6, value_atol=1e-6, grad_rtol=1e-5, grad_atol=1e-6)
    compare_with_torch(make_ours(), make_theirs(), [x], [True], **tolerances)
    assert repr(make_ours()) == repr(make_theirs())


@requires_torch
@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_softmax_without_dim_follows_pytorch_legacy_choice(ndim):
    x = np.random.default_rng(ndim).standard_normal((2, 3, 4, 5)[:ndim])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about the implicit dim
        expected = torch.nn.Softmax()(torch.tensor(x)).numpy()
        expected_log = torch.nn.LogSoftmax()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(nn.Softmax()(ag.tensor(x)).array, expected, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax()(ag.tensor(x)).array, expected_log, rtol=1e-12)


def test_inplace_flag_is_accepted_and_shown_like_pytorch():
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.LeakyReLU(0.1, inplace=True)) == "LeakyReLU(negative_slope=0.1, inplace=True)"
    x = ag.tensor([-1.0, 2.0])
    np.testing.assert_allclose(nn.ELU(inplace=True)(x).array, [np.expm1(-1.0), 2.0], rtol=1e-6)


# -- the perceptron's step activations ---------------------------------------------------
@settings(max_examples=8)
@given(x=float_arrays(away_from=[0.0]))
def test_sign_and_step_have_zero_gradient_away_from_zero(x):
    check_op(F.sign, [x], torch.sign if torch else None)
    check_op(F.step, [x])  # torch.heaviside has no derivative: values are compared below


@requires_torch
@pytest.mark.parametrize("value", [0.0, 0.5, 1.0])
def test_step_values_match_torch_heaviside_including_zero(value):
    x = np.array([-2.0, -0.0, 0.0, 1e-9, 3.0], dtype=np.float32)
    expected = torch.heaviside(torch.tensor(x), torch.tensor(value)).numpy()
    np.testing.assert_array_equal(F.step(ag.tensor(x), value).array, expected)
    np.testing.assert_array_equal(nn.Step(value)(ag.tensor(x)).array, expected)
    np.testing.assert_array_equal(nn.Sign()(ag.tensor(x)).array, torch.sign(torch.tensor(x)).numpy())


def test_sign_and_step_record_a_node_whose_gradient_is_zero():
    x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    (F.sign(x) * 3.0 + nn.Step()(x)).sum().backward()
    assert F.sign(x).grad_fn.name() == "SignFunctionBackward"
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])


def test_straight_through_passes_gradient_where_abs_x_at_most_one():
    x = ag.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    nn.Sign(straight_through=True)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    x.grad = None
    out = nn.Step(straight_through=True)(x)
    np.testing.assert_array_equal(out.array, [0, 0, 0, 0, 1, 1, 1])
    out.backward(ag.tensor(np.arange(7.0, dtype=np.float32)))
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0])
    assert repr(nn.Step(straight_through=True)) == "Step(value=0.0, straight_through=True)"


def test_a_perceptron_learns_and_with_the_straight_through_step():
    inputs = ag.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = ag.tensor([[0.0], [0.0], [0.0], [1.0]])
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Step(straight_through=True))
    for _ in range(50):
        loss = ((model(inputs) - targets) ** 2).mean()
        model.zero_grad()
        loss.backward()
        for parameter in model.parameters():
            parameter.array -= 0.5 * parameter.grad.array
    np.testing.assert_array_equal(model(inputs).array, targets.array)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match=r"GELU: approximate must be 'none' or 'tanh', got 'fast'"):
        nn.GELU("fast")
