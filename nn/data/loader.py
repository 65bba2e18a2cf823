"""``DataLoader``: iterate over a map-style dataset in (shuffled) batches, as in PyTorch."""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from ._random import make_rng
from .collate import fetch_batch


class DataLoader:
    """Batches of ``dataset``, one epoch per ``for batch in loader``.

    Args:
        dataset: anything with ``__len__`` and ``__getitem__`` (a ``Dataset``).
        batch_size: samples per batch (default 1).
        shuffle: draw a new random order each epoch (default False: the dataset's order).
        collate_fn: turns a list of samples into a batch (default ``default_collate``:
            stacks them into Tensors). Without one, a dataset's ``get_batch`` (e.g.
            ``TensorDataset``'s fancy indexing) builds each batch in one step.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator / seed: where shuffling draws from (see ``make_rng``); with ``seed``
            every run sees the same sequence of epochs, each epoch a different order.

    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        *,
        collate_fn: Callable[[list], Any] | None = None,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must have __len__ and __getitem__ (a map-style Dataset), "
                f"got {type(dataset).__name__}."
            )
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.collate_fn = collate_fn
        self.drop_last = bool(drop_last)
        self._rng = make_rng("DataLoader", generator, seed)

    def __len__(self) -> int:
        samples = len(self.dataset)
        if self.drop_last:
            return samples // self.batch_size
        return math.ceil(samples / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        samples = len(self.dataset)
        order = self._rng().permutation(samples) if self.shuffle else np.arange(samples)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield fetch_batch(self.dataset, order[start:start + self.batch_size], self.collate_fn)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
