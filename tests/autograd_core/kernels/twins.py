"""Helpers for the twin tests: every kernel's NumPy twin computes the Numba code's numbers bit
for bit. This is what lets the engine run a twin while Numba loads in the background
(``kernels/jit.py``): which of the two ran never shows in a result. Inputs mix magnitudes from
1e-3 to 1e3 (so the order of a sum matters), ties, NaN, +-inf and -0.0.

Each kernel test module lists the kernels it proves in ``TWINS_TESTED``
(``test_twin_registry.py`` fails for a kernel listed nowhere).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.helpers import assert_same_bits


def awkward(rng: np.random.Generator, shape: tuple, dtype: Any, specials: bool = True) -> np.ndarray:
    """Values whose sums depend on their order, with ties, and (``specials``) NaN, +-inf, -0.0."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)
    if specials:
        u = rng.random(shape)
        x[u < 0.1] = np.round(x[u < 0.1])  # ties
        x[(u >= 0.1) & (u < 0.14)] = -0.0
        x[(u >= 0.14) & (u < 0.16)] = np.nan
        x[(u >= 0.16) & (u < 0.18)] = np.inf
        x[(u >= 0.18) & (u < 0.2)] = -np.inf
    return x.astype(dtype)


def both(kernel: Any, inputs: tuple, outputs: list[np.ndarray], scalars: tuple = ()) -> None:
    """Run the Numba code and the twin on copies of ``outputs`` (pre-filled, since some
    kernels accumulate into them) and assert the same bits in every output."""
    compiled, twin = [o.copy() for o in outputs], [o.copy() for o in outputs]
    kernel.compiled(*inputs, *compiled, *scalars)
    with np.errstate(all="ignore"):  # as Kernel.__call__ runs twins: inf - inf is NaN without a warning
        kernel.numpy(*inputs, *twin, *scalars)
    for a, b in zip(twin, compiled):
        assert_same_bits(a, b)
