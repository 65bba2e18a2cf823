"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``.
"""
from . import data, functional, init, metrics, optim, utils
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .containers import ModuleDict, ModuleList, Sequential
from .linear import Flatten, Identity, Linear
from .module import Module, Parameter, StateDictError
from .training import EarlyStopping, History, fit

__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten", "init", "data", "functional", "optim", "utils",
    "metrics", "fit", "History", "EarlyStopping", "save_checkpoint", "load_checkpoint", "CheckpointError",
]
