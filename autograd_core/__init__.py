"""autograd-core: a reverse-mode automatic differentiation engine on NumPy.

    >>> import autograd_core as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])

Importing this package compiles nothing and does not import Numba.
"""
from .anomaly import detect_anomaly
from .creation import (
    arange, from_numpy, full, manual_seed, ones, ones_like, rand, randint, randn, randperm,
    tensor, zeros, zeros_like,
)
from .engine import backward, grad
from .errors import DimError, DtypeError, GraphError, ShapeError
from .function import Function
from .functions import *  # noqa: F401,F403  (exp, relu, softmax, cat, matmul, ...)
from .functions import __all__ as _function_names
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, bool_, float32, float64, int32, int64, uint8
from .scalar import Scalar  # noqa: E402
from .ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: E402
from .ops.pool import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d  # noqa: E402  (torch.max_pool2d ...)
from .viz import backward_steps, draw_graph  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Scalar", "Function", "draw_graph", "backward_steps", "tensor", "from_numpy", "zeros", "ones", "full", "arange",
    "randn", "rand", "randint", "randperm", "zeros_like", "ones_like", "manual_seed",
    "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "detect_anomaly", "gradcheck", "gradgradcheck", "GradcheckError",
    "float32", "float64", "int32", "int64", "uint8", "bool_",
    "ShapeError", "DtypeError", "DimError", "GraphError",
    *_function_names,
    "conv1d", "conv2d", "conv_transpose2d",
    "max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d",
]
