"""``Dropout2d`` and ``dropout2d`` (``nn/dropout2d.py``): whole-channel masks, seeding, modes, reprs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


@requires_torch
@pytest.mark.parametrize("args, kwargs", [((), {}), ((0.2,), dict(inplace=True))])
def test_repr_reads_like_torch(args, kwargs):
    assert repr(nn.Dropout2d(*args, **kwargs)) == repr(torch.nn.Dropout2d(*args, **kwargs))


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    ag.manual_seed(0)
    x = ag.ones(8, 16, 3, 3)
    out = nn.Dropout2d(p=0.25)(x).array
    per_channel = out.reshape(8, 16, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # each channel all kept or all dropped
    assert set(np.unique(per_channel).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    kept = (per_channel[:, :, 0] > 0).mean()
    assert 0.6 < kept < 0.9  # 128 draws around 0.75
    assert out.dtype == np.float32


def test_dropout2d_gradient_is_the_same_mask():
    ag.manual_seed(1)
    x = ag.randn(4, 6, 2, 2, requires_grad=True)
    out = F.dropout2d(x, 0.5)
    out.sum().backward()
    mask = out.array / np.where(x.array == 0, 1, x.array)
    np.testing.assert_allclose(x.grad.array, mask, rtol=1e-5)


def test_dropout2d_is_seeded_and_the_identity_in_eval_mode():
    layer = nn.Dropout2d()
    x = ag.randn(4, 5, 3, 3)
    ag.manual_seed(7)
    first = layer(x).array
    ag.manual_seed(7)
    np.testing.assert_array_equal(layer(x).array, first)
    layer.eval()
    assert layer(x) is x
    assert F.dropout2d(x, 0.5, training=False) is x


def test_dropout2d_p_zero_and_one_and_three_d_input():
    x = ag.randn(2, 3, 4)  # (N, C, L): one draw per (sample, channel), as PyTorch
    assert F.dropout2d(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout2d(x, 1.0).array, np.zeros((2, 3, 4)))
    out = F.dropout2d(x, 0.5).array
    assert np.all((out == 0).all(axis=2) | (out != 0).all(axis=2))


def test_dropout2d_inplace_overwrites_the_input():
    ag.manual_seed(3)
    x = ag.ones(2, 8, 2, 2)
    out = nn.Dropout2d(0.5, inplace=True)(x)
    assert out is x and set(np.unique(x.array)) <= {0.0, 2.0}


@pytest.mark.parametrize("p", [-0.1, 1.5, "half"])
def test_dropout2d_rejects_a_p_outside_zero_one(p):
    with pytest.raises(ValueError, match="Dropout2d: p is a probability"):
        nn.Dropout2d(p)
    with pytest.raises(ValueError, match="dropout2d: p is a probability"):
        F.dropout2d(ag.ones(1, 1, 2, 2), p)


def test_dropout2d_rejects_inputs_without_channels():
    with pytest.raises(ag.ShapeError, match="dropout2d: expected a 4-d .* got shape \\(3, 4\\); use dropout"):
        F.dropout2d(ag.ones(3, 4), 0.5)


# -- Dropout1d -------------------------------------------------------------------------
@requires_torch
def test_dropout1d_repr_reads_like_torch():
    assert repr(nn.Dropout1d(0.3)) == repr(torch.nn.Dropout1d(0.3))


@pytest.mark.parametrize("shape", [(40, 30, 6), (300, 6)])
def test_dropout1d_zeroes_whole_channels_scales_the_rest_and_passes_the_mask_back(shape):
    ag.manual_seed(2)
    x = ag.tensor(np.ones(shape), requires_grad=True)
    out = F.dropout1d(x, 0.25)
    rows = out.array.reshape(-1, shape[-1])
    assert set(np.unique(rows)) <= {0.0, 1 / 0.75}
    assert (rows == rows[:, :1]).all()  # a channel is dropped whole
    assert abs((rows[:, 0] == 0).mean() - 0.25) < 0.06
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, out.array)
    layer = nn.Dropout1d(0.25)
    assert layer.eval()(x) is x


def test_dropout1d_errors():
    with pytest.raises(ag.ShapeError, match=r"dropout1d: expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(ag.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"dropout1d: dropout probability has to be between 0 and 1, but got 2"):
        F.dropout1d(ag.zeros(2, 3), 2)
    with pytest.raises(ValueError, match=r"Dropout1d: dropout probability"):
        nn.Dropout1d(-0.5)
