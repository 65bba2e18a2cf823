"""erf's twin (``kernels/special.py``) gives the Numba kernel's numbers bit for bit: both call
the C library's ``erf`` (float64) and ``erff`` (float32)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import special
from tests.helpers import assert_same_bits

TWINS_TESTED = {special._erf_flat}

SPECIAL_VALUES = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-40, -1e-45, 1e-310, 3.9, -3.9, 6.0, 30.0, 1e300]


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300), st.sampled_from([np.float32, np.float64]))
def test_erf_twin_is_bit_identical(seed, size, dtype):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(size) * 10.0 ** rng.uniform(-4, 1, size)  # erf varies on |x| < 6
    special_values = rng.random(size) < 0.1
    values[special_values] = rng.choice(SPECIAL_VALUES, np.count_nonzero(special_values))
    with np.errstate(over="ignore"):  # 1e300 is inf in float32
        values = values.astype(dtype)
    twin, numba = np.empty_like(values), np.empty_like(values)
    special._erf_flat.numpy(values, twin)
    special._erf_flat.compiled(values, numba)
    assert_same_bits(twin, numba)

