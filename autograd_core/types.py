"""The type aliases used in signatures across the package, defined once.

    Shape       a tensor's shape: ``(2, 3)``
    Dim         a ``dim`` argument: one dim, a tuple of dims, or None for every dim
    Pair        a (height, width) pair of ints: a 2-d kernel size, stride, padding, ...
    IntOrTuple  what PyTorch's layers take for a size per spatial dim: ``3`` or ``(3, 2)``
    Scalarlike  a Python number an op accepts in place of a tensor
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

Shape = tuple[int, ...]
Dim = Union[int, Sequence[int], None]
Pair = tuple[int, int]
IntOrTuple = Union[int, Sequence[int]]
Scalarlike = Union[int, float, bool]

__all__ = ["Dim", "IntOrTuple", "Pair", "Scalarlike", "Shape"]
