"""Shape ops (``ops/shape.py``): reshape/view, transpose/permute/T, flatten, squeeze,
unsqueeze, expand/broadcast_to, indexing, cat/stack/split/chunk, pad, clone, contiguous
and dtype casts."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=3)
small_arrays = SMALL.flatmap(float_arrays)
NONEMPTY = shapes(min_dims=1, max_dims=3, max_side=3)


# -- reshape / view / flatten ---------------------------------------------------------
@st.composite
def reshape_case(draw: Any) -> tuple[np.ndarray, tuple]:
    """An array and a target shape with the same size, possibly holding one -1."""
    array = draw(small_arrays)
    remaining, target = array.size, []
    for _ in range(draw(st.integers(0, 2))):
        size = draw(st.sampled_from([d for d in range(1, remaining + 1) if remaining % d == 0]))
        target.append(size)
        remaining //= size
    target = list(draw(st.permutations(target + [remaining])))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return array, tuple(target)


@pytest.mark.parametrize("method", ["reshape", "view"])
@settings(max_examples=10)
@given(case=reshape_case())
def test_reshape_and_view(method, case):
    array, target = case
    if method == "view":  # view never copies, so (as in PyTorch) it needs a viewable layout
        array = np.ascontiguousarray(array)
    check_op(lambda x: getattr(x, method)(target), [array], lambda x: x.reshape(target))
    check_op(lambda x: getattr(x, method)(*target) * 2.0, [array], lambda x: x.reshape(*target) * 2.0)


def test_view_of_a_transposed_tensor_refuses_to_copy():
    with pytest.raises(ag.ShapeError, match=r"view: a tensor of shape \(3, 2\).*use \.reshape"):
        ag.ones(2, 3).T.view(6)
    assert ag.ones(2, 3).T.reshape(6).shape == (6,)


@settings(max_examples=10)
@given(array=small_arrays, data=st.data())
def test_flatten(array, data):
    ndim = max(array.ndim, 1)
    start = data.draw(st.integers(-ndim, ndim - 1))
    end = data.draw(st.integers(start % ndim, ndim - 1))
    check_op(lambda x: x.flatten(start, end), [array], lambda x: x.flatten(start, end))
    check_op(ag.flatten, [array], lambda x: torch.flatten(x))


# -- transpose / permute / T ---------------------------------------------------------
@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_transpose_and_permute(array, data):
    ndim = array.ndim
    first, second = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
    check_op(lambda x: x.transpose(first, second), [array], lambda x: x.transpose(first, second))
    order = data.draw(st.permutations(range(ndim)))
    order = [d - ndim if data.draw(st.booleans()) else d for d in order]
    check_op(lambda x: ag.permute(x, order), [array], lambda x: x.permute(order))
    check_op(lambda x: x.permute(*order), [array], lambda x: x.permute(*order))


@settings(max_examples=8)
@given(array=SMALL.filter(lambda s: len(s) <= 2).flatmap(float_arrays))
def test_T(array):
    check_op(lambda x: x.T * 1.0, [array], lambda x: x.T * 1.0)


# -- squeeze / unsqueeze / expand / broadcast_to ---------------------------------------
@settings(max_examples=10)
@given(shape=shapes(max_dims=4, min_side=1, max_side=2), data=st.data())
def test_squeeze_and_unsqueeze(shape, data):
    array = data.draw(float_arrays(shape))
    check_op(lambda x: x.squeeze() * 1.0, [array], lambda x: x.squeeze() * 1.0)
    if array.ndim:
        dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
        check_op(lambda x: x.squeeze(dim) * 1.0, [array], lambda x: x.squeeze(dim) * 1.0)
    dim = data.draw(st.integers(-array.ndim - 1, array.ndim))
    check_op(lambda x: x.unsqueeze(dim), [array], lambda x: x.unsqueeze(dim))
    check_op(lambda x: ag.unsqueeze(x, dim), [array], lambda x: torch.unsqueeze(x, dim))


@st.composite
def expand_case(draw: Any) -> tuple[np.ndarray, tuple]:
    """An array and a shape it broadcasts to (size-1 dims stretched, new leading dims)."""
    shape = draw(shapes(max_dims=3, max_side=2))
    target = [draw(st.integers(1, 3)) if size == 1 else size for size in shape]
    target = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 1)))] + target
    return draw(float_arrays(shape)), tuple(target)


@settings(max_examples=12)
@given(case=expand_case(), data=st.data())
def test_expand_and_broadcast_to(case, data):
    array, target = case
    lead = len(target) - array.ndim
    keep = [-1 if d >= lead and data.draw(st.booleans()) else size for d, size in enumerate(target)]
    if keep:  # PyTorch's expand() needs at least one size
        check_op(lambda x: x.expand(*keep), [array], lambda x: x.expand(*keep))
    check_op(lambda x: x.expand(target) * 1.0, [array], lambda x: x.expand(target) * 1.0)
    check_op(lambda x: ag.broadcast_to(x, target), [array], lambda x: torch.broadcast_to(x, target))
    check_op(lambda x: x.broadcast_to(target), [array], lambda x: x.broadcast_to(target))


# -- indexing --------------------------------------------------------------------------
def torch_index(index: Any) -> Any:
    """The same index for PyTorch: arrays become tensors."""
    if isinstance(index, tuple):
        return tuple(torch_index(part) for part in index)
    return torch.from_numpy(index) if isinstance(index, np.ndarray) else index


def index_op(index: Any, *, as_tensor: bool = False) -> tuple:
    """(ours, PyTorch's) ops that index with ``index`` (integer arrays as Tensors if asked)."""
    ours_index = ag.tensor(index) if as_tensor else index
    return (lambda x: x[ours_index]), (lambda x: x[torch_index(index)])


def negative_step(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(part, slice) and part.step is not None and part.step < 0 for part in parts)


@settings(max_examples=25)
@given(data=st.data())
def test_basic_indexing(data):
    """Ints (negative too), slices with steps, None and Ellipsis; PyTorch has no negative steps."""
    array = data.draw(small_arrays)
    index = data.draw(hnp.basic_indices(array.shape, allow_newaxis=True, allow_ellipsis=True))
    ours, theirs = index_op(index)
    check_op(lambda x: ours(x) * 1.0, [array], None if negative_step(index) else lambda x: theirs(x) * 1.0)


@pytest.mark.parametrize("as_tensor", [False, True])
@settings(max_examples=12)
@given(data=st.data())
def test_integer_array_indexing_accumulates_repeated_indices(as_tensor, data):
    array = data.draw(NONEMPTY.flatmap(float_arrays))
    index = data.draw(hnp.integer_array_indices(array.shape, result_shape=shapes(min_dims=1, max_dims=2, max_side=4)))
    if as_tensor:
        index = index[0]  # a single integer Tensor indexes the first dim
    ours, theirs = index_op(index, as_tensor=as_tensor)
    check_op(ours, [array], theirs)


@settings(max_examples=12)
@given(data=st.data())
def test_boolean_mask_indexing(data):
    array = data.draw(NONEMPTY.flatmap(float_arrays))
    mask = data.draw(hnp.arrays(np.bool_, array.shape[: data.draw(st.integers(1, array.ndim))]))
    check_op(lambda x: x[mask], [array], lambda x: x[torch.from_numpy(mask)])
    check_op(lambda x: x[ag.tensor(mask)], [array], lambda x: x[torch.from_numpy(mask)])


def test_repeated_indices_accumulate_gradient():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[ag.tensor([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 0.0, 1.0])
    y = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    y[:, [2, 2]].sum().backward()
    np.testing.assert_array_equal(y.grad.array, [[0.0, 0.0, 2.0], [0.0, 0.0, 2.0]])


@requires_torch
@pytest.mark.parametrize(
    "index",
    [
        (slice(None), np.array([0, 0, 2])),
        (Ellipsis, np.array([1, -1])),
        (np.array([1, 0]), slice(None, None, 2)),
        (np.array([[0], [1]]), np.array([0, 2])),
        (None, 1, slice(1, None)),
        -1,
    ],
)
def test_mixed_basic_and_advanced_indexing(index):
    ours, theirs = index_op(index)
    check_op(ours, [np.arange(6.0).reshape(2, 3) / 7.0], theirs)


@pytest.mark.parametrize(
    "name, make, is_view",
    [
        ("slice", lambda h: h[:, 1:], True),
        ("viewable reshape", lambda h: h[:, :1].reshape(2), True),
        ("transpose", lambda h: h.T, True),
        ("integer-array index", lambda h: h[:, [0, 1]], False),
        ("mask index", lambda h: h[h.array > 1], False),
        ("reshape of a transpose", lambda h: h.T.reshape(6), False),
    ],
)
def test_views_share_memory_and_version_while_copies_are_new_tensors(name, make, is_view):
    """As in PyTorch: an in-place write into a copy is recorded and leaves the source alone."""
    x = ag.tensor(np.arange(6.0).reshape(2, 3), dtype=ag.float64, requires_grad=True)
    hidden = x * 1.0
    saved_by_sin = hidden.sin()
    derived = make(hidden)
    assert np.shares_memory(derived.array, hidden.array) == is_view
    if is_view:
        return
    derived.mul_(2.0)  # recorded (a copy is not a view) and hidden's version is untouched:
    (saved_by_sin.sum() + derived.sum()).backward()  # sin's saved input is still valid
    assert np.isfinite(x.grad.array).all()


def test_index_out_of_range_names_the_shape():
    with pytest.raises(ag.DimError, match=r"indexing a tensor of shape \(2, 3\) with 5"):
        ag.ones(2, 3)[5]


def test_float_index_tensor_is_refused():
    with pytest.raises(ag.ShapeError, match="indexing: index tensors must be integer or bool, got float32"):
        ag.ones(3)[ag.tensor([0.0, 1.0])]


# -- cat / stack / split / chunk -------------------------------------------------------
@st.composite
def cat_case(draw: Any) -> tuple[list[np.ndarray], int]:
    """2-3 arrays equal in all dims but ``dim`` (drawn, maybe negative)."""
    shape = draw(NONEMPTY)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(draw(st.integers(2, 3))):
        piece = list(shape)
        piece[dim] = draw(st.integers(1, 3))
        arrays.append(draw(float_arrays(tuple(piece))))
    return arrays, dim


@settings(max_examples=12)
@given(case=cat_case())
def test_cat(case):
    arrays, dim = case
    check_op(lambda *xs: ag.cat(list(xs), dim), arrays, lambda *xs: torch.cat(xs, dim))


@settings(max_examples=12)
@given(shape=SMALL, count=st.integers(1, 3), data=st.data())
def test_stack(shape, count, data):
    arrays = [data.draw(float_arrays(shape)) for _ in range(count)]
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check_op(lambda *xs: ag.stack(xs, dim), arrays, lambda *xs: torch.stack(xs, dim))


def weighted_cat(pieces: Any, dim: int, cat: Any) -> Any:
    """The pieces put back together, each scaled differently, so a misrouted gradient shows."""
    return cat([piece * float(position + 1) for position, piece in enumerate(pieces)], dim)


@settings(max_examples=12)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_split_and_chunk(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    length = array.shape[dim]
    size = data.draw(st.integers(1, length + 1))
    sections = data.draw(st.lists(st.integers(0, length), min_size=1, max_size=3).map(sorted))
    sizes = np.diff([0, *sections, length]).tolist()  # zero-size pieces included
    chunks = data.draw(st.integers(1, 4))
    for ours, theirs in (
        (lambda x: x.split(size, dim), lambda x: x.split(size, dim)),
        (lambda x: ag.split(x, sizes, dim), lambda x: torch.split(x, sizes, dim)),
        (lambda x: x.chunk(chunks, dim), lambda x: x.chunk(chunks, dim)),
    ):
        check_op(
            lambda x: weighted_cat(ours(x), dim, ag.cat), [array], lambda x: weighted_cat(theirs(x), dim, torch.cat)
        )
        if torch is not None:
            expected = [tuple(piece.shape) for piece in theirs(torch.from_numpy(array))]
            assert [piece.shape for piece in ours(ag.from_numpy(array))] == expected


# -- pad / clone / contiguous / to -----------------------------------------------------
@settings(max_examples=12)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_pad(array, data):
    padded_dims = data.draw(st.integers(1, array.ndim))  # counted from the last dim, as in PyTorch
    widths = tuple(data.draw(st.lists(st.integers(0, 2), min_size=2 * padded_dims, max_size=2 * padded_dims)))
    value = data.draw(st.sampled_from([0.0, -1.5]))
    check_op(lambda x: ag.pad(x, widths, value), [array], lambda x: torch.nn.functional.pad(x, widths, value=value))


@settings(max_examples=8)
@given(array=small_arrays)
def test_clone_and_contiguous(array):
    check_op(lambda x: x.clone(), [array], lambda x: x.clone())
    check_op(lambda x: x.T.contiguous(), [array], lambda x: x.permute(tuple(reversed(range(x.ndim)))).contiguous())
    copy = ag.from_numpy(array).clone()
    assert copy.array.flags.c_contiguous and not np.shares_memory(copy.array, array)
    transposed = ag.from_numpy(array).T.contiguous()
    assert transposed.array.flags.c_contiguous
    np.testing.assert_array_equal(transposed.array, array.T)


@requires_torch
@pytest.mark.parametrize("start, target", [(np.float64, "float32"), (np.float32, "float64")])
def test_to_casts_values_and_gradients_like_pytorch(start, target):
    values = np.array([[0.1, -2.5], [3.0, 1.0 / 3.0]], dtype=start)
    ours_dtype, torch_dtype = getattr(ag, target), getattr(torch, target)
    compare_with_torch(lambda x: x.to(ours_dtype) * 3.0, lambda x: x.to(torch_dtype) * 3.0, [values], [True])
    x = ag.tensor(values, requires_grad=True)
    out = x.to(ours_dtype)
    assert out.dtype == np.dtype(target) and out.requires_grad
    (out * 2.0).sum().backward()
    assert x.grad.dtype == start
    assert x.double().dtype == np.float64 and x.float().dtype == np.float32


def test_to_the_same_dtype_returns_the_tensor_itself():
    x = ag.tensor([1.0], requires_grad=True)
    assert x.to(ag.float32) is x


# -- error paths ----------------------------------------------------------------------
def test_reshape_to_a_wrong_size_names_both_shapes():
    with pytest.raises(
        ag.ShapeError, match=r"reshape: cannot view a tensor of shape \(2, 3\) \(6 elements\) as shape \(4, -1\)"
    ):
        ag.ones(2, 3).reshape(4, -1)
    with pytest.raises(ag.ShapeError, match=r"\(at most one -1\)"):
        ag.ones(2, 3).view(-1, -1)


def test_cat_of_mismatched_shapes_names_them():
    with pytest.raises(
        ag.ShapeError,
        match=r"cat: tensor 1 has shape \(2, 4\) but tensor 0 has shape \(3, 3\); all dims except dim"
        r" 0 must match",
    ):
        ag.cat([ag.ones(3, 3), ag.ones(2, 4)])
    with pytest.raises(ag.ShapeError, match=r"stack: tensor 1 has shape \(2,\) but tensor 0 has shape \(3,\)"):
        ag.stack([ag.ones(3), ag.ones(2)])
    with pytest.raises(ag.ShapeError, match="cat: expected a non-empty list or tuple of tensors"):
        ag.cat([])
    with pytest.raises(ag.ShapeError, match="cat: 0-d tensors have no dim to join along; use stack"):
        ag.cat([ag.tensor(1.0), ag.tensor(2.0)])


def test_pad_with_an_odd_length_says_so():
    with pytest.raises(
        ag.ShapeError,
        match=r"pad: expected an even number of non-negative widths for at most 2 dims \(last dim"
        r" first\), got \(1, 2, 3\)",
    ):
        ag.pad(ag.ones(2, 3), (1, 2, 3))


@pytest.mark.parametrize(
    "name, call, valid",
    [
        ("transpose", lambda x: x.transpose(0, 3), "[-3, 2]"),
        ("unsqueeze", lambda x: x.unsqueeze(5), "[-4, 3]"),
        ("squeeze", lambda x: x.squeeze(-4), "[-3, 2]"),
        ("flatten", lambda x: x.flatten(3), "[-3, 2]"),
        ("cat", lambda x: ag.cat([x, x], 3), "[-3, 2]"),
        ("stack", lambda x: ag.stack([x, x], -5), "[-4, 3]"),
        ("split", lambda x: x.split(1, 3), "[-3, 2]"),
        ("size", lambda x: x.size(-4), "[-3, 2]"),
    ],
)
def test_bad_dim_names_the_op_and_the_valid_range(name, call, valid):
    with pytest.raises(ag.DimError, match=rf"{name}: dim -?\d is out of range .*; use a dim in {re_escape(valid)}"):
        call(ag.ones(2, 1, 3))


def re_escape(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def test_other_shape_errors_name_the_op_and_the_values():
    with pytest.raises(
        ag.ShapeError, match=r"expand/broadcast_to: a tensor of shape \(2, 3\) cannot be broadcast to \(4, 3\)"
    ):
        ag.ones(2, 3).expand(4, 3)
    with pytest.raises(ag.DimError, match=r"permute: \(0, 0\) is not a permutation of the 2 dims of shape \(2, 3\)"):
        ag.ones(2, 3).permute(0, 0)
    with pytest.raises(ag.ShapeError, match=r"split: sizes \[1, 1\] sum to 2, but dim 0 has size 3"):
        ag.ones(3).split([1, 1])
    with pytest.raises(ag.DimError, match=r"flatten: start_dim \(1\) comes after end_dim \(0\)"):
        ag.ones(2, 3).flatten(1, 0)


# -- split sizes and many inputs (issue 14) -----------------------------------------------
@requires_torch
@pytest.mark.parametrize("sizes", [[3, -1, 2], -1, 0, [5, -1]])
def test_split_with_a_negative_or_zero_size_raises_as_pytorch(sizes):
    with pytest.raises(RuntimeError):
        torch.arange(4).split(sizes)
    with pytest.raises(ag.ShapeError, match="split: "):
        ag.arange(4).split(sizes)


def test_split_of_an_empty_dim_by_zero_gives_the_tensor():
    assert [piece.shape for piece in ag.zeros(0).split(0)] == [(0,)]


@pytest.mark.parametrize("count", [62, 63, 64, 200])
@pytest.mark.parametrize("mode", ["no input requires grad", "under no_grad", "recording"])
def test_cat_and_stack_of_many_tensors(count, mode):
    pieces = [ag.full((2,), float(i), requires_grad=mode != "no input requires grad") for i in range(count)]
    if mode == "under no_grad":
        with ag.no_grad():
            joined, stacked = ag.cat(pieces), ag.stack(pieces, 1)
    else:
        joined, stacked = ag.cat(pieces), ag.stack(pieces, 1)
    assert joined.shape == (2 * count,) and stacked.shape == (2, count)
    assert joined.array[-1] == count - 1 and stacked.array[1, -1] == count - 1
    if mode == "recording":
        (joined.sum() + stacked.sum()).backward()
        assert all(piece.grad.tolist() == [2.0, 2.0] for piece in pieces)
