"""The SGD kernel (``kernels/sgd.py``): its NumPy twin gives the Numba code's bits."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import sgd
from tests.helpers import assert_same_bits

TWINS_TESTED = {sgd.sgd_update, sgd.sgd_step}


@settings(max_examples=30)
@given(
    st.sampled_from([np.float32, np.float64]),
    st.sampled_from([0.0, 0.9]),
    st.sampled_from([0.0, 0.3]),
    st.sampled_from([0.0, 0.01]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_sgd_twin_gives_the_same_bits(dtype, momentum, dampening, weight_decay, nesterov, maximize, first, seed):
    """The NumPy twin of the fused SGD kernel (run while Numba loads) matches it bit for bit."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 200))
    scales = (10.0 ** rng.integers(-3, 4, size) for _ in range(3))
    param, grad, buffer = (rng.standard_normal(size).astype(dtype) * scale for scale in scales)
    number = np.dtype(dtype).type
    scalars = (number(0.1), number(momentum), number(1 - dampening), number(weight_decay), nesterov, maximize, first)
    results = []
    for run in (sgd.sgd_update.compiled, sgd.sgd_update.numpy):
        p, b = param.copy(), buffer.copy()
        run(p, grad, b, *scalars)
        results.append((p, b))
    for twin, compiled in zip(results[1], results[0]):
        assert_same_bits(twin, compiled)


@settings(max_examples=20)
@given(st.sampled_from([np.float32, np.float64]), st.sampled_from([-0.1, 0.01, -3.0]), st.integers(0, 2**32 - 1))
def test_plain_sgd_step_twin_gives_the_same_bits(dtype, scale, seed):
    """``sgd_step`` (plain SGD, p += scale * g) and its twin agree bit for bit."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 300))
    param, grad = (rng.standard_normal(size).astype(dtype) * 10.0 ** rng.integers(-3, 4, size) for _ in range(2))
    results = []
    for run in (sgd.sgd_step.compiled, sgd.sgd_step.numpy):
        p = param.copy()
        run(p, grad, np.dtype(dtype).type(scale))
        results.append(p)
    assert_same_bits(results[1], results[0])
