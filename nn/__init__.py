"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``.
"""
from . import data

__all__ = ["data"]
