"""Indexing ops (``ops/indexing.py``): gather/scatter/scatter_add, index_select,
masked_fill/masked_select, tril/triu, nonzero and one-argument where, as function and
method, through ``check_op`` (gradcheck, gradgradcheck, PyTorch parity)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

NONEMPTY = shapes(min_dims=1, max_dims=3, max_side=3)


@st.composite
def gather_case(draw: Any, unique: bool = False) -> tuple[np.ndarray, int, np.ndarray]:
    """An array, a dim and an int64 index of the same rank: no larger than the array on the
    other dims, any length along ``dim``; ``unique`` draws distinct positions along ``dim``."""
    array = draw(NONEMPTY.flatmap(float_arrays))
    dim = draw(st.integers(-array.ndim, array.ndim - 1))
    axis = dim % array.ndim
    size = array.shape[axis]
    shape = [draw(st.integers(1, side)) for side in array.shape]
    shape[axis] = draw(st.integers(1, size if unique else 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if unique:
        index = np.argsort(rng.random(tuple(shape[:axis]) + (size,) + tuple(shape[axis + 1 :])), axis=axis)
        index = np.take(index, np.arange(shape[axis]), axis=axis)
    else:
        index = rng.integers(0, size, size=shape)
    return array, dim, index.astype(np.int64)


@settings(max_examples=15)
@given(case=gather_case())
def test_gather(case):
    array, dim, index = case
    check_op(lambda x, i: ag.gather(x, dim, i), [array, index], lambda x, i: torch.gather(x, dim, i))
    check_op(lambda x, i: x.gather(dim, i), [array, index], lambda x, i: x.gather(dim, i))


@settings(max_examples=15)
@given(case=gather_case(), data=st.data())
def test_scatter_add_with_repeated_indices(case, data):
    source, dim, index = case
    base = data.draw(float_arrays(tuple(max(a, b) for a, b in zip(source.shape, index.shape))))
    base = base[tuple(slice(0, s) if d != dim % base.ndim else slice(None) for d, s in enumerate(base.shape))]
    index = index % base.shape[dim]
    src = data.draw(float_arrays(index.shape))
    check_op(lambda b, i, s: ag.scatter_add(b, dim, i, s), [base, index, src], lambda b, i, s: b.scatter_add(dim, i, s))
    check_op(lambda b, i, s: b.scatter_add(dim, i, s), [base, index, src], lambda b, i, s: b.scatter_add(dim, i, s))
    # src may be larger than index (its extra elements unused, gradient 0); PyTorch's backward refuses this case
    larger = data.draw(float_arrays(tuple(size + 1 for size in index.shape)))
    check_op(lambda b, i, s: b.scatter_add(dim, i, s), [base, index, larger])


@settings(max_examples=15)
@given(case=gather_case(unique=True), data=st.data())
def test_scatter_with_a_tensor_and_with_a_number(case, data):
    base, dim, index = case
    src = data.draw(float_arrays(index.shape))
    check_op(lambda b, i, s: ag.scatter(b, dim, i, s), [base, index, src], lambda b, i, s: torch.scatter(b, dim, i, s))
    check_op(lambda b, i: b.scatter(dim, i, 0.5), [base, index], lambda b, i: b.scatter(dim, i, 0.5))
    check_op(
        lambda b, i, s: b.scatter(dim, i, s, reduce="add"), [base, index, src], lambda b, i, s: b.scatter_add(dim, i, s)
    )


@requires_torch
def test_scatter_and_gather_in_place_and_the_documented_example():
    x = ag.zeros(2, 3)
    x.scatter_(1, ag.tensor([[0], [2]]), 5.0)
    np.testing.assert_array_equal(x.array, [[5, 0, 0], [0, 0, 5]])
    x.scatter_add_(1, ag.tensor([[0, 0]]), ag.ones(2, 2))
    np.testing.assert_array_equal(x.array, [[7, 0, 0], [0, 0, 5]])
    assert x._version.value == 2
    data = ag.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(data.gather(1, ag.tensor([[0, 1, 1, 1]])).array, [[0, 1, 1, 1]])


def test_gather_and_scatter_errors_name_the_op_and_the_fix():
    x = ag.zeros(2, 3)
    with pytest.raises(IndexError, match="gather: index 3 is out of bounds for dim 1 with size 3"):
        x.gather(1, ag.tensor([[0], [3]]))
    with pytest.raises(IndexError, match="scatter: index -1 is out of bounds"):
        x.scatter(1, ag.tensor([[-1]]), 1.0)
    with pytest.raises(ag.DtypeError, match=r"gather: index must be an integer \(int64\) tensor, got float32"):
        x.gather(1, ag.tensor([[0.0]]))
    with pytest.raises(ag.ShapeError, match=r"gather: index \(shape \(3,\)\) must have as many dims as the tensor"):
        x.gather(1, ag.tensor([0, 1, 2]))
    with pytest.raises(ag.ShapeError, match=r"larger than the tensor \(shape \(2, 3\)\) in dim 0"):
        x.gather(1, ag.zeros(3, 1, dtype=ag.int64))
    with pytest.raises(ag.ShapeError, match=r"larger than src \(shape \(1, 1\)\) in dim 1"):
        x.scatter_add(1, ag.zeros(1, 2, dtype=ag.int64), ag.ones(1, 1))
    with pytest.raises(ValueError, match="scatter: reduce must be None or 'add'"):
        x.scatter(1, ag.zeros(1, 1, dtype=ag.int64), 1.0, reduce="multiply")


# -- index_select ---------------------------------------------------------------------
@settings(max_examples=15)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_index_select(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    size = array.shape[dim]
    index = np.array(data.draw(st.lists(st.integers(0, size - 1), min_size=0, max_size=4)), dtype=np.int64)
    check_op(lambda x, i: ag.index_select(x, dim, i), [array, index], lambda x, i: torch.index_select(x, dim, i))
    scalar = np.array(data.draw(st.integers(0, size - 1)), dtype=np.int64)  # a 0-d index keeps the dim
    check_op(lambda x, i: x.index_select(dim, i), [array, scalar], lambda x, i: x.index_select(dim, i))


def test_index_select_errors():
    with pytest.raises(ag.ShapeError, match="index_select: index must be 1-D"):
        ag.zeros(2, 3).index_select(1, ag.tensor([[2]]))
    with pytest.raises(IndexError, match="index_select: index 3 is out of bounds for dim 1 with size 3"):
        ag.zeros(2, 3).index_select(1, ag.tensor([3]))


# -- masks ----------------------------------------------------------------------------
@st.composite
def masked_case(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    mask_shape, array_shape = pair.input_shapes
    return draw(float_arrays(array_shape)), draw(hnp.arrays(np.bool_, mask_shape))


@settings(max_examples=20)
@given(case=masked_case())
def test_masked_fill_with_a_number_and_with_a_0d_tensor(case):
    array, mask = case
    check_op(lambda x, m: ag.masked_fill(x, m, -1.5), [array, mask], lambda x, m: torch.masked_fill(x, m, -1.5))
    check_op(
        lambda x, m, v: x.masked_fill(m, v), [array, mask, np.array(0.25)], lambda x, m, v: x.masked_fill(m, v)
    )


@settings(max_examples=20)
@given(case=masked_case())
def test_masked_select(case):
    array, mask = case
    check_op(lambda x, m: ag.masked_select(x, m), [array, mask], lambda x, m: torch.masked_select(x, m))
    check_op(lambda x, m: x.masked_select(m), [array, mask], lambda x, m: x.masked_select(m))


@requires_torch
def test_masked_fill_with_minus_infinity_then_softmax_as_causal_attention_does():
    scores = np.random.default_rng(0).standard_normal((2, 4, 4))
    causal = np.triu(np.ones((4, 4), dtype=bool), 1)

    def attention(ops: Any, x: Any, mask: Any) -> Any:
        return ops.softmax(x.masked_fill(mask, float("-inf")), dim=-1)

    ours, theirs = (lambda x, m: attention(ag, x, m)), (lambda x, m: attention(torch, x, m))
    compare_with_torch(ours, theirs, [scores, causal], [True, False])


@requires_torch
def test_masked_fill_in_place_matches_pytorch():
    values, mask = np.arange(6.0).reshape(2, 3), np.array([True, False, True])

    def fill(x: Any, m: Any) -> Any:
        y = x * 1.0
        y.masked_fill_(m, 0.0)
        return y * x

    compare_with_torch(fill, fill, [values, mask], [True, False])


def test_masked_ops_refuse_a_non_bool_mask_and_mismatched_shapes():
    with pytest.raises(ag.DtypeError, match="masked_fill: the mask must be a bool tensor, got float32"):
        ag.zeros(2, 3).masked_fill(ag.ones(3), 1.0)
    with pytest.raises(ag.ShapeError, match=r"masked_fill: the mask \(shape \(2,\)\) does not broadcast"):
        ag.zeros(2, 3).masked_fill(ag.ones(2) > 0, 1.0)
    with pytest.raises(ag.ShapeError, match="masked_fill: value must be a number or a 0-d tensor"):
        ag.zeros(2, 3).masked_fill(ag.ones(3) > 0, ag.ones(3))
    with pytest.raises(ag.ShapeError, match="masked_select: the mask"):
        ag.zeros(2, 3).masked_select(ag.ones(2) > 0)


def test_masked_fill_keeps_the_tensor_dtype():
    assert ag.zeros(2, dtype=ag.int64).masked_fill(ag.tensor([True, False]), 1.5).tolist() == [1, 0]
    assert ag.zeros(2).masked_fill(ag.tensor([True, False]), ag.tensor(2.0, dtype=ag.float64)).dtype == ag.float32


# -- tril / triu ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tril", "triu"])
@settings(max_examples=10)
@given(array=shapes(min_dims=2, max_dims=3, max_side=4).flatmap(float_arrays), diagonal=st.integers(-3, 3))
def test_tril_triu(name, array, diagonal):
    check_op(lambda x: getattr(ag, name)(x, diagonal), [array], lambda x: getattr(torch, name)(x, diagonal))
    check_op(lambda x: getattr(x, name)(diagonal=diagonal), [array], lambda x: getattr(x, name)(diagonal=diagonal))


def test_tril_needs_two_dims_and_works_in_place():
    with pytest.raises(ag.ShapeError, match=r"tril: the tensor must have at least 2 dims, got shape \(3,\)"):
        ag.zeros(3).tril()
    x = ag.ones(3, 3)
    assert x.triu_(1) is x and x.tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]


# -- nonzero / where(condition) -------------------------------------------------------
@requires_torch
@settings(max_examples=20)
@given(array=hnp.arrays(np.int64, shapes(max_dims=3, max_side=3), elements=st.integers(-1, 1)))
def test_nonzero_argwhere_and_one_argument_where_match_pytorch(array):
    ours, theirs = ag.tensor(array), torch.tensor(array)
    assert ours.nonzero().dtype == ag.int64
    np.testing.assert_array_equal(ours.nonzero().array, theirs.nonzero().numpy())
    np.testing.assert_array_equal(ag.argwhere(ours).array, torch.argwhere(theirs).numpy())
    for mine, reference in zip(ag.nonzero(ours, as_tuple=True), torch.nonzero(theirs, as_tuple=True), strict=True):
        np.testing.assert_array_equal(mine.array, reference.numpy())
    for mine, reference in zip(ag.where(ours != 0), torch.where(theirs != 0), strict=True):
        np.testing.assert_array_equal(mine.array, reference.numpy())


@pytest.mark.parametrize("name", ["scatter", "scatter_add"])
def test_scatter_needs_src_of_the_tensors_dtype_as_pytorch(name):
    with pytest.raises(ag.DtypeError, match=rf"{name}: src \(float64\) must have the tensor's dtype \(float32\)"):
        getattr(ag, name)(ag.zeros(2, 3), 1, ag.tensor([[0], [1]]), ag.ones(2, 1, dtype=ag.float64))


# -- take, take_along_dim ----------------------------------------------------------------------
@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), data=st.data())
def test_take_and_take_along_dim(array, data):
    size = array.size
    index = np.array(data.draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=5)))
    check_op(lambda x: ag.take(x, ag.tensor(index)), [array], lambda x: torch.take(x, torch.tensor(index)))
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    shape = [1] * array.ndim
    shape[dim] = 2
    along = np.array(data.draw(st.lists(st.integers(0, array.shape[dim] - 1), min_size=2, max_size=2))).reshape(shape)
    check_op(lambda x: ag.take_along_dim(x, ag.tensor(along), dim), [array],
             lambda x: torch.take_along_dim(x, torch.tensor(along), dim))
    with pytest.raises(IndexError, match="take: index"):
        ag.take(ag.tensor(array), ag.tensor([size]))


# -- index_add, index_copy, index_fill, masked_scatter -----------------------------------------
@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), data=st.data())
def test_index_add_copy_fill(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    size = array.shape[dim]
    unique = data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=size, unique=True))
    repeated = data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=4))
    source_shape = list(array.shape)
    source_shape[dim] = len(repeated)
    source = data.draw(float_arrays(tuple(source_shape)))
    check_op(lambda x, s: ag.index_add(x, dim, ag.tensor(repeated), s, alpha=0.5), [array, source],
             lambda x, s: torch.index_add(x, dim, torch.tensor(repeated), s, alpha=0.5))
    source_shape[dim] = len(unique)
    source = data.draw(float_arrays(tuple(source_shape)))
    check_op(lambda x, s: x.index_copy(dim, ag.tensor(unique), s), [array, source],
             lambda x, s: x.index_copy(dim, torch.tensor(unique), s))
    check_op(lambda x: x.index_fill(dim, ag.tensor(repeated), -1.5), [array],
             lambda x: x.index_fill(dim, torch.tensor(repeated), -1.5))
    inplace = ag.tensor(array.copy())
    inplace.index_add_(dim, ag.tensor(repeated[:1]), ag.ones(*[1 if d == dim % array.ndim else n
                                                              for d, n in enumerate(array.shape)], dtype=ag.float64))
    assert inplace.shape == array.shape


@settings(max_examples=10)
@given(array=shapes(max_dims=3, max_side=3).flatmap(float_arrays), extra=st.integers(0, 3))
def test_masked_scatter(array, extra):
    mask = array > 0
    source = np.linspace(-1, 1, int(mask.sum()) + extra)
    check_op(lambda x, s: ag.masked_scatter(x, ag.tensor(mask), s), [array, source],
             lambda x, s: torch.masked_scatter(x, torch.tensor(mask), s))


def test_index_ops_name_bad_arguments():
    with pytest.raises(ag.ShapeError, match=r"index_add: source has shape \(2, 2\), but 1 indices into dim 0"):
        ag.index_add(ag.zeros(3, 2), 0, ag.tensor([1]), ag.zeros(2, 2))
    with pytest.raises(IndexError, match="index_copy: index 3 is out of bounds for dim 0 with size 3"):
        ag.index_copy(ag.zeros(3), 0, ag.tensor([3]), ag.zeros(1))
    with pytest.raises(IndexError, match="index_add: index -1 is out of bounds for dim 0 with size 3"):
        ag.index_add(ag.zeros(3), 0, ag.tensor([-1]), ag.zeros(1))  # as PyTorch's index_add and index_copy
    assert ag.index_fill(ag.zeros(3), 0, ag.tensor([-1]), 1.0).tolist() == [0.0, 0.0, 1.0]  # index_fill counts back
    with pytest.raises(ag.ShapeError, match="masked_scatter: the mask selects 2 positions but source has 1 elements"):
        ag.masked_scatter(ag.zeros(2), ag.tensor([True, True]), ag.zeros(1))


# -- index_put, put, fill_diagonal_ ------------------------------------------------------------
@settings(max_examples=10)
@given(array=float_arrays((3, 4)), accumulate=st.booleans(), data=st.data())
def test_index_put_and_put(array, accumulate, data):
    rows = data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=4, unique=not accumulate))
    columns = [data.draw(st.integers(0, 3)) for _ in rows]
    if not accumulate:  # repeated (row, column) pairs would be written in an unspecified order
        pairs = dict(zip(zip(rows, columns), range(len(rows))))
        rows, columns = [r for r, _ in pairs], [c for _, c in pairs]
    values = data.draw(float_arrays((len(rows),)))
    index = (ag.tensor(rows), ag.tensor(columns))
    check_op(lambda x, v: ag.index_put(x, index, v, accumulate), [array, values],
             lambda x, v: torch.index_put(x, (torch.tensor(rows), torch.tensor(columns)), v, accumulate))
    flat = sorted({r * 4 + c for r, c in zip(rows, columns)})
    source = data.draw(float_arrays((len(flat),)))
    check_op(lambda x, s: x.put(ag.tensor(flat), s, accumulate), [array, source],
             lambda x, s: x.put(torch.tensor(flat), s, accumulate))


@requires_torch
@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((5, 3), True), ((5, 3), False), ((2, 4), False),
                                         ((2, 2, 2), False)])
def test_fill_diagonal_matches_pytorch(shape, wrap):
    ours, theirs = ag.zeros(*shape), torch.zeros(*shape)
    assert ours.fill_diagonal_(3.0, wrap=wrap) is ours
    theirs.fill_diagonal_(3.0, wrap=wrap)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(ag.ShapeError, match="fill_diagonal_: needs a 2-D tensor or one with all dims equal"):
        ag.zeros(2, 3, 4).fill_diagonal_(1.0)
