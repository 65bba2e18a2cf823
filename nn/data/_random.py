"""Where the data tools draw random numbers from: one rule for loaders, splits, toy sets and transforms.

Each takes ``generator=`` (an ``autograd_core.Generator`` or a ``np.random.Generator``, which
it keeps drawing from) or ``seed=`` (an int: a private generator, so runs repeat exactly).
With neither it draws from the generator ``autograd_core.manual_seed`` controls, looked up
at each draw so that a later ``manual_seed`` still applies.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograd_core.creation import generator as global_generator
from autograd_core.random import Generator

RandomSource = Callable[[], np.random.Generator]


def make_rng(owner: str, generator: Any = None, seed: int | None = None) -> RandomSource:
    """A callable returning the generator ``owner`` should draw from now."""
    if generator is not None and seed is not None:
        raise ValueError(f"{owner}: pass generator= or seed=, not both.")
    if generator is not None:
        if isinstance(generator, Generator):
            return lambda: generator.numpy
        if not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"{owner}: generator must be an autograd_core.Generator or a np.random.Generator (e.g. "
                f"np.random.default_rng(0)), got {type(generator).__name__}; or pass seed=<int>."
            )
        return lambda: generator
    if seed is not None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"{owner}: seed must be a non-negative int, got {seed!r}")
        own = np.random.default_rng(int(seed))
        return lambda: own
    return global_generator
