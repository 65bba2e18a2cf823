"""ReLU's backward kernel (``kernels/relu.py``): its twin gives the same bits, and it selects."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import relu
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {relu.relu_backward}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 70), st.sampled_from([np.float32, np.float64]), st.booleans())
def test_relu_backward_twin_is_bit_identical(seed, size, dtype, specials):
    rng = np.random.default_rng(seed)
    grad = awkward(rng, (size,), dtype, specials)
    output = np.maximum(awkward(rng, (size,), dtype, specials), 0)  # 0, positive, NaN (and -0.0 from -0.0)
    both(relu.relu_backward, (grad, output), [np.full(size, 7.0, dtype)], (dtype(0),))


def test_relu_backward_selects_so_an_infinite_gradient_where_the_output_is_zero_gives_zero():
    grad = np.array([np.inf, -np.inf, np.nan, 2.0, 3.0, -0.0], np.float32)
    output = np.array([0.0, -0.0, 0.0, 1.0, np.nan, 4.0], np.float32)
    result = np.empty_like(grad)
    relu.relu_backward.compiled(grad, output, result, np.float32(0))
    np.testing.assert_array_equal(result, [0.0, 0.0, 0.0, 2.0, 3.0, -0.0])
    assert not np.signbit(result[:3]).any()
