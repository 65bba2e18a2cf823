"""Samplers: the order in which ``DataLoader`` visits a dataset, as ``torch.utils.data``'s.

``SequentialSampler`` and ``RandomSampler`` are what ``shuffle=False/True`` use;
``SubsetRandomSampler`` and ``WeightedRandomSampler`` draw other orders; ``BatchSampler``
groups any sampler's indices into batches. A sampler is an iterable of indices with a
length; any object like that (a list of ints too) can be passed as ``sampler=``.

Random samplers draw from ``generator=`` (an ``autograd_core.Generator`` or a
``np.random.Generator``) or ``seed=``, else from the default generator at each epoch
(see ``nn.data._random``).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

import autograd_core as ag

from ._random import make_rng


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and ``__len__``."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise TypeError(f"{type(self).__name__} must define __iter__ (yielding indices)")

    def epoch_order(self) -> np.ndarray:
        """This epoch's indices as one int64 array (what ``DataLoader`` slices into batches)."""
        return np.fromiter(iter(self), dtype=np.int64)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, every epoch."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def epoch_order(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order each epoch.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices independently (repeats possible).
        num_samples: how many per epoch (default ``len(data_source)``); without
            replacement, more than the length repeats whole permutations, as in PyTorch.
        generator / seed: where the order is drawn from.
    """

    def __init__(
        self, data_source: Any, replacement: bool = False, num_samples: int | None = None, generator: Any = None,
        *, seed: int | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None and (isinstance(num_samples, bool) or not isinstance(num_samples, int)
                                        or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive int, got {num_samples!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        self._rng = make_rng("RandomSampler", generator, seed)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def epoch_order(self) -> np.ndarray:
        size, rng = len(self.data_source), self._rng()
        if self.replacement:
            return rng.integers(0, size, size=self.num_samples, dtype=np.int64)
        if self._num_samples is None:
            return rng.permutation(size)
        rounds = [rng.permutation(size) for _ in range(math.ceil(self.num_samples / size))]
        return np.concatenate(rounds)[: self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self.epoch_order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order each epoch (no repeats)."""

    def __init__(self, indices: Sequence[int], generator: Any = None, *, seed: int | None = None) -> None:
        self.indices = np.asarray(indices, dtype=np.int64)
        self.generator = generator
        self._rng = make_rng("SubsetRandomSampler", generator, seed)

    def epoch_order(self) -> np.ndarray:
        return self.indices[self._rng().permutation(len(self.indices))]

    def __iter__(self) -> Iterator[int]:
        return iter(self.epoch_order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights`` (need not sum to 1)."""

    def __init__(
        self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator: Any = None,
        *, seed: int | None = None,
    ) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive int, got {num_samples!r}")
        if not isinstance(replacement, bool):
            raise TypeError(f"WeightedRandomSampler: replacement must be a bool, got {replacement!r}")
        values = weights.array if isinstance(weights, ag.Tensor) else np.asarray(weights)
        if values.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence, got shape {values.shape}")
        self.weights = ag.tensor(values, dtype=np.float64)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator
        self._rng = make_rng("WeightedRandomSampler", generator, seed)

    def epoch_order(self) -> np.ndarray:
        drawn = ag.multinomial(self.weights, self.num_samples, self.replacement, generator=self._rng())
        return drawn.array

    def __iter__(self) -> Iterator[int]:
        return iter(self.epoch_order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def batches(self) -> Iterator[np.ndarray]:
        """This epoch's batches as int64 arrays (one epoch_order() of the sampler, sliced)."""
        order = self.sampler.epoch_order() if isinstance(self.sampler, Sampler) else np.fromiter(self.sampler, np.int64)
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self.batches():
            yield batch.tolist()

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return math.ceil(len(self.sampler) / self.batch_size)
