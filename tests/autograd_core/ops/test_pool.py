"""Pooling ops (``ops/pool.py``): values and gradients against central differences
(float64, first and second order) and PyTorch, over drawn sizes, kernels, strides,
paddings, dilations and ceil_mode; ties; float32 parity; every error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops import pool
from tests.helpers import check_op, compare_with_torch, requires_torch, torch

if torch is not None:
    import torch.nn.functional as TF


@st.composite
def pool_cases(draw: Any, spatial: int, dilated: bool = False, padded: bool = True, max_pool: bool = False) -> tuple:
    """``(x, kwargs)``: an (N, C, *spatial) or (C, *spatial) float64 array with distinct
    values (so a max pool's argmax is stable under gradcheck's nudges), contiguous or
    not, and a window configuration that fits it."""
    square = draw(st.booleans())  # then kernel_size is passed as one int
    kernel = (draw(st.integers(1, 3)),) * spatial if square else tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(spatial)) if dilated else (1,) * spatial
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    padding = tuple(draw(st.integers(0, k // 2)) if padded else 0 for k in kernel)
    # max pooling: at least one dilated span, so no window lies wholly in the padding (-inf)
    smallest = [span if max_pool else max(1, span - 2 * p) for span, p in zip(spans, padding)]
    sizes = tuple(draw(st.integers(low, low + 4)) for low in smallest)
    lead = draw(st.sampled_from([(2,), (1, 2), (2, 1)]))
    shape = lead + sizes
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = (rng.permutation(int(np.prod(shape))) * 0.1 - 1.0).astype(np.float64)
    if draw(st.booleans()) and len(shape) >= 2:  # a transposed (non-contiguous) view
        array = values.reshape(shape[:-2] + shape[-1:] + shape[-2:-1]).swapaxes(-1, -2)
    else:
        array = values.reshape(shape)
    kwargs: dict = dict(kernel_size=kernel[0] if square else kernel, padding=padding)
    if draw(st.booleans()):
        kwargs["stride"] = stride
    if dilated:
        kwargs["dilation"] = dilation
    kwargs["ceil_mode"] = draw(st.booleans())
    return array, kwargs


def _check(op: Any, torch_op: Any, array: np.ndarray, kwargs: dict, gradgrad: bool = True) -> None:
    check_op(
        lambda x: op(x, **kwargs),
        [array],
        (lambda t: torch_op(t, **kwargs)) if torch is not None else None,
        gradgrad=gradgrad,
    )


@settings(max_examples=12)
@given(pool_cases(spatial=2, dilated=True, max_pool=True))
def test_max_pool2d(case):
    _check(pool.max_pool2d, TF.max_pool2d if torch else None, *case)


@settings(max_examples=8)
@given(pool_cases(spatial=1, dilated=True, max_pool=True))
def test_max_pool1d(case):
    _check(pool.max_pool1d, TF.max_pool1d if torch else None, *case)


@settings(max_examples=12)
@given(pool_cases(spatial=2), st.booleans(), st.sampled_from([None, 2]))
def test_avg_pool2d(case, count_include_pad, divisor_override):
    array, kwargs = case
    kwargs = dict(kwargs, count_include_pad=count_include_pad, divisor_override=divisor_override)
    _check(pool.avg_pool2d, TF.avg_pool2d if torch else None, array, kwargs)


@settings(max_examples=8)
@given(pool_cases(spatial=1), st.booleans())
def test_avg_pool1d(case, count_include_pad):
    array, kwargs = case
    _check(pool.avg_pool1d, TF.avg_pool1d if torch else None, array, dict(kwargs, count_include_pad=count_include_pad))


@settings(max_examples=8)
@given(pool_cases(spatial=2, padded=False), st.sampled_from([1.0, 2.0, 3.0]))
def test_lp_pool2d(case, norm_type):
    array, kwargs = case
    kwargs.pop("padding")
    positive = np.abs(array) + 0.5  # away from 0, where (sum x^p)^(1/p) has an infinite slope
    _check(pool.lp_pool2d, TF.lp_pool2d if torch else None, positive, dict(kwargs, norm_type=norm_type))


@settings(max_examples=8)
@given(pool_cases(spatial=2), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)))
def test_adaptive_avg_pool2d(case, height, width):
    array, _ = case
    _check(
        pool.adaptive_avg_pool2d, TF.adaptive_avg_pool2d if torch else None, array, dict(output_size=(height, width))
    )


@settings(max_examples=6)
@given(pool_cases(spatial=1), st.integers(1, 5))
def test_adaptive_avg_pool1d(case, length):
    array, _ = case
    _check(pool.adaptive_avg_pool1d, TF.adaptive_avg_pool1d if torch else None, array, dict(output_size=length))


@pytest.mark.parametrize(
    "shape, output_size", [((2, 3, 8, 6), (4, 3)), ((2, 3, 8, 6), (3, 4)), ((3, 8, 6), (2, None)), ((2, 4, 5, 5), 1)]
)
def test_adaptive_avg_pool2d_with_equal_windows_and_with_overlapping_ones(shape, output_size):
    """Sizes that divide the input's (equal windows: the reshape-and-mean path, global pooling too)
    and sizes that do not (overlapping windows: the averaging products)."""
    array = np.random.default_rng(3).standard_normal(shape)
    _check(pool.adaptive_avg_pool2d, TF.adaptive_avg_pool2d if torch else None, array, dict(output_size=output_size))


def test_lp_pool_with_infinite_norm_is_max_of_abs():
    x = ag.tensor([[[[1.0, -3.0], [2.0, 0.5]]]])
    assert pool.lp_pool2d(x, float("inf"), 2).item() == 3.0
    assert pool.lp_pool2d(x, float("-inf"), 2).item() == 0.5


@requires_torch
def test_lp_pool_gradient_is_zero_where_a_window_sums_to_zero_like_torch():
    x = np.zeros((1, 1, 2, 4))
    x[0, 0, :, 2:] = [[1.0, -2.0], [0.5, 3.0]]
    compare_with_torch(lambda t: pool.lp_pool2d(t, 2.0, 2), lambda t: TF.lp_pool2d(t, 2.0, 2), [x], [True])


def test_adaptive_avg_pool_one_is_the_global_mean():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 7))
    np.testing.assert_allclose(
        pool.adaptive_avg_pool2d(ag.from_numpy(x), 1).array[..., 0, 0], x.mean(axis=(2, 3)), rtol=1e-12
    )


# -- ties, indices, dtypes ---------------------------------------------------------
@requires_torch
def test_max_pool_ties_route_the_gradient_to_the_first_maximum_like_torch():
    x = np.array([[[[1.0, 2.0, 2.0, 0.0], [2.0, 2.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
    _, indices = pool.max_pool2d(ag.tensor(x, requires_grad=True), 2, 1, return_indices=True)
    _, torch_indices = TF.max_pool2d(torch.tensor(x), 2, 1, return_indices=True)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.array, torch_indices.numpy())
    compare_with_torch(lambda t: pool.max_pool2d(t, 2, 1), lambda t: TF.max_pool2d(t, 2, 1), [x], [True])
    x_tensor = ag.tensor(x, requires_grad=True)
    pool.max_pool2d(x_tensor, 2).sum().backward()
    assert x_tensor.grad.array[0, 0].tolist() == [[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]


@requires_torch
def test_max_pool1d_indices_and_unbatched_input_match_torch():
    x = np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [0.0, -1.0, 4.0, 4.0, 1.0]])
    _, indices = pool.max_pool1d(ag.tensor(x), 2, 1, padding=1, return_indices=True)
    _, expected = TF.max_pool1d(torch.tensor(x), 2, 1, padding=1, return_indices=True)
    np.testing.assert_array_equal(indices.array, expected.numpy())


@requires_torch
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("max_pool2d", dict(kernel_size=2)),
        ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ("avg_pool2d", dict(kernel_size=2)),
        ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)),
        ("lp_pool2d", dict(norm_type=2.0, kernel_size=2)),
        ("adaptive_avg_pool2d", dict(output_size=(3, 5))),
        ("max_pool1d", dict(kernel_size=3, stride=2)),
        ("avg_pool1d", dict(kernel_size=3, stride=2, padding=1)),
    ],
)
def test_float32_values_and_gradients_match_torch(name, kwargs):
    x = np.random.default_rng(3).uniform(0.5, 2.0, size=(2, 3, 9, 10)).astype(np.float32)
    if name.endswith("1d"):
        x = x[:, :, 0]
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, out_torch = getattr(pool, name)(ours, **kwargs), getattr(TF, name)(theirs, **kwargs)
    assert out.dtype == np.float32 and out.shape == tuple(out_torch.shape)
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = np.random.default_rng(4).standard_normal(out.shape).astype(np.float32)
    out.backward(ag.tensor(upstream))
    out_torch.backward(torch.tensor(upstream))
    assert ours.grad.dtype == np.float32
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_max_pool_second_derivative_is_the_gather_of_the_gradient():
    x = ag.tensor(np.random.default_rng(5).permutation(32).reshape(1, 2, 4, 4) * 1.0, requires_grad=True)
    out = pool.max_pool2d(x, 2)
    upstream = ag.tensor(np.random.default_rng(6).standard_normal(out.shape), requires_grad=True)
    (grad_x,) = ag.grad(out, x, upstream, create_graph=True)
    weights = np.random.default_rng(7).standard_normal(x.shape)
    (grad_upstream,) = ag.grad((grad_x * ag.tensor(weights)).sum(), upstream)
    _, indices = pool.max_pool2d(x, 2, return_indices=True)
    expected = np.take_along_axis(weights.reshape(2, 16), indices.array.reshape(2, 4), 1).reshape(out.shape)
    np.testing.assert_allclose(grad_upstream.array, expected)


def test_max_pool_window_wholly_in_padding_gives_minus_infinity_and_no_gradient():
    x = ag.tensor([[[0.25, -0.5]]], requires_grad=True)
    out, indices = pool.max_pool1d(x, 2, 1, padding=1, dilation=3, return_indices=True)
    assert out.array.tolist() == [[[-np.inf]]] and indices.array.tolist() == [[[-1]]]
    (grad,) = ag.grad(out.sum(), x, create_graph=True)
    assert grad.array.tolist() == [[[0.0, 0.0]]]


@requires_torch
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "lp_pool2d", "max_pool1d", "avg_pool1d"])
def test_an_empty_batch_pools_to_an_empty_batch_like_torch(name):
    shape = (0, 2, 6) if name.endswith("1d") else (0, 2, 6, 6)
    x = ag.zeros(*shape, requires_grad=True)
    args = (2.0, 2) if name == "lp_pool2d" else (2,)
    out = getattr(pool, name)(x, *args)
    assert out.shape == tuple(getattr(TF, name)(torch.zeros(*shape), *args).shape)
    (grad,) = ag.grad(out.sum(), x, create_graph=True)
    assert grad.shape == shape


# -- errors ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda x: pool.max_pool2d(x, 5),
            ag.ShapeError,
            [
                "max_pool2d",
                "input size (4, 4)",
                "kernel_size (5, 5)",
                "stride (5, 5)",
                "padding (0, 0)",
                "output size (0, 0)",
            ],
        ),
        (lambda x: pool.avg_pool2d(x, 3, stride=2, padding=0), None, []),
        (
            lambda x: pool.max_pool2d(x, 3, padding=2),
            ValueError,
            ["max_pool2d", "padding (2, 2)", "half", "kernel_size (3, 3)"],
        ),
        (
            lambda x: pool.max_pool2d(x, 3, padding=(1, 2), dilation=2),
            ValueError,
            ["padding (1, 2)", "kernel_size (3, 3)"],
        ),
        (lambda x: pool.max_pool2d(x, 3, padding=1, dilation=2), None, []),
        (lambda x: pool.avg_pool2d(x, 3, padding=2), ValueError, ["avg_pool2d", "padding (2, 2)", "half"]),
        (
            lambda x: pool.avg_pool2d(x, (1, 7), padding=(0, 1)),
            ag.ShapeError,
            ["avg_pool2d", "input size (4, 4)", "kernel_size (1, 7)", "output size (4, 0)"],
        ),
        (lambda x: pool.max_pool2d(x, 2, stride=0), ValueError, ["max_pool2d", "stride must be positive, got 0"]),
        (lambda x: pool.max_pool2d(x, 0), ValueError, ["kernel_size must be positive"]),
        (lambda x: pool.max_pool2d(x, 2, dilation=0), ValueError, ["dilation must be positive"]),
        (lambda x: pool.max_pool2d(x, 2, padding=-1), ValueError, ["padding must be non-negative"]),
        (
            lambda x: pool.max_pool2d(x, (2, 2, 2)),
            ValueError,
            ["max_pool2d", "kernel_size", "tuple of 2 ints", "(2, 2, 2)"],
        ),
        (lambda x: pool.max_pool2d(x, 2.5), TypeError, ["kernel_size", "2.5"]),
        (
            lambda x: pool.max_pool2d(x[0, 0], 2),
            ag.ShapeError,
            ["max_pool2d", "3-d (C, H, W) or 4-d (N, C, H, W)", "(4, 4)"],
        ),
        (lambda x: pool.max_pool1d(x, 2), ag.ShapeError, ["max_pool1d", "(C, L)", "(N, C, L)", "(1, 2, 4, 4)"]),
        (
            lambda x: pool.avg_pool2d(ag.zeros(1, 2, 4, 4, dtype=ag.int64), 2),
            ag.DtypeError,
            ["avg_pool2d", "float32 or float64", "int64"],
        ),
        (lambda x: pool.avg_pool2d(x, 2, divisor_override=0), ValueError, ["divisor_override", "non-zero"]),
        (lambda x: pool.lp_pool2d(x, 0.0, 2), ValueError, ["lp_pool2d", "norm_type must be non-zero"]),
        (
            lambda x: pool.adaptive_avg_pool2d(x, (2, 0)),
            ag.ShapeError,
            ["adaptive_avg_pool2d", "output_size (2, 0)", "at least 1"],
        ),
        (
            lambda x: pool.adaptive_avg_pool2d(x, (2, 2, 2)),
            ValueError,
            ["adaptive_avg_pool2d", "output_size", "(2, 2, 2)"],
        ),
        (lambda x: pool.max_pool2d(x.array, 2), TypeError, ["max_pool2d", "Tensor", "ndarray"]),
    ],
)
def test_errors_name_the_op_and_the_configuration(call, error, words):
    x = ag.zeros(1, 2, 4, 4)
    if error is None:  # the boundary case is accepted (as in PyTorch)
        call(x)
        return
    with pytest.raises(error) as caught:
        call(x)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kernel_size=5),
        dict(kernel_size=3, padding=2),
        dict(kernel_size=3, padding=2, dilation=2),
        dict(kernel_size=2, stride=0),
    ],
)
def test_configurations_we_reject_torch_rejects_too(kwargs):
    with pytest.raises(ValueError):
        pool.max_pool2d(ag.zeros(1, 1, 4, 4), **kwargs)
    with pytest.raises(RuntimeError):
        TF.max_pool2d(torch.zeros(1, 1, 4, 4, requires_grad=True), **kwargs)


# -- output sizes: PyTorch's rule, ceil_mode and inputs smaller than the kernel ---------------
@requires_torch
@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"]),
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_any_geometry_gives_pytorchs_output_or_a_value_error_where_it_refuses(
    name, size, kernel, stride, padding, dilation, ceil_mode, count_include_pad, seed
):
    spatial = 1 if name.endswith("1d") else 2
    kwargs = dict(kernel_size=kernel[-spatial:], stride=stride[-spatial:], padding=padding[-spatial:])
    kwargs["ceil_mode"] = ceil_mode
    if name.startswith("max"):
        kwargs["dilation"] = dilation[-spatial:]
    else:
        kwargs["count_include_pad"] = count_include_pad
    x = np.random.default_rng(seed).permutation(2 * 3 * int(np.prod(size[-spatial:]))).reshape((2, 3) + size[-spatial:])
    x = x.astype(np.float64) * 0.1
    try:
        expected = getattr(TF, name)(torch.tensor(x), **kwargs)
    except RuntimeError:
        with pytest.raises(ValueError):  # ShapeError for an empty output, ValueError for a bad padding
            getattr(pool, name)(ag.tensor(x), **kwargs)
        return
    if name.startswith("max") and not np.isfinite(expected.numpy()).all():
        return  # a window wholly in the padding (-inf): covered by its own test
    assert getattr(pool, name)(ag.tensor(x), **kwargs).shape == tuple(expected.shape)
    compare_with_torch(
        lambda t: getattr(pool, name)(t, **kwargs), lambda t: getattr(TF, name)(t, **kwargs), [x], [True]
    )


@requires_torch
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d"])
def test_under_ceil_mode_an_input_smaller_than_the_kernel_gives_one_window_as_in_pytorch(name):
    shape = (1, 1, 2) if name.endswith("1d") else (1, 1, 2, 2)
    x = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    out = getattr(pool, name)(ag.tensor(x), 3, stride=2, ceil_mode=True)
    expected = getattr(TF, name)(torch.tensor(x), 3, stride=2, ceil_mode=True)
    assert out.shape == tuple(expected.shape) == shape[:2] + (1,) * (len(shape) - 2)
    np.testing.assert_allclose(out.array, expected.numpy())
    with pytest.raises(ag.ShapeError, match="output size"):  # without ceil_mode no window fits, as in PyTorch
        getattr(pool, name)(ag.tensor(x), 3, stride=2)


@requires_torch
@pytest.mark.parametrize("name", pool.__all__)
def test_the_pool_ops_torch_exports_at_top_level_autograd_core_exports_too(name):
    """``torch.max_pool2d`` -> ``autograd_core.max_pool2d`` (as the conv ops); the others live in F only."""
    assert hasattr(ag, name) == hasattr(torch, name)
    assert (name in ag.__all__) == hasattr(torch, name)
    if hasattr(ag, name):
        assert getattr(ag, name) is getattr(pool, name)
