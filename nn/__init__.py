"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``.
"""
from . import data, functional, init, metrics, optim, regularization, utils
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Sign, Softmax, Softplus, Step, Tanh
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .containers import ModuleDict, ModuleList, Sequential
from .dropout import Dropout, GaussianNoise
from .linear import Flatten, Identity, Linear
from .loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
)
from .module import Module, Parameter, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .regularization import l1_penalty, l2_penalty
from .training import EarlyStopping, History, fit

__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten", "init", "data", "functional", "optim", "utils",
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax", "Sign", "Step",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "HingeLoss",
    "Dropout", "GaussianNoise", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "regularization", "l1_penalty", "l2_penalty",
    "metrics", "fit", "History", "EarlyStopping", "save_checkpoint", "load_checkpoint", "CheckpointError",
]
