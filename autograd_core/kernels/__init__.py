"""Every Numba kernel of the project, each with a bit-identical NumPy twin (see ``jit``).

``conv`` (im2col/col2im), ``winograd`` (its tile transforms), ``pool`` (max/avg pooling),
``special`` (erf), ``gelu``, ``layer_norm`` (by rows), ``batch_norm`` (by channels), ``relu``
(its backward), ``recurrent`` (the LSTM step's pointwise parts, a float32 exp), ``gru`` (a GRU
step forward and backward) and ``sgd`` (the SGD update). Nothing here compiles, or even imports
Numba, until first use.
"""

from .jit import get_mode, set_mode, wait_for_kernels

__all__ = ["get_mode", "set_mode", "wait_for_kernels"]
