"""The outer-product kernel (``kernels/outer.py``): its twin gives the same bits, on strided rows too."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import outer
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {outer.outer_product}


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 70), st.sampled_from([np.float32, np.float64]),
    st.booleans(), st.integers(1, 3),
)
def test_outer_product_twin_is_bit_identical(seed, rows, columns, dtype, specials, step):
    rng = np.random.default_rng(seed)
    a = awkward(rng, (rows * step,), dtype, specials)[::step]  # strided rows as well as contiguous ones
    b = awkward(rng, (columns,), dtype, specials)
    both(outer.outer_product, (a, b), [np.full((rows, columns), 7.0, dtype)])


def test_outer_product_is_each_pair_multiplied():
    a, b = np.array([1.0, -2.0, 0.5], np.float32), np.array([3.0, np.inf, -0.0, 4.0], np.float32)
    out = np.empty((3, 4), np.float32)
    outer.outer_product.compiled(a, b, out)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(out, np.outer(a, b))
