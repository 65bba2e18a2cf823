"""``nn.modules``: PyTorch's ``torch.nn.modules`` import paths for nn's layers.

    >>> from nn.modules import Module, Linear
    >>> from nn.modules.loss import CrossEntropyLoss
    >>> import nn.modules.activation as activation

The layers live in nn's own files; the submodules here (``loss``, ``activation``,
``container``, ``sparse``, ``batchnorm`` ...) are built at import from the layers nn
exports, each placed where PyTorch has it: by ``TORCH_HOME`` for the layers whose
PyTorch file differs from nn's, else by ``TORCH_FILE`` (nn's file -> PyTorch's), else
under nn's own file name. A new layer exported from ``nn`` appears here by itself.
"""
from __future__ import annotations

import sys
import types

import nn as _nn

from ..module import Module

# layers that PyTorch keeps in another file than nn does
TORCH_HOME = {
    "Flatten": "flatten", "Unflatten": "flatten",
    "BatchNorm1d": "batchnorm", "BatchNorm2d": "batchnorm", "BatchNorm3d": "batchnorm",
    "Embedding": "sparse", "EmbeddingBag": "sparse",
    "MultiheadAttention": "activation",
}
# nn's file -> PyTorch's file
TORCH_FILE = {
    "containers": "container", "embedding": "sparse", "dropout2d": "dropout", "group_norm": "normalization",
    "rms_norm": "normalization", "pixel_shuffle": "pixelshuffle", "pointwise_loss": "loss",
    "instance_norm": "instancenorm", "local_response_norm": "normalization", "adaptive_max_pool": "pooling",
    "channel_shuffle": "channelshuffle",
}


def _torch_file(name: str, layer: type) -> str:
    if name in TORCH_HOME:
        return TORCH_HOME[name]
    own_file = layer.__module__.rsplit(".", 1)[-1]
    return TORCH_FILE.get(own_file, own_file)


def _layers() -> dict[str, type]:
    return {
        name: value for name, value in vars(_nn).items()
        if not name.startswith("_") and isinstance(value, type) and issubclass(value, Module)
    }


def _build_submodules() -> dict[str, types.ModuleType]:
    submodules: dict[str, types.ModuleType] = {}
    for name, layer in sorted(_layers().items()):
        file = _torch_file(name, layer)
        if file not in submodules:
            doc = f"PyTorch's torch.nn.modules.{file}: nn's layers that PyTorch keeps there."
            submodule = types.ModuleType(f"{__name__}.{file}", doc)
            submodule.__all__ = []
            submodules[file] = submodule
        setattr(submodules[file], name, layer)
        submodules[file].__all__.append(name)
    return submodules


SUBMODULES = _build_submodules()
for _file, _submodule in SUBMODULES.items():
    sys.modules[_submodule.__name__] = _submodule
    globals()[_file] = _submodule
globals().update(_layers())

__all__ = sorted(_layers()) + sorted(SUBMODULES)
