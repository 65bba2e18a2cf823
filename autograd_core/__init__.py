"""autograd-core: a reverse-mode automatic differentiation engine on NumPy.

    >>> import autograd_core as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])

Importing this package compiles nothing and does not import Numba.
"""
from typing import Any as _Any

from .anomaly import detect_anomaly, is_anomaly_enabled
from .backends import are_deterministic_algorithms_enabled, use_deterministic_algorithms
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .devices import DeviceError, device, get_default_device, set_default_device
from .dtypes import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    finfo,
    get_default_dtype,
    iinfo,
    is_floating_point,
    is_tensor,
    numel,
    set_default_dtype,
    set_default_tensor_type,
)
from .engine import backward, grad
from .errors import DimError, DtypeError, GraphError, ShapeError
from .function import Function
from .functions import *  # noqa: F401,F403  (exp, relu, softmax, cat, matmul, ...)
from .functions import __all__ as _function_names
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .ops.pool import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d  # torch.max_pool2d ...
from .printing import set_printoptions
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .sampling import (
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .scalar import Scalar
from .serialization import CheckpointError, load, save
from .tensor import Tensor, bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from .unsupported import missing_attribute as _missing_attribute
from .viz import backward_steps, draw_graph

# isort: split
# (after the engine: the autograd package imports engine.py, which needs tensor.py loaded first)
from . import accelerator, autograd, backends, cuda, linalg, special

__version__ = "0.1.0"

# PyTorch's dtype aliases (kept out of __all__, so `from autograd_core import *` leaves the builtins alone)
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64
bool = bool_  # noqa: A001

__all__ = [
    "Tensor", "Scalar", "Function", "draw_graph", "backward_steps", "tensor", "from_numpy", "zeros", "ones", "full",
    "arange",
    "randn", "rand", "randint", "randperm", "zeros_like", "ones_like", "manual_seed",
    "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "detect_anomaly", "is_anomaly_enabled", "gradcheck", "gradgradcheck", "GradcheckError",
    "float32", "float64", "int32", "int64", "uint8", "bool_",
    "ShapeError", "DtypeError", "DimError", "GraphError",
    "save", "load", "CheckpointError",
    *_function_names,
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d",
    # devices, dtypes, creation and random numbers as PyTorch names them
    "device", "DeviceError", "set_default_device", "get_default_device", "cuda", "accelerator", "backends",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "float16", "half", "double", "long", "short", "int8", "int16", "get_default_dtype", "set_default_dtype",
    "set_default_tensor_type", "is_floating_point", "is_tensor", "numel", "finfo", "iinfo",
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
    "ByteTensor", "BoolTensor",
    "as_tensor", "empty", "empty_like", "full_like", "linspace", "logspace", "eye",
    "rand_like", "randn_like", "randint_like", "normal", "bernoulli", "multinomial",
    "Generator", "default_generator", "seed", "initial_seed", "get_rng_state", "set_rng_state", "autograd",
    "special", "linalg", "set_printoptions",
    "max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d",
]


def __getattr__(name: str) -> _Any:
    """PyTorch names this project lacks fail naming what to use instead (see ``unsupported.py``)."""
    raise _missing_attribute(__name__, name)
