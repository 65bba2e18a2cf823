"""F.unfold / F.fold and nn.Unfold / nn.Fold (nn/fold.py): gradients over drawn geometries,
PyTorch parity, the adjoint relation, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_module_with_torch, float_arrays, requires_torch, torch


@st.composite
def geometries(draw):
    """kernel, dilation, padding, stride and an image size with at least one block."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 3)) for k, d, p in zip(kernel, dilation, padding)
    )
    return kernel, dilation, padding, stride, size


def blocks(size, kernel, dilation, padding, stride):
    return [(s + 2 * p - d * (k - 1) - 1) // t + 1 for s, k, d, p, t in zip(size, kernel, dilation, padding, stride)]


@settings(max_examples=25, deadline=None)
@given(data=st.data(), geometry=geometries(), batched=st.booleans())
def test_unfold_gradients_and_parity(data, geometry, batched):
    kernel, dilation, padding, stride, size = geometry
    x = data.draw(float_arrays(((2,) if batched else ()) + (2,) + size))
    options = {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}
    check_op(lambda t: F.unfold(t, **options), [x],
             (lambda t: torch.nn.functional.unfold(t, **options)) if torch else None)


@settings(max_examples=25, deadline=None)
@given(data=st.data(), geometry=geometries(), batched=st.booleans())
def test_fold_gradients_and_parity(data, geometry, batched):
    kernel, dilation, padding, stride, size = geometry
    count = int(np.prod(blocks(size, kernel, dilation, padding, stride)))
    x = data.draw(float_arrays(((2,) if batched else ()) + (2 * kernel[0] * kernel[1], count)))
    options = {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}
    check_op(lambda t: F.fold(t, size, **options), [x],
             (lambda t: torch.nn.functional.fold(t, size, **options)) if torch else None)


def test_fold_is_the_adjoint_of_unfold():
    rng = np.random.default_rng(0)
    x, options = rng.standard_normal((2, 3, 6, 5)), {"kernel_size": (3, 2), "padding": 1, "stride": (2, 1)}
    columns = F.unfold(ag.tensor(x), **options)
    y = rng.standard_normal(columns.shape)
    # <unfold(x), y> == <x, fold(y)>
    np.testing.assert_allclose((columns.array * y).sum(), (x * F.fold(ag.tensor(y), (6, 5), **options).array).sum())


@requires_torch
@pytest.mark.parametrize("layer, args, kwargs, shape", [
    ("Unfold", (2,), {}, (2, 3, 5, 4)),
    ("Unfold", ((2, 3),), {"padding": 1, "stride": (1, 2), "dilation": (2, 1)}, (2, 3, 6, 7)),
    ("Fold", ((4, 5), (2, 2)), {}, (2, 12, 12)),
    ("Fold", ((5, 5), 3), {"padding": 1, "stride": 2}, (1, 18, 9)),
])
def test_modules_match_pytorch(layer, args, kwargs, shape):
    ours, theirs = getattr(nn, layer)(*args, **kwargs), getattr(torch.nn, layer)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    compare_module_with_torch(ours, theirs, [np.random.default_rng(1).standard_normal(shape).astype(np.float32)])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.unfold(ag.zeros(2, 3), 2), ag.ShapeError, r"unfold: only 3D or 4D input tensors are supported"),
        (lambda: F.unfold(ag.zeros(1, 1, 2, 2), 3), ag.ShapeError,
         r"unfold: given input spatial size \(2, 2\), kernel_size=\(3, 3\).* must be at least one"),
        (lambda: F.unfold(ag.zeros(1, 1, 4, 4), 0), ValueError, r"unfold: kernel_size must be at least 1, got 0"),
        (lambda: F.unfold(ag.zeros(1, 1, 4, 4), 2.5), TypeError, r"unfold: kernel_size must be an int or a pair"),
        (lambda: F.fold(ag.zeros(1, 5, 4), (3, 3), 2), ag.ShapeError,
         r"fold: expected size of input's dimension 1 to be divisible by the product of kernel_size"),
        (lambda: F.fold(ag.zeros(1, 4, 5), (3, 3), 2), ag.ShapeError,
         r"fold: .*number of sliding blocks 2 \* 2 = 4, but got input.size\(2\)=5"),
        (lambda: F.fold(ag.zeros(4), (3, 3), 2), ag.ShapeError, r"fold: expected 2D or 3D"),
    ],
)
def test_errors_name_the_op_and_the_sizes(call, error, message):
    with pytest.raises(error, match=message):
        call()
