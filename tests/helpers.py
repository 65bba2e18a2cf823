"""The shared test harness: every differentiable op goes through ``check_op``.

``check_op`` runs an op in this engine on float64 inputs and checks, in order:
1. first derivatives against central differences (``gradcheck``),
2. second derivatives (``gradgradcheck``) unless told the op has none worth checking,
3. when PyTorch is importable and a ``torch_op`` is given: the same values and the
   same gradients for a random upstream gradient, with stated tolerances.

Strategies draw shapes (0-d included), broadcasting pairs and non-contiguous inputs
(transposed or strided views of a larger array).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

try:
    import torch
except ImportError:  # the parity half of check_op is skipped without torch
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: parity check skipped")

VALUE_RTOL = 1e-7
VALUE_ATOL = 1e-9
GRAD_RTOL = 1e-6
GRAD_ATOL = 1e-8


def assert_same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    """``actual`` and ``expected`` hold the same numbers bit for bit: same dtype and shape,
    NaN in the same places (a NaN's sign and payload may differ), every other element with
    the same bits (so -0.0 and 0.0 differ). The contract of a kernel's NumPy twin."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (actual.dtype, actual.shape, expected.dtype, expected.shape)
    if actual.dtype.kind in "fc":
        nan = np.isnan(actual)
        np.testing.assert_array_equal(nan, np.isnan(expected), err_msg="NaN in different places")
        actual, expected = np.where(nan, 0, actual), np.where(nan, 0, expected)
    flat_actual, flat_expected = (np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(a.size, a.itemsize) for a in (actual, expected))
    mismatched = (flat_actual != flat_expected).any(axis=1).reshape(actual.shape)
    assert not mismatched.any(), f"{int(mismatched.sum())} element(s) differ in their bits: {actual[mismatched]} vs {expected[mismatched]}"


def leaf(array: np.ndarray, requires_grad: bool = True) -> ag.Tensor:
    """A float64 leaf sharing ``array``'s memory and strides (so views stay non-contiguous)."""
    tensor = ag.from_numpy(array)
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor


def check_op(
    op: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    torch_op: Callable[..., Any] | None = None,
    *,
    differentiable: Sequence[bool] | None = None,
    gradgrad: bool = True,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> None:
    """Check ``op(*tensors)`` against central differences and (if given) ``torch_op``.

    ``arrays`` are float64 ndarrays (non-float arrays are passed as non-grad tensors);
    ``differentiable[i]`` False passes input i without requires_grad.
    """
    arrays = [np.asarray(a) if not isinstance(a, np.ndarray) else a for a in arrays]
    if differentiable is None:
        differentiable = [a.dtype == np.float64 for a in arrays]
    inputs = [leaf(a, d) for a, d in zip(arrays, differentiable)]
    ag.gradcheck(op, inputs, eps=eps, atol=atol, rtol=rtol)
    if gradgrad:
        ag.gradgradcheck(op, inputs, eps=eps, atol=atol, rtol=rtol)
    if torch_op is not None and torch is not None:
        compare_with_torch(op, torch_op, arrays, differentiable)


def compare_with_torch(
    op: Callable[..., Any],
    torch_op: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    differentiable: Sequence[bool],
    *,
    value_rtol: float = VALUE_RTOL,
    value_atol: float = VALUE_ATOL,
    grad_rtol: float = GRAD_RTOL,
    grad_atol: float = GRAD_ATOL,
) -> None:
    """Same inputs through both engines: outputs and gradients must agree."""
    ours = [leaf(np.array(a), d) for a, d in zip(arrays, differentiable)]
    theirs = [torch.tensor(np.array(a), requires_grad=bool(d)) for a, d in zip(arrays, differentiable)]
    out_ours = op(*ours)
    out_theirs = torch_op(*theirs)
    assert str(out_ours.dtype) == str(out_theirs.dtype).replace("torch.", ""), (
        f"dtype {out_ours.dtype} differs from PyTorch's {out_theirs.dtype}"
    )
    np.testing.assert_allclose(
        out_ours.array, out_theirs.detach().numpy(), rtol=value_rtol, atol=value_atol, err_msg="forward values differ from PyTorch"
    )
    if not out_ours.requires_grad:
        return
    upstream = np.random.default_rng(1).standard_normal(out_ours.shape)
    out_ours.backward(ag.tensor(upstream, dtype=out_ours.dtype))
    out_theirs.backward(torch.tensor(upstream, dtype=out_theirs.dtype))
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        if not mine.requires_grad:
            continue
        expected = np.zeros(mine.shape) if reference.grad is None else reference.grad.numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.array
        np.testing.assert_allclose(
            got, expected, rtol=grad_rtol, atol=grad_atol, err_msg=f"gradient of input {position} differs from PyTorch"
        )


# -- hypothesis strategies ----------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def float_arrays(
    draw: Any,
    shape: Any = None,
    low: float = -2.0,
    high: float = 2.0,
    away_from: Sequence[float] = (),
    margin: float = 0.05,
) -> np.ndarray:
    """A float64 array of ``shape`` (drawn if None): contiguous, transposed or strided.

    Values avoid ``margin`` around each point of ``away_from`` (kinks such as relu's 0).
    """
    if shape is None:
        shape = draw(shapes())
    shape = tuple(shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    if layout == "transposed" and len(shape) >= 2:
        array = rng.uniform(low, high, size=shape[::-1]).T
    elif layout == "strided" and len(shape) >= 1:
        array = rng.uniform(low, high, size=(shape[0] * 2,) + shape[1:])[::2]
    else:
        array = rng.uniform(low, high, size=shape)
    for point in away_from:
        near = np.abs(array - point) < margin
        array[near] = point + np.where(array[near] >= point, margin, -margin) * 2
    return array


@st.composite
def broadcast_pair(draw: Any, low: float = -2.0, high: float = 2.0, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two arrays whose shapes broadcast together (NumPy rules, 0-d included)."""
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    first, second = pair.input_shapes
    return (
        draw(float_arrays(first, low=low, high=high, **kwargs)),
        draw(float_arrays(second, low=low, high=high, **kwargs)),
    )
