"""``autograd_core.blas``: MKL's packed products against NumPy's matmul, their errors, and the switch."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core import blas

requires_mkl = pytest.mark.skipif(
    blas._library() is None, reason="MKL is not installed (pip install 'autograd-core[mkl]'): packed products skipped"
)

TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture(autouse=True)
def _on_mkl_wherever_installed(monkeypatch):
    """MKL's path is tested on every processor (``auto`` leaves it to Intel's); a test may set another value."""
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, "mkl")


def _matrix(rng, shape, dtype, layout):
    """A (K, N) matrix: C-contiguous, a transposed C array, or a strided view (every other row and column)."""
    if layout == "transposed":
        return rng.standard_normal(shape[::-1]).astype(dtype).T
    if layout == "strided":
        return rng.standard_normal((2 * shape[0], 2 * shape[1])).astype(dtype)[::2, ::2]
    return rng.standard_normal(shape).astype(dtype)


@requires_mkl
@given(
    rows=st.integers(1, 40), inner=st.integers(1, 70), columns=st.integers(1, 70),
    dtype=st.sampled_from([np.float32, np.float64]), layout=st.sampled_from(["c", "transposed", "strided"]),
    seed=st.integers(0, 2**16),
)
# a dimension of 1 is both C- and F-contiguous, whatever its stride says (MKL refused a leading dimension from it)
@example(rows=3, inner=1, columns=68, dtype=np.float32, layout="transposed", seed=0)
@example(rows=1, inner=7, columns=1, dtype=np.float64, layout="strided", seed=0)
def test_packed_products_equal_numpys_for_every_layout_of_the_matrix(rows, inner, columns, dtype, layout, seed):
    rng = np.random.default_rng(seed)
    matrix = _matrix(rng, (inner, columns), dtype, layout)
    packed = blas.PackedMatrix(matrix, rows)
    expected = matrix.copy()  # the packed copy must not see later changes to the matrix
    matrix[...] = 0
    with blas.calling_thread_only():
        for _ in range(2):  # a packed matrix serves many products
            a = rng.standard_normal((rows, inner)).astype(dtype)
            out = np.full((rows, columns), np.nan, dtype)
            assert packed.multiply(a, out) is out
            np.testing.assert_allclose(out, a @ expected, **TOLERANCE[dtype])


@requires_mkl
def test_packed_products_reject_operands_of_another_shape_dtype_or_layout():
    packed = blas.PackedMatrix(np.ones((3, 4), np.float32), 2)
    good_a, good_out = np.ones((2, 3), np.float32), np.empty((2, 4), np.float32)
    bad = [
        (np.ones((3, 3), np.float32), good_out, r"a must be a C-contiguous float32 array of shape \(2, 3\)"),
        (np.ones((2, 3)), good_out, r"got float64 \(2, 3\)"),
        (np.ones((3, 2), np.float32).T, good_out, r"\(strided\)"),
        (good_a, np.empty((4, 2), np.float32).T, r"out must be a C-contiguous float32 array of shape \(2, 4\)"),
    ]
    for a, out, message in bad:
        with pytest.raises(ValueError, match=message):
            packed.multiply(a, out)
    with pytest.raises(TypeError, match="2-D float32 or float64, got 2-D float16"):
        blas.PackedMatrix(np.ones((3, 4), np.float16), 2)
    with pytest.raises(ValueError, match=r"matrix of shape \(0, 4\) is empty"):
        blas.PackedMatrix(np.ones((0, 4), np.float32), 2)
    with pytest.raises(ValueError, match="rows must be a positive int, got 0"):
        blas.PackedMatrix(np.ones((3, 4), np.float32), 0)


@requires_mkl
def test_calling_thread_only_restores_the_threads_mkl_had():
    mkl = blas._mkl()
    before = mkl.set_threads_local(0)  # 0: this thread follows MKL's global setting
    try:
        with blas.calling_thread_only():
            assert mkl.set_threads_local(1) == 1  # inside: one thread
        assert mkl.set_threads_local(0) == 0  # restored
    finally:
        mkl.set_threads_local(before)


def test_the_environment_variable_keeps_products_on_numpy(monkeypatch):
    assert ag.backends.mkl.is_available() == blas.mkl_available()
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, "numpy")
    assert not blas.mkl_available() and not ag.backends.mkl.is_available()
    assert blas.packed_or_none(np.ones((3, 4), np.float32), 2) is None
    with pytest.raises(RuntimeError, match="PackedMatrix needs MKL.*autograd-core\\[mkl\\]"):
        blas.PackedMatrix(np.ones((3, 4), np.float32), 2)
    with blas.calling_thread_only():  # without MKL: nothing to do
        pass


def test_an_unknown_setting_of_the_environment_variable_is_an_error_naming_the_choices(monkeypatch):
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, "openblas")
    with pytest.raises(ValueError, match="AUTOGRAD_CORE_BLAS='openblas' is not a BLAS setting; set it to numpy.*mkl"):
        blas.mkl_available()


@pytest.mark.parametrize("setting", ["auto", "", " AUTO "])
@pytest.mark.parametrize("vendor, on_mkl", [("GenuineIntel", True), ("", True), ("AuthenticAMD", False)])
def test_auto_takes_mkl_on_intel_processors_only(monkeypatch, setting, vendor, on_mkl):
    """On AMD's processors MKL's packed products were measured slower than OpenBLAS's (blas.py's docstring)."""
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, setting)
    monkeypatch.setattr(blas, "_cpu_vendor", lambda: vendor)
    assert blas.mkl_available() == (on_mkl and blas._library() is not None)
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, "mkl")  # asked for: wherever installed
    assert blas.mkl_available() == (blas._library() is not None)


def test_the_cpu_vendor_is_read_once_and_named_as_the_cpu_reports_it():
    vendor = blas._cpu_vendor()
    assert isinstance(vendor, str) and vendor == blas._cpu_vendor()
    if sys.platform == "linux" and os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            assert f"vendor_id\t: {vendor}" in cpuinfo.read() or not vendor


def test_packed_or_none_leaves_dtypes_and_sizes_mkl_does_not_serve_to_numpy():
    big = blas.PACKED_FROM // 32
    for matrix, rows in ((np.ones((32, big // 32), np.float16), 32), (np.ones((32, big // 32), np.int64), 32),
                         (np.ones((0, 4)), 2), (np.ones((32, big // 32)), 0), (np.ones((32, big // 32 - 1)), 32)):
        assert blas.packed_or_none(matrix, rows) is None
    assert (blas.packed_or_none(np.ones((32, big // 32), np.float32), 32) is not None) == blas.mkl_available()


@requires_mkl
@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("hidden", [8, 256])  # 256: the LSTM's column-major product without MKL
def test_recurrent_layers_give_the_same_results_on_mkl_and_on_numpy(monkeypatch, mode, hidden):
    """Training values and gradients of a fused layer agree between the two BLAS paths (float32)."""
    monkeypatch.setattr(blas, "PACKED_FROM", 1)  # packed at these small sizes too
    ag.manual_seed(0)
    layer = getattr(nn, mode)(5, hidden, bidirectional=True)
    rng = np.random.default_rng(0)
    x, h0, c0 = (ag.tensor(rng.standard_normal(shape).astype(np.float32)) for shape in
                 ((6, 3, 5), (2, 3, hidden), (2, 3, hidden)))
    results = []
    for setting in ("mkl", "numpy"):  # MKL, then NumPy
        monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, setting)
        layer.zero_grad()
        output, _ = layer(x, (h0, c0) if mode == "LSTM" else h0)
        (output * output).sum().backward()
        results.append([output.array.copy()] + [p.grad.array.copy() for p in layer.parameters()])
    for on_mkl, on_numpy in zip(*results):
        np.testing.assert_allclose(on_mkl, on_numpy, rtol=2e-4, atol=2e-5)


def test_mkls_library_is_told_from_its_siblings_by_name():
    assert [blas._is_mkl_rt(name) for name in ("libmkl_rt.so.3", "libmkl_rt.so", "mkl_rt.2.dll")] == [True] * 3
    assert not any(blas._is_mkl_rt(name) for name in ("libmkl_core.so.3", "mkl_rt.lib", "libmkl_avx512.so.3"))


@requires_mkl
def test_a_released_packed_matrix_refuses_products_and_its_memory_serves_the_next_packing():
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4)
    first = blas.PackedMatrix(matrix, 2)
    memory = first._buffer
    first.release()
    with pytest.raises(RuntimeError, match="was released; pack the matrix again"):
        first.multiply(np.ones((2, 3), np.float32), np.empty((2, 4), np.float32))
    second = blas.PackedMatrix(2 * matrix, 2)
    assert second._buffer is memory  # this thread's released memory, reused
    out = np.empty((2, 4), np.float32)
    np.testing.assert_allclose(second.multiply(np.ones((2, 3), np.float32), out), np.ones((2, 3)) @ (2 * matrix))


@requires_mkl
def test_the_same_out_array_is_checked_again_when_its_layout_changed_and_overlap_is_refused():
    packed = blas.PackedMatrix(np.ones((4, 4), np.float32), 2)
    a, out = np.ones((2, 4), np.float32), np.empty((2, 4), np.float32)
    packed.multiply(a, out)  # out checked and remembered
    with pytest.raises(ValueError, match="out overlaps a"):
        packed.multiply(out, out)
    with pytest.raises(ValueError, match="out overlaps a"):
        shared = np.empty((2, 8), np.float32).reshape(-1)
        packed.multiply(shared[:8].reshape(2, 4), shared[4:12].reshape(2, 4))
    wide = np.empty((2, 8), np.float32)
    strided = wide[:, ::2]
    with pytest.raises(ValueError, match=r"out must be a C-contiguous float32 array .* \(strided\)"):
        packed.multiply(a, strided)
    out.shape = (4, 2)  # the same array object, another shape
    with pytest.raises(ValueError, match=r"out must be .* of shape \(2, 4\), got float32 \(4, 2\)"):
        packed.multiply(a, out)


def test_importing_the_packages_loads_no_mkl():
    if not os.path.exists("/proc/self/maps"):
        pytest.skip("needs Linux's /proc/self/maps to list the loaded libraries")
    code = "import autograd_core, nn; print('libmkl' in open('/proc/self/maps').read())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stderr


@requires_mkl
def test_lstms_trained_in_two_threads_at_once_give_the_sequential_results(monkeypatch):
    """Packed products and their released buffers are per thread: concurrent layers do not mix them."""
    monkeypatch.setattr(blas, "PACKED_FROM", 1)

    def train(seed: int) -> list:
        rng = np.random.default_rng(seed)
        layer = nn.LSTM(4, 16)
        with ag.no_grad():
            for parameter in layer.parameters():
                parameter.copy_(ag.tensor(rng.standard_normal(parameter.shape).astype(np.float32) * 0.3))
        x = ag.tensor(rng.standard_normal((5, 8, 4)).astype(np.float32))
        losses = []
        for _ in range(20):
            layer.zero_grad()
            output, _ = layer(x)
            loss = (output * output).mean()
            loss.backward()
            with ag.no_grad():
                for parameter in layer.parameters():
                    parameter -= 0.1 * parameter.grad
            losses.append(float(loss.item()))
        return losses

    expected = [train(seed) for seed in (1, 2)]
    results: dict = {}
    threads = [threading.Thread(target=lambda s=seed: results.__setitem__(s, train(s))) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [results[1], results[2]] == expected
