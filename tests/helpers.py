"""The shared test harness: every differentiable op goes through ``check_op``, every
layer with a PyTorch twin through ``compare_module_with_torch``.

``check_op`` runs an op in this engine on float64 inputs and checks, in order:
1. first derivatives against central differences (``gradcheck``),
2. second derivatives (``gradgradcheck``) unless told the op has none worth checking,
3. when PyTorch is importable and a ``torch_op`` is given: the same values and the
   same gradients for a random upstream gradient, with stated tolerances.

Strategies draw shapes (0-d included), broadcasting pairs and non-contiguous inputs
(transposed or strided views of a larger array).
"""
from __future__ import annotations

import contextlib
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

try:  # small matmuls on a machine shared by many processes: extra BLAS threads only contend
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: parity check skipped")


def torch_function(name: str) -> Callable[..., Any]:
    """PyTorch's function ``name`` (e.g. "linalg.inv"), looked up when called: a test can name it
    as ``check_op``'s reference where PyTorch is not installed (the parity half is skipped then)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        function = torch
        for part in name.split("."):
            function = getattr(function, part)
        return function(*args, **kwargs)

    return call


def one_blas_thread() -> Any:
    """A context limiting BLAS to one thread (when threadpoolctl is installed)."""
    return threadpool_limits(1) if threadpool_limits is not None else contextlib.nullcontext()

VALUE_RTOL = 1e-7
VALUE_ATOL = 1e-9
GRAD_RTOL = 1e-6
GRAD_ATOL = 1e-8


def assert_same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    """``actual`` and ``expected`` hold the same numbers bit for bit: same dtype and shape,
    NaN in the same places (a NaN's sign and payload may differ), every other element with
    the same bits (so -0.0 and 0.0 differ). The contract of a kernel's NumPy twin."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (
        actual.dtype, actual.shape, expected.dtype, expected.shape
    )
    if actual.dtype.kind in "fc":
        nan = np.isnan(actual)
        np.testing.assert_array_equal(nan, np.isnan(expected), err_msg="NaN in different places")
        actual, expected = np.where(nan, 0, actual), np.where(nan, 0, expected)
    flat_actual, flat_expected = (
        np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(a.size, a.itemsize) for a in (actual, expected)
    )
    mismatched = (flat_actual != flat_expected).any(axis=1).reshape(actual.shape)
    assert not mismatched.any(), (
        f"{int(mismatched.sum())} element(s) differ in their bits: {actual[mismatched]} vs {expected[mismatched]}"
    )


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
    """Same inputs through both engines: outputs and gradients must agree (skipped, with the reason,
    where PyTorch is not installed: what the test checked before this call has run)."""
    if torch is None:
        pytest.skip("PyTorch is not installed: parity check skipped")
    ours = [leaf(np.array(a), d) for a, d in zip(arrays, differentiable)]
    theirs = [torch.tensor(np.array(a), requires_grad=bool(d)) for a, d in zip(arrays, differentiable)]
    out_ours = op(*ours)
    out_theirs = torch_op(*theirs)
    assert str(out_ours.dtype) == str(out_theirs.dtype).replace("torch.", ""), (
        f"dtype {out_ours.dtype} differs from PyTorch's {out_theirs.dtype}"
    )
    np.testing.assert_allclose(
        out_ours.array,
        out_theirs.detach().numpy(),
        rtol=value_rtol,
        atol=value_atol,
        err_msg="forward values differ from PyTorch",
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


def _to_engines(value: Any) -> tuple[Any, Any, list]:
    """``value`` (an ndarray, None, or a tuple/list of them) as (ours, theirs, [(our leaf, their leaf)])."""
    if value is None:
        return None, None, []
    if isinstance(value, (tuple, list)):
        converted = [_to_engines(item) for item in value]
        pairs = [pair for _, _, found in converted for pair in found]
        return type(value)(c[0] for c in converted), type(value)(c[1] for c in converted), pairs
    array = np.asarray(value)
    needs_grad = array.dtype.kind == "f"
    mine = ag.tensor(array.copy(), requires_grad=needs_grad)
    reference = torch.tensor(array.copy(), requires_grad=needs_grad)
    return mine, reference, [(mine, reference)] if needs_grad else []


def _flatten(value: Any) -> list:
    if isinstance(value, (tuple, list)):
        return [item for part in value for item in _flatten(part)]
    return [] if value is None else [value]


def compare_module_with_torch(
    ours: Any,
    theirs: Any,
    inputs: Sequence[Any],
    *,
    load: str | None = "theirs_into_ours",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    grad_rtol: float = 1e-4,
    grad_atol: float = 1e-5,
    seed: int = 1,
) -> list:
    """A module against its PyTorch twin: the same weights, the same inputs, the same results.

    The state dicts must have the same names and shapes; ``load`` copies one into the other,
    ``"theirs_into_ours"`` or ``"ours_into_theirs"`` (None: they are already in step, as on a
    second training step whose running statistics are compared). ``inputs`` are the
    positional arguments as ndarrays (float ones get ``requires_grad``), None, or tuples of
    them (an LSTM's ``(h_0, c_0)``). Then compares every output (shape, dtype, values within
    ``rtol``/``atol``), backpropagates the same random upstream gradient through every float
    output, and compares the gradients of the float inputs and of every parameter (within
    ``grad_rtol``/``grad_atol``), and the state dicts after the call (running statistics).
    Returns our outputs, flattened.
    """
    state = theirs.state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in state.items()
    ], "state dict names or shapes differ from PyTorch's"
    if load == "theirs_into_ours":
        ours.load_state_dict({key: value.detach().numpy().copy() for key, value in state.items()})
    elif load == "ours_into_theirs":
        theirs.load_state_dict({key: torch.tensor(np.array(value.array)) for key, value in ours.state_dict().items()})
    elif load is not None:
        raise ValueError(f"load must be 'theirs_into_ours', 'ours_into_theirs' or None, got {load!r}")
    mine, reference, leaves = _to_engines(list(inputs))
    outputs, expected = _flatten(ours(*mine)), _flatten(theirs(*reference))
    assert len(outputs) == len(expected), f"{len(outputs)} outputs, PyTorch gives {len(expected)}"
    rng = np.random.default_rng(seed)
    loss_ours, loss_theirs = None, None
    for position, (out, want) in enumerate(zip(outputs, expected)):
        assert out.shape == tuple(want.shape), f"output {position}: shape {out.shape}, PyTorch's {tuple(want.shape)}"
        assert str(out.dtype) == str(want.dtype).replace("torch.", ""), f"output {position}: dtype {out.dtype}"
        np.testing.assert_allclose(
            out.array, want.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"output {position} differs from PyTorch"
        )
        if out.requires_grad and want.requires_grad:
            upstream = rng.standard_normal(out.shape).astype(out.dtype)
            term_ours, term_theirs = (out * ag.tensor(upstream)).sum(), (want * torch.tensor(upstream)).sum()
            loss_ours = term_ours if loss_ours is None else loss_ours + term_ours
            loss_theirs = term_theirs if loss_theirs is None else loss_theirs + term_theirs
    if loss_ours is not None:
        loss_ours.backward()
        loss_theirs.backward()
        named = [(f"input {i}", a, b) for i, (a, b) in enumerate(leaves)]
        parameters = dict(ours.named_parameters())
        named += [(name, parameters[name], parameter) for name, parameter in theirs.named_parameters()]
        for name, mine_leaf, their_leaf in named:
            got = np.zeros(mine_leaf.shape) if mine_leaf.grad is None else mine_leaf.grad.array
            want = np.zeros(got.shape) if their_leaf.grad is None else their_leaf.grad.numpy()
            np.testing.assert_allclose(
                got, want, rtol=grad_rtol, atol=grad_atol, err_msg=f"gradient of {name} differs from PyTorch"
            )
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[key].array, value.numpy(), rtol=rtol, atol=atol, err_msg=f"state {key} after the call"
        )
    return outputs


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
