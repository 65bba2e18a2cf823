"""Fixed data and weights for the compatibility programs, the same under PyTorch and autograd-core.

The two libraries' random generators differ, so a program that wants to print comparable
numbers takes its "random" tensors and initial weights from here: NumPy draws, turned into
tensors with ``torch.from_numpy``. Written against the torch API like the programs, so the
same import mapping applies to it.
"""
import math

import numpy as np
import torch

_rng = np.random.default_rng(0)


def reset(seed=0):
    global _rng
    _rng = np.random.default_rng(seed)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def randn(*shape):
    shape = _shape(shape)
    return torch.from_numpy(_rng.standard_normal(shape).astype(np.float32))


def rand(*shape):
    shape = _shape(shape)
    return torch.from_numpy(_rng.random(shape).astype(np.float32))


def randint(high, shape):
    return torch.from_numpy(_rng.integers(0, high, size=shape).astype(np.int64))


def randn_like(tensor):
    return randn(*tensor.shape)


def init_parameters(model):
    """Every parameter uniform in +-1/sqrt(fan_in), as PyTorch's default init, from the fixed stream."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            shape = tuple(parameter.shape)
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            bound = 1.0 / math.sqrt(max(fan_in, 1))
            values = _rng.uniform(-bound, bound, size=shape).astype(np.float32)
            parameter.copy_(torch.from_numpy(values))
    return model
