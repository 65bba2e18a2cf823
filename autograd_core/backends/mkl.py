"""``backends.mkl``: whether MKL serves this build's products (``autograd_core.blas``; the ``mkl`` extra)."""
from __future__ import annotations

from .. import blas


def is_available() -> bool:
    """True where the optional MKL is installed and not switched off (``AUTOGRAD_CORE_BLAS=numpy``)."""
    return blas.mkl_available()
