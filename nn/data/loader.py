"""``DataLoader``: iterate over a map-style dataset in (shuffled) batches, or over an
``IterableDataset``'s stream in batches, as in PyTorch."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ._random import make_rng
from .collate import default_collate, fetch_batch
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Batches of ``dataset``, one epoch per ``for batch in loader``, with PyTorch's arguments.

    Args:
        dataset: anything with ``__len__`` and ``__getitem__`` (a ``Dataset``), or an
            ``IterableDataset``, whose samples are batched in iteration order (it takes no
            ``shuffle``, ``sampler`` or ``batch_sampler``; ``len(loader)`` needs its ``__len__``).
        batch_size: samples per batch (default 1); None yields the samples one by one,
            without a batch dim.
        shuffle: draw a new random order each epoch (default: the dataset's order).
        sampler: the order to visit indices in (a ``Sampler`` or any iterable of ints with a
            length); excludes ``shuffle``.
        batch_sampler: yields whole lists of indices; excludes ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``.
        num_workers, prefetch_factor, persistent_workers, worker_init_fn, timeout,
        multiprocessing_context, in_order: accepted with PyTorch's checks; the batches are
            always loaded in this process, in order, as with ``num_workers=0`` (so
            ``worker_init_fn`` is not called). NumPy indexing makes extra workers rarely
            worth their start-up here.
        collate_fn: turns a list of samples into a batch (default ``default_collate``:
            stacks them into Tensors). Without one, a dataset's ``get_batch`` (e.g.
            ``TensorDataset``'s fancy indexing) builds each batch in one step.
        pin_memory, pin_memory_device: accepted; nothing to pin on the CPU.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator / seed: where shuffling draws from (an ``autograd_core.Generator`` or a
            ``np.random.Generator``; or an int seed); with ``seed`` every run sees the same
            sequence of epochs, each epoch a different order.

    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            for option, given in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if given is not None and given is not False:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {option} option, but got "
                        f"{option}={given!r} (the samples come in the stream's order)"
                    )
        elif not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: dataset must have __len__ and __getitem__ (a map-style Dataset) or be an "
                f"IterableDataset, got {type(dataset).__name__}."
            )
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers, worker_init_fn)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                    "and drop_last"
                )
            batch_size = None
        elif batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None (no batching) is mutually exclusive with drop_last")
        elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        make_rng("DataLoader", generator, seed)  # checks them (they drive the default shuffling only)
        if iterable:
            pass  # no sampler: the stream's own order
        elif sampler is None:
            sampler = RandomSampler(dataset, generator=generator, seed=seed) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not iterable:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.num_workers, self.timeout, self.worker_init_fn = num_workers, timeout, worker_init_fn
        self.prefetch_factor, self.persistent_workers = prefetch_factor, persistent_workers
        self.pin_memory, self.pin_memory_device = bool(pin_memory), pin_memory_device
        self.multiprocessing_context, self.in_order = multiprocessing_context, in_order

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            samples = len(self.dataset)  # TypeError for a stream without __len__, as in PyTorch
            if self.batch_size is None:
                return samples
            return samples // self.batch_size if self.drop_last else -(-samples // self.batch_size)
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream_batches()
            return
        if self.batch_sampler is None:  # batch_size=None: single samples, no batch dim
            for index in self.sampler:
                sample = self.dataset[int(index)]
                yield sample if self.collate_fn is None else self.collate_fn(sample)
            return
        if isinstance(self.batch_sampler, BatchSampler):
            batches: Iterable = self.batch_sampler.batches()  # int arrays sliced from one epoch order
        else:
            batches = self.batch_sampler
        for indices in batches:
            yield fetch_batch(self.dataset, np.asarray(indices, dtype=np.int64), self.collate_fn)

    def _stream_batches(self) -> Iterator[Any]:
        """An IterableDataset's samples, ``batch_size`` at a time in iteration order (the last batch
        may be smaller unless ``drop_last``), each collated; or one by one with ``batch_size=None``."""
        if self.batch_size is None:
            for sample in self.dataset:
                yield sample if self.collate_fn is None else self.collate_fn(sample)
            return
        collate = default_collate if self.collate_fn is None else self.collate_fn
        batch: list = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def __repr__(self) -> str:
        size = len(self.dataset) if hasattr(self.dataset, "__len__") else "a stream"
        return (
            f"DataLoader({type(self.dataset).__name__} of {size}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def _check_workers(
    num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: bool, worker_init_fn: Any
) -> None:
    """PyTorch's checks on the worker arguments (which change nothing here: loading is in-process)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
        raise ValueError(
            f"DataLoader: num_workers option should be a non-negative int, got {num_workers!r}; use num_workers=0 "
            "(batches are loaded in this process whatever the number)."
        )
    if not isinstance(timeout, (int, float)) or timeout < 0:
        raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "DataLoader: prefetch_factor option could only be specified in multiprocessing; let num_workers > 0 "
            "or set prefetch_factor to None."
        )
    if prefetch_factor is not None and (not isinstance(prefetch_factor, int) or prefetch_factor < 0):
        raise ValueError(f"DataLoader: prefetch_factor option should be a non-negative int, got {prefetch_factor!r}")
    if persistent_workers and num_workers == 0:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
    if worker_init_fn is not None and not callable(worker_init_fn):
        raise TypeError(f"DataLoader: worker_init_fn must be callable, got {type(worker_init_fn).__name__}")


def get_worker_info() -> None:
    """None: batches are loaded in the main process (PyTorch's answer outside a worker)."""
    return None

