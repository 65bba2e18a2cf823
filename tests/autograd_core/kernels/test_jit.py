import subprocess
import sys

import numpy as np
import pytest

from autograd_core.kernels import jit
from autograd_core.kernels.special import erf, erf_reference


def test_import_compiles_nothing_and_does_not_import_numba():
    code = "import sys, autograd_core, autograd_core.kernels.special; print('numba' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_erf_matches_reference(dtype, shape):
    values = np.random.default_rng(0).uniform(-3, 3, size=shape).astype(dtype)
    got = erf(values)
    assert got.dtype == dtype and got.shape == values.shape
    np.testing.assert_allclose(got, erf_reference(values), rtol=1e-6 if dtype == np.float32 else 1e-15)


def test_erf_on_a_non_contiguous_view():
    values = np.linspace(-2, 2, 24).reshape(4, 6).T[::2]
    np.testing.assert_allclose(erf(values), erf_reference(values), rtol=1e-15)


def test_kernel_compiles_without_a_disk_cache_when_no_cache_folder_is_writable(monkeypatch):
    import numba

    real_njit = numba.njit
    calls = []

    def njit(*args, cache=False, **options):
        calls.append(cache)
        if cache:
            raise RuntimeError("cannot cache function 'double': no locator available for file")
        return real_njit(*args, cache=cache, **options)

    monkeypatch.setattr(numba, "njit", njit)

    @jit.lazy_njit()
    def double(values, out):
        for i in range(values.size):
            out[i] = 2 * values[i]

    values, out = np.arange(3.0), np.empty(3)
    double(values, out)
    assert calls == [True, False]
    np.testing.assert_array_equal(out, [0.0, 2.0, 4.0])
