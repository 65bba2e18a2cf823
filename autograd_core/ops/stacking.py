"""Joining and splitting tensors NumPy's way and building grids: hstack, vstack, dstack,
column_stack, atleast_1d/2d/3d, broadcast_tensors, meshgrid, cartesian_prod, tensor_split
and hsplit/vsplit/dsplit. Each is made of ``ops/shape.py``'s reshape, expand, cat and
narrow, so gradients come with them.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .shape import _tensor_list, broadcast_to, cat, reshape, stack


def _one_or_many(op: str, tensors: tuple) -> tuple[list[Tensor], bool]:
    """``f(a, b)`` and ``f([a, b])`` alike; whether one tensor was given on its own."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return [tensors[0]], True
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return _tensor_list(op, list(tensors)), False


def _lifted(shape: tuple, rank: int) -> tuple:
    """NumPy's rule for at least ``rank`` dims: () -> ones, (n,) -> (1, n) or (1, n, 1), (m, n) -> (m, n, 1)."""
    if len(shape) >= rank:
        return shape
    if len(shape) == 0:
        return (1,) * rank
    return (1, shape[0], 1)[:rank] if len(shape) == 1 else (*shape, 1)


def _at_least(op: str, rank: int, tensors: tuple) -> Any:
    items, single = _one_or_many(op, tensors)
    lifted = [reshape(t, _lifted(t.shape, rank)) if t.ndim < rank else t for t in items]
    return lifted[0] if single else tuple(lifted)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); a tuple for several."""
    return _at_least("atleast_1d", 1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims: () -> (1, 1), (n,) -> (1, n)."""
    return _at_least("atleast_2d", 2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _at_least("atleast_3d", 3, tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors), as ``numpy.hstack``."""
    items = list(_at_least("hstack", 1, (list(tensors),)))
    return cat(items, 0 if items[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0 after making each at least 2-D ((n,) -> (1, n)), as ``numpy.vstack``."""
    return cat(list(_at_least("vstack", 2, (list(tensors),))), 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 2 after making each at least 3-D, as ``numpy.dstack``."""
    return cat(list(_at_least("dstack", 3, (list(tensors),))), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """1-D and 0-d tensors as columns ((n,) -> (n, 1)), then joined along dim 1."""
    items = _tensor_list("column_stack", list(tensors))
    return cat([reshape(t, (t.numel(), 1)) if t.ndim < 2 else t for t in items], 1)


row_stack = vstack


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape the given shapes broadcast to (NumPy's rules), or a ``ShapeError`` naming them."""
    sizes = [(shape,) if isinstance(shape, (int, np.integer)) else tuple(shape) for shape in shapes]
    try:
        return tuple(int(s) for s in np.broadcast_shapes(*sizes))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {', '.join(map(str, sizes))} do not broadcast together") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors broadcast to one shape (read-only views, as ``broadcast_to``)."""
    items, _ = _one_or_many("broadcast_tensors", tensors)
    shape = broadcast_shapes(*(t.shape for t in items))
    return tuple(broadcast_to(t, shape) for t in items)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D (or 0-d) tensors of sizes n1, n2, ...: each output has shape
    (n1, n2, ...) with ``indexing='ij'`` (PyTorch's default), or the first two sizes swapped
    with ``'xy'`` (NumPy's and MATLAB's)."""
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    items, _ = _one_or_many("meshgrid", tensors)
    for position, tensor in enumerate(items):
        if tensor.ndim > 1:
            raise ShapeError(f"meshgrid: tensor {position} has shape {tensor.shape}; give 0-d or 1-D tensors")
    sizes = [t.numel() for t in items]
    swap = indexing == "xy" and len(items) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for position, tensor in enumerate(items):
        axis = {0: 1, 1: 0}.get(position, position) if swap else position
        shape = [1] * len(items)
        shape[axis] = tensor.numel()
        grids.append(broadcast_to(reshape(tensor, shape), sizes))
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of the 1-D tensors' elements, one per row: (n1 * n2 * ..., k); a single
    tensor comes back as it is."""
    items, _ = _one_or_many("cartesian_prod", tensors)
    if len(items) == 1:
        return items[0]
    return stack([reshape(grid, (-1,)) for grid in meshgrid(*items)], 1)


# -- splitting NumPy's way -------------------------------------------------------------------------
def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``input`` cut along ``dim`` into n nearly equal pieces (an int: the first size % n pieces
    one longer), or at the given indices (a list or 1-D tensor), as ``numpy.array_split``."""
    from .shape import normalize_dim

    dim = normalize_dim("tensor_split", dim, input.ndim, input.shape)
    cuts = indices_or_sections.tolist() if isinstance(indices_or_sections, Tensor) else indices_or_sections
    length = input.shape[dim]
    if isinstance(cuts, (int, np.integer)):
        if cuts <= 0:
            raise ValueError(f"tensor_split: the number of sections must be positive, got {cuts}")
        base, extra = divmod(length, int(cuts))
        sizes = [base + 1] * extra + [base] * (int(cuts) - extra)
        bounds = np.cumsum([0, *sizes])
    else:
        points = [min(max(int(c) if c >= 0 else length + int(c), 0), length) for c in cuts]
        bounds = [0, *points, length]
    return tuple(input.narrow(dim, int(start), max(int(stop) - int(start), 0))
                 for start, stop in zip(bounds[:-1], bounds[1:]))


def _split_numpy_way(op: str, input: Tensor, sections: Any, dim: int, rank: int) -> tuple[Tensor, ...]:
    if input.ndim < rank:
        raise ShapeError(f"{op}: needs a tensor of {rank} or more dims, got shape {input.shape}")
    if isinstance(sections, (int, np.integer)) and input.shape[dim] % sections:
        raise ShapeError(f"{op}: dim {dim} of size {input.shape[dim]} does not split into {sections} equal parts")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """Split along dim 1 (dim 0 of a 1-D tensor) into equal parts or at indices."""
    return _split_numpy_way("hsplit", input, sections, 0 if input.ndim == 1 else 1, 1)


def vsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """Split along dim 0 of a tensor of 2 or more dims."""
    return _split_numpy_way("vsplit", input, sections, 0, 2)


def dsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """Split along dim 2 of a tensor of 3 or more dims."""
    return _split_numpy_way("dsplit", input, sections, 2, 3)
