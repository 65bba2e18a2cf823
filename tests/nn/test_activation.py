import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import ShapeError
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
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU(), []),
    (lambda: nn.Mish(), lambda: torch.nn.Mish(), []),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6(), [0.0, 6.0]),
    (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh(), [-1.0, 1.0]),
    (lambda: nn.Hardtanh(-0.5, 2.0), lambda: torch.nn.Hardtanh(-0.5, 2.0), [-0.5, 2.0]),
    (lambda: nn.Hardswish(), lambda: torch.nn.Hardswish(), [-3.0, 3.0]),
    (lambda: nn.Hardsigmoid(), lambda: torch.nn.Hardsigmoid(), [-3.0, 3.0]),
    (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid(), []),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign(), [0.0]),
    (lambda: nn.SELU(), lambda: torch.nn.SELU(), [0.0]),
    (lambda: nn.CELU(), lambda: torch.nn.CELU(), [0.0]),
    (lambda: nn.CELU(alpha=0.5), lambda: torch.nn.CELU(alpha=0.5), [0.0]),
    (lambda: nn.Softmin(dim=-1), lambda: torch.nn.Softmin(dim=-1), []),
    (lambda: nn.GLU(dim=0), lambda: torch.nn.GLU(dim=0), []),
    (lambda: nn.Threshold(0.1, 20.0), lambda: torch.nn.Threshold(0.1, 20.0), [0.1]),
    (lambda: nn.Tanhshrink(), lambda: torch.nn.Tanhshrink(), []),
    (lambda: nn.Hardshrink(), lambda: torch.nn.Hardshrink(), [-0.5, 0.5]),
    (lambda: nn.Softshrink(1.2), lambda: torch.nn.Softshrink(1.2), [-1.2, 1.2]),
    (lambda: nn.RReLU(0.1, 0.4).eval(), lambda: torch.nn.RReLU(0.1, 0.4).eval(), [0.0]),  # eval: the mean slope
]
# modules whose input needs a shape of their own: GLU halves its dim (so it must be even)
EVEN_FIRST_DIM = ("GLU",)


def _draw_input(data, make_ours, kinks):
    shape = data.draw(shapes(min_dims=1))
    if type(make_ours()).__name__ in EVEN_FIRST_DIM:
        shape = (2 * shape[0],) + tuple(shape[1:])
    return data.draw(float_arrays(shape, low=-3.0, high=3.0, away_from=kinks))


@settings(max_examples=4)
@pytest.mark.parametrize("index", range(len(MODULES)))
@given(data=st.data())
def test_activation_module_gradients_and_parity_float64(index, data):
    make_ours, make_theirs, kinks = MODULES[index]
    x = _draw_input(data, make_ours, kinks)
    check_op(make_ours(), [x], make_theirs() if torch else None)


@requires_torch
@pytest.mark.parametrize("index", range(len(MODULES)))
def test_activation_modules_match_pytorch_in_float32_and_repr(index):
    make_ours, make_theirs, _ = MODULES[index]
    x = np.random.default_rng(index).uniform(-7, 7, (4, 6)).astype(np.float32)
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


# -- the activations added for PyTorch parity: edges, errors, reprs, PReLU's weight ------------
@requires_torch
@pytest.mark.parametrize(
    "name, arguments",
    [("hardtanh", (-1.0, 1.0)), ("relu6", ()), ("hardswish", ()), ("hardsigmoid", ()), ("threshold", (1.0, 5.0)),
     ("softsign", ())],
)
def test_gradients_on_the_kinks_match_pytorch(name, arguments):
    x = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 7.0, -30.0, 30.0], dtype=np.float32)
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    compare_with_torch(
        lambda t: ours(t, *arguments), lambda t: theirs(t, *arguments), [x], [True],
        value_rtol=1e-6, value_atol=1e-6, grad_rtol=1e-6, grad_atol=1e-7,
    )
    weight = np.array([0.3], dtype=np.float32)  # prelu at 0 takes the slope's side, as PyTorch
    compare_with_torch(F.prelu, torch.nn.functional.prelu, [x, weight], [True, True])


@requires_torch
def test_logsigmoid_and_mish_stay_finite_and_match_pytorch_far_out():
    x = np.array([-1000.0, -50.0, -20.5, 0.0, 20.5, 50.0, 1000.0])
    compare_with_torch(F.logsigmoid, torch.nn.functional.logsigmoid, [x], [True])
    compare_with_torch(F.mish, torch.nn.functional.mish, [x], [True])
    compare_with_torch(F.selu, torch.nn.functional.selu, [x], [True])


@requires_torch
@pytest.mark.parametrize(
    "make_ours, make_theirs",
    [
        (lambda: nn.ReLU6(inplace=True), lambda: torch.nn.ReLU6(inplace=True)),
        (lambda: nn.Hardtanh(-2, 3, inplace=True), lambda: torch.nn.Hardtanh(-2, 3, inplace=True)),
        (lambda: nn.SiLU(True), lambda: torch.nn.SiLU(True)),
        (lambda: nn.Mish(True), lambda: torch.nn.Mish(True)),
        (lambda: nn.Hardswish(True), lambda: torch.nn.Hardswish(True)),
        (lambda: nn.Hardsigmoid(True), lambda: torch.nn.Hardsigmoid(True)),
        (lambda: nn.SELU(True), lambda: torch.nn.SELU(True)),
        (lambda: nn.CELU(0.5, True), lambda: torch.nn.CELU(0.5, True)),
        (lambda: nn.Threshold(0.1, 20, True), lambda: torch.nn.Threshold(0.1, 20, True)),
        (lambda: nn.Softmin(), lambda: torch.nn.Softmin()),
        (lambda: nn.GLU(), lambda: torch.nn.GLU()),
        (lambda: nn.PReLU(), lambda: torch.nn.PReLU()),
        (lambda: nn.PReLU(3, 0.1), lambda: torch.nn.PReLU(3, 0.1)),
    ],
)
def test_reprs_with_arguments_match_pytorch(make_ours, make_theirs):
    assert repr(make_ours()) == repr(make_theirs())


@requires_torch
@pytest.mark.parametrize("num_parameters, shape", [(1, (4,)), (1, ()), (1, (2, 3, 4)), (3, (2, 3)), (3, (2, 3, 4, 5))])
def test_prelu_learns_its_slopes_like_pytorch(num_parameters, shape):
    from tests.helpers import compare_module_with_torch

    x = np.random.default_rng(0).uniform(-2, 2, shape).astype(np.float32)
    ours, theirs = nn.PReLU(num_parameters, init=0.1), torch.nn.PReLU(num_parameters, init=0.1)
    assert [name for name, _ in ours.named_parameters()] == ["weight"]
    assert ours.weight.shape == (num_parameters,) and ours.weight.dtype == np.float32
    compare_module_with_torch(ours, theirs, [x])


@settings(max_examples=6)
@given(data=st.data(), channels=st.integers(1, 3))
def test_prelu_gradients_float64(data, channels):
    x = data.draw(float_arrays((2, channels, 3), away_from=[0.0]))
    weight = np.linspace(-0.5, 0.5, channels)
    check_op(F.prelu, [x, weight], torch.nn.functional.prelu if torch else None)


def test_new_activation_errors_name_the_op_and_values():
    with pytest.raises(ShapeError, match=r"glu: halving dimension must be even, but dimension 1 is size 3"):
        F.glu(ag.zeros(2, 3), dim=1)
    with pytest.raises(ShapeError, match="glu: does not support scalars"):
        nn.GLU()(ag.tensor(1.0))
    with pytest.raises(ValueError, match="celu: alpha cannot be 0"):
        F.celu(ag.zeros(3), alpha=0.0)
    with pytest.raises(ValueError, match="hardtanh: min_val cannot be greater than max_val, got min_val=2"):
        F.hardtanh(ag.zeros(3), 2.0, 1.0)
    with pytest.raises(ValueError, match=r"Hardtanh: max_val \(1\) must be greater than min_val \(2\)"):
        nn.Hardtanh(2, 1)
    with pytest.raises(ShapeError, match="prelu: mismatch of parameter numbers and input channel size: found 2"):
        F.prelu(ag.zeros(2, 3), ag.zeros(2))
    with pytest.raises(ShapeError, match=r"prelu: expected `weight` to be a scalar or 1-D tensor, got shape \(1, 1\)"):
        F.prelu(ag.zeros(3), ag.zeros(1, 1))
    with pytest.raises(ValueError, match="PReLU: num_parameters must be a positive int, got 0"):
        nn.PReLU(0)


def test_softmin_without_dim_warns_and_takes_the_legacy_dim():
    x = ag.tensor([[1.0, 2.0], [3.0, 5.0]])
    with pytest.warns(UserWarning, match="softmin: implicit dimension choice"):
        values = F.softmin(x)
    np.testing.assert_allclose(values.array, F.softmax(-x, 1).array)
    np.testing.assert_allclose(nn.Softmin()(x).array, values.array)


def test_new_activations_are_exported_where_pytorch_has_them():
    import nn.modules.activation as activation

    for name in ["SiLU", "Mish", "ReLU6", "Hardtanh", "Hardswish", "Hardsigmoid", "LogSigmoid", "Softsign", "SELU",
                 "CELU", "Softmin", "GLU", "Threshold", "Tanhshrink", "PReLU"]:
        assert getattr(activation, name) is getattr(nn, name)
    for name in ["silu", "mish", "relu6", "hardtanh", "hardswish", "hardsigmoid", "logsigmoid", "softsign", "selu",
                 "celu", "softmin", "glu", "threshold", "tanhshrink", "prelu"]:
        assert name in F.__all__ and callable(getattr(F, name))
