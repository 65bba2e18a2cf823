"""Turning a list of samples into one batch: ``default_collate`` and the loader's fetch rule.

A dataset may define ``get_batch(indices) -> batch`` to build a whole batch at once
(``TensorDataset`` fancy-indexes its arrays); ``fetch_batch`` uses it when the loader has
no custom ``collate_fn``, and otherwise collates ``dataset[i]`` sample by sample.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import ShapeError, Tensor


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch with a new leading dim, as PyTorch's ``default_collate``.

    Tensors and ndarrays are stacked into a Tensor (through ``autograd_core.stack`` when a
    sample requires grad, so the graph is kept); Python bools, ints and floats become bool,
    int64 and float32 Tensors; NumPy scalars keep their dtype. Tuples, lists and named tuples
    are collated field by field and keep their type, dicts key by key; strings stay a list.
    """
    if len(samples) == 0:
        raise ValueError("default_collate: got an empty list of samples; a batch needs at least one.")
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray)):
        return _stack(samples)
    if isinstance(first, np.generic):
        return ag.from_numpy(np.array(samples))
    if isinstance(first, (bool, int, float)):
        return ag.tensor(samples)  # bool, int64, or float32 as soon as one sample is a float
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        for position, sample in enumerate(samples):
            if len(sample) != len(first):
                raise ShapeError(
                    f"default_collate: sample {position} has {len(sample)} fields but sample 0 has "
                    f"{len(first)}; every sample must have the same structure."
                )
        fields = [default_collate(list(field)) for field in zip(*samples)]
        return type(first)(*fields) if hasattr(first, "_fields") else type(first)(fields)
    raise TypeError(
        f"default_collate: cannot batch samples of type {type(first).__name__}; samples must be "
        "Tensors, ndarrays, numbers, strings, or tuples/lists/dicts of them. Pass a collate_fn."
    )


def _stack(samples: Sequence[Any]) -> Tensor:
    arrays = [sample.array if isinstance(sample, Tensor) else np.asarray(sample) for sample in samples]
    for position, array in enumerate(arrays):
        if array.shape != arrays[0].shape:
            raise ShapeError(
                f"default_collate: sample {position} has shape {array.shape} but sample 0 has shape "
                f"{arrays[0].shape}; samples must have equal shapes to be stacked (pass a collate_fn "
                "that pads them)."
            )
    if any(isinstance(sample, Tensor) and sample.requires_grad for sample in samples):
        return ag.stack([sample if isinstance(sample, Tensor) else ag.from_numpy(sample) for sample in samples])
    return ag.from_numpy(np.stack(arrays))


def fetch_batch(dataset: Any, indices: np.ndarray, collate_fn: Callable[[list], Any] | None = None) -> Any:
    """The batch of ``dataset`` at ``indices`` (a 1-D int array)."""
    if collate_fn is None:
        get_batch = getattr(dataset, "get_batch", None)
        if get_batch is not None:
            return get_batch(indices)
        collate_fn = default_collate
    return collate_fn([dataset[int(index)] for index in indices])
