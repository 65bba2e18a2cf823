"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``.
"""
from . import data, functional, init, optim, utils
from .embedding import Embedding
from .containers import ModuleDict, ModuleList, Sequential
from .linear import Flatten, Identity, Linear
from .module import Module, Parameter, StateDictError
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten", "Embedding", "RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU",
    "init", "data", "functional", "optim", "utils",
]
