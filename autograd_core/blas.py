"""Products by one matrix many times over: MKL's packed GEMM where MKL is installed, else NumPy.

A recurrent layer multiplies by the same weight matrix at every step: 32-64 small products
(a batch of 32 rows) per sequence. NumPy's OpenBLAS copies the weight into its internal
(packed) layout again at every call, and at 32 rows that copy and the small-matrix blocking
hold it to 80-95 GF/s here. MKL can pack a matrix once (``cblas_sgemm_pack``) and multiply by
the packed copy many times (``cblas_sgemm_compute``); NumPy cannot reach that API. Measured on
this project's Intel Xeon (AVX-512), one thread, batch 32 (``benchmarks/bench_rnn.py``'s shapes):

==============================  ========  ==========
product                         OpenBLAS  MKL packed
==============================  ========  ==========
(32, 128) @ (128, 512)            50 us      32 us
(32, 512) @ (512, 128)            51 us      36 us
(32, 512) @ (512, 2048)          985 us     484 us
(32, 2048) @ (2048, 512)         842 us     504 us
==============================  ========  ==========

On an AMD EPYC (Zen 5, AVX-512; 2026-12-06) MKL takes a generic path and loses to OpenBLAS,
whose kernels there are AVX-512 (SkylakeX): (32, 128) @ (128, 512) 45 us packed against 27 us,
(32, 2048) @ (2048, 512) 700 us against 406 us, and the LSTM training step of ``bench_rnn.py`` ran at
1.24x PyTorch's time with MKL against 0.93x without. So MKL serves only where it was measured to win.

MKL is optional: ``pip install "autograd-core[mkl]"`` (Linux and Windows on x86-64; about 1 GB
installed, with its threading libraries). It is found through the installed ``mkl`` package (or
a ``mkl_rt`` library in the environment's ``lib`` folder) the first time a product is packed;
importing this module loads nothing. ``AUTOGRAD_CORE_BLAS`` chooses: ``auto`` (or unset) MKL's
packed products where MKL is installed and the processor is Intel's (or its vendor unknown);
``mkl`` MKL wherever it is installed; ``numpy`` every product on NumPy's BLAS; another value is an
error. MKL's results differ from OpenBLAS's in the last bits (another order of summation); each
is deterministic on one machine.

Threads: inside ``calling_thread_only()`` MKL's products run on the calling thread alone
(``mkl_set_num_threads_local(1)``, restored on exit, so the caller's own MKL settings are left as
they were); the recurrent layers run their step loops inside it.
"""
from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import os
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import numpy as np

ENVIRONMENT_VARIABLE = "AUTOGRAD_CORE_BLAS"
_ROW_MAJOR, _NO_TRANS, _TRANS, _PACKED, _B_MATRIX = 101, 111, 112, 151, 162  # CBLAS enumerations


def _is_mkl_rt(name: str) -> bool:
    """Whether a file name is MKL's single dynamic library (libmkl_rt.so[.N], mkl_rt[.N].dll)."""
    return name.startswith(("libmkl_rt.so", "mkl_rt")) and (name.endswith((".so", ".dll")) or ".so." in name)


def _mkl_candidates() -> list[str]:
    """Paths of MKL's single dynamic library: the installed ``mkl`` package's, then any in this
    environment's library folders (a conda environment's). No subprocess (``ctypes.util.find_library``
    runs ldconfig)."""
    try:
        files = importlib.metadata.distribution("mkl").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    candidates = [str(file.locate()) for file in files if _is_mkl_rt(Path(str(file)).name)]
    for folder in (Path(sys.prefix) / "lib", Path(sys.prefix) / "Library" / "bin"):
        if folder.is_dir():
            candidates += sorted(str(path) for path in folder.glob("*mkl_rt*") if _is_mkl_rt(path.name))
    return candidates


class _MKL:
    """The few MKL functions used here, bound with ctypes (float32 and float64 variants)."""

    def __init__(self, library: ctypes.CDLL) -> None:
        c_int, c_size, pointer = ctypes.c_int, ctypes.c_size_t, ctypes.c_void_p
        self.set_threads_local = library.MKL_Set_Num_Threads_Local
        self.set_threads_local.argtypes, self.set_threads_local.restype = [c_int], c_int
        self.pack_size, self.pack, self.compute = {}, {}, {}
        for dtype, prefix, scalar in ((np.float32, "s", ctypes.c_float), (np.float64, "d", ctypes.c_double)):
            size = getattr(library, f"cblas_{prefix}gemm_pack_get_size")
            size.argtypes, size.restype = [c_int] * 4, c_size
            pack = getattr(library, f"cblas_{prefix}gemm_pack")
            pack.argtypes, pack.restype = [c_int] * 6 + [scalar, pointer, c_int, pointer], None
            compute = getattr(library, f"cblas_{prefix}gemm_compute")
            compute.argtypes = [c_int] * 6 + [pointer, c_int, pointer, c_int, scalar, pointer, c_int]
            compute.restype = None
            key = np.dtype(dtype)
            self.pack_size[key], self.pack[key], self.compute[key] = size, pack, compute


_lock = threading.Lock()
_loaded: dict[str, Any] = {}
_SETTINGS = ("auto", "mkl", "numpy")


def _setting() -> str:
    """``AUTOGRAD_CORE_BLAS``, checked: auto (also when unset or empty), mkl or numpy."""
    setting = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() or "auto"
    if setting not in _SETTINGS:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}={os.environ[ENVIRONMENT_VARIABLE]!r} is not a BLAS setting; set it to numpy "
            "(NumPy's BLAS for every product), mkl (MKL's packed products wherever MKL is installed) or auto, "
            "or leave it unset (MKL's packed products where installed, on Intel processors)."
        )
    return setting


def _cpu_vendor() -> str:
    """The processor's vendor as the CPU reports it (``GenuineIntel``, ``AuthenticAMD``, ...), or ""
    where it cannot be read without a subprocess (Linux's ``/proc/cpuinfo``, else ``platform.processor()``)."""
    if "vendor" not in _loaded:
        vendor = ""
        try:
            with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
                for line in cpuinfo:
                    if line.startswith("vendor_id"):
                        vendor = line.partition(":")[2].strip()
                        break
        except OSError:  # not Linux: Windows names the vendor in platform.processor()
            import platform

            vendor = next((name for name in ("GenuineIntel", "AuthenticAMD") if name in platform.processor()), "")
        _loaded["vendor"] = vendor
    return _loaded["vendor"]


def _library() -> _MKL | None:
    """MKL's bindings, loaded on the first call; None where MKL is not installed or cannot be loaded."""
    with _lock:
        if "mkl" not in _loaded:
            _loaded["mkl"] = None
            for candidate in _mkl_candidates():
                try:
                    _loaded["mkl"] = _MKL(ctypes.CDLL(candidate))
                    break
                except (OSError, AttributeError):  # not loadable here, or an MKL without the packed API
                    continue
        return _loaded["mkl"]


def _mkl() -> _MKL | None:
    """MKL's bindings where they serve the products: installed, and asked for (``mkl``) or on an
    Intel processor (``auto``: on others MKL runs a generic path, slower than OpenBLAS's, see above)."""
    setting = _setting()
    if setting == "numpy" or (setting == "auto" and _cpu_vendor() not in ("GenuineIntel", "")):
        return None
    return _library()


def mkl_available() -> bool:
    """Whether products by a packed matrix run on MKL (installed, loadable, and chosen: see ``_mkl``)."""
    return _mkl() is not None


class PackedMatrix:
    """``matrix`` (K, N), float32 or float64, prepared for many products ``a @ matrix`` with a (M, K).

    ``PackedMatrix(matrix, rows)`` packs a copy for products whose left operand has ``rows`` rows
    (MKL's packed layout depends on M); ``packed.multiply(a, out)`` writes ``a @ matrix`` into
    ``out`` (M, N), both C-contiguous with the matrix's dtype, not overlapping. ``matrix`` may be
    any strided view (a transpose packs without a transposing copy) and may change afterwards: the
    packed copy does not see it. ``packed.release()`` hands the packed copy's memory to the next
    ``PackedMatrix`` of that size made on this thread (a fresh buffer of a few MB page-faults in
    anew: ~0.3 ms for 256 KB here); the packed matrix must not be used after. Without MKL
    (``mkl_available()`` False) ``PackedMatrix`` raises RuntimeError: check first, or use
    ``packed_or_none``.
    """

    def __init__(self, matrix: np.ndarray, rows: int) -> None:
        mkl = _mkl()
        if mkl is None:
            raise RuntimeError(
                "PackedMatrix needs MKL: install it with pip install 'autograd-core[mkl]' (and leave "
                f"{ENVIRONMENT_VARIABLE} unset on an Intel processor, or set it to mkl), or multiply with np.matmul."
            )
        if matrix.ndim != 2 or matrix.dtype not in mkl.pack:
            raise TypeError(
                f"PackedMatrix: matrix must be 2-D float32 or float64, got {matrix.ndim}-D {matrix.dtype}."
            )
        if 0 in matrix.shape:
            raise ValueError(f"PackedMatrix: matrix of shape {matrix.shape} is empty; multiply it with np.matmul.")
        if not isinstance(rows, int) or rows < 1:
            raise ValueError(f"PackedMatrix: rows must be a positive int, got {rows!r}.")
        self._mkl, self.rows, (self.inner, self.columns), self.dtype = mkl, rows, matrix.shape, matrix.dtype
        if matrix.flags.f_contiguous and not matrix.flags.c_contiguous:
            trans, source, leading = _TRANS, matrix, self.inner  # a transposed C array, packed as it lies
        else:
            trans, source, leading = _NO_TRANS, np.ascontiguousarray(matrix), self.columns
        size = mkl.pack_size[self.dtype](_B_MATRIX, rows, self.columns, self.inner)
        self._buffer = _released.take(-(-size // self.dtype.itemsize), self.dtype)
        mkl.pack[self.dtype](
            _ROW_MAJOR, _B_MATRIX, trans, rows, self.columns, self.inner, 1.0,
            source.ctypes.data, leading, self._buffer.ctypes.data,
        )
        self._compute, self._address = mkl.compute[self.dtype], self._buffer.ctypes.data
        self._a_shape, self._out_shape = (rows, self.inner), (rows, self.columns)
        self._out: np.ndarray | None = None  # the last out (a loop's buffer), checked then, and its address
        self._out_strides, self._out_address = None, 0

    def _check(self, name: str, array: np.ndarray, shape: tuple) -> None:
        if array.shape != shape or array.dtype != self.dtype or not array.flags.c_contiguous:
            raise ValueError(
                f"PackedMatrix.multiply: {name} must be a C-contiguous {self.dtype} array of shape "
                f"{shape}, got {array.dtype} {array.shape}{'' if array.flags.c_contiguous else ' (strided)'}."
            )

    def multiply(self, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out[...] = a @ matrix`` for a (rows, K) and out (rows, N), C-contiguous, the matrix's
        dtype, not overlapping."""
        if self._address == 0:
            raise RuntimeError("PackedMatrix.multiply: this packed matrix was released; pack the matrix again.")
        if out is not self._out or out.strides != self._out_strides or out.shape != self._out_shape:
            self._check("out", out, self._out_shape)
            self._out, self._out_strides, self._out_address = out, out.strides, out.ctypes.data
        elif out.dtype != self.dtype:
            self._check("out", out, self._out_shape)
        if a.shape != self._a_shape or a.dtype != self.dtype or not a.flags.c_contiguous:
            self._check("a", a, self._a_shape)
        address, out_address = a.ctypes.data, self._out_address
        if address < out_address + out.nbytes and out_address < address + a.nbytes:
            raise ValueError("PackedMatrix.multiply: out overlaps a; write the product into another array.")
        self._compute(
            _ROW_MAJOR, _NO_TRANS, _PACKED, self.rows, self.columns, self.inner, address, self.inner,
            self._address, self.columns, 0.0, out_address, self.columns,
        )
        return out

    def release(self) -> None:
        """Hand the packed copy's memory to the next ``PackedMatrix`` of its size on this thread."""
        if self._address:
            _released.give(self._buffer)
            self._buffer, self._address, self._out = None, 0, None


class _ReleasedBuffers(threading.local):
    """Packed copies' memory from ``release``, per thread, the 4 most recent, for the next packing."""

    def __init__(self) -> None:
        self.buffers: list[np.ndarray] = []

    def take(self, size: int, dtype: np.dtype) -> np.ndarray:
        for index, buffer in enumerate(self.buffers):
            if buffer.size == size and buffer.dtype == dtype:
                return self.buffers.pop(index)
        return np.empty(size, dtype=dtype)

    def give(self, buffer: np.ndarray) -> None:
        self.buffers = (self.buffers + [buffer])[-4:]


_released = _ReleasedBuffers()


@contextlib.contextmanager
def calling_thread_only() -> Iterator[None]:
    """MKL's products inside run on the calling thread alone (restored on exit; nothing without MKL)."""
    mkl = _mkl()
    if mkl is None:
        yield
        return
    previous = mkl.set_threads_local(1)
    try:
        yield
    finally:
        mkl.set_threads_local(previous)


#: multiply-adds per product from which a packed product pays: below, ctypes' ~3 us a call outweighs
#: the gain (batch 32: (128, 128) took 12.7 us packed, 10.5 by np.matmul; (128, 384) 27 vs 33)
PACKED_FROM = 1 << 20


def packed_or_none(matrix: np.ndarray, rows: int) -> PackedMatrix | None:
    """``PackedMatrix(matrix, rows)`` where MKL serves it and it pays (float32/float64, at least
    ``PACKED_FROM`` multiply-adds a product), else None: multiply with np.matmul then."""
    if matrix.dtype not in (np.float32, np.float64) or matrix.ndim != 2 or not mkl_available():
        return None
    if rows < 1 or rows * matrix.shape[0] * matrix.shape[1] < PACKED_FROM:
        return None
    return PackedMatrix(matrix, rows)
