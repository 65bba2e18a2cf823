import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, float_arrays


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_statistics(p, dtype):
    ag.manual_seed(0)
    x = ag.ones(200, 500, dtype=dtype)
    out = F.dropout(x, p)
    assert out.dtype == dtype
    kept = out.array != 0
    assert abs(1 - kept.mean() - p) < 0.01  # 100k draws: std of the rate is < 0.002
    np.testing.assert_allclose(out.array[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(out.array.mean() - 1.0) < 0.03  # inverted dropout keeps the expectation


def test_dropout_gradient_is_the_same_mask():
    ag.manual_seed(1)
    x = ag.tensor(np.random.default_rng(0).standard_normal((6, 7)), requires_grad=True)
    out = F.dropout(x, 0.3)
    out.backward(ag.ones_like(out))
    mask = out.array / x.array
    np.testing.assert_allclose(x.grad.array, mask)
    assert set(np.round(np.unique(mask), 6)) <= {0.0, round(1 / 0.7, 6)}


@settings(max_examples=5)
@given(x=float_arrays(), seed=st.integers(0, 100))
def test_dropout_gradcheck_with_a_fixed_mask(x, seed):
    def op(tensor):
        ag.manual_seed(seed)  # the same mask at every evaluation of the finite differences
        return F.dropout(tensor, 0.4)

    check_op(op, [x])


def test_dropout_is_reproducible_with_manual_seed():
    x = ag.ones(50, 50)
    ag.manual_seed(7)
    first = nn.Dropout(0.5)(x).array
    ag.manual_seed(7)
    second = nn.Dropout(0.5)(x).array
    third = nn.Dropout(0.5)(x).array
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(second, third)


def test_dropout_is_the_identity_in_eval_and_for_p_zero():
    x = ag.randn(4, 5, requires_grad=True)
    layer = nn.Dropout(0.9).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    layer.train()
    assert layer(x) is not x


def test_dropout_p_one_zeroes_everything_with_finite_gradient():
    x = ag.randn(3, 4, requires_grad=True)
    out = F.dropout(x, 1.0)
    out.sum().backward()
    np.testing.assert_array_equal(out.array, 0.0)
    np.testing.assert_array_equal(x.grad.array, 0.0)


def test_dropout_inplace_overwrites_a_non_leaf():
    x = ag.ones(100)
    y = x * 1.0
    ag.manual_seed(3)
    out = nn.Dropout(0.5, inplace=True)(y)
    assert out is y and (y.array == 0).any()
    assert repr(nn.Dropout(0.25, inplace=True)) == "Dropout(p=0.25, inplace=True)"


def test_gaussian_noise_statistics_eval_and_gradient():
    ag.manual_seed(2)
    x = ag.zeros(400, 500, requires_grad=True)
    layer = nn.GaussianNoise(0.5)
    out = layer(x)
    assert out.dtype == np.float32
    assert abs(out.array.mean()) < 0.01 and abs(out.array.std() - 0.5) < 0.01
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, 1.0)
    assert layer.eval()(x) is x
    assert nn.GaussianNoise(0.0)(x) is x
    assert repr(layer) == "GaussianNoise(std=0.5)"
    ag.manual_seed(9)
    first = nn.GaussianNoise()(x).array
    ag.manual_seed(9)
    np.testing.assert_array_equal(nn.GaussianNoise()(x).array, first)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.Dropout(1.5), ValueError, r"Dropout: probability p must be in \[0, 1\], got 1.5"),
        (lambda: F.dropout(ag.ones(3), -0.1), ValueError, r"dropout: probability p must be in \[0, 1\], got -0.1"),
        (lambda: F.dropout(ag.tensor([1, 2, 3]), 0.5), ag.DtypeError, r"dropout: needs a float tensor, got int64"),
        (lambda: nn.GaussianNoise(-1.0), ValueError, r"GaussianNoise: std must be >= 0, got -1.0"),
        (lambda: nn.GaussianNoise(0.1)(ag.tensor([1, 2])), ag.DtypeError, r"GaussianNoise: needs a float tensor"),
        (lambda: nn.Dropout(0.2)(np.ones(3)), TypeError, r"^Dropout\(p=0.2\): input must be a Tensor, got numpy.nd"),
        (lambda: nn.Dropout().eval()(np.ones(3)), TypeError, r"^Dropout\(p=0.5\): input must be a Tensor"),
        (lambda: F.dropout([1.0], 0.5), TypeError, r"^dropout: input must be a Tensor, got list; wrap it"),
        (lambda: nn.GaussianNoise()(np.ones(3)), TypeError, r"^GaussianNoise: input must be a Tensor, got numpy"),
    ],
)
def test_noise_layer_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_noise_layers_accept_a_0d_tensor():
    x = ag.tensor(2.0, requires_grad=True)
    out = F.dropout(x, 0.5)
    assert out.shape == () and isinstance(out.array, np.ndarray) and out.item() in (0.0, 4.0)
    noisy = nn.GaussianNoise(0.1)(x)
    assert noisy.shape == () and isinstance(noisy.array, np.ndarray) and noisy.dtype == np.float32


# -- alpha dropout ---------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_keeps_zero_mean_and_unit_variance(p):
    ag.manual_seed(0)
    x = ag.tensor(np.random.default_rng(0).standard_normal(200_000))
    out = F.alpha_dropout(x, p, training=True).array
    assert abs(out.mean()) < 0.01 and abs(out.std() - 1) < 0.01
    scale = 1 / np.sqrt((1.7580993408473766**2 * p + 1) * (1 - p))
    dropped = out == -scale * 1.7580993408473766 * (1 - p)  # every dropped element lands on this value
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(out[~dropped], scale * (x.array[~dropped] + 1.7580993408473766 * p))


def test_alpha_dropout_gradient_and_eval_identity():
    ag.manual_seed(1)
    x = ag.tensor(np.random.default_rng(1).standard_normal((50, 4)), requires_grad=True)
    out = F.alpha_dropout(x, 0.3, training=True)
    out.sum().backward()
    scale = 1 / np.sqrt((1.7580993408473766**2 * 0.3 + 1) * 0.7)
    kept = out.array != -scale * 1.7580993408473766 * 0.7
    np.testing.assert_allclose(x.grad.array, np.where(kept, scale, 0.0))
    assert F.alpha_dropout(x, 0.3) is x  # training defaults to False, as PyTorch's
    layer = nn.AlphaDropout(0.3)
    assert layer.eval()(x) is x and F.alpha_dropout(x, 0.0, training=True) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, training=True).array, 0.0)


def test_alpha_dropout_repr_and_errors():
    assert repr(nn.AlphaDropout(0.2)) == "AlphaDropout(p=0.2, inplace=False)"
    with pytest.raises(ValueError, match="AlphaDropout: dropout probability has to be between 0 and 1, but got 1.5"):
        nn.AlphaDropout(1.5)
    with pytest.raises(ValueError, match="alpha_dropout: dropout probability has to be between 0 and 1"):
        F.alpha_dropout(ag.zeros(3), -0.1, training=True)
