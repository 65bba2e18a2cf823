"""Reductions (``ops/reduce.py``): sum, mean, var/std, max/min, logsumexp, argmax/argmin,
softmax and log_softmax, with ``dim`` as None, an int, a negative int or a tuple."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch, torch_function

SMALL = shapes(max_dims=3, max_side=3)


@st.composite
def array_and_dim(draw: Any, tuples: bool = True, none: bool = True) -> tuple[np.ndarray, Any]:
    """A small array and a valid ``dim`` for it: None, an int (maybe negative) or a tuple."""
    array = draw(SMALL.flatmap(float_arrays))
    ndim = array.ndim
    kinds = (["none"] if none else []) + ["int"] + (["tuple"] if tuples and ndim else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return array, None
    if kind == "int":
        return array, draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
    dims = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return array, tuple(d - ndim if draw(st.booleans()) else d for d in dims)


def reduced_count(shape: tuple, dim: Any) -> int:
    if dim is None or not shape:
        return int(np.prod(shape))
    dims = (dim,) if isinstance(dim, int) else dim
    return int(np.prod([shape[d] for d in dims]))


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=10)
@given(case=array_and_dim())
def test_sum_mean(name, keepdim, case):
    array, dim = case
    op = lambda x: getattr(x, name)(dim=dim, keepdim=keepdim)  # noqa: E731  (same call in both engines)
    check_op(op, [array], op)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("correction", [1, 0])
@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=6)
@given(case=array_and_dim())
def test_var_std(name, correction, keepdim, case):
    array, dim = case
    assume(reduced_count(array.shape, dim) > correction + (name == "std"))  # std of one element: sqrt at 0
    op = lambda x: getattr(x, name)(dim=dim, correction=correction, keepdim=keepdim)  # noqa: E731
    check_op(op, [array], op)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_an_empty_dim_tuple_reduces_every_dim_like_pytorch(name, keepdim):
    """(PyTorch 2.13's var/std backward gives inf for dim=(): compared with dim=None instead.)"""
    array = np.arange(6.0).reshape(2, 3) ** 1.5
    check_op(lambda x: getattr(x, name)(dim=(), keepdim=keepdim), [array],
             lambda x: getattr(x, name)(dim=None, keepdim=keepdim))
    if torch is not None:
        expected = getattr(torch.tensor(array), name)(dim=(), keepdim=keepdim)
        np.testing.assert_allclose(getattr(ag.tensor(array), name)(dim=(), keepdim=keepdim).array, expected.numpy())


def test_var_std_default_to_bessels_correction_like_pytorch():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    assert ag.tensor(values).var().item() == pytest.approx(np.var(values, ddof=1))
    assert ag.tensor(values).std().item() == pytest.approx(np.std(values, ddof=1))
    assert ag.std(ag.tensor(values), correction=0).item() == pytest.approx(np.std(values))


@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=10)
@given(case=array_and_dim())
def test_logsumexp(keepdim, case):
    array, dim = case
    dim = tuple(range(array.ndim)) if dim is None else dim  # PyTorch requires a dim
    check_op(lambda x: ag.logsumexp(x, dim, keepdim), [array * 3], lambda x: torch.logsumexp(x, dim, keepdim))


@pytest.mark.parametrize("name", ["max", "min"])
@settings(max_examples=10)
@given(array=SMALL.flatmap(float_arrays))
def test_full_max_min(name, array):
    check_op(lambda x: getattr(x, name)(), [array], lambda x: getattr(x, name)())


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=10)
@given(case=array_and_dim(tuples=False, none=False))
def test_max_min_along_a_dim_return_values_and_indices(name, keepdim, case):
    array, dim = case
    ours = getattr(ag.from_numpy(array), name)(dim, keepdim)
    check_op(lambda x: getattr(x, name)(dim, keepdim).values, [array], lambda x: getattr(x, name)(dim, keepdim).values)
    values, indices = ours
    assert indices.dtype == np.int64 and not indices.requires_grad and values is ours.values
    if torch is not None:
        expected = getattr(torch.from_numpy(array), name)(dim, keepdim)
        np.testing.assert_array_equal(indices.array, expected.indices.numpy())


@requires_torch
@pytest.mark.parametrize("name", ["max", "min"])
def test_full_max_min_share_the_gradient_among_ties_like_pytorch(name):
    values = np.array([[1.0, 3.0, 3.0], [2.0, -1.0, -1.0]])
    compare_with_torch(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), [values], [True])
    x = ag.tensor(values, requires_grad=True)
    getattr(x, name)().backward()
    tied = (1, 2) if name == "max" else (4, 5)
    np.testing.assert_array_equal(np.flatnonzero(x.grad.array), tied)
    assert x.grad.array.sum() == 1.0


@requires_torch
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_min_along_a_dim_with_ties_pick_the_same_index_as_pytorch(name, dim):
    values = np.array([[1.0, 3.0, 3.0], [3.0, 1.0, 1.0], [1.0, 3.0, 1.0]])
    ours, theirs = getattr(ag.tensor(values), name)(dim), getattr(torch.tensor(values), name)(dim)
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    compare_with_torch(lambda x: getattr(x, name)(dim)[0], lambda x: getattr(x, name)(dim)[0], [values], [True])


@requires_torch
@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("keepdim", [False, True])
@given(case=array_and_dim(tuples=False))
def test_argmax_argmin_match_pytorch(name, keepdim, case):
    array, dim = case
    array = np.round(array)  # rounding makes ties: both engines pick the first
    ours = getattr(ag.tensor(array), name)(dim, keepdim)
    theirs = getattr(torch.tensor(array), name)(dim, keepdim)
    assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape) and not ours.requires_grad
    np.testing.assert_array_equal(ours.array, theirs.numpy())


# -- softmax / log_softmax ------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@settings(max_examples=12)
@given(case=array_and_dim(tuples=False, none=False))
def test_softmax_log_softmax(name, case):
    array, dim = case
    check_op(lambda x: getattr(ag, name)(x, dim), [array * 3], lambda x: getattr(torch, name)(x, dim))


def test_softmax_of_known_logits():
    probabilities = ag.softmax(ag.tensor([1.2, 5.1, 2.7]), dim=0)
    np.testing.assert_allclose(probabilities.array, [0.018, 0.90, 0.08], atol=0.002)
    assert probabilities.sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_huge_logits_give_finite_outputs_and_gradients(name, scale, dtype):
    logits = ag.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], dtype=dtype) * scale
    logits = logits.detach().requires_grad_()
    out = getattr(ag, name)(logits, dim=-1)
    (out * ag.tensor([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]], dtype=dtype)).sum().backward()
    assert np.isfinite(out.array).all() and np.isfinite(logits.grad.array).all()
    if torch is not None:
        expected = getattr(torch, name)(torch.tensor(logits.array), dim=-1).numpy()
        np.testing.assert_allclose(out.array, expected, rtol=1e-5)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_logsumexp_of_huge_values_is_finite(scale):
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    out = ag.logsumexp(x * scale, 0)
    out.backward()
    assert np.isfinite(out.item()) and np.isfinite(x.grad.array).all()
    assert out.item() == pytest.approx(scale * (3.0 if scale > 0 else 1.0))


# -- 0-d tensors with a dim (PyTorch accepts dim 0 and -1) ------------------------------
@requires_torch
@pytest.mark.parametrize("dim", [0, -1])
def test_reductions_of_a_0d_tensor_along_dim_0_or_minus_1(dim):
    for call in (
        lambda x: x.sum(dim), lambda x: x.mean(dim, keepdim=True), lambda x: x.max(dim)[0], lambda x: x.min(dim)[0],
        lambda x: x.logsumexp(dim), lambda x: x.softmax(dim), lambda x: x.var(dim, correction=0),
    ):
        compare_with_torch(call, call, [np.array(1.5)], [True])
    assert ag.tensor(1.5).argmax(dim).item() == 0 and ag.tensor(1.5).max(dim).indices.item() == 0


# -- error paths ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, call",
    [
        ("sum", lambda x: x.sum(3)),
        ("mean", lambda x: x.mean((0, -4))),
        ("var", lambda x: x.var(dim=3)),
        ("max", lambda x: x.max(-4)),
        ("argmin", lambda x: x.argmin(5)),
        ("logsumexp", lambda x: x.logsumexp(3)),
        ("softmax", lambda x: x.softmax(3)),
        ("log_softmax", lambda x: x.log_softmax(-4)),
    ],
)
def test_bad_dim_names_the_op_and_the_valid_range(name, call):
    with pytest.raises(
        ag.DimError,
        match=rf"{name}: dim -?\d is out of range for a tensor of shape \(2, 3, 4\) \(3 dims\); use a dim"
        rf" in \[-3, 2\]",
    ):
        call(ag.ones(2, 3, 4))


def test_a_dim_that_is_not_an_int_is_an_error():
    with pytest.raises(ag.DimError, match="sum: dim must be an int, got 1.5"):
        ag.ones(2, 3).sum(1.5)
    with pytest.raises(ag.DimError, match=r"max: dim must be an int, got \(0, 1\)"):
        ag.ones(2, 3).max(dim=(0, 1))


def test_a_dim_named_twice_is_an_error():
    with pytest.raises(ag.DimError, match=r"sum: dim \(1, -1\) names the same dim twice"):
        ag.ones(2, 3).sum((1, -1))


@requires_torch
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("shape, options", [
    ((3, 1), {"dim": 1}), ((), {}), ((0,), {"dim": 0, "keepdim": True}), ((2, 0), {"dim": 1}),
    ((3,), {"correction": 3}), ((2, 3), {"correction": 7}),
])
def test_var_and_std_without_degrees_of_freedom_are_nan_or_inf_with_a_warning_as_pytorch(name, shape, options):
    values = np.arange(float(np.prod(shape))).reshape(shape) * 0.7
    with pytest.warns(UserWarning, match=rf"{name}\(\): degrees of freedom is <= 0 .* use correction=0"):
        ours = getattr(ag.tensor(values), name)(**options)
    expected = getattr(torch.tensor(values), name)(**options).numpy()
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours.array, expected)  # NaN where nothing varies, inf otherwise


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_of_integers_are_refused_as_pytorch(name):
    with pytest.raises(ag.DtypeError, match=rf"{name}: only floating point tensors are supported .* \.float\(\)"):
        getattr(ag.arange(4), name)()


def test_mean_of_an_integer_tensor_says_to_convert():
    with pytest.raises(ag.DtypeError, match=r"mean: needs a float tensor, got int64; call .float\(\) first"):
        ag.arange(4).mean()


@pytest.mark.parametrize("name", ["max", "argmax"])
def test_max_of_an_empty_tensor(name):
    with pytest.raises(ag.ShapeError, match=rf"{name}: the tensor is empty \(shape \(0, 3\)\)"):
        getattr(ag.zeros(0, 3), name)()


# -- amax / amin / aminmax ------------------------------------------------------------
@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=8)
@given(case=array_and_dim(none=False))
def test_amax_amin_over_dims(name, keepdim, case):
    array, dim = case
    check_op(lambda x: getattr(ag, name)(x, dim, keepdim), [array], lambda x: getattr(torch, name)(x, dim, keepdim))
    rounded = np.round(array)  # ties share the gradient evenly, as in PyTorch
    call = lambda x: getattr(x, name)(dim, keepdim)  # noqa: E731
    compare_with_torch(call, call, [rounded], [True])


@requires_torch
def test_aminmax_and_max_of_two_tensors_match_pytorch():
    values = np.array([[1.0, 5.0, -2.0], [3.0, 0.5, 4.0]])
    for dim in (None, 0, 1):
        ours = ag.aminmax(ag.tensor(values), dim=dim)
        theirs = torch.aminmax(torch.tensor(values), dim=dim)
        np.testing.assert_array_equal(ours.min.array, theirs.min.numpy())
        np.testing.assert_array_equal(ours.max.array, theirs.max.numpy())
    other = np.array([2.0, 2.0, 2.0])
    compare_with_torch(lambda a, b: ag.max(a, b), lambda a, b: torch.max(a, b), [values, other], [True, True])
    compare_with_torch(lambda a, b: a.min(b), lambda a, b: a.min(b), [values, other], [True, True])


# -- NaN inputs: the gradient goes where PyTorch sends it (issue 14) ----------------------
@requires_torch
@pytest.mark.parametrize(
    "call",
    [lambda x: x.max(), lambda x: x.min(), lambda x: x.max(1).values, lambda x: x.min(0).values],
)
def test_max_min_of_a_tensor_holding_nan_send_the_gradient_to_the_nan(call):
    values = np.array([[1.0, np.nan, -2.0], [np.nan, 3.0, np.nan]])
    compare_with_torch(call, call, [values], [True])


def test_amax_over_dims_holding_nan_shares_the_gradient_among_the_nans_as_max_does():
    """(PyTorch 2.13's amax(dim) backward gives NaN for every element of such a row: 0/0 in its
    even split. Here the NaNs, which are the result, take the gradient, as in max().)"""
    x = ag.tensor([[1.0, np.nan, np.nan], [np.nan, 3.0, 2.0]], requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])


# -- std / var: constant inputs and overflow (issue 14) -----------------------------------
@requires_torch
@pytest.mark.parametrize("name", ["std", "var"])
@pytest.mark.parametrize(
    "values, dim", [([3.0, 3.0, 3.0], None), ([0.1] * 5, None), ([0.1] * 5, 0), ([[2.5, 2.5], [-0.7, -0.7]], -1)]
)
def test_std_var_of_a_constant_input_have_zero_gradient(name, values, dim):
    call = lambda x: getattr(x, name)(dim)  # noqa: E731  (same call in both engines)
    x = ag.tensor(values, requires_grad=True)
    out = call(x)
    out.sum().backward()
    assert np.all(out.array == 0) and np.array_equal(x.grad.array, np.zeros_like(x.array))
    compare_with_torch(call, call, [np.array(values)], [True])


@requires_torch
def test_float32_std_of_huge_values_is_finite_like_pytorch():
    values = np.array([1e30, -1e30, 1.0], dtype=np.float32)
    ours, theirs = ag.tensor(values), torch.tensor(values)
    np.testing.assert_allclose(ours.std().item(), theirs.std().item(), rtol=1e-6)
    np.testing.assert_allclose(ours.std(0, correction=0).item(), theirs.std(0, correction=0).item(), rtol=1e-6)
    assert np.isinf(ours.var().item()) and np.isinf(theirs.var().item())  # the variance itself overflows float32
    big = np.array([[1e30, -1e30, 1.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(ag.tensor(big).std(1).array, torch.tensor(big).std(1).numpy(), rtol=1e-6)


# -- empty dims (issue 14) ---------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("shape, dim", [((3, 0), 1), ((0, 3), 0), ((0, 3), 1), ((2, 0, 4), (0, 1)), ((0,), 0)])
def test_logsumexp_over_an_empty_dim_is_minus_infinity(shape, dim):
    compare_with_torch(lambda x: x.logsumexp(dim), lambda x: x.logsumexp(dim), [np.zeros(shape)], [True])
    assert ag.zeros(*shape).logsumexp(dim).dtype == ag.float32


# -- dtypes and empty dims as PyTorch takes them (the bad-input fuzz, issue 14) ----------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_of_a_1_d_tensor_along_its_dim_is_a_0_d_tensor_of_an_ndarray(name):
    result = getattr(ag.tensor([1.0, 3.0, 2.0]), name)(dim=0)
    assert isinstance(result.array, np.ndarray) and result.shape == () and result.dtype == np.int64


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_refuses_bools_and_empty_dims_as_pytorch(name):
    with pytest.raises(ag.DtypeError, match=rf"{name}: bool tensors are not supported"):
        getattr(ag, name)(ag.tensor([True, False]))
    with pytest.raises(ag.ShapeError, match=rf"{name}: dim 1 of the tensor \(shape \(2, 0\)\) is empty"):
        getattr(ag, name)(ag.zeros(2, 0), 1)
    assert getattr(ag, name)(ag.zeros(2, 0), 0).shape == (0,)  # nothing to pick, in a dim of size 2


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_refuses_integers_but_passes_an_empty_tensor_through_as_pytorch(name):
    with pytest.raises(ag.DtypeError, match=rf"{name}: needs a float tensor .* got int64; call .float\(\) first"):
        getattr(ag, name)(ag.arange(3), 0)
    with pytest.raises(ag.DtypeError, match=rf"{name}: needs a float tensor .* got bool"):
        getattr(ag, name)(ag.tensor([True]), 0)
    for empty in (ag.zeros(2, 0, dtype=ag.int64), ag.zeros(0, 3)):
        out = getattr(ag, name)(empty, -1)
        assert out.shape == empty.shape and out.dtype == empty.dtype


def test_the_mean_of_nothing_is_nan_as_pytorch_and_its_gradient_is_empty():
    x = ag.zeros(2, 0, requires_grad=True)
    out = x.mean(1)
    assert out.shape == (2,) and np.isnan(out.array).all()
    out.sum().backward()
    assert x.grad.shape == (2, 0)
    assert np.isnan(ag.zeros(0).mean().item())


@requires_torch
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_and_mean_take_a_dtype_as_pytorch(name):
    values = np.arange(6, dtype=np.int64).reshape(2, 3)
    ours = getattr(ag.tensor(values), name)(1, dtype=ag.float64)
    expected = getattr(torch.tensor(values), name)(1, dtype=torch.float64).numpy()
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.array, expected)


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_of_an_empty_tensor_over_a_dim_that_is_not_empty(name):
    assert getattr(ag, name)(ag.zeros(0, 3), 1, keepdim=True).shape == (0, 1)
    with pytest.raises(ag.ShapeError, match=rf"{name}: the tensor is empty \(shape \(0, 3\)\) over dims \(0,\)"):
        getattr(ag, name)(ag.zeros(0, 3), 0)


# -- nansum, nanmean, var_mean, std_mean ---------------------------------------------------------
@requires_torch
def test_nan_reductions_match_pytorch():
    values = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 0.5], [0.5, -1.0, 4.0]])
    # a slice of NaNs only: nanmean is NaN there as in PyTorch, but its elements get gradient 0, not NaN
    all_nan = ag.tensor([[np.nan, np.nan], [1.0, 2.0]], requires_grad=True)
    mean = all_nan.nanmean(1)
    mean[1].backward()
    assert np.isnan(mean[0].item()) and all_nan.grad.tolist() == [[0.0, 0.0], [0.5, 0.5]]
    for dim in (None, 0, 1, (0, 1)):
        compare_with_torch(lambda x: ag.nansum(x, dim), lambda x: torch.nansum(x, dim), [values], [True])
        if dim is not None:
            compare_with_torch(lambda x: x.nanmean(dim, keepdim=True), lambda x: x.nanmean(dim, keepdim=True),
                               [values], [True])


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, min_side=2, max_side=3).flatmap(float_arrays))
def test_var_mean_and_std_mean(array):
    for name in ("var_mean", "std_mean"):
        for position in range(2):
            check_op(lambda x: getattr(ag, name)(x, 0)[position], [array],
                     lambda x: getattr(torch, name)(x, 0)[position], gradgrad=False)


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=4).flatmap(float_arrays), data=st.data())
def test_trapezoid_with_spacing_and_points(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    check_op(lambda y: ag.trapezoid(y, dim=dim), [array], lambda y: torch.trapezoid(y, dim=dim))
    check_op(lambda y: ag.trapz(y, dx=0.5, dim=dim), [array], lambda y: torch.trapezoid(y, dx=0.5, dim=dim))
    points = np.cumsum(data.draw(float_arrays((array.shape[dim],), low=0.1, high=1.0)))
    check_op(lambda y, x: ag.trapezoid(y, x, dim=dim), [array, points], lambda y, x: torch.trapezoid(y, x, dim=dim))


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=2, min_side=2, max_side=4).flatmap(float_arrays),
       correction=st.integers(0, 1), weighted=st.booleans())
def test_cov_and_corrcoef(array, correction, weighted):
    n = array.shape[-1]
    fweights, aweights = np.arange(1, n + 1), np.linspace(0.5, 1.5, n)
    if weighted:
        check_op(lambda x, a: ag.cov(x, correction=correction, fweights=ag.tensor(fweights), aweights=a),
                 [array, aweights],
                 lambda x, a: torch.cov(x, correction=correction, fweights=torch.tensor(fweights), aweights=a),
                 gradgrad=False)
    else:
        check_op(lambda x: ag.cov(x, correction=correction), [array],
                 lambda x: torch.cov(x, correction=correction), gradgrad=False)
    if array.ndim == 2:
        check_op(ag.corrcoef, [array], torch_function("corrcoef"), gradgrad=False)


def test_cov_names_bad_weights():
    with pytest.raises(ag.ShapeError, match="cov: fweights must be 1-D with 3 elements"):
        ag.cov(ag.zeros(2, 3), fweights=ag.tensor([1, 2]))
    with pytest.raises(ag.DtypeError, match="cov: fweights must be integers"):
        ag.cov(ag.zeros(2, 3), fweights=ag.tensor([1.0, 2.0, 3.0]))


@settings(max_examples=10)
@given(array=float_arrays((2, 3, 4)), target=st.sampled_from([(3, 4), (1, 4), (2, 1, 4), (2, 3, 1), (1,), (1, 1, 1)]))
def test_sum_to_size(array, target):
    check_op(lambda x: x.sum_to_size(target), [array], lambda x: x.sum_to_size(target))
    with pytest.raises(ag.ShapeError, match=r"sum_to_size: size \(5,\) is not expandable"):
        ag.tensor(array).sum_to_size(5)
