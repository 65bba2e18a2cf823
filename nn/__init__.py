"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``.
"""
from . import data, functional, init
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .containers import ModuleDict, ModuleList, Sequential
from .linear import Flatten, Identity, Linear
from .module import Module, Parameter, StateDictError
from .dropout2d import Dropout2d
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, LPPool2d, MaxPool1d, MaxPool2d

__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten", "Conv1d", "Conv2d", "ConvTranspose2d", "init", "data", "functional",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "LPPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "Dropout2d",
]
