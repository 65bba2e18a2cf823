"""Creating tensors (``creation.py``): shapes, dtypes and values against PyTorch,
``from_numpy`` memory sharing, ``manual_seed`` reproducibility, and bad arguments."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import requires_torch, shapes, torch


def torch_dtype_name(tensor) -> str:
    return str(tensor.dtype).replace("torch.", "")


# -- filled tensors ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["zeros", "ones"])
@settings(max_examples=10)
@given(shape=shapes(min_dims=0, max_dims=3, min_side=0))
def test_zeros_and_ones_take_sizes_as_arguments_or_a_tuple(name, shape):
    make = getattr(ag, name)
    for tensor in (make(*shape), make(shape), make(list(shape))):
        assert tensor.shape == shape and tensor.dtype == np.float32 and tensor.is_leaf
        np.testing.assert_array_equal(tensor.array, getattr(np, name)(shape))
    assert make(shape, dtype=ag.float64).dtype == np.float64
    assert make(shape, requires_grad=True).requires_grad


@pytest.mark.parametrize("fill_value", [1.5, 3, True, np.float64(0.25)])
def test_full_infers_the_dtype_from_the_fill_value(fill_value):
    tensor = ag.full((2, 3), fill_value)
    assert tensor.shape == (2, 3) and np.all(tensor.array == fill_value)
    if torch is not None:
        assert str(tensor.dtype) == torch_dtype_name(torch.full((2, 3), fill_value))
    assert ag.full((2,), 7, dtype=ag.float64).dtype == np.float64


def test_like_functions_keep_shape_and_dtype():
    source = ag.tensor([[1, 2, 3]])
    assert ag.zeros_like(source).dtype == np.int64 and ag.zeros_like(source).shape == (1, 3)
    ones = ag.ones_like(source, dtype=ag.float32, requires_grad=True)
    assert ones.dtype == np.float32 and ones.requires_grad and np.all(ones.array == 1)
    assert not np.shares_memory(ag.zeros_like(source).array, source.array)


@requires_torch
@pytest.mark.parametrize(
    "args", [(5,), (1, 7, 2), (0, 1, 0.1), (5, 0, -1), (2.5,), (-1.5, 1.5, 0.25), (3, 3), (0.0, -1.0, -0.3)]
)
def test_arange_matches_pytorch(args):
    ours, theirs = ag.arange(*args), torch.arange(*args)
    assert str(ours.dtype) == torch_dtype_name(theirs)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


def test_arange_refuses_a_step_pointing_the_wrong_way():
    with pytest.raises(ValueError, match="arange: cannot go from 1 to 0.0 in steps of 1"):
        ag.arange(1, 0.0)
    with pytest.raises(ValueError, match="step must be non-zero"):
        ag.arange(0, 3, 0)


# -- from_numpy -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_])
def test_from_numpy_shares_memory_both_ways_and_keeps_the_dtype(dtype):
    array = np.zeros((2, 3), dtype=dtype).T  # non-contiguous too
    tensor = ag.from_numpy(array)
    assert tensor.dtype == dtype and tensor.shape == (3, 2) and np.shares_memory(tensor.array, array)
    array[0, 1] = 1
    assert tensor.array[0, 1] == 1
    tensor[2, 0] = 1  # an in-place op on the tensor writes into the array
    assert array[2, 0] == 1


def test_from_numpy_refuses_what_it_cannot_share():
    with pytest.raises(TypeError, match="from_numpy: expected an np.ndarray, got list"):
        ag.from_numpy([1.0, 2.0])
    with pytest.raises(ag.DtypeError, match=r"from_numpy: arrays of dtype complex128 are not supported.*astype"):
        ag.from_numpy(np.zeros(2, dtype=np.complex128))


# -- random -------------------------------------------------------------------------
RANDOM_MAKERS = {
    "randn": lambda: ag.randn(3, 4),
    "rand": lambda: ag.rand((2, 5), dtype=ag.float64),
    "randint": lambda: ag.randint(-3, 9, (6,)),
    "randperm": lambda: ag.randperm(7),
}


@pytest.mark.parametrize("name", RANDOM_MAKERS)
@settings(max_examples=5)
@given(seed=st.integers(0, 2**31 - 1))
def test_manual_seed_makes_random_tensors_reproducible(name, seed):
    make = RANDOM_MAKERS[name]
    ag.manual_seed(seed)
    first, second = make(), make()
    ag.manual_seed(seed)
    again = make()
    np.testing.assert_array_equal(first.array, again.array)
    assert not np.array_equal(first.array, second.array) or first.numel() < 2


def test_random_values_have_the_right_distribution_and_dtype():
    ag.manual_seed(0)
    normal, uniform = ag.randn(20_000), ag.rand(20_000)
    assert normal.dtype == uniform.dtype == np.float32
    assert abs(normal.array.mean()) < 0.05 and abs(normal.array.std() - 1) < 0.05
    assert uniform.array.min() >= 0 and uniform.array.max() < 1 and abs(uniform.array.mean() - 0.5) < 0.02
    integers = ag.randint(10, (5000,))  # PyTorch's randint(high, size)
    assert integers.dtype == np.int64 and set(np.unique(integers.array)) == set(range(10))
    assert sorted(ag.randperm(6).array.tolist()) == list(range(6))
    assert ag.randn(2, 2, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ag.zeros(2, -1), ag.ShapeError, r"zeros: sizes must be non-negative ints, got \(2, -1\)"),
        (lambda: ag.ones(2.5), ag.ShapeError, r"ones: sizes must be non-negative ints, got \(2.5,\)"),
        (lambda: ag.randn(2, dtype=ag.int64), ag.DtypeError, "randn: samples are floats.*not int64"),
        (lambda: ag.rand(2, dtype=np.bool_), ag.DtypeError, "rand: samples are floats.*not bool"),
        (lambda: ag.randint(3, 1, (2,)), ValueError, r"randint: high \(1\) must be greater than low \(3\)"),
        (lambda: ag.full((2,), 1, requires_grad=True), ag.DtypeError, "only floating point tensors can require grad"),
    ],
)
def test_bad_creation_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- linspace, logspace, eye, empty, full_like, as_tensor -------------------------------------------
@requires_torch
@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("linspace", (0, 1, 5), {}),
        ("linspace", (-2.5, 3, 7), {}),
        ("linspace", (3, 3, 1), {}),
        ("linspace", (0, 1, 0), {}),
        ("linspace", (0, 10, 4), {"dtype": "int64"}),
        ("linspace", (1, 0, 6), {"dtype": "float64"}),
        ("logspace", (0, 2, 3), {}),
        ("logspace", (-1, 1, 5), {"base": 2.0}),
        ("logspace", (0, 3, 4), {"dtype": "float64"}),
        ("eye", (3,), {}),
        ("eye", (2, 4), {}),
        ("eye", (3,), {"dtype": "bool"}),
        ("eye", (0,), {}),
    ],
)
def test_spaced_and_identity_tensors_match_pytorch(name, args, kwargs):
    ours = getattr(ag, name)(*args, **{k: getattr(ag, v) if k == "dtype" else v for k, v in kwargs.items()})
    theirs = getattr(torch, name)(*args, **{k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()})
    assert str(ours.dtype) == torch_dtype_name(theirs) and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


@requires_torch
def test_linspace_takes_one_element_tensors_and_requires_grad():
    ours = ag.linspace(ag.tensor(0.0), ag.tensor(1.0), 3, requires_grad=True)
    assert ours.requires_grad and ours.tolist() == torch.linspace(torch.tensor(0.0), torch.tensor(1.0), 3).tolist()
    with pytest.raises(ValueError, match="steps must be a non-negative int, got -1"):
        ag.linspace(0, 1, -1)


@pytest.mark.parametrize("shape", [(), (3,), (2, 0, 4)])
def test_empty_and_empty_like_have_the_shape_and_dtype(shape):
    assert ag.empty(*shape).shape == shape and ag.empty(shape).dtype == np.float32
    source = ag.zeros(shape, dtype=ag.int64)
    assert ag.empty_like(source).shape == shape and ag.empty_like(source).dtype == np.int64
    assert ag.empty_like(source, dtype=ag.float64).dtype == np.float64
    assert ag.empty(shape, requires_grad=True).requires_grad


@requires_torch
@pytest.mark.parametrize("fill", [2.7, -1, True])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_full_like_matches_pytorch(fill, dtype):
    ours = ag.full_like(ag.zeros(2, 3, dtype=getattr(ag, dtype if dtype != "bool" else "bool_")), fill)
    theirs = torch.full_like(torch.zeros(2, 3, dtype=getattr(torch, dtype)), fill)
    assert str(ours.dtype) == torch_dtype_name(theirs)
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_as_tensor_shares_memory_where_it_can():
    array = np.arange(4.0)
    assert np.shares_memory(ag.as_tensor(array).array, array)
    assert not np.shares_memory(ag.as_tensor(array, dtype=ag.float32).array, array)
    tensor = ag.ones(2)
    assert ag.as_tensor(tensor) is tensor and ag.as_tensor(tensor, dtype=ag.float64).dtype == np.float64
    assert ag.as_tensor([1, 2]).dtype == np.int64


def test_sizes_may_be_integer_tensors_and_numpy_ints():
    assert ag.zeros(ag.tensor(2), np.int64(3)).shape == (2, 3)
    with pytest.raises(ag.ShapeError, match="sizes must be non-negative ints"):
        ag.zeros(2, "3")
    with pytest.raises(TypeError, match="zeros_like: expected a Tensor to copy the shape of, got list"):
        ag.zeros_like([1.0])
