"""Datasets as in PyTorch: map-style ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``; the stream-style ``IterableDataset`` and ``ChainDataset``."""
from __future__ import annotations

import bisect
import math
import operator
from abc import ABC, abstractmethod
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import ShapeError, Tensor

from ._random import make_rng
from .collate import fetch_batch


class Dataset(ABC):
    """A map-style dataset: ``dataset[i]`` is sample ``i`` for ``0 <= i < len(dataset)``.

    Subclasses define ``__getitem__`` and ``__len__``; they may also define
    ``get_batch(indices)`` returning a whole collated batch, which ``DataLoader`` uses
    instead of collating samples one by one.
    """

    @abstractmethod
    def __getitem__(self, index: int) -> Any: ...

    @abstractmethod
    def __len__(self) -> int: ...

    def __add__(self, other: Any) -> "ConcatDataset":
        """``a + b``: the samples of ``a`` then those of ``b`` (a ``ConcatDataset``)."""
        return ConcatDataset([self, other])


class IterableDataset(ABC):
    """A stream of samples: subclasses define ``__iter__`` (and may define ``__len__``).

    For data read in order (a file, a generator, a socket) rather than by index. A
    ``DataLoader`` over it takes the samples in iteration order and batches them; it has no
    sampler and no shuffling (shuffle inside ``__iter__`` if needed), as in PyTorch.
    ``isinstance(stream, Dataset)`` holds, as PyTorch's IterableDataset is a Dataset.
    """

    @abstractmethod
    def __iter__(self) -> Iterator[Any]: ...

    def __add__(self, other: Any) -> "ChainDataset":
        """``a + b``: the stream of ``a`` then that of ``b`` (a ``ChainDataset``)."""
        return ChainDataset([self, other])


Dataset.register(IterableDataset)


class ChainDataset(IterableDataset):
    """Several ``IterableDataset`` streams one after the other, chained as they are iterated
    (nothing is read ahead), as ``torch.utils.data.ChainDataset``.

    ``len()`` is the sum of the streams' lengths (each must define ``__len__``).
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for position, dataset in enumerate(self.datasets):
            _require_stream(position, dataset)
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for position, dataset in enumerate(self.datasets):
            _require_stream(position, dataset)
            total += len(dataset)
        return total


def _require_stream(position: int, dataset: Any) -> None:
    if not isinstance(dataset, IterableDataset):
        raise TypeError(
            f"ChainDataset only supports IterableDataset: dataset {position} is a {type(dataset).__name__}; "
            "chain map-style datasets with ConcatDataset"
        )


def sample_index(name: str, index: Any, length: int, what: str = "samples") -> int:
    """``index`` as an int in ``[-length, length)`` for ``dataset[index]``; ``IndexError``
    (as PyTorch's tensor indexing raises) naming the dataset and what it takes otherwise."""
    try:
        position = operator.index(index)  # ints, NumPy integers, one-element integer tensors
    except TypeError:
        raise IndexError(
            f"{name}: a sample index must be an int, got {type(index).__name__} {index!r}; "
            "use int(i) (a DataLoader passes ints)."
        ) from None
    if not -length <= position < length:
        raise IndexError(f"{name}: index {position} is out of range for {length} {what}.")
    return position


def _reject_float_index(name: str, index: Any) -> None:
    """``dataset[1.5]``: named here (NumPy and Tensor indexing would name neither the dataset nor the fix)."""
    dtype = getattr(index, "dtype", None)
    if isinstance(index, float) or (dtype is not None and np.dtype(dtype).kind == "f"):
        raise IndexError(
            f"{name}: sample indices must be ints (or slices, or integer/boolean arrays), got "
            f"{type(index).__name__} {index!r}; use int(i)."
        )


class TensorDataset(Dataset):
    """Samples are rows of tensors sharing their first dim: ``dataset[i] == (x[i], y[i])``.

    Args:
        *tensors: Tensors (or ndarrays, wrapped without copying) with the same first size.

    Shape:
        each tensor ``(N, *)``; sample ``i`` is the tuple of each tensor's row ``i``.
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor, e.g. TensorDataset(inputs, targets).")
        self.tensors = tuple(_as_tensor(tensor, position) for position, tensor in enumerate(tensors))
        sizes = [tensor.shape[0] for tensor in self.tensors]
        if len(set(sizes)) > 1:
            raise ShapeError(
                f"TensorDataset: every tensor needs the same first size (one row per sample); "
                f"got first sizes {sizes} for shapes {[tensor.shape for tensor in self.tensors]}."
            )

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        _reject_float_index("TensorDataset", index)
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        """Rows ``indices`` of every tensor, by one fancy-indexing op each (no per-sample loop)."""
        return tuple(tensor[indices] for tensor in self.tensors)


def _as_tensor(tensor: Any, position: int) -> Tensor:
    if isinstance(tensor, np.ndarray):
        tensor = ag.from_numpy(tensor)
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"TensorDataset: argument {position} is a {type(tensor).__name__}; expected a Tensor or ndarray."
        )
    if tensor.ndim == 0:
        raise ShapeError(f"TensorDataset: argument {position} is 0-d; each tensor needs a first dim of samples.")
    return tensor


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i] == dataset[indices[i]]``."""

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        indices = np.asarray(indices)
        if indices.size == 0:  # np.asarray([]) is float64
            indices = indices.astype(np.int64)
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            raise TypeError(
                f"Subset: indices must be a 1-D sequence of ints, got dtype {indices.dtype}, shape {indices.shape}"
            )
        length = len(dataset)
        outside = (indices < -length) | (indices >= length)
        if outside.any():
            raise IndexError(
                f"Subset: index {int(indices[outside][0])} is out of range for a dataset of length {length}; "
                f"indices must lie in [{-length}, {length})."
            )
        self.dataset = dataset
        self.indices = np.where(indices < 0, indices + length, indices).astype(np.int64)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[sample_index("Subset", index, len(self))])]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, indices: np.ndarray) -> Any:
        return fetch_batch(self.dataset, self.indices[indices])


class ConcatDataset(Dataset):
    """Several map-style datasets one after another: sample ``i`` comes from the first dataset
    while ``i < len(datasets[0])``, then from the next, ... (``cumulative_sizes`` holds the ends).

    Args:
        datasets: a non-empty iterable of map-style datasets (not IterableDatasets).
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable; give at least one dataset.")
        for position, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ConcatDataset does not support IterableDataset (dataset {position} is a "
                    f"{type(dataset).__name__}); chain the streams in an IterableDataset's __iter__ instead."
                )
        self.cumulative_sizes = [int(size) for size in np.cumsum([len(dataset) for dataset in self.datasets])]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, (int, np.integer)) and index < -len(self):  # PyTorch's error for this side
            raise ValueError(
                f"ConcatDataset: absolute value of index should not exceed dataset length, got {index} "
                f"for {len(self)} samples"
            )
        position = sample_index("ConcatDataset", index, len(self))
        if position < 0:
            position += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, position)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][position - start]


def random_split(
    dataset: Any,
    lengths: Sequence[int | float],
    generator: np.random.Generator | None = None,
    *,
    seed: int | None = None,
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are either ints summing to ``len(dataset)`` or fractions summing to 1;
    fractions are floored and the leftover samples go one each to the first splits,
    as in PyTorch. ``generator``/``seed`` make the split reproducible.
    """
    total = len(dataset)
    counts = _split_counts(list(lengths), total)
    order = make_rng("random_split", generator, seed)().permutation(total)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[start:stop]) for start, stop in zip(bounds[:-1], bounds[1:])]


def _split_counts(lengths: list, total: int) -> list[int]:
    integral = all(isinstance(length, (int, np.integer)) and not isinstance(length, bool) for length in lengths)
    if not integral and math.isclose(sum(lengths), 1.0) and sum(lengths) <= 1.0:
        for position, fraction in enumerate(lengths):
            if not 0.0 <= fraction <= 1.0:
                raise ValueError(f"random_split: fraction {fraction} at index {position} is not between 0 and 1.")
        counts = [math.floor(total * fraction) for fraction in lengths]
        for position in range(total - sum(counts)):
            counts[position % len(counts)] += 1
        return counts
    if not integral or any(length < 0 for length in lengths) or sum(lengths) != total:
        raise ValueError(
            f"random_split: lengths {lengths} must be non-negative ints summing to the dataset's length "
            f"({total}) or fractions summing to 1."
        )
    return [int(length) for length in lengths]
